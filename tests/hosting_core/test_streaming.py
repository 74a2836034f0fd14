"""StreamingResponse (protocol §10), driven by a virtual clock and a recording channel.

Each test builds a turn for one channel (Teams personal chat, Web Chat, the Emulator, ...)
on :class:`RecordingAdapter`, which records what the agent sends and can refuse sends the
way a channel does. :class:`VirtualTime` replaces the clock and ``asyncio.sleep`` of the
stream, so pacing, keep-alives and the time limit are checked without waiting.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from microsoft_agents.activity import Activity, ResourceResponse, SensitivityUsageInfo
from microsoft_agents.hosting.core import (
    AgentApplication,
    Citation,
    CitationUtil,
    MemoryStorage,
    ServiceError,
    StreamingError,
    StreamingResponse,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core._turn_context import REPLY_SINK_KEY
from microsoft_agents.hosting.core.app.streaming import StreamingPolicy, streaming_policy
from microsoft_agents.hosting.core.testing import TestAdapter

TIMEOUT = 5.0

# ---------------------------------------------------------------------- fakes


class VirtualTime:
    """A clock and a sleep that only move when the test says so."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._changed = asyncio.Event()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._order), future))
        self._changed.set()
        await future

    async def wait_for_sleeper(self) -> None:
        """Wait until something sleeps (the sender reached its next wait)."""
        while not any(not f.done() for _, _, f in self._sleepers):
            self._changed.clear()
            await asyncio.wait_for(self._changed.wait(), TIMEOUT)

    async def advance(self, seconds: float) -> None:
        """Move time forward, waking every sleeper whose time has come."""
        target = self.now + seconds
        while self._sleepers and self._sleepers[0][0] <= target:
            deadline, _, future = heapq.heappop(self._sleepers)
            self.now = max(self.now, deadline)
            if not future.done():
                future.set_result(None)
        self.now = target


class RecordingAdapter(TestAdapter):
    """Records sends in a queue; ``refuse`` makes matching sends fail like a channel."""

    def __init__(self) -> None:
        super().__init__()
        self.outbox: asyncio.Queue[Activity] = asyncio.Queue()
        self.refuse: Callable[[Activity], ServiceError | None] = lambda _: None
        self.receipt_ids: Callable[[int], str | None] = lambda n: f"resp-{n}"
        self._count = itertools.count(1)

    async def send_activities(
        self, context: TurnContext, activities: Sequence[Activity]
    ) -> list[ResourceResponse]:
        receipts = []
        for activity in activities:
            error = self.refuse(activity)
            if error is not None:
                raise error
            self.sent.append(activity)
            self.outbox.put_nowait(activity)
            receipts.append(ResourceResponse(id=self.receipt_ids(next(self._count))))
        return receipts

    async def next_sent(self) -> Activity:
        return await asyncio.wait_for(self.outbox.get(), TIMEOUT)


def refusal(status: int = 403, code: str | None = "ContentStreamNotAllowed") -> ServiceError:
    return ServiceError(
        "channel said no",
        status=status,
        method="POST",
        url="https://smba.trafficmanager.net/amer/v3/conversations/c1/activities/m1",
        code=code,
    )


def incoming(
    channel: str = "msteams", conversation_type: str | None = "personal", **fields: Any
) -> Activity:
    conversation: dict[str, Any] = {"id": "c1"}
    if conversation_type is not None:
        conversation["conversationType"] = conversation_type
    payload: dict[str, Any] = {
        "type": "message",
        "id": "m1",
        "channelId": channel,
        "serviceUrl": "https://smba.trafficmanager.net/amer/",
        "from": {"id": "user-1", "name": "Ann"},
        "recipient": {"id": "agent-1", "name": "Agent"},
        "conversation": conversation,
        "text": "hi",
    }
    activity = Activity.model_validate(payload)
    for name, value in fields.items():
        setattr(activity, name, value)
    return activity


def stream_for(
    activity: Activity, time: VirtualTime | None = None
) -> tuple[StreamingResponse, RecordingAdapter]:
    adapter = RecordingAdapter()
    context = TurnContext(adapter, activity)
    time = time or VirtualTime()
    response = StreamingResponse(context, _sleep=time.sleep, _clock=time.clock)
    return response, adapter


def info(activity: Activity) -> dict[str, Any]:
    """The one streaminfo entity of ``activity``, as JSON (A9246: never two)."""
    found = [e for e in activity.to_wire()["entities"] if e["type"] == "streaminfo"]
    assert len(found) == 1
    return found[0]


def wire(activity: Activity) -> dict[str, Any]:
    return activity.to_wire(exclude_none=True)


def ai_entity(activity: Activity) -> dict[str, Any] | None:
    for entity in wire(activity).get("entities", []):
        if entity["type"] == "https://schema.org/Message":
            return entity
    return None


# ---------------------------------------------------------------------- the policy table


@pytest.mark.parametrize(
    ("activity", "streams", "interval", "from_channel"),
    [
        (incoming("msteams", "personal"), True, 1.0, True),
        (incoming("msteams:COPILOT", "personal"), True, 1.0, True),
        (incoming("webchat", None), True, 0.5, False),
        (incoming("directline", None), True, 0.5, False),
        (incoming("emulator", None, delivery_mode="stream"), True, 0.1, False),
        (incoming("msteams", "groupChat"), False, None, None),
        (incoming("msteams", "channel"), False, None, None),
        (incoming("webchat", None, delivery_mode="expectReplies"), False, None, None),
        (incoming("msteams", "personal", delivery_mode="expectReplies"), False, None, None),
        (incoming("emulator", None), False, None, None),
        (incoming("test", None), False, None, None),
    ],
)
def test_capability_table(
    activity: Activity, streams: bool, interval: float | None, from_channel: bool | None
) -> None:
    policy = streaming_policy(activity)
    assert policy.streams is streams
    if streams:
        assert policy.interval == interval
        assert policy.stream_id_from_channel is from_channel
        assert policy.keep_alive is not None
        assert policy.time_limit is not None
    else:
        assert policy.reason


def test_stream_delivery_streams_only_where_the_adapter_answers_over_http() -> None:
    activity = incoming("emulator", None, delivery_mode="stream")
    assert streaming_policy(activity).interval == 0.1
    # An adapter without a reply sink handles the request as a normal delivery.
    assert not streaming_policy(activity, http_stream=False).streams
    teams = incoming("msteams", "personal", delivery_mode="stream")
    assert streaming_policy(teams, http_stream=False).interval == 1.0

    context = TurnContext(TestAdapter(), activity)
    assert not context.streaming_response.is_streaming_channel
    answered_over_http = TurnContext(TestAdapter(), activity)
    answered_over_http.turn_state[REPLY_SINK_KEY] = lambda reply: None
    assert answered_over_http.streaming_response.is_streaming_channel


def test_teams_agentic_requests_do_not_stream() -> None:
    activity = incoming("msteams", "personal")
    activity.recipient.role = "agenticAppInstance"  # type: ignore[union-attr]
    policy = streaming_policy(activity)
    assert not policy.streams
    assert "agentic" in policy.reason


def test_policy_rejects_nonsense_values() -> None:
    with pytest.raises(ValueError, match="interval"):
        StreamingPolicy(streams=True, interval=-1)
    with pytest.raises(ValueError, match="keep_alive"):
        StreamingPolicy(streams=True, keep_alive=0)


# ---------------------------------------------------------------------- Teams


async def test_teams_stream_sequence_A9240_A9241_A9242() -> None:
    """A9240, A9241, A9242, A9246: typing updates with streaminfo, then the final message."""
    time = VirtualTime()
    stream, adapter = stream_for(incoming("msteams", "personal"), time)
    stream.set_feedback_loop(True)
    stream.set_citations([Citation(content="Leave is 25 days.", title="HR policy")])

    stream.queue_informative_update("working")
    first = await adapter.next_sent()
    assert first.type == "typing"
    assert first.text == "working"
    assert info(first) == {"type": "streaminfo", "streamType": "informative", "streamSequence": 1}

    stream.queue_text_chunk("part0 ")
    stream.queue_text_chunk("part1 see [doc1]")
    await time.wait_for_sleeper()
    await time.advance(1.0)
    second = await adapter.next_sent()
    assert second.type == "typing"
    assert second.text == "part0 part1 see [1]"
    assert info(second) == {
        "type": "streaminfo",
        "streamType": "streaming",
        "streamSequence": 2,
        "streamId": "resp-1",
    }

    ending = asyncio.ensure_future(stream.end_stream())
    await time.wait_for_sleeper()
    await time.advance(1.0)
    final = await adapter.next_sent()
    await asyncio.wait_for(ending, TIMEOUT)
    assert final.type == "message"
    assert final.text == "part0 part1 see [1]"
    assert info(final) == {
        "type": "streaminfo",
        "streamType": "final",
        "streamSequence": 3,
        "streamId": "resp-1",
        "feedbackLoopEnabled": True,
    }
    entity = ai_entity(final)
    assert entity is not None
    assert [c["position"] for c in entity["citation"]] == [1]
    assert entity["citation"][0]["appearance"]["name"] == "HR policy"
    assert stream.ended
    assert adapter.outbox.empty()


async def test_chunks_queued_between_sends_are_merged_A9243_A9244() -> None:
    """A9243, A9244: updates are paced; chunks queued meanwhile go out as one update."""
    time = VirtualTime()
    stream, adapter = stream_for(incoming("msteams", "personal"), time)
    stream.queue_text_chunk("a")
    assert (await adapter.next_sent()).text == "a"
    for piece in "bcd":
        stream.queue_text_chunk(piece)
    await time.wait_for_sleeper()
    await time.advance(0.5)
    assert adapter.outbox.empty()  # the channel's pace (1 s) is not over yet
    await time.advance(0.5)
    merged = await adapter.next_sent()
    assert merged.text == "abcd"
    assert info(merged)["streamSequence"] == 2
    await time.wait_for_sleeper()
    assert adapter.outbox.empty()


async def test_end_before_a_pending_chunk_sends_only_the_final_message() -> None:
    time = VirtualTime()
    stream, adapter = stream_for(incoming("msteams", "personal"), time)
    stream.queue_text_chunk("one ")
    await adapter.next_sent()
    stream.queue_text_chunk("two")
    ending = asyncio.ensure_future(stream.end_stream())
    await time.wait_for_sleeper()
    await time.advance(1.0)
    final = await adapter.next_sent()
    await asyncio.wait_for(ending, TIMEOUT)
    assert final.type == "message"
    assert final.text == "one two"
    assert info(final)["streamSequence"] == 2
    assert [a.type for a in adapter.sent] == ["typing", "message"]


# ---------------------------------------------------------------------- other channels


async def test_web_chat_uses_one_generated_stream_id_on_every_activity() -> None:
    time = VirtualTime()
    stream, adapter = stream_for(incoming("webchat", None), time)
    stream.queue_informative_update("thinking")
    await adapter.next_sent()
    stream.queue_text_chunk("x")
    await time.wait_for_sleeper()
    await time.advance(0.5)
    await adapter.next_sent()
    ending = asyncio.ensure_future(stream.end_stream())
    await time.wait_for_sleeper()
    await time.advance(0.5)
    await asyncio.wait_for(ending, TIMEOUT)
    ids = {info(a).get("streamId") for a in adapter.sent}
    assert len(ids) == 1
    (stream_id,) = ids
    assert stream_id
    assert stream.stream_id == stream_id
    assert [info(a)["streamSequence"] for a in adapter.sent] == [1, 2, 3]


async def test_emulator_gets_only_the_final_message_A9247() -> None:
    """A9247: a channel without streaming gets one message with the whole text."""
    stream, adapter = stream_for(incoming("emulator", None))
    stream.queue_informative_update("ignored here")
    for piece in ("This is ", "a streaming ", "response."):
        stream.queue_text_chunk(piece)
    assert not stream.is_streaming_channel
    await stream.end_stream()
    assert len(adapter.sent) == 1
    final = adapter.sent[0]
    assert final.type == "message"
    assert final.text == "This is a streaming response."
    assert info(final) == {
        "type": "streaminfo",
        "streamType": "final",
        "streamSequence": 1,
        "feedbackLoopEnabled": False,
    }


async def test_teams_group_chat_gets_a_plain_message(caplog: pytest.LogCaptureFixture) -> None:
    stream, adapter = stream_for(incoming("msteams", "groupChat"))
    stream.set_feedback_loop(True)
    with caplog.at_level(logging.INFO, "microsoft_agents.hosting.core.app.streaming"):
        stream.queue_text_chunk("Hello team")
        stream.queue_text_chunk("!")
    await stream.end_stream()
    (message,) = adapter.sent
    body = wire(message)
    assert body["text"] == "Hello team!"
    assert "entities" not in body
    assert body["channelData"] == {"feedbackLoopEnabled": True}
    reasons = [r.getMessage() for r in caplog.records]
    assert sum("personal" in text for text in reasons) == 1


async def test_expect_replies_never_streams() -> None:
    context = TurnContext(TestAdapter(), incoming("webchat", None, delivery_mode="expectReplies"))
    stream = context.streaming_response
    stream.queue_informative_update("nope")
    stream.queue_text_chunk("all at once")
    await stream.end_stream()
    replies = context.buffered_reply_activities
    assert [a.type for a in replies] == ["message"]
    assert replies[0].text == "all at once"


# ---------------------------------------------------------------------- refusals


async def test_refused_update_falls_back_to_one_normal_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    time = VirtualTime()
    stream, adapter = stream_for(incoming("msteams", "personal"), time)
    attempts: list[str | None] = []

    def channel(activity: Activity) -> ServiceError | None:
        # The channel takes the first update, then refuses the stream (not plain typing).
        attempts.append(activity.text)
        streamed = any(e.type == "streaminfo" for e in activity.entities or ())
        return refusal() if streamed and adapter.sent else None

    adapter.refuse = channel
    stream.queue_text_chunk("a")
    await adapter.next_sent()
    stream.queue_text_chunk("b")
    with caplog.at_level(logging.WARNING):
        await time.wait_for_sleeper()
        await time.advance(1.0)
        await stream.wait_for_queue()
        # The refused update, then a plain typing: the user still sees the agent working.
        assert attempts == ["a", "ab", None]
        stream.queue_text_chunk("c")  # queued after the refusal: not streamed
        await stream.wait_for_queue()
        await time.advance(10.0)
        await stream.end_stream()
    assert attempts == ["a", "ab", None, "abc"]
    assert "ContentStreamNotAllowed" in (stream.fallback_reason or "")
    final = adapter.sent[-1]
    body = wire(final)
    assert body["type"] == "message"
    assert body["text"] == "abc"
    assert all(e["type"] != "streaminfo" for e in body.get("entities", []))
    assert [a.type for a in adapter.sent] == ["typing", "typing", "message"]
    assert adapter.sent[1].entities is None  # plain typing, no streaminfo
    assert any("ContentStreamNotAllowed" in r.getMessage() for r in caplog.records)


async def test_after_a_fallback_plain_typing_keeps_the_user_informed_until_the_answer() -> None:
    time = VirtualTime()
    stream, adapter = stream_for(incoming("msteams", "personal"), time)
    adapter.refuse = (
        lambda a: refusal() if any(e.type == "streaminfo" for e in a.entities or ()) else None
    )
    keep_alive = streaming_policy(incoming("msteams", "personal")).keep_alive
    assert keep_alive is not None
    stream.queue_text_chunk("a long answer")
    await stream.wait_for_queue()  # refused at once: a plain typing goes instead
    assert [(a.type, a.entities) for a in adapter.sent] == [("typing", None)]
    await adapter.next_sent()
    for beat in (2, 3):
        await time.wait_for_sleeper()
        await time.advance(keep_alive)
        await adapter.next_sent()
        assert [(a.type, a.entities) for a in adapter.sent] == [("typing", None)] * beat
    await stream.end_stream()
    assert [a.type for a in adapter.sent] == ["typing"] * 3 + ["message"]
    assert adapter.sent[-1].text == "a long answer"


async def test_a_stream_refused_at_its_final_first_activity_arrives_as_a_normal_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stream, adapter = stream_for(incoming("msteams", "personal"))
    adapter.refuse = (
        lambda a: refusal() if any(e.type == "streaminfo" for e in a.entities or ()) else None
    )
    stream.queue_text_chunk("the answer")
    with caplog.at_level(logging.WARNING):
        await stream.end_stream()  # before any update went out: the final is the first
    assert [(a.type, a.text, a.entities) for a in adapter.sent] == [("message", "the answer", None)]
    assert "ContentStreamNotAllowed" in (stream.fallback_reason or "")
    assert any("refused the final streamed message" in r.getMessage() for r in caplog.records)


async def test_a_first_final_message_that_fails_otherwise_is_raised_not_resent() -> None:
    stream, adapter = stream_for(incoming("msteams", "personal"))
    adapter.refuse = lambda a: refusal(502, None)
    stream.queue_text_chunk("the answer")
    with pytest.raises(ServiceError):
        await stream.end_stream()
    assert adapter.sent == []
    assert stream.fallback_reason is None


async def test_an_update_that_cannot_be_sent_falls_back_and_says_why(
    caplog: pytest.LogCaptureFixture,
) -> None:
    time = VirtualTime()
    stream, adapter = stream_for(incoming("webchat", None), time)
    failures = iter([ConnectionResetError("connection reset by peer")])

    def flaky(activity: Activity) -> ServiceError | None:
        if activity.type == "typing":
            raise next(failures)
        return None

    adapter.refuse = flaky
    with caplog.at_level(logging.WARNING):
        stream.queue_text_chunk("first, ")
        await stream.wait_for_queue()  # the failure is not the handler's to catch
        stream.queue_text_chunk("then the rest")
        await stream.end_stream()
    assert [(a.type, a.text) for a in adapter.sent] == [("message", "first, then the rest")]
    assert "ConnectionResetError" in (stream.fallback_reason or "")
    assert any("ConnectionResetError" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    "failure",
    [refusal(502, None), refusal(429, "Throttled"), ConnectionResetError("connection reset")],
    ids=["502", "429", "connection reset"],
)
async def test_a_later_update_that_fails_stops_updates_and_the_final_closes_the_stream(
    failure: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    time = VirtualTime()
    stream, adapter = stream_for(incoming("msteams", "personal"), time)
    typings = 0

    def second_update_fails(activity: Activity) -> ServiceError | None:
        nonlocal typings
        if activity.type == "typing":
            typings += 1
            if typings == 2:
                raise failure
        return None

    adapter.refuse = second_update_fails
    with caplog.at_level(logging.WARNING):
        stream.queue_text_chunk("first, ")
        await adapter.next_sent()
        stream.queue_text_chunk("second, ")
        await time.wait_for_sleeper()
        await time.advance(1.0)
        await stream.wait_for_queue()  # the failed update: nothing for the handler
        stream.queue_text_chunk("the rest")  # not streamed any more
        await stream.wait_for_queue()
        await stream.end_stream()
    assert typings == 2
    assert [a.type for a in adapter.sent] == ["typing", "message"]
    final = wire(adapter.sent[-1])
    assert final["text"] == "first, second, the rest"
    [info] = [e for e in final["entities"] if e["type"] == "streaminfo"]
    assert info["streamType"] == "final"  # the stream the channel shows is closed
    assert "streamResult" not in info
    assert stream.fallback_reason is None
    assert any("will close the stream" in r.getMessage() for r in caplog.records)


async def test_refused_final_message_is_sent_again_as_a_normal_message() -> None:
    time = VirtualTime()
    stream, adapter = stream_for(incoming("msteams", "personal"), time)
    adapter.refuse = (
        lambda a: refusal(400, "BadArgument")
        if a.type == "message" and any(e.type == "streaminfo" for e in a.entities or ())
        else None
    )
    stream.queue_text_chunk("complete answer")
    await adapter.next_sent()
    ending = asyncio.ensure_future(stream.end_stream())
    await time.wait_for_sleeper()
    await time.advance(1.0)
    await asyncio.wait_for(ending, TIMEOUT)
    final = adapter.sent[-1]
    assert final.type == "message"
    assert final.text == "complete answer"
    assert not final.entities
    assert "BadArgument" in (stream.fallback_reason or "")


async def test_a_final_message_nobody_takes_is_an_error_not_silence() -> None:
    stream, adapter = stream_for(incoming("msteams", "personal"))
    stream.policy = StreamingPolicy(streams=True, interval=0, stream_id_from_channel=True)
    adapter.refuse = lambda a: refusal(500, None) if a.type == "message" else None
    stream.queue_text_chunk("x")
    await adapter.next_sent()
    with pytest.raises(ServiceError):
        await stream.end_stream()


async def test_teams_without_an_id_for_the_first_update_falls_back() -> None:
    time = VirtualTime()
    stream, adapter = stream_for(incoming("msteams", "personal"), time)
    adapter.receipt_ids = lambda _: None
    stream.queue_informative_update("working")
    await adapter.next_sent()
    stream.queue_text_chunk("answer")
    ending = asyncio.ensure_future(stream.end_stream())
    await asyncio.wait_for(ending, TIMEOUT)
    assert "no id" in (stream.fallback_reason or "")
    assert [a.type for a in adapter.sent] == ["typing", "message"]
    assert adapter.sent[-1].text == "answer"
    assert not adapter.sent[-1].entities


# ---------------------------------------------------------------------- keep-alive and limits


async def test_keep_alive_repeats_the_last_update_while_the_agent_is_quiet() -> None:
    time = VirtualTime()
    stream, adapter = stream_for(incoming("msteams", "personal"), time)
    stream.queue_informative_update("Searching...")
    await adapter.next_sent()
    await time.wait_for_sleeper()
    await time.advance(1.0)  # pacing over; now waiting for work or the keep-alive
    await time.wait_for_sleeper()
    await time.advance(14.0)  # 15 s after the update: the keep-alive is due
    again = await adapter.next_sent()
    assert again.type == "typing"
    assert again.text == "Searching..."
    assert info(again)["streamType"] == "informative"
    assert info(again)["streamSequence"] == 2

    stream.queue_text_chunk("Found it")
    await time.wait_for_sleeper()
    await time.advance(1.0)
    assert (await adapter.next_sent()).text == "Found it"
    await time.wait_for_sleeper()
    await time.advance(1.0)
    await time.wait_for_sleeper()
    await time.advance(15.0)
    repeat = await adapter.next_sent()
    assert info(repeat)["streamType"] == "streaming"
    assert repeat.text == "Found it"
    assert info(repeat)["streamSequence"] == 4


async def test_time_limit_closes_the_stream_then_the_whole_text_follows_A9244() -> None:
    """A9244: the stream gives up after its time limit with streamResult timeout."""
    time = VirtualTime()
    stream, adapter = stream_for(incoming("webchat", None), time)
    stream.policy = StreamingPolicy(streams=True, interval=0.5, keep_alive=None, time_limit=30)
    stream.queue_text_chunk("first part, ")
    await adapter.next_sent()
    await time.wait_for_sleeper()
    await time.advance(0.5)
    await time.wait_for_sleeper()
    await time.advance(30)
    closing = await adapter.next_sent()
    assert closing.type == "message"
    assert info(closing)["streamType"] == "final"
    assert info(closing)["streamResult"] == "timeout"
    assert closing.text == "first part, "

    stream.queue_text_chunk("second part.")
    await stream.end_stream()
    last = adapter.sent[-1]
    assert last.text == "first part, second part."
    assert not last.entities
    assert "time limit" in (stream.fallback_reason or "")


async def test_after_the_time_limit_a_text_the_closing_message_had_is_not_sent_again() -> None:
    time = VirtualTime()
    stream, adapter = stream_for(incoming("webchat", None), time)
    stream.policy = StreamingPolicy(streams=True, interval=0.5, keep_alive=None, time_limit=30)
    stream.queue_text_chunk("the whole answer")
    await adapter.next_sent()
    await time.wait_for_sleeper()
    await time.advance(0.5)
    await time.wait_for_sleeper()
    await time.advance(30)
    closing = await adapter.next_sent()
    assert info(closing)["streamResult"] == "timeout"

    await stream.end_stream()
    assert [(a.type, a.text, a.entities) for a in adapter.sent[1:]] == [
        ("message", "the whole answer", closing.entities),
        ("typing", None, None),  # the agent may still be writing: plain typing
    ]


# ---------------------------------------------------------------------- misuse


async def test_after_the_end_nothing_more_can_be_queued() -> None:
    stream, _ = stream_for(incoming("webchat", None))
    stream.policy = StreamingPolicy(streams=True, interval=0)
    stream.queue_text_chunk("done")
    await stream.end_stream()
    with pytest.raises(StreamingError, match="already ended"):
        stream.queue_text_chunk("more")
    with pytest.raises(RuntimeError):
        await stream.end_stream()
    with pytest.raises(StreamingError):
        stream.queue_informative_update("late")


async def test_informative_update_after_the_end_is_ignored_where_nothing_streams() -> None:
    stream, adapter = stream_for(incoming("emulator", None))
    stream.queue_text_chunk("x")
    await stream.end_stream()
    stream.queue_informative_update("late")  # no error: the channel never shows them
    assert len(adapter.sent) == 1


def test_a_response_without_a_turn_keeps_settings_but_cannot_send() -> None:
    response = StreamingResponse(citations=[Citation(content="Source info", title="Reference")])
    assert response.citations[0].appearance.name == "Reference"
    assert not response.is_streaming_channel
    with pytest.raises(StreamingError, match="not attached to a turn"):
        response.queue_text_chunk("hello")


async def test_policy_cannot_change_once_streaming() -> None:
    stream, adapter = stream_for(incoming("webchat", None))
    stream.queue_text_chunk("x")
    await adapter.next_sent()
    with pytest.raises(StreamingError, match="policy"):
        stream.policy = StreamingPolicy(streams=False)


async def test_a_failing_adapter_error_reaches_end_stream() -> None:
    stream, adapter = stream_for(incoming("webchat", None))

    def broken(activity: Activity) -> ServiceError | None:
        raise KeyError("bug in the adapter")

    adapter.refuse = broken
    stream.queue_text_chunk("x")
    with pytest.raises(KeyError):
        await stream.end_stream()


async def test_reset_starts_a_new_stream_with_a_new_id() -> None:
    stream, adapter = stream_for(incoming("webchat", None))
    stream.policy = StreamingPolicy(streams=True, interval=0)
    stream.queue_text_chunk("first")
    await stream.end_stream()
    first_id = stream.stream_id
    await stream.reset()
    assert not stream.ended
    assert stream.get_message() == ""
    stream.queue_text_chunk("second")
    await stream.end_stream()
    assert stream.stream_id != first_id
    assert [info(a)["streamSequence"] for a in adapter.sent] == [1, 1]
    assert [a.text for a in adapter.sent] == ["first", "second"]


# ---------------------------------------------------------------------- labels


async def test_ai_label_and_sensitivity_label_without_citations() -> None:
    stream, adapter = stream_for(incoming("emulator", None))
    stream.set_generated_by_ai_label(True)
    label = SensitivityUsageInfo(name="Internal", description="Internal use only")
    stream.set_sensitivity_label(label)
    stream.queue_text_chunk("no sources cited")
    await stream.end_stream()
    entity = ai_entity(adapter.sent[0])
    assert entity is not None
    assert entity["additionalType"] == ["AIGeneratedContent"]
    assert entity["usageInfo"]["name"] == "Internal"
    assert "citation" not in entity


async def test_feedback_loop_type_goes_in_the_final_streaminfo() -> None:
    stream, adapter = stream_for(incoming("emulator", None))
    stream.set_feedback_loop(True)
    stream.set_feedback_loop_type("custom")
    stream.queue_text_chunk("rate me")
    await stream.end_stream()
    assert info(adapter.sent[0])["feedbackLoop"] == {"type": "custom"}


async def test_attachments_go_on_the_final_message() -> None:
    from microsoft_agents.hosting.core import CardFactory

    stream, adapter = stream_for(incoming("emulator", None))
    stream.add_attachment(CardFactory.adaptive_card({"type": "AdaptiveCard"}))
    await stream.end_stream()
    final = adapter.sent[0]
    assert final.attachments is not None
    assert final.attachments[0].content_type == "application/vnd.microsoft.card.adaptive"
    assert final.text is None


# ---------------------------------------------------------------------- citations


def test_citation_util() -> None:
    assert CitationUtil.format_citations_response("see [doc1] and [docs2]") == "see [1] and [2]"
    assert CitationUtil.snippet("short", 10) == "short"
    assert CitationUtil.snippet("one two three four", 12) == "one two..."
    assert len(CitationUtil.snippet("x" * 600, 480)) == 480
    with pytest.raises(ValueError, match="max_length"):
        CitationUtil.snippet("x", 0)
    response = StreamingResponse()
    response.set_citations([Citation(content="a"), Citation(content="b", url="https://b")])
    used = CitationUtil.get_used_citations("only [2]", response.citations)
    assert [c.position for c in used] == [2]
    assert used[0].appearance.url == "https://b"
    assert response.citations[0].appearance.name == "Document #1"
    assert CitationUtil.get_used_citations("none", response.citations) == []


# ---------------------------------------------------------------------- the turn's end


def _teams_app() -> AgentApplication[TurnState]:
    return AgentApplication[TurnState](storage=MemoryStorage(), start_typing_timer=False)


async def _run_turn(app: AgentApplication[TurnState], adapter: RecordingAdapter) -> None:
    context = TurnContext(adapter, incoming("msteams", "personal"))
    context.streaming_response.policy = StreamingPolicy(
        streams=True, interval=0, stream_id_from_channel=True
    )
    await adapter.run_pipeline(context, app.on_turn)


async def test_a_failing_handler_closes_its_stream_with_an_error_result() -> None:
    app = _teams_app()
    errors: list[str] = []

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        context.streaming_response.queue_text_chunk("half an ans")
        await context.streaming_response.wait_for_queue()
        raise RuntimeError("model crashed")

    @app.error
    async def on_error(context: TurnContext, error: Exception) -> None:
        errors.append(str(error))
        await context.send_activity("Sorry, something went wrong.")

    adapter = RecordingAdapter()
    await _run_turn(app, adapter)
    assert errors == ["model crashed"]
    kinds = [(a.type, a.text) for a in adapter.sent]
    assert kinds == [
        ("typing", "half an ans"),
        ("message", "half an ans"),
        ("message", "Sorry, something went wrong."),
    ]
    assert info(adapter.sent[1])["streamResult"] == "error"
    assert info(adapter.sent[1])["streamId"] == "resp-1"


async def test_a_stream_left_open_is_ended_for_the_handler(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = _teams_app()

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        context.streaming_response.queue_text_chunk("forgot to end")

    adapter = RecordingAdapter()
    with caplog.at_level(logging.WARNING):
        await _run_turn(app, adapter)
    final = adapter.sent[-1]
    assert final.type == "message"
    assert final.text == "forgot to end"
    assert info(final)["streamType"] == "final"
    assert "streamResult" not in info(final)
    assert any("without end_stream" in r.getMessage() for r in caplog.records)


async def test_a_stream_left_open_whose_end_fails_goes_to_the_error_handler() -> None:
    app = _teams_app()
    errors: list[Exception] = []

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        context.streaming_response.queue_text_chunk("never ended")

    async def on_turn_error(context: TurnContext, error: Exception) -> None:
        errors.append(error)

    adapter = RecordingAdapter()
    # The stream is ended after the application's turn: the adapter's handler hears of it.
    adapter.on_turn_error = on_turn_error
    adapter.refuse = lambda a: refusal(500, None) if a.type == "message" else None
    await _run_turn(app, adapter)
    assert [type(e) for e in errors] == [ServiceError]


async def test_a_failing_turn_after_a_refusal_still_sends_the_text_gathered() -> None:
    app = _teams_app()

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        stream = context.streaming_response
        stream.queue_text_chunk("a ")
        await stream.wait_for_queue()
        stream.queue_text_chunk("b ")
        await stream.wait_for_queue()  # refused: the stream falls back
        raise RuntimeError("model crashed")

    @app.error
    async def on_error(context: TurnContext, error: Exception) -> None:
        await context.send_activity("Sorry.")

    adapter = RecordingAdapter()
    adapter.refuse = lambda a: refusal() if a.type == "typing" and adapter.sent else None
    await _run_turn(app, adapter)
    assert [(a.type, a.text, a.entities) for a in adapter.sent] == [
        ("typing", "a ", adapter.sent[0].entities),
        ("message", "a b ", None),
        ("message", "Sorry.", None),
    ]


@pytest.mark.parametrize("ending", ["raises", "is cancelled"])
async def test_a_turn_ending_badly_after_a_fallen_back_stream_ended_sends_no_second_copy(
    ending: str,
) -> None:
    app = _teams_app()
    ended = asyncio.Event()

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        stream = context.streaming_response
        stream.queue_text_chunk("The answer ")
        await stream.wait_for_queue()
        stream.queue_text_chunk("is 42.")
        await stream.wait_for_queue()  # refused: the stream falls back
        await stream.end_stream()  # the whole answer goes as one normal message
        ended.set()
        if ending == "raises":
            raise RuntimeError("saving the conversation failed")
        await asyncio.Event().wait()  # until cancelled

    @app.error
    async def on_error(context: TurnContext, error: Exception) -> None:
        await context.send_activity("Sorry.")

    adapter = RecordingAdapter()
    adapter.refuse = lambda a: refusal() if a.type == "typing" and adapter.sent else None
    turn = asyncio.ensure_future(_run_turn(app, adapter))
    await asyncio.wait_for(ended.wait(), 5)
    if ending == "is cancelled":
        turn.cancel()
    await asyncio.gather(turn, return_exceptions=True)
    answers = [a.text for a in adapter.sent if a.type == "message"]
    expected = ["The answer is 42.", "Sorry."] if ending == "raises" else ["The answer is 42."]
    assert answers == expected


async def test_a_cancelled_turn_closes_its_stream_as_cancelled() -> None:
    app = _teams_app()
    started = asyncio.Event()

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        context.streaming_response.queue_text_chunk("partial")
        await context.streaming_response.wait_for_queue()
        started.set()
        await asyncio.Event().wait()  # until cancelled

    adapter = RecordingAdapter()
    turn = asyncio.ensure_future(_run_turn(app, adapter))
    await asyncio.wait_for(started.wait(), TIMEOUT)
    turn.cancel()
    with pytest.raises(asyncio.CancelledError):
        await turn
    closing = adapter.sent[-1]
    assert closing.type == "message"
    assert info(closing)["streamResult"] == "cancelled"


async def test_a_response_only_looked_at_sends_nothing() -> None:
    app = _teams_app()

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        if not context.streaming_response.is_streaming_channel:
            await context.send_activity("no streaming here")

    adapter = RecordingAdapter()
    await _run_turn(app, adapter)
    assert adapter.sent == []


async def test_the_stream_is_one_per_turn() -> None:
    context = TurnContext(TestAdapter(), incoming("webchat", None))
    assert context.streaming_response is context.streaming_response
    assert TurnContext(context).streaming_response is not context.streaming_response
