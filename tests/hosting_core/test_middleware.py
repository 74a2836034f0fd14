"""The middleware pipeline and the adapter's error routing."""

from __future__ import annotations

import pytest

from microsoft_agents.hosting.core import MiddlewareSet, TurnContext
from microsoft_agents.hosting.core._middleware import NextDelegate
from microsoft_agents.hosting.core.testing import AgentTester, TestAdapter


class Recorder:
    """Records when it runs, before and after the rest of the pipeline."""

    def __init__(self, name: str, log: list[str], *, stop: bool = False) -> None:
        self.name = name
        self.log = log
        self.stop = stop

    async def on_turn(self, context: TurnContext, logic: NextDelegate) -> None:
        self.log.append(f"{self.name} before")
        if self.stop:
            await context.send_activity(f"stopped by {self.name}")
            return
        await logic()
        self.log.append(f"{self.name} after")


class EchoAgent:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    async def on_turn(self, context: TurnContext) -> None:
        self.log.append("agent")
        await context.send_activity(f"echo {context.activity.text}")


async def test_middleware_runs_in_order_around_the_agent() -> None:
    log: list[str] = []
    tester = AgentTester(EchoAgent(log))
    tester.adapter.use(Recorder("a", log)).use(Recorder("b", log))

    result = await tester.send("hi")

    assert log == ["a before", "b before", "agent", "b after", "a after"]
    assert result.texts == ["echo hi"]


async def test_a_middleware_can_short_circuit_the_turn() -> None:
    log: list[str] = []
    tester = AgentTester(EchoAgent(log))
    tester.adapter.use(Recorder("a", log)).use(Recorder("gate", log, stop=True))
    tester.adapter.use(Recorder("never", log))

    result = await tester.send("hi")

    assert log == ["a before", "gate before", "a after"]
    assert result.texts == ["stopped by gate"]


async def test_logic_may_be_called_with_the_context() -> None:
    log: list[str] = []

    class PassesContext:
        async def on_turn(self, context: TurnContext, logic: NextDelegate) -> None:
            await logic(context)
            log.append("after")

    tester = AgentTester(EchoAgent(log))
    tester.adapter.use(PassesContext())
    await tester.send("x")
    assert log == ["agent", "after"]


async def test_middleware_sets_nest() -> None:
    log: list[str] = []
    inner = MiddlewareSet().use(Recorder("inner", log))
    tester = AgentTester(EchoAgent(log))
    tester.adapter.use(Recorder("outer", log)).use(inner)

    await tester.send("x")

    assert log == ["outer before", "inner before", "agent", "inner after", "outer after"]


def test_objects_without_on_turn_are_refused() -> None:
    with pytest.raises(TypeError, match="has no 'async def on_turn"):
        MiddlewareSet().use(object())  # type: ignore[arg-type]


async def test_an_exception_reaches_on_turn_error_with_the_turns_context() -> None:
    seen: list[tuple[str | None, str]] = []

    async def on_error(context: TurnContext, error: Exception) -> None:
        seen.append((context.activity.text, str(error)))
        await context.send_activity("Sorry, something went wrong.")

    class Failing:
        async def on_turn(self, context: TurnContext) -> None:
            raise RuntimeError("boom")

    tester = AgentTester(Failing(), adapter=TestAdapter(on_turn_error=on_error))
    result = await tester.send("hello")

    assert seen == [("hello", "boom")]
    assert result.texts == ["Sorry, something went wrong."]


async def test_without_on_turn_error_the_exception_propagates() -> None:
    class Failing:
        async def on_turn(self, context: TurnContext) -> None:
            raise LookupError("missing")

    with pytest.raises(LookupError, match="missing"):
        await AgentTester(Failing()).send("hello")


async def test_continue_conversation_runs_a_proactive_turn() -> None:
    log: list[str] = []
    tester = AgentTester(EchoAgent(log))
    first = await tester.send("remember me")
    reference = first.activity.get_conversation_reference()
    seen: list[str | None] = []

    async def proactive(context: TurnContext) -> None:
        seen.append(context.activity.name)
        await context.send_activity("a proactive hello")

    await tester.adapter.continue_conversation("agent-1", reference, proactive)

    assert seen == ["ContinueConversation"]
    last = tester.adapter.sent[-1]
    assert last.text == "a proactive hello"
    assert last.conversation is not None
    assert last.conversation.id == "conversation-1"
    assert last.recipient is not None
    assert last.recipient.id == "user-1"
