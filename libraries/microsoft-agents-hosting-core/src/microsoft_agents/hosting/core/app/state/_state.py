"""``State`` and ``@state``: a custom state class that is a dict with attribute access.

For state that does not fit the conversation/user scopes, write a class: annotate its
values (with defaults), say where it is stored in ``load``, and save it when done::

    @state
    class Preferences(State):
        language: str = "en"
        topics: list[str] = []

        @classmethod
        async def load(cls, context: TurnContext, storage: Storage | None = None) -> Preferences:
            key = f"{context.activity.channel_id}/preferences/{context.activity.from_property.id}"
            return await cls.from_storage(storage, key)

    prefs = await Preferences.load(context, storage)
    prefs.topics.append("sports")           # same as prefs["topics"].append("sports")
    await prefs.save(context)

Every attribute that does not start with ``_`` is a key of the dict, so it is saved with
it (the whole dict is one JSON document; values are JSON, pydantic models or
``StoreItem`` objects). ``save`` writes only when the values changed since they were
read, and with the e-tag that was read, so a concurrent change raises
``ETagConflictError`` instead of being overwritten.

A state is built like a dict (``Preferences(language="de")``, ``Preferences(data)``);
the keyword ``__key__`` names the storage key. :meth:`State.create_property` (or
:class:`StatePropertyAccessor`) gives an accessor for one key, with the same
``get``/``set``/``delete`` as the accessors of ``AgentState``::

    language = prefs.create_property("language")
    if await language.get(context, "en") == "en":
        await language.set(context, "de")
"""

from __future__ import annotations

import copy
import inspect
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from microsoft_agents.hosting.core._errors import StateError
from microsoft_agents.hosting.core.state._agent_state import (
    PropertyAccessor,
)
from microsoft_agents.hosting.core.state._json import (
    JsonDocument,
    dump_stable,
    to_json_object,
)
from microsoft_agents.hosting.core.storage._storage import ETAG_FIELD

if TYPE_CHECKING:
    from microsoft_agents.hosting.core._turn_context import TurnContext
    from microsoft_agents.hosting.core.storage._storage import Storage

__all__ = ["State", "StatePropertyAccessor", "state"]

_T = TypeVar("_T")
_S = TypeVar("_S", bound="State")


class State(dict[str, Any], ABC):
    """A dict of JSON values, saved as one document, whose keys are also attributes.

    Subclasses implement the classmethod :meth:`load` (usually with
    :meth:`from_storage`); ``@state`` turns annotated class attributes into keys with
    defaults. Built like a dict: ``Preferences({"language": "de"})``,
    ``Preferences(language="de")``, ``Preferences(**data)``.

    Args:
        values: initial values, a mapping or ``(key, value)`` pairs (after the defaults
            of ``@state`` fields).
        __key__: the storage key the state is saved under (:meth:`from_storage` sets it).
        **data: more initial values, as for ``dict(**data)``; they win over ``values``.
    """

    __state_defaults__: ClassVar[dict[str, Any]] = {}

    def __init__(
        self,
        values: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
        /,
        *,
        __key__: str | None = None,
        **data: Any,
    ) -> None:
        super().__init__()
        self._key = __key__
        self._storage: Storage | None = None
        self._e_tag: str | None = None
        self._saved: str | None = None
        for name, default in type(self).__state_defaults__.items():
            self[name] = copy.deepcopy(default)
        if values:
            self.update(values)
        if data:
            self.update(data)

    @property
    def key(self) -> str | None:
        """The storage key this state is saved under."""
        return self._key

    @classmethod
    @abstractmethod
    async def load(cls: type[_S], context: TurnContext, storage: Storage | None = None) -> _S:
        """Read the state for the turn of ``context`` (implemented by each state class)."""

    @classmethod
    async def from_storage(cls: type[_S], storage: Storage | None, key: str) -> _S:
        """The state stored under ``key``, or a new one with the defaults if none is stored.

        Raises:
            StateError: ``storage`` is ``None``.
            StorageError: the storage failed.
        """
        if storage is None:
            raise StateError(f"{cls.__name__}.load() needs a storage to read {key!r} from")
        items = await storage.read([key], target_cls=JsonDocument)
        document = items.get(key)
        instance = cls(document.values if document else None, __key__=key)
        instance._storage = storage
        if document is not None:
            instance._e_tag = document.e_tag
            instance._saved = dump_stable(document.values)
        return instance

    async def save(self, context: TurnContext, storage: Storage | None = None) -> None:
        """Write the state if it changed since it was read (or last saved).

        Args:
            context: the turn (kept for symmetry with ``load``).
            storage: where to write; by default the storage the state was read from.

        Raises:
            StateError: there is no storage or no key to save under, a value cannot be
                saved as JSON, or a key is the reserved ``"e_tag"``.
            ETagConflictError: the document changed in storage since it was read.
            StorageError: the storage failed.
        """
        name = type(self).__name__
        target = storage if storage is not None else self._storage
        if target is None:
            raise StateError(
                f"{name}.save() needs a storage: pass save(context, storage), or create the "
                "state with from_storage(storage, key)."
            )
        if self._key is None:
            raise StateError(
                f"{name}.save() does not know where to save: create the state with "
                f"{name}(__key__=...) or from_storage(storage, key)."
            )
        if ETAG_FIELD in self:
            raise StateError(
                f"{name} holds a key named {ETAG_FIELD!r}, which storage reserves for the "
                "document's concurrency tag; rename it."
            )
        document = to_json_object(self, where=name)
        text = dump_stable(document)
        if text == self._saved or (self._saved is None and not document):
            return
        item = JsonDocument(document, self._e_tag)
        await target.write({self._key: item})
        self._e_tag = item.e_tag
        self._saved = text

    def create_property(self, name: str) -> StatePropertyAccessor:
        """An accessor for the key ``name`` (see :class:`StatePropertyAccessor`).

        Raises:
            StateError: ``name`` is not a non-empty string, or is the reserved ``"e_tag"``.
        """
        return StatePropertyAccessor(self, name)

    # ------------------------------------------------------------------ attributes = keys

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"{type(self).__name__} has no key {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_") or hasattr(getattr(type(self), name, None), "__set__"):
            object.__setattr__(self, name, value)
        else:
            self[name] = value

    def __delattr__(self, name: str) -> None:
        if name.startswith("_") or hasattr(getattr(type(self), name, None), "__set__"):
            object.__delattr__(self, name)
            return
        try:
            del self[name]
        except KeyError:
            raise AttributeError(f"{type(self).__name__} has no key {name!r}") from None


class StatePropertyAccessor(PropertyAccessor):
    """Reads and writes one key of a :class:`State`: the accessor of dict-backed states.

    The same ``get``/``set``/``delete`` as the accessors of ``AgentState`` scopes (those
    are ``microsoft_agents.hosting.core.state.StatePropertyAccessor``). A ``State`` is read
    before the accessor is used, so the context is only there for the common signature::

        language = StatePropertyAccessor(prefs, "language")   # or prefs.create_property(...)
        current = await language.get(context, lambda: "en")
        await language.set(context, "de")
        await prefs.save(context)

    Args:
        state: the state the key belongs to.
        name: the key.

    Raises:
        StateError: ``name`` is not a non-empty string, or is the reserved ``"e_tag"``.
    """

    def __init__(self, state: State, name: str) -> None:
        super().__init__(state, name, type(state).__name__, "key")

    @property
    def state(self) -> State:
        """The state the key belongs to."""
        return cast("State", self._state)

    async def _values(self, context: TurnContext) -> dict[str, Any]:
        # A State is the dict of its keys, read before its accessors are used.
        return cast("State", self._state)


def _is_class_var(annotation: object) -> bool:
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return text.startswith(("ClassVar", "typing.ClassVar"))


def state(cls: type[_T]) -> type[_T]:
    """Make an annotated class a :class:`State` whose annotated names are keys.

    Each annotated class attribute (not starting with ``_``, not a ``ClassVar``) becomes a
    key; its class value is the default, copied into every new instance (``None`` when
    there is none). A class that does not derive from ``State`` gets a ``State`` subclass
    of the same name. The class must implement the classmethod ``load``.
    """
    defaults: dict[str, Any] = {}
    for name, annotation in inspect.get_annotations(cls).items():
        if name.startswith("_") or _is_class_var(annotation):
            continue
        default = cls.__dict__.get(name)
        if hasattr(default, "__get__"):  # a method or property, not a value
            continue
        defaults[name] = default
        if name in cls.__dict__:
            # Left on the class, the default would hide the instance's key.
            delattr(cls, name)
    if issubclass(cls, State):
        target: type[Any] = cls
    else:
        target = type(
            cls.__name__,
            (cls, State),
            {
                "__module__": cls.__module__,
                "__qualname__": cls.__qualname__,
                "__doc__": cls.__doc__,
            },
        )
    target.__state_defaults__ = {**getattr(target, "__state_defaults__", {}), **defaults}
    return cast("type[_T]", target)
