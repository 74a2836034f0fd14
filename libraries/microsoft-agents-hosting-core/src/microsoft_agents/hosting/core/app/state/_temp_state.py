"""``TempState``: values that live for one turn only and are never stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, overload

from microsoft_agents.hosting.core.state._agent_state import check_property_name, read_value

if TYPE_CHECKING:
    from microsoft_agents.hosting.core._turn_context import TurnContext
    from microsoft_agents.hosting.core.app._options import InputFile

__all__ = ["TempState"]

_T = TypeVar("_T")

# Attributes set the plain way (the application sets ``input`` on every turn).
_OWN_ATTRIBUTES = frozenset({"_values", "input", "input_files"})


class TempState:
    """The turn-only scope of a ``TurnState`` (path prefix ``temp``).

    Nothing here is saved. The application puts the turn's input here: ``input`` (the
    text of the incoming message) and ``input_files`` (files downloaded by the
    application's file downloaders). Handlers can keep their own values for the rest of
    the turn, as attributes or through the value API; both see the same values::

        state.temp.draft = "hello"
        assert state.get_value("temp.draft") == "hello"
    """

    SCOPE_NAME: ClassVar[str] = "temp"

    def __init__(self) -> None:
        self._values: dict[str, Any]
        object.__setattr__(self, "_values", {})  # one per turn: past the __setattr__ below

    @property
    def scope_name(self) -> str:
        """``"temp"``, the name ``TurnState`` paths use for this scope."""
        return self.SCOPE_NAME

    @property
    def input(self) -> str | None:
        """The text of the incoming message, if any."""
        value = self._values.get("input")
        return value if isinstance(value, str) else None

    @input.setter
    def input(self, value: str | None) -> None:
        self._values["input"] = value

    @property
    def input_files(self) -> list[InputFile]:
        """The files the application downloaded for this turn."""
        files = self._values.get("input_files")
        if not isinstance(files, list):
            files = []
            self._values["input_files"] = files
        return files

    @input_files.setter
    def input_files(self, value: list[InputFile]) -> None:
        self._values["input_files"] = value

    # ------------------------------------------------------------------ the scope API

    async def load(self, context: TurnContext, force: bool = False) -> None:
        """Nothing to read: temp values exist for the turn only."""

    async def save(self, context: TurnContext, force: bool = False) -> None:
        """Nothing to write: temp values exist for the turn only."""

    def get(self) -> dict[str, Any]:
        """The values, name -> value (the live dict)."""
        return self._values

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
        """The value ``name``; same rules as ``AgentState.get_value``.

        Raises:
            StateError: the value does not fit ``target_cls``.
        """
        check_property_name(name, self.SCOPE_NAME)
        return read_value(self._values, name, default_value_factory, target_cls, "TempState")

    def set_value(self, name: str, value: Any) -> None:
        """Set the value ``name`` for the rest of the turn."""
        self._values[check_property_name(name, self.SCOPE_NAME)] = value

    def delete_value(self, name: str) -> None:
        """Remove the value ``name``; a missing value is not an error."""
        self._values.pop(name, None)

    def has_value(self, name: str) -> bool:
        """True when the value ``name`` is set."""
        return name in self._values

    def clear(self, context: TurnContext | None = None) -> None:
        """Remove every value."""
        self._values.clear()

    def get_typed_value(self, cls: type[_T]) -> _T | None:
        """The value kept for the class ``cls`` (by :meth:`set_typed_value`), or None.

        A turn can keep one object per class without inventing names: the class's own
        name is the value's name (``state.temp.get_value("Order")`` reads the same one).

        Raises:
            StateError: the value kept under that name is not a ``cls``.
        """
        return self.get_value(cls.__name__, target_cls=cls)

    def set_typed_value(self, value: Any) -> None:
        """Keep ``value`` for the rest of the turn under its class's name."""
        self.set_value(type(value).__name__, value)

    # ------------------------------------------------------------------ attribute access

    def __setattr__(self, name: str, value: Any) -> None:
        if (
            name in _OWN_ATTRIBUTES
            or name.startswith("_")
            or hasattr(getattr(type(self), name, None), "__set__")
        ):
            object.__setattr__(self, name, value)
        else:
            self.set_value(name, value)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(
                f"TempState has no value {name!r} in this turn; set it first "
                f"(`state.temp.{name} = ...` or `state.set_value('temp.{name}', ...)`)"
            ) from None

    def __delattr__(self, name: str) -> None:
        if name.startswith("_") or hasattr(getattr(type(self), name, None), "__set__"):
            object.__delattr__(self, name)
        else:
            self.delete_value(name)

    def __repr__(self) -> str:
        return f"TempState({sorted(self._values)!r})"
