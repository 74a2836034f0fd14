"""The published test kit: AgentTester, TurnResult, TestAdapter and the pytest plugin."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from microsoft_agents.activity import Activity, ActivityTypes, InvokeResponse
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
