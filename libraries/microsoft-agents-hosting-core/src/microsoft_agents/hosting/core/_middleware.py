"""Middleware: code that runs around every turn, before and after the agent.

A middleware's ``on_turn(context, logic)`` does its work and calls ``await logic()`` to let
the rest of the pipeline (later middleware, then the agent) run; code after that call runs
once the agent is done. Not calling ``logic`` short-circuits the turn::

    class Timing:
        async def on_turn(self, context, logic):
            started = time.perf_counter()
            await logic()
            log.info("turn took %.3fs", time.perf_counter() - started)

    adapter.use(Timing())

``logic`` also accepts the context as an argument (``await logic(context)``), so middleware
written either way works.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from ._turn_context import TurnContext

__all__ = ["Middleware", "MiddlewareSet", "NextDelegate", "TurnCallback"]

TurnCallback = Callable[["TurnContext"], Awaitable[None]]
"""The agent's entry point for one turn: ``async callback(context)``."""


class NextDelegate(Protocol):
    """Runs the rest of the pipeline; the ``context`` argument is optional and ignored."""

    def __call__(self, context: TurnContext | None = None, /) -> Awaitable[None]: ...


@runtime_checkable
class Middleware(Protocol):
    """Runs around each turn; call ``await logic()`` to continue the pipeline."""

    async def on_turn(self, context: TurnContext, logic: NextDelegate) -> None:
        """Do work before and after ``logic``; skip ``logic`` to end the turn here."""
        ...


class MiddlewareSet:
    """An ordered pipeline of middleware; itself a middleware, so sets can nest.

    Middleware run in the order they were added: the first added sees the turn first and
    finishes last.
    """

    def __init__(self) -> None:
        self._middleware: list[Middleware] = []

    def __len__(self) -> int:
        return len(self._middleware)

    def use(self, *middleware: Middleware) -> MiddlewareSet:
        """Append middleware to the pipeline; returns self for chaining.

        Raises:
            TypeError: an object has no ``on_turn`` method.
        """
        for item in middleware:
            if not callable(getattr(item, "on_turn", None)):
                raise TypeError(
                    f"{type(item).__name__} cannot be used as middleware: it has no "
                    "'async def on_turn(self, context, logic)' method"
                )
        self._middleware.extend(middleware)
        return self

    async def on_turn(self, context: TurnContext, logic: NextDelegate) -> None:
        """Run this set's middleware, then ``logic``."""

        async def finish(_: TurnContext) -> None:
            await logic()

        await self._run(context, finish, 0)

    async def receive_activity_with_status(
        self, context: TurnContext, callback: TurnCallback | None = None
    ) -> None:
        """Run the middleware in order, then ``callback`` (the agent), if any."""
        await self._run(context, callback, 0)

    async def _run(self, context: TurnContext, callback: TurnCallback | None, index: int) -> None:
        if index == len(self._middleware):
            if callback is not None:
                await callback(context)
            return

        async def next_step(_: TurnContext | None = None) -> None:
            await self._run(context, callback, index + 1)

        await self._middleware[index].on_turn(context, next_step)
