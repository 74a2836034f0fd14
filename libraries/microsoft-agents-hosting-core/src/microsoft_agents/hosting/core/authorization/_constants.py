"""Names and addresses that service-to-service authentication relies on.

Two identity systems sign the tokens an agent receives:

* the **Bot Framework** token service signs what Azure Bot Service and Teams send; those
  tokens carry ``iss = https://api.botframework.com`` (``.us`` in the US government cloud)
  and their signing keys list the channels they may speak for (``endorsements``);
* **Microsoft Entra ID** signs everything else: agent-to-agent calls, Copilot Studio, the
  Emulator with credentials. Its tokens carry a v1 issuer
  (``https://sts.windows.net/<tenant>/``) or a v2 issuer
  (``https://login.microsoftonline.com/<tenant>/v2.0``).

:class:`AuthenticationConstants` collects these values in one place so that the validator,
the connection manager and the connector clients agree on them. :class:`AuthTypes` names the
ways a connection obtains its own (outbound) tokens; the values are matched exactly, case
included, because that is how they are written in configuration files.
"""

from __future__ import annotations

from enum import Enum

__all__ = ["AuthTypes", "AuthenticationConstants"]


class AuthTypes(str, Enum):
    """How a connection proves its identity when it asks for a token.

    The values are compared case-sensitively (``"ClientSecret"``, not ``"clientsecret"``).
    """

    certificate = "certificate"
    certificate_subject_name = "CertificateSubjectName"
    client_secret = "ClientSecret"
    user_managed_identity = "UserManagedIdentity"
    system_managed_identity = "SystemManagedIdentity"
    federated_credentials = "FederatedCredentials"
    identity_proxy_manager = "IdentityProxyManager"
    entra_auth_sidecar = "EntraAuthSideCar"
    workload_identity = "WorkloadIdentity"

    def __str__(self) -> str:
        return self.value


class AuthenticationConstants:
    """Issuers, metadata and key addresses, tenants and claim names of Bot Framework and Entra.

    URL templates contain ``{tenant}``; fill them with :meth:`str.format`.
    """

    # -- Bot Framework token service ------------------------------------------------------
    BOT_FRAMEWORK_TOKEN_ISSUER = "https://api.botframework.com"
    """``iss`` of tokens signed by the Bot Framework token service (public cloud)."""
    GOV_BOT_FRAMEWORK_TOKEN_ISSUER = "https://api.botframework.us"
    """``iss`` of tokens signed by the Bot Framework token service (US government cloud)."""
    BOT_FRAMEWORK_SCOPE = "https://api.botframework.com"
    """Audience (resource) of tokens an agent sends to Bot Framework channels."""
    GOV_BOT_FRAMEWORK_SCOPE = "https://api.botframework.us"
    BOT_FRAMEWORK_DEFAULT_SCOPE = "https://api.botframework.com/.default"
    """The scope requested for the Bot Framework audience."""
    BOT_FRAMEWORK_OPENID_METADATA_URL = (
        "https://login.botframework.com/v1/.well-known/openidconfiguration"
    )
    GOV_BOT_FRAMEWORK_OPENID_METADATA_URL = (
        "https://login.botframework.azure.us/v1/.well-known/openidconfiguration"
    )
    BOT_FRAMEWORK_JWKS_URL = "https://login.botframework.com/v1/.well-known/keys"
    GOV_BOT_FRAMEWORK_JWKS_URL = "https://login.botframework.azure.us/v1/.well-known/keys"
    TOKEN_SERVICE_URL = "https://api.botframework.com"
    """The user token service (OAuth sign-in for users)."""

    # -- Microsoft Entra ID ---------------------------------------------------------------
    ENTRA_AUTHORITY_HOST = "login.microsoftonline.com"
    GOV_ENTRA_AUTHORITY_HOST = "login.microsoftonline.us"
    ENTRA_V1_ISSUER_HOST = "sts.windows.net"
    ENTRA_V1_ISSUER_TEMPLATE = "https://sts.windows.net/{tenant}/"
    ENTRA_V2_ISSUER_TEMPLATE = "https://login.microsoftonline.com/{tenant}/v2.0"
    GOV_ENTRA_V2_ISSUER_TEMPLATE = "https://login.microsoftonline.us/{tenant}/v2.0"
    ENTRA_V1_OPENID_METADATA_URL_TEMPLATE = (
        "https://login.microsoftonline.com/{tenant}/.well-known/openid-configuration"
    )
    ENTRA_V2_OPENID_METADATA_URL_TEMPLATE = (
        "https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration"
    )
    GOV_ENTRA_V1_OPENID_METADATA_URL_TEMPLATE = (
        "https://login.microsoftonline.us/{tenant}/.well-known/openid-configuration"
    )
    GOV_ENTRA_V2_OPENID_METADATA_URL_TEMPLATE = (
        "https://login.microsoftonline.us/{tenant}/v2.0/.well-known/openid-configuration"
    )
    ENTRA_OPENID_METADATA_URL = (
        "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration"
    )
    GOV_ENTRA_OPENID_METADATA_URL = (
        "https://login.microsoftonline.us/common/v2.0/.well-known/openid-configuration"
    )
    ENTRA_JWKS_URL_TEMPLATE = "https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys"
    GOV_ENTRA_JWKS_URL_TEMPLATE = "https://login.microsoftonline.us/{tenant}/discovery/v2.0/keys"
    DEFAULT_AUTHORITY_TEMPLATE = "https://login.microsoftonline.com/{tenant}"
    MULTI_TENANT_NAMES = frozenset({"common", "organizations"})
    """Tenant segments that stand for "any organisation" rather than one tenant."""

    # Tenants of Microsoft's own first-party services, whose tokens an agent accepts.
    BOT_FRAMEWORK_FIRST_PARTY_TENANT = "d6d49420-f39b-4df7-a1dc-d59a935871db"
    MICROSOFT_SERVICES_TENANT = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"
    MICROSOFT_FIRST_PARTY_TENANT = "69e9b82d-4842-4902-8d1e-abc5b98a55e8"
    GOV_FIRST_PARTY_TENANT = "cab8a31a-1906-4287-a0d8-4eef66b95f6e"
    FIRST_PARTY_TENANTS = (
        BOT_FRAMEWORK_FIRST_PARTY_TENANT,
        MICROSOFT_SERVICES_TENANT,
        MICROSOFT_FIRST_PARTY_TENANT,
    )
    GOV_FIRST_PARTY_TENANTS = (GOV_FIRST_PARTY_TENANT,)

    # -- Agent-to-agent -------------------------------------------------------------------
    AGENT_AUDIENCE_PREFIX = "app://"
    """Prefix of the audience used to call another agent (``app://<its app id>``)."""
    DEFAULT_SCOPE_SUFFIX = "/.default"

    # -- Claim names ----------------------------------------------------------------------
    AUDIENCE_CLAIM = "aud"
    ISSUER_CLAIM = "iss"
    TENANT_ID_CLAIM = "tid"
    APP_ID_CLAIM = "appid"
    AUTHORIZED_PARTY_CLAIM = "azp"
    VERSION_CLAIM = "ver"
    SERVICE_URL_CLAIM = "serviceurl"
    IDENTITY_TYPE_CLAIM = "idtyp"
    EXPIRATION_CLAIM = "exp"
    NOT_BEFORE_CLAIM = "nbf"
    ISSUED_AT_CLAIM = "iat"
    KEY_ID_HEADER = "kid"
    ENDORSEMENTS_KEY = "endorsements"
    """JWK member listing the channels a Bot Framework signing key may speak for."""

    # -- HTTP -----------------------------------------------------------------------------
    AUTHORIZATION_HEADER = "Authorization"
    BEARER_SCHEME = "Bearer"
    ANONYMOUS_AUTH_TYPE = "anonymous"
    SIGNING_ALGORITHM = "RS256"
    """The only algorithm accepted on inbound tokens."""
    MAX_CLOCK_SKEW_SECONDS = 300.0
    """Largest tolerated difference between our clock and the token issuer's."""
