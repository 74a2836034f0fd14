"""Storage: the conformance suite over every implementation, plus what is specific to each."""

from __future__ import annotations

import asyncio
import copy
import logging
from dataclasses import dataclass
from typing import Any

import pytest

import microsoft_agents.hosting.core as core
from microsoft_agents.hosting.core import ETagConflictError, StorageKeyError
from microsoft_agents.hosting.core import storage as storage_module
from microsoft_agents.hosting.core.storage import (
    AsyncStorageBase,
    MemoryStorage,
    Storage,
    StoreItem,
    StoreItemT,
    sanitize_key,
)

from .storage_conformance import Note, RawDocument, StorageCase, StorageConformance


class DictBackedStorage(AsyncStorageBase):
    """A minimal AsyncStorageBase backend, the way a service backend would be written."""

    def __init__(self) -> None:
        super().__init__()
        self.documents: dict[str, dict[str, Any]] = {}
        self.initialize_calls = 0
        self._version = 0

    async def initialize(self) -> None:
        self.initialize_calls += 1
        await asyncio.sleep(0)  # let a concurrent first call overlap, if the base allowed it

    async def _read_item(
        self, key: str, *, target_cls: type[StoreItemT], **kwargs: Any
    ) -> StoreItemT | None:
        data = self.documents.get(key)
        if data is None:
            return None
        item = target_cls.from_json_to_store_item(copy.deepcopy(data))
        assert isinstance(item, target_cls)
        return item

    async def _write_item(self, key: str, item: StoreItem) -> None:
        data = copy.deepcopy(item.store_item_to_json())
        e_tag = data.get("e_tag")
        if e_tag not in (None, "*"):
            stored = self.documents.get(key)
            if stored is None or stored["e_tag"] != e_tag:
                raise ETagConflictError(f"stale e_tag for {key!r} ('*' overwrites)", key=key)
        if "e_tag" in data:  # an item that takes part in e-tags
            self._version += 1
            data["e_tag"] = str(self._version)
            if hasattr(item, "e_tag"):
                item.e_tag = data["e_tag"]
        self.documents[key] = data

    async def _delete_item(self, key: str) -> None:
        self.documents.pop(key, None)


IMPLEMENTATIONS = [
    pytest.param(StorageCase(factory=MemoryStorage), id="MemoryStorage"),
    pytest.param(
        StorageCase(factory=DictBackedStorage, atomic_batches=False), id="AsyncStorageBase"
    ),
]
"""Every Storage of this package; later backends append their case here or subclass."""


class TestStorageConformance(StorageConformance):
    @pytest.fixture(params=IMPLEMENTATIONS)
    def storage_case(self, request: pytest.FixtureRequest) -> StorageCase:
        case: StorageCase = request.param
        return case


# ---------------------------------------------------------------------- exports


def test_storage_exports_are_pinned() -> None:
    assert storage_module.__all__ == [
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
    for name in storage_module.__all__:
        assert hasattr(storage_module, name)


def test_the_package_root_exports_the_core_storage_names() -> None:
    assert core.MemoryStorage is MemoryStorage
    assert core.Storage is Storage
    assert core.StoreItem is StoreItem


# ---------------------------------------------------------------------- MemoryStorage


async def test_memory_storage_can_be_seeded_with_json() -> None:
    seed = {"msteams/conversations/c1": {"count": 2}}
    storage = MemoryStorage(seed)

    items = await storage.read(["msteams/conversations/c1"], target_cls=RawDocument)

    assert items["msteams/conversations/c1"].data == {"count": 2}
    seed["msteams/conversations/c1"]["count"] = 99  # the seed was copied
    again = await storage.read(["msteams/conversations/c1"], target_cls=RawDocument)
    assert again["msteams/conversations/c1"].data == {"count": 2}


def test_memory_storage_rejects_a_bad_seed() -> None:
    with pytest.raises(StorageKeyError, match="non-empty"):
        MemoryStorage({"": {"v": 1}})
    with pytest.raises(TypeError, match="'k'"):
        MemoryStorage({"k": ["not", "a", "dict"]})  # type: ignore[dict-item]


def test_memory_storage_needs_no_running_loop_to_construct() -> None:
    storage = MemoryStorage()

    assert isinstance(storage, Storage)


async def test_a_seeded_item_without_etag_accepts_only_unconditional_writes() -> None:
    storage = MemoryStorage({"k": {"text": "seeded"}})

    with pytest.raises(ETagConflictError):
        await storage.write({"k": Note(text="guess", e_tag="1")})
    await storage.write({"k": Note(text="forced", e_tag="*")})

    assert (await storage.read(["k"], target_cls=Note))["k"].text == "forced"


async def test_memory_storage_conflict_messages_say_what_happened_and_how_to_fix() -> None:
    storage = MemoryStorage()
    note = Note(text="v1")
    await storage.write({"n": note})
    stale = Note(text="old", e_tag=note.e_tag)
    await storage.write({"n": note})

    with pytest.raises(ETagConflictError) as changed:
        await storage.write({"n": stale})
    await storage.delete(["n"])
    with pytest.raises(ETagConflictError) as deleted:
        await storage.write({"n": note})

    assert "someone changed it since it was read" in str(changed.value)
    assert "Read it again" in str(changed.value)
    assert "e_tag '*'" in str(changed.value)
    assert "deleted" in str(deleted.value)


async def test_read_rejects_a_target_cls_that_builds_something_else() -> None:
    class Liar(StoreItem):
        def store_item_to_json(self) -> dict[str, Any]:
            return {}

        @staticmethod
        def from_json_to_store_item(json_data: dict[str, Any]) -> StoreItem:
            return Note()

    storage = MemoryStorage({"k": {}})

    with pytest.raises(TypeError, match=r"Liar.*must return a Liar"):
        await storage.read(["k"], target_cls=Liar)


async def test_write_rejects_an_item_whose_json_is_not_a_dict() -> None:
    class Broken(StoreItem):
        def store_item_to_json(self) -> dict[str, Any]:
            return ["not a dict"]  # type: ignore[return-value]

        @staticmethod
        def from_json_to_store_item(json_data: dict[str, Any]) -> StoreItem:
            return Broken()

    storage = MemoryStorage()

    with pytest.raises(TypeError, match="must return a dict"):
        await storage.write({"ok": Note(text="x"), "k": Broken()})
    assert await storage.read(["ok"], target_cls=Note) == {}


async def test_an_item_whose_etag_cannot_be_set_is_stored_and_a_warning_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    @dataclass(frozen=True)
    class Frozen(StoreItem):
        text: str
        e_tag: str | None = None

        def store_item_to_json(self) -> dict[str, Any]:
            return {"text": self.text, "e_tag": self.e_tag}

        @staticmethod
        def from_json_to_store_item(json_data: dict[str, Any]) -> StoreItem:
            return Frozen(text=json_data["text"], e_tag=json_data.get("e_tag"))

    storage = MemoryStorage()

    with caplog.at_level(logging.WARNING):
        await storage.write({"k": Frozen(text="x")})

    assert (await storage.read(["k"], target_cls=Frozen))["k"].text == "x"
    assert "could not set its e_tag" in caplog.text


async def test_delete_happens_under_the_lock_while_a_batch_is_written() -> None:
    storage = MemoryStorage()
    await storage.write({"a": Note(text="a")})

    await asyncio.gather(
        storage.write({f"b{i}": Note(text="b") for i in range(20)}),
        storage.delete(["a"]),
    )

    assert await storage.read(["a"], target_cls=Note) == {}
    assert len(await storage.read([f"b{i}" for i in range(20)], target_cls=Note)) == 20


# ---------------------------------------------------------------------- AsyncStorageBase


async def test_initialize_runs_once_lazily_even_under_concurrent_first_calls() -> None:
    storage = DictBackedStorage()
    assert storage.initialize_calls == 0

    await asyncio.gather(
        storage.write({"a": Note(text="a")}),
        storage.write({"b": Note(text="b")}),
        storage.read(["a"], target_cls=Note),
    )
    await storage.delete(["a"])

    assert storage.initialize_calls == 1


async def test_the_base_validates_arguments_before_touching_the_backend() -> None:
    storage = DictBackedStorage()

    with pytest.raises(StorageKeyError, match="no keys"):
        await storage.read([], target_cls=Note)
    with pytest.raises(StorageKeyError, match="''"):
        await storage.write({"": Note()})

    assert storage.initialize_calls == 0


async def test_an_async_storage_base_batch_stops_at_the_first_conflict() -> None:
    storage = DictBackedStorage()
    await storage.write({"k": Note(text="v1")})

    with pytest.raises(ETagConflictError):
        await storage.write({"before": Note(text="x"), "k": Note(text="v2", e_tag="stale")})

    assert "before" in storage.documents  # documented: such batches are not atomic


# ---------------------------------------------------------------------- sanitize_key


def test_sanitize_key_leaves_harmless_keys_alone() -> None:
    assert sanitize_key("users:29:abc ünï") == "users:29:abc ünï"


def test_sanitize_key_escapes_forbidden_characters_and_the_escape_itself() -> None:
    assert sanitize_key("msteams/conversations/a?b#c\\d") == (
        "msteams%2Fconversations%2Fa%3Fb%23c%5Cd"
    )
    assert sanitize_key("100%") == "100%25"
    assert sanitize_key("tab\there") == "tab%09here"
    assert sanitize_key("a:b", forbidden=":") == "a%3Ab"
    assert sanitize_key("é", forbidden="é") == "%C3%A9"


def test_sanitize_key_never_maps_two_keys_to_one() -> None:
    keys = ["a/b", "a%2Fb", "a%252Fb", "a%2fb", "a\\b", "a%5Cb", "a~b", "a%~b"]

    results = [sanitize_key(key) for key in keys]

    assert len(set(results)) == len(keys)
    assert all("/" not in r and "\\" not in r for r in results)


def test_sanitize_key_truncates_long_keys_with_a_hash() -> None:
    long_a = "conversation-" + "x" * 300 + "a"
    long_b = "conversation-" + "x" * 300 + "b"

    sanitized_a = sanitize_key(long_a, max_length=100)
    sanitized_b = sanitize_key(long_b, max_length=100)

    assert len(sanitized_a) == len(sanitized_b) == 100
    assert sanitized_a != sanitized_b
    assert sanitized_a.startswith("conversation-xxx")
    assert sanitize_key(long_a, max_length=100) == sanitized_a  # deterministic
    assert sanitize_key(long_a, max_length=None) == long_a


def test_a_truncated_key_never_equals_a_short_one() -> None:
    long_key = "k" * 200
    truncated = sanitize_key(long_key, max_length=60)

    # Feeding the truncated form back in escapes its '%', so it cannot collide.
    assert sanitize_key(truncated, max_length=60) != truncated
    assert len(truncated) == 60


def test_escaping_that_makes_a_key_too_long_also_truncates() -> None:
    key = "/" * 50  # 50 characters, 150 once escaped

    sanitized = sanitize_key(key, max_length=64)

    assert len(sanitized) == 64
    assert "/" not in sanitized


def test_sanitize_key_rejects_bad_arguments() -> None:
    with pytest.raises(StorageKeyError, match="empty"):
        sanitize_key("")
    with pytest.raises(ValueError, match="max_length >= 40"):
        sanitize_key("k", max_length=10)
    with pytest.raises(ValueError, match="'%'"):
        sanitize_key("k", forbidden="%/")
