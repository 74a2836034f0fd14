"""Clients for the Bot Connector and token services, and the HTTP transport under them.

:class:`ConnectorClient` sends activities to a channel and reads its conversations
(:class:`TeamsConnectorClient` adds the Teams-only calls, :class:`MCSConnectorClient`
answers Copilot Studio connector requests); :class:`UserTokenClient` gets the user's
OAuth tokens. The adapter registers the turn's clients in ``context.services`` under
:class:`ConnectorClientBase` and :class:`UserTokenClientBase`.

:class:`HttpTransport` sends every outbound request: it joins paths onto the service
URL, adds the standard and propagated headers, checks the host before a token is
attached, and retries what is safe to retry (see :class:`RetryPolicy`).
:func:`get_product_info` is the ``User-Agent`` string of this SDK.
"""

from ._bases import ConnectorClientBase, UserTokenClientBase
from ._connector_client import ConnectorClient
from ._mcs_connector_client import MCSConnectorClient
from ._product_info import get_product_info
from ._teams_connector_client import TeamsConnectorClient
from ._transport import HttpTransport, RetryPolicy, ServiceResponse
from ._user_token_client import UserTokenClient

__all__ = [
    "ConnectorClient",
    "ConnectorClientBase",
    "HttpTransport",
    "MCSConnectorClient",
    "RetryPolicy",
    "ServiceResponse",
    "TeamsConnectorClient",
    "UserTokenClient",
    "UserTokenClientBase",
    "get_product_info",
]
