"""Storage for agents: where turn state and other data live between turns.

A :class:`Storage` keeps JSON documents under string keys; :class:`MemoryStorage` is the
in-process implementation, and backends for services derive from
:class:`AsyncStorageBase`. Values are :class:`StoreItem` objects with optimistic
concurrency through their ``e_tag``::

    from microsoft_agents.hosting.core.storage import MemoryStorage

    storage = MemoryStorage()
    await storage.write({"greeting": item})
    items = await storage.read(["greeting"], target_cls=MyItem)

This package also holds transcript logging: :class:`TranscriptLoggerMiddleware` records
every activity of every turn with a :class:`TranscriptLogger` (the console, a file, or a
:class:`TranscriptStore` that can list and read transcripts back).
"""

from ._memory import MemoryStorage
from ._storage import AsyncStorageBase, Storage, StoreItem, StoreItemT, sanitize_key
from ._transcript_logger import (
    ConsoleTranscriptLogger,
    FileTranscriptLogger,
    TranscriptLogger,
    TranscriptLoggerMiddleware,
)
from ._transcript_store import FileTranscriptStore, PagedResult, TranscriptInfo, TranscriptStore

__all__ = [
    "AsyncStorageBase",
    "ConsoleTranscriptLogger",
    "FileTranscriptLogger",
    "FileTranscriptStore",
    "MemoryStorage",
    "PagedResult",
    "Storage",
    "StoreItem",
    "StoreItemT",
    "TranscriptInfo",
    "TranscriptLogger",
    "TranscriptLoggerMiddleware",
    "TranscriptStore",
    "sanitize_key",
]
