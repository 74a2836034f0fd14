"""The storage conformance suite: what every ``Storage`` implementation must do.

A backend's tests subclass :class:`StorageConformance` and provide a ``storage_case``
fixture (or override ``storage`` directly when the backend needs async set-up or clean-up)::

    class TestRedisStorage(StorageConformance):
        @pytest.fixture
        def storage_case(self) -> StorageCase:
            return StorageCase(factory=lambda: RedisStorage(url), atomic_batches=False)

``tests/hosting_core/test_storage.py`` runs the suite over every implementation of this
package. The file name does not start with ``test_``, so pytest collects the checks only
through subclasses.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from pydantic import BaseModel

from microsoft_agents.hosting.core import ETagConflictError, StorageKeyError
from microsoft_agents.hosting.core.storage import Storage, StoreItem


@dataclass
class Note(StoreItem):
    """A dataclass item that takes part in optimistic concurrency."""

    text: str = ""
    tags: list[str] = field(default_factory=list)
    e_tag: str | None = None

    def store_item_to_json(self) -> dict[str, Any]:
        return {"text": self.text, "tags": self.tags, "e_tag": self.e_tag}

    @staticmethod
    def from_json_to_store_item(json_data: dict[str, Any]) -> Note:
        return Note(
            text=json_data.get("text", ""),
            tags=list(json_data.get("tags", [])),
            e_tag=json_data.get("e_tag"),
        )


class Address(BaseModel):
    city: str
    lines: list[str] = []


class Profile(StoreItem, BaseModel):
    """A pydantic-backed item with nested models and an e_tag field."""

    name: str
    visits: int = 0
    address: Address | None = None
    e_tag: str | None = None

    def store_item_to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    @staticmethod
    def from_json_to_store_item(json_data: dict[str, Any]) -> Profile:
        return Profile.model_validate(json_data)


class RawDocument(StoreItem):
    """An item without an ``e_tag`` attribute: the whole JSON, kept as it is."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def store_item_to_json(self) -> dict[str, Any]:
        return self.data

    @staticmethod
    def from_json_to_store_item(json_data: dict[str, Any]) -> RawDocument:
        return RawDocument(json_data)


@dataclass(frozen=True)
class StorageCase:
    """How to build one implementation under test.

    Attributes:
        factory: builds a fresh, empty storage.
        atomic_batches: the implementation writes nothing of a batch when one item
            conflicts (``AsyncStorageBase`` backends write item by item and need not).
    """

    factory: Callable[[], Storage]
    atomic_batches: bool = True


class StorageConformance:
    """The checks; subclass it and provide a ``storage_case`` fixture."""

    @pytest.fixture
    def storage_case(self) -> StorageCase:
        raise NotImplementedError("provide a storage_case fixture in the subclass")

    @pytest.fixture
    def storage(self, storage_case: StorageCase) -> Storage:
        return storage_case.factory()

    # ------------------------------------------------------------------ round trips

    async def test_a_written_item_reads_back_equal(self, storage: Storage) -> None:
        await storage.write({"notes/1": Note(text="hello", tags=["a", "b"])})

        items = await storage.read(["notes/1"], target_cls=Note)

        note = items["notes/1"]
        assert isinstance(note, Note)
        assert (note.text, note.tags) == ("hello", ["a", "b"])
        assert isinstance(note.e_tag, str)
        assert note.e_tag

    async def test_a_pydantic_item_with_nested_models_round_trips(self, storage: Storage) -> None:
        profile = Profile(name="Ann", visits=3, address=Address(city="Oslo", lines=["Gate 1"]))
        await storage.write({"users/ann": profile})

        read = (await storage.read(["users/ann"], target_cls=Profile))["users/ann"]

        assert read.model_dump(exclude={"e_tag"}) == profile.model_dump(exclude={"e_tag"})
        assert read.e_tag == profile.e_tag

    async def test_missing_keys_are_absent_from_the_result(self, storage: Storage) -> None:
        await storage.write({"present": Note(text="here")})

        items = await storage.read(["present", "absent"], target_cls=Note)

        assert list(items) == ["present"]
        assert await storage.read(["absent"], target_cls=Note) == {}

    async def test_items_are_rebuilt_with_target_cls(self, storage: Storage) -> None:
        await storage.write({"doc": RawDocument({"text": "x", "extra": {"n": 1}})})

        as_note = (await storage.read(["doc"], target_cls=Note))["doc"]
        as_raw = (await storage.read(["doc"], target_cls=RawDocument))["doc"]

        assert isinstance(as_note, Note)
        assert as_note.text == "x"
        assert isinstance(as_raw, RawDocument)
        assert as_raw.data["extra"] == {"n": 1}
        assert as_note.e_tag is None  # the document takes no part in e-tags

    async def test_an_item_without_e_tag_is_kept_exactly_and_never_conflicts(
        self, storage: Storage
    ) -> None:
        """The reference SDK's items: their JSON is stored as it is, ``Item(**json)`` reads
        it back, and writing the same object again is no conflict."""

        @dataclass
        class Plain(StoreItem):
            count: int = 0

            def store_item_to_json(self) -> dict[str, Any]:
                return {"count": self.count}

            @staticmethod
            def from_json_to_store_item(json_data: dict[str, Any]) -> Plain:
                return Plain(**json_data)

        item = Plain(count=1)
        await storage.write({"plain": item})
        item.count = 2
        await storage.write({"plain": item})
        read = (await storage.read(["plain"], target_cls=Plain))["plain"]
        assert read == Plain(count=2)
        read.count = 3
        await storage.write({"plain": read})
        raw = (await storage.read(["plain"], target_cls=RawDocument))["plain"]
        assert raw.data == {"count": 3}

    async def test_several_keys_are_read_and_written_in_one_call(self, storage: Storage) -> None:
        await storage.write({f"k{i}": Note(text=str(i)) for i in range(5)})

        items = await storage.read([f"k{i}" for i in range(5)], target_cls=Note)

        assert {key: item.text for key, item in items.items()} == {
            f"k{i}": str(i) for i in range(5)
        }

    async def test_keys_with_unusual_characters_stay_distinct(self, storage: Storage) -> None:
        keys = [
            "msteams/conversations/a:1xyz",
            "msteams%2Fconversations%2Fa:1xyz",
            "auth:_SignInState:msteams:29:abc",
            "what?#\\",
            "ünïcødé ключ 🙂",
            "x" * 600,
            "x" * 599 + "y",
        ]
        await storage.write({key: Note(text=str(i)) for i, key in enumerate(keys)})

        items = await storage.read(keys, target_cls=Note)

        assert {key: item.text for key, item in items.items()} == {
            key: str(i) for i, key in enumerate(keys)
        }

    # ------------------------------------------------------------------ delete

    async def test_delete_removes_the_items(self, storage: Storage) -> None:
        await storage.write({"a": Note(text="a"), "b": Note(text="b"), "c": Note(text="c")})

        await storage.delete(["a", "c"])

        assert list(await storage.read(["a", "b", "c"], target_cls=Note)) == ["b"]

    async def test_deleting_a_missing_key_is_not_an_error(self, storage: Storage) -> None:
        await storage.write({"kept": Note(text="kept")})

        await storage.delete(["never-written"])
        await storage.delete(["kept"])
        await storage.delete(["kept"])

        assert await storage.read(["kept"], target_cls=Note) == {}

    # ------------------------------------------------------------------ argument errors

    async def test_empty_keys_or_changes_raise_value_error(self, storage: Storage) -> None:
        with pytest.raises(ValueError, match="no keys"):
            await storage.read([], target_cls=Note)
        with pytest.raises(ValueError, match="no keys"):
            await storage.delete([])
        with pytest.raises(ValueError, match="no changes"):
            await storage.write({})

    @pytest.mark.parametrize("bad_key", ["", None, 42])
    async def test_invalid_keys_are_rejected_naming_the_key(
        self, storage: Storage, bad_key: Any
    ) -> None:
        with pytest.raises(StorageKeyError, match=repr(bad_key)) as read_error:
            await storage.read(["fine", bad_key], target_cls=Note)
        with pytest.raises(StorageKeyError, match=repr(bad_key)):
            await storage.delete([bad_key])
        with pytest.raises(StorageKeyError, match=repr(bad_key)):
            await storage.write({bad_key: Note(text="x")})

        assert isinstance(read_error.value, ValueError)
        assert await storage.read(["fine"], target_cls=Note) == {}

    async def test_a_bare_string_instead_of_a_key_list_is_rejected(self, storage: Storage) -> None:
        await storage.write({"abc": Note(text="abc")})

        with pytest.raises(StorageKeyError, match=r"\['abc'\]"):
            await storage.read("abc", target_cls=Note)  # type: ignore[arg-type]
        with pytest.raises(StorageKeyError, match=r"\['abc'\]"):
            await storage.delete("abc")  # type: ignore[arg-type]

        assert list(await storage.read(["abc"], target_cls=Note)) == ["abc"]

    async def test_a_value_that_is_not_a_store_item_is_rejected(self, storage: Storage) -> None:
        with pytest.raises(TypeError, match="StoreItem"):
            await storage.write({"k": {"text": "a dict"}})  # type: ignore[dict-item]

        assert await storage.read(["k"], target_cls=Note) == {}

    # ------------------------------------------------------------------ e-tags

    async def test_each_write_gives_a_new_etag_and_sets_it_on_the_item(
        self, storage: Storage
    ) -> None:
        note = Note(text="v1")
        await storage.write({"n": note})
        first = note.e_tag

        note.text = "v2"
        await storage.write({"n": note})  # a second save of the same object in one turn

        assert first is not None
        assert note.e_tag is not None
        assert note.e_tag != first
        stored = (await storage.read(["n"], target_cls=Note))["n"]
        assert (stored.text, stored.e_tag) == ("v2", note.e_tag)

    async def test_a_stale_etag_raises_and_changes_nothing(self, storage: Storage) -> None:
        await storage.write({"n": Note(text="original")})
        mine = (await storage.read(["n"], target_cls=Note))["n"]
        theirs = (await storage.read(["n"], target_cls=Note))["n"]
        theirs.text = "theirs"
        await storage.write({"n": theirs})

        mine.text = "mine"
        with pytest.raises(ETagConflictError, match="'n'") as raised:
            await storage.write({"n": mine})

        assert raised.value.key == "n"
        assert "'*'" in str(raised.value)
        assert (await storage.read(["n"], target_cls=Note))["n"].text == "theirs"

    async def test_a_conflict_in_a_batch_writes_nothing_of_it(
        self, storage: Storage, storage_case: StorageCase
    ) -> None:
        await storage.write({"stale": Note(text="v1"), "other": Note(text="v1")})
        old = (await storage.read(["stale"], target_cls=Note))["stale"]
        await storage.write({"stale": Note(text="v2")})
        other = (await storage.read(["other"], target_cls=Note))["other"]
        other.text = "v2"
        old.text = "v3"

        with pytest.raises(ETagConflictError) as raised:
            await storage.write({"new": Note(text="new"), "other": other, "stale": old})

        assert raised.value.key == "stale"
        items = await storage.read(["new", "other", "stale"], target_cls=Note)
        assert items["stale"].text == "v2"
        if storage_case.atomic_batches:
            assert {key: item.text for key, item in items.items()} == {
                "other": "v1",
                "stale": "v2",
            }
            assert other.e_tag == items["other"].e_tag  # the item got no new e_tag either

    async def test_star_etag_overwrites_whatever_is_stored(self, storage: Storage) -> None:
        await storage.write({"n": Note(text="v1")})
        await storage.write({"n": Note(text="v2")})

        await storage.write({"n": Note(text="forced", e_tag="*")})

        assert (await storage.read(["n"], target_cls=Note))["n"].text == "forced"

    async def test_an_item_without_etag_overwrites(self, storage: Storage) -> None:
        await storage.write({"doc": RawDocument({"v": 1})})
        await storage.write({"doc": RawDocument({"v": 2})})
        await storage.write({"doc": Note(text="no e_tag", e_tag=None)})

        stored = (await storage.read(["doc"], target_cls=RawDocument))["doc"]
        assert stored.data["text"] == "no e_tag"

    async def test_an_etag_for_a_deleted_key_is_a_conflict(self, storage: Storage) -> None:
        await storage.write({"n": Note(text="v1")})
        note = (await storage.read(["n"], target_cls=Note))["n"]
        await storage.delete(["n"])

        note.text = "v2"
        with pytest.raises(ETagConflictError) as raised:
            await storage.write({"n": note})

        assert raised.value.key == "n"
        assert await storage.read(["n"], target_cls=Note) == {}

    async def test_the_current_etag_allows_the_write(self, storage: Storage) -> None:
        await storage.write({"n": Note(text="v1")})
        note = (await storage.read(["n"], target_cls=Note))["n"]

        note.text = "v2"
        await storage.write({"n": note})

        assert (await storage.read(["n"], target_cls=Note))["n"].text == "v2"

    # ------------------------------------------------------------------ no aliasing

    async def test_mutating_a_read_item_does_not_change_the_store(self, storage: Storage) -> None:
        """§18 row 10: reads return copies, so a handler cannot change the store by accident."""
        await storage.write({"doc": RawDocument({"list": [1], "nested": {"n": 1}})})
        read = (await storage.read(["doc"], target_cls=RawDocument))["doc"]

        read.data["list"].append(2)
        read.data["nested"]["n"] = 99

        again = (await storage.read(["doc"], target_cls=RawDocument))["doc"]
        assert (again.data["list"], again.data["nested"]) == ([1], {"n": 1})

    async def test_mutating_an_item_after_writing_does_not_change_the_store(
        self, storage: Storage
    ) -> None:
        """§18 row 10: writes store a copy; later changes need another write."""
        data: dict[str, Any] = {"list": [1], "nested": {"n": 1}}
        await storage.write({"doc": RawDocument(data)})

        data["list"].append(2)
        data["nested"]["n"] = 99
        data["added"] = True

        stored = (await storage.read(["doc"], target_cls=RawDocument))["doc"]
        assert (stored.data["list"], stored.data["nested"]) == ([1], {"n": 1})
        assert "added" not in stored.data

    async def test_writing_does_not_mutate_the_items_json(self, storage: Storage) -> None:
        data: dict[str, Any] = {"v": 1, "e_tag": None}
        before = copy.deepcopy(data)

        await storage.write({"doc": RawDocument(data)})

        assert data == before

    # ------------------------------------------------------------------ concurrency

    async def test_two_racing_writers_with_the_same_etag_one_wins(self, storage: Storage) -> None:
        await storage.write({"counter": Note(text="0")})
        first = (await storage.read(["counter"], target_cls=Note))["counter"]
        second = (await storage.read(["counter"], target_cls=Note))["counter"]
        first.text, second.text = "first", "second"

        results = await asyncio.gather(
            storage.write({"counter": first}),
            storage.write({"counter": second}),
            return_exceptions=True,
        )

        conflicts = [r for r in results if isinstance(r, ETagConflictError)]
        assert len(conflicts) == 1
        assert results.count(None) == 1
        winner = first if results[0] is None else second
        stored = (await storage.read(["counter"], target_cls=Note))["counter"]
        assert (stored.text, stored.e_tag) == (winner.text, winner.e_tag)

    async def test_many_concurrent_writers_to_different_keys_all_succeed(
        self, storage: Storage
    ) -> None:
        count = 50

        await asyncio.gather(
            *(storage.write({f"parallel/{i}": Note(text=str(i))}) for i in range(count))
        )

        items = await storage.read([f"parallel/{i}" for i in range(count)], target_cls=Note)
        assert {key: item.text for key, item in items.items()} == {
            f"parallel/{i}": str(i) for i in range(count)
        }
        assert len({item.e_tag for item in items.values()}) == count
