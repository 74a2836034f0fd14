"""Microsoft Entra ID tokens for agents, through MSAL.

An agent proves who it is to channels, to the token service and to other agents with
tokens from Microsoft Entra ID. :class:`MsalConnectionManager` builds one :class:`MsalAuth`
per connection configured in ``CONNECTIONS__<NAME>__SETTINGS__...`` and picks the one a
request needs from ``CONNECTIONSMAP``; give it to the hosting adapter::

    connections = MsalConnectionManager(**load_configuration_from_env(os.environ))

MSAL itself is synchronous; every token call here runs in a worker thread, one MSAL
application per connection keeps its token cache, and concurrent requests for the same
token share one call to Entra ID.
"""

from ._connection_manager import MsalConnectionManager
from ._msal_auth import MsalAuth

__all__ = ["MsalAuth", "MsalConnectionManager"]
