"""``StreamingResponse``: an answer the user sees while the agent is still writing it.

Each turn has one, at ``context.streaming_response``. Queue what the user should see, then
end the stream; the response sends it at the pace the channel allows::

    stream = context.streaming_response
    stream.queue_informative_update("Looking through your documents...")
    async for piece in model.generate(prompt):
        stream.queue_text_chunk(piece)
    stream.set_citations(sources)
    await stream.end_stream()

On the wire (A9240-A9242): every update is a ``typing`` activity with a ``streaminfo``
entity (``streamType`` ``informative`` for status lines, ``streaming`` for text, which
always carries the whole text so far), numbered by ``streamSequence`` from 1, and the stream
closes with a ``message`` holding the complete text, the attachments, ``streamType: final``
and the AI entity (citations, sensitivity label, "AI generated" label). Whether and how
fast a channel streams comes from :mod:`the capability table
<microsoft_agents.hosting.core.app.streaming._policy>`; a channel that does not stream
gets only the final message.

Streaming never fails silently. Each time the answer cannot be streamed as asked, the
reason is logged (at INFO when the channel simply does not stream, at WARNING otherwise)
and the user still gets the whole text:

* the channel refuses the stream (Teams answers ``403`` with the code
  ``ContentStreamNotAllowed``), or the first update cannot be sent at all: no further
  updates are sent, and when the stream ends the whole text goes as one normal message;
  the same when the channel refuses the stream's first activity, its final message
  (matched on that code: any other failure of a final message is raised);
* a later update fails otherwise (a ``502``, a lost connection): no further updates are
  sent, and the final message closes the stream the channel shows, with the whole text
  (if that fails too, the text goes as one normal message);
* Teams gives the first update no id to continue the stream with: the same;
* the stream stays open past the channel's time limit: it is closed with
  ``streamResult: "timeout"`` and the text so far, and when the agent has written more
  by the end the whole text follows as one normal message;
* the agent goes quiet while a stream is open: the last update is sent again before the
  channel's keep-alive time runs out; once the stream has fallen back, a plain ``typing``
  goes at once and then at the same pace until the answer is sent;
* the turn fails, or is cancelled, with a stream open: the stream is closed with
  ``streamResult: "error"`` (or ``"cancelled"``) and the text gathered so far, before the
  turn's error handler runs (a stream the channel no longer takes gets that text as a
  normal message); a stream the agent forgot to end is ended for it, and a failure to
  do so reaches the turn's error handler.

Differences from the reference SDK, on purpose: the "AI generated" label and a sensitivity
label are sent even when the text cites nothing; the citations go on the final message
too, not only on the updates.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    AIEntity,
    Attachment,
    ClientCitation,
    ClientCitationAppearance,
    Entity,
    ResourceResponse,
    SensitivityUsageInfo,
    StreamInfo,
)
from microsoft_agents.hosting.core._errors import ServiceError, StreamingError
from microsoft_agents.hosting.core._turn_context import REPLY_SINK_KEY, send_typing

from ._citation import Citation, CitationUtil
from ._policy import StreamingPolicy, streaming_policy

if TYPE_CHECKING:
    from microsoft_agents.hosting.core._turn_context import TurnContext

__all__ = ["StreamResults", "StreamingResponse", "finish_turn_stream"]

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]

_INFORMATIVE = "informative"
_STREAMING = "streaming"
_FINAL = "final"
_EMPTY_FINAL_TEXT = "end stream response"
_UNFINISHED_TEXT = "The answer could not be completed."
_ABSTRACT_LENGTH = 480
_AI_GENERATED = "AIGeneratedContent"
_REFUSAL_CODES = frozenset({"ContentStreamNotAllowed"})


class StreamResults:
    """Values of ``streaminfo.streamResult`` on the message that closes a stream early."""

    timeout = "timeout"
    error = "error"
    cancelled = "cancelled"


class _Update:
    """A queued send: an informative line, the text so far, a keep-alive or the end."""

    __slots__ = ("kind", "text")

    def __init__(self, kind: str, text: str | None = None) -> None:
        self.kind = kind
        self.text = text


_TEXT = _Update("text")
_KEEP_ALIVE = _Update("keep-alive")
_END = _Update("end")
_STOP = _Update("stop")


class StreamingResponse:
    """The streamed answer of one turn (usually ``context.streaming_response``).

    Args:
        context: the turn to answer; a response created without one only collects
            settings, and sending raises :class:`StreamingError`.
        citations: the sources the answer may cite (as :meth:`set_citations`).
    """

    def __init__(
        self,
        context: TurnContext | None = None,
        *,
        citations: Sequence[Citation] | None = None,
        _sleep: Sleep | None = None,
        _clock: Clock | None = None,
    ) -> None:
        self._context = context
        self._policy = (
            streaming_policy(context.activity, http_stream=REPLY_SINK_KEY in context.turn_state)
            if context is not None
            else StreamingPolicy(streams=False, reason="not attached to a turn")
        )
        self._sleep: Sleep = _sleep if _sleep is not None else asyncio.sleep
        self._clock: Clock = _clock if _clock is not None else time.monotonic
        self._citations: list[ClientCitation] = []
        self._attachments: list[Attachment] = []
        self._sensitivity_label: SensitivityUsageInfo | None = None
        self._feedback_loop = False
        self._feedback_loop_type: str | None = None
        self._ai_label = False
        self._init_stream()
        if citations:
            self.set_citations(citations)

    def _init_stream(self) -> None:
        self._message = ""
        self._sequence = 1
        self._stream_id: str | None = None
        self._ended = False
        self._started_at: float | None = None
        self._last_sent_at = 0.0
        self._closed_on_channel = False
        self._closed_text: str | None = None
        # The answer went out as a normal message (a fallback, or a channel that does not
        # stream): a turn failing after that has nothing of the stream left to send.
        self._sent_plain = False
        # Why updates stopped while the channel still shows the stream (an update failed
        # for a reason other than a refusal of the stream): the final message closes it.
        self._updates_stopped: str | None = None
        self._sent_text = False
        self._last_informative: str | None = None
        self._fallback: str | None = None
        self._told_not_streaming = False
        self._used = False
        self._pending: deque[_Update] = deque()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._sender: asyncio.Task[None] | None = None
        self._failure: BaseException | None = None

    # ------------------------------------------------------------------ properties

    @property
    def policy(self) -> StreamingPolicy:
        """How this turn's channel takes the stream (see the capability table)."""
        return self._policy

    @policy.setter
    def policy(self, value: StreamingPolicy) -> None:
        if self._sequence > 1 or self._sender is not None:
            raise StreamingError(
                "the streaming policy can only be changed before anything is queued"
            )
        self._policy = value

    @property
    def is_streaming_channel(self) -> bool:
        """Whether intermediate updates are sent (False: only the final message)."""
        return self._policy.streams

    @property
    def stream_id(self) -> str | None:
        """The id every activity of the stream carries, once the stream has started."""
        return self._stream_id

    @property
    def ended(self) -> bool:
        """True once :meth:`end_stream` was called (or the turn ended the stream)."""
        return self._ended

    @property
    def fallback_reason(self) -> str | None:
        """Why the rest of the answer goes as one normal message, if it does."""
        return self._fallback

    @property
    def citations(self) -> list[ClientCitation]:
        """The citations the answer may refer to, numbered from 1."""
        return list(self._citations)

    def get_message(self) -> str:
        """The text queued so far (citation markers rewritten)."""
        return self._message

    # ------------------------------------------------------------------ settings

    def set_attachments(self, attachments: Sequence[Attachment]) -> None:
        """Attachments for the final message (replacing any set before)."""
        self._attachments = list(attachments)

    def add_attachment(self, attachment: Attachment) -> None:
        """Add an attachment to the final message."""
        self._attachments.append(attachment)

    def set_citations(self, citations: Sequence[Citation]) -> None:
        """Add sources the answer may cite, numbered after the ones already set.

        Each becomes a ``ClientCitation``: its position, its title (``Document #n`` when
        it has none), the first 480 characters of its content as abstract, and its URL.
        """
        for citation in citations:
            position = len(self._citations) + 1
            appearance = ClientCitationAppearance(
                name=citation.title or f"Document #{position}",
                abstract=CitationUtil.snippet(citation.content, _ABSTRACT_LENGTH),
            )
            if citation.url:
                appearance.url = citation.url
            self._citations.append(ClientCitation(position=position, appearance=appearance))

    def set_sensitivity_label(self, label: SensitivityUsageInfo) -> None:
        """The sensitivity label shown with the answer."""
        self._sensitivity_label = label

    def set_feedback_loop(self, enabled: bool) -> None:
        """Show the like/dislike buttons on the final message."""
        self._feedback_loop = bool(enabled)

    def set_feedback_loop_type(self, feedback_type: str) -> None:
        """The feedback form: ``"default"`` or ``"custom"``."""
        self._feedback_loop_type = feedback_type

    def set_generated_by_ai_label(self, enabled: bool) -> None:
        """Mark the answer as AI generated."""
        self._ai_label = bool(enabled)

    # ------------------------------------------------------------------ queueing

    def queue_informative_update(self, text: str) -> None:
        """Show a status line ("Searching...") while the answer is prepared.

        Only streaming channels show it; elsewhere this does nothing.

        Raises:
            StreamingError: the stream has ended (on a streaming channel), or the
                response is not attached to a turn.
        """
        if not self._policy.streams:
            self._explain_not_streaming()
            return
        self._check_open()
        if self._fallback is None:
            self._enqueue(_Update(_INFORMATIVE, text))

    def queue_text_chunk(self, text: str, citations: Sequence[Citation] | None = None) -> None:
        """Append ``text`` to the answer; streaming channels show the text so far.

        Chunks queued faster than the channel's pace are merged: the next update carries
        all of the text. ``[docN]`` markers are rewritten as ``[N]``.

        Args:
            text: the next piece of the answer.
            citations: more sources, added as with :meth:`set_citations`.

        Raises:
            StreamingError: the stream has ended, or the response is not attached to a
                turn.
        """
        self._check_open()
        self._used = True
        self._message = CitationUtil.format_citations_response(self._message + text)
        if citations:
            self.set_citations(citations)
        if not self._policy.streams:
            self._explain_not_streaming()
            return
        if self._fallback is None and not (self._pending and self._pending[-1] is _TEXT):
            self._enqueue(_TEXT)

    async def end_stream(self) -> None:
        """Send the final message and wait until everything queued has been sent.

        Raises:
            StreamingError: the stream has already ended, or the response is not
                attached to a turn.
            ServiceError: the final message could not be delivered even as a normal
                message.
        """
        self._check_open()
        self._ended = True
        # The final message carries all the text: a text update still waiting is moot.
        self._pending = deque(u for u in self._pending if u is not _TEXT)
        self._enqueue(_END)
        await self._wait_for_sender()

    async def wait_for_queue(self) -> None:
        """Wait until every queued update has been sent.

        Raises:
            Exception: what made the sender stop, if it failed.
        """
        sender = self._sender
        if sender is not None and not sender.done() and not self._idle.is_set():
            idle = asyncio.ensure_future(self._idle.wait())
            try:
                await asyncio.wait({idle, sender}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                idle.cancel()
                await asyncio.wait({idle})
        self._raise_failure()

    async def reset(self) -> None:
        """Forget the current stream so the response can stream a new answer.

        Settings (citations, attachments, labels, feedback) are kept.
        """
        if self._sender is not None and not self._sender.done():
            await self._stop_sender()
        self._init_stream()

    # ------------------------------------------------------------------ internals

    def _detach(self) -> None:
        """Forget the turn (it has ended); sending afterwards raises ``StreamingError``."""
        if self._sender is None or self._sender.done():
            self._context = None

    def _check_open(self) -> None:
        if self._context is None:
            raise StreamingError(
                "this StreamingResponse is not attached to a turn; use "
                "context.streaming_response inside a handler"
            )
        if self._ended:
            raise StreamingError(
                "the stream has already ended; nothing more can be queued or ended (use "
                "a new turn, or reset() to stream another answer)"
            )

    def _explain_not_streaming(self) -> None:
        if not self._told_not_streaming:
            self._told_not_streaming = True
            logger.info(
                "not streaming the answer: %s; it is sent as one message when the stream ends",
                self._policy.reason,
            )

    def _enqueue(self, update: _Update) -> None:
        self._used = True
        self._pending.append(update)
        self._idle.clear()
        self._wake.set()
        if self._sender is None or self._sender.done():
            self._sender = asyncio.get_running_loop().create_task(self._run())

    def _raise_failure(self) -> None:
        failure, self._failure = self._failure, None
        if failure is not None:
            raise failure

    async def _wait_for_sender(self) -> None:
        sender = self._sender
        if sender is not None:
            await asyncio.wait({sender})
        self._raise_failure()

    async def _stop_sender(self) -> None:
        self._pending.clear()
        self._pending.append(_STOP)
        self._wake.set()
        await self._wait_for_sender()

    # ------------------------------------------------------------------ the sender

    async def _run(self) -> None:
        try:
            while True:
                update = await self._next_update()
                if update is _STOP:
                    return
                if update is _END:
                    await self._send_final()
                    return
                sent = await self._send_update(update)
                if not self._pending:
                    self._idle.set()
                if sent and self._fallback is None and self._policy.interval > 0:
                    await self._sleep(self._policy.interval)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - kept and re-raised by end_stream
            self._failure = error

    async def _next_update(self) -> _Update:
        while True:
            if self._pending:
                return self._pending.popleft()
            self._idle.set()
            self._wake.clear()
            deadline = self._idle_deadline()
            if deadline is None:
                await self._wake.wait()
                continue
            if not await self._wait_for_work(deadline):
                return _KEEP_ALIVE

    def _idle_deadline(self) -> float | None:
        """Seconds to wait for work before a keep-alive (or the time limit) is due."""
        if self._fallback is not None:
            # Nothing is streamed any more; plain typing keeps the user informed.
            return None if self._ended else self._policy.keep_alive
        if self._started_at is None or self._closed_on_channel or self._updates_stopped:
            return None
        waits = []
        if self._policy.keep_alive is not None:
            # Counted from the last update sent, the pacing pause after it included.
            quiet = self._clock() - self._last_sent_at
            waits.append(max(self._policy.keep_alive - quiet, 0.0))
        if self._policy.time_limit is not None:
            waits.append(max(self._policy.time_limit - self._elapsed(), 0.0))
        return min(waits) if waits else None

    async def _wait_for_work(self, timeout: float) -> bool:
        waiter = asyncio.ensure_future(self._wake.wait())
        timer = asyncio.ensure_future(self._sleep(timeout))
        try:
            done, _ = await asyncio.wait({waiter, timer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (waiter, timer):
                if not task.done():
                    task.cancel()
            await asyncio.wait({waiter, timer})
        return waiter in done

    def _elapsed(self) -> float:
        return 0.0 if self._started_at is None else self._clock() - self._started_at

    def _over_time_limit(self) -> bool:
        limit = self._policy.time_limit
        return self._started_at is not None and limit is not None and self._elapsed() >= limit

    async def _send_update(self, update: _Update) -> bool:
        """Send an intermediate update; False when nothing was sent."""
        if self._fallback is not None:
            if update is _KEEP_ALIVE:
                await self._send_plain_typing()
            return False
        if self._closed_on_channel or self._updates_stopped is not None:
            return False
        if self._over_time_limit():
            await self._close_on_channel(StreamResults.timeout)
            self._fall_back(
                f"the stream reached the channel's time limit of {self._policy.time_limit:g} s"
            )
            await self._send_plain_typing()  # the rest of the answer is still coming
            return False
        if update is _KEEP_ALIVE:
            if self._sent_text:
                kind, text = _STREAMING, self._message
            else:
                kind, text = _INFORMATIVE, self._last_informative or ""
        elif update is _TEXT:
            kind, text = _STREAMING, self._message
        else:
            kind, text = _INFORMATIVE, update.text or ""
        activity = Activity(type=ActivityTypes.typing, text=text)
        entities: list[Entity] = [self._stream_info(kind)]
        if kind == _STREAMING:
            entities.extend(self._ai_entities())
        activity.entities = entities
        try:
            receipt = await self._send(activity)
        except ServiceError as error:
            reason = _describe_refusal("a streamed update", error)
            if self._started_at is not None and error.code not in _REFUSAL_CODES:
                self._stop_updates(reason)
                return False
            self._fall_back(reason)
            await self._send_plain_typing()
            return False
        except Exception as error:  # noqa: BLE001 - the final message will tell
            # A lost connection, a refused host...: the final message either gets through
            # or raises to whoever ends the stream.
            reason = f"sending a streamed update failed ({type(error).__name__}: {error})"
            if self._started_at is not None:
                self._stop_updates(reason)
                return False
            self._fall_back(reason)
            await self._send_plain_typing()
            return False
        self._note_sent(receipt)
        if kind == _STREAMING:
            self._sent_text = True
        else:
            self._last_informative = text
        return True

    async def _send_plain_typing(self) -> None:
        """After a fallback, show the user the agent is still at work: a plain ``typing``.

        The turn's typing indicator stopped when the first streamed update was about to
        go; without this the user would see nothing until the whole answer arrives.
        """
        context = self._context
        if context is None or self._ended:
            return
        try:
            await send_typing(context)
        except Exception as error:  # noqa: BLE001 - a lost typing must not end the turn
            logger.debug(
                "could not send a typing activity to conversation %r after the fallback: %s",
                self._conversation_id(),
                error,
            )

    def _note_sent(self, receipt: ResourceResponse | None) -> None:
        first = self._started_at is None
        self._sequence += 1
        self._last_sent_at = self._clock()
        if first:
            self._started_at = self._last_sent_at
            if self._policy.stream_id_from_channel:
                if receipt is not None and receipt.id:
                    self._stream_id = receipt.id
                else:
                    self._fall_back(
                        "the channel gave the first streamed activity no id to continue "
                        "the stream with"
                    )

    async def _send(self, activity: Activity) -> ResourceResponse | None:
        context = self._context
        if context is None:  # pragma: no cover - _check_open guards every entry point
            raise StreamingError("this StreamingResponse is not attached to a turn")
        return await context.send_activity(activity)

    def _stream_info(self, stream_type: str, *, result: str | None = None) -> StreamInfo:
        if (
            self._stream_id is None
            and self._policy.streams
            and not self._policy.stream_id_from_channel
        ):
            self._stream_id = str(uuid.uuid4())
        info = StreamInfo(stream_type=stream_type, stream_sequence=self._sequence)
        if self._stream_id is not None:
            info.stream_id = self._stream_id
        if result is not None:
            info.stream_result = result
        if stream_type == _FINAL and result is None:
            if self._feedback_loop and self._feedback_loop_type:
                info.feedback_loop = {"type": self._feedback_loop_type}
            else:
                info.feedback_loop_enabled = self._feedback_loop
        return info

    def _ai_entities(self) -> list[Entity]:
        used = CitationUtil.get_used_citations(self._message, self._citations)
        if not (used or self._ai_label or self._sensitivity_label is not None):
            return []
        entity = AIEntity(additional_type=[_AI_GENERATED] if self._ai_label else None)
        if used:
            entity.citation = used
        if self._sensitivity_label is not None:
            entity.usage_info = self._sensitivity_label
        return [entity]

    def _stop_updates(self, reason: str) -> None:
        """Send no more updates, but close the stream the channel shows with the final.

        For a failure that does not say the channel ended the stream (a 502, a lost
        connection): falling back to a normal message would leave the stream open on the
        channel, beside a second copy of the text.
        """
        if self._updates_stopped is None:
            self._updates_stopped = reason
            logger.warning(
                "stopped sending streamed updates in conversation %r: %s; the final message "
                "will close the stream with the whole text",
                self._conversation_id(),
                reason,
            )

    def _fall_back(self, reason: str) -> None:
        if self._fallback is None:
            self._fallback = reason
            logger.warning(
                "stopped streaming the answer in conversation %r: %s; the whole text will "
                "be sent as one message when the stream ends",
                self._conversation_id(),
                reason,
            )

    def _conversation_id(self) -> str | None:
        context = self._context
        if context is None or context.activity.conversation is None:
            return None
        return context.activity.conversation.id

    # ------------------------------------------------------------------ the end

    def _final_message(self, *, with_stream_info: bool, result: str | None = None) -> Activity:
        text = self._message
        if result is not None and not text:
            text = _UNFINISHED_TEXT
        elif with_stream_info and not text and not self._attachments:
            text = _EMPTY_FINAL_TEXT
        message = Activity(type=ActivityTypes.message)
        if text:
            message.text = text
        if self._attachments and result is None:
            message.attachments = list(self._attachments)
        entities: list[Entity] = []
        if with_stream_info:
            entities.append(self._stream_info(_FINAL, result=result))
        entities.extend(self._ai_entities())
        if entities:
            message.entities = entities
        if not with_stream_info and self._feedback_loop:
            # A plain Teams message asks for the feedback buttons in its channel data.
            feedback: dict[str, Any] = {"feedbackLoopEnabled": True}
            if self._feedback_loop_type:
                feedback = {"feedbackLoop": {"type": self._feedback_loop_type}}
            message.channel_data = feedback
        return message

    async def _send_final(self) -> None:
        if self._fallback is not None:
            await self._send_plain()
            return
        on_channel = self._started_at is not None
        if not (on_channel or self._policy.final_stream_info):
            await self._send_plain()
            return
        try:
            await self._send(self._final_message(with_stream_info=True))
        except ServiceError as error:
            if not (on_channel or error.code in _REFUSAL_CODES):
                raise  # a message that failed, not a stream that was refused
            self._fall_back(_describe_refusal("the final streamed message", error))
            await self._send_plain()
            return
        self._closed_on_channel = True

    async def _send_plain(self) -> None:
        message = self._final_message(with_stream_info=False)
        if self._closed_text is not None and message.text == self._closed_text:
            if not message.attachments:
                # The stream closed at its time limit with all of the text: nothing new.
                return
            message.text = None
        if not message.text and not message.attachments:
            logger.warning(
                "the stream of conversation %r ended with no text and no attachments; "
                "no final message was sent",
                self._conversation_id(),
            )
            return
        await self._send(message)
        self._sent_plain = True

    async def _close_on_channel(self, result: str) -> None:
        """Close a stream the channel shows, early, with ``streamResult`` = ``result``."""
        if self._started_at is None or self._closed_on_channel:
            return
        self._closed_on_channel = True
        message = self._final_message(with_stream_info=True, result=result)
        try:
            await self._send(message)
        except ServiceError as error:
            logger.warning(
                "could not close the stream of conversation %r (%s): %s",
                self._conversation_id(),
                result,
                _describe_refusal("the closing message", error),
            )
            return
        self._closed_text = message.text

    async def _finish_for_turn(self, *, failed: bool, cancelled: bool) -> None:
        """Close the stream when the turn ends (see :func:`finish_turn_stream`)."""
        if self._context is None or not self._used:
            return
        if self._ended and not failed and not cancelled:
            return
        if not failed and not cancelled:
            logger.warning(
                "the turn ended without end_stream() in conversation %r; ending the stream",
                self._conversation_id(),
            )
            await self.end_stream()
            return
        self._ended = True
        if self._sender is not None and not self._sender.done():
            await self._stop_sender()
        self._failure = None
        if self._fallback is not None:
            # The channel no longer takes the stream: what was gathered goes as it would
            # have at the end, as a normal message, unless end_stream() already sent it.
            if not self._sent_plain:
                await self._send_gathered()
            return
        result = StreamResults.cancelled if cancelled else StreamResults.error
        await self._close_on_channel(result)

    async def _send_gathered(self) -> None:
        if not self._message or self._message == self._closed_text:
            return
        try:
            await self._send(Activity(type=ActivityTypes.message, text=self._message))
        except ServiceError as error:
            logger.warning(
                "could not send the text gathered before the turn ended in conversation %r: %s",
                self._conversation_id(),
                _describe_refusal("the gathered text", error),
            )


def _describe_refusal(what: str, error: ServiceError) -> str:
    if error.code in _REFUSAL_CODES:
        return f"the channel refused {what} (status {error.status}, code {error.code})"
    code = f", code {error.code}" if error.code else ""
    return f"the channel failed to take {what} (status {error.status}{code})"


async def finish_turn_stream(
    context: TurnContext, *, failed: bool = False, cancelled: bool = False
) -> None:
    """Leave the turn's stream in a final state; called by the SDK when a turn ends.

    A stream the agent left open is ended normally; when the turn failed (``failed``) or
    was cancelled (``cancelled``), a stream the channel shows is closed at once with
    ``streamResult`` ``"error"`` or ``"cancelled"``, and nothing more of it is sent.

    Args:
        context: the turn that is ending.
        failed: the turn raised.
        cancelled: the turn was cancelled.
    """
    response = context._streaming_response
    if response is None:
        return
    try:
        await response._finish_for_turn(failed=failed, cancelled=cancelled)
    except Exception:
        if not (failed or cancelled):
            raise
        logger.exception("could not close the stream of a failed turn")
