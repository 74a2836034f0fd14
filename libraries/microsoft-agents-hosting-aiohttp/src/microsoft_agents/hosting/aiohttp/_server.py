"""``create_app`` and ``start_server``: an agent on http://127.0.0.1:3978 in one call.

Most agents need the same small web application: the JWT middleware, ``POST
/api/messages`` answered by the adapter, a ``GET /health`` probe, the configuration on
the application, and the adapter's HTTP session closed at shutdown. These two functions
build it::

    agent_app = AgentApplication[TurnState](storage=MemoryStorage(), adapter=CloudAdapter())

    @agent_app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        await context.send_activity(f"You said: {context.activity.text}")

    start_server(agent_app)          # blocks; Ctrl+C (or SIGTERM) stops it gracefully

``create_app`` returns the ``web.Application`` without running it (for tests, or to add
routes); ``start_server`` runs it with ``web.run_app`` on ``host`` (default
``127.0.0.1``: never every interface unless you ask) and ``port`` (default the ``PORT``
environment variable, else 3978).

Without ``auth_configuration`` the application runs in **development mode**: an empty
``AgentAuthConfiguration`` lets requests without a token through, which is only right on
your own machine (Emulator, playground). A warning says so at start-up. For a deployment
pass ``connection_manager.get_default_connection_configuration()``.

The application keeps its objects under the string keys the samples use
(``app["agent_configuration"]``, ``app["agent_app"]``, ``app["adapter"]``) and under
typed ``web.AppKey`` objects.
"""

from __future__ import annotations

import asyncio
import errno
import gc
import logging
import os
import warnings
from collections.abc import Callable
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from microsoft_agents.hosting.core import Agent, AgentAuthConfiguration, HostingError

from ._agent_http_adapter import AgentHttpAdapter
from ._app_keys import (
    ADAPTER,
    ADAPTER_KEY,
    AGENT_APP,
    AGENT_APP_KEY,
    AGENT_CONFIGURATION,
    AGENT_CONFIGURATION_KEY,
)
from ._cloud_adapter import SETTLE_TIMEOUT, CloudAdapter
from ._expect import expect_handler_for
from ._jwt_authorization import allow_anonymous, jwt_authorization_middleware
from ._reload import is_reload_child, reload_requested, run_with_reload

__all__ = ["DEFAULT_PORT", "create_app", "start_server"]

logger = logging.getLogger(__name__)

DEFAULT_PORT = 3978
"""The port agents listen on by convention (the Emulator's and playground's default)."""

DEFAULT_SHUTDOWN_TIMEOUT = 10.0


class _MalformedRequestFilter(logging.Filter):
    """Turns aiohttp's ERROR with a traceback for a malformed HTTP request into one INFO line.

    A server on a network gets them all the time (scanners, broken clients); aiohttp has
    already answered 400 and closed the connection, so there is nothing to fix here.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError):
            remote = record.args[0] if isinstance(record.args, tuple) and record.args else None
            reason = " ".join(str(error.message or type(error).__name__).split())[:200]
            record.msg = "refused a malformed HTTP request from %s: %r"
            record.args = (remote, reason)
            record.levelno, record.levelname = logging.INFO, logging.getLevelName(logging.INFO)
            record.exc_info = record.exc_text = None
        return True


def _quiet_malformed_requests() -> None:
    """Install :class:`_MalformedRequestFilter` on aiohttp's server logger (once)."""
    server_logger = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, _MalformedRequestFilter) for f in server_logger.filters):
        server_logger.addFilter(_MalformedRequestFilter())


# Seconds a reloaded child may take beyond its longest graceful shutdown (twice its
# shutdown timeout, see start_server) for closing (cancelled turns settle first) and exiting.
_STOP_MARGIN = SETTLE_TIMEOUT + 5.0


def _resolve_adapter(
    agent_application: Agent, adapter: AgentHttpAdapter | None
) -> AgentHttpAdapter:
    if adapter is not None:
        return adapter
    try:
        candidate = getattr(agent_application, "adapter", None)
    except HostingError:  # an AgentApplication created without an adapter
        candidate = None
    if candidate is None or not callable(getattr(candidate, "process", None)):
        raise TypeError(
            "create_app needs an adapter with an async process(request, agent) method: "
            "pass adapter=CloudAdapter(...) or create the AgentApplication with one"
        )
    result: AgentHttpAdapter = candidate
    return result


def _put(app: web.Application, key: web.AppKey[Any], name: str, value: Any) -> None:
    app[key] = value
    with warnings.catch_warnings():
        # The string spelling is what the samples read; aiohttp only recommends AppKeys.
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        app[name] = value


def _development_configuration() -> AgentAuthConfiguration:
    # INFO: the development configuration itself warns, once per process.
    logger.info(
        "start_server/create_app got no auth_configuration: DEVELOPMENT MODE. Requests "
        "WITHOUT a token are accepted. This is only suitable for local development; pass "
        "auth_configuration=connection_manager.get_default_connection_configuration() "
        "before exposing the agent."
    )
    return AgentAuthConfiguration()


@allow_anonymous
async def _health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_app(
    agent_application: Agent,
    adapter: AgentHttpAdapter | None = None,
    auth_configuration: AgentAuthConfiguration | None = None,
    *,
    shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT,
) -> web.Application:
    """Build the aiohttp application that serves ``agent_application``.

    Args:
        agent_application: the agent (an ``AgentApplication`` or any ``Agent``).
        adapter: the adapter; default ``agent_application.adapter``.
        auth_configuration: the configuration tokens are validated against; None for
            development mode (requests without a token accepted; a warning is logged).
        shutdown_timeout: seconds granted at shutdown to the adapter's background turns
            (long-running and streamed ones) before they are cancelled.

    Returns:
        The application: JWT middleware, ``POST /api/messages`` (a client that sends
        ``Expect: 100-continue`` gets the go-ahead only once its token and headers pass),
        ``GET /health`` (no token needed); at start-up the objects alive then are frozen
        out of the garbage collector's scans (``gc.freeze()``); at shutdown the background
        turns are awaited, then the adapter is closed.

    Raises:
        TypeError: ``agent_application`` is missing, or no adapter was given or found.
    """
    if not agent_application:
        raise TypeError("create_app: agent_application is required")
    http_adapter = _resolve_adapter(agent_application, adapter)
    configuration = auth_configuration or _development_configuration()

    app = web.Application(middlewares=[jwt_authorization_middleware])
    _put(app, AGENT_CONFIGURATION_KEY, AGENT_CONFIGURATION, configuration)
    _put(app, AGENT_APP_KEY, AGENT_APP, agent_application)
    _put(app, ADAPTER_KEY, ADAPTER, http_adapter)

    async def messages(request: web.Request) -> web.StreamResponse:
        # start_agent_process's body: its arguments were checked above.
        response = await http_adapter.process(request, agent_application)
        return response if response is not None else web.Response(status=202)

    app.router.add_post("/api/messages", messages, expect_handler=expect_handler_for(http_adapter))
    app.router.add_get("/health", _health)

    # One deadline for the whole shutdown: a request still in flight when it began may
    # detach a background turn later, which gets what is left of the time, not more.
    deadline: list[float] = []
    draining: list[asyncio.Future[Any]] = []

    async def drain_adapter(_: web.Application) -> None:
        # Started here and awaited at cleanup, so that the background turns (they still
        # reply to channels) and the requests aiohttp waits for after its shutdown
        # handlers share the same shutdown_timeout instead of taking one each.
        deadline.append(asyncio.get_running_loop().time() + shutdown_timeout)
        drain = getattr(http_adapter, "drain", None)
        if drain is not None:
            draining.append(asyncio.ensure_future(drain(shutdown_timeout)))

    async def close_adapter(_: web.Application) -> None:
        if draining:
            await draining[0]
        if isinstance(http_adapter, CloudAdapter):
            left = deadline[0] - asyncio.get_running_loop().time() if deadline else None
            await http_adapter.close(shutdown_timeout if left is None else max(left, 0.0))
            return
        close = getattr(http_adapter, "close", None)
        if close is not None:
            await close()

    app.on_startup.append(_freeze_startup_objects)
    app.on_shutdown.append(drain_adapter)
    app.on_cleanup.append(close_adapter)
    return app


async def _freeze_startup_objects(_: web.Application) -> None:
    # Everything alive when the server starts (modules, models and their validators, the
    # agent) lives as long as the process. Moving it out of the garbage collector's view
    # spares every later collection the walk through it: measured, this halves the CPU a
    # turn costs under load (bench/echo_load.py).
    gc.freeze()


_LISTEN_ADVICE = {
    errno.EADDRINUSE: "another program (another agent?) already uses that port. Stop it, "
    "or choose another port (the PORT environment variable, or port=...).",
    errno.EADDRNOTAVAIL: "that address is not one of this machine's. Use 127.0.0.1 (the "
    "default), or an address of one of its network interfaces.",
    errno.EACCES: "permission denied (ports below 1024 need privileges). Choose a port above 1023.",
}


def _port_from_environment() -> int:
    raw = os.environ.get("PORT", "").strip()
    if not raw:
        return DEFAULT_PORT
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ValueError(f"PORT must be a TCP port number (1-65535), got {raw!r}")
    return int(raw)


def start_server(
    agent_application: Agent,
    auth_configuration: AgentAuthConfiguration | None = None,
    *,
    host: str = "127.0.0.1",
    port: int | None = None,
    adapter: AgentHttpAdapter | None = None,
    configure_app: Callable[[web.Application], None] | None = None,
    shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT,
    reload: bool | None = None,
    debug: bool = False,
) -> None:
    """Serve ``agent_application`` until interrupted (blocks).

    A malformed HTTP request (which aiohttp answers with 400) is logged as one INFO line,
    not as aiohttp's ERROR with a traceback.

    SIGINT and SIGTERM stop the server gracefully: it stops accepting connections,
    waits up to ``shutdown_timeout`` seconds for requests in flight and background turns,
    then closes the adapter's HTTP session. A request still running after that (a turn
    waiting on a channel that does not answer) is cancelled, and aiohttp waits up to
    ``shutdown_timeout`` once more for it to end before it cancels it outright; such a
    turn then has up to 3 s (``SETTLE_TIMEOUT``) to close its stream on the channel
    before the session closes. The longest shutdown is about twice ``shutdown_timeout``
    plus those 3 s, which the platform's grace period (Kubernetes' is 30 s by default)
    should allow for.

    For development, ``reload=True`` (or ``MICROSOFT_AGENTS_RELOAD=1`` in the
    environment) restarts the agent whenever a Python file under the program's folder
    changes (see ``_reload``), and ``debug=True`` turns on asyncio's debug mode and DEBUG
    logs of the ``microsoft_agents`` loggers.

    Args:
        agent_application: the agent (an ``AgentApplication`` or any ``Agent``).
        auth_configuration: the configuration tokens are validated against; None for
            development mode (see the module docs).
        host: the interface to listen on; ``0.0.0.0`` exposes the agent to the network.
        port: the port; default ``$PORT``, else 3978.
        adapter: the adapter; default ``agent_application.adapter``.
        configure_app: called with the application before it runs (add routes, ...).
        shutdown_timeout: seconds granted to requests in flight and background turns at
            shutdown (with reload on, also to each restart).
        reload: restart on code change; None reads ``MICROSOFT_AGENTS_RELOAD``.
        debug: asyncio debug mode and DEBUG logging of the SDK.

    Raises:
        TypeError: no agent or no adapter.
        SystemExit: the server cannot start: ``PORT`` is not a port number, or the
            address cannot be listened on (the port is taken, the host is not this
            machine's, ...). The message says which, and what to change; no traceback.
    """
    try:
        chosen_port = port if port is not None else _port_from_environment()
    except ValueError as error:
        raise SystemExit(f"The agent cannot start: {error}.") from None
    if (reload_requested() if reload is None else reload) and not is_reload_child():
        # This process only supervises; a child started with the same command serves.
        # The child gets its graceful shutdown before it is killed.
        raise SystemExit(run_with_reload(stop_timeout=2 * shutdown_timeout + _STOP_MARGIN))
    app = create_app(
        agent_application,
        adapter=adapter,
        auth_configuration=auth_configuration,
        shutdown_timeout=shutdown_timeout,
    )
    if configure_app is not None:
        configure_app(app)
    loop = None
    if debug:
        logging.getLogger("microsoft_agents").setLevel(logging.DEBUG)
        loop = asyncio.new_event_loop()
        loop.set_debug(True)
    url = f"http://{host}:{chosen_port}/api/messages"
    _quiet_malformed_requests()

    def ready(_: str) -> None:
        # aiohttp calls this once the socket listens (instead of printing its banner).
        logger.info("the agent is listening on %s", url)

    try:
        web.run_app(
            app,
            host=host,
            port=chosen_port,
            shutdown_timeout=shutdown_timeout,
            print=ready,
            loop=loop,
        )
    except OSError as error:
        advice = _LISTEN_ADVICE.get(error.errno or 0)
        if advice is None:
            raise
        raise SystemExit(f"The agent cannot listen on {host}:{chosen_port}: {advice}") from None
