"""The typing indicator of AgentApplication (protocol §11), driven by a hand-operated clock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import pytest

from microsoft_agents.activity import Activity, ConversationAccount, ResourceResponse
from microsoft_agents.hosting.core import AgentApplication, MemoryStorage, TurnContext
from microsoft_agents.hosting.core.app import (
    TypingChannelStrategy,
    TypingIndicator,
    TypingOptions,
    _agent_application,
)
from microsoft_agents.hosting.core.app.state import TurnState
from microsoft_agents.hosting.core.testing import AgentTester, TestAdapter


class Clock:
    """Stands in for asyncio.sleep: a sleeper waits until the test releases it."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self._sleepers: list[asyncio.Future[None]] = []
        self._changed = asyncio.Condition()

    @property
    def pending(self) -> int:
        """How many sleepers are still waiting."""
        return sum(1 for f in self._sleepers if not f.done())

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sleepers.append(future)
        self.delays.append(seconds)
        async with self._changed:
            self._changed.notify_all()
        try:
            await future
        finally:
            self._sleepers.remove(future)

    async def wait_for_sleepers(self, count: int) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: self.pending >= count)

    def release_all(self) -> None:
        for future in self._sleepers:
            if not future.done():
                future.set_result(None)


def _app(clock: Clock, **options: Any) -> AgentApplication[TurnState]:
    app = AgentApplication[TurnState](storage=MemoryStorage(), **options)
    app._typing_sleep = clock.sleep
    return app


def _types(activities: Sequence[Activity]) -> list[str]:
    return [a.type for a in activities]


async def test_a_fast_reply_sends_no_typing() -> None:
    app = AgentApplication[TurnState](storage=MemoryStorage())  # the real clock

    @app.activity("message")
    async def fast(context: TurnContext, state: TurnState) -> None:
        await context.send_activity("done")

    result = await AgentTester(app).send("hi")

    assert _types(result.replies) == ["message"]


async def test_a_slow_handler_shows_typing_until_its_message_and_never_after() -> None:
    """A6001: one typing every 10 s by default, well apart from the 2 s the spec tolerates."""
    clock = Clock()
    app = _app(clock)
    pending_after_message: list[int] = []

    @app.activity("message")
    async def slow(context: TurnContext, state: TurnState) -> None:
        await clock.wait_for_sleepers(1)  # the initial delay
        clock.release_all()
        await clock.wait_for_sleepers(1)  # first typing sent; waiting for the interval
        clock.release_all()
        await clock.wait_for_sleepers(1)  # second typing sent
        await context.send_activity("done")
        pending_after_message.append(clock.pending)
        clock.release_all()  # nothing is waiting any more, so nothing follows

    result = await AgentTester(app).send("hi")

    assert _types(result.replies) == ["typing", "typing", "message"]
    assert clock.delays == [0.5, 10.0, 10.0]
    assert pending_after_message == [0]
    typing = result.replies[0]
    assert typing.reply_to_id == result.activity.id
    assert typing.conversation == result.activity.conversation
    assert typing.recipient == result.activity.from_property
    assert typing.input_hint is None


async def test_the_message_waits_for_a_typing_already_being_sent() -> None:
    clock = Clock()
    typing_started = asyncio.Event()
    typing_may_finish = asyncio.Event()

    class SlowTypingAdapter(TestAdapter):
        async def send_activities(
            self, context: TurnContext, activities: Sequence[Activity]
        ) -> list[ResourceResponse]:
            if activities[0].type == "typing":
                typing_started.set()
                await typing_may_finish.wait()
            return await super().send_activities(context, activities)

    app = _app(clock)

    @app.activity("message")
    async def handler(context: TurnContext, state: TurnState) -> None:
        await clock.wait_for_sleepers(1)
        clock.release_all()
        await typing_started.wait()
        sending = asyncio.ensure_future(context.send_activity("done"))
        typing_may_finish.set()
        await sending

    result = await AgentTester(app, adapter=SlowTypingAdapter()).send("hi")

    assert _types(result.replies) == ["typing", "message"]


async def test_typing_stops_when_the_handler_raises() -> None:
    clock = Clock()
    app = _app(clock)
    errors: list[Exception] = []

    @app.activity("message")
    async def fails(context: TurnContext, state: TurnState) -> None:
        await clock.wait_for_sleepers(1)
        clock.release_all()
        await clock.wait_for_sleepers(1)  # one typing sent
        raise RuntimeError("handler failed")

    async def on_turn_error(context: TurnContext, error: Exception) -> None:
        errors.append(error)

    tester = AgentTester(app, adapter=TestAdapter(on_turn_error=on_turn_error))
    result = await tester.send("hi")

    assert [str(e) for e in errors] == ["handler failed"]
    assert _types(result.replies) == ["typing"]
    assert clock.pending == 0


async def test_concurrent_turns_each_have_their_own_indicator() -> None:
    clock = Clock()
    app = _app(clock)
    b_may_answer = asyncio.Event()
    pending_after_a: list[int] = []

    @app.activity("message")
    async def handler(context: TurnContext, state: TurnState) -> None:
        if context.activity.text == "a":
            await clock.wait_for_sleepers(2)  # both turns wait for their initial delay
            clock.release_all()
            await clock.wait_for_sleepers(2)  # both sent a typing
            await context.send_activity("a done")
            pending_after_a.append(clock.pending)  # B's indicator still runs
            b_may_answer.set()
        else:
            await b_may_answer.wait()
            await context.send_activity("b done")

    tester_a = AgentTester(app, conversation=ConversationAccount(id="conv-a"))
    tester_b = AgentTester(app, conversation=ConversationAccount(id="conv-b"))
    result_a, result_b = await asyncio.gather(tester_a.send("a"), tester_b.send("b"))

    assert pending_after_a == [1]
    assert _types(result_a.replies) == ["typing", "message"]
    assert _types(result_b.replies) == ["typing", "message"]
    assert {a.conversation.id for a in result_a.replies if a.conversation} == {"conv-a"}
    assert {a.conversation.id for a in result_b.replies if a.conversation} == {"conv-b"}
    assert clock.pending == 0


async def test_a_streamed_chunk_stops_typing_too() -> None:
    clock = Clock()
    app = _app(clock)
    pending_after_chunk: list[int] = []

    @app.activity("message")
    async def streams(context: TurnContext, state: TurnState) -> None:
        await clock.wait_for_sleepers(1)
        clock.release_all()
        await clock.wait_for_sleepers(1)
        chunk = Activity.model_validate(
            {
                "type": "typing",
                "text": "part",
                "entities": [{"type": "streaminfo", "streamType": "streaming"}],
            }
        )
        await context.send_activity(chunk)
        pending_after_chunk.append(clock.pending)

    result = await AgentTester(app).send("hi")

    assert pending_after_chunk == [0]
    assert [(a.type, a.text) for a in result.replies] == [("typing", None), ("typing", "part")]


async def test_failed_typing_sends_are_logged_and_the_turn_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()

    class NoTypingAdapter(TestAdapter):
        async def send_activities(
            self, context: TurnContext, activities: Sequence[Activity]
        ) -> list[ResourceResponse]:
            if activities[0].type == "typing":
                raise ConnectionError("channel down")
            return await super().send_activities(context, activities)

    app = _app(clock)

    @app.activity("message")
    async def handler(context: TurnContext, state: TurnState) -> None:
        await clock.wait_for_sleepers(1)
        clock.release_all()
        await clock.wait_for_sleepers(1)  # the typing failed; the loop waits again
        await context.send_activity("done")

    with caplog.at_level(logging.WARNING):
        result = await AgentTester(app, adapter=NoTypingAdapter()).send("hi")

    assert result.texts == ["done"]
    assert "could not send a typing activity" in caplog.text


class _RecordingIndicator(TypingIndicator):
    started: list[str | None] = []

    def start(self) -> None:
        _RecordingIndicator.started.append(self._context.activity.type)
        super().start()


async def test_no_indicator_for_typing_activities_or_when_switched_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_agent_application, "TypingIndicator", _RecordingIndicator)
    _RecordingIndicator.started = []
    on = AgentApplication[TurnState](storage=MemoryStorage())
    off = AgentApplication[TurnState](storage=MemoryStorage(), start_typing_timer=False)

    await AgentTester(on).send({"type": "typing"})
    await AgentTester(on).send("hi")
    await AgentTester(off).send("hi")

    assert _RecordingIndicator.started == ["message"]


async def test_pva_studio_has_its_own_faster_timings() -> None:
    clock = Clock()
    app = _app(clock)

    @app.activity("message")
    async def slow(context: TurnContext, state: TurnState) -> None:
        await clock.wait_for_sleepers(1)
        clock.release_all()
        await clock.wait_for_sleepers(1)
        await context.send_activity("done")

    result = await AgentTester(app, channel_id="pva-studio").send("hi")

    assert clock.delays == [0.25, 1.0]
    assert _types(result.replies) == ["typing", "message"]


def test_typing_options_keep_a_given_pva_studio_strategy_and_match_base_channels() -> None:
    teams = TypingChannelStrategy(initial_delay_ms=100, interval_ms=2000)
    pva = TypingChannelStrategy(initial_delay_ms=1, interval_ms=5)
    options = TypingOptions(channel_strategies={"msteams": teams, "pva-studio": pva})

    assert TypingOptions().strategy_for("pva-studio") == TypingChannelStrategy(250, 1000)
    assert options.strategy_for("pva-studio") == pva
    assert options.strategy_for("msteams:COPILOT") == teams
    assert options.strategy_for("webchat") == TypingChannelStrategy(500, 10000)
    with pytest.raises(ValueError, match="interval_ms must be more than 0"):
        TypingOptions(interval_ms=0)


async def test_the_indicator_works_on_its_own_as_a_context_manager() -> None:
    clock = Clock()
    adapter = TestAdapter()
    tester = AgentTester(_app(clock), adapter=adapter)
    context = TurnContext(adapter, tester.make_activity("hi"))

    async with TypingIndicator(context, interval_seconds=2, _sleep=clock.sleep) as typing:
        await clock.wait_for_sleepers(1)
        clock.release_all()
        await clock.wait_for_sleepers(1)
        running_inside = typing.running

    assert running_inside
    assert not typing.running
    assert clock.delays == [0.5, 2]
    assert _types(adapter.sent) == ["typing"]
    assert clock.pending == 0


async def test_no_typing_for_an_expect_replies_request() -> None:
    """All replies of expectReplies arrive at once in the HTTP answer; typing has no place."""
    clock = Clock()
    adapter = TestAdapter()
    tester = AgentTester(_app(clock), adapter=adapter)
    context = TurnContext(adapter, tester.make_activity("hi", delivery_mode="expectReplies"))

    indicator = TypingIndicator(context, _sleep=clock.sleep)
    indicator.start()

    assert not indicator.running
    await indicator.stop()
    assert clock.delays == []
    assert adapter.sent == []
