"""``TurnState``: the state scopes of one turn, as ``AgentApplication`` hands them to handlers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, overload

from microsoft_agents.hosting.core._errors import StateError
from microsoft_agents.hosting.core.state._agent_state import AgentState
from microsoft_agents.hosting.core.state._json import JsonDocument
from microsoft_agents.hosting.core.state._scopes import (
    ConversationState,
    UserState,
    conversation_storage_key,
    user_storage_key,
)
from microsoft_agents.hosting.core.storage._memory import ImmediateRead, immediate_reader

from ._temp_state import TempState

if TYPE_CHECKING:
    from microsoft_agents.hosting.core._turn_context import TurnContext
    from microsoft_agents.hosting.core.storage._storage import Storage

    # A load of the standard scopes put off until one is used: the turn and the storage's
    # read. (A tuple: one is made per turn.)
    _DeferredLoad = tuple[TurnContext, ImmediateRead]

__all__ = ["TurnState"]

logger = logging.getLogger(__name__)

_T = TypeVar("_T")
_S = TypeVar("_S", bound="AgentState | TempState")
_TS = TypeVar("_TS", bound="TurnState")


# Whether objects of a type are AgentState scopes, by type: isinstance against the abstract
# AgentState goes through ABCMeta.__instancecheck__, a Python call, on every turn otherwise.
_STORED_SCOPE_TYPES: dict[type, bool] = {}


def _is_stored_scope(scope: object) -> bool:
    kind = type(scope)
    known = _STORED_SCOPE_TYPES.get(kind)
    if known is None:
        known = _STORED_SCOPE_TYPES[kind] = isinstance(scope, AgentState)
    return known


def _check_standard_keys(context: TurnContext) -> None:
    """Raise the StateError a storage key of with_storage's scopes would raise, if any."""
    activity = context.activity
    conversation, sender = activity.conversation, activity.from_property
    if not (
        activity.channel_id
        and conversation is not None
        and conversation.id
        and sender is not None
        and sender.id
    ):
        conversation_storage_key(context)  # these say what is missing
        user_storage_key(context)


def _adopt_all(
    context: TurnContext, pending: list[tuple[AgentState, str]], items: dict[str, Any]
) -> None:
    """Give each scope what storage returned under its key (missing: an empty state)."""
    for scope, key in pending:
        scope._adopt(context, key, items.get(key))


# What with_storage leaves unbuilt until first needed (see TurnState._build_scopes).
_BUILT_ON_DEMAND = frozenset({"_scopes", "_stored", "_standard"})


class TurnState:
    """The state of one turn: conversation, user and temp scopes (plus any you add).

    ``AgentApplication`` builds one per turn (``TurnState.with_storage(storage)`` unless a
    ``turn_state_factory`` says otherwise), loads it before the handlers run and saves it
    after them; each scope is read once and written only if it changed::

        @app.activity("message")
        async def on_message(context: TurnContext, state: TurnState) -> None:
            count = state.conversation.get_value("count", lambda: 0) + 1
            state.conversation.set_value("count", count)
            await context.send_activity(f"message #{count}")

    Values can also be addressed by path, ``"<scope>.<property>"``, where the scope is
    ``ConversationState``, ``UserState``, ``temp`` or the class name of a scope you added;
    a path without a dot means ``temp``::

        state.set_value("UserState.language", "de")
        state.get_value("ConversationState.count", lambda: 0)

    Only values set through the scopes are saved. Assigning an attribute
    (``state.count = 1``, ``state.conversation.count = 1``) raises ``StateError``
    instead of keeping the value in memory where it would be lost at the end of the turn.
    (``state.temp.name = value`` is allowed: temp values are for this turn only anyway.)

    Args:
        *agent_states: the scopes; a ``TempState`` is added when none is given. A scope
            replaces an earlier one with the same name.
    """

    def __init__(self, *agent_states: AgentState | TempState) -> None:
        self._scopes: dict[str, AgentState | TempState] = {}
        # The scopes kept in storage, in order: what load and save go through.
        self._stored: list[AgentState] = []
        # Set (by _build_scopes) while the scopes are with_storage's three: load and save
        # then take a direct path (one read, no batching table).
        self._standard: tuple[ConversationState, UserState, Storage] | None = None
        # A load put off until a scope is used (see load); only with _standard.
        self._deferred: _DeferredLoad | None = None
        for scope in agent_states:
            self.add(scope)
        if TempState.SCOPE_NAME not in self._scopes:
            self._scopes[TempState.SCOPE_NAME] = TempState()

    @classmethod
    def with_storage(cls: type[_TS], storage: Storage, *agent_states: AgentState) -> _TS:
        """A turn state with a ``ConversationState`` and a ``UserState`` on ``storage``.

        Args:
            storage: where the conversation and user state are kept.
            *agent_states: more scopes to load and save with them.
        """
        if (
            agent_states
            or cls.__init__ is not TurnState.__init__
            # (the scopes are built on demand through TurnState's __getattr__)
            or getattr(cls, "__getattr__", None) is not getattr(TurnState, "__getattr__", None)
        ):
            return cls(ConversationState(storage), UserState(storage), *agent_states)
        # The usual turn (AgentApplication builds one per activity): the conversation and
        # user scopes are built when first needed (_build_scopes), which with a
        # MemoryStorage is when a handler uses one; a turn that never does builds none.
        state = cls.__new__(cls)
        state.__dict__.update(_unbuilt=(storage, TempState()), _deferred=None)
        return state

    def _build_scopes(self) -> None:
        """Build the scopes ``with_storage`` left unbuilt (nothing to do once built)."""
        unbuilt = self.__dict__.pop("_unbuilt", None)
        if unbuilt is None:
            return
        storage, temp = unbuilt
        conversation, user = ConversationState(storage), UserState(storage)
        self.__dict__.update(
            _scopes={"ConversationState": conversation, "UserState": user, "temp": temp},
            _stored=[conversation, user],
            _standard=(conversation, user, storage),
        )

    # ------------------------------------------------------------------ scopes

    def add(self, agent_state: AgentState | TempState) -> None:
        """Add a scope, replacing the one with the same name.

        Raises:
            TypeError: ``agent_state`` is not an ``AgentState`` or ``TempState``.
        """
        stored = _is_stored_scope(agent_state)
        if not stored and not isinstance(agent_state, TempState):
            raise TypeError(
                f"TurnState scopes are AgentState (or TempState) objects, got "
                f"{type(agent_state).__name__}"
            )
        name = agent_state.scope_name
        self._build_scopes()
        self._finish_load()
        self._standard = None
        replaced = self._scopes.get(name)
        if replaced is not None:
            logger.debug("TurnState: replacing the %s scope", name)
            if _is_stored_scope(replaced):
                self._stored.remove(replaced)  # type: ignore[arg-type]
        self._scopes[name] = agent_state
        if stored:
            self._stored.append(agent_state)  # type: ignore[arg-type]

    @property
    def scopes(self) -> dict[str, AgentState | TempState]:
        """The scopes by name (a copy)."""
        self._finish_load()
        return dict(self._scopes)

    def get_scope(self, scope_type: type[_S]) -> _S:
        """The scope of type ``scope_type`` (or a subclass of it).

        Raises:
            StateError: this turn state has no such scope.
        """
        self._finish_load()
        for scope in self._scopes.values():
            if isinstance(scope, scope_type):
                return scope
        raise StateError(
            f"This TurnState has no {scope_type.__name__} scope (it has: "
            f"{', '.join(self._scopes)}). Build it with TurnState.with_storage(storage) or add "
            f"one with state.add({scope_type.__name__}(...))."
        )

    def get_scope_by_name(self, name: str) -> AgentState | TempState:
        """The scope named ``name`` (``"ConversationState"``, ``"UserState"``, ``"temp"``, ...).

        Raises:
            StateError: there is no scope of that name.
        """
        self._finish_load()
        scope = self._scopes.get(name)
        if scope is None:
            raise StateError(
                f"TurnState has no scope named {name!r}; the scopes are: "
                f"{', '.join(repr(known) for known in self._scopes)}."
            )
        return scope

    @property
    def conversation(self) -> ConversationState:
        """The conversation scope (saved per conversation)."""
        return self.get_scope(ConversationState)

    @property
    def user(self) -> UserState:
        """The user scope (saved per user and channel)."""
        return self.get_scope(UserState)

    @property
    def temp(self) -> TempState:
        """The temp scope (this turn only, never saved)."""
        unbuilt = self.__dict__.get("_unbuilt")
        if unbuilt is not None:
            temp: TempState = unbuilt[1]
            return temp
        scope = self._scopes.get(TempState.SCOPE_NAME)
        return scope if type(scope) is TempState else self.get_scope(TempState)

    # ------------------------------------------------------------------ paths

    def _resolve(self, path: str) -> tuple[AgentState | TempState, str]:
        if not isinstance(path, str) or not path:
            raise StateError(
                f"A state path is a non-empty string '<scope>.<property>', got {path!r}; "
                "e.g. 'ConversationState.count'"
            )
        scope_name, dot, name = path.partition(".")
        if not dot:
            scope_name, name = TempState.SCOPE_NAME, path
        if not name:
            raise StateError(
                f"The state path {path!r} names no property; use '<scope>.<property>', "
                "e.g. 'ConversationState.count'"
            )
        scope = self._scopes.get(scope_name)
        if scope is None:
            raise StateError(
                f"The state path {path!r} names the unknown scope {scope_name!r}; the scopes "
                f"are: {', '.join(repr(known) for known in self._scopes)}. Write paths as "
                "'<scope>.<property>' (a path without a dot is a temp value)."
            )
        if self._deferred is not None and scope_name != TempState.SCOPE_NAME:
            self._finish_load()
        return scope, name

    @overload
    def get_value(
        self, path: str, default_value_factory: None = None, *, target_cls: type[_T]
    ) -> _T | None: ...
    @overload
    def get_value(
        self, path: str, default_value_factory: Callable[[], Any], *, target_cls: type[_T]
    ) -> _T: ...
    @overload
    def get_value(
        self, path: str, default_value_factory: None = None, *, target_cls: None = None
    ) -> Any: ...
    @overload
    def get_value(
        self, path: str, default_value_factory: type[_T], *, target_cls: None = None
    ) -> _T: ...
    @overload
    def get_value(
        self, path: str, default_value_factory: Callable[[], _T], *, target_cls: None = None
    ) -> _T: ...
    def get_value(
        self,
        path: str,
        default_value_factory: Callable[[], Any] | None = None,
        *,
        target_cls: type[Any] | None = None,
    ) -> Any:
        """The value at ``path`` (``"ConversationState.count"``; no dot means temp).

        Only a missing value or ``None`` calls ``default_value_factory`` (whose result is
        stored); ``target_cls`` converts the value, e.g. into a pydantic model.

        Raises:
            StateError: the path is malformed or names an unknown scope, the scope is not
                loaded, or the value does not fit ``target_cls``.
        """
        scope, name = self._resolve(path)
        return scope.get_value(name, default_value_factory, target_cls=target_cls)

    def set_value(self, path: str, value: Any) -> None:
        """Set the value at ``path``.

        Raises:
            StateError: the path is malformed or names an unknown scope, the scope is not
                loaded, or the value cannot be saved as JSON.
        """
        scope, name = self._resolve(path)
        scope.set_value(name, value)

    def has_value(self, path: str) -> bool:
        """True when the value at ``path`` is set.

        Raises:
            StateError: the path is malformed, names an unknown scope, or the scope is not
                loaded.
        """
        scope, name = self._resolve(path)
        return scope.has_value(name)

    def delete_value(self, path: str) -> None:
        """Remove the value at ``path``; a missing value is not an error.

        Raises:
            StateError: the path is malformed, names an unknown scope, or the scope is not
                loaded.
        """
        scope, name = self._resolve(path)
        scope.delete_value(name)

    # ------------------------------------------------------------------ turn lifecycle

    async def load(
        self, context: TurnContext, storage: Storage | None = None, force: bool = False
    ) -> None:
        """Load every stored scope (each reads storage once per turn).

        With a storage that answers without waiting (``MemoryStorage``), the two scopes
        of :meth:`with_storage` are read when the turn first uses one of them, so a turn
        that never touches its state reads nothing; their storage keys are still built
        (and a missing id reported) here, as with any other storage.

        Args:
            context: the turn.
            storage: when given, a ``ConversationState`` and a ``UserState`` on it are
                added if this turn state has none.
            force: read again even if already loaded in this turn (drops unsaved changes).

        Raises:
            StateError: the activity lacks what a storage key is built from.
            StorageError: the storage failed.
        """
        # The storage of with_storage's two scopes (built or not), if those are the scopes.
        unbuilt = self.__dict__.get("_unbuilt")
        if unbuilt is not None:
            store: Storage | None = unbuilt[0]
        else:
            standard = self._standard
            store = standard[2] if standard is not None else None
        if store is not None:
            read_now = None if force else immediate_reader(store)
            if read_now is not None:
                # A storage that answers without waiting (MemoryStorage) is read when a
                # scope is first used: turns that never touch their state read nothing
                # (nor build the scopes). The keys are checked now, as with any storage.
                _check_standard_keys(context)
                self.__dict__["_deferred"] = (context, read_now)
                return
            self.__dict__["_deferred"] = None  # (past the attribute guard: every turn)
            pending = self._standard_to_read(context, force)
            if pending:  # none when both were loaded in this turn already
                items = await store.read([key for _, key in pending], target_cls=JsonDocument)
                _adopt_all(context, pending, items)
            return
        if storage is not None:
            kinds = {type(scope) for scope in self._stored}
            if ConversationState not in kinds and not any(
                isinstance(scope, ConversationState) for scope in self._stored
            ):
                self.add(ConversationState(storage))
            if UserState not in kinds and not any(
                isinstance(scope, UserState) for scope in self._stored
            ):
                self.add(UserState(storage))
        # Scopes kept in the same storage are read together: one read (one round trip for
        # a remote storage) instead of one per scope.
        batches: dict[int, tuple[Storage, list[tuple[AgentState, str]]]] = {}
        for scope in list(self._stored):
            if type(scope).load is not AgentState.load:
                await scope.load(context, force=force)  # a scope that loads its own way
                continue
            key = scope._key_to_load(context, force)
            if key is not None:
                batch = batches.setdefault(id(scope.storage), (scope.storage, []))
                batch[1].append((scope, key))
        for store, pending in batches.values():
            keys = list(dict.fromkeys(key for _, key in pending))
            _adopt_all(context, pending, await store.read(keys, target_cls=JsonDocument))

    async def save(self, context: TurnContext, force: bool = False) -> None:
        """Save every stored scope that changed (all of them with ``force``).

        Scopes are saved one after the other; the first failure stops the save and is
        raised.

        Raises:
            ETagConflictError: a scope kept changing in storage while this turn's changes
                were merged into it (another turn saving it meanwhile is merged, see
                ``AgentState.save``).
            StateError: a value cannot be saved as JSON.
            StorageError: the storage failed.
        """
        deferred = self._deferred
        if deferred is not None:
            turn_state = context.turn_state
            if not force and not (
                # Another object loaded one of the scopes in this turn: it shares this
                # turn state's data, which is saved here.
                ConversationState.CONTEXT_SERVICE_KEY in turn_state
                or UserState.CONTEXT_SERVICE_KEY in turn_state
            ):
                return  # no scope was used in this turn: nothing can have changed
            self._finish_load()
        standard = self._standard
        if standard is not None and not force:
            # Skip the two saves (coroutines) when their scopes hold nothing to write.
            conversation, user, _ = standard
            if conversation._may_need_saving(context):
                await conversation.save(context)
            if user._may_need_saving(context):
                await user.save(context)
            return
        for scope in list(self._stored):
            await scope.save(context, force=force)

    def _finish_load(self) -> None:
        """Do the load that :meth:`load` put off, now that a scope is about to be used."""
        deferred = self._deferred
        if deferred is None:
            return
        self._deferred = None  # (deferred only while the scopes are with_storage's)
        context, read = deferred
        # Looked up again: another object may have loaded a scope in the meantime (the
        # turn then shares what it loaded, as it would have after an earlier load).
        pending = self._standard_to_read(context, False)
        if pending:
            keys = [key for _, key in pending]
            _adopt_all(context, pending, read(keys, target_cls=JsonDocument))

    def _standard_to_read(self, context: TurnContext, force: bool) -> list[tuple[AgentState, str]]:
        """With_storage's two scopes still to read in this turn, with their keys (a scope
        loaded already in this turn takes that data instead)."""
        standard = self._standard
        assert standard is not None  # built on demand from _unbuilt
        pending: list[tuple[AgentState, str]] = []
        for scope in standard[:2]:
            key = scope._key_to_load(context, force)
            if key is not None:
                pending.append((scope, key))
        return pending

    def clear(self, context: TurnContext, scope: str | None = None) -> None:
        """Remove every value of the scope named ``scope`` (of every scope by default).

        Cleared stored scopes are written (empty) by the next ``save``.

        Raises:
            StateError: ``scope`` is not a scope name, or a stored scope is not loaded.
        """
        self._finish_load()
        targets = self._scopes.values() if scope is None else [self.get_scope_by_name(scope)]
        for target in targets:
            target.clear(context)

    # ------------------------------------------------------------------ attribute guard

    # Hidden from type checkers, so that they flag `scope.count = 1` (and reads of
    # attributes that do not exist) statically too; at run time these raise clear errors.
    if not TYPE_CHECKING:

        def __setattr__(self, name: str, value: Any) -> None:
            if name.startswith("_") or hasattr(getattr(type(self), name, None), "__set__"):
                object.__setattr__(self, name, value)
                return
            raise StateError(
                f"`state.{name} = ...` would not be saved: TurnState attributes are not stored. "
                f"Use `state.conversation.set_value({name!r}, value)` to keep it for the "
                f"conversation, `state.user.set_value({name!r}, value)` for the user, or "
                f"`state.temp.{name} = value` for this turn only."
            )

        def __getattr__(self, name: str) -> Any:
            if name in _BUILT_ON_DEMAND and "_unbuilt" in self.__dict__:
                self._build_scopes()
                return self.__dict__[name]
            if name.startswith("_"):
                raise AttributeError(name)
            raise AttributeError(
                f"TurnState has no attribute {name!r}; values are read with "
                f"`state.get_value('ConversationState.{name}')` (or 'UserState.{name}', "
                f"'temp.{name}')"
            )

    def __repr__(self) -> str:
        return f"TurnState({', '.join(self._scopes)})"
