"""Activity Protocol rules that bind how an agent sends, checked on the TurnContext path.

Every activity a handler sends goes through ``TurnContext.send_activities``; these tests
send through it (with the in-memory test adapter standing in for the channel) and look at
what would go on the wire.
"""

from __future__ import annotations

import pytest

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
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.testing import TestAdapter


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


async def test_agents_do_not_set_id_or_timestamp_on_what_they_send_A2031_A2041() -> None:
    adapter, context = _context()
    mine = Activity(type="message", id="chosen-by-me", text="x")
    await context.send_activity(mine)
    sent = adapter.sent[0]
    assert sent.id != "chosen-by-me"  # the channel's id, not the agent's
    assert sent.timestamp is None


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
