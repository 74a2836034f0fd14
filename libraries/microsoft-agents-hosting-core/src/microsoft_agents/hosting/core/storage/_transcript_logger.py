"""Transcript logging: keep a record of every activity a conversation sees.

Add :class:`TranscriptLoggerMiddleware` to an adapter and give it a
:class:`TranscriptLogger`; every turn then logs the incoming activity and everything the
agent sends, updates and deletes::

    adapter.use(TranscriptLoggerMiddleware(ConsoleTranscriptLogger()))
    adapter.use(TranscriptLoggerMiddleware(FileTranscriptLogger("transcript.jsonl")))

Loggers write one JSON object per line (the activity's wire form, ``null`` fields left
out). A logger that fails never fails the turn: the middleware logs a warning and goes on.
Transcripts may hold personal data; store and keep them accordingly.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    ConversationReference,
    ResourceResponse,
)
from microsoft_agents.hosting.core._middleware import NextDelegate

if TYPE_CHECKING:
    from microsoft_agents.hosting.core._turn_context import TurnContext

__all__ = [
    "ConsoleTranscriptLogger",
    "FileTranscriptLogger",
    "TranscriptLogger",
    "TranscriptLoggerMiddleware",
    "activity_to_json_line",
]

logger = logging.getLogger(__name__)


def activity_to_json_line(activity: Activity) -> str:
    """``activity`` as one line of JSON: camelCase keys, ``null`` fields left out."""
    data = activity.model_dump(mode="json", by_alias=True, exclude_none=True)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class TranscriptLogger(ABC):
    """Receives every activity of a conversation, in order."""

    @abstractmethod
    async def log_activity(self, activity: Activity) -> None:
        """Record ``activity`` (a copy the logger may keep)."""


class ConsoleTranscriptLogger(TranscriptLogger):
    """Writes each activity as a JSON line to a text stream (standard output by default).

    Args:
        stream: where to write; ``None`` means ``sys.stdout`` at the time of each write.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    async def log_activity(self, activity: Activity) -> None:
        """Write ``activity`` as one JSON line and flush the stream."""
        stream = self._stream if self._stream is not None else sys.stdout
        stream.write(activity_to_json_line(activity) + "\n")
        stream.flush()


class FileTranscriptLogger(TranscriptLogger):
    """Appends each activity as a JSON line to one file (created with its folders).

    File I/O runs in a worker thread; concurrent turns append whole lines, one at a time.

    Args:
        file_path: the file to append to.
        encoding: the file's text encoding.
    """

    def __init__(self, file_path: str | Path, encoding: str = "utf-8") -> None:
        self.file_path = Path(file_path)
        self.encoding = encoding
        self._lock = asyncio.Lock()

    async def log_activity(self, activity: Activity) -> None:
        """Append ``activity`` as one JSON line."""
        line = activity_to_json_line(activity) + "\n"
        async with self._lock:
            await asyncio.to_thread(append_text, self.file_path, line, self.encoding)


def append_text(path: Path, text: str, encoding: str) -> None:
    """Append ``text`` to ``path``, creating the file and its folders (blocking)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding=encoding, newline="\n") as file:
        file.write(text)


class TranscriptLoggerMiddleware:
    """Middleware that logs each turn's activities with a :class:`TranscriptLogger`.

    Logged, in order of occurrence: the incoming activity; each activity the agent sends
    (after it was sent, with the id the channel gave it); each update, as a
    ``messageUpdate``; each deletion, as a ``messageDelete`` whose ``id`` is the deleted
    activity's. Outgoing copies get the current UTC time as ``timestamp`` when they have
    none. The logger gets copies, so it cannot change what the agent sees.

    Args:
        logger: where to log (kept as :attr:`transcript_logger`).

    Raises:
        TypeError: ``logger`` has no ``log_activity`` method.
    """

    def __init__(self, logger: TranscriptLogger) -> None:
        if not callable(getattr(logger, "log_activity", None)):
            raise TypeError(
                "TranscriptLoggerMiddleware needs a TranscriptLogger (an object with "
                f"'async def log_activity(activity)'), got {type(logger).__name__}"
            )
        self.transcript_logger = logger

    async def on_turn(self, context: TurnContext, logic: NextDelegate) -> None:
        """Log the incoming activity, watch what the turn sends, then run the turn."""
        await self._log(context.activity.model_copy(deep=True))
        context.on_send_activities(self._on_send)
        context.on_update_activity(self._on_update)
        context.on_delete_activity(self._on_delete)
        await logic()

    async def _on_send(
        self,
        context: TurnContext,
        activities: list[Activity],
        send: Callable[[], Awaitable[list[ResourceResponse]]],
    ) -> list[ResourceResponse]:
        responses = await send()
        for index, activity in enumerate(activities):
            copy = _stamped(activity)
            receipt = responses[index] if index < len(responses) else None
            if copy.id is None and receipt is not None and receipt.id:
                copy.id = receipt.id
            await self._log(copy)
        return responses

    async def _on_update(
        self,
        context: TurnContext,
        activity: Activity,
        update: Callable[[], Awaitable[ResourceResponse | None]],
    ) -> ResourceResponse | None:
        response = await update()
        copy = _stamped(activity)
        copy.type = ActivityTypes.message_update
        await self._log(copy)
        return response

    async def _on_delete(
        self,
        context: TurnContext,
        reference: ConversationReference,
        delete: Callable[[], Awaitable[None]],
    ) -> None:
        await delete()
        record = Activity(type=ActivityTypes.message_delete)
        record.apply_conversation_reference(reference)
        record.id = reference.activity_id
        record.reply_to_id = None
        record.timestamp = datetime.now(timezone.utc)
        await self._log(record)

    async def _log(self, activity: Activity) -> None:
        try:
            await self.transcript_logger.log_activity(activity)
        except Exception:  # noqa: BLE001 - any logger failure is logged, never raised
            # A transcript is a record, not part of the conversation: losing one entry must
            # not cost the user the agent's answer.
            logger.warning(
                "%s failed to log a %s activity (id %s); the turn goes on without it",
                type(self.transcript_logger).__name__,
                activity.type,
                activity.id,
                exc_info=True,
            )


def _stamped(activity: Activity) -> Activity:
    copy = activity.model_copy(deep=True)
    if copy.timestamp is None:
        copy.timestamp = datetime.now(timezone.utc)
    return copy
