"""One token provider per configured connection, and the map choosing between them.

An agent may hold several app registrations ("connections"): the one it answers
channels with (``SERVICE_CONNECTION``, always required), a blueprint for agentic
requests, one per cloud or per caller. :class:`ConnectionManager` builds a token provider
for each ``CONNECTIONS.<name>.SETTINGS`` section and picks one per request::

    config = load_configuration_from_env(os.environ)
    connections = ConnectionManager(MyProvider, **config)
    provider = connections.get_token_provider(claims_identity, activity.service_url)

The choice follows ``CONNECTIONSMAP`` (protocol §15.4): entries are tried in order; an
entry's ``AUDIENCE`` (when set) must equal the app id of the inbound claims,
case-insensitively, and its ``SERVICEURL`` (``*`` or empty matches anything) is a regular
expression searched, case-insensitively and unanchored, in the serviceUrl. The first
match wins; no match is an error; without a map every request uses ``SERVICE_CONNECTION``.

A connection's section holds only ``SETTINGS`` (any case: ``CONNECTIONS__X__Settings__...``
is read too); another key there is refused with a "did you mean" when it is built, except
the .NET keys ``ASSEMBLY`` and ``TYPE``, which are logged as unused. Every
``ALT_BLUEPRINT_NAME`` must name a configured connection, exactly as written.

With no connection configured at all, the manager runs in development mode: it holds one
``SERVICE_CONNECTION`` without identity whose provider is an
:class:`~microsoft_agents.hosting.core.authorization.AnonymousTokenProvider` (see
:mod:`microsoft_agents.hosting.core.authorization.jwt`). A development-mode connection
never reaches the provider factory, so the factory only ever sees real identities.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from microsoft_agents.hosting.core._errors import AuthConfigurationError

from ._configuration import AgentAuthConfiguration
from ._providers import AccessTokenProviderBase, AnonymousTokenProvider

if TYPE_CHECKING:
    from microsoft_agents.activity import Activity

    from ._claims_identity import ClaimsIdentity

__all__ = ["ConnectionManager", "ProviderFactory"]

logger = logging.getLogger(__name__)

SERVICE_CONNECTION = "SERVICE_CONNECTION"

ProviderFactory = Callable[[AgentAuthConfiguration], AccessTokenProviderBase]
"""Builds the token provider of one connection from its configuration."""

_SETTINGS = "SETTINGS"
_IGNORED_ROOTS = frozenset({"AGENTAPPLICATION"})
# Keys of a .NET connection section that choose the provider class; here the manager's
# provider factory does that, so they are read only to say they are not used.
_DOTNET_PROVIDER_KEYS = frozenset({"ASSEMBLY", "TYPE"})


@dataclass(frozen=True)
class _MapEntry:
    connection: str
    service_url: re.Pattern[str] | None
    audience: str | None

    def matches(self, app_id: str | None, service_url: str) -> bool:
        if self.audience is not None and (app_id or "").lower() != self.audience.lower():
            return False
        return self.service_url is None or self.service_url.search(service_url) is not None


def _upper_keys(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {str(key).upper(): value for key, value in entry.items()}


def _hint(name: str, known: Iterable[str]) -> str:
    """`` (did you mean X?)`` for the known name closest to ``name``, or ``""``.

    Names are matched exactly, so a name differing only in case is the best hint.
    """
    by_upper = {candidate.upper(): candidate for candidate in known}
    close = difflib.get_close_matches(name.upper(), list(by_upper), n=1)
    return f" (did you mean {by_upper[close[0]]}?)" if close else ""


def _connection_settings(name: str, section: object) -> object:
    """The ``SETTINGS`` of one ``CONNECTIONS`` entry (``{}`` when it has none).

    ``SETTINGS`` is matched in any case, like the setting names inside it. Any other key
    is refused: a misspelt ``SETTINGS`` would leave the connection without identity.
    """
    if section is None:
        return {}
    if not isinstance(section, Mapping):
        raise AuthConfigurationError(
            f"CONNECTIONS__{name} is given a value of its own; a connection is a section "
            f"whose settings go under CONNECTIONS__{name}__SETTINGS__<KEY> "
            f"(e.g. CONNECTIONS__{name}__SETTINGS__CLIENTID).",
            setting=f"CONNECTIONS__{name}",
        )
    found: list[str] = []
    for key in section:
        upper = str(key).upper()
        if upper == _SETTINGS:
            found.append(str(key))
        elif upper in _DOTNET_PROVIDER_KEYS:
            logger.warning(
                "CONNECTIONS__%s__%s is not used: the provider of every connection is the "
                "one the connection manager builds (MsalAuth with MsalConnectionManager).",
                name,
                key,
            )
        else:
            hint = _hint(str(key), [_SETTINGS])
            raise AuthConfigurationError(
                f"Connection {name}: unknown key {str(key)!r} in CONNECTIONS__{name}{hint}. "
                f"A connection's settings go under CONNECTIONS__{name}__SETTINGS__<KEY>.",
                setting=f"CONNECTIONS__{name}__{key}",
            )
    if len(found) > 1:
        spellings = " and ".join(f"CONNECTIONS__{name}__{key}" for key in sorted(found))
        raise AuthConfigurationError(
            f"Connection {name}: its settings are given twice, as {spellings}; keep one "
            f"spelling (CONNECTIONS__{name}__SETTINGS__<KEY>).",
            setting=f"CONNECTIONS__{name}__{_SETTINGS}",
        )
    settings: object = section[found[0]] if found else None
    return {} if settings is None else settings


class ConnectionManager:
    """The token providers of all configured connections.

    Args:
        provider_factory: builds a token provider from a connection's configuration
            (``MsalAuth`` in ``microsoft_agents.authentication.msal``).
        connections_configurations: ready-made configurations by connection name; they
            take precedence over ``CONNECTIONS`` entries of the same name.
        connections_map: the ``CONNECTIONSMAP`` entries; default ``kwargs["CONNECTIONSMAP"]``.
        **kwargs: the output of ``load_configuration_from_env``: ``CONNECTIONS`` (name ->
            ``{"SETTINGS": {...}}``), ``CONNECTIONSMAP``; ``AGENTAPPLICATION`` is ignored.

    Raises:
        AuthConfigurationError: a connection's settings are invalid, its section holds
            a key other than ``SETTINGS``, connections exist but none is
            ``SERVICE_CONNECTION``, an ``ALT_BLUEPRINT_NAME`` or a map entry names an
            unknown connection, or a map entry holds an invalid regular expression.
    """

    def __init__(
        self,
        provider_factory: ProviderFactory,
        connections_configurations: Mapping[str, AgentAuthConfiguration] | None = None,
        connections_map: Sequence[Mapping[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        self._provider_factory = provider_factory
        for key in kwargs:
            if key not in {"CONNECTIONS", "CONNECTIONSMAP"} | _IGNORED_ROOTS:
                logger.warning("ConnectionManager ignores the unknown setting %s", key)

        configurations = self._read_connections(kwargs.get("CONNECTIONS"))
        configurations.update(connections_configurations or {})
        if not configurations:
            logger.warning(
                "No connection is configured (no CONNECTIONS__<name>__SETTINGS__... setting "
                "was given): using a development-mode SERVICE_CONNECTION with no identity "
                "(anonymous requests, no outbound tokens)."
            )
            configurations[SERVICE_CONNECTION] = AgentAuthConfiguration()
        if SERVICE_CONNECTION not in configurations:
            names = ", ".join(sorted(configurations))
            close = difflib.get_close_matches(SERVICE_CONNECTION, list(configurations), n=1)
            hint = f" (is {close[0]!r} meant to be it?)" if close else ""
            raise AuthConfigurationError(
                f"No SERVICE_CONNECTION among the configured connections ({names}){hint}. "
                "Set CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID and its credentials.",
                setting="CONNECTIONS__SERVICE_CONNECTION",
            )
        self._check_blueprint_names(configurations)
        self._configurations: dict[str, AgentAuthConfiguration] = configurations
        self._providers: dict[str, AccessTokenProviderBase] = {
            name: self._build_provider(config) for name, config in configurations.items()
        }
        service = configurations[SERVICE_CONNECTION]
        service._set_peer_configurations(configurations.values())

        raw_map = connections_map if connections_map is not None else kwargs.get("CONNECTIONSMAP")
        self._map = self._read_map(raw_map or [])

    # ------------------------------------------------------------------ construction

    @staticmethod
    def _read_connections(raw: object) -> dict[str, AgentAuthConfiguration]:
        if raw is None:
            return {}
        if not isinstance(raw, Mapping):
            raise AuthConfigurationError(
                f"CONNECTIONS must be a mapping of connection names, got {type(raw).__name__}.",
                setting="CONNECTIONS",
            )
        result: dict[str, AgentAuthConfiguration] = {}
        for name, section in raw.items():
            settings = _connection_settings(name, section)
            if not isinstance(settings, Mapping):
                raise AuthConfigurationError(
                    f"CONNECTIONS__{name}__SETTINGS must be a section of settings.",
                    setting=f"CONNECTIONS__{name}__SETTINGS",
                )
            try:
                result[name] = AgentAuthConfiguration(**{str(k): v for k, v in settings.items()})
            except AuthConfigurationError as error:
                setting = f"CONNECTIONS__{name}__SETTINGS__{error.setting or ''}".rstrip("_")
                raise AuthConfigurationError(
                    f"Connection {name}: {error}", setting=setting
                ) from error
        return result

    @staticmethod
    def _check_blueprint_names(configurations: Mapping[str, AgentAuthConfiguration]) -> None:
        """Every ``ALT_BLUEPRINT_NAME`` names a configured connection (exact case)."""
        for name, config in configurations.items():
            blueprint = config.ALT_BLUEPRINT_ID
            if blueprint and blueprint not in configurations:
                raise AuthConfigurationError(
                    f"Connection {name}: ALT_BLUEPRINT_NAME names the connection "
                    f"{blueprint!r}, which is not configured{_hint(blueprint, configurations)}; "
                    f"connections: {', '.join(sorted(configurations))}. Connection names "
                    "match exactly, case included.",
                    setting=f"CONNECTIONS__{name}__SETTINGS__ALT_BLUEPRINT_NAME",
                )

    def _build_provider(self, config: AgentAuthConfiguration) -> AccessTokenProviderBase:
        if config.DEVELOPMENT_MODE:
            return AnonymousTokenProvider(config)
        return self._provider_factory(config)

    def _read_map(self, raw: Sequence[Mapping[str, Any]]) -> list[_MapEntry]:
        entries = []
        for index, item in enumerate(raw):
            if not isinstance(item, Mapping):
                raise AuthConfigurationError(
                    f"CONNECTIONSMAP entry {index} must be a section, got {type(item).__name__}.",
                    setting="CONNECTIONSMAP",
                )
            entry = _upper_keys(item)
            connection = str(entry.get("CONNECTION") or "").strip()
            if connection not in self._configurations:
                raise AuthConfigurationError(
                    f"CONNECTIONSMAP entry {index} names the connection {connection!r}, which "
                    f"is not configured (known: {', '.join(sorted(self._configurations))}).",
                    setting="CONNECTIONSMAP",
                )
            url = str(entry.get("SERVICEURL") or "").strip()
            pattern: re.Pattern[str] | None = None
            if url and url != "*":
                try:
                    pattern = re.compile(url, re.IGNORECASE)
                except re.error as error:
                    raise AuthConfigurationError(
                        f"CONNECTIONSMAP entry {index}: SERVICEURL {url!r} is not a valid "
                        f"regular expression ({error}).",
                        setting="CONNECTIONSMAP",
                    ) from error
            audience = str(entry.get("AUDIENCE") or "").strip() or None
            entries.append(_MapEntry(connection, pattern, audience))
        return entries

    # ------------------------------------------------------------------ lookups

    def get_connection(self, name: str | None) -> AccessTokenProviderBase:
        """The provider of a named connection.

        Args:
            name: the name under ``CONNECTIONS`` (exact case); ``None`` or empty
                means ``SERVICE_CONNECTION``.

        Raises:
            AuthConfigurationError: no connection has that name.
        """
        name = name or SERVICE_CONNECTION
        provider = self._providers.get(name)
        if provider is None:
            raise AuthConfigurationError(
                f"No connection named {name!r}{_hint(name, self._providers)}.",
                setting=f"CONNECTIONS__{name}",
            )
        return provider

    def get_default_connection(self) -> AccessTokenProviderBase:
        """The provider of ``SERVICE_CONNECTION``."""
        return self._providers[SERVICE_CONNECTION]

    def get_default_connection_configuration(self) -> AgentAuthConfiguration:
        """The configuration of ``SERVICE_CONNECTION``.

        It knows the other connections' client ids, so a JWT validator built from it
        accepts tokens issued for any configured connection.
        """
        return self._configurations[SERVICE_CONNECTION]

    def get_connection_configuration(self, connection_name: str | None) -> AgentAuthConfiguration:
        """The configuration of a named connection (``None`` means ``SERVICE_CONNECTION``)."""
        name = connection_name or SERVICE_CONNECTION
        self.get_connection(name)
        return self._configurations[name]

    def _connection_name_for(self, claims_identity: ClaimsIdentity, service_url: str) -> str:
        if not self._map:
            return SERVICE_CONNECTION
        app_id = claims_identity.get_app_id()
        for entry in self._map:
            if entry.matches(app_id, service_url or ""):
                return entry.connection
        raise AuthConfigurationError(
            f"No CONNECTIONSMAP entry matches the serviceUrl {service_url!r} and the app id "
            f"{app_id!r}; add an entry (SERVICEURL '*' matches any).",
            setting="CONNECTIONSMAP",
        )

    def get_token_provider(
        self, claims_identity: ClaimsIdentity, service_url: str
    ) -> AccessTokenProviderBase:
        """The provider for outbound calls of a request, chosen by ``CONNECTIONSMAP``.

        Args:
            claims_identity: the inbound request's identity (its app id is matched
                against ``AUDIENCE``).
            service_url: the serviceUrl the calls go to.

        Raises:
            AuthConfigurationError: a map is configured and no entry matches.
        """
        return self._providers[self._connection_name_for(claims_identity, service_url)]

    def get_token_provider_from_activity(
        self, claims_identity: ClaimsIdentity, activity: Activity
    ) -> AccessTokenProviderBase:
        """Like :meth:`get_token_provider`, switching to the blueprint for agentic requests.

        When the activity is an agentic request and the chosen connection names an
        ``ALT_BLUEPRINT_NAME``, that connection's provider is returned instead.
        """
        name = self._connection_name_for(claims_identity, activity.service_url or "")
        if activity.is_agentic_request():
            blueprint = self._configurations[name].ALT_BLUEPRINT_ID
            if blueprint:
                return self.get_connection(blueprint)
        return self._providers[name]
