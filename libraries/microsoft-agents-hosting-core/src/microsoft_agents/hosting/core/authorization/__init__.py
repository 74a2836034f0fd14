"""Service authentication: who may call the agent, and how the agent proves who it is.

Inbound, every request carries a bearer token that
:class:`~microsoft_agents.hosting.core.authorization.jwt.JwtTokenValidator` checks (issuer,
signature, audience, lifetime) and turns into a :class:`ClaimsIdentity`. Outbound, the
agent attaches tokens from an :class:`AccessTokenProviderBase`, picked per request by a
:class:`Connections` implementation such as :class:`ConnectionManager`. Each connection's
settings are an :class:`AgentAuthConfiguration`::

    from microsoft_agents.activity import load_configuration_from_env
    from microsoft_agents.hosting.core.authorization import ConnectionManager

    config = load_configuration_from_env(os.environ)
    connections = ConnectionManager(MyTokenProvider, **config)
    auth_config = connections.get_default_connection_configuration()

A configuration without any identity is the development mode described in
:mod:`microsoft_agents.hosting.core.authorization.jwt`.
"""

from typing import TYPE_CHECKING

from ._claims_identity import ClaimsIdentity
from ._configuration import AgentAuthConfiguration
from ._connection_manager import ConnectionManager, ProviderFactory
from ._constants import AuthenticationConstants, AuthTypes
from ._providers import AccessTokenProviderBase, AnonymousTokenProvider, Connections

if TYPE_CHECKING:
    from .jwt import JwtTokenValidator


def __getattr__(name: str) -> object:
    # JWT validation pulls in PyJWT and cryptography; it loads when first used (a
    # development-mode agent, which validates no token, never pays for it).
    if name == "JwtTokenValidator":
        from .jwt import JwtTokenValidator

        globals()[name] = JwtTokenValidator
        return JwtTokenValidator
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AccessTokenProviderBase",
    "AgentAuthConfiguration",
    "AnonymousTokenProvider",
    "AuthTypes",
    "AuthenticationConstants",
    "ClaimsIdentity",
    "ConnectionManager",
    "Connections",
    "JwtTokenValidator",
    "ProviderFactory",
]
