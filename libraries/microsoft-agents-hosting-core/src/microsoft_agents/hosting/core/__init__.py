"""The turn pipeline of the Microsoft 365 Agents SDK (work in progress)."""

from ._activity_handler import ActivityHandler
from ._agent import Agent
from ._card_factory import CardFactory
from ._channel_adapter import ChannelAdapter, OnTurnErrorHandler
from ._errors import (
    AdapterError,
    ApplicationError,
    AuthConfigurationError,
    AuthenticationError,
    ETagConflictError,
    HostingError,
    OutboundRequestRefusedError,
    ServiceError,
    StateError,
    StorageError,
    StorageKeyError,
)
from ._message_factory import MessageFactory
from ._middleware import Middleware, MiddlewareSet
from ._turn_context import TurnContext, TurnServices
from ._turn_errors import default_on_turn_error
from .app import (
    AgentApplication,
    ApplicationOptions,
    InputFile,
    InputFileDownloader,
    Query,
    RouteHandler,
    TypingIndicator,
)
from .app._routes import RouteRank as RouteRank  # importable, not in __all__ (as upstream)
from .app._routes import RouteSelector as RouteSelector
from .app._routes import StateT as StateT
from .app._routes import _Route as _Route
from .app._routes import _RouteList as _RouteList
from .app.state import State, TempState, TurnState, state
from .state import AgentState, ConversationState, StatePropertyAccessor, UserState
from .storage import MemoryStorage, Storage, StoreItem

__all__ = [
    "ActivityHandler",
    "AdapterError",
    "Agent",
    "AgentApplication",
    "AgentState",
    "ApplicationError",
    "ApplicationOptions",
    "AuthConfigurationError",
    "AuthenticationError",
    "CardFactory",
    "ChannelAdapter",
    "ConversationState",
    "ETagConflictError",
    "HostingError",
    "InputFile",
    "InputFileDownloader",
    "MemoryStorage",
    "MessageFactory",
    "Middleware",
    "MiddlewareSet",
    "OnTurnErrorHandler",
    "OutboundRequestRefusedError",
    "Query",
    "RouteHandler",
    "ServiceError",
    "State",
    "StateError",
    "StatePropertyAccessor",
    "Storage",
    "StorageError",
    "StorageKeyError",
    "StoreItem",
    "TempState",
    "TurnContext",
    "TurnServices",
    "TurnState",
    "TypingIndicator",
    "UserState",
    "default_on_turn_error",
    "state",
]
