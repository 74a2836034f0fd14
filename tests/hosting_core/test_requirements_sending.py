"""Activity Protocol rules that bind how an agent sends, checked on the TurnContext path.

Every activity a handler sends goes through ``TurnContext.send_activities``; these tests
send through it (with the in-memory test adapter standing in for the channel) and look at
what would go on the wire. Where the test adapter would hide the answer (it gives every
activity an id, as a channel does), the reply is sent through ``ChannelServiceAdapter``
and the JSON body the connector posts is read back from aioresponses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aioresponses import aioresponses

from microsoft_agents.activity import (
    Activity,
    ActivityStateError,
    ActivityTypes,
    CardAction,
    ChannelAccount,
    ConversationAccount,
    Entity,
    SuggestedActions,
)
from microsoft_agents.hosting.core import ChannelServiceAdapter, TurnContext
from microsoft_agents.hosting.core.testing import TestAdapter

from .channel_fakes import channel_claims, incoming, make_factory


def _context(**overrides: object) -> tuple[TestAdapter, TurnContext]:
    values: dict[str, object] = {
        "type": "message",
        "id": "in-1",
        "text": "hi",
        "channel_id": "webchat",
        "service_url": "https://directline.botframework.com/",
        "from_property": ChannelAccount(id="dl_user", name="You"),
        "recipient": ChannelAccount(id="agent", name="Agent"),
        "conversation": ConversationAccount(id="conv-1"),
    }
    values.update(overrides)
    adapter = TestAdapter()
    return adapter, TurnContext(adapter, Activity(**values))  # type: ignore[arg-type]


def _wire(activity: Activity) -> dict[str, object]:
    out = activity.to_wire(exclude_none=True)
    out.pop("id", None)  # the id the test adapter (the "channel") assigned
    return out


async def test_replies_carry_channel_conversation_and_service_url_A2020_A2080() -> None:
    """A2020, A2080: every reply names the channel and the conversation it goes to."""
    adapter, context = _context()
    await context.send_activity("ok")
    out = _wire(adapter.sent[0])
    assert out["channelId"] == "webchat"
    assert out["conversation"] == {"id": "conv-1"}
    assert out["serviceUrl"] == "https://directline.botframework.com/"


async def test_nothing_is_sent_for_an_activity_without_a_conversation_A2080() -> None:
    adapter, context = _context(conversation=None)
    with pytest.raises(ActivityStateError, match="no 'conversation'"):
        await context.send_activity("ok")
    assert adapter.sent == []


async def test_agents_do_not_set_a_timestamp_on_what_they_send_A2041() -> None:
    """A2041. (The id rule is checked on the wire further down: the test adapter sets ids.)"""
    adapter, context = _context()
    await context.send_activity(Activity(type="message", text="x"))
    await context.send_activity("y")
    assert [sent.timestamp for sent in adapter.sent] == [None, None]


async def test_empty_strings_are_left_out_except_text_A2004() -> None:
    adapter, context = _context()
    await context.send_activity(Activity(type="message", text="", summary="", locale=""))
    out = _wire(adapter.sent[0])
    assert out["text"] == ""
    assert "summary" not in out
    assert "locale" not in out


async def test_empty_entities_and_attachments_are_left_out_A2100_A3050() -> None:
    """A2100, A3050: create_reply starts with [] lists; the wire never carries them empty."""
    adapter, context = _context()
    reply = context.activity.create_reply("hello")
    assert reply.entities == []
    assert reply.attachments == []

    await context.send_activity(reply)

    out = _wire(adapter.sent[0])
    assert "entities" not in out
    assert "attachments" not in out


async def test_non_empty_entities_are_kept_A2100() -> None:
    adapter, context = _context()
    await context.send_activity(
        Activity(type="message", text="x", entities=[Entity(type="clientInfo")])
    )
    assert _wire(adapter.sent[0])["entities"] == [{"type": "clientInfo"}]


async def test_suggested_actions_without_actions_are_dropped_A7701() -> None:
    adapter, context = _context()
    await context.send_activity(
        Activity(type="message", text="pick", suggested_actions=SuggestedActions())
    )
    await context.send_activity(
        Activity(
            type="message",
            text="pick",
            suggested_actions=SuggestedActions(
                actions=[CardAction(type="imBack", title="Yes", value="yes")]
            ),
        )
    )
    first, second = (_wire(a) for a in adapter.sent)
    assert "suggestedActions" not in first
    assert second["suggestedActions"]["actions"][0]["value"] == "yes"  # type: ignore[index]


async def test_expect_replies_is_never_requested_of_a_channel_A3116() -> None:
    adapter, context = _context()
    await context.send_activity(Activity(type="message", text="x", delivery_mode="expectReplies"))
    assert "deliveryMode" not in _wire(adapter.sent[0])


@pytest.mark.parametrize("kind", [ActivityTypes.event, ActivityTypes.invoke])
async def test_events_and_invokes_need_a_name_A5001_A5401(kind: ActivityTypes) -> None:
    adapter, context = _context()
    with pytest.raises(ActivityStateError, match="needs a name"):
        await context.send_activity(Activity(type=kind))
    assert adapter.sent == []

    await context.send_activity(Activity(type=kind, name="custom/thing"))
    assert adapter.sent[0].name == "custom/thing"


async def test_replies_thread_under_the_incoming_activity_A2090() -> None:
    adapter, context = _context(channel_id="msteams")
    await context.send_activity("threaded")
    assert adapter.sent[0].reply_to_id == "in-1"


# ------------------------------------------------------------ what reaches the connector


async def _posted(
    inbound: dict[str, Any], agent: Callable[[TurnContext], Awaitable[None]]
) -> list[dict[str, Any]]:
    """Run ``agent`` for ``inbound`` (wire JSON) through ``ChannelServiceAdapter`` and
    return the JSON bodies it posted to the connector, in order."""
    factory = make_factory()
    try:
        with aioresponses() as mocked:
            mocked.post(re.compile(r"https://.*"), payload={"id": "from-channel"}, repeat=True)
            activity = Activity.model_validate(inbound)
            await ChannelServiceAdapter(factory).process_activity(channel_claims(), activity, agent)
            calls = [call for made in mocked.requests.values() for call in made]
    finally:
        await factory.close()
    return [json.loads(call.kwargs["data"]) for call in calls]


def _strings(value: object, path: str = "") -> list[tuple[str, str]]:
    """Every string in a JSON value, with its path (``conversation.name``)."""
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [
            found
            for key, item in value.items()
            for found in _strings(item, f"{path}.{key}" if path else key)
        ]
    if isinstance(value, list):
        return [found for item in value for found in _strings(item, path)]
    return []


async def test_the_agents_own_id_never_reaches_the_wire_A2031() -> None:
    """A2031: an id the agent set on an activity is not posted (the channel assigns it)."""

    async def agent(context: TurnContext) -> None:
        await context.send_activity(Activity(type="message", id="chosen-by-me", text="x"))
        await context.send_activities([Activity(type="message", id="mine-too", text="y")])

    bodies = await _posted(incoming(conversation={"id": "conv-1"}), agent)

    assert [body["text"] for body in bodies] == ["x", "y"]
    assert [body.get("id") for body in bodies] == [None, None]


async def test_replies_leave_out_the_empty_strings_of_the_incoming_activity_A2004() -> None:
    """A2004: ``""`` in the accounts or conversation a reply copies is not sent back."""
    inbound = incoming(
        **{
            "from": {"id": "29:user", "name": "", "aadObjectId": ""},
            "recipient": {"id": "28:agent", "name": ""},
            "conversation": {
                "id": "conv-1",
                "name": "",
                "tenantId": "",
                "conversationType": "personal",
                "custom": "",
            },
        }
    )

    async def agent(context: TurnContext) -> None:
        await context.send_activity("text path")
        await context.send_activity(Activity(type="message", text="activity path"))
        await context.send_activity(context.activity.create_reply("create_reply"))

    bodies = await _posted(inbound, agent)

    assert [body["text"] for body in bodies] == ["text path", "activity path", "create_reply"]
    for body in bodies:
        # An unknown key is kept as it came (A2005), whatever its value.
        assert [path for path, value in _strings(body) if value == ""] == ["conversation.custom"]
        assert body["from"] == {"id": "28:agent"}
        assert body["recipient"] == {"id": "29:user"}
        assert body["conversation"] == {
            "id": "conv-1",
            "conversationType": "personal",
            "custom": "",
        }


async def test_the_incoming_activity_keeps_its_empty_strings_A2004() -> None:
    """A2004 concerns what is sent: replying leaves the incoming activity as received."""
    seen: list[tuple[str | None, str | None]] = []
    inbound = incoming(
        **{"from": {"id": "29:user", "name": ""}, "conversation": {"id": "c", "name": ""}}
    )

    async def agent(context: TurnContext) -> None:
        await context.send_activity("one")
        await context.send_activity(Activity(type="message", text="two"))
        incoming_activity = context.activity
        assert incoming_activity.from_property is not None
        assert incoming_activity.conversation is not None
        seen.append((incoming_activity.from_property.name, incoming_activity.conversation.name))

    await _posted(inbound, agent)

    assert seen == [("", "")]


async def test_text_replies_with_an_interceptor_leave_out_empty_strings_A2004() -> None:
    """A2004 on the text path when a send interceptor makes the reply a copy."""
    inbound = incoming(**{"from": {"id": "29:user", "name": ""}, "conversation": {"id": "c"}})

    async def agent(context: TurnContext) -> None:
        async def passthrough(ctx: TurnContext, activities: list[Activity], next_send: Any) -> Any:
            return await next_send()

        context.on_send_activities(passthrough)
        await context.send_activity("hi")

    (body,) = await _posted(inbound, agent)

    assert body["recipient"] == {"id": "29:user"}


def test_create_reply_leaves_out_the_empty_strings_it_would_copy_A2004() -> None:
    """A2004: ``create_reply`` addresses the reply without the ``""`` of the incoming one."""
    _, context = _context(
        from_property=ChannelAccount(id="dl_user", name=""),
        recipient=ChannelAccount(id="agent", name=""),
        conversation=ConversationAccount(id="conv-1", name="", tenant_id=""),
    )
    wire = context.activity.create_reply("hi").to_wire(exclude_none=True)
    assert wire["from"] == {"id": "agent"}
    assert wire["recipient"] == {"id": "dl_user"}
    assert wire["conversation"] == {"id": "conv-1"}
