"""CloudAdapter and start_agent_process through a real aiohttp server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import warnings
from typing import Any
from urllib.parse import unquote

import pytest
from aiohttp import web
from aioresponses import aioresponses

from microsoft_agents.hosting.aiohttp import (
    AgentHttpAdapter,
    CloudAdapter,
    create_app,
    jwt_authorization_middleware,
    start_agent_process,
)
from microsoft_agents.hosting.core import AgentAuthConfiguration, ClaimsIdentity, HttpAdapterBase
from microsoft_agents.hosting.core.http._body import UNREADABLE_BODY

from .support import REPLY_URL, build_echo_app, make_activity, sent_bodies, serving

JSON = {"Content-Type": "application/json"}


async def _echo_client(make_client: Any, channel: aioresponses, **adapter_options: Any) -> Any:
    channel.post(REPLY_URL, payload={"id": "reply-1"}, repeat=True)
    agent = build_echo_app(CloudAdapter(**adapter_options))
    return await make_client(create_app(agent))


def test_cloud_adapter_is_an_http_adapter_base_and_keyword_only() -> None:
    adapter = CloudAdapter()
    assert isinstance(adapter, HttpAdapterBase)
    assert isinstance(adapter, AgentHttpAdapter)
    with pytest.raises(TypeError):
        CloudAdapter(None)  # type: ignore[misc]


def test_cloud_adapter_without_connections_runs_in_development_mode() -> None:
    adapter = CloudAdapter()
    assert adapter.channel_service_client_factory.auth_configured is False


async def test_a_message_is_accepted_and_the_reply_reaches_the_channel(
    make_client: Any, channel: aioresponses
) -> None:
    client = await _echo_client(make_client, channel)
    response = await client.post("/api/messages", json=make_activity())
    assert response.status == 202
    assert await response.read() == b""
    assert "Content-Type" not in response.headers
    [(url, body)] = sent_bodies(channel)
    assert unquote(url) == ("http://localhost:8/amer/v3/conversations/a:1xyz/activities/1712345")
    assert body["type"] == "message"
    assert body["text"] == "You said: hi"
    assert body["replyToId"] == "1712345"
    assert body["conversation"]["id"] == "a:1xyz"
    assert body["from"]["id"] == "28:agent"
    assert body["recipient"]["id"] == "29:user"


async def test_expect_replies_returns_the_activities_in_the_body(
    make_client: Any, channel: aioresponses
) -> None:
    client = await _echo_client(make_client, channel)
    response = await client.post("/api/messages", json=make_activity(deliveryMode="expectReplies"))
    assert response.status == 200
    payload = await response.json()
    assert [activity["text"] for activity in payload["activities"]] == ["You said: hi"]
    assert sent_bodies(channel) == []


async def test_an_invoke_answers_with_its_invoke_response(
    make_client: Any, channel: aioresponses
) -> None:
    client = await _echo_client(make_client, channel)
    response = await client.post("/api/messages", json=make_activity(type="invoke", name="x"))
    assert response.status == 200
    assert response.content_type == "application/json"
    assert await response.json() == {"ok": True}


@pytest.mark.parametrize(
    ("data", "status", "error"),
    [
        (b"{not json", 400, "Invalid JSON or unsupported Content-Type"),
        (b"", 400, "Invalid JSON or unsupported Content-Type"),
        (b'{"conversation": {"id": "c"}}', 400, "Activity must have type and conversation.id"),
        (b'{"type": "message"}', 400, "Activity must have type and conversation.id"),
    ],
)
async def test_bad_input_is_a_4xx_with_a_generic_body(
    make_client: Any, channel: aioresponses, data: bytes, status: int, error: str
) -> None:
    client = await _echo_client(make_client, channel)
    response = await client.post(
        "/api/messages", data=data, headers={"Content-Type": "application/json"}
    )
    assert response.status == status
    assert await response.json() == {"error": error}


async def test_an_oversized_body_is_413(make_client: Any, channel: aioresponses) -> None:
    client = await _echo_client(make_client, channel, max_body_bytes=1024)
    big = make_activity(text="x" * 4096)
    response = await client.post("/api/messages", json=big)
    assert response.status == 413
    assert "error" in await response.json()


async def test_an_oversized_chunked_body_is_413(make_client: Any) -> None:
    # Without aioresponses (the `channel` fixture): it joins a streamed body into bytes
    # before passing a request through, which would then arrive with a Content-Length and
    # be refused on that header instead of by the adapter's bounded read.
    client = await make_client(create_app(build_echo_app(CloudAdapter(max_body_bytes=1024))))

    async def chunks() -> Any:
        for _ in range(8):
            yield b"x" * 512

    response = await client.post("/api/messages", data=chunks(), headers=JSON)
    assert response.request_info.headers.get("Transfer-Encoding") == "chunked"
    assert response.status == 413


@pytest.mark.parametrize("own_application", [False, True], ids=["create_app", "web.Application"])
async def test_a_body_above_aiohttps_default_cap_but_within_the_limit_is_accepted(
    make_client: Any, channel: aioresponses, own_application: bool
) -> None:
    # aiohttp's own client_max_size (1 MiB unless set) must not undercut the adapter's
    # limit (4 MiB by default), neither in create_app nor in an application built by hand.
    channel.post(REPLY_URL, payload={"id": "reply-1"}, repeat=True)
    adapter = CloudAdapter()
    agent = build_echo_app(adapter)
    if own_application:
        app = web.Application(middlewares=[jwt_authorization_middleware])
        with warnings.catch_warnings():  # the reference API's string key
            warnings.simplefilter("ignore", web.NotAppKeyWarning)
            app["agent_configuration"] = AgentAuthConfiguration()  # development mode

        async def messages(request: web.Request) -> web.StreamResponse:
            return await adapter.process(request, agent)

        app.router.add_post("/api/messages", messages)
    else:
        app = create_app(agent)
    client = await make_client(app)
    text = "x" * (2 * 1024 * 1024)

    body = io.BytesIO(json.dumps(make_activity(text=text)).encode())  # sent with its length

    response = await client.post("/api/messages", data=body, headers=JSON)

    assert response.status == 202
    [(_, body)] = sent_bodies(channel)
    assert body["text"] == f"You said: {text}"


async def test_a_body_a_middleware_already_read_is_still_processed(
    make_client: Any, channel: aioresponses
) -> None:
    channel.post(REPLY_URL, payload={"id": "reply-1"}, repeat=True)
    adapter = CloudAdapter()
    agent = build_echo_app(adapter)

    @web.middleware
    async def reads_first(request: web.Request, handler: Any) -> web.StreamResponse:
        await request.read()  # aiohttp keeps the body; the stream is then at its end
        return await handler(request)

    async def messages(request: web.Request) -> web.StreamResponse:
        return await adapter.process(request, agent)

    app = web.Application(middlewares=[reads_first])
    app.router.add_post("/api/messages", messages)
    client = await make_client(app)

    response = await client.post("/api/messages", json=make_activity(text="read twice"))

    assert response.status == 202
    [(_, body)] = sent_bodies(channel)
    assert body["text"] == "You said: read twice"


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
async def test_a_body_that_cannot_be_decoded_is_400_and_nothing_is_logged_as_an_error(
    make_client: Any, channel: aioresponses, caplog: pytest.LogCaptureFixture, encoding: str
) -> None:
    client = await _echo_client(make_client, channel)
    corrupt = {**JSON, "Content-Encoding": encoding}

    with caplog.at_level(logging.INFO):
        response = await client.post("/api/messages", data=b'{"type": "message"}', headers=corrupt)
        assert response.status == 400
        assert await response.json() == {"error": UNREADABLE_BODY}
        assert response.headers["Connection"].lower() == "close"
        # The server goes on answering (on a new connection).
        assert (await client.post("/api/messages", json=make_activity())).status == 202

    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert any("could not be read" in r.getMessage() for r in caplog.records)


async def _raw_exchange(client: Any, *parts: bytes) -> bytes:
    """Send ``parts`` over one new connection to the test server; all it answers."""
    reader, writer = await asyncio.open_connection("127.0.0.1", client.port)
    try:
        for part in parts:
            writer.write(part)
            await writer.drain()
        # Bounded: without a body timeout the server would wait for the rest forever.
        return await asyncio.wait_for(reader.read(), timeout=30)
    finally:
        writer.close()


async def test_a_body_that_stops_arriving_is_408_and_the_connection_closed(
    make_client: Any, channel: aioresponses, caplog: pytest.LogCaptureFixture
) -> None:
    client = await _echo_client(make_client, channel, body_timeout=0.2)
    head = (
        b"POST /api/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 500\r\n\r\n"
    )

    with caplog.at_level(logging.INFO):
        answer = await _raw_exchange(client, head + b'{"type": "mess')  # and nothing more

    status, _, rest = answer.partition(b"\r\n")
    headers, _, body = rest.partition(b"\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 408 ")
    assert b"Connection: close" in headers
    assert json.loads(body) == {"error": "The request body did not arrive in time"}
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert (await client.post("/api/messages", json=make_activity())).status == 202


async def test_a_client_hanging_up_mid_body_is_not_logged_as_a_crash(
    channel: aioresponses, caplog: pytest.LogCaptureFixture
) -> None:
    """On a server as start_server runs it (aiohttp's test server cancels the handler)."""
    channel.post(REPLY_URL, payload={"id": "reply-1"}, repeat=True)
    head = (
        b"POST /api/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 500\r\n\r\n"
    )
    answered = asyncio.Event()

    class Watcher(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.name == "aiohttp.access" or record.levelno >= logging.ERROR:
                answered.set()  # the request is over, one way or the other

    watcher = Watcher(level=logging.INFO)
    logging.getLogger().addHandler(watcher)
    try:
        async with serving(create_app(build_echo_app(CloudAdapter()))) as port:
            with caplog.at_level(logging.INFO):
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(head + b'{"type": "mess')
                await writer.drain()
                writer.close()  # and the rest never comes
                await writer.wait_closed()
                await asyncio.wait_for(answered.wait(), timeout=10)
    finally:
        logging.getLogger().removeHandler(watcher)

    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert any("closed the connection" in r.getMessage() for r in caplog.records)


async def test_a_body_that_arrives_in_parts_within_the_timeout_is_processed(
    make_client: Any, channel: aioresponses
) -> None:
    client = await _echo_client(make_client, channel, body_timeout=10)
    body = json.dumps(make_activity(text="in parts")).encode()
    head = (
        b"POST /api/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
    )

    answer = await _raw_exchange(client, head + body[:10], body[10:])

    assert answer.startswith(b"HTTP/1.1 202 ")
    [(_, sent)] = sent_bodies(channel)
    assert sent["text"] == "You said: in parts"


async def test_a_non_json_content_type_is_415_and_a_missing_one_is_accepted(
    make_client: Any, channel: aioresponses
) -> None:
    client = await _echo_client(make_client, channel)
    body = json.dumps(make_activity()).encode()

    refused = await client.post("/api/messages", data=body, headers={"Content-Type": "text/plain"})
    accepted = await client.post(
        "/api/messages", data=body, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    # text/json is one of the Connector API's own request types.
    text_json = await client.post(
        "/api/messages",
        data=json.dumps(make_activity(id="m2")).encode(),
        headers={"Content-Type": "text/json"},
    )

    assert refused.status == 415
    assert "Traceback" not in await refused.text()
    assert accepted.status == 202
    assert text_json.status == 202


async def test_get_on_the_messaging_endpoint_is_405(
    make_client: Any, channel: aioresponses
) -> None:
    client = await _echo_client(make_client, channel)
    response = await client.get("/api/messages")
    assert response.status == 405


async def test_the_server_keeps_answering_after_bad_input(
    make_client: Any, channel: aioresponses
) -> None:
    client = await _echo_client(make_client, channel)
    for data in (b"{", b"[]", b'{"type": 1, "conversation": {"id": "c"}}', b"\xff\xfe"):
        bad = await client.post("/api/messages", data=data, headers=JSON)
        assert bad.status == 400
        assert "Traceback" not in await bad.text()
    good = await client.post("/api/messages", json=make_activity())
    assert good.status == 202


async def test_a_failing_turn_is_still_202_and_leaks_nothing(
    make_client: Any, channel: aioresponses
) -> None:
    channel.post(REPLY_URL, payload={"id": "r"}, repeat=True)
    agent = build_echo_app()

    @agent.activity("event")
    async def explode(context: Any, state: Any) -> None:
        raise RuntimeError("secret internals")

    client = await make_client(create_app(agent))
    response = await client.post("/api/messages", json=make_activity(type="event", name="boom"))
    assert response.status == 202
    for _, body in sent_bodies(channel):
        assert "secret internals" not in str(body)


async def test_process_without_middleware_uses_an_anonymous_identity_in_development(
    make_client: Any, channel: aioresponses
) -> None:
    channel.post(REPLY_URL, payload={"id": "r"})
    adapter = CloudAdapter()
    agent = build_echo_app(adapter)
    app = web.Application()

    async def messages(request: web.Request) -> web.StreamResponse:
        response = await start_agent_process(request, agent, adapter)
        assert response is not None
        return response

    app.router.add_post("/api/messages", messages)
    app.on_cleanup.append(lambda _: adapter.close())
    client = await make_client(app)
    response = await client.post("/api/messages", json=make_activity())
    assert response.status == 202


async def test_process_with_auth_configured_and_no_identity_is_401(
    make_client: Any, channel: aioresponses
) -> None:
    class Connections:
        def get_default_connection_configuration(self) -> AgentAuthConfiguration:
            return AgentAuthConfiguration(
                client_id="9c6f9e2a-1b7d-4c1e-8f3a-2d5b6c7e8f90",
                tenant_id="3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
                client_secret="not-a-real-secret",
            )

    adapter = CloudAdapter(connection_manager=Connections())  # type: ignore[arg-type]
    agent = build_echo_app(adapter)
    app = web.Application()

    async def messages(request: web.Request) -> web.StreamResponse:
        return await adapter.process(request, agent)

    app.router.add_post("/api/messages", messages)
    app.on_cleanup.append(lambda _: adapter.close())
    client = await make_client(app)
    response = await client.post("/api/messages", json=make_activity())
    assert response.status == 401
    assert await response.json() == {"error": "Unauthorized"}
    assert sent_bodies(channel) == []


async def test_start_agent_process_names_what_is_missing() -> None:
    agent = build_echo_app()
    with pytest.raises(TypeError, match="adapter"):
        await start_agent_process(None, agent, None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="agent_application"):
        await start_agent_process(None, None, CloudAdapter())  # type: ignore[arg-type]


async def test_close_releases_the_reply_session(make_client: Any, channel: aioresponses) -> None:
    client = await _echo_client(make_client, channel)
    assert (await client.post("/api/messages", json=make_activity())).status == 202
    adapter = client.app["adapter"]
    await adapter.close()
    await adapter.close()


def test_the_claims_key_is_the_one_the_middleware_sets() -> None:
    from microsoft_agents.hosting.aiohttp._request import CLAIMS_IDENTITY_KEY

    assert CLAIMS_IDENTITY_KEY == "claims_identity"
    assert isinstance(ClaimsIdentity(), ClaimsIdentity)
