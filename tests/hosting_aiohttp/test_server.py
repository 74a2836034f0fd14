"""create_app and start_server: the ready-made application and its runner."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web
from aioresponses import aioresponses

import microsoft_agents.hosting.aiohttp as package
from microsoft_agents.hosting.aiohttp import CloudAdapter, create_app, start_server
from microsoft_agents.hosting.aiohttp._app_keys import (
    ADAPTER_KEY,
    AGENT_APP_KEY,
    AGENT_CONFIGURATION_KEY,
)
from microsoft_agents.hosting.core import (
    AgentApplication,
    AgentAuthConfiguration,
    MemoryStorage,
    TurnState,
)

from .support import (
    REPLY_URL,
    build_echo_app,
    make_activity,
    post_expecting_continue,
    sent_bodies,
    serving,
)

APP_ID = "9c6f9e2a-1b7d-4c1e-8f3a-2d5b6c7e8f90"
TENANT = "3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"


@pytest.fixture(autouse=True)
def _aiohttp_server_logger_restored() -> Iterator[None]:
    """start_server installs a filter on aiohttp's server logger; no test keeps it."""
    server_logger = logging.getLogger("aiohttp.server")
    before = list(server_logger.filters)
    yield
    server_logger.filters[:] = before


def _configured() -> AgentAuthConfiguration:
    return AgentAuthConfiguration(client_id=APP_ID, tenant_id=TENANT, client_secret="x")


def test_the_public_names() -> None:
    assert package.__all__ == sorted(package.__all__)
    assert package.__all__ == [
        "AgentHttpAdapter",
        "Citation",
        "CitationUtil",
        "CloudAdapter",
        "StreamingResponse",
        "channel_service_route_table",
        "create_app",
        "jwt_authorization_decorator",
        "jwt_authorization_middleware",
        "start_agent_process",
        "start_server",
    ]
    for name in package.__all__:
        assert getattr(package, name) is not None


async def test_development_mode_echoes_end_to_end(
    make_client: Any, channel: aioresponses, caplog: pytest.LogCaptureFixture
) -> None:
    channel.post(REPLY_URL, payload={"id": "r1"})
    # The development configuration warns once per process; create_app says it at INFO.
    with caplog.at_level(logging.INFO):
        app = create_app(build_echo_app())
    assert "only suitable for local development" in caplog.text
    client = await make_client(app)
    response = await client.post("/api/messages", json=make_activity(text="ping"))
    assert response.status == 202
    [(_, body)] = sent_bodies(channel)
    assert body["text"] == "You said: ping"


async def test_health_needs_no_token_even_with_auth_configured(make_client: Any) -> None:
    client = await make_client(create_app(build_echo_app(), auth_configuration=_configured()))
    health = await client.get("/health")
    assert health.status == 200
    assert await health.json() == {"status": "ok"}
    refused = await client.post("/api/messages", json=make_activity())
    assert refused.status == 401
    assert await refused.json() == {"error": "Authorization header not found"}


async def test_a_client_expecting_100_continue_sends_its_body_after_the_go_ahead(
    make_client: Any, channel: aioresponses
) -> None:
    channel.post(REPLY_URL, payload={"id": "r1"})
    client = await make_client(create_app(build_echo_app()))
    body = json.dumps(make_activity(text="large")).encode()

    first, rest = await post_expecting_continue(
        client.port, {"Content-Type": "application/json"}, body
    )

    assert first == b"HTTP/1.1 100 Continue\r\n\r\n"
    assert rest.startswith(b"HTTP/1.1 202 ")
    [(_, sent)] = sent_bodies(channel)
    assert sent["text"] == "You said: large"


async def test_a_request_without_a_token_is_refused_before_its_body_is_sent(
    make_client: Any,
) -> None:
    client = await make_client(create_app(build_echo_app(), auth_configuration=_configured()))

    first, rest = await post_expecting_continue(
        client.port, {"Content-Type": "application/json"}, b"{}" * 100_000
    )

    # The final answer comes first: the body was never asked for.
    assert first.startswith(b"HTTP/1.1 401 ")
    assert b"Connection: close" in first
    assert json.loads(rest) == {"error": "Authorization header not found"}
    assert (await client.get("/health")).status == 200


@pytest.mark.parametrize(
    ("headers", "status", "error"),
    [
        ({"Content-Type": "application/json"}, 413, "Request body is too large"),
        ({"Content-Type": "text/plain"}, 415, "Unsupported Media Type: send application/json"),
    ],
)
async def test_a_body_the_adapter_would_refuse_is_refused_before_it_is_sent(
    make_client: Any, headers: dict[str, str], status: int, error: str
) -> None:
    adapter = CloudAdapter(max_body_bytes=1000)
    client = await make_client(create_app(build_echo_app(adapter)))

    first, rest = await post_expecting_continue(client.port, headers, b"{" * 2000)

    assert first.startswith(b"HTTP/1.1 %d " % status)
    assert json.loads(rest) == {"error": error}


async def test_an_expectation_other_than_100_continue_is_417(make_client: Any) -> None:
    client = await make_client(create_app(build_echo_app()))
    response = await client.post(
        "/api/messages", json=make_activity(), headers={"Expect": "something-else"}
    )
    assert response.status == 417
    assert await response.json() == {
        "error": "Unsupported expectation 'something-else': only 100-continue"
    }


async def test_the_app_keys_are_set_under_both_spellings() -> None:
    agent = build_echo_app()
    configuration = AgentAuthConfiguration()
    app = create_app(agent, auth_configuration=configuration)
    assert app[AGENT_CONFIGURATION_KEY] is configuration
    assert app["agent_configuration"] is configuration
    assert app[AGENT_APP_KEY] is agent
    assert app["agent_app"] is agent
    assert app[ADAPTER_KEY] is agent.adapter
    assert app["adapter"] is agent.adapter


async def test_cleanup_closes_the_adapter(make_client: Any) -> None:
    closed: list[bool] = []

    class Adapter:
        async def process(self, request: web.Request, agent: Any) -> web.Response:
            return web.Response(status=202)

        async def close(self) -> None:
            closed.append(True)

    client = await make_client(create_app(build_echo_app(), adapter=Adapter()))
    assert (await client.post("/api/messages", json=make_activity())).status == 202
    await client.close()
    assert closed == [True]


async def test_an_adapter_answering_none_gives_202(make_client: Any) -> None:
    class Adapter:
        async def process(self, request: web.Request, agent: Any) -> None:
            return None

    client = await make_client(create_app(build_echo_app(), adapter=Adapter()))
    assert (await client.post("/api/messages", json=make_activity())).status == 202


def test_create_app_needs_an_adapter() -> None:
    agent = AgentApplication[TurnState](storage=MemoryStorage())
    with pytest.raises(TypeError, match="adapter"):
        create_app(agent)
    with pytest.raises(TypeError, match="agent_application"):
        create_app(None)  # type: ignore[arg-type]


def test_start_server_runs_the_app_on_loopback_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, Any] = {}

    def fake_run_app(app: web.Application, **kwargs: Any) -> None:
        seen["app"] = app
        seen.update(kwargs)

    monkeypatch.setattr(web, "run_app", fake_run_app)
    monkeypatch.delenv("PORT", raising=False)
    configured: list[web.Application] = []
    start_server(build_echo_app(), configure_app=configured.append)
    assert seen["host"] == "127.0.0.1"
    assert seen["port"] == 3978
    # aiohttp's banner is replaced by one log line, written once the socket listens.
    assert callable(seen["print"])
    assert seen["shutdown_timeout"] > 0
    assert configured == [seen["app"]]

    monkeypatch.setenv("PORT", "4001")
    start_server(build_echo_app(), _configured())
    assert seen["port"] == 4001
    assert seen["app"]["agent_configuration"].CLIENT_ID == APP_ID

    start_server(build_echo_app(), host="localhost", port=5000)
    assert (seen["host"], seen["port"]) == ("localhost", 5000)


@pytest.mark.parametrize("value", ["abc", "0", "70000"])
def test_start_server_refuses_a_bad_port(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setattr(web, "run_app", lambda *args, **kwargs: None)
    monkeypatch.setenv("PORT", value)
    with pytest.raises(SystemExit) as stopped:
        start_server(build_echo_app())
    # The message alone, no traceback: what is wrong and how to fix it.
    assert stopped.value.code == (
        f"The agent cannot start: PORT must be a TCP port number (1-65535), got {value!r}."
    )


def test_start_server_on_a_port_already_taken_says_so_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MICROSOFT_AGENTS_RELOAD", raising=False)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SystemExit) as stopped:
            start_server(build_echo_app(), port=port)
    message = str(stopped.value.code)
    assert message.startswith(f"The agent cannot listen on 127.0.0.1:{port}: ")
    assert "already uses that port" in message
    assert "PORT" in message


def test_the_seed_quick_start_shape_builds() -> None:
    adapter = CloudAdapter()
    agent_app = AgentApplication[TurnState](storage=MemoryStorage(), adapter=adapter)

    @agent_app.activity("message")
    async def on_message(context: Any, state: TurnState) -> None:
        await context.send_activity(f"You said: {context.activity.text}")

    app = create_app(agent_app)
    assert app["adapter"] is adapter


def test_start_server_debug_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fake_run_app(app: web.Application, **kwargs: Any) -> None:
        seen.update(kwargs)

    monkeypatch.setattr(web, "run_app", fake_run_app)
    sdk_logger = logging.getLogger("microsoft_agents")
    monkeypatch.setattr(sdk_logger, "level", sdk_logger.level)  # restored after the test
    start_server(build_echo_app(), port=3999, debug=True, reload=False)
    loop = seen["loop"]
    try:
        assert loop.get_debug() is True
        assert sdk_logger.level == logging.DEBUG
        assert seen["port"] == 3999
    finally:
        loop.close()


def test_start_server_with_reload_supervises_instead_of_serving(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from microsoft_agents.hosting.aiohttp import _server

    monkeypatch.delenv("MICROSOFT_AGENTS_RELOAD_CHILD", raising=False)
    stop_timeouts: list[float] = []

    def supervise(*, stop_timeout: float) -> int:
        stop_timeouts.append(stop_timeout)
        return 0

    monkeypatch.setattr(_server, "run_with_reload", supervise)

    def must_not_serve(*args: Any, **kwargs: Any) -> None:
        pytest.fail("the supervisor must not serve")

    monkeypatch.setattr(web, "run_app", must_not_serve)
    with pytest.raises(SystemExit) as stopped:
        start_server(build_echo_app(), reload=True, shutdown_timeout=40)
    assert stopped.value.code == 0
    # A restart lets the child shut down gracefully first, whatever its timeout: aiohttp
    # may wait for a request in flight twice (before and after cancelling it).
    [stop_timeout] = stop_timeouts
    assert stop_timeout > 80


async def test_a_malformed_http_request_is_one_info_line_not_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """What start_server sets up: scanners' junk must not fill the log with ERRORs."""
    from microsoft_agents.hosting.aiohttp import _server

    server_logger = logging.getLogger("aiohttp.server")
    _server._quiet_malformed_requests()
    _server._quiet_malformed_requests()  # once is enough
    installed = [f for f in server_logger.filters if isinstance(f, _server._MalformedRequestFilter)]
    async with serving(create_app(build_echo_app())) as port:
        with caplog.at_level(logging.DEBUG, logger="aiohttp.server"):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(
                b"POST /api/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Length: not-a-number\r\n\r\n"
            )
            await writer.drain()
            answer = await asyncio.wait_for(reader.read(), timeout=10)  # until aiohttp closes
            writer.close()

    assert answer.startswith((b"HTTP/1.1 400 ", b"HTTP/1.0 400 "))
    assert len(installed) == 1
    records = [r for r in caplog.records if r.name == "aiohttp.server"]
    assert [r.levelno for r in records] == [logging.INFO]
    assert records[0].exc_info is None
    assert "refused a malformed HTTP request from 127.0.0.1" in records[0].getMessage()
