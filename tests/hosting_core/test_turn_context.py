"""TurnContext: addressing of replies, interceptors, invoke answers, buffering."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationAccount,
    InvokeResponse,
    ResourceResponse,
)
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.testing import TestAdapter


def _incoming(**overrides: object) -> Activity:
    values: dict[str, object] = {
        "type": "message",
        "id": "m1",
        "text": "hi",
        "channel_id": "msteams",
        "service_url": "https://smba.trafficmanager.net/amer/",
        "from_property": ChannelAccount(id="29:abc", name="Ann"),
        "recipient": ChannelAccount(id="28:app-id", name="MyAgent"),
        "conversation": ConversationAccount(
            id="a:1xyz", conversation_type="personal", tenant_id="t1"
        ),
        "locale": "en-US",
    }
    values.update(overrides)
    return Activity(**values)  # type: ignore[arg-type]


async def test_a_text_reply_is_addressed_from_the_incoming_activity() -> None:
    adapter = TestAdapter()
    context = TurnContext(adapter, _incoming())

    receipt = await context.send_activity("You said: hi")

    (sent,) = adapter.sent
    assert receipt == ResourceResponse(id=sent.id)
    assert sent.to_wire(exclude_none=True) == {
        "type": "message",
        "id": sent.id,
        "channelId": "msteams",
        "serviceUrl": "https://smba.trafficmanager.net/amer/",
        "from": {"id": "28:app-id", "name": "MyAgent"},
        "conversation": {"id": "a:1xyz", "conversationType": "personal", "tenantId": "t1"},
        "recipient": {"id": "29:abc", "name": "Ann"},
        "locale": "en-US",
        "text": "You said: hi",
        "inputHint": "acceptingInput",
        "replyToId": "m1",
    }
    assert context.responded


async def test_a_text_reply_shares_the_incoming_accounts_only_when_nothing_can_change_them() -> (
    None
):
    adapter = TestAdapter()
    incoming = _incoming()
    context = TurnContext(adapter, incoming)
    delivered: list[Activity] = []

    async def keep(activities: list[Activity]) -> None:
        delivered.extend(activities)

    context._observe_sends(keep)
    await context.send_activity("plain")
    # Nobody sees the reply before it leaves: no copies (as apply_conversation_reference).
    assert delivered[0].recipient is incoming.from_property
    assert delivered[0].conversation is incoming.conversation

    async def rename(
        ctx: TurnContext,
        activities: list[Activity],
        next_: Callable[[], Awaitable[list[ResourceResponse]]],
    ) -> list[ResourceResponse]:
        for activity in activities:
            assert activity.recipient is not None
            assert activity.conversation is not None
            activity.recipient.name = "Renamed"
            activity.conversation.name = "Renamed"
        return await next_()

    context.on_send_activities(rename)
    await context.send_activity("intercepted")

    assert adapter.sent[1].recipient is not None
    assert adapter.sent[1].recipient.name == "Renamed"
    # An interceptor changed the reply's objects, not the incoming activity's.
    assert incoming.from_property is not None
    assert incoming.from_property.name == "Ann"
    assert incoming.conversation is not None
    assert incoming.conversation.name is None


async def test_send_observers_see_what_is_delivered_after_the_interceptors() -> None:
    adapter = TestAdapter()
    context = TurnContext(adapter, _incoming())
    observed: list[list[str | None]] = []

    async def observer(activities: list[Activity]) -> None:
        observed.append([activity.text for activity in activities])

    async def shout(
        ctx: TurnContext,
        activities: list[Activity],
        next_: Callable[[], Awaitable[list[ResourceResponse]]],
    ) -> list[ResourceResponse]:
        for activity in activities:
            activity.text = (activity.text or "").upper()
        return await next_()

    context._observe_sends(observer)
    await context.send_activity("one")
    context.on_send_activities(shout)
    await context.send_activity("two")

    assert observed == [["one"], ["TWO"]]
    assert [a.text for a in adapter.sent] == ["one", "TWO"]


async def test_the_caller_activity_is_not_modified_and_its_id_is_not_sent() -> None:
    adapter = TestAdapter()
    context = TurnContext(adapter, _incoming())
    mine = Activity(type="message", id="my-own-id", text="x")

    await context.send_activity(mine)

    assert mine.id == "my-own-id"
    assert mine.conversation is None
    assert adapter.sent[0].reply_to_id == "m1"


async def test_traces_do_not_count_as_a_response() -> None:
    context = TurnContext(TestAdapter(), _incoming())
    await context.send_trace_activity("debug", value={"a": 1})
    assert not context.responded
    with pytest.raises(ValueError, match="cannot be set back"):
        context.responded = False


async def test_interceptors_run_in_registration_order_and_can_drop() -> None:
    adapter = TestAdapter()
    context = TurnContext(adapter, _incoming())
    seen: list[str] = []

    async def first(
        ctx: TurnContext,
        activities: list[Activity],
        next_: Callable[[], Awaitable[list[ResourceResponse]]],
    ) -> list[ResourceResponse]:
        seen.append("first")
        for activity in activities:
            activity.text = f"[{activity.text}]"
        return await next_()

    async def dropper(
        ctx: TurnContext,
        activities: list[Activity],
        next_: Callable[[], Awaitable[list[ResourceResponse]]],
    ) -> list[ResourceResponse]:
        seen.append("dropper")
        if activities[0].text == "[secret]":
            return []
        return await next_()

    context.on_send_activities(first).on_send_activities(dropper)
    await context.send_activity("hello")
    # api-surface §3.3: "Returns first response or empty ResourceResponse()".
    assert await context.send_activity("secret") == ResourceResponse()

    assert seen == ["first", "dropper", "first", "dropper"]
    assert [a.text for a in adapter.sent] == ["[hello]"]


async def test_an_interceptor_that_returns_nothing_drops_without_breaking_the_sender() -> None:
    adapter = TestAdapter()
    context = TurnContext(adapter, _incoming())

    async def swallow(
        ctx: TurnContext,
        activities: list[Activity],
        next_: Callable[[], Awaitable[list[ResourceResponse]]],
    ) -> list[ResourceResponse]:
        return None  # type: ignore[return-value]  # a careless interceptor

    context.on_send_activities(swallow)

    assert await context.send_activity("one") == ResourceResponse()
    assert await context.send_activities([Activity(type="message", text="two")]) == []
    assert await context.send_trace_activity("t") == ResourceResponse()
    assert adapter.sent == []


async def test_an_invoke_response_is_kept_not_posted() -> None:
    adapter = TestAdapter()
    context = TurnContext(adapter, _incoming(type="invoke", name="x"))

    await context.send_activity(
        Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=200, body={}))
    )

    assert adapter.sent == []
    stored = context.turn_state["ChannelAdapter.InvokeResponse"]
    assert stored.value.status == 200


async def test_expect_replies_buffers_instead_of_posting() -> None:
    adapter = TestAdapter()
    context = TurnContext(adapter, _incoming(delivery_mode="expectReplies"))

    await context.send_activity("one")
    await context.send_activity("two")

    assert adapter.sent == []
    assert [a.text for a in context.buffered_reply_activities] == ["one", "two"]


async def test_update_and_delete_go_through_their_interceptors() -> None:
    adapter = TestAdapter()
    context = TurnContext(adapter, _incoming())
    calls: list[str] = []

    async def on_update(ctx, activity, next_):  # type: ignore[no-untyped-def]
        calls.append(f"update {activity.id}")
        return await next_()

    async def on_delete(ctx, reference, next_):  # type: ignore[no-untyped-def]
        calls.append(f"delete {reference.activity_id}")
        await next_()

    context.on_update_activity(on_update).on_delete_activity(on_delete)
    await context.update_activity(Activity(type="message", id="sent-9", text="edited"))
    await context.delete_activity("sent-9")

    assert calls == ["update sent-9", "delete sent-9"]
    assert adapter.updated[0].conversation.id == "a:1xyz"
    assert adapter.deleted[0].conversation.id == "a:1xyz"


def test_context_needs_an_adapter_and_an_activity() -> None:
    with pytest.raises(TypeError, match="incoming activity"):
        TurnContext(TestAdapter())
    with pytest.raises(TypeError, match="must be an Activity"):
        TurnContext(TestAdapter(), {"type": "message"})  # type: ignore[arg-type]


def test_copying_a_context_keeps_adapter_activity_and_services_but_not_turn_state() -> None:
    original = TurnContext(TestAdapter(), _incoming())
    original.turn_state["x"] = 1
    original.services.set(int, 5)
    copy = TurnContext(original)
    assert copy.adapter is original.adapter
    assert copy.activity is original.activity
    assert copy.services.get(int) == 5
    assert copy.turn_state == {}
