"""The state an ``AgentApplication`` hands to every handler: :class:`TurnState`.

A turn state holds scopes: ``conversation`` (a :class:`ConversationState`, kept per
conversation), ``user`` (a ``UserState``, kept per user and channel) and ``temp`` (a
:class:`TempState`, for this turn only). The application loads it before your handler runs
and saves it afterwards, writing only the scopes that changed::

    @app.message("count")
    async def on_count(context: TurnContext, state: TurnState) -> None:
        count = state.conversation.get_value("count", lambda: 0) + 1
        state.conversation.set_value("count", count)
        await context.send_activity(f"You have said 'count' {count} times")

Values can be pydantic models (``get_value("profile", target_cls=Profile)``) or plain
JSON. Paths address any scope: ``state.get_value("UserState.language")``.

For state of your own shape, :class:`State` and the :func:`state` decorator make a dict
with attribute access that loads and saves itself; :class:`StatePropertyAccessor` (here,
the accessor of a ``State``) reads and writes one of its keys.
"""

from microsoft_agents.hosting.core.state._scopes import ConversationState

from ._state import State, StatePropertyAccessor, state
from ._temp_state import TempState
from ._turn_state import TurnState

__all__ = [
    "ConversationState",
    "State",
    "StatePropertyAccessor",
    "TempState",
    "TurnState",
    "state",
]
