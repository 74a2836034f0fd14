"""``Agent``: anything that can take a turn.

An adapter hands each incoming activity to an agent as a :class:`TurnContext`. Both
:class:`~microsoft_agents.hosting.core.ActivityHandler` and
:class:`~microsoft_agents.hosting.core.AgentApplication` are agents; so is any object with
an ``async on_turn(context)`` method.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from ._turn_context import TurnContext

__all__ = ["Agent"]


@runtime_checkable
class Agent(Protocol):
    """Handles one turn of a conversation."""

    async def on_turn(self, context: TurnContext) -> None:
        """Handle the activity in ``context``; send replies through it."""
        ...
