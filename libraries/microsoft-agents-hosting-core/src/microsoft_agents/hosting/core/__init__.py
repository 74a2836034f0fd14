"""The turn pipeline of the Microsoft 365 Agents SDK (work in progress)."""

from ._activity_handler import ActivityHandler
from ._agent import Agent
from ._card_factory import CardFactory
from ._channel_adapter import ChannelAdapter, OnTurnErrorHandler
from ._channel_service_adapter import ChannelServiceAdapter
from ._channel_service_client_factory import (
    ChannelServiceClientFactoryBase,
    RestChannelServiceClientFactory,
)
from ._error_resources import ErrorMessage, ErrorResources, error_resources
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
from ._http_adapter_base import HttpAdapterBase
from ._message_factory import MessageFactory
from ._middleware import Middleware, MiddlewareSet
from ._outbound import OutboundHostValidator
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
from .authorization import (
    AccessTokenProviderBase,
    AgentAuthConfiguration,
    AnonymousTokenProvider,
    AuthenticationConstants,
    ClaimsIdentity,
    ConnectionManager,
    Connections,
    JwtTokenValidator,
)
from .authorization import AuthTypes as AuthTypes  # importable, not in __all__ (as upstream)
from .connector import (
    ConnectorClient,
    ConnectorClientBase,
    TeamsConnectorClient,
    UserTokenClient,
    UserTokenClientBase,
    get_product_info,
)
from .header_propagation import (
    AgenticHeaderProvider,
    HeaderPropagationContext,
    HeaderValueProvider,
)
from .http import (
    ChannelApiHandlerProtocol,
    ChannelServiceRoutes,
    HttpRequestProtocol,
    HttpResponse,
    HttpResponseFactory,
)
from .state import AgentState, ConversationState, StatePropertyAccessor, UserState
from .storage import MemoryStorage, Storage, StoreItem

__all__ = [
    "AccessTokenProviderBase",
    "ActivityHandler",
    "AdapterError",
    "Agent",
    "AgentApplication",
    "AgentAuthConfiguration",
    "AgentState",
    "AgenticHeaderProvider",
    "AnonymousTokenProvider",
    "ApplicationError",
    "ApplicationOptions",
    "AuthConfigurationError",
    "AuthenticationConstants",
    "AuthenticationError",
    "CardFactory",
    "ChannelAdapter",
    "ChannelApiHandlerProtocol",
    "ChannelServiceAdapter",
    "ChannelServiceClientFactoryBase",
    "ChannelServiceRoutes",
    "ClaimsIdentity",
    "ConnectionManager",
    "Connections",
    "ConnectorClient",
    "ConnectorClientBase",
    "ConversationState",
    "ETagConflictError",
    "ErrorMessage",
    "ErrorResources",
    "HeaderPropagationContext",
    "HeaderValueProvider",
    "HostingError",
    "HttpAdapterBase",
    "HttpRequestProtocol",
    "HttpResponse",
    "HttpResponseFactory",
    "InputFile",
    "InputFileDownloader",
    "JwtTokenValidator",
    "MemoryStorage",
    "MessageFactory",
    "Middleware",
    "MiddlewareSet",
    "OnTurnErrorHandler",
    "OutboundHostValidator",
    "OutboundRequestRefusedError",
    "Query",
    "RestChannelServiceClientFactory",
    "RouteHandler",
    "ServiceError",
    "State",
    "StateError",
    "StatePropertyAccessor",
    "Storage",
    "StorageError",
    "StorageKeyError",
    "StoreItem",
    "TeamsConnectorClient",
    "TempState",
    "TurnContext",
    "TurnServices",
    "TurnState",
    "TypingIndicator",
    "UserState",
    "UserTokenClient",
    "UserTokenClientBase",
    "default_on_turn_error",
    "error_resources",
    "get_product_info",
    "state",
]
