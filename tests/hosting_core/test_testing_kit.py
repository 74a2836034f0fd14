"""The published test kit: AgentTester, TurnResult, TestAdapter and the pytest plugin."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import pytest

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    InvokeResponse,
    ResourceResponse,
)
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.testing import AgentTester, TestAdapter


class Echo:
    async def on_turn(self, context: TurnContext) -> None:
        activity = context.activity
        if activity.type == ActivityTypes.invoke:
            await context.send_activity(
                Activity(
                    type=ActivityTypes.invoke_response,
                    value=InvokeResponse(status=200, body={"name": activity.name}),
                )
            )
            return
        await context.send_activity(Activity(type=ActivityTypes.typing))
        await context.send_activity(f"You said: {activity.text}")


async def test_the_three_line_test_from_the_readme() -> None:
    result = await AgentTester(Echo()).send("hi")
    assert result.texts == ["You said: hi"]


async def test_the_agent_tester_fixture_comes_from_the_pytest_plugin(
    agent_tester: Callable[..., AgentTester],
) -> None:
    tester = agent_tester(Echo(), channel_id="msteams")
    result = await tester.send("hi")
    assert result.text == "You said: hi"
    assert result[0].type == ActivityTypes.typing
    assert len(result) == 2
    assert result.of_type("typing") == [result[0]]
    assert result.messages[0].channel_id == "msteams"


async def test_incoming_activities_are_addressed_like_a_channel_would() -> None:
    tester = AgentTester(Echo())
    first = await tester.send("one")
    second = await tester.send({"type": "message", "text": "two", "locale": "fr-FR"})

    assert first.activity.conversation == second.activity.conversation
    assert first.activity.id != second.activity.id
    assert second.activity.locale == "fr-FR"
    assert second.activity.from_property is not None
    assert second.activity.from_property.id == "user-1"
    assert second.activity.timestamp is not None
    reply = second.messages[0]
    assert reply.reply_to_id == second.activity.id
    assert reply.recipient is not None
    assert reply.recipient.id == "user-1"


async def test_invoke_answers_are_returned_not_sent() -> None:
    result = await AgentTester(Echo()).invoke("custom/thing", {"a": 1})
    assert result.replies == []
    assert result.invoke_response == InvokeResponse(status=200, body={"name": "custom/thing"})


async def test_expect_replies_turns_return_the_buffered_activities() -> None:
    result = await AgentTester(Echo()).send("hi", delivery_mode="expectReplies")
    assert result.replies == []
    assert [a.text for a in result.buffered if a.type == "message"] == ["You said: hi"]


async def test_text_names_the_problem_when_there_is_not_exactly_one_message() -> None:
    class Silent:
        async def on_turn(self, context: TurnContext) -> None:
            return None

    result = await AgentTester(Silent()).send("hi")
    with pytest.raises(AssertionError, match="exactly one message reply, got 0"):
        _ = result.text


def test_test_adapter_is_not_collected_as_a_test_class() -> None:
    assert TestAdapter.__test__ is False


async def test_status_is_what_the_channel_would_get() -> None:
    class OnlyMessages:
        async def on_turn(self, context: TurnContext) -> None:
            if context.activity.type == ActivityTypes.message:
                await context.send_activity("ok")

    tester = AgentTester(OnlyMessages())
    assert (await tester.send("hi")).status == 202
    assert (await tester.invoke("nobody/answers")).status == 501
    assert (await tester.send("hi", delivery_mode="expectReplies")).status == 200
    assert (await AgentTester(Echo()).invoke("x")).status == 200


async def test_an_expect_replies_invoke_has_status_200_like_the_adapter_gives() -> None:
    """protocol.md §3: for an invoke sent with expectReplies the buffered replies are the
    answer: ChannelServiceAdapter.process_activity returns 200 {"activities": [...]}."""

    class Unanswered:
        async def on_turn(self, context: TurnContext) -> None:
            await context.send_activity("working on it")

    answered = await AgentTester(Echo()).invoke("x", delivery_mode="expectReplies")
    unanswered = await AgentTester(Unanswered()).invoke("x", delivery_mode="expectReplies")

    assert answered.invoke_response == InvokeResponse(status=200, body={"name": "x"})
    assert answered.status == 200
    assert unanswered.invoke_response is None
    assert unanswered.status == 200
    assert [a.text for a in unanswered.buffered] == ["working on it"]


async def test_concurrent_sends_each_get_only_their_own_activities() -> None:
    b_done = asyncio.Event()

    class Interleaving:
        async def on_turn(self, context: TurnContext) -> None:
            text = context.activity.text
            first = await context.send_activity(f"{text} 1")
            if text == "a":
                await b_done.wait()  # "b" runs its whole turn in the middle of this one
            await context.send_activity(f"{text} 2")
            await context.update_activity(Activity(type="message", id=first.id, text=text))
            await context.delete_activity(f"{text}-gone")
            b_done.set()

    tester = AgentTester(Interleaving())
    a, b = await asyncio.gather(tester.send("a"), tester.send("b"))

    assert a.texts == ["a 1", "a 2"]
    assert b.texts == ["b 1", "b 2"]
    assert [u.text for u in a.updated] == ["a"]
    assert [d.activity_id for d in b.deleted] == ["b-gone"]
    assert [x.text for x in tester.adapter.sent] == ["a 1", "b 1", "b 2", "a 2"]


async def test_activities_a_test_adapter_subclass_records_itself_count_for_the_turn() -> None:
    class OwnRecording(TestAdapter):
        async def send_activities(
            self, context: TurnContext, activities: Sequence[Activity]
        ) -> list[ResourceResponse]:
            self.sent.extend(activities)
            return [ResourceResponse(id="own") for _ in activities]

    result = await AgentTester(Echo(), adapter=OwnRecording()).send("hi")

    assert result.texts == ["You said: hi"]


async def test_a_member_given_twice_is_listed_once() -> None:
    """A4101: a conversationUpdate the tester sends lists each account id once."""
    ann, ann_again, bob = (
        ChannelAccount(id="29:ann", name="Ann"),
        ChannelAccount(id="29:ann"),
        ChannelAccount(id="29:bob"),
    )
    tester = AgentTester(Echo())
    added = await tester.members_added(ann, bob, ann_again)
    removed = await tester.members_removed(bob, bob)

    assert added.activity.members_added == [ann, bob]
    assert removed.activity.members_removed == [bob]
