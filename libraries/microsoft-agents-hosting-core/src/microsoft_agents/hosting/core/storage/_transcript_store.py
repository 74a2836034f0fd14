"""Transcript stores: transcript loggers that can also list, read back and delete.

:class:`FileTranscriptStore` keeps one JSON-lines file per conversation, under a folder per
channel::

    store = FileTranscriptStore("transcripts")
    adapter.use(TranscriptLoggerMiddleware(store))
    ...
    page = await store.get_transcript_activities("msteams", "a:1xyz")
    for activity in page.items:
        ...
    if page.continuation_token:
        page = await store.get_transcript_activities(
            "msteams", "a:1xyz", continuation_token=page.continuation_token
        )

Results come in pages (:class:`PagedResult`); pass a page's ``continuation_token`` to get
the next one, until it is ``None``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from abc import abstractmethod
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Generic, TypeVar
from urllib.parse import unquote

from microsoft_agents.activity import Activity

from ._transcript_logger import TranscriptLogger, activity_to_json_line, append_text

__all__ = ["FileTranscriptStore", "PagedResult", "TranscriptInfo", "TranscriptStore"]

logger = logging.getLogger(__name__)

_T = TypeVar("_T")


@dataclass
class PagedResult(Generic[_T]):
    """One page of results.

    Attributes:
        items: the results of this page.
        continuation_token: pass it back to get the next page; ``None`` on the last page.
    """

    items: list[_T] = field(default_factory=list)
    continuation_token: str | None = None


@dataclass(frozen=True)
class TranscriptInfo:
    """A stored transcript.

    Attributes:
        channel_id: the channel of the conversation.
        id: the conversation id.
        created: when its first activity was logged, if known.
    """

    channel_id: str
    id: str
    created: datetime | None = None


class TranscriptStore(TranscriptLogger):
    """A :class:`TranscriptLogger` whose transcripts can be read back, listed and deleted."""

    @abstractmethod
    async def get_transcript_activities(
        self,
        channel_id: str,
        conversation_id: str,
        continuation_token: str | None = None,
        start_date: datetime | None = None,
    ) -> PagedResult[Activity]:
        """One page of a conversation's activities, oldest first.

        Args:
            channel_id: the channel of the conversation.
            conversation_id: the conversation.
            continuation_token: the token of the previous page, if any.
            start_date: leave out activities stamped before this time.
        """

    @abstractmethod
    async def list_transcripts(
        self, channel_id: str, continuation_token: str | None = None
    ) -> PagedResult[TranscriptInfo]:
        """One page of the transcripts stored for a channel."""

    @abstractmethod
    async def delete_transcript(self, channel_id: str, conversation_id: str) -> None:
        """Delete a conversation's transcript; a missing one is not an error."""


_SAFE = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")
_MAX_NAME = 120
_TRUNCATED = "%~"
_SUFFIX = ".transcript"


def _file_name(identifier: str) -> str:
    """A file name for a channel or conversation id that cannot escape its folder.

    Everything but lower-case ASCII letters, digits, ``-`` and ``_`` is percent-escaped
    (upper case too, so that case-insensitive file systems keep ids apart; dots too, so no
    ``.`` or ``..``). Long names are cut and end with ``%~`` and a hash of the id.
    """
    escaped = "".join(
        char if char in _SAFE else "".join(f"%{b:02X}" for b in char.encode("utf-8"))
        for char in identifier
    )
    if len(escaped) <= _MAX_NAME:
        return escaped
    digest = hashlib.sha256(identifier.encode("utf-8")).hexdigest()[:32]
    return f"{escaped[: _MAX_NAME - len(_TRUNCATED) - 32]}{_TRUNCATED}{digest}"


def _parse_token(token: str | None) -> int:
    if token is None:
        return 0
    if not token.isdigit():
        raise ValueError(
            f"Invalid continuation_token {token!r}: pass the continuation_token of the "
            "previous page as it was returned, or None for the first page"
        )
    return int(token)


def _require_id(value: str, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return value


class FileTranscriptStore(TranscriptStore):
    """Keeps transcripts as JSON-lines files: ``<root>/<channel>/<conversation>.transcript``.

    Channel and conversation ids are escaped into file names, so no id can reach outside
    ``root_folder``. File I/O runs in a worker thread; writes and reads of one store are
    serialised, so concurrent turns never interleave lines.

    Args:
        root_folder: the folder that holds the transcripts (created when needed).
        page_size: how many items a page holds.

    Raises:
        ValueError: ``page_size`` is not positive.
    """

    def __init__(self, root_folder: str | Path, *, page_size: int = 20) -> None:
        if page_size < 1:
            raise ValueError(f"page_size must be at least 1, got {page_size}")
        self.root_folder = Path(root_folder)
        self.page_size = page_size
        self._lock = asyncio.Lock()

    def _channel_folder(self, channel_id: str) -> Path:
        return self.root_folder / _file_name(_require_id(channel_id, "channel_id"))

    def _transcript_path(self, channel_id: str, conversation_id: str) -> Path:
        name = _file_name(_require_id(conversation_id, "conversation_id"))
        return self._channel_folder(channel_id) / f"{name}{_SUFFIX}"

    async def log_activity(self, activity: Activity) -> None:
        """Append ``activity`` to its conversation's transcript.

        Raises:
            ValueError: the activity has no ``channel_id`` or no ``conversation.id``.
        """
        conversation_id = activity.conversation.id if activity.conversation else None
        if not activity.channel_id or not conversation_id:
            raise ValueError(
                "FileTranscriptStore files activities by channel and conversation; this "
                f"{activity.type} activity has channel_id={activity.channel_id!r} and "
                f"conversation.id={conversation_id!r}. Set both before logging it."
            )
        path = self._transcript_path(str(activity.channel_id), conversation_id)
        line = activity_to_json_line(activity) + "\n"
        async with self._lock:
            await asyncio.to_thread(append_text, path, line, "utf-8")

    async def get_transcript_activities(
        self,
        channel_id: str,
        conversation_id: str,
        continuation_token: str | None = None,
        start_date: datetime | None = None,
    ) -> PagedResult[Activity]:
        """One page of the conversation's activities, in the order they were logged.

        A naive ``start_date`` is taken as UTC; activities without a timestamp are kept.

        Raises:
            ValueError: an id is empty or ``continuation_token`` is not one this store gave.
        """
        path = self._transcript_path(channel_id, conversation_id)
        offset = _parse_token(continuation_token)
        async with self._lock:
            lines = await asyncio.to_thread(_read_lines, path)
        activities = [Activity.model_validate_json(line) for line in lines]
        if start_date is not None:
            since = start_date if start_date.tzinfo else start_date.replace(tzinfo=timezone.utc)
            activities = [a for a in activities if a.timestamp is None or a.timestamp >= since]
        return self._page(activities, offset)

    async def list_transcripts(
        self, channel_id: str, continuation_token: str | None = None
    ) -> PagedResult[TranscriptInfo]:
        """One page of the channel's transcripts, ordered by conversation id.

        Raises:
            ValueError: ``channel_id`` is empty or ``continuation_token`` is not valid.
        """
        folder = self._channel_folder(channel_id)
        offset = _parse_token(continuation_token)
        async with self._lock:
            found = await asyncio.to_thread(_scan_folder, folder, channel_id)
        found.sort(key=lambda info: info.id)
        return self._page(found, offset)

    async def delete_transcript(self, channel_id: str, conversation_id: str) -> None:
        """Delete the conversation's transcript file; a missing one is not an error."""
        path = self._transcript_path(channel_id, conversation_id)
        async with self._lock:
            await asyncio.to_thread(path.unlink, missing_ok=True)

    def _page(self, items: list[_T], offset: int) -> PagedResult[_T]:
        end = offset + self.page_size
        token = str(end) if end < len(items) else None
        return PagedResult(items=items[offset:end], continuation_token=token)


def _read_lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [line for line in text.splitlines() if line.strip()]


def _scan_folder(folder: Path, channel_id: str) -> list[TranscriptInfo]:
    if not folder.is_dir():
        return []
    found: list[TranscriptInfo] = []
    for path in folder.iterdir():
        if not path.is_file() or not path.name.endswith(_SUFFIX):
            continue
        first = _first_activity(path)
        name = path.name[: -len(_SUFFIX)]
        if _TRUNCATED in name:
            # A cut name cannot be decoded; the activities know their conversation.
            if first is None or first.conversation is None or not first.conversation.id:
                logger.warning("Skipping transcript %s: cannot tell its conversation id", path)
                continue
            conversation_id = first.conversation.id
        else:
            conversation_id = unquote(name)
        created = first.timestamp if first is not None else None
        if created is None:
            created = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
        found.append(TranscriptInfo(channel_id=channel_id, id=conversation_id, created=created))
    return found


def _first_activity(path: Path) -> Activity | None:
    with path.open(encoding="utf-8") as file:
        for line in file:
            if line.strip():
                try:
                    return Activity.model_validate(json.loads(line))
                except ValueError:
                    logger.warning("Transcript %s starts with a line that is not an activity", path)
                    return None
    return None
