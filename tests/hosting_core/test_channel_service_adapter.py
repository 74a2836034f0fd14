"""ChannelServiceAdapter: turns for channels, replies over the Bot Connector (aioresponses).

Protocol §3 (delivery modes), §5 (addressing), §6 (connector calls), §9 (invoke answers),
§14.1 (token audiences) and §18 rows 3, 5 and 6.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from aioresponses import aioresponses
from aioresponses.core import RequestCall
from yarl import URL

from microsoft_agents.activity import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
    InvokeResponse,
)
from microsoft_agents.hosting.core import (
    AdapterError,
    AuthConfigurationError,
    ChannelServiceAdapter,
    ClaimsIdentity,
    ConnectorClientBase,
    HeaderPropagationContext,
    RestChannelServiceClientFactory,
    TurnContext,
    UserTokenClientBase,
)
from microsoft_agents.hosting.core import _channel_service_adapter as adapter_module

from .channel_fakes import (
    APP_ID,
    SERVICE_URL,
    TOKEN,
    FakeConnections,
    channel_claims,
    incoming,
    make_factory,
)

BASE = SERVICE_URL + "v3/conversations/conv1/activities"


def exact(url: str) -> URL:
    return URL(url, encoded=True)


def calls(m: aioresponses) -> list[tuple[str, URL, RequestCall]]:
    return [(method, url, call) for (method, url), made in m.requests.items() for call in made]


def body_of(call: RequestCall) -> Any:
    data = call.kwargs.get("data")
    return None if data is None else json.loads(data)


@pytest.fixture
def mocked() -> Iterator[aioresponses]:
    with aioresponses() as m:
        yield m


def activity(**overrides: Any) -> Activity:
    overrides.setdefault("conversation", {"id": "conv1"})
    return Activity.model_validate(incoming(**overrides))


# ---------------------------------------------------------------------------- sending


async def test_a_reply_goes_to_reply_to_activity_with_the_bearer_token(
    adapter: ChannelServiceAdapter, connections: FakeConnections, mocked: aioresponses
) -> None:
    mocked.post(exact(BASE + "/m1"), payload={"id": "r1"})

    async def agent(context: TurnContext) -> None:
        receipt = await context.send_activity("hello")
        assert receipt is not None
        assert receipt.id == "r1"

    result = await adapter.process_activity(channel_claims(), activity(), agent)

    assert result is None
    ((method, url, call),) = calls(mocked)
    assert (method, str(url)) == ("POST", BASE + "/m1")  # the serviceUrl's /amer/ is kept
    assert call.kwargs["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert body_of(call) == {
        "type": "message",
        "text": "hello",
        "channelId": "msteams",
        "serviceUrl": SERVICE_URL,
        "from": {"id": "28:agent", "name": "Agent"},
        "recipient": {"id": "29:user", "name": "Ann"},
        "conversation": {"id": "conv1"},
        "inputHint": "acceptingInput",
        "replyToId": "m1",
    }
    # Channel token: audience and scope of the Bot Framework (§14.1).
    assert connections.provider.requests[0] == (
        "https://api.botframework.com",
        ["https://api.botframework.com/.default"],
    )


async def test_without_reply_to_id_it_is_send_to_conversation(
    adapter: ChannelServiceAdapter, mocked: aioresponses
) -> None:
    mocked.post(exact(BASE), payload={"id": "s1"})

    async def agent(context: TurnContext) -> None:
        await context.send_activity("hello")

    await adapter.process_activity(channel_claims(), activity(id=None), agent)

    ((method, url, call),) = calls(mocked)
    assert (method, str(url)) == ("POST", BASE)
    assert "replyToId" not in body_of(call)


async def test_an_empty_connector_answer_gives_an_empty_receipt(
    adapter: ChannelServiceAdapter, mocked: aioresponses
) -> None:
    mocked.post(exact(BASE + "/m1"), status=200, body="")
    receipts: list[Any] = []

    async def agent(context: TurnContext) -> None:
        receipts.append(await context.send_activity("hello"))

    await adapter.process_activity(channel_claims(), activity(), agent)
    assert receipts[0].id is None


async def test_trace_is_dropped_except_on_the_emulator(
    adapter: ChannelServiceAdapter, mocked: aioresponses
) -> None:
    async def agent(context: TurnContext) -> None:
        await context.send_trace_activity("debug", value={"x": 1})

    await adapter.process_activity(channel_claims(), activity(), agent)
    assert calls(mocked) == []

    mocked.post(exact(BASE + "/m1"), payload={"id": "t1"})
    await adapter.process_activity(channel_claims(), activity(channelId="emulator"), agent)
    ((_, _, call),) = calls(mocked)
    assert body_of(call)["type"] == "trace"


async def test_delay_pauses_between_sends_and_is_capped(
    factory: RestChannelServiceClientFactory,
    mocked: aioresponses,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    events: list[Any] = []

    async def fake_pause(seconds: float) -> None:
        events.append(("pause", seconds))

    monkeypatch.setattr(adapter_module, "_pause", fake_pause)
    mocked.post(exact(BASE + "/m1"), payload={"id": "a"}, repeat=True)
    adapter = ChannelServiceAdapter(factory, max_delay_ms=2000)

    async def agent(context: TurnContext) -> None:
        await context.send_activities(
            [
                Activity(type="message", text="one"),
                Activity(type="delay", value=1500),
                Activity(type="message", text="two"),
                Activity(type="delay", value=60_000),
                Activity(type="delay"),
            ]
        )
        events.append(("sent", len(calls(mocked))))

    await adapter.process_activity(channel_claims(), activity(), agent)

    assert events == [("pause", 1.5), ("pause", 2.0), ("pause", 1.0), ("sent", 2)]
    assert [body_of(call)["text"] for _, _, call in calls(mocked)] == ["one", "two"]


async def test_update_is_a_put_serialised_in_json_mode(
    adapter: ChannelServiceAdapter, mocked: aioresponses
) -> None:
    """§18 row 6: a datetime in the updated activity does not crash the call."""
    mocked.put(exact(BASE + "/r1"), payload={"id": "r1"})
    mocked.delete(exact(BASE + "/r1"), status=200)
    stamp = datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)

    async def agent(context: TurnContext) -> None:
        update = Activity(type="message", id="r1", text="edited", timestamp=stamp)
        await context.update_activity(update)
        await context.delete_activity("r1")

    await adapter.process_activity(channel_claims(), activity(), agent)

    (put, delete) = calls(mocked)
    assert (put[0], str(put[1])) == ("PUT", BASE + "/r1")
    assert body_of(put[2])["timestamp"].startswith("2025-01-02T03:04:05")
    assert (delete[0], str(delete[1])) == ("DELETE", BASE + "/r1")


async def test_send_without_a_connector_client_is_a_clear_error(
    adapter: ChannelServiceAdapter,
) -> None:
    context = TurnContext(adapter, activity())
    with pytest.raises(AdapterError, match="no connector client"):
        await adapter.send_activities(context, [Activity(type="message", text="x")])


# ---------------------------------------------------------------------------- turns


async def test_the_turn_gets_its_identity_and_its_clients(
    adapter: ChannelServiceAdapter, mocked: aioresponses
) -> None:
    seen: dict[str, Any] = {}
    claims = channel_claims()

    async def agent(context: TurnContext) -> None:
        seen["identity"] = context.turn_state[ChannelServiceAdapter.AGENT_IDENTITY_KEY]
        seen["scope"] = context.turn_state[ChannelServiceAdapter.OAUTH_SCOPE_KEY]
        seen["connector"] = context.services.get(ConnectorClientBase)  # type: ignore[type-abstract]
        seen["user_token"] = context.services.get(UserTokenClientBase)  # type: ignore[type-abstract]
        seen["user_token_key"] = context.turn_state[ChannelServiceAdapter.USER_TOKEN_CLIENT_KEY]

    await adapter.process_activity(claims, activity(), agent)

    assert seen["identity"] is claims
    assert seen["scope"] == "https://api.botframework.com"
    assert seen["connector"].base_uri == SERVICE_URL
    assert seen["user_token"] is seen["user_token_key"]
    assert seen["user_token"].app_id == APP_ID


async def test_an_invoke_returns_the_agents_answer(adapter: ChannelServiceAdapter) -> None:
    async def agent(context: TurnContext) -> None:
        await context.send_activity(
            Activity(type="invokeResponse", value=InvokeResponse(status=200, body={"ok": True}))
        )

    result = await adapter.process_activity(channel_claims(), activity(type="invoke"), agent)
    assert result == InvokeResponse(status=200, body={"ok": True})


async def test_an_unanswered_invoke_is_501(adapter: ChannelServiceAdapter) -> None:
    async def agent(context: TurnContext) -> None:
        return None

    result = await adapter.process_activity(channel_claims(), activity(type="invoke"), agent)
    assert result is not None
    assert result.status == 501


async def test_invoke_response_sent_straight_to_the_adapter_is_kept(
    adapter: ChannelServiceAdapter,
) -> None:
    """§18 row 3: one key for the invoke answer, wherever it is stored from."""
    context = TurnContext(adapter, activity(type="invoke"))
    answer = Activity(type="invokeResponse", value={"status": 202})
    await adapter.send_activities(context, [answer])
    assert context.turn_state[ChannelServiceAdapter.INVOKE_RESPONSE_KEY] is answer


async def test_expect_replies_buffers_without_a_connector(
    adapter: ChannelServiceAdapter, connections: FakeConnections, mocked: aioresponses
) -> None:
    """A3113: with expectReplies the replies go in the HTTP answer, not to the channel."""

    async def agent(context: TurnContext) -> None:
        assert context.services.get(ConnectorClientBase) is None  # type: ignore[type-abstract]
        await context.send_activity("one")
        await context.send_activity("two")
        await context.send_activity(
            Activity(type="invokeResponse", value=InvokeResponse(status=200, body={"x": 1}))
        )

    incoming_activity = activity(type="invoke", deliveryMode="expectReplies", serviceUrl=None)
    result = await adapter.process_activity(channel_claims(None), incoming_activity, agent)

    assert result is not None
    assert result.status == 200  # expectReplies wins over the invoke answer (§3)
    assert [reply["text"] for reply in result.body["activities"]] == ["one", "two"]
    assert all("replyToId" in reply for reply in result.body["activities"])
    assert calls(mocked) == []
    # No connector client for this turn, and the token service was never called: no token.
    assert connections.provider.requests == []


async def test_the_user_token_client_fetches_its_token_at_its_first_call(
    adapter: ChannelServiceAdapter, connections: FakeConnections, mocked: aioresponses
) -> None:
    mocked.get(
        re.compile(r"^https://api\.botframework\.com/api/usertoken/GetToken.*$"),
        payload={"connectionName": "graph", "token": "user-token"},
        repeat=True,
    )

    async def agent(context: TurnContext) -> None:
        assert connections.provider.requests == []  # nothing fetched for an unused client
        client = context.services.get(UserTokenClientBase)  # type: ignore[type-abstract]
        await client.user_token.get_token("29:user", "graph", "msteams")
        await client.user_token.get_token("29:user", "graph", "msteams")

    incoming_activity = activity(deliveryMode="expectReplies", serviceUrl=None)
    await adapter.process_activity(channel_claims(None), incoming_activity, agent)
    assert [audience for audience, _ in connections.provider.requests] == [
        "https://api.botframework.com"
    ]
    [(_, _, first), (_, _, second)] = calls(mocked)
    for call in (first, second):
        assert call.kwargs["headers"]["Authorization"] == f"Bearer {TOKEN}"


async def test_stream_delivery_without_a_reply_sink_is_handled_as_normal(
    adapter: ChannelServiceAdapter, mocked: aioresponses
) -> None:
    """§18 row 5: called without a reply sink (the HTTP layer gives one), replies go to the
    connector and the answer is 202."""
    mocked.post(exact(BASE + "/m1"), payload={"id": "r1"})

    async def agent(context: TurnContext) -> None:
        await context.send_activity("streamed?")

    result = await adapter.process_activity(
        channel_claims(), activity(deliveryMode="stream"), agent
    )
    assert result is None
    assert len(calls(mocked)) == 1


@pytest.mark.parametrize("mode", ["somethingNew", "normal", "notification"])
async def test_an_unknown_delivery_mode_follows_the_normal_path_A3111(
    adapter: ChannelServiceAdapter, mocked: aioresponses, mode: str
) -> None:
    """A3111: a deliveryMode the SDK does not know is treated as normal delivery."""
    mocked.post(exact(BASE + "/m1"), payload={"id": "r1"})

    async def agent(context: TurnContext) -> None:
        await context.send_activity("hello")

    result = await adapter.process_activity(channel_claims(), activity(deliveryMode=mode), agent)

    assert result is None
    assert len(calls(mocked)) == 1


async def test_old_or_out_of_order_timestamps_do_not_gate_processing_A2042(
    adapter: ChannelServiceAdapter, mocked: aioresponses
) -> None:
    """A2042: activities are processed whatever their timestamps say, in arrival order."""
    mocked.post(exact(BASE + "/m1"), payload={"id": "r1"}, repeat=True)
    seen: list[str | None] = []

    async def agent(context: TurnContext) -> None:
        seen.append(context.activity.text)
        await context.send_activity("ok")

    newer = activity(text="second", timestamp="2026-11-24T10:00:05Z")
    older = activity(text="first", timestamp="2016-01-01T00:00:00Z")
    await adapter.process_activity(channel_claims(), newer, agent)
    await adapter.process_activity(channel_claims(), older, agent)

    assert seen == ["second", "first"]
    assert len(calls(mocked)) == 2


async def test_agent_claims_set_caller_id_and_the_callers_audience(
    adapter: ChannelServiceAdapter, connections: FakeConnections, mocked: aioresponses
) -> None:
    caller = "11111111-2222-3333-4444-555555555555"
    claims = ClaimsIdentity({"aud": APP_ID, "appid": caller, "ver": "1.0"})
    seen: list[str | None] = []

    async def agent(context: TurnContext) -> None:
        seen.append(context.activity.caller_id)

    await adapter.process_activity(claims, activity(), agent)

    assert seen == [f"urn:botframework:aadappid:{caller}"]
    assert connections.provider.requests[0] == (f"app://{caller}", [f"{caller}/.default"])


async def test_agentic_requests_use_the_agent_identity_and_propagate_headers(
    adapter: ChannelServiceAdapter, connections: FakeConnections, mocked: aioresponses
) -> None:
    mocked.post(exact(BASE + "/m1"), payload={"id": "r1"})
    recipient = {
        "id": "agent-user",
        "role": "agenticUser",
        "agenticAppId": "instance-1",
        "agenticUserId": "user-1",
        "tenantId": "tenant-1",
    }

    async def agent(context: TurnContext) -> None:
        await context.send_activity("hi")

    await adapter.process_activity(channel_claims(), activity(recipient=recipient), agent)

    ((_, _, call),) = calls(mocked)
    assert call.kwargs["headers"]["AgentRegistrar"] == "A365"
    assert call.kwargs["headers"]["AgentID"] == "instance-1"
    assert (
        "user",
        "tenant-1",
        "instance-1",
        "user-1",
        "https://api.botframework.com/.default",
    ) in connections.provider.agentic_requests
    assert connections.provider.requests == []
    assert HeaderPropagationContext.providers() == []  # reset after the turn


async def test_a_turn_started_inside_an_agentic_turn_leaves_its_headers_alone(
    adapter: ChannelServiceAdapter, mocked: aioresponses
) -> None:
    """A proactive send from a handler runs its turn in the handler's task (§12.4)."""
    mocked.post(re.compile(re.escape(SERVICE_URL) + ".*"), payload={"id": "r"}, repeat=True)
    recipient = {
        "id": "agent-user",
        "role": "agenticAppInstance",
        "agenticAppId": "instance-1",
        "tenantId": "tenant-1",
    }
    other = ConversationReference(
        conversation=ConversationAccount(id="other"),
        channel_id="webchat",
        service_url=SERVICE_URL,
        user=ChannelAccount(id="u2"),
        agent=ChannelAccount(id="agent"),
    )

    async def inner(context: TurnContext) -> None:
        await context.send_activity("to the other conversation")

    async def agent(context: TurnContext) -> None:
        await context.send_activity("before")
        await adapter.continue_conversation(APP_ID, other, inner)
        await context.send_activity("after")

    await adapter.process_activity(channel_claims(), activity(recipient=recipient), agent)

    sent = {body_of(call)["text"]: call.kwargs["headers"] for _, _, call in calls(mocked)}
    assert sent["before"]["AgentID"] == "instance-1"
    assert sent["after"]["AgentID"] == "instance-1"
    assert "AgentID" not in sent["to the other conversation"]
    assert HeaderPropagationContext.providers() == []


@pytest.mark.parametrize(
    ("issuer", "expected"),
    [
        ("https://api.botframework.com", "urn:botframework:azure"),
        ("https://api.botframework.us", "urn:botframework:azureusgov"),
    ],
)
async def test_caller_id_comes_from_the_token_not_the_payload_A2251_A2252(
    adapter: ChannelServiceAdapter, issuer: str, expected: str
) -> None:
    """A2251, A2252: an inbound callerId is discarded; the validated token sets it."""
    claims = ClaimsIdentity({"aud": APP_ID, "iss": issuer})
    seen: list[str | None] = []

    async def agent(context: TurnContext) -> None:
        seen.append(context.activity.caller_id)

    forged = activity(callerId="urn:botframework:aadappid:forged", deliveryMode="expectReplies")
    await adapter.process_activity(claims, forged, agent)

    assert seen == [expected]


async def test_an_anonymous_turn_has_no_caller_id_A2251(adapter: ChannelServiceAdapter) -> None:
    seen: list[str | None] = []

    async def agent(context: TurnContext) -> None:
        seen.append(context.activity.caller_id)

    forged = activity(callerId="urn:botframework:azure", deliveryMode="expectReplies")
    await adapter.process_activity(ClaimsIdentity(), forged, agent)

    assert seen == [None]


async def test_an_anonymous_turn_sends_no_token(mocked: aioresponses) -> None:
    factory = make_factory(FakeConnections(client_id=None))
    adapter = ChannelServiceAdapter(factory)
    mocked.post(exact("http://localhost:56789/v3/conversations/conv1/activities/m1"), payload={})

    async def agent(context: TurnContext) -> None:
        await context.send_activity("hi")

    try:
        await adapter.process_activity(
            ClaimsIdentity(), activity(serviceUrl="http://localhost:56789"), agent
        )
    finally:
        await factory.close()

    ((_, _, call),) = calls(mocked)
    assert "Authorization" not in call.kwargs["headers"]


# ---------------------------------------------------------------------------- proactive


async def test_continue_conversation_from_a_reference(
    adapter: ChannelServiceAdapter, connections: FakeConnections, mocked: aioresponses
) -> None:
    reference = ConversationReference(
        channel_id="msteams",
        service_url=SERVICE_URL,
        conversation=ConversationAccount(id="conv1"),
        agent=ChannelAccount(id="28:agent"),
        user=ChannelAccount(id="29:user"),
    )
    seen: list[Activity] = []

    async def agent(context: TurnContext) -> None:
        seen.append(context.activity)
        assert context.identity.claims == {"aud": APP_ID, "appid": APP_ID}
        await context.send_activity(Activity(type="message", text="proactive", reply_to_id=None))

    # The continuation event has an id of its own, so the reply threads to it.
    mocked.post(re.compile(re.escape(BASE) + r"/[0-9a-f-]+$"), payload={"id": "p1"})
    await adapter.continue_conversation(APP_ID, reference, agent)

    assert seen[0].name == "ContinueConversation"
    ((method, url, call),) = calls(mocked)
    assert method == "POST"
    assert str(url).startswith(BASE + "/")
    assert body_of(call)["text"] == "proactive"
    assert connections.provider.requests[0][0] == "https://api.botframework.com"


async def test_continue_conversation_needs_a_service_url(adapter: ChannelServiceAdapter) -> None:
    async def agent(context: TurnContext) -> None:
        raise AssertionError("must not run")

    event = Activity(type="event", name="ContinueConversation", conversation={"id": "c"})
    with pytest.raises(ValueError, match="serviceUrl"):
        await adapter.continue_conversation(APP_ID, event, agent)


async def test_continue_conversation_without_an_app_id_is_refused_when_auth_is_on(
    adapter: ChannelServiceAdapter, connections: FakeConnections, mocked: aioresponses
) -> None:
    """Its messages would go without a token, and the channel would refuse them."""
    reference = ConversationReference(
        channel_id="msteams", service_url=SERVICE_URL, conversation=ConversationAccount(id="c")
    )

    async def agent(context: TurnContext) -> None:
        raise AssertionError("must not run")

    with pytest.raises(AuthConfigurationError, match="CLIENTID"):
        await adapter.continue_conversation("", reference, agent)
    assert calls(mocked) == []
    assert connections.provider.asked == 0


async def test_continue_conversation_in_development_mode_takes_any_app_id(
    mocked: aioresponses,
) -> None:
    """Without authentication no token can be had: the app id changes nothing."""
    loopback = "http://127.0.0.1:9000/"
    mocked.post(re.compile(re.escape(loopback) + ".*"), payload={"id": "p1"})
    factory = make_factory(FakeConnections(client_id=None))
    adapter = ChannelServiceAdapter(factory)
    reference = ConversationReference(
        channel_id="emulator", service_url=loopback, conversation=ConversationAccount(id="c")
    )

    async def agent(context: TurnContext) -> None:
        await context.send_activity("proactive")

    try:
        await adapter.continue_conversation("my-app-id", reference, agent)
    finally:
        await factory.close()
    ((_, url, call),) = calls(mocked)
    assert str(url).startswith(loopback + "v3/conversations/c/activities")
    assert "Authorization" not in call.kwargs["headers"]


async def test_create_conversation_posts_then_runs_the_callback(
    adapter: ChannelServiceAdapter, mocked: aioresponses
) -> None:
    mocked.post(
        exact(SERVICE_URL + "v3/conversations"),
        payload={"id": "conv1", "activityId": "first", "serviceUrl": SERVICE_URL},
    )
    mocked.post(exact(BASE + "/first"), payload={"id": "r2"})
    seen: list[Activity] = []

    async def agent(context: TurnContext) -> None:
        seen.append(context.activity)
        await context.send_activity("welcome")

    parameters = ConversationParameters(
        agent=ChannelAccount(id="28:agent"),
        members=[ChannelAccount(id="29:user")],
        tenant_id="tenant-1",
    )
    await adapter.create_conversation(
        APP_ID, "msteams", SERVICE_URL, "https://api.botframework.com", parameters, agent
    )

    (create, reply) = calls(mocked)
    assert (create[0], str(create[1])) == ("POST", SERVICE_URL + "v3/conversations")
    assert body_of(create[2]) == {
        "bot": {"id": "28:agent"},
        "members": [{"id": "29:user"}],
        "tenantId": "tenant-1",
    }
    assert create[2].kwargs["headers"]["Authorization"] == f"Bearer {TOKEN}"
    (event,) = seen
    assert (event.type, event.name) == ("event", "CreateConversation")
    assert event.conversation is not None
    assert (event.conversation.id, event.conversation.tenant_id) == ("conv1", "tenant-1")
    assert body_of(reply[2])["text"] == "welcome"


async def test_create_claims_identity() -> None:
    adapter = ChannelServiceAdapter(make_factory())
    assert adapter.create_claims_identity("app").claims == {"aud": "app", "appid": "app"}
    await adapter.channel_service_client_factory.close()


async def test_clients_are_reused_for_the_same_service_and_token(
    factory: RestChannelServiceClientFactory, connections: FakeConnections
) -> None:
    context = TurnContext(ChannelServiceAdapter(factory), activity())
    claims = channel_claims()
    first = await factory.create_connector_client(
        context, claims, SERVICE_URL, "https://api.botframework.com"
    )
    second = await factory.create_connector_client(
        context, claims, SERVICE_URL, "https://api.botframework.com"
    )
    other = await factory.create_connector_client(
        context, claims, "https://smba.trafficmanager.net/emea/", "https://api.botframework.com"
    )
    assert second is first
    assert other is not first
    anonymous = ClaimsIdentity()
    token_clients = [await factory.create_user_token_client(context, anonymous) for _ in range(2)]
    assert token_clients[0] is token_clients[1]
    authenticated = await factory.create_user_token_client(context, claims)
    assert authenticated is not token_clients[0]

    assert factory.keeps_client(first)
    assert factory.keeps_client(token_clients[0])
    assert not factory.keeps_client(object())

    await factory.close()  # a new session after close gets new clients
    assert not factory.keeps_client(first)
    again = await factory.create_connector_client(
        context, claims, SERVICE_URL, "https://api.botframework.com"
    )
    assert again is not first


async def test_a_factory_used_after_close_says_it_opened_a_new_session(
    factory: RestChannelServiceClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """A proactive send during shutdown would otherwise leave a session open unnoticed."""
    context = TurnContext(ChannelServiceAdapter(factory), activity())
    await factory.create_connector_client(
        context, channel_claims(), SERVICE_URL, "https://api.botframework.com"
    )
    await factory.close()

    with caplog.at_level(logging.WARNING):
        for _ in range(2):
            await factory.create_connector_client(
                context, channel_claims(), SERVICE_URL, "https://api.botframework.com"
            )
    reopened = [r for r in caplog.records if "used after close()" in r.getMessage()]
    assert len(reopened) == 1
    session = factory._session
    await factory.close()
    assert session is not None
    assert session.closed


async def test_a_turn_closes_only_the_clients_its_factory_does_not_keep(
    factory: RestChannelServiceClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter = ChannelServiceAdapter(factory)
    anonymous = ClaimsIdentity()
    context = TurnContext(adapter, activity())
    shared = await factory.create_user_token_client(context, anonymous)
    closes: list[object] = []

    async def spy_close() -> None:
        closes.append(shared)

    monkeypatch.setattr(shared, "close", spy_close)

    async def turn(ctx: TurnContext) -> None:
        assert ctx.services.get(UserTokenClientBase) is shared  # type: ignore[type-abstract]

    expect_replies = activity(deliveryMode="expectReplies")
    await adapter.process_activity(anonymous, expect_replies, turn)
    assert closes == []  # shared across turns: the factory closes it, not the turn

    monkeypatch.setattr(factory, "keeps_client", lambda client: False)
    await adapter.process_activity(anonymous, activity(deliveryMode="expectReplies"), turn)
    assert closes == [shared]  # a client the factory does not keep is the turn's to close
