"""The storage contract: ``StoreItem``, ``Storage`` and ``AsyncStorageBase``.

A :class:`Storage` is a key/value store of JSON documents. Turn state, sign-in flows and
conversation references are all kept in one. Values go in and come out as
:class:`StoreItem` objects, which know how to turn themselves into a JSON dict and back::

    @dataclass
    class Counter(StoreItem):
        count: int = 0
        e_tag: str | None = None

        def store_item_to_json(self) -> dict[str, Any]:
            return {"count": self.count, "e_tag": self.e_tag}

        @staticmethod
        def from_json_to_store_item(json_data: dict[str, Any]) -> Counter:
            return Counter(count=json_data.get("count", 0), e_tag=json_data.get("e_tag"))

    items = await storage.read(["msteams/conversations/c1"], target_cls=Counter)
    counter = items.get("msteams/conversations/c1", Counter())
    counter.count += 1
    await storage.write({"msteams/conversations/c1": counter})

The rules every implementation follows:

* ``read`` returns only the keys that exist; ``delete`` of a missing key is not an error.
* ``keys`` / ``changes`` must not be empty and every key must be a non-empty string
  (:class:`StorageKeyError`, a ``ValueError``, otherwise).
* Optimistic concurrency, for items that take part in it: the JSON of such an item carries
  an ``"e_tag"`` key. A write whose ``e_tag`` is ``None`` or ``"*"`` always succeeds; any
  other value must match the stored item's current e_tag, else :class:`ETagConflictError`
  is raised. Each successful write gives the item a new e_tag (stored under ``"e_tag"``
  and, when the object has an ``e_tag`` attribute, set on it). An item whose JSON has no
  ``"e_tag"`` key is stored and read back exactly as its JSON is, unchecked.
* The JSON must be JSON-compatible (dicts with string keys, lists, strings, numbers,
  booleans, ``None``): it is what a real backend can store.

A backend that talks to a service derives from :class:`AsyncStorageBase` and implements
three per-item methods; the base validates the arguments and fans batches out.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, TypeVar

from microsoft_agents.hosting.core._errors import StorageKeyError

__all__ = [
    "ANY_ETAG",
    "ETAG_FIELD",
    "AsyncStorageBase",
    "Storage",
    "StoreItem",
    "StoreItemT",
    "apply_new_etag",
    "sanitize_key",
    "validate_changes",
    "validate_keys",
]

logger = logging.getLogger(__name__)

ETAG_FIELD = "e_tag"
"""The key of an item's JSON that carries its e-tag."""

ANY_ETAG = "*"
"""The e-tag that means "overwrite whatever is stored"."""


class StoreItem(ABC):
    """A value that can be kept in a :class:`Storage`.

    Subclasses turn themselves into a JSON-compatible dict and are rebuilt from one. Include
    ``"e_tag"`` in the dict (and accept it back) to take part in optimistic concurrency.
    """

    @abstractmethod
    def store_item_to_json(self) -> dict[str, Any]:
        """This item as a JSON-compatible dict."""

    @staticmethod
    @abstractmethod
    def from_json_to_store_item(json_data: dict[str, Any]) -> StoreItem:
        """Rebuild an item from the dict :meth:`store_item_to_json` produced."""


StoreItemT = TypeVar("StoreItemT", bound=StoreItem)


def validate_keys(keys: object, operation: str) -> list[str]:
    """Check the ``keys`` argument of ``read``/``delete``; returns them as a list (the
    given one when it is a valid list: callers must not change it).

    Raises:
        StorageKeyError: ``keys`` is a bare string, empty, or holds a key that is not a
            non-empty string.
    """
    if type(keys) is list and keys and all(type(key) is str and key for key in keys):
        return keys  # the usual call; the checks below only explain what is wrong
    if isinstance(keys, str):
        raise StorageKeyError(
            f"Storage.{operation}() takes a list of keys, got the string {keys!r}; "
            f"pass [{keys!r}] instead"
        )
    if not isinstance(keys, (list, tuple)):
        raise StorageKeyError(
            f"Storage.{operation}() takes a list of keys, got {type(keys).__name__}"
        )
    if not keys:
        raise StorageKeyError(
            f"Storage.{operation}() was called with no keys; pass at least one key"
        )
    for key in keys:
        _check_key(key, operation)
    return list(keys)


def validate_changes(changes: object) -> dict[str, StoreItem]:
    """Check the ``changes`` argument of ``write``; returns it as a dict.

    Raises:
        StorageKeyError: ``changes`` is empty or has a key that is not a non-empty string.
        TypeError: ``changes`` is not a mapping, or a value is not a :class:`StoreItem`.
    """
    if not isinstance(changes, Mapping):
        raise TypeError(
            f"Storage.write() takes a dict of key -> StoreItem, got {type(changes).__name__}"
        )
    if not changes:
        raise StorageKeyError(
            "Storage.write() was called with no changes; pass at least one key -> item"
        )
    checked: dict[str, StoreItem] = {}
    for key, item in changes.items():
        _check_key(key, "write")
        if not isinstance(item, StoreItem):
            raise TypeError(
                f"Storage.write() got a {type(item).__name__} for key {key!r}; values must "
                "be StoreItem objects (implement store_item_to_json/from_json_to_store_item)"
            )
        checked[key] = item
    return checked


def _check_key(key: object, operation: str) -> None:
    if not isinstance(key, str):
        raise StorageKeyError(
            f"Storage.{operation}() got the key {key!r} of type {type(key).__name__}; "
            "keys must be non-empty strings"
        )
    if not key:
        raise StorageKeyError(
            f"Storage.{operation}() got the empty key {key!r}; keys must be non-empty strings"
        )


def apply_new_etag(item: StoreItem, e_tag: str) -> None:
    """Give ``item`` the e-tag a write produced, when the object has an ``e_tag`` attribute.

    A failure to set it (a frozen model, a read-only property) is logged, not raised: the
    write itself already succeeded.
    """
    if not hasattr(item, ETAG_FIELD):
        return
    try:
        setattr(item, ETAG_FIELD, e_tag)
    except (AttributeError, TypeError, ValueError) as error:
        logger.warning(
            "Stored %s but could not set its e_tag attribute (%s); a second write of the "
            "same object will conflict unless it is read again",
            type(item).__name__,
            error,
        )


_ESCAPE = "%"
_TRUNCATED = "%~"
_HASH_LENGTH = 32


def sanitize_key(key: str, *, max_length: int | None = 255, forbidden: str = "\\/?#") -> str:
    """Turn ``key`` into one a backend with a restricted key alphabet or length accepts.

    Every character in ``forbidden``, every control character and ``%`` itself are
    replaced by ``%XX`` escapes of their UTF-8 bytes, so two different keys never map to
    the same result. A result longer than ``max_length`` characters is cut and ends with
    ``%~`` and a hash of the whole key (a sequence escaping never produces), so long keys
    stay distinct too. Keys that need no change are returned as they are::

        sanitize_key("msteams/conversations/a:1")   # 'msteams%2Fconversations%2Fa:1'

    Args:
        key: the key to sanitise (a non-empty string).
        max_length: the longest key the backend accepts, in characters; ``None`` for no
            limit. At least 40.
        forbidden: the characters the backend does not accept in keys.

    Raises:
        StorageKeyError: ``key`` is not a non-empty string.
        ValueError: ``max_length`` is below 40, or ``forbidden`` contains ``%`` or ``~``
            (which the escaping itself uses).
    """
    _check_key(key, "sanitize_key")
    if _ESCAPE in forbidden or "~" in forbidden:
        raise ValueError(
            "sanitize_key() uses '%' and '~' in its escapes, so they cannot be forbidden; "
            f"got forbidden={forbidden!r}"
        )
    minimum = len(_TRUNCATED) + _HASH_LENGTH + 6
    if max_length is not None and max_length < minimum:
        raise ValueError(
            f"sanitize_key() needs max_length >= {minimum} to fit the hash of a long key; "
            f"got {max_length}"
        )
    escaped: list[str] = []
    for char in key:
        if char == _ESCAPE or char in forbidden or not char.isprintable():
            escaped.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
        else:
            escaped.append(char)
    result = "".join(escaped)
    if max_length is None or len(result) <= max_length:
        return result
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:_HASH_LENGTH]
    keep = max_length - len(_TRUNCATED) - _HASH_LENGTH
    return f"{result[:keep]}{_TRUNCATED}{digest}"


class Storage(ABC):
    """A key/value store of :class:`StoreItem` objects (see the module docs for the rules)."""

    @abstractmethod
    async def read(
        self, keys: list[str], *, target_cls: type[StoreItemT], **kwargs: Any
    ) -> dict[str, StoreItemT]:
        """Read the items stored under ``keys``.

        Args:
            keys: the keys to read (at least one).
            target_cls: the :class:`StoreItem` class to rebuild each item with.
            **kwargs: backend-specific options.

        Returns:
            key -> item for the keys that exist; missing keys are absent.

        Raises:
            StorageKeyError: ``keys`` is empty or holds an invalid key.
        """

    @abstractmethod
    async def write(self, changes: dict[str, StoreItem]) -> None:
        """Store each item under its key.

        Raises:
            StorageKeyError: ``changes`` is empty or holds an invalid key.
            ETagConflictError: an item's e_tag does not match the stored one.
        """

    @abstractmethod
    async def delete(self, keys: list[str]) -> None:
        """Remove the items stored under ``keys``; missing keys are ignored.

        Raises:
            StorageKeyError: ``keys`` is empty or holds an invalid key.
        """


class AsyncStorageBase(Storage):
    """A base for backends that store one item at a time.

    Implement :meth:`_read_item`, :meth:`_write_item` and :meth:`_delete_item`, and
    override :meth:`initialize` to create containers or connections; it is awaited once,
    before the first operation. The base validates the arguments and runs a batch item by
    item, in order.

    E-tags are the backend's business: :meth:`_write_item` compares the item's ``"e_tag"``
    with the stored one (most services do this natively) and raises
    :class:`ETagConflictError` on a mismatch. A batch is not atomic: items written before a
    conflict stay written.
    """

    def __init__(self) -> None:
        self._initialized = False
        self._init_lock: asyncio.Lock | None = None

    async def initialize(self) -> None:
        """Prepare the backend (create a container, open a client); the default does nothing."""

    async def _ensure_initialized(self) -> None:
        if self._initialized:
            return
        # Created here, not in __init__, so that a storage built outside a running loop
        # (at import time, say) still works.
        if self._init_lock is None:
            self._init_lock = asyncio.Lock()
        async with self._init_lock:
            if not self._initialized:
                await self.initialize()
                self._initialized = True

    @abstractmethod
    async def _read_item(
        self, key: str, *, target_cls: type[StoreItemT], **kwargs: Any
    ) -> StoreItemT | None:
        """Read one item, rebuilt with ``target_cls``; ``None`` when ``key`` is not stored."""

    @abstractmethod
    async def _write_item(self, key: str, item: StoreItem) -> None:
        """Write one item, checking its e_tag and giving it a new one."""

    @abstractmethod
    async def _delete_item(self, key: str) -> None:
        """Delete one item; a missing key is not an error."""

    async def read(
        self, keys: list[str], *, target_cls: type[StoreItemT], **kwargs: Any
    ) -> dict[str, StoreItemT]:
        """Read the items stored under ``keys`` (see :meth:`Storage.read`)."""
        checked = validate_keys(keys, "read")
        await self._ensure_initialized()
        found: dict[str, StoreItemT] = {}
        for key in checked:
            item = await self._read_item(key, target_cls=target_cls, **kwargs)
            if item is not None:
                found[key] = item
        return found

    async def write(self, changes: dict[str, StoreItem]) -> None:
        """Write each item, in order (see :meth:`Storage.write`)."""
        checked = validate_changes(changes)
        await self._ensure_initialized()
        for key, item in checked.items():
            await self._write_item(key, item)

    async def delete(self, keys: list[str]) -> None:
        """Delete the items under ``keys`` (see :meth:`Storage.delete`)."""
        checked = validate_keys(keys, "delete")
        await self._ensure_initialized()
        for key in checked:
            await self._delete_item(key)
