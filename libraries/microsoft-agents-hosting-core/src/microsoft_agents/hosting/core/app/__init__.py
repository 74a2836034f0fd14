"""The application model: build an agent from routes and handlers.

:class:`AgentApplication` is the usual way to write an agent. Register a handler per kind
of activity with its decorators; the application picks the handler for each turn, shows a
typing indicator while it runs, and loads and saves the turn state around it::

    from microsoft_agents.hosting.core import AgentApplication, MemoryStorage, TurnContext
    from microsoft_agents.hosting.core.app.state import TurnState

    app = AgentApplication[TurnState](storage=MemoryStorage())

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        await context.send_activity(f"You said: {context.activity.text}")

Options are in :class:`ApplicationOptions`; the typing indicator is
:class:`TypingIndicator` (timings in :class:`TypingOptions`); Adaptive Card routes are on
``app.adaptive_card``; proactive messages (:class:`ProactiveOptions`) on ``app.proactive``.
"""

from microsoft_agents.hosting.core._errors import ApplicationError

from ._agent_application import AgentApplication
from ._options import ApplicationOptions, InputFile, InputFileDownloader
from ._query import Query
from ._routes import RouteHandler
from ._routes import RouteRank as RouteRank  # importable, not in __all__ (as upstream)
from ._routes import RouteSelector as RouteSelector
from ._routes import StateT as StateT
from ._typing import TypingChannelStrategy, TypingIndicator, TypingOptions
from .oauth import AuthHandler, Authorization
from .proactive import (
    Conversation,
    ConversationBuilder,
    ConversationReferenceBuilder,
    CreateConversationOptions,
    Proactive,
    ProactiveOptions,
)
from .state import ConversationState, State, StatePropertyAccessor, TempState, TurnState, state

__all__ = [
    "AgentApplication",
    "ApplicationError",
    "ApplicationOptions",
    "AuthHandler",
    "Authorization",
    "Conversation",
    "ConversationBuilder",
    "ConversationReferenceBuilder",
    "ConversationState",
    "CreateConversationOptions",
    "InputFile",
    "InputFileDownloader",
    "Proactive",
    "ProactiveOptions",
    "Query",
    "RouteHandler",
    "State",
    "StatePropertyAccessor",
    "TempState",
    "TurnState",
    "TypingChannelStrategy",
    "TypingIndicator",
    "TypingOptions",
    "state",
]
