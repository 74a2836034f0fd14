"""What a token provider and a set of connections must offer.

Hosting-core never talks to Entra itself. It asks an :class:`AccessTokenProviderBase`
for tokens (``microsoft_agents.authentication.msal`` ships the MSAL one) and a
:class:`Connections` object for the provider to use on a given request. Both are
:class:`typing.Protocol` classes: implement the methods, no base class needed, and
``isinstance`` works because they are runtime-checkable.

:class:`AnonymousTokenProvider` is the provider of an agent with no identity
(development mode): every token it returns is the empty string, and the connector
clients send no ``Authorization`` header for an empty token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ._configuration import AgentAuthConfiguration

if TYPE_CHECKING:
    from microsoft_agents.activity import Activity

    from ._claims_identity import ClaimsIdentity

__all__ = ["AccessTokenProviderBase", "AnonymousTokenProvider", "Connections"]


@runtime_checkable
class AccessTokenProviderBase(Protocol):
    """Gets the tokens one connection (app registration) sends with its outbound calls."""

    @property
    def configuration(self) -> AgentAuthConfiguration:
        """The settings of the connection this provider serves."""
        ...

    async def get_access_token(
        self, resource_url: str, scopes: list[str], force_refresh: bool = False
    ) -> str:
        """A token for calling ``resource_url``.

        Args:
            resource_url: the audience, e.g. ``https://api.botframework.com``.
            scopes: the scopes to request; empty means the connection's ``SCOPES``.
            force_refresh: bypass any cached token.

        Returns:
            The access token.
        """
        ...

    async def acquire_token_on_behalf_of(self, scopes: list[str], user_assertion: str) -> str:
        """Exchange a user's token for one to call another API as that user (OBO).

        Args:
            scopes: the scopes of the API to call.
            user_assertion: the user's token.

        Returns:
            The access token.
        """
        ...

    async def get_agentic_application_token(
        self, tenant_id: str, agent_app_instance_id: str
    ) -> str:
        """The application token of an agent identity blueprint for one agent instance.

        Args:
            tenant_id: the tenant of the agent instance.
            agent_app_instance_id: the agent instance's app id.

        Returns:
            The token (an empty string means none: calls then go without one).
        """
        ...

    async def get_agentic_instance_token(
        self, tenant_id: str, agent_app_instance_id: str
    ) -> tuple[str, str]:
        """The instance token of an agent instance, with the application token behind it.

        Args:
            tenant_id: the tenant of the agent instance.
            agent_app_instance_id: the agent instance's app id.

        Returns:
            ``(instance_token, application_token)``.
        """
        ...

    async def get_agentic_user_token(
        self,
        tenant_id: str,
        agent_app_instance_id: str,
        agentic_user_id: str,
        scopes: list[str],
    ) -> str:
        """A token acting as an agentic user.

        Args:
            tenant_id: the tenant of the agent instance.
            agent_app_instance_id: the agent instance's app id.
            agentic_user_id: the agentic user's id.
            scopes: the scopes to request.

        Returns:
            The token (an empty string means none: calls then go without one).
        """
        ...


@runtime_checkable
class Connections(Protocol):
    """The configured connections, and the rules picking one for each request."""

    def get_connection(self, name: str | None) -> AccessTokenProviderBase:
        """The provider of a named connection; ``None`` means ``SERVICE_CONNECTION``."""
        ...

    def get_default_connection(self) -> AccessTokenProviderBase:
        """The provider of ``SERVICE_CONNECTION``."""
        ...

    def get_token_provider(
        self, claims_identity: ClaimsIdentity, service_url: str
    ) -> AccessTokenProviderBase:
        """The provider for replies to a request with these claims and this serviceUrl."""
        ...

    def get_token_provider_from_activity(
        self, claims_identity: ClaimsIdentity, activity: Activity
    ) -> AccessTokenProviderBase:
        """Like :meth:`get_token_provider`, taking agentic requests into account."""
        ...

    def get_default_connection_configuration(self) -> AgentAuthConfiguration:
        """The configuration of ``SERVICE_CONNECTION`` (what the web layer validates with)."""
        ...


class AnonymousTokenProvider:
    """The token provider of an agent without identity: every token is ``""``.

    Args:
        configuration: the configuration reported by :attr:`configuration`; an empty
            (development mode) one when omitted.
    """

    def __init__(self, configuration: AgentAuthConfiguration | None = None) -> None:
        self._configuration = configuration

    @property
    def configuration(self) -> AgentAuthConfiguration:
        """The (usually empty) configuration of this provider."""
        if self._configuration is None:
            self._configuration = AgentAuthConfiguration._development()
        return self._configuration

    async def get_access_token(
        self, resource_url: str, scopes: list[str], force_refresh: bool = False
    ) -> str:
        """Returns ``""``: no token."""
        return ""

    async def acquire_token_on_behalf_of(self, scopes: list[str], user_assertion: str) -> str:
        """Returns ``""``: no token."""
        return ""

    async def get_agentic_application_token(
        self, tenant_id: str, agent_app_instance_id: str
    ) -> str:
        """Returns ``""``: no token."""
        return ""

    async def get_agentic_instance_token(
        self, tenant_id: str, agent_app_instance_id: str
    ) -> tuple[str, str]:
        """Returns ``("", "")``: no tokens."""
        return "", ""

    async def get_agentic_user_token(
        self,
        tenant_id: str,
        agent_app_instance_id: str,
        agentic_user_id: str,
        scopes: list[str],
    ) -> str:
        """Returns ``""``: no token."""
        return ""
