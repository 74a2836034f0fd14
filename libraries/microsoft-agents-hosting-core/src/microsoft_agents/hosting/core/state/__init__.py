"""Conversation and user state that lives between turns.

A *scope* of state is one JSON document in a ``Storage``: :class:`ConversationState`
keeps one per conversation, :class:`UserState` one per user and channel. Load a scope at
the start of a turn, read and change its properties, save it at the end; the save
writes only when something changed::

    from microsoft_agents.hosting.core.state import ConversationState

    conversation_state = ConversationState(storage)
    counter = conversation_state.create_property("count")

    async def on_message(context: TurnContext) -> None:
        count = await counter.get(context, 0) + 1
        await counter.set(context, count)
        await conversation_state.save(context)
        await context.send_activity(f"message #{count}")

With ``AgentApplication`` you rarely touch these classes yourself: the application loads
a ``TurnState`` (see ``microsoft_agents.hosting.core.app.state``) holding both scopes
before your handler runs and saves it afterwards.

Derive from :class:`AgentState` for a scope of your own (implement ``get_storage_key``).
"""

from ._agent_state import AgentState, StatePropertyAccessor
from ._scopes import ConversationState, UserState

__all__ = ["AgentState", "ConversationState", "StatePropertyAccessor", "UserState"]
