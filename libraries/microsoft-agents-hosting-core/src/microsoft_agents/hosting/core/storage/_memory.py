"""``MemoryStorage``: a :class:`Storage` kept in a dict, for tests and single-process demos.

Everything is lost when the process ends, and nothing is shared between processes, so use
a real backend in production. Otherwise it behaves like one: items are stored as deep
copies of their JSON (a handler that changes an object it read or wrote does not change
the store), e-tags are checked on write for the items whose JSON carries an ``"e_tag"``
(the turn state's documents do; any other item is stored exactly as its
``store_item_to_json()`` gives it, as the reference SDK's ``MemoryStorage`` does), and a
batch is all-or-nothing::

    storage = MemoryStorage()
    app = AgentApplication[TurnState](storage=storage, adapter=adapter)

Values must be JSON-compatible (what ``json.dumps`` accepts); the storage does not check
it, but other backends will fail on anything else.
"""

from __future__ import annotations

import copy
import itertools
import logging
import uuid
from collections.abc import Callable
from typing import Any

from microsoft_agents.hosting.core._errors import ETagConflictError, StorageKeyError

from ._storage import (
    ANY_ETAG,
    ETAG_FIELD,
    Storage,
    StoreItem,
    StoreItemT,
    apply_new_etag,
    validate_changes,
    validate_keys,
)

__all__ = ["MemoryStorage", "immediate_reader"]

logger = logging.getLogger(__name__)


# MemoryStorage derives from Storage, not AsyncStorageBase: the base runs a batch item by
# item, while this class checks every e_tag of a batch and then applies all of it in one
# step, so a conflict anywhere leaves the whole batch unwritten.
class MemoryStorage(Storage):
    """A :class:`Storage` that keeps deep copies of the items' JSON in a dict.

    Safe to share between concurrent turns of one event loop: no operation awaits between
    looking at the dict and changing it, so each one (a batch's e-tag checks and writes
    included) happens as one step that no other turn can interleave with. (One event loop
    only: it is not meant to be shared between threads.)

    Args:
        state: initial contents, key -> the item's JSON dict (copied).

    Raises:
        StorageKeyError: ``state`` has a key that is not a non-empty string.
        TypeError: a value of ``state`` is not a dict.
    """

    def __init__(self, state: dict[str, dict[str, Any]] | None = None) -> None:
        self._memory: dict[str, dict[str, Any]] = {}
        self._versions = itertools.count(1)
        self._instance = uuid.uuid4().hex[:8]
        for key, value in (state or {}).items():
            if not isinstance(key, str) or not key:
                raise StorageKeyError(
                    f"MemoryStorage(state=...) has the key {key!r}; keys must be non-empty strings"
                )
            if not isinstance(value, dict):
                raise TypeError(
                    f"MemoryStorage(state=...) has a {type(value).__name__} under {key!r}; "
                    "values must be JSON dicts (the output of store_item_to_json())"
                )
            self._memory[key] = copy.deepcopy(value)

    def _new_etag(self) -> str:
        return f"{self._instance}-{next(self._versions)}"

    async def read(
        self, keys: list[str], *, target_cls: type[StoreItemT], **kwargs: Any
    ) -> dict[str, StoreItemT]:
        """Read the items stored under ``keys``; missing keys are absent from the result.

        Each item is rebuilt with ``target_cls.from_json_to_store_item`` from a copy of the
        stored JSON (with its current ``"e_tag"`` when the item takes part in e-tags).

        Raises:
            StorageKeyError: ``keys`` is empty or holds an invalid key.
            TypeError: ``target_cls`` rebuilt an object that is not a ``target_cls``.
        """
        return self._read_now(keys, target_cls=target_cls)

    def _read_now(self, keys: list[str], *, target_cls: type[StoreItemT]) -> dict[str, StoreItemT]:
        """:meth:`read` without awaiting: nothing here waits (see :func:`immediate_reader`)."""
        checked = validate_keys(keys, "read")
        memory = self._memory
        snapshot = {key: copy.deepcopy(memory[key]) for key in checked if key in memory}
        found: dict[str, StoreItemT] = {}
        for key, data in snapshot.items():
            item = target_cls.from_json_to_store_item(data)
            if not isinstance(item, target_cls):
                raise TypeError(
                    f"{target_cls.__name__}.from_json_to_store_item() returned a "
                    f"{type(item).__name__} for key {key!r}; it must return a "
                    f"{target_cls.__name__}"
                )
            found[key] = item
        return found

    async def write(self, changes: dict[str, StoreItem]) -> None:
        """Store every item of ``changes``, or none of them.

        Raises:
            StorageKeyError: ``changes`` is empty or holds an invalid key.
            TypeError: a value is not a :class:`StoreItem`, or its JSON is not a dict.
            ETagConflictError: an item's e_tag is stale; nothing of the batch was written.
        """
        checked = validate_changes(changes)
        documents: dict[str, dict[str, Any]] = {}
        for key, item in checked.items():
            data = item.store_item_to_json()
            if not isinstance(data, dict):
                raise TypeError(
                    f"{type(item).__name__}.store_item_to_json() returned a "
                    f"{type(data).__name__} for key {key!r}; it must return a dict"
                )
            documents[key] = copy.deepcopy(data)
        for key, data in documents.items():
            self._check_etag(key, data.get(ETAG_FIELD))
        new_etags: dict[str, str] = {}
        for key, data in documents.items():
            if ETAG_FIELD in data:  # an item that takes part in e-tags
                new_etags[key] = data[ETAG_FIELD] = self._new_etag()
            self._memory[key] = data
        for key, e_tag in new_etags.items():
            apply_new_etag(checked[key], e_tag)
        logger.debug("MemoryStorage wrote %s", list(documents))

    def _check_etag(self, key: str, e_tag: object) -> None:
        if e_tag is None or e_tag == ANY_ETAG:
            return
        stored = self._memory.get(key)
        if stored is None:
            raise ETagConflictError(
                f"Cannot write {key!r}: the item carries e_tag {e_tag!r} but nothing is "
                "stored under that key any more (it was deleted). Read it again and retry, "
                "or write it with e_tag '*' (or none) to store it anyway.",
                key=key,
            )
        current = stored.get(ETAG_FIELD)
        if e_tag != current:
            raise ETagConflictError(
                f"Cannot write {key!r}: the item carries e_tag {e_tag!r} but the stored item "
                f"has {current!r}, so someone changed it since it was read. Nothing of this "
                "write was stored. Read it again, apply the change and retry, or write it "
                "with e_tag '*' to overwrite.",
                key=key,
            )

    async def delete(self, keys: list[str]) -> None:
        """Remove the items under ``keys``; missing keys are ignored.

        Raises:
            StorageKeyError: ``keys`` is empty or holds an invalid key.
        """
        checked = validate_keys(keys, "delete")
        for key in checked:
            self._memory.pop(key, None)


ImmediateRead = Callable[..., dict[str, Any]]
"""``read(keys, *, target_cls)``: a storage read that returns at once, without awaiting."""


def immediate_reader(storage: Storage) -> ImmediateRead | None:
    """The read of ``storage`` as a plain call, when it can be one: ``storage`` is a
    ``MemoryStorage`` whose ``read`` is ``MemoryStorage``'s own (not overridden by a
    subclass, nor replaced on the object, e.g. by a test spying on reads).

    The turn state uses it to read a scope when a handler first uses it, instead of at
    the start of every turn.
    """
    if type(storage).read is MemoryStorage.read and "read" not in vars(storage):
        return storage._read_now  # type: ignore[attr-defined,no-any-return]
    return None
