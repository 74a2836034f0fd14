"""The core of the Microsoft 365 Agents SDK: turns, applications, state, channels, trust.

An agent is an :class:`Agent` (an :class:`AgentApplication` or an :class:`ActivityHandler`)
that an adapter runs once per incoming activity, with a :class:`TurnContext` to answer
through. State lives in :class:`TurnState` scopes kept in a :class:`Storage`. Talking to
channels (connector and token clients, JWT validation, the channel service adapter and the
framework-neutral HTTP core) is loaded on first use, so importing the package for an
agent's logic or its tests stays fast (``bench/import_time.py``).
"""

from typing import TYPE_CHECKING

from ._activity_handler import ActivityHandler
from ._agent import Agent
from ._card_factory import CardFactory
from ._channel_adapter import ChannelAdapter, OnTurnErrorHandler
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
    StreamingError,
)
from ._message_factory import MessageFactory
from ._middleware import Middleware, MiddlewareSet
from ._outbound import OutboundHostValidator
from ._turn_context import TurnContext, TurnServices
from ._turn_errors import default_on_turn_error
from .app import (
    AgentApplication,
    ApplicationOptions,
    AuthHandler,
    Authorization,
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
from .app.streaming import Citation, CitationUtil, StreamingResponse
from .header_propagation import (
    AgenticHeaderProvider,
    HeaderPropagationContext,
    HeaderValueProvider,
)
from .state import AgentState, ConversationState, StatePropertyAccessor, UserState
from .storage import MemoryStorage, Storage, StoreItem

if TYPE_CHECKING:
    from ._channel_service_adapter import ChannelServiceAdapter
    from ._channel_service_client_factory import (
        ChannelServiceClientFactoryBase,
        RestChannelServiceClientFactory,
    )
    from ._http_adapter_base import HttpAdapterBase
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
    from .client import (
        AgentConversationReference,
        ChannelFactoryProtocol,
        ChannelHostConfiguration,
        ChannelHostProtocol,
        ChannelInfo,
        ChannelInfoProtocol,
        ChannelProtocol,
        ChannelsConfiguration,
        ConfigurationChannelHost,
        ConversationConstants,
        ConversationIdFactory,
        ConversationIdFactoryOptions,
        ConversationIdFactoryProtocol,
        HttpAgentChannel,
        HttpAgentChannelFactory,
    )
    from .connector import (
        ConnectorClient,
        ConnectorClientBase,
        TeamsConnectorClient,
        UserTokenClient,
        UserTokenClientBase,
        get_product_info,
    )
    from .http import (
        ChannelApiHandlerProtocol,
        ChannelServiceRoutes,
        HttpRequestProtocol,
        HttpResponse,
        HttpResponseFactory,
    )

# The network-side names import aiohttp, PyJWT and cryptography; they load on first use.
_LAZY: dict[str, str] = {
    "AgentConversationReference": ".client",
    "ChannelFactoryProtocol": ".client",
    "ChannelHostConfiguration": ".client",
    "ChannelHostProtocol": ".client",
    "ChannelInfo": ".client",
    "ChannelInfoProtocol": ".client",
    "ChannelProtocol": ".client",
    "ChannelsConfiguration": ".client",
    "ConfigurationChannelHost": ".client",
    "ConversationConstants": ".client",
    "ConversationIdFactory": ".client",
    "ConversationIdFactoryOptions": ".client",
    "ConversationIdFactoryProtocol": ".client",
    "HttpAgentChannel": ".client",
    "HttpAgentChannelFactory": ".client",
    "AccessTokenProviderBase": ".authorization",
    "AgentAuthConfiguration": ".authorization",
    "AnonymousTokenProvider": ".authorization",
    "AuthTypes": ".authorization",
    "AuthenticationConstants": ".authorization",
    "ChannelApiHandlerProtocol": ".http",
    "ChannelServiceAdapter": "._channel_service_adapter",
    "ChannelServiceClientFactoryBase": "._channel_service_client_factory",
    "ChannelServiceRoutes": ".http",
    "ClaimsIdentity": ".authorization",
    "ConnectionManager": ".authorization",
    "Connections": ".authorization",
    "ConnectorClient": ".connector",
    "ConnectorClientBase": ".connector",
    "HttpAdapterBase": "._http_adapter_base",
    "HttpRequestProtocol": ".http",
    "HttpResponse": ".http",
    "HttpResponseFactory": ".http",
    "JwtTokenValidator": ".authorization",
    "RestChannelServiceClientFactory": "._channel_service_client_factory",
    "TeamsConnectorClient": ".connector",
    "UserTokenClient": ".connector",
    "UserTokenClientBase": ".connector",
    "get_product_info": ".connector",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "AccessTokenProviderBase",
    "ActivityHandler",
    "AdapterError",
    "Agent",
    "AgentApplication",
    "AgentAuthConfiguration",
    "AgentConversationReference",
    "AgentState",
    "AgenticHeaderProvider",
    "AnonymousTokenProvider",
    "ApplicationError",
    "ApplicationOptions",
    "AuthConfigurationError",
    "AuthHandler",
    "AuthenticationConstants",
    "AuthenticationError",
    "Authorization",
    "CardFactory",
    "ChannelAdapter",
    "ChannelApiHandlerProtocol",
    "ChannelFactoryProtocol",
    "ChannelHostConfiguration",
    "ChannelHostProtocol",
    "ChannelInfo",
    "ChannelInfoProtocol",
    "ChannelProtocol",
    "ChannelServiceAdapter",
    "ChannelServiceClientFactoryBase",
    "ChannelServiceRoutes",
    "ChannelsConfiguration",
    "Citation",
    "CitationUtil",
    "ClaimsIdentity",
    "ConfigurationChannelHost",
    "ConnectionManager",
    "Connections",
    "ConnectorClient",
    "ConnectorClientBase",
    "ConversationConstants",
    "ConversationIdFactory",
    "ConversationIdFactoryOptions",
    "ConversationIdFactoryProtocol",
    "ConversationState",
    "ETagConflictError",
    "ErrorMessage",
    "ErrorResources",
    "HeaderPropagationContext",
    "HeaderValueProvider",
    "HostingError",
    "HttpAdapterBase",
    "HttpAgentChannel",
    "HttpAgentChannelFactory",
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
    "StreamingError",
    "StreamingResponse",
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
