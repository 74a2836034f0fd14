"""Turn state: scopes, load once / save once, e-tags, typed values, the path API, State."""

from __future__ import annotations

import asyncio
import importlib
import logging
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel

import microsoft_agents.hosting.core as core_package
from microsoft_agents.activity import Activity, ChannelAccount, ChannelId, ConversationAccount
from microsoft_agents.hosting.core import StateError, TurnContext
from microsoft_agents.hosting.core import app as app_package
from microsoft_agents.hosting.core.app.state import State, TempState, TurnState, state
from microsoft_agents.hosting.core.state import (
    AgentState,
    ConversationState,
    StatePropertyAccessor,
    UserState,
)
from microsoft_agents.hosting.core.state._json import JsonDocument
from microsoft_agents.hosting.core.storage import MemoryStorage, Storage, StoreItem
from microsoft_agents.hosting.core.storage._memory import immediate_reader
from microsoft_agents.hosting.core.testing import AgentTester, TestAdapter

CONVERSATION_KEY = "msteams/conversations/c1"
USER_KEY = "msteams/users/u1"


class _Raw(StoreItem):
    """Reads a stored document as it is, to look at what storage holds."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def store_item_to_json(self) -> dict[str, Any]:
        return self.data

    @staticmethod
    def from_json_to_store_item(json_data: dict[str, Any]) -> _Raw:
        return _Raw(json_data)


class CountingStorage(MemoryStorage):
    """A MemoryStorage that records the keys of every read and write."""

    def __init__(self, state: dict[str, dict[str, Any]] | None = None) -> None:
        super().__init__(state)
        self.reads: list[list[str]] = []
        self.writes: list[list[str]] = []

    async def read(self, keys: list[str], *, target_cls: Any, **kwargs: Any) -> dict[str, Any]:
        self.reads.append(list(keys))
        return await super().read(keys, target_cls=target_cls, **kwargs)

    async def write(self, changes: dict[str, StoreItem]) -> None:
        self.writes.append(sorted(changes))
        await super().write(changes)

    async def peek(self, key: str) -> dict[str, Any] | None:
        """The stored document without its e_tag (not counted as a read)."""
        items = await MemoryStorage.read(self, [key], target_cls=_Raw)
        if key not in items:
            return None
        return {k: v for k, v in items[key].data.items() if k != "e_tag"}


def make_context(
    *,
    channel_id: str | None = "msteams",
    conversation_id: str | None = "c1",
    user_id: str | None = "u1",
) -> TurnContext:
    return TurnContext(
        TestAdapter(),
        Activity(
            type="message",
            text="hi",
            channel_id=ChannelId(channel_id) if channel_id else None,
            conversation=ConversationAccount(id=conversation_id) if conversation_id else None,
            from_property=ChannelAccount(id=user_id) if user_id else None,
        ),
    )


async def new_turn(storage: Storage, **context_fields: Any) -> tuple[TurnContext, TurnState]:
    context = make_context(**context_fields)
    turn_state = TurnState.with_storage(storage)
    await turn_state.load(context)
    return context, turn_state


class Profile(BaseModel):
    name: str
    languages: list[str] = []


# --------------------------------------------------------------------------- load / save


async def test_state_is_read_once_per_turn() -> None:
    storage = CountingStorage()
    context, turn_state = await new_turn(storage)

    await turn_state.load(context)
    await ConversationState(storage).load(context)  # another object, same turn: cached
    await turn_state.conversation.create_property("count").get(context)

    assert sorted(key for keys in storage.reads for key in keys) == [CONVERSATION_KEY, USER_KEY]


async def test_a_forced_load_reads_again_and_drops_unsaved_changes() -> None:
    storage = CountingStorage({CONVERSATION_KEY: {"count": 1}})
    context, turn_state = await new_turn(storage)
    turn_state.conversation.set_value("count", 99)

    await turn_state.conversation.load(context, force=True)

    assert turn_state.conversation.get_value("count") == 1
    assert sum(CONVERSATION_KEY in keys for keys in storage.reads) == 2


async def test_the_turn_state_reads_its_scopes_in_one_storage_call() -> None:
    storage = CountingStorage({CONVERSATION_KEY: {"count": 3}, USER_KEY: {"name": "Ann"}})
    _, turn_state = await new_turn(storage)
    assert storage.reads == [[CONVERSATION_KEY, USER_KEY]]
    assert turn_state.conversation.get_value("count") == 3
    assert turn_state.user.get_value("name") == "Ann"


async def test_the_turn_state_reads_only_the_scope_the_turn_has_not_loaded() -> None:
    storage = CountingStorage({CONVERSATION_KEY: {"count": 3}, USER_KEY: {"name": "Ann"}})
    context = make_context()
    conversation = ConversationState(storage)
    await conversation.load(context)
    conversation.set_value("count", 4)  # not saved yet: the turn state must see it
    turn_state = TurnState.with_storage(storage)

    await turn_state.load(context)

    assert storage.reads == [[CONVERSATION_KEY], [USER_KEY]]
    assert turn_state.conversation.get_value("count") == 4
    assert turn_state.user.get_value("name") == "Ann"


async def test_a_scope_replaced_in_a_with_storage_state_loads_from_its_own_storage() -> None:
    first, second = CountingStorage(), CountingStorage({CONVERSATION_KEY: {"count": 7}})
    context = make_context()
    turn_state = TurnState.with_storage(first)
    turn_state.add(ConversationState(second))

    await turn_state.load(context)
    turn_state.user.set_value("name", "Ann")
    await turn_state.save(context)

    # (the user's document is read again just before it is created: see the next test)
    assert (first.reads, second.reads) == ([[USER_KEY], [USER_KEY]], [[CONVERSATION_KEY]])
    assert turn_state.conversation.get_value("count") == 7
    assert (first.writes, second.writes) == ([[USER_KEY]], [])


async def test_only_the_changed_scope_of_a_with_storage_state_is_written() -> None:
    storage = CountingStorage({CONVERSATION_KEY: {"count": 3}})
    context, turn_state = await new_turn(storage)
    turn_state.user.set_value("name", "Ann")

    await turn_state.save(context)

    assert storage.writes == [[USER_KEY]]
    assert await storage.peek(USER_KEY) == {"name": "Ann"}


# A MemoryStorage answers without waiting: with_storage's scopes read it when first used.


async def test_memory_storage_is_read_when_a_scope_is_first_used() -> None:
    storage = MemoryStorage({CONVERSATION_KEY: {"count": 1}})
    context, turn_state = await new_turn(storage)
    # Written after load, before any use: what the turn sees is read at first use.
    await storage.write({CONVERSATION_KEY: JsonDocument({"count": 2})})

    assert turn_state.get_value("ConversationState.count") == 2
    assert turn_state.conversation.is_loaded(context)


async def test_a_turn_that_never_uses_memory_state_writes_nothing() -> None:
    storage = MemoryStorage({CONVERSATION_KEY: {"count": 1}})
    context, turn_state = await new_turn(storage)
    turn_state.temp.input = "hi"  # the temp scope needs no storage

    await turn_state.save(context)

    assert (await storage.read([CONVERSATION_KEY], target_cls=JsonDocument))[
        CONVERSATION_KEY
    ].values == {"count": 1}


async def test_memory_state_keys_are_checked_at_load_as_with_any_storage() -> None:
    context = make_context(user_id=None)

    with pytest.raises(StateError, match=r"needs the activity's from\.id"):
        await TurnState.with_storage(MemoryStorage()).load(context)


async def test_changes_made_through_another_scope_object_are_saved_by_the_turn() -> None:
    storage = MemoryStorage()
    context, turn_state = await new_turn(storage)
    conversation = ConversationState(storage)  # e.g. kept by older ActivityHandler code
    await conversation.load(context)
    conversation.set_value("count", 5)

    await turn_state.save(context)

    stored = await storage.read([CONVERSATION_KEY], target_cls=JsonDocument)
    assert stored[CONVERSATION_KEY].values == {"count": 5}


async def test_a_forced_save_of_unused_memory_state_rewrites_it() -> None:
    storage = MemoryStorage({CONVERSATION_KEY: {"count": 1}})
    context, turn_state = await new_turn(storage)
    before = (await storage.read([CONVERSATION_KEY], target_cls=JsonDocument))[CONVERSATION_KEY]

    await turn_state.save(context, force=True)

    after = (await storage.read([CONVERSATION_KEY], target_cls=JsonDocument))[CONVERSATION_KEY]
    assert after.values == {"count": 1}
    assert after.e_tag != before.e_tag


async def test_a_with_storage_state_lists_its_scopes_and_keeps_temp_values() -> None:
    storage = MemoryStorage({CONVERSATION_KEY: {"count": 2}})
    context = make_context()
    turn_state = TurnState.with_storage(storage)
    turn_state.temp.input = "hi"  # before the scopes are used

    assert repr(turn_state) == "TurnState(ConversationState, UserState, temp)"
    assert list(turn_state.scopes) == ["ConversationState", "UserState", "temp"]
    await turn_state.load(context)
    assert turn_state.get_value("ConversationState.count") == 2
    assert turn_state.get_value("temp.input") == "hi"
    assert turn_state.temp is turn_state.get_scope_by_name("temp")


async def test_a_subclass_with_its_own_getattr_gets_its_scopes_at_once() -> None:
    class ProfileState(TurnState):
        def __getattr__(self, name: str) -> Any:  # e.g. values as attributes
            if name.startswith("_"):
                raise AttributeError(name)
            return self.get_value(f"UserState.{name}")

    storage = MemoryStorage({USER_KEY: {"language": "de"}})
    context = make_context()
    turn_state = ProfileState.with_storage(storage)
    await turn_state.load(context)

    assert turn_state.language == "de"


def test_only_memory_storage_own_read_is_used_without_awaiting() -> None:
    plain = MemoryStorage()
    spied = MemoryStorage()
    spied.read = spied.read  # type: ignore[method-assign]  # e.g. a test double wrapping it

    assert immediate_reader(plain) is not None
    assert immediate_reader(spied) is None
    assert immediate_reader(CountingStorage()) is None  # overrides read


async def test_a_replaced_scope_is_the_one_loaded_and_saved() -> None:
    first, second = CountingStorage(), CountingStorage()
    context = make_context()
    turn_state = TurnState(ConversationState(first), UserState(first))
    turn_state.add(ConversationState(second))  # same name: replaces the first one

    await turn_state.load(context)
    turn_state.conversation.set_value("count", 1)
    await turn_state.save(context)

    assert first.reads == [[USER_KEY]]
    assert second.reads == [[CONVERSATION_KEY], [CONVERSATION_KEY]]  # (+ before creating)
    assert (first.writes, second.writes) == ([], [[CONVERSATION_KEY]])


async def test_load_with_storage_adds_only_the_missing_scopes() -> None:
    class TeamConversationState(ConversationState):
        """A subclass stands for the conversation scope."""

    storage = CountingStorage()
    context = make_context()
    custom = TeamConversationState(storage)
    turn_state = TurnState(custom)

    await turn_state.load(context, storage)

    assert turn_state.get_scope(ConversationState) is custom
    assert isinstance(turn_state.user, UserState)
    assert storage.reads == [[CONVERSATION_KEY, USER_KEY]]


async def test_changed_state_is_written_once_and_untouched_scopes_not_at_all() -> None:
    storage = CountingStorage()
    context, turn_state = await new_turn(storage)
    turn_state.conversation.set_value("count", 1)

    await turn_state.save(context)
    await turn_state.save(context)

    assert storage.writes == [[CONVERSATION_KEY]]
    assert await storage.peek(CONVERSATION_KEY) == {"count": 1}
    assert await storage.peek(USER_KEY) is None


async def test_state_read_but_not_changed_is_not_written() -> None:
    stored = {"count": 3, "profile": {"name": "Ann", "languages": []}}
    storage = CountingStorage({CONVERSATION_KEY: stored})
    context, turn_state = await new_turn(storage)

    assert turn_state.conversation.get_value("count") == 3
    assert turn_state.conversation.get_value("profile", target_cls=Profile) == Profile(name="Ann")
    turn_state.conversation.set_value("count", 3)  # same value again
    await turn_state.save(context)

    assert storage.writes == []


async def test_a_forced_save_writes_unchanged_state() -> None:
    storage = CountingStorage({CONVERSATION_KEY: {"count": 3}})
    context, turn_state = await new_turn(storage)

    await turn_state.save(context, force=True)

    assert storage.writes == [[CONVERSATION_KEY]]


async def test_changes_after_a_save_are_saved_again_in_the_same_turn() -> None:
    storage = CountingStorage({CONVERSATION_KEY: {"count": 1}})
    context, turn_state = await new_turn(storage)

    turn_state.conversation.set_value("count", 2)
    await turn_state.save(context)
    turn_state.conversation.set_value("count", 3)
    await turn_state.save(context)  # carries the e_tag of the first save: no conflict

    assert storage.writes == [[CONVERSATION_KEY], [CONVERSATION_KEY]]
    assert await storage.peek(CONVERSATION_KEY) == {"count": 3}


async def test_values_changed_in_place_are_saved() -> None:
    storage = CountingStorage({CONVERSATION_KEY: {"items": ["a"], "settings": {"x": 1}}})
    context, turn_state = await new_turn(storage)

    turn_state.conversation.get_value("items").append("b")
    turn_state.conversation.get_value("settings")["y"] = 2
    turn_state.conversation.get_value("history", list).append("first")
    await turn_state.save(context)

    assert await storage.peek(CONVERSATION_KEY) == {
        "items": ["a", "b"],
        "settings": {"x": 1, "y": 2},
        "history": ["first"],
    }


async def test_state_carries_over_between_turns_of_an_agent() -> None:
    storage = MemoryStorage()

    class CounterAgent:
        async def on_turn(self, context: TurnContext) -> None:
            turn_state = TurnState.with_storage(storage)
            await turn_state.load(context)
            count = turn_state.get_value("ConversationState.count", lambda: 0) + 1
            turn_state.set_value("ConversationState.count", count)
            await turn_state.save(context)
            await context.send_activity(f"turn {count}")

    tester = AgentTester(CounterAgent())
    assert (await tester.send("hi")).texts == ["turn 1"]
    assert (await tester.send("hi")).texts == ["turn 2"]


# --------------------------------------------------------------------------- defaults


@pytest.mark.parametrize("stored", [0, "", [], False, {}, 0.0])
async def test_stored_falsy_values_are_real_values(stored: object) -> None:
    """§18 row 11: only a missing value or None calls the factory, falsy values are kept."""
    storage = CountingStorage({CONVERSATION_KEY: {"value": stored}})
    context, turn_state = await new_turn(storage)
    calls: list[str] = []

    def factory() -> str:
        calls.append("called")
        return "default"

    assert turn_state.conversation.get_value("value", factory) == stored
    assert await turn_state.conversation.create_property("value").get(context, factory) == stored
    await turn_state.save(context)

    assert calls == []
    assert storage.writes == []


async def test_a_missing_or_none_value_takes_the_factory_result_and_keeps_it() -> None:
    storage = CountingStorage({CONVERSATION_KEY: {"nothing": None}})
    context, turn_state = await new_turn(storage)

    assert turn_state.conversation.get_value("nothing", lambda: 5) == 5
    assert turn_state.conversation.get_value("missing", lambda: [1]) == [1]
    assert turn_state.conversation.get_value("absent") is None
    await turn_state.save(context)

    assert await storage.peek(CONVERSATION_KEY) == {"nothing": 5, "missing": [1]}


# --------------------------------------------------------------------------- extra scopes


class SettingsState(AgentState):
    """A scope of our own: one document per tenant."""

    def __init__(self, storage: Storage) -> None:
        super().__init__(storage, "SettingsState")

    def get_storage_key(self, context: TurnContext) -> str:
        return f"{context.activity.channel_id}/settings"


async def test_extra_scopes_passed_to_with_storage_are_loaded_and_saved() -> None:
    """§18 row 12: TurnState.load loads every scope, not only conversation and user."""
    storage = CountingStorage({"msteams/settings": {"theme": "dark"}})
    context = make_context()
    turn_state = TurnState.with_storage(storage, SettingsState(storage))

    await turn_state.load(context, storage)

    assert turn_state.get_value("SettingsState.theme") == "dark"
    assert turn_state.get_scope(SettingsState).get_value("theme") == "dark"
    turn_state.set_value("SettingsState.theme", "light")
    await turn_state.save(context)
    assert await storage.peek("msteams/settings") == {"theme": "light"}


async def test_load_with_a_storage_adds_the_missing_scopes() -> None:
    storage = CountingStorage({CONVERSATION_KEY: {"count": 4}, "msteams/settings": {"a": 1}})
    context = make_context()
    turn_state = TurnState(SettingsState(storage))

    await turn_state.load(context, storage)

    assert turn_state.conversation.get_value("count") == 4
    assert turn_state.user.get() == {}
    assert turn_state.get_value("SettingsState.a") == 1


# --------------------------------------------------------------------------- concurrency


async def test_concurrent_turns_both_save_and_the_last_write_of_a_property_wins() -> None:
    storage = CountingStorage()
    first_context, first = await new_turn(storage)
    first.conversation.set_value("count", 1)
    await first.save(first_context)

    context_a, turn_a = await new_turn(storage)
    context_b, turn_b = await new_turn(storage)
    turn_a.conversation.set_value("count", 2)
    turn_b.conversation.set_value("count", 20)
    results = await asyncio.gather(
        turn_a.save(context_a), turn_b.save(context_b), return_exceptions=True
    )

    assert results == [None, None]  # neither turn fails
    assert await storage.peek(CONVERSATION_KEY) in ({"count": 2}, {"count": 20})


async def test_a_scope_created_by_another_turn_meanwhile_is_merged_not_overwritten() -> None:
    storage = CountingStorage()
    context_a, turn_a = await new_turn(storage)
    context_b, turn_b = await new_turn(storage)  # both found no document
    turn_a.conversation.set_value("from_a", 1)
    await turn_a.save(context_a)

    turn_b.conversation.set_value("from_b", 2)
    await turn_b.save(context_b)

    assert await storage.peek(CONVERSATION_KEY) == {"from_a": 1, "from_b": 2}


async def test_a_conflict_keeps_the_other_turns_properties_under_this_turns_changes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    storage = CountingStorage()
    first_context, first = await new_turn(storage)
    first.conversation.set_value("count", 1)
    first.conversation.set_value("topic", "weather")
    first.conversation.set_value("draft", "x")
    await first.save(first_context)
    context_a, turn_a = await new_turn(storage)
    context_b, turn_b = await new_turn(storage)
    turn_a.conversation.set_value("count", 2)
    turn_a.conversation.set_value("topic", "sports")
    await turn_a.save(context_a)

    turn_b.conversation.set_value("count", 5)  # both changed it: B saves last, B's stands
    turn_b.conversation.set_value("mood", "happy")  # only B
    turn_b.conversation.delete_value("draft")  # only B removed it
    with caplog.at_level(logging.INFO):
        await turn_b.save(context_b)

    assert await storage.peek(CONVERSATION_KEY) == {"count": 5, "topic": "sports", "mood": "happy"}
    # The turn now holds what was written: the other turn's topic too.
    assert turn_b.conversation.get_value("topic") == "sports"
    assert "saved by another turn meanwhile" in caplog.text
    turn_b.conversation.set_value("count", 6)
    await turn_b.save(context_b)  # carries the merged document's e-tag: no second merge
    assert (await storage.peek(CONVERSATION_KEY))["count"] == 6


async def test_one_state_object_serves_concurrent_turns_through_accessors() -> None:
    storage = MemoryStorage()
    conversation_state = ConversationState(storage)
    counter = conversation_state.create_property("count")
    context_1 = make_context(conversation_id="c1")
    context_2 = make_context(conversation_id="c2")

    await counter.set(context_1, 1)
    await counter.set(context_2, 2)
    await conversation_state.save(context_1)
    await conversation_state.save(context_2)

    assert await counter.get(make_context(conversation_id="c1")) == 1
    assert await counter.get(make_context(conversation_id="c2")) == 2


# --------------------------------------------------------------------------- typed values


async def test_pydantic_models_are_stored_as_json_and_read_back_typed() -> None:
    storage = CountingStorage()
    context, turn_state = await new_turn(storage)
    turn_state.user.set_value("profile", Profile(name="Ann", languages=["en"]))
    await turn_state.save(context)
    assert await storage.peek(USER_KEY) == {"profile": {"name": "Ann", "languages": ["en"]}}

    context, turn_state = await new_turn(storage)
    profile = turn_state.get_value("UserState.profile", target_cls=Profile)
    assert profile == Profile(name="Ann", languages=["en"])
    assert profile is not None
    profile.languages.append("de")  # changed in place, saved
    await turn_state.save(context)
    assert await storage.peek(USER_KEY) == {"profile": {"name": "Ann", "languages": ["en", "de"]}}


async def test_typed_defaults_and_plain_types() -> None:
    storage = CountingStorage({CONVERSATION_KEY: {"conversation_id": "abc", "when": "2024-05-01"}})
    context, turn_state = await new_turn(storage)

    assert turn_state.get_value("ConversationState.conversation_id", target_cls=str) == "abc"
    profile = turn_state.conversation.get_value(
        "profile", lambda: Profile(name="new"), target_cls=Profile
    )
    assert profile == Profile(name="new")
    accessor = turn_state.conversation.create_property("other")
    assert await accessor.get(context, {"name": "x"}, target_cls=Profile) == Profile(name="x")


async def test_a_stored_value_that_does_not_fit_target_cls_is_a_clear_error() -> None:
    storage = CountingStorage({CONVERSATION_KEY: {"profile": {"nom": "Ann"}}})
    _, turn_state = await new_turn(storage)

    with pytest.raises(StateError, match=r"'profile'.*not a valid Profile"):
        turn_state.conversation.get_value("profile", target_cls=Profile)


async def test_values_that_are_not_json_are_refused_when_set() -> None:
    _, turn_state = await new_turn(MemoryStorage())

    with pytest.raises(StateError, match="cannot be saved"):
        turn_state.conversation.set_value("lock", asyncio.Lock())
    with pytest.raises(StateError, match="e_tag"):
        turn_state.conversation.set_value("e_tag", "x")


# --------------------------------------------------------------------------- storage keys


async def test_storage_keys_include_the_sub_channel() -> None:
    storage = CountingStorage()
    context, turn_state = await new_turn(storage, channel_id="msteams:COPILOT")
    turn_state.conversation.set_value("a", 1)
    turn_state.user.set_value("b", 2)
    await turn_state.save(context)

    assert turn_state.conversation.get_storage_key(context) == "msteams:COPILOT/conversations/c1"
    assert turn_state.user.get_storage_key(context) == "msteams:COPILOT/users/u1"
    assert await storage.peek("msteams:COPILOT/conversations/c1") == {"a": 1}
    assert await storage.peek("msteams:COPILOT/users/u1") == {"b": 2}


@pytest.mark.parametrize(
    ("fields", "scope", "missing"),
    [
        ({"conversation_id": None}, ConversationState, "conversation.id"),
        ({"channel_id": None}, ConversationState, "channel_id"),
        ({"user_id": None}, UserState, "from.id"),
        ({"channel_id": None}, UserState, "channel_id"),
    ],
)
async def test_missing_key_parts_are_a_clear_error(
    fields: dict[str, Any], scope: type[AgentState], missing: str
) -> None:
    context = make_context(**fields)

    with pytest.raises(StateError, match=rf"needs the activity's {missing}"):
        await scope(MemoryStorage()).load(context)  # type: ignore[call-arg]


async def test_user_state_namespace_is_its_turn_state_key() -> None:
    context = make_context()
    await UserState(MemoryStorage(), namespace="Prefs").load(context)
    await UserState(MemoryStorage()).load(context)

    assert {"Prefs", "Internal.UserState"} <= set(context.turn_state)


# --------------------------------------------------------------------------- attributes


async def test_assigning_an_attribute_of_a_scope_raises_instead_of_losing_it() -> None:
    """Upstream keeps `state.conversation.count = 1` in memory only; we refuse it, loudly.

    (Type checkers flag these lines too: the guards are hidden from them.)
    """
    storage = CountingStorage()
    context, turn_state = await new_turn(storage)

    with pytest.raises(StateError, match=r"would not be saved.*set_value\('count', value\)"):
        turn_state.conversation.count = 1  # type: ignore[attr-defined]
    with pytest.raises(StateError, match=r"state.conversation.set_value\('foo', value\)"):
        turn_state.foo = 1  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match=r"get_value\('count'\)"):
        _ = turn_state.conversation.count  # type: ignore[attr-defined]
    await turn_state.save(context)

    assert storage.writes == []


async def test_temp_values_are_attributes_for_this_turn_only() -> None:
    storage = CountingStorage()
    context, turn_state = await new_turn(storage)

    turn_state.temp.draft = "hello"
    turn_state.temp.input = "hi"
    turn_state.temp.input_files.append("file")
    turn_state.set_value("note", 1)  # no dot: temp

    assert turn_state.get_value("temp.draft") == "hello"
    assert turn_state.temp.note == 1
    assert turn_state.temp.get() == {
        "draft": "hello",
        "input": "hi",
        "input_files": ["file"],
        "note": 1,
    }
    del turn_state.temp.draft
    assert not turn_state.has_value("temp.draft")
    with pytest.raises(AttributeError, match="no value 'draft'"):
        _ = turn_state.temp.draft
    await turn_state.save(context)
    assert storage.writes == []
    assert TurnState.with_storage(storage).temp.input is None


async def test_temp_keeps_one_typed_value_per_class() -> None:
    _, turn_state = await new_turn(CountingStorage())
    temp = turn_state.temp

    assert temp.get_typed_value(Profile) is None
    temp.set_typed_value(Profile(name="Ada"))

    assert temp.get_typed_value(Profile) == Profile(name="Ada")
    assert turn_state.get_value("temp.Profile") == Profile(name="Ada")
    temp.set_value("Profile", "not an order")
    with pytest.raises(StateError):
        temp.get_typed_value(Profile)


# --------------------------------------------------------------------------- paths & scopes


async def test_path_api_reads_and_writes_every_scope() -> None:
    storage = CountingStorage()
    context, turn_state = await new_turn(storage)

    turn_state.set_value("ConversationState.topic", "billing")
    turn_state.set_value("UserState.language", "de")
    assert turn_state.has_value("ConversationState.topic")
    assert not turn_state.has_value("UserState.topic")
    turn_state.delete_value("ConversationState.topic")
    turn_state.delete_value("ConversationState.never-set")
    await turn_state.save(context)

    assert await storage.peek(USER_KEY) == {"language": "de"}
    assert await storage.peek(CONVERSATION_KEY) is None


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("Conversation.count", r"unknown scope 'Conversation'.*'ConversationState', 'UserState'"),
        ("ConversationState.", "names no property"),
        ("", "non-empty string"),
    ],
)
async def test_bad_paths_are_clear_errors(path: str, message: str) -> None:
    _, turn_state = await new_turn(MemoryStorage())

    with pytest.raises(StateError, match=message):
        turn_state.get_value(path)
    with pytest.raises(StateError, match=message):
        turn_state.set_value(path, 1)


async def test_scopes_are_found_by_type_and_name() -> None:
    storage = MemoryStorage()
    settings = SettingsState(storage)
    turn_state = TurnState.with_storage(storage, settings)

    assert turn_state.get_scope(SettingsState) is settings
    assert turn_state.get_scope_by_name("SettingsState") is settings
    assert isinstance(turn_state.get_scope_by_name("temp"), TempState)
    with pytest.raises(StateError, match="no scope named 'Nope'"):
        turn_state.get_scope_by_name("Nope")
    with pytest.raises(StateError, match=r"no ConversationState scope.*with_storage"):
        _ = TurnState().conversation


async def test_values_of_a_scope_that_was_not_loaded_are_an_error() -> None:
    turn_state = TurnState.with_storage(MemoryStorage())

    with pytest.raises(StateError, match=r"not loaded: call `await state.load\(context\)`"):
        turn_state.get_value("ConversationState.count")


async def test_clear_empties_a_scope_and_the_empty_state_is_saved() -> None:
    storage = CountingStorage({CONVERSATION_KEY: {"a": 1}, USER_KEY: {"b": 2}})
    context, turn_state = await new_turn(storage)

    turn_state.clear(context, "ConversationState")
    await turn_state.save(context)

    assert await storage.peek(CONVERSATION_KEY) == {}
    assert await storage.peek(USER_KEY) == {"b": 2}
    with pytest.raises(StateError, match="no scope named 'Conversation'"):
        turn_state.clear(context, "Conversation")


async def test_delete_removes_the_document_and_starts_empty() -> None:
    storage = CountingStorage({CONVERSATION_KEY: {"a": 1}})
    context, turn_state = await new_turn(storage)

    await turn_state.conversation.delete(context)
    await turn_state.save(context)

    assert await storage.peek(CONVERSATION_KEY) is None
    assert turn_state.conversation.get() == {}
    assert storage.writes == []


# --------------------------------------------------------------------------- accessors


async def test_accessor_loads_lazily_and_copies_plain_defaults() -> None:
    storage = CountingStorage()
    conversation_state = ConversationState(storage)
    accessor = conversation_state.create_property("items")
    assert isinstance(accessor, StatePropertyAccessor)
    shared_default: list[str] = []
    context = make_context()

    items = await accessor.get(context, shared_default)
    items.append("a")
    await conversation_state.save(context)

    assert shared_default == []
    # Read when first used, and once more just before the document is created.
    assert storage.reads == [[CONVERSATION_KEY], [CONVERSATION_KEY]]
    assert await storage.peek(CONVERSATION_KEY) == {"items": ["a"]}

    context = make_context()
    await accessor.delete(context)
    await conversation_state.save(context)
    assert await storage.peek(CONVERSATION_KEY) == {}


# --------------------------------------------------------------------------- State / @state


@state
class Preferences(State):
    language: str = "en"
    topics: list[str] = []  # a per-instance default: @state copies it
    VERSION: ClassVar[int] = 1

    @classmethod
    async def load(cls, context: TurnContext, storage: Storage | None = None) -> Preferences:
        return await cls.from_storage(storage, f"prefs/{context.activity.from_property.id}")  # type: ignore[union-attr]


async def test_state_classes_map_attributes_to_saved_keys() -> None:
    storage = CountingStorage()
    context = make_context()

    prefs = await Preferences.load(context, storage)
    assert prefs == {"language": "en", "topics": []}
    assert Preferences.VERSION == 1
    prefs.topics.append("sports")
    prefs.language = "de"
    await prefs.save(context)
    await prefs.save(context)  # unchanged: no second write

    assert storage.writes == [["prefs/u1"]]
    again = await Preferences.load(make_context(), storage)
    assert again.language == "de"
    assert again["topics"] == ["sports"]
    assert Preferences().topics == []  # defaults are not shared between instances


async def test_the_state_decorator_makes_a_state_of_a_plain_class() -> None:
    @state
    class Counter:
        count: int = 0

        @classmethod
        async def load(cls, context: TurnContext, storage: Storage | None = None) -> Counter:
            return await cls.from_storage(storage, "counter")  # type: ignore[attr-defined,no-any-return]

    storage = MemoryStorage()
    counter: Any = await Counter.load(make_context(), storage)
    assert isinstance(counter, State)
    counter.count += 1
    await counter.save(make_context())

    assert (await Counter.load(make_context(), storage)).count == 1
    with pytest.raises(StateError, match=r"needs a storage"):
        await Counter.load(make_context())


async def test_a_state_is_built_like_a_dict() -> None:
    """api-surface §3.9: State is dict-backed, so it takes what dict() takes."""
    assert Preferences(language="de") == {"language": "de", "topics": []}
    assert Preferences({"language": "fr"}, topics=["x"]) == {"language": "fr", "topics": ["x"]}
    assert Preferences([("language", "it")]).language == "it"
    data = {"language": "de", "key": "a data key", "storage": "another"}
    prefs = Preferences(**data)
    assert prefs == {**data, "topics": []}
    assert prefs.key is None  # "key" is data; the storage key is __key__=

    storage = CountingStorage()
    keyed = Preferences(__key__="prefs/u9", language="de")
    assert "__key__" not in keyed
    await keyed.save(make_context(), storage)
    assert await storage.peek("prefs/u9") == {"language": "de", "topics": []}


def test_the_app_state_accessor_is_the_dict_state_one() -> None:
    """api-surface §3.2: core.app and core.app.state export the dict-State accessor;
    core.state and the package root keep the AgentState one."""
    accessor = Preferences().create_property("language")
    # (`from ... import state` is the @state decorator, not the sub-package.)
    app_state_package = importlib.import_module("microsoft_agents.hosting.core.app.state")
    state_package = importlib.import_module("microsoft_agents.hosting.core.state")

    assert app_package.StatePropertyAccessor is app_state_package.StatePropertyAccessor
    assert isinstance(accessor, app_package.StatePropertyAccessor)
    assert state_package.StatePropertyAccessor is StatePropertyAccessor
    assert core_package.StatePropertyAccessor is StatePropertyAccessor
    assert not isinstance(accessor, StatePropertyAccessor)
    scope_accessor = ConversationState(MemoryStorage()).create_property("n")
    assert isinstance(scope_accessor, StatePropertyAccessor)


async def test_a_state_property_accessor_gets_sets_and_deletes_a_key() -> None:
    storage = CountingStorage()
    context = make_context()
    prefs = await Preferences.load(context, storage)
    language = app_package.StatePropertyAccessor(prefs, "language")
    color = prefs.create_property("color")

    assert language.name == "language"
    assert language.state is prefs
    assert await language.get(context) == "en"
    assert await color.get(context) is None
    assert await color.get(context, lambda: "blue") == "blue"  # a factory, stored
    assert prefs.color == "blue"
    shared: list[str] = []
    tags = prefs.create_property("tags")
    (await tags.get(context, shared)).append("a")  # a default value is copied
    assert shared == []
    await language.set(context, "de")
    await color.delete(context)
    await color.delete(context)  # nothing to delete: no error
    await prefs.save(context)

    assert await storage.peek("prefs/u1") == {"language": "de", "topics": [], "tags": ["a"]}
    with pytest.raises(StateError, match="cannot be saved"):
        await language.set(context, object())
    with pytest.raises(StateError, match="e_tag"):
        prefs.create_property("e_tag")


async def test_a_state_property_accessor_converts_to_target_cls() -> None:
    class Profile(BaseModel):
        name: str

    prefs = Preferences(profile={"name": "Ann"})
    profile = prefs.create_property("profile")

    value = await profile.get(make_context(), target_cls=Profile)

    assert value == Profile(name="Ann")
    assert prefs["profile"] is value  # changes made to it in place are saved
