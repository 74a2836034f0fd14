"""Proactive messages: talk in a conversation when the user did not just write.

An agent answers turns the user starts; a *proactive* message is one the agent sends on
its own, later: a reminder, the end of a long job, a notification from another system. To
do it, the agent keeps what it needs to find the conversation again (a
:class:`Conversation`: the conversation reference and the claims to act with) and later
asks its adapter to run a turn in that conversation.

Turn it on with ``ApplicationOptions.proactive``, then use ``app.proactive``
(a :class:`Proactive`)::

    app = AgentApplication[TurnState](
        storage=MemoryStorage(), adapter=adapter, proactive=ProactiveOptions()
    )

    @app.message("/notify-me")
    async def subscribe(context: TurnContext, state: TurnState) -> None:
        conversation = await app.proactive.store_conversation(context)
        await context.send_activity(f"I will write here ({conversation.id}).")

    # From anywhere else (a web hook, a timer), with the id saved above:
    await app.proactive.send_activity(adapter, conversation_id, "Your report is ready.")

``continue_conversation`` runs a whole turn (with the conversation's state) instead of
sending one activity, and ``create_conversation`` starts a new conversation. Stored
conversations live under ``proactive/conversations/<conversation id>`` in
:attr:`ProactiveOptions.storage` (the application's storage by default).
:class:`ConversationBuilder` and :class:`ConversationReferenceBuilder` build a conversation
from known ids instead of from a turn.
"""

from ._conversation import Conversation, ConversationBuilder, ConversationReferenceBuilder
from ._options import CreateConversationOptions, ProactiveOptions
from ._proactive import Proactive

__all__ = [
    "Conversation",
    "ConversationBuilder",
    "ConversationReferenceBuilder",
    "CreateConversationOptions",
    "Proactive",
    "ProactiveOptions",
]
