"""The connections of an agent, each one an MSAL token provider.

An agent usually runs under one app registration, ``SERVICE_CONNECTION``, and may hold
more: an agent identity blueprint, a registration per cloud, one per calling agent.
:class:`MsalConnectionManager` reads them all from the configuration dictionary that
:func:`~microsoft_agents.activity.load_configuration_from_env` builds out of environment
variables, and gives each connection its own
:class:`~microsoft_agents.authentication.msal.MsalAuth`::

    import os

    from microsoft_agents.activity import load_configuration_from_env
    from microsoft_agents.authentication.msal import MsalConnectionManager

    connections = MsalConnectionManager(**load_configuration_from_env(os.environ))
    provider = connections.get_token_provider(claims_identity, activity.service_url)
    token = await provider.get_access_token("https://api.botframework.com", [])

The settings of one connection live under ``CONNECTIONS__<NAME>__SETTINGS__<KEY>``
(``CLIENTID``, ``CLIENTSECRET``, ``TENANTID``, ``AUTHTYPE``, ...); ``SERVICE_CONNECTION``
is the default one. ``CONNECTIONSMAP__<n>__SERVICEURL`` / ``__AUDIENCE`` /
``__CONNECTION`` entries pick a connection per request: they are tried in index order,
the first one whose ``AUDIENCE`` (if any) equals the inbound app id and whose
``SERVICEURL`` regular expression (``*`` for any) is found in the serviceUrl wins. Without
a map every request uses ``SERVICE_CONNECTION``; with a map that nothing matches, the
request fails with :class:`~microsoft_agents.hosting.core.AuthConfigurationError`.

All of the choosing is hosting-core's
:class:`~microsoft_agents.hosting.core.authorization.ConnectionManager`; this class adds
what MSAL needs: ``MsalAuth`` as the provider of each connection, an optional shared MSAL
``http_client`` (a proxy, a test transport), and start-up errors that name the connection
whose settings MSAL refused. Every problem in the configuration surfaces when the manager
is built, never at the first outbound message.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from microsoft_agents.hosting.core import AuthConfigurationError
from microsoft_agents.hosting.core.authorization import (
    AccessTokenProviderBase,
    AgentAuthConfiguration,
    ConnectionManager,
)

from ._msal_auth import DEFAULT_TIMEOUT, MsalAuth

__all__ = ["MsalConnectionManager"]

logger = logging.getLogger(__name__)


class MsalConnectionManager(ConnectionManager):
    """Hosting-core's connection manager with an :class:`MsalAuth` per connection.

    Args:
        connections_configurations: ready-made configurations by connection name; they
            take precedence over ``CONNECTIONS`` entries of the same name.
        connections_map: the ``CONNECTIONSMAP`` entries; default ``kwargs["CONNECTIONSMAP"]``.
        http_client: an MSAL-compatible HTTP client (``get``/``post`` returning objects
            with ``status_code``, ``text``, ``headers`` and ``raise_for_status()``) that
            every connection's MSAL applications use; ``None`` keeps MSAL's own.
        timeout: seconds each HTTP call of MSAL's own client may wait to connect and for
            each read, for every connection (default 30; see :class:`MsalAuth`).
        **kwargs: the output of ``load_configuration_from_env``: ``CONNECTIONS``,
            ``CONNECTIONSMAP`` and ``AGENTAPPLICATION`` (ignored here).

    Raises:
        AuthConfigurationError: a connection's settings are missing or wrong (the error's
            ``setting`` names it, e.g. ``CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET``),
            no ``SERVICE_CONNECTION`` is configured while other connections are, or a map
            entry names an unknown connection or holds an invalid regular expression.
    """

    def __init__(
        self,
        connections_configurations: Mapping[str, AgentAuthConfiguration] | None = None,
        connections_map: Sequence[Mapping[str, Any]] | None = None,
        *,
        http_client: object | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        **kwargs: Any,
    ) -> None:
        self._http_client = http_client
        self._timeout = timeout
        super().__init__(
            self._create_provider,
            connections_configurations=connections_configurations,
            connections_map=connections_map,
            **kwargs,
        )

    def _create_provider(self, configuration: AgentAuthConfiguration) -> AccessTokenProviderBase:
        """Builds the MSAL provider of one connection, naming it in any error."""
        name = self._name_of(configuration)
        logger.debug(
            "Connection %s gets its tokens through MSAL (auth type %s)",
            name,
            configuration.AUTH_TYPE,
        )
        try:
            return MsalAuth(configuration, http_client=self._http_client, timeout=self._timeout)
        except AuthConfigurationError as error:
            setting = f"CONNECTIONS__{name}__SETTINGS"
            if error.setting and error.setting.startswith("CONNECTIONS__"):
                setting = error.setting
            elif error.setting:
                setting = f"{setting}__{error.setting}"
            raise AuthConfigurationError(f"Connection {name}: {error}", setting=setting) from error
        except ValueError as error:
            raise AuthConfigurationError(
                f"Connection {name}: MSAL refused its settings ({error}). Check "
                f"CONNECTIONS__{name}__SETTINGS.",
                setting=f"CONNECTIONS__{name}__SETTINGS",
            ) from error

    def _name_of(self, configuration: AgentAuthConfiguration) -> str:
        """The connection name a configuration is registered under (for messages)."""
        for name, candidate in self._configurations.items():
            if candidate is configuration:
                return name
        return configuration.CONNECTION_NAME or "?"
