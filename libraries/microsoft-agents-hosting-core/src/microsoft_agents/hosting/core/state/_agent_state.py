"""``AgentState``: one scope of state, read once per turn and written back only if it changed.

A scope is everything an agent keeps for one conversation (:class:`ConversationState`) or
one user (:class:`UserState`), stored as a single JSON document under a key built from the
incoming activity. A turn goes like this::

    conversation = ConversationState(storage)

    await conversation.load(context)             # one storage read; a second load is free
    count = conversation.get_value("count", lambda: 0)
    conversation.set_value("count", count + 1)
    await conversation.save(context)             # one write, only because "count" changed

Values are plain JSON, pydantic models (stored with ``model_dump(mode="json")`` and read
back with ``get_value(name, target_cls=Model)``) or ``StoreItem`` objects. Objects read
from the state may be changed in place (``get_value("items").append(x)``): ``save``
compares what the scope holds with what was read, so such changes are saved too.

``save`` passes on the e-tag of the document it read. When two turns of the same
conversation run at once (two people writing in a group chat), the second one to save
finds the document changed: it reads it again and writes the other turn's properties with
its own changes on top, property by property (a property both turns changed ends with the
value of the turn that saved last, as in the reference SDK, where the last write wins
outright). Neither turn fails, and changes to different properties are both kept. A
turn that found the scope empty looks again before it creates the document, so the first
two messages of a conversation, at once, merge the same way.

Attributes of a scope are not stored: ``conversation.count = 1`` raises ``StateError``
(use ``set_value("count", 1)`` or an accessor from :meth:`AgentState.create_property`).

An ``AgentState`` object can serve many turns (the classic ``ActivityHandler`` style, with
one ``ConversationState`` created at start-up): the loaded data is cached in the turn's
``context.turn_state``, so the context-taking API (``load``, ``save``, the accessors) is
safe for concurrent turns. ``get_value``/``set_value`` and the others that take no context
act on the state this object loaded last, which is what ``TurnState`` (one object per
turn) relies on.
"""

from __future__ import annotations

import copy
import functools
import json
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast, overload

from pydantic import BaseModel, TypeAdapter, ValidationError

from microsoft_agents.hosting.core._errors import ETagConflictError, StateError
from microsoft_agents.hosting.core.storage._storage import ETAG_FIELD, Storage, StoreItem

from ._json import JsonDocument, dump_stable, to_json_object, to_json_value

if TYPE_CHECKING:
    from microsoft_agents.hosting.core._turn_context import TurnContext

__all__ = [
    "AgentState",
    "PropertyAccessor",
    "StatePropertyAccessor",
    "check_property_name",
    "read_value",
]

logger = logging.getLogger(__name__)

_EMPTY = dump_stable({})
_ABSENT = object()
_MERGE_ATTEMPTS = 3

_T = TypeVar("_T")


@dataclass(slots=True)
class _CachedState:
    """The data of one scope for one turn, kept in ``context.turn_state``."""

    storage_key: str
    values: dict[str, Any]
    e_tag: str | None
    saved: str  # stable dump of the JSON as last read from or written to storage
    stored: bool  # whether a document exists in storage (as far as this turn knows)


def _may_need_saving(cached: _CachedState) -> bool:
    # An empty state that storage never held has nothing to write (the usual turn).
    return bool(cached.values) or cached.stored


def check_property_name(name: object, scope: str) -> str:
    """``name`` if it can be a property of a scope.

    Raises:
        StateError: ``name`` is not a non-empty string, or is the reserved ``"e_tag"``.
    """
    if not isinstance(name, str) or not name:
        raise StateError(
            f"{scope} property names are non-empty strings, got {name!r}; "
            "e.g. set_value('count', 1)"
        )
    if name == ETAG_FIELD:
        raise StateError(
            f"{scope} cannot hold a property named {ETAG_FIELD!r}: storage uses that key for "
            "the document's concurrency tag. Pick another name."
        )
    return name


@functools.lru_cache(maxsize=128)
def _adapter(target_cls: Any) -> TypeAdapter[Any]:
    return TypeAdapter(target_cls)


def _convert(value: Any, target_cls: Any, where: str) -> Any:
    if isinstance(target_cls, type) and isinstance(value, target_cls):
        return value
    try:
        if isinstance(target_cls, type) and issubclass(target_cls, BaseModel):
            return target_cls.model_validate(value)
        if isinstance(target_cls, type) and issubclass(target_cls, StoreItem):
            if not isinstance(value, dict):
                raise StateError(
                    f"{where} holds a {type(value).__name__}, which cannot be read as a "
                    f"{target_cls.__name__} (a StoreItem is rebuilt from a JSON object)"
                )
            return target_cls.from_json_to_store_item(value)
        return _adapter(target_cls).validate_python(value)
    except ValidationError as error:
        name = getattr(target_cls, "__name__", repr(target_cls))
        raise StateError(
            f"{where} holds a value that is not a valid {name}: {error}. Read it without "
            "target_cls (or with the class it was saved as), or overwrite it with set_value."
        ) from error


def as_factory(default_value_or_factory: Any) -> Callable[[], Any] | None:
    """An accessor's default as a factory: a callable is one; any other value (not None)
    gives a fresh deep copy of itself each time."""
    if default_value_or_factory is None:
        return None
    if callable(default_value_or_factory):
        return cast("Callable[[], Any]", default_value_or_factory)
    default = default_value_or_factory

    def factory() -> Any:
        return copy.deepcopy(default)

    return factory


def read_value(
    values: dict[str, Any],
    name: str,
    default_value_factory: Callable[[], Any] | None,
    target_cls: Any,
    where: str,
) -> Any:
    """Read ``name`` from a scope's values: the shared rules of every ``get_value``.

    Only a missing value or ``None`` calls the factory, whose result is stored; falsy values
    (``0``, ``""``, ``[]``, ``False``) are real values. With ``target_cls`` the value is
    converted (a JSON object validated into a pydantic model, say) and the converted object
    replaces the stored one, so that changes made to it in place are saved.
    """
    value = values.get(name)
    if value is None:
        if default_value_factory is None:
            return None
        value = default_value_factory()
        if value is None:
            return None
        values[name] = value
    if target_cls is None:
        return value
    converted = _convert(value, target_cls, f"{where} property {name!r}")
    if converted is not value:
        values[name] = converted
    return converted


class AgentState(ABC):
    """One scope of state (a conversation's, a user's), stored as one JSON document.

    Subclasses say where the document lives by implementing :meth:`get_storage_key`.

    Args:
        storage: where the document is read from and written to.
        context_service_key: the key under which the loaded data is cached in
            ``context.turn_state`` (unique per scope).

    Raises:
        ValueError: ``context_service_key`` is empty.
    """

    def __init__(self, storage: Storage, context_service_key: str) -> None:
        if not context_service_key:
            raise ValueError(
                f"{type(self).__name__} needs a non-empty context_service_key (the turn_state "
                "key its data is cached under)"
            )
        # One update instead of three trips through the attribute guard (__setattr__).
        self.__dict__.update(
            _storage=storage, _context_service_key=context_service_key, _cached=None
        )
        self._storage: Storage
        self._context_service_key: str
        self._cached: _CachedState | None

    # ------------------------------------------------------------------ identity

    @property
    def storage(self) -> Storage:
        """The storage this scope reads from and writes to."""
        return self._storage

    @property
    def context_service_key(self) -> str:
        """The ``context.turn_state`` key the loaded data is cached under."""
        return self._context_service_key

    @property
    def scope_name(self) -> str:
        """The name ``TurnState`` paths use for this scope (the class name)."""
        return type(self).__name__

    @abstractmethod
    def get_storage_key(self, context: TurnContext) -> str:
        """The storage key of this scope's document for the turn of ``context``.

        Raises:
            StateError: the activity lacks what the key is built from.
        """

    # ------------------------------------------------------------------ load / save

    def _cache_of(self, context: TurnContext) -> _CachedState | None:
        cached = context.turn_state.get(self._context_service_key)
        return cached if isinstance(cached, _CachedState) else None

    def _attach(self, context: TurnContext, cached: _CachedState) -> None:
        context.turn_state[self._context_service_key] = cached
        self.__dict__["_cached"] = cached  # past the attribute guard, as in __init__

    def is_loaded(self, context: TurnContext | None = None) -> bool:
        """True when the state was loaded (in the turn of ``context``, if given)."""
        if context is None:
            return self._cached is not None
        return self._cache_of(context) is not None

    async def load(self, context: TurnContext, force: bool = False) -> None:
        """Read the document of this turn's scope, once per turn.

        A second call in the same turn uses what the first one read (and keeps any change
        made since), unless ``force`` is set: then the document is read again and unsaved
        changes are dropped.

        Raises:
            StateError: the activity lacks what the storage key is built from.
            StorageError: the storage failed.
        """
        key = self._key_to_load(context, force)
        if key is None:
            return
        items = await self._storage.read([key], target_cls=JsonDocument)
        self._adopt(context, key, items.get(key))

    def _key_to_load(self, context: TurnContext, force: bool) -> str | None:
        """The storage key to read, or None when this turn already loaded it."""
        key = self.get_storage_key(context)
        cached = self._cache_of(context)
        if cached is not None and not force and cached.storage_key == key:
            self._cached = cached
            return None
        return key

    def _adopt(self, context: TurnContext, key: str, document: StoreItem | None) -> None:
        """Make what storage holds under ``key`` (None: nothing) this turn's state."""
        # None first: isinstance(None, JsonDocument) is a Python call (StoreItem is an ABC).
        if document is not None and isinstance(document, JsonDocument):
            cached = _CachedState(
                key, document.values, document.e_tag, dump_stable(document.values), True
            )
        else:
            cached = _CachedState(key, {}, None, _EMPTY, False)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s loaded %s (stored: %s)", self.scope_name, key, cached.stored)
        self._attach(context, cached)

    async def save(self, context: TurnContext, force: bool = False) -> None:
        """Write the state back if it changed since it was loaded (or last saved).

        Changes are found by comparing the JSON the state holds now with the JSON read, so
        objects changed in place count. An empty state that storage never held is not
        written. ``force`` writes even when nothing changed. The write carries the e-tag
        that was read: if another turn saved the same document in between, the document is
        read again and this turn's changes (the properties it set, changed or removed) are
        written on top of it (see the module docs). Saving again in the same turn writes
        only what changed after this save.

        Raises:
            ETagConflictError: the document kept changing while it was merged, a few times
                in a row; nothing was written.
            StateError: a value cannot be written as JSON.
            StorageError: the storage failed.
        """
        cached = self._cache_of(context)
        if cached is None:
            logger.debug("%s was not loaded in this turn; nothing to save", self.scope_name)
            return
        if not force and not _may_need_saving(cached):
            return
        document = to_json_object(cached.values, where=self.scope_name)
        text = dump_stable(document)
        if not document and not cached.stored:
            return
        if text == cached.saved and not force:
            return
        item = JsonDocument(document, cached.e_tag)
        # A turn that found no document looks again before creating one: another turn may
        # have created it since, and an unconditional write would drop its properties.
        changed_meanwhile = not cached.stored and bool(
            await self._storage.read([cached.storage_key], target_cls=JsonDocument)
        )
        if not changed_meanwhile:
            try:
                await self._storage.write({cached.storage_key: item})
            except ETagConflictError:
                changed_meanwhile = True
        if changed_meanwhile:
            item, text = await self._merge_into_stored(cached, document)
        cached.e_tag = item.e_tag
        cached.saved = text
        cached.stored = True
        logger.debug("%s saved %s", self.scope_name, cached.storage_key)

    async def _merge_into_stored(
        self, cached: _CachedState, document: dict[str, Any]
    ) -> tuple[JsonDocument, str]:
        """Write this turn's changes on top of the document another turn saved meanwhile.

        Returns:
            The document written (with its new e-tag) and its stable text.

        Raises:
            ETagConflictError: the document changed again on each of a few attempts.
        """
        read: dict[str, Any] = json.loads(cached.saved)
        changed = {
            name: value for name, value in document.items() if read.get(name, _ABSENT) != value
        }
        removed = [name for name in read if name not in document]
        key = cached.storage_key
        for attempt in range(1, _MERGE_ATTEMPTS + 1):
            found = (await self._storage.read([key], target_cls=JsonDocument)).get(key)
            stored = found if isinstance(found, JsonDocument) else JsonDocument({})
            merged = {**stored.values, **changed}
            for name in removed:
                merged.pop(name, None)
            logger.info(
                "%s %r was saved by another turn meanwhile; writing this turn's changes (%s) "
                "over it (attempt %d)",
                self.scope_name,
                key,
                ", ".join(sorted([*changed, *removed])) or "none",
                attempt,
            )
            item = JsonDocument(merged, stored.e_tag)
            try:
                await self._storage.write({key: item})
            except ETagConflictError:
                if attempt == _MERGE_ATTEMPTS:
                    raise
                continue
            # The other turn's properties become this turn's too (its own objects stay).
            values = cached.values
            for name in [name for name in values if name not in merged]:
                del values[name]
            for name, value in merged.items():
                if name not in changed:
                    values[name] = copy.deepcopy(value)
            return item, dump_stable(merged)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _may_need_saving(self, context: TurnContext) -> bool:
        """False when :meth:`save` (without ``force``) has nothing to write for sure."""
        cached = self._cache_of(context)
        return cached is not None and _may_need_saving(cached)

    async def delete(self, context: TurnContext) -> None:
        """Remove this turn's document from storage and start over with an empty state.

        Raises:
            StateError: the activity lacks what the storage key is built from.
            StorageError: the storage failed.
        """
        key = self.get_storage_key(context)
        await self._storage.delete([key])
        self._attach(context, _CachedState(key, {}, None, _EMPTY, stored=False))

    # ------------------------------------------------------------------ values

    def _values(self, context: TurnContext | None = None) -> dict[str, Any]:
        cached = self._cached if context is None else self._cache_of(context)
        if cached is None:
            raise StateError(
                f"{self.scope_name} is not loaded: call `await state.load(context)` before "
                "reading or changing its values (AgentApplication loads the turn state before "
                "your handlers run)."
            )
        return cached.values

    async def _loaded_values(self, context: TurnContext) -> dict[str, Any]:
        await self.load(context)
        return self._values(context)

    def get(self) -> dict[str, Any]:
        """The loaded values, property name -> value (the live dict: changes are saved).

        Raises:
            StateError: the state is not loaded.
        """
        return self._values()

    @overload
    def get_value(
        self, name: str, default_value_factory: None = None, *, target_cls: type[_T]
    ) -> _T | None: ...
    @overload
    def get_value(
        self, name: str, default_value_factory: Callable[[], Any], *, target_cls: type[_T]
    ) -> _T: ...
    @overload
    def get_value(
        self, name: str, default_value_factory: None = None, *, target_cls: None = None
    ) -> Any: ...
    @overload
    def get_value(
        self, name: str, default_value_factory: type[_T], *, target_cls: None = None
    ) -> _T: ...
    @overload
    def get_value(
        self, name: str, default_value_factory: Callable[[], _T], *, target_cls: None = None
    ) -> _T: ...
    def get_value(
        self,
        name: str,
        default_value_factory: Callable[[], Any] | None = None,
        *,
        target_cls: type[Any] | None = None,
    ) -> Any:
        """The value of property ``name``.

        Args:
            name: the property.
            default_value_factory: called when the value is missing or ``None``; its
                result is stored and returned. Stored falsy values (``0``, ``""``, ``[]``,
                ``False``) are returned as they are.
            target_cls: the type to return, e.g. a pydantic model class: the stored JSON
                is validated into it.

        Returns:
            The value, or ``None`` when it is missing and there is no factory. For type
            checkers it has the type of ``target_cls``, else of what the factory returns
            (``get_value("count", lambda: 0)`` is an ``int``), else ``Any``.

        Raises:
            StateError: the state is not loaded, or the value does not fit ``target_cls``.
        """
        check_property_name(name, self.scope_name)
        return read_value(self._values(), name, default_value_factory, target_cls, self.scope_name)

    def set_value(self, name: str, value: Any) -> None:
        """Set property ``name`` (saved with the state).

        Raises:
            StateError: the state is not loaded, the name is reserved, or the value cannot
                be written as JSON.
        """
        check_property_name(name, self.scope_name)
        to_json_value(value, where=f"{self.scope_name} property {name!r}")
        self._values()[name] = value

    def delete_value(self, name: str) -> None:
        """Remove property ``name``; a missing property is not an error.

        Raises:
            StateError: the state is not loaded.
        """
        self._values().pop(name, None)

    def has_value(self, name: str) -> bool:
        """True when property ``name`` is set (even to ``None`` or a falsy value).

        Raises:
            StateError: the state is not loaded.
        """
        return name in self._values()

    def clear(self, context: TurnContext | None = None) -> None:
        """Remove every property (the empty state is written by the next ``save``).

        Args:
            context: the turn whose state to clear; by default the state loaded last.

        Raises:
            StateError: the state is not loaded.
        """
        self._values(context).clear()

    def create_property(self, name: str) -> StatePropertyAccessor:
        """An accessor for property ``name`` that loads the state when needed."""
        check_property_name(name, self.scope_name)
        return StatePropertyAccessor(self, name)

    # ------------------------------------------------------------------ attribute guard

    # Hidden from type checkers, so that they flag `scope.count = 1` (and reads of
    # attributes that do not exist) statically too; at run time these raise clear errors.
    if not TYPE_CHECKING:

        def __setattr__(self, name: str, value: Any) -> None:
            if name.startswith("_") or hasattr(getattr(type(self), name, None), "__set__"):
                object.__setattr__(self, name, value)
                return
            raise StateError(
                f"`{self.scope_name}.{name} = ...` would not be saved: attributes of a state scope "
                f"are not stored. Use `set_value({name!r}, value)` (and `get_value({name!r})`), or "
                f"an accessor: `create_property({name!r})`."
            )

        def __getattr__(self, name: str) -> Any:
            if name.startswith("_"):
                raise AttributeError(name)
            raise AttributeError(
                f"{self.scope_name} has no attribute {name!r}; stored values are read with "
                f"`get_value({name!r})`"
            )

    def __repr__(self) -> str:
        key = self._cached.storage_key if self._cached is not None else None
        return f"{type(self).__name__}(storage_key={key!r})"


class PropertyAccessor(ABC):
    """Reads and writes one named value of a state; what the two kinds of accessor share.

    Subclasses say where the values are (:meth:`_values`); :class:`StatePropertyAccessor`
    is the one of ``AgentState`` scopes.

    Args:
        state: the state the value belongs to.
        name: the value's name.
        owner: the state's name in messages (``ConversationState``, ``Prefs``...).
        noun: what the value is called in messages (``property``, ``key``).

    Raises:
        StateError: ``name`` is not a non-empty string, or is the reserved ``"e_tag"``.
    """

    def __init__(self, state: Any, name: str, owner: str, noun: str) -> None:
        self._state = state
        self._name = check_property_name(name, owner)
        self._owner = owner
        self._noun = noun

    @property
    def name(self) -> str:
        """The name this accessor reads and writes."""
        return self._name

    @abstractmethod
    async def _values(self, context: TurnContext) -> dict[str, Any]:
        """The values the name belongs to, in the turn of ``context``."""

    @overload
    async def get(
        self, context: TurnContext, default_value_or_factory: None = None, *, target_cls: type[_T]
    ) -> _T | None: ...
    @overload
    async def get(
        self, context: TurnContext, default_value_or_factory: Any, *, target_cls: type[_T]
    ) -> _T: ...
    @overload
    async def get(
        self,
        context: TurnContext,
        default_value_or_factory: None = None,
        *,
        target_cls: None = None,
    ) -> Any: ...
    @overload
    async def get(
        self, context: TurnContext, default_value_or_factory: type[_T], *, target_cls: None = None
    ) -> _T: ...
    @overload
    async def get(
        self,
        context: TurnContext,
        default_value_or_factory: Callable[[], _T],
        *,
        target_cls: None = None,
    ) -> _T: ...
    @overload
    async def get(
        self, context: TurnContext, default_value_or_factory: _T, *, target_cls: None = None
    ) -> _T: ...
    async def get(
        self,
        context: TurnContext,
        default_value_or_factory: Any = None,
        *,
        target_cls: type[Any] | None = None,
    ) -> Any:
        """The value in the turn of ``context``.

        Args:
            context: the turn.
            default_value_or_factory: used when the value is missing or ``None``: a
                callable is called, anything else is copied; the result is stored (so
                changes made to it in place are saved).
            target_cls: the type to return: a JSON object read from storage becomes, say,
                the pydantic model it was saved from (see :meth:`AgentState.get_value`).

        Raises:
            StateError: the value does not fit ``target_cls``, or the activity lacks what
                the storage key is built from.
            StorageError: loading the state failed.
        """
        values = await self._values(context)
        factory = as_factory(default_value_or_factory)
        return read_value(values, self._name, factory, target_cls, self._owner)

    async def set(self, context: TurnContext, value: Any) -> None:
        """Set the value in the turn of ``context`` (saved with the state).

        Raises:
            StateError: the value cannot be written as JSON.
            StorageError: loading the state failed.
        """
        to_json_value(value, where=f"{self._owner} {self._noun} {self._name!r}")
        values = await self._values(context)
        values[self._name] = value

    async def delete(self, context: TurnContext) -> None:
        """Remove the value in the turn of ``context`` (nothing happens when it is not there).

        Raises:
            StorageError: loading the state failed.
        """
        values = await self._values(context)
        values.pop(self._name, None)


class StatePropertyAccessor(PropertyAccessor):
    """Reads and writes one property of an :class:`AgentState`, loading the state if needed.

    Accessors take the turn's context, so one accessor (and one state object) can serve
    concurrent turns::

        counter = conversation_state.create_property("count")
        count = await counter.get(context, 0)
        await counter.set(context, count + 1)
        await conversation_state.save(context)

    Args:
        state: the scope the property belongs to.
        name: the property.
    """

    def __init__(self, state: AgentState, name: str) -> None:
        super().__init__(state, name, state.scope_name, "property")

    @property
    def state(self) -> AgentState:
        """The scope the property belongs to."""
        return cast("AgentState", self._state)

    async def _values(self, context: TurnContext) -> dict[str, Any]:
        return await cast("AgentState", self._state)._loaded_values(context)
