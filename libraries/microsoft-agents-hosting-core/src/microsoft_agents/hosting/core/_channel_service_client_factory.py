"""Creating the connector and user-token clients of a turn, and deciding where a token may go.

For each turn the :class:`~microsoft_agents.hosting.core.ChannelServiceAdapter` needs two
clients: a *connector client* for the channel's Bot Connector (the activity's
``serviceUrl``), to send the agent's replies, and a *user-token client* for the User Token
service, for OAuth sign-in. A :class:`ChannelServiceClientFactoryBase` makes them;
:class:`RestChannelServiceClientFactory` is the one the SDK uses::

    factory = RestChannelServiceClientFactory(connection_manager)
    adapter = CloudAdapter(channel_service_client_factory=factory)
    ...
    await factory.close()   # at shutdown: closes the HTTP session the factory opened

How it decides on a token (protocol §14.1):

* an anonymous identity (no claims: development without authentication) gets no token
  at all, and requests go out without an ``Authorization`` header;
* otherwise the token provider comes from the connections (``Connections.
  get_token_provider``) and the token is asked for the audience of the turn
  (``https://api.botframework.com`` for channels, ``app://<caller>`` for an agent that
  called this one), with the scope ``<audience>/.default``;
* agentic requests (the recipient is an agent instance or agentic user) get the token
  of that agent identity instead.

Where a token may go. Before any token is asked for, the target URL must pass the
:class:`~microsoft_agents.hosting.core.OutboundHostValidator` (on by default whenever
authentication is configured: https only, hosts of the Bot Framework, Teams and Graph
plus the ones you add) and, when the token that brought the activity carries a
``serviceurl`` claim, the URL must name that same service (enforced with the validator;
only logged when it is disabled). Anything else raises
:class:`~microsoft_agents.hosting.core.OutboundRequestRefusedError`, is logged, and no token
is fetched or sent. Plain http to a loopback host (the Emulator) is allowed only when
authentication is not configured or anonymous requests are allowed.

One :class:`aiohttp.ClientSession` serves every client the factory creates, for the
factory's whole life: it is created on first use (or injected with ``session=``) and
closed by :meth:`RestChannelServiceClientFactory.close` when the factory opened it. The
per-turn clients never close it.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import aiohttp

from microsoft_agents.activity import Activity, RoleTypes

from ._errors import AuthConfigurationError, OutboundRequestRefusedError
from ._outbound import OutboundHostValidator, same_service_url
from .connector import (
    ConnectorClientBase,
    MCSConnectorClient,
    RetryPolicy,
    TeamsConnectorClient,
    UserTokenClient,
    UserTokenClientBase,
)

_ClientT = TypeVar("_ClientT")
_MAX_CACHED_CLIENTS = 256

if TYPE_CHECKING:
    from ._turn_context import TurnContext
    from .authorization import AccessTokenProviderBase, ClaimsIdentity, Connections

__all__ = [
    "BOT_FRAMEWORK_AUDIENCE",
    "ChannelServiceClientFactoryBase",
    "RestChannelServiceClientFactory",
    "default_scopes",
    "is_anonymous_identity",
]

logger = logging.getLogger(__name__)

BOT_FRAMEWORK_AUDIENCE = "https://api.botframework.com"
"""The audience of tokens for channels reached through Azure Bot Service."""

_SERVICE_URL_CLAIM = "serviceurl"
_APP_AUDIENCE_PREFIX = "app://"


def default_scopes(audience: str) -> list[str]:
    """The scope to ask for a token of ``audience`` (protocol §14.1).

    ``https://api.botframework.com`` gives ``https://api.botframework.com/.default``;
    ``app://<app id>`` (another agent) gives ``<app id>/.default``.

    Args:
        audience: the resource the token is for.

    Returns:
        A one-element list of scopes.
    """
    if audience.startswith(_APP_AUDIENCE_PREFIX):
        audience = audience[len(_APP_AUDIENCE_PREFIX) :]
    return [f"{audience.rstrip('/')}/.default"]


def is_anonymous_identity(claims_identity: ClaimsIdentity | None) -> bool:
    """Whether an identity carries no credentials (development without authentication).

    An identity is anonymous when it has no claims, or none naming an application
    (``aud`` / ``appid``); such turns never get a token.

    Args:
        claims_identity: the identity of the turn, if any.

    Returns:
        True for a missing or anonymous identity.
    """
    if claims_identity is None or not claims_identity.claims:
        return True
    return not claims_identity.get_app_id()


class ChannelServiceClientFactoryBase(ABC):
    """Creates the clients a turn uses to reach the channel and the User Token service."""

    @property
    def auth_configured(self) -> bool:
        """Whether authentication is configured (requests must then carry an identity).

        The base class answers True, the safe default for factories that cannot tell.
        """
        return True

    @property
    def host_validator(self) -> OutboundHostValidator | None:
        """The validator outbound URLs must pass, if the factory uses one."""
        return None

    @abstractmethod
    async def create_connector_client(
        self,
        context: TurnContext,
        claims_identity: ClaimsIdentity,
        service_url: str,
        audience: str,
        scopes: list[str] | None = None,
        use_anonymous: bool = False,
    ) -> ConnectorClientBase:
        """A client of the Bot Connector at ``service_url`` for this turn.

        Args:
            context: the turn the client is for.
            claims_identity: the identity that brought the activity (or the proactive one).
            service_url: the channel's service URL.
            audience: the audience of the token to attach.
            scopes: the scopes to ask for; derived from ``audience`` when omitted.
            use_anonymous: send no token at all.

        Raises:
            OutboundRequestRefusedError: ``service_url`` is not allowed.
        """

    @abstractmethod
    async def create_user_token_client(
        self,
        context: TurnContext,
        claims_identity: ClaimsIdentity,
        use_anonymous: bool = False,
    ) -> UserTokenClientBase:
        """A client of the User Token service for this turn.

        Args:
            context: the turn the client is for.
            claims_identity: the identity that brought the activity.
            use_anonymous: send no token at all.
        """

    async def close(self) -> None:  # noqa: B027 - optional hook, nothing to release here
        """Release what the factory holds (its HTTP session); the default does nothing."""

    def keeps_client(self, client: object) -> bool:
        """Whether ``client`` is shared by the factory across turns, so that a turn must
        not close it (the factory does, in :meth:`close`). The default: no client is."""
        return False


class RestChannelServiceClientFactory(ChannelServiceClientFactoryBase):
    """Creates REST connector and user-token clients that share one HTTP session.

    Args:
        connection_manager: where token providers come from (``Connections``); None
            for an agent without authentication (only anonymous turns then work).
        token_service_endpoint: the User Token service to call.
        token_service_audience: the audience of tokens for the User Token service.
        session: an HTTP session to use instead of opening one; the factory never
            closes a session it was given.
        host_validator: the outbound allow-list; by default one is built, enabled
            whenever the connection manager has a client id.
        retry: the retry policy of every client (the transport's default when None).
    """

    def __init__(
        self,
        connection_manager: Connections | None,
        token_service_endpoint: str = BOT_FRAMEWORK_AUDIENCE,
        token_service_audience: str = BOT_FRAMEWORK_AUDIENCE,
        *,
        session: aiohttp.ClientSession | None = None,
        host_validator: OutboundHostValidator | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._connections = connection_manager
        self._token_service_endpoint = token_service_endpoint
        self._token_service_audience = token_service_audience
        self._session = session
        self._owns_session = session is None
        self._closed = False
        self._retry = retry
        # Clients are stateless over the shared session: the same service URL and token
        # give the same client, so turns of one conversation reuse it instead of building
        # one (and its transport) per turn.
        self._clients: OrderedDict[tuple[str, str, str], Any] = OrderedDict()
        # id() of each client in _clients: what keeps_client answers from.
        self._kept: set[int] = set()
        client_id, anonymous_allowed = self._read_default_connection()
        self._auth_configured = bool(client_id)
        if host_validator is None:
            if self._auth_configured:
                host_validator = OutboundHostValidator(
                    enabled=True, allow_loopback_http=anonymous_allowed
                )
            else:
                # Development mode: anyone may post activities, so replies may only go to
                # this machine (the Emulator, a local test channel); otherwise an anonymous
                # caller could make the agent send requests anywhere (SSRF).
                host_validator = OutboundHostValidator(
                    enabled=True,
                    hosts=[],
                    include_default_microsoft_hosts=False,
                    allow_loopback_http=True,
                )
        self._host_validator = host_validator
        if not self._auth_configured:
            # INFO: the connection manager (or CloudAdapter) has already warned about it.
            logger.info(
                "no client id is configured (development mode): replies carry no token and "
                "go only to loopback service URLs; configure a connection before deploying"
            )

    def _read_default_connection(self) -> tuple[str | None, bool]:
        if self._connections is None:
            return None, True
        try:
            configuration = self._connections.get_default_connection_configuration()
        except (LookupError, ValueError, AttributeError):
            logger.debug("the connection manager has no default connection configuration")
            return None, False
        client_id = getattr(configuration, "CLIENT_ID", None)
        anonymous_allowed = bool(getattr(configuration, "ANONYMOUS_ALLOWED", False))
        return (client_id if isinstance(client_id, str) else None), anonymous_allowed

    # ------------------------------------------------------------------ properties

    @property
    def auth_configured(self) -> bool:
        """Whether the connection manager has a client id (authentication is on)."""
        return self._auth_configured

    @property
    def host_validator(self) -> OutboundHostValidator:
        """The validator every outbound URL must pass before a token is attached."""
        return self._host_validator

    @property
    def token_service_endpoint(self) -> str:
        """The User Token service this factory's clients call."""
        return self._token_service_endpoint

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            if not self._owns_session and self._session is not None:
                raise RuntimeError(
                    "the HTTP session given to RestChannelServiceClientFactory is closed; "
                    "give it an open session or let it open its own"
                )
            if self._closed:
                # Allowed (an adapter outliving one web application, in tests), but the new
                # session is open until close() is called again: say so, once per reopening.
                logger.warning(
                    "the adapter's client factory was used after close(); a new HTTP session "
                    "was opened, and stays open until close() is called again"
                )
                self._closed = False
            self._session = aiohttp.ClientSession()
            self._owns_session = True
        return self._session

    async def close(self) -> None:
        """Close the HTTP session, if this factory opened it."""
        self._closed = True
        self._clients.clear()
        self._kept.clear()
        session, self._session = self._session, None
        if session is not None and self._owns_session and not session.closed:
            await session.close()

    # ------------------------------------------------------------------ checks

    def _validator_for(
        self, claims_identity: ClaimsIdentity | None, audience: str, scopes: list[str] | None
    ) -> OutboundHostValidator:
        """The validator for requests of a turn that ``claims_identity`` brought.

        Replies to an agent that called this one may go over https to its callback on any
        host, when the token they carry (for ``scopes``, else ``audience``'s default ones)
        is for that caller's own app id; a token for anything else (the Bot Framework's)
        keeps the allow-list.
        """
        if (
            claims_identity is not None
            and claims_identity.is_agent_claim()
            and (scopes or default_scopes(audience)) == claims_identity.get_token_scope()
        ):
            return self._host_validator.for_agent_callbacks()
        return self._host_validator

    def _refuse_unless_allowed(
        self,
        url: str,
        claims_identity: ClaimsIdentity | None,
        audience: str,
        scopes: list[str] | None,
    ) -> OutboundHostValidator:
        """Raise (and log) unless the token for ``audience`` (``scopes``) may go to ``url``.

        Returns:
            The validator every request of the client for ``url`` must pass.
        """
        validator = self._validator_for(claims_identity, audience, scopes)
        try:
            validator.check(url)
        except OutboundRequestRefusedError as refusal:
            logger.warning(
                "refused an outbound request to %s (%s); no token was fetched or sent",
                refusal.url,
                refusal.reason,
            )
            raise
        claim = None
        if claims_identity is not None and claims_identity.claims:
            claim = claims_identity.get_claim_value(_SERVICE_URL_CLAIM)
        if isinstance(claim, str) and claim and not same_service_url(url, claim):
            if not validator.enabled:
                logger.warning(
                    "an outbound request goes to %s, not to the token's serviceurl claim %s "
                    "(allowed: the outbound host validator is disabled)",
                    url,
                    claim,
                )
                return validator
            reason = "the URL is not the serviceUrl named in the token that brought the activity"
            logger.warning(
                "refused an outbound request to %s: its service differs from the token's "
                "serviceurl claim %s; no token was fetched or sent",
                url,
                claim,
            )
            raise OutboundRequestRefusedError(
                f"Refused to send a request to {url}: {reason} ({claim}). A reply must go "
                "back to the service that sent the activity.",
                url=url,
                reason=reason,
            )
        return validator

    def _token_provider(
        self, activity: Activity, claims_identity: ClaimsIdentity, service_url: str
    ) -> AccessTokenProviderBase:
        if self._connections is None:
            raise AuthConfigurationError(
                "the request carries credentials but no connections are configured, so "
                "no token can be obtained for the reply; configure a connection "
                "(CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID, ...)",
                setting="CONNECTIONS",
            )
        if activity.is_agentic_request():
            return self._connections.get_token_provider_from_activity(claims_identity, activity)
        return self._connections.get_token_provider(claims_identity, service_url)

    async def _get_token(
        self,
        activity: Activity,
        claims_identity: ClaimsIdentity,
        url: str,
        audience: str,
        scopes: list[str],
    ) -> str:
        provider = self._token_provider(activity, claims_identity, url)
        if activity.is_agentic_request():
            tenant_id = activity.get_agentic_tenant_id() or ""
            instance_id = activity.get_agentic_instance_id() or ""
            recipient = activity.recipient
            if recipient is not None and recipient.role == RoleTypes.agentic_user:
                user_id = activity.get_agentic_user() or ""
                return await provider.get_agentic_user_token(
                    tenant_id, instance_id, user_id, scopes
                )
            token, _ = await provider.get_agentic_instance_token(tenant_id, instance_id)
            return token
        return await provider.get_access_token(audience, scopes)

    # ------------------------------------------------------------------ clients

    async def create_connector_client(
        self,
        context: TurnContext,
        claims_identity: ClaimsIdentity,
        service_url: str,
        audience: str,
        scopes: list[str] | None = None,
        use_anonymous: bool = False,
    ) -> ConnectorClientBase:
        """A Bot Connector client for ``service_url``; see the module docs for the rules.

        Args:
            context: the turn the client is for.
            claims_identity: the identity that brought the activity (or the proactive one).
            service_url: the channel's service URL.
            audience: the audience of the token to attach.
            scopes: the scopes to ask for; ``<audience>/.default`` when omitted.
            use_anonymous: send no token at all.

        Returns:
            A ``TeamsConnectorClient`` (an ``MCSConnectorClient`` when the recipient is a
            Copilot Studio connector user).

        Raises:
            ValueError: ``service_url`` is empty.
            OutboundRequestRefusedError: ``service_url`` is not allowed; no token was sent.
        """
        if not service_url:
            raise ValueError(
                "cannot create a connector client without a service URL; the activity "
                "needs a serviceUrl to be answered"
            )
        validator = self._refuse_unless_allowed(service_url, claims_identity, audience, scopes)
        recipient = context.activity.recipient
        if recipient is not None and recipient.role == RoleTypes.connector_user:
            # Copilot Studio connector requests: plain POSTs to the serviceUrl, no token.
            return self._cached(
                ("mcs", service_url, ""),
                lambda: MCSConnectorClient(
                    service_url,
                    session=self._get_session(),
                    retry=self._retry,
                    host_validator=validator,
                ),
            )
        token = ""
        if not (use_anonymous or is_anonymous_identity(claims_identity)):
            token = await self._get_token(
                context.activity,
                claims_identity,
                service_url,
                audience,
                scopes or default_scopes(audience),
            )
        return self._cached(
            ("connector", service_url, token),
            lambda: TeamsConnectorClient(
                service_url,
                token,
                session=self._get_session(),
                retry=self._retry,
                host_validator=validator,
            ),
        )

    def _cached(self, key: tuple[str, str, str], build: Callable[[], _ClientT]) -> _ClientT:
        session = self._session
        client = self._clients.get(key)
        # A session this factory opened is closed only by close(), which empties the
        # cache; one it was given may have been closed by its owner.
        usable = session is not None and (self._owns_session or not session.closed)
        if client is not None and usable:
            self._clients.move_to_end(key)
            found: _ClientT = client
            return found
        client = build()
        replaced = self._clients.get(key)
        if replaced is not None:
            self._kept.discard(id(replaced))
        self._clients[key] = client
        self._kept.add(id(client))
        if len(self._clients) > _MAX_CACHED_CLIENTS:
            _, evicted = self._clients.popitem(last=False)
            self._kept.discard(id(evicted))
        return client

    def keeps_client(self, client: object) -> bool:
        """Whether ``client`` is one of the clients this factory shares across turns."""
        return id(client) in self._kept

    async def create_user_token_client(
        self,
        context: TurnContext,
        claims_identity: ClaimsIdentity,
        use_anonymous: bool = False,
    ) -> UserTokenClientBase:
        """A User Token service client for this turn.

        Args:
            context: the turn the client is for.
            claims_identity: the identity that brought the activity.
            use_anonymous: send no token at all.

        Returns:
            A ``UserTokenClient`` for :attr:`token_service_endpoint`.

        Raises:
            OutboundRequestRefusedError: the token service endpoint is not allowed.
        """
        endpoint = self._token_service_endpoint
        anonymous = use_anonymous or is_anonymous_identity(claims_identity)
        if anonymous:
            # No token, no identity: one client serves every anonymous turn. Each of its
            # calls is still checked by the transport.
            return self._cached(
                ("user-token", endpoint, ""),
                lambda: UserTokenClient(
                    endpoint,
                    "",
                    session=self._get_session(),
                    retry=self._retry,
                    host_validator=self._host_validator,
                ),
            )
        # Checked before a token is fetched for it.
        self._host_validator.check(endpoint)
        audience = self._token_service_audience
        activity = context.activity  # not the context: the client lives in it (no cycle)

        async def fetch_token() -> str:
            # Most turns never call the token service: the token is fetched only when a
            # call is made (sign-in flows), not for every turn.
            return await self._get_token(
                activity, claims_identity, endpoint, audience, default_scopes(audience)
            )

        return UserTokenClient(
            endpoint,
            fetch_token,
            app_id=claims_identity.get_app_id(),  # this agent's own id (the audience)
            session=self._get_session(),
            retry=self._retry,
            host_validator=self._host_validator,
        )
