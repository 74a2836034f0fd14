"""``CloudAdapter``: the SDK's inbound endpoint, served by aiohttp.

:class:`CloudAdapter` is :class:`~microsoft_agents.hosting.core.HttpAdapterBase` with
aiohttp types at its edges. All the protocol rules (statuses, bodies, checks on the
``serviceUrl``) live in the core; this class wraps the ``web.Request`` and converts the
answer::

    adapter = CloudAdapter(connection_manager=MsalConnectionManager(**config))

    async def messages(request: web.Request) -> web.Response:
        return await adapter.process(request, agent_app)

    app = web.Application(middlewares=[jwt_authorization_middleware])
    app.router.add_post("/api/messages", messages)

Without ``connection_manager`` and ``channel_service_client_factory`` the adapter runs in
**development mode**: it holds one connection with no identity, so replies carry no
token, and the JWT middleware (given an empty ``AgentAuthConfiguration``) accepts
requests without a token. That is what ``CloudAdapter()`` in the quick start gives you;
it is meant for a local Emulator or playground, never for a deployment.

The adapter owns one HTTP client session for all replies; call :meth:`CloudAdapter.close`
at shutdown (``create_app`` registers it on the application's cleanup).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, overload

from aiohttp import web
from microsoft_agents.hosting.core import (
    Agent,
    AgentAuthConfiguration,
    AnonymousTokenProvider,
    ChannelServiceClientFactoryBase,
    ConnectionManager,
    Connections,
    HttpAdapterBase,
    OnTurnErrorHandler,
    OutboundHostValidator,
    default_on_turn_error,
)
from microsoft_agents.hosting.core._channel_service_adapter import CANCELLED_TURN_GRACE
from microsoft_agents.hosting.core.http import DEFAULT_MAX_BODY_BYTES
from microsoft_agents.hosting.core.http._deliveries import DEFAULT_DUPLICATE_WINDOW

from ._agent_http_adapter import AgentHttpAdapter
from ._request import DEFAULT_BODY_TIMEOUT, AiohttpRequest, write_streamed

__all__ = ["CloudAdapter", "start_agent_process"]

logger = logging.getLogger(__name__)

DEFAULT_CLOSE_TIMEOUT = 10.0
SETTLE_TIMEOUT = CANCELLED_TURN_GRACE
"""Seconds :meth:`CloudAdapter.close` waits for request turns cancelled at shutdown (the
grace a cancelled background turn gets too)."""


def _anonymous_provider(configuration: AgentAuthConfiguration) -> AnonymousTokenProvider:
    # Development-mode connections never reach the provider factory; this is a safe fallback.
    return AnonymousTokenProvider(configuration)


def _development_connections() -> ConnectionManager:
    # INFO: the development configuration itself warns, once per process.
    logger.info(
        "CloudAdapter() was created without connection_manager: DEVELOPMENT MODE, replies "
        "carry no token and go only to service URLs on this machine. Use this only for "
        "local development."
    )
    # An explicit development connection: the connection manager need not warn again.
    return ConnectionManager(
        _anonymous_provider,
        connections_configurations={"SERVICE_CONNECTION": AgentAuthConfiguration()},
    )


class CloudAdapter(HttpAdapterBase):
    """The aiohttp adapter of the messaging endpoint (``POST /api/messages``).

    All arguments are keyword-only.

    Args:
        connection_manager: where outbound tokens come from (``MsalConnectionManager``).
            Omitted together with ``channel_service_client_factory``: development mode.
        channel_service_client_factory: a ready factory of connector clients (takes
            precedence over ``connection_manager``).
        channel_service_client_factory_options: keyword arguments for the
            ``RestChannelServiceClientFactory`` built on ``connection_manager``
            (``session``, ``retry``, ``token_service_endpoint``, ...).
        host_validator: the outbound allow-list (by default the factory's, enabled
            whenever authentication is configured).
        max_body_bytes: the largest request body accepted (413 above it).
        on_turn_error: what to do when a turn raises (default: log it and tell the user,
            in neutral words, that something went wrong).
        duplicate_window: seconds during which an activity delivered again with the same
            id (a channel's retry) is recognised and not run twice; None runs every
            delivery.
        body_timeout: seconds a request body may take to arrive after its headers (408
            after that; None waits as long as the client takes).
    """

    def __init__(
        self,
        *,
        connection_manager: Connections | None = None,
        channel_service_client_factory: ChannelServiceClientFactoryBase | None = None,
        channel_service_client_factory_options: Mapping[str, Any] | None = None,
        host_validator: OutboundHostValidator | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        on_turn_error: OnTurnErrorHandler | None = default_on_turn_error,
        duplicate_window: float | None = DEFAULT_DUPLICATE_WINDOW,
        body_timeout: float | None = DEFAULT_BODY_TIMEOUT,
    ) -> None:
        if connection_manager is None and channel_service_client_factory is None:
            connection_manager = _development_connections()
        super().__init__(
            connection_manager=connection_manager,
            channel_service_client_factory=channel_service_client_factory,
            channel_service_client_factory_options=channel_service_client_factory_options,
            host_validator=host_validator,
            max_body_bytes=max_body_bytes,
            on_turn_error=on_turn_error,
            duplicate_window=duplicate_window,
        )
        self.body_timeout = body_timeout

    async def process(self, request: web.Request, agent: Agent) -> web.Response:
        """Answer one request to the messaging endpoint.

        Args:
            request: the aiohttp request; ``request["claims_identity"]`` is the identity
                the JWT middleware verified (absent: anonymous in development mode, 401
                when authentication is configured).
            agent: the agent that takes the turn (an ``AgentApplication``, an
                ``ActivityHandler``, ...).

        Returns:
            202 for a normal activity, the invoke response for an ``invoke``, 200
            ``{"activities": [...]}`` for ``expectReplies``, a ``text/event-stream`` of
            the replies for ``deliveryMode: stream`` (already written when this returns),
            or a 4xx/5xx with a generic JSON error body. Never raises for bad input or a
            failing turn.
        """
        wrapped = AiohttpRequest(
            request, max_body_bytes=self.max_body_bytes, body_timeout=self.body_timeout
        )
        answer = await self.process_request(wrapped, agent)
        if answer.stream is not None:
            return await write_streamed(request, answer)
        return wrapped.respond(answer)

    async def close(self, timeout: float | None = DEFAULT_CLOSE_TIMEOUT) -> None:
        """Finish the background turns, then release the replies' HTTP session.

        Call it once, at shutdown (``create_app`` does). The turns of requests still
        being handled (aiohttp cancels them at the end of its shutdown) get up to
        ``SETTLE_TIMEOUT`` more seconds to close their streams before the session goes.

        Args:
            timeout: seconds granted to background turns (long-running or streamed)
                before they are cancelled.
        """
        await self.drain(timeout)
        await self.settle_request_turns(SETTLE_TIMEOUT)
        await self.channel_service_client_factory.close()


@overload
async def start_agent_process(
    request: web.Request, agent_application: Agent, adapter: CloudAdapter
) -> web.Response: ...


@overload
async def start_agent_process(
    request: web.Request, agent_application: Agent, adapter: AgentHttpAdapter
) -> web.StreamResponse | None: ...


async def start_agent_process(
    request: web.Request, agent_application: Agent, adapter: AgentHttpAdapter
) -> web.StreamResponse | None:
    """Run ``agent_application`` on ``request`` through ``adapter``; the route handler body.

    With a :class:`CloudAdapter` the answer is a :class:`aiohttp.web.Response`, so the
    handler of the quick start type-checks as it is written::

        async def messages(request: web.Request) -> web.Response:
            return await start_agent_process(request, agent_app, adapter)

    Args:
        request: the aiohttp request to ``/api/messages``.
        agent_application: the agent (an ``AgentApplication`` or any ``Agent``).
        adapter: the adapter (usually a :class:`CloudAdapter`).

    Returns:
        What ``adapter.process`` answers.

    Raises:
        TypeError: ``adapter`` or ``agent_application`` is missing.
    """
    if not adapter:
        raise TypeError("start_agent_process: adapter is required (e.g. CloudAdapter())")
    if not agent_application:
        raise TypeError("start_agent_process: agent_application is required")
    return await adapter.process(request, agent_application)
