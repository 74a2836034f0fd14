"""The hosting layer end to end: real servers on 127.0.0.1, a fake channel, the samples.

What a channel sees of an agent served by ``create_app``: streamed answers (and a stream
the channel refuses), long-running turns, repeated deliveries, bad input, ``deliveryMode:
stream``, the authenticated mode (tokens validated against the Bot Framework's keys and
replies carrying a token from Entra ID, both served locally under their real host names),
and two agents talking to each other.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from microsoft_agents.hosting.aiohttp import CloudAdapter, create_app
from microsoft_agents.hosting.core import (
    AgentApplication,
    MemoryStorage,
    TurnContext,
    TurnState,
)

from .local_identity import (
    BOT_FRAMEWORK_LOGIN_HOST,
    CLIENT_ID,
    CLIENT_SECRET,
    TENANT,
    BotFrameworkIssuer,
    FakeEntra,
    LocalEntraTransport,
    LocalResolver,
    LocalTls,
    ThreadedServer,
    serve_tls,
    validating_app,
)
from .support import (
    AGENT,
    CONVERSATION_ID,
    REPLY_TO_ACTIVITY,
    TIMEOUT,
    USER,
    FakeChannel,
    Received,
    Servers,
    conversation,
    load_sample,
    running,
    serve,
)

CHANNEL_HOST = "smba.trafficmanager.net"
JSON = "application/json"


def stream_info(received: Received) -> dict[str, Any]:
    [info] = [e for e in received.body.get("entities", []) if e["type"] == "streaminfo"]
    return info


def has_stream_info(received: Received) -> bool:
    return any(e["type"] == "streaminfo" for e in received.body.get("entities", []))


async def until_final(channel: FakeChannel) -> list[Received]:
    """What the channel receives up to and including the first ``message``."""
    seen = []
    while True:
        received = await channel.next_request()
        seen.append(received)
        if received.body["type"] == "message":
            return seen


# ---------------------------------------------------------------------- streaming


@pytest.fixture
def streaming_sample(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("CHUNK_DELAY", "0.2")
    return load_sample("streaming", monkeypatch)


async def test_a_streamed_answer_arrives_in_order_then_one_final_message(
    streaming_sample: Any,
) -> None:
    async with running(streaming_sample.AGENT_APP) as servers:
        status, _ = await servers.post(servers.activity(id="s1", text="tell me"))
        assert status == 202
        sent = await until_final(servers.channel)

    *updates, final = sent
    assert all(u.body["type"] == "typing" for u in updates)
    assert all(r.route == REPLY_TO_ACTIVITY and r.match_info["activityId"] == "s1" for r in sent)
    informative, *chunks = updates
    assert informative.body["text"] == streaming_sample.INFORMATIVE
    assert stream_info(informative) == {
        "type": "streaminfo",
        "streamType": "informative",
        "streamSequence": 1,
    }
    assert chunks, "the text should have been streamed in at least one update"
    texts = [c.body["text"] for c in chunks]
    full = "".join(streaming_sample.CHUNKS).replace("[doc1]", "[1]").replace("[doc2]", "[2]")
    assert all(full.startswith(text) for text in texts)  # each carries the whole text so far
    assert texts == sorted(texts, key=len)
    sequences = [stream_info(r)["streamSequence"] for r in sent]
    assert sequences == list(range(1, len(sent) + 1))
    stream_id = "channel-activity-1"  # the id the channel gave the first update
    assert all(stream_info(r)["streamId"] == stream_id for r in sent[1:])

    assert final.body["text"] == full
    info = stream_info(final)
    assert info["streamType"] == "final"
    assert info["feedbackLoopEnabled"] is True
    [ai] = [e for e in final.body["entities"] if e["type"] == "https://schema.org/Message"]
    assert [c["appearance"]["name"] for c in ai["citation"]] == [
        c.title for c in streaming_sample.CITATIONS
    ]
    assert ai["additionalType"] == ["AIGeneratedContent"]
    assert ai["usageInfo"]["name"] == "Internal"


async def test_a_stream_the_channel_refuses_ends_as_one_normal_message(
    streaming_sample: Any,
) -> None:
    async with running(streaming_sample.AGENT_APP) as servers:
        # Teams refuses the stream from its first activity (the status line); the text
        # chunks come later, 0.2 s apart, so a stream that went on would try them too.
        servers.channel.fail_when(
            lambda r: r.body["type"] == "typing" and stream_info(r) is not None,
            status=403,
            code="ContentStreamNotAllowed",
            message="Content stream is not allowed",
        )
        status, _ = await servers.post(servers.activity(id="s2", text="tell me"))
        assert status == 202
        sent = await until_final(servers.channel)

    refused = [r for r in sent if r.status == 403]
    assert len(refused) == 1  # after the refusal, no more updates were tried
    final = sent[-1]
    assert final.status == 200
    assert final.body["type"] == "message"
    full = "".join(streaming_sample.CHUNKS).replace("[doc1]", "[1]").replace("[doc2]", "[2]")
    assert final.body["text"] == full
    assert not has_stream_info(final)
    assert final.body["channelData"] == {"feedbackLoopEnabled": True}


async def test_stream_delivery_mode_sends_the_replies_as_events(streaming_sample: Any) -> None:
    async with running(streaming_sample.AGENT_APP) as servers:
        activity = servers.activity(id="s3", channelId="webchat", deliveryMode="stream")
        del activity["serviceUrl"]
        async with servers.session.post(servers.messages_url, json=activity) as response:
            assert response.status == 200
            assert response.content_type == "text/event-stream"
            raw = await response.text()
        assert servers.channel.requests == []
    events = [block for block in raw.split("\r\n\r\n") if block]
    assert all(block.startswith("event: activity\r\ndata: ") for block in events)
    activities = [json.loads(block.split("data: ", 1)[1]) for block in events]
    assert activities[0]["type"] == "typing"
    assert activities[-1]["type"] == "message"
    assert activities[-1]["text"].endswith("[1] and [2]")


# ---------------------------------------------------------------------- long-running turns


async def test_a_long_running_turn_answers_at_once_and_replies_later() -> None:
    adapter = CloudAdapter()
    app = AgentApplication[TurnState](
        storage=MemoryStorage(), adapter=adapter, long_running_messages=True
    )
    release = asyncio.Event()

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        await release.wait()  # the work takes longer than the channel waits
        await context.send_activity(f"Report ready: {context.activity.text}")

    async with running(app) as servers:
        status, body = await servers.post(servers.activity(id="l1", text="Q3 numbers"))
        assert (status, body) == (202, "")
        assert servers.channel.requests == []  # answered before the handler finished
        release.set()
        reply = await servers.channel.next_message()
    assert reply.body["text"] == "Report ready: Q3 numbers"
    assert reply.match_info["activityId"] == "l1"


async def test_a_stream_still_open_at_shutdown_is_closed_as_cancelled() -> None:
    """aiohttp cancels a handler that outlives its shutdown and does not wait for it; the
    cancelled turn must still find the reply session open to close its stream."""
    app = AgentApplication[TurnState](
        storage=MemoryStorage(), adapter=CloudAdapter(), start_typing_timer=False
    )
    streaming = asyncio.Event()

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        stream = context.streaming_response
        stream.queue_text_chunk("The first part ")
        await stream.wait_for_queue()
        streaming.set()
        await asyncio.Event().wait()  # a model that never finishes

    channel = FakeChannel()
    channel_server = await serve(channel.application())
    runner = web.AppRunner(create_app(app, shutdown_timeout=0.05), shutdown_timeout=0.05)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/api/messages"
    activity = {
        "type": "message",
        "id": "s1",
        "channelId": "msteams",
        "serviceUrl": f"{channel_server.url}/",
        "from": dict(USER),
        "recipient": dict(AGENT),
        "conversation": conversation(CONVERSATION_ID),
        "text": "summarise the thread",
    }
    try:
        async with aiohttp.ClientSession() as session:
            request = asyncio.ensure_future(session.post(url, json=activity))
            await asyncio.wait_for(streaming.wait(), TIMEOUT)
            await runner.cleanup()
            request.cancel()
            await asyncio.gather(request, return_exceptions=True)
    finally:
        await channel_server.close()
    update, final = channel.requests
    assert stream_info(update)["streamType"] == "streaming"
    assert final.body["type"] == "message"
    assert final.body["text"] == "The first part "
    info = stream_info(final)
    assert (info["streamType"], info["streamResult"]) == ("final", "cancelled")
    assert info["streamId"] == "channel-activity-1"  # the stream the channel shows


# ---------------------------------------------------------------------- repeated deliveries


async def test_a_repeated_delivery_runs_the_handler_once() -> None:
    app = AgentApplication[TurnState](storage=MemoryStorage(), adapter=CloudAdapter())
    runs: list[str] = []

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        runs.append(context.activity.id or "")
        await context.send_activity("done once")

    async with running(app) as servers:
        activity = servers.activity(id="dup-1", text="pay the invoice")
        first = await servers.post(activity)
        await servers.channel.next_message()
        again = await servers.post(activity)  # the channel retries
        other = await servers.say("and this one", id="dup-2")
    assert first[0] == again[0] == 202
    assert runs == ["dup-1", "dup-2"]
    assert other.body["text"] == "done once"
    assert len(servers.channel.requests) == 2


# ---------------------------------------------------------------------- bad input


async def test_bad_input_gets_its_status_and_the_server_stays_up(monkeypatch: Any) -> None:
    quickstart = load_sample("quickstart", monkeypatch)
    async with running(quickstart.AGENT_APP, quickstart.ADAPTER) as servers:
        session, url = servers.session, servers.messages_url
        cases = [
            ({"data": b'{"type": "message",', "headers": {"Content-Type": JSON}}, 400),
            ({"json": {"text": "no type", "conversation": {"id": "c"}}}, 400),
            ({"data": b"type=message", "headers": {"Content-Type": "text/plain"}}, 415),
            (
                {
                    "data": io.BytesIO(b"{" + b" " * (5 * 1024 * 1024) + b"}"),
                    "headers": {"Content-Type": "application/json"},
                },
                413,
            ),
        ]
        for request, status in cases:
            async with session.post(url, **request) as response:
                assert response.status == status, request.get("headers")
                body = await response.text()
                assert "Traceback" not in body
                assert json.loads(body)["error"]
        reply = await servers.say("still here")
    assert reply.body["text"] == "You said: still here"


# ---------------------------------------------------------------------- authenticated mode


@asynccontextmanager
async def authenticated_auth_sample(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Any]:
    """The auth sample, with Entra ID, the Bot Framework keys and the channel all local.

    The sample is used as written; two seams, set on the objects it built, send its traffic
    to 127.0.0.1: MSAL's ``http_client`` (what ``MsalAuth(http_client=...)`` takes) and the
    HTTP session of the adapter's client factory and of the JWT validator, which resolves
    the real host names to local TLS servers.
    """
    env = {
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": CLIENT_ID,
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET": CLIENT_SECRET,
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID": TENANT,
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    sample = load_sample("auth", monkeypatch)
    issuer = BotFrameworkIssuer(endorsements=["msteams"])
    channel = FakeChannel()
    entra = FakeEntra()
    tls = LocalTls([BOT_FRAMEWORK_LOGIN_HOST, CHANNEL_HOST])
    keys_runner, keys_port = await serve_tls(issuer.application(), tls)
    channel_runner, channel_port = await serve_tls(channel.application(), tls)
    resolver = LocalResolver({BOT_FRAMEWORK_LOGIN_HOST: keys_port, CHANNEL_HOST: channel_port})
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(resolver=resolver, ssl=tls.client_context)
    )
    with ThreadedServer(entra.application()) as entra_server:
        provider = sample.CONNECTION_MANAGER.get_default_connection()
        provider._http_client = LocalEntraTransport(entra_server.port)
        factory = sample.ADAPTER.channel_service_client_factory
        factory._session, factory._owns_session = session, False
        configuration = sample.CONNECTION_MANAGER.get_default_connection_configuration()
        agent = await serve(validating_app(sample.AGENT_APP, configuration, session))
        try:
            yield sample, agent, issuer, channel, entra
        finally:
            await agent.close()
            await session.close()
            await channel_runner.cleanup()
            await keys_runner.cleanup()


async def test_authenticated_replies_carry_a_token_from_entra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    service_url = f"https://{CHANNEL_HOST}/"
    async with authenticated_auth_sample(monkeypatch) as (_, agent, issuer, channel, entra):
        activity = teams_message("t1", "secure hello", service_url)
        url = f"{agent.url}/api/messages"
        async with aiohttp.ClientSession() as client:
            async with client.post(url, json=activity) as response:
                assert response.status == 401
                assert await response.json() == {"error": "Authorization header not found"}
            forged = issuer.token("someone-else", service_url)
            async with client.post(
                url, json=activity, headers={"Authorization": f"Bearer {forged}"}
            ) as response:
                assert response.status == 401
            token = issuer.token(CLIENT_ID, service_url)
            async with client.post(
                url, json=activity, headers={"Authorization": f"Bearer {token}"}
            ) as response:
                assert response.status == 202
            reply = await channel.next_message()
            assert reply.body["text"] == "You said: secure hello"
            assert reply.path == f"/v3/conversations/{CONVERSATION_ID}/activities/t1"
            assert reply.body["recipient"]["id"] == activity["from"]["id"]
            assert reply.headers["Authorization"] == "Bearer local-access-token-1"
            assert entra.token_forms[0]["scope"] == "https://api.botframework.com/.default"

            # A token for another serviceUrl cannot make the agent post to this one.
            other = issuer.token(CLIENT_ID, "https://other.trafficmanager.net/")
            async with client.post(
                url, json=dict(activity, id="t2"), headers={"Authorization": f"Bearer {other}"}
            ) as response:
                assert response.status == 401
            # A key that endorses Teams only cannot bring another channel's activity.
            async with client.post(
                url,
                json=dict(activity, id="t3", channelId="slack"),
                headers={"Authorization": f"Bearer {token}"},
            ) as response:
                assert response.status == 401
                assert await response.json() == {"error": "Unauthorized"}
        assert channel.unread == 0


def teams_message(activity_id: str, text: str, service_url: str) -> dict[str, Any]:
    return {
        "type": "message",
        "id": activity_id,
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": dict(USER),
        "recipient": dict(AGENT),
        "conversation": conversation(CONVERSATION_ID),
        "text": text,
    }


# ---------------------------------------------------------------------- agent to agent


async def test_the_root_agent_patches_the_user_through_to_the_skill(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = load_sample("agent_to_agent", monkeypatch, file="root.py")
    skill = load_sample("agent_to_agent", monkeypatch, file="skill.py")
    skill_server = await serve(create_app(skill.AGENT_APP))
    try:
        root_app = create_app(root.AGENT_APP)
        root.add_callback_routes(root_app)
        channel = FakeChannel()
        channel_server = await serve(channel.application())
        root_server = await serve(root_app)
        monkeypatch.setattr(root, "SKILL_ENDPOINT", f"{skill_server.url}/api/messages")
        monkeypatch.setattr(root, "HOST_ENDPOINT", f"{root_server.url}/api/botresponse/")
        servers = Servers(
            root_server.url,
            channel_server.url,
            channel,
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT)),
            root_server,
            channel_server,
        )
        try:
            assert (await servers.say("hello")).body["text"] == root.PROMPT
            await servers.post(servers.activity(text="agent, please"))
            first, echo, hint = await channel.next_messages(3)
            assert first.body["text"] == root.CONNECTING
            assert echo.body["text"] == "Echo(Agent2): agent, please"
            assert hint.body["text"].startswith('Say "end"')
            # Relayed into the user's own conversation, from the root agent.
            assert echo.match_info["conversationId"] == CONVERSATION_ID
            assert echo.body["from"]["id"] == AGENT["id"]

            await servers.post(servers.activity(text="end"))
            ending, received, back = await channel.next_messages(3)
            assert ending.body["text"] == "(Agent2) Ending conversation from Agent2"
            expected = "Received endOfConversation. Code: completedSuccessfully."
            assert received.body["text"] == expected
            assert back.body["text"] == root.BACK
            assert (await servers.say("hello again")).body["text"] == root.PROMPT
        finally:
            await servers.session.close()
            await root_server.close()
            await channel_server.close()
            await root.CHANNELS.close()
    finally:
        await skill_server.close()
