"""The framework-neutral HTTP core: requests in, responses out, no web framework inside.

A web framework package (``microsoft_agents.hosting.aiohttp``, or a FastAPI one) adapts its
request type to :class:`HttpRequestProtocol`, calls
:meth:`~microsoft_agents.hosting.core.HttpAdapterBase.process_request` (or a handler of
:class:`ChannelServiceRoutes` for agent-to-agent callbacks) and turns the
:class:`HttpResponse` it gets back into its own response type. All the protocol rules (which
status for which input, what the body looks like) live here, once.
"""

from ._body import DEFAULT_MAX_BODY_BYTES
from ._channel_api import ChannelApiHandlerProtocol
from ._request import HttpRequestProtocol
from ._response import BodyStream, HttpResponse, HttpResponseFactory
from ._routes import ChannelServiceRoutes, RouteHandlerFunc, ServiceRoute

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "BodyStream",
    "ChannelApiHandlerProtocol",
    "ChannelServiceRoutes",
    "HttpRequestProtocol",
    "HttpResponse",
    "HttpResponseFactory",
    "RouteHandlerFunc",
    "ServiceRoute",
]
