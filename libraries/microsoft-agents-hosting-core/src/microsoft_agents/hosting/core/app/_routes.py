"""Routes: which handler of an ``AgentApplication`` takes an incoming activity.

A route pairs a *selector*, a plain function ``selector(context) -> bool`` that looks at
the incoming activity, with a *handler*, ``async handler(context, state)`` that answers it.
The application tries its routes in priority order and runs the first whose selector
returns True; the others are skipped for that turn.

Priority, from first tried to last:

1. invoke routes (``is_invoke=True``): a channel waits for their answer;
2. agentic routes (``is_agentic=True``), which only match agentic requests;
3. lower :class:`RouteRank` before higher;
4. among equals, the order of registration.

Registration order is kept exactly (a stable sort), so routes registered A, B, C (invoke),
D, E (invoke), F with the same rank are tried C, E, A, B, D, F.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, Generic, TypeVar

from microsoft_agents.hosting.core._errors import ApplicationError
from microsoft_agents.hosting.core._turn_context import TurnContext

if TYPE_CHECKING:
    from microsoft_agents.hosting.core.app.state import TurnState

__all__ = [
    "RouteHandler",
    "RouteRank",
    "RouteSelector",
    "StateT",
    "_Route",
    "_RouteList",
]

# StateT defaults to TurnState (PEP 696), so that `AgentApplication(storage=...)` needs no
# subscript. Type checkers alone see the default: `typing.TypeVar` takes `default=` from
# Python 3.13 on, and this package supports 3.10. typing_extensions, which has it for every
# version, is not a dependency of this package (pydantic happens to install it; the layer
# test in tests/test_packaging.py refuses undeclared imports, even for type checkers), so
# the typing one is used: mypy reads its default whatever the target version, and pyright
# does too for code that uses the package (it flags this line only when it checks this
# source for a Python before 3.13). At run time StateT is a plain TypeVar, as before.
if TYPE_CHECKING:
    StateT = TypeVar("StateT", bound="TurnState", default="TurnState")
else:
    StateT = TypeVar("StateT", bound="TurnState")
"""The turn-state type of an application (``TurnState`` or a subclass; ``TurnState`` when
the application's type does not say)."""


class RouteRank(IntEnum):
    """Where a route sits among routes of the same kind: lower ranks are tried first.

    Any integer from ``FIRST`` to ``LAST`` is a valid rank; these names mark the ends and
    the default.
    """

    FIRST = 0
    DEFAULT = 32767
    LAST = 65535


RouteSelector = Callable[[TurnContext], bool]
"""``selector(context) -> bool``: whether a route takes the incoming activity."""

RouteHandler = Callable[[TurnContext, StateT], Awaitable[object]]
"""``async handler(context, state)``: answers the activity a route selected (what it
returns is ignored)."""


@dataclass(frozen=True)
class _Route(Generic[StateT]):
    """One registered route.

    Attributes:
        selector: decides whether the route takes the incoming activity.
        handler: runs when it does.
        is_invoke: the route answers ``invoke`` activities (tried before all others).
        is_agentic: the route only takes agentic requests (tried before plain routes).
        rank: the position among routes of the same kind (lower first).
        auth_handlers: the ids of the sign-in handlers the user must be signed in to
            before the handler runs.
    """

    selector: RouteSelector
    handler: RouteHandler[StateT]
    is_invoke: bool = False
    is_agentic: bool = False
    rank: int = RouteRank.DEFAULT
    auth_handlers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not callable(self.selector):
            raise ApplicationError(
                f"a route selector must be a function 'selector(context) -> bool', got "
                f"{type(self.selector).__name__}"
            )
        if not callable(self.handler):
            raise ApplicationError(
                f"a route handler must be an async function 'handler(context, state)', got "
                f"{type(self.handler).__name__}"
            )
        if isinstance(self.rank, bool) or not isinstance(self.rank, int):
            raise ApplicationError(
                f"route rank must be an int from RouteRank.FIRST (0) to RouteRank.LAST "
                f"(65535), got {self.rank!r}"
            )
        if not RouteRank.FIRST <= self.rank <= RouteRank.LAST:
            raise ApplicationError(
                f"route rank {self.rank} is out of range; use a value from RouteRank.FIRST (0) "
                f"to RouteRank.LAST (65535)"
            )

    @property
    def name(self) -> str:
        """The handler's name, for log messages and errors."""
        return getattr(self.handler, "__qualname__", None) or repr(self.handler)

    @property
    def priority(self) -> tuple[int, int, int]:
        """The sort key: invoke routes, then agentic routes, then by rank."""
        return (0 if self.is_invoke else 1, 0 if self.is_agentic else 1, int(self.rank))

    def matches(self, context: TurnContext) -> bool:
        """Whether this route takes the activity of ``context``."""
        if self.is_agentic and not context.activity.is_agentic_request():
            return False
        return bool(self.selector(context))


@dataclass
class _RouteList(Generic[StateT]):
    """The routes of an application, kept in the order they are tried."""

    _routes: list[_Route[StateT]] = field(default_factory=list)

    def add(self, route: _Route[StateT]) -> None:
        """Add ``route`` after every route of the same priority already present."""
        self._routes.append(route)
        # list.sort is stable: equal priorities keep their registration order.
        self._routes.sort(key=lambda r: r.priority)

    def find(self, context: TurnContext) -> _Route[StateT] | None:
        """The first route that takes the activity of ``context``, if any."""
        activity = context.activity
        for route in self._routes:  # (route.matches, inline: every turn)
            if route.is_agentic and not activity.is_agentic_request():
                continue
            if route.selector(context):
                return route
        return None

    def __iter__(self) -> Iterator[_Route[StateT]]:
        return iter(list(self._routes))

    def __len__(self) -> int:
        return len(self._routes)
