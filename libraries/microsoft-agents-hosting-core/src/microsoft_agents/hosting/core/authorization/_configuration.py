"""The settings of one connection: who the agent is and how it gets tokens.

An :class:`AgentAuthConfiguration` holds the settings of one entry of ``CONNECTIONS``
(``CONNECTIONS__<NAME>__SETTINGS__<KEY>`` in the environment). Build it from Python
keywords or straight from the ``SETTINGS`` dictionary that
:func:`~microsoft_agents.activity.config.load_configuration_from_env` produces::

    config = AgentAuthConfiguration(
        CLIENTID="00000000-0000-0000-0000-000000000001",
        CLIENTSECRET="...",
        TENANTID="11111111-1111-1111-1111-111111111111",
    )
    config.CLIENT_ID       # the app id, also the audience accepted on inbound tokens
    config.VALIDATE_ISSUER # True: a GUID tenant is a single-tenant registration

Checks made at construction, so that a broken deployment fails at start-up instead of
with a 401 at the first reply:

* **Unknown keys are refused** with a "did you mean" hint (``CLIENTSECERT`` ->
  ``CLIENTSECRET``). Key spelling is forgiving about case and underscores
  (``CLIENTID``, ``CLIENT_ID``, ``ClientId`` are one key), not about letters.
* **Settings the auth type needs** must be present: every configured connection needs
  ``CLIENTID``; ``certificate`` needs ``CERTPFXFILE``; ``FederatedCredentials`` needs
  ``FEDERATEDCLIENTID``; ``WorkloadIdentity`` needs ``FEDERATEDTOKENFILE``; and the
  confidential-client types (``ClientSecret``, ``certificate``,
  ``CertificateSubjectName``, ``FederatedCredentials``, ``WorkloadIdentity``) need the
  tenant: ``TENANTID``, or an ``AUTHORITY`` naming it. ``CLIENTSECRET`` is not required
  here, as in the reference SDK: a configuration that only validates incoming tokens
  needs none. The token provider that would use it refuses to start without it
  (``MsalAuth``, built for every connection when an ``MsalConnectionManager`` starts).
* Booleans (``ANONYMOUS_ALLOWED``, ``VALIDATE_ISSUER``) accept ``true/false``, ``1/0``,
  ``yes/no``, ``on/off``; anything else is an error, never silently truthy.

Settings meant for a token provider that this package does not know go in the
``PROVIDER`` section: ``CONNECTIONS__<NAME>__SETTINGS__PROVIDER__<KEY>=value`` (or a
``PROVIDER`` dictionary, or ``PROVIDER__<KEY>`` keywords). They land unchecked in
:attr:`AgentAuthConfiguration.provider_settings`. Everything else must be a known key, so a
typo can never pass as a "provider setting".

**Development mode.** A configuration with no ``CLIENTID`` and no other credential
setting (only ``ANONYMOUS_ALLOWED``/``CONNECTIONNAME`` at most) describes an agent with no
identity at all, e.g. the quick-start run locally against the Emulator. Such a
configuration has :attr:`AgentAuthConfiguration.DEVELOPMENT_MODE` set and allows anonymous
requests unless ``ANONYMOUS_ALLOWED=false`` says otherwise; see
:mod:`microsoft_agents.hosting.core.authorization.jwt` for what the hosting layer does with
it. A warning is logged whenever a configuration allows anonymous requests.
"""

from __future__ import annotations

import difflib
import logging
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from microsoft_agents.activity._exceptions import ConfigurationError
from microsoft_agents.activity.config._coercion import coerce_bool
from microsoft_agents.hosting.core._errors import AuthConfigurationError

from ._constants import AuthenticationConstants, AuthTypes

__all__ = ["AgentAuthConfiguration"]

logger = logging.getLogger(__name__)

_DEVELOPMENT_MODE_ANNOUNCED = threading.Event()

_C = AuthenticationConstants

_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_LIST_SEPARATORS = re.compile(r"[\s,]+")

# Every accepted spelling, by its normalised form (upper case, no underscores), mapped to
# the attribute it sets. The first spelling listed for an attribute is the one shown in
# messages.
_KEYS: dict[str, str] = {
    "AUTHTYPE": "AUTH_TYPE",
    "CLIENTID": "CLIENT_ID",
    "TENANTID": "TENANT_ID",
    "CLIENTSECRET": "CLIENT_SECRET",
    "CERTPFXFILE": "CERT_PFX_FILE",
    "CONNECTIONNAME": "CONNECTION_NAME",
    "FEDERATEDCLIENTID": "FEDERATED_CLIENT_ID",
    "FEDERATEDTOKENFILE": "FEDERATED_TOKEN_FILE",
    "AUTHORITY": "AUTHORITY",
    "AUTHORITYENDPOINT": "AUTHORITY",
    "SCOPES": "SCOPES",
    "AZUREREGION": "AZURE_REGION",
    "REGIONALAUTHORITY": "AZURE_REGION",
    "IDPMRESOURCE": "IDPM_RESOURCE",
    "ALTBLUEPRINTNAME": "ALT_BLUEPRINT_ID",
    "ALTERNATEBLUEPRINTCONNECTIONNAME": "ALT_BLUEPRINT_ID",
    "ALTBLUEPRINTID": "ALT_BLUEPRINT_ID",
    "ANONYMOUSALLOWED": "ANONYMOUS_ALLOWED",
    "ISSUERS": "ISSUERS",
    "VALIDATEISSUER": "VALIDATE_ISSUER",
}
# How each normalised key is written in documentation (env-style spelling).
_DISPLAY: dict[str, str] = {
    "ALTBLUEPRINTNAME": "ALT_BLUEPRINT_NAME",
    "ALTBLUEPRINTID": "ALT_BLUEPRINT_ID",
    "ANONYMOUSALLOWED": "ANONYMOUS_ALLOWED",
    "VALIDATEISSUER": "VALIDATE_ISSUER",
}
# The env-style name used in messages for each attribute.
_SETTING_NAME: dict[str, str] = {
    "AUTH_TYPE": "AUTHTYPE",
    "CLIENT_ID": "CLIENTID",
    "TENANT_ID": "TENANTID",
    "CLIENT_SECRET": "CLIENTSECRET",
    "CERT_PFX_FILE": "CERTPFXFILE",
    "CONNECTION_NAME": "CONNECTIONNAME",
    "FEDERATED_CLIENT_ID": "FEDERATEDCLIENTID",
    "FEDERATED_TOKEN_FILE": "FEDERATEDTOKENFILE",
    "AUTHORITY": "AUTHORITY",
    "SCOPES": "SCOPES",
    "AZURE_REGION": "AZUREREGION",
    "IDPM_RESOURCE": "IDPMRESOURCE",
    "ALT_BLUEPRINT_ID": "ALT_BLUEPRINT_NAME",
    "ANONYMOUS_ALLOWED": "ANONYMOUS_ALLOWED",
    "ISSUERS": "ISSUERS",
    "VALIDATE_ISSUER": "VALIDATE_ISSUER",
}
_PROVIDER_SECTION = "PROVIDER"
_PROVIDER_PREFIX = "PROVIDER__"

# Settings that do not describe an identity: alone, they leave a configuration in
# development mode.
_NON_IDENTITY = frozenset({"ANONYMOUS_ALLOWED", "CONNECTION_NAME"})

_CONFIDENTIAL = frozenset(
    {
        AuthTypes.client_secret,
        AuthTypes.certificate,
        AuthTypes.certificate_subject_name,
        AuthTypes.federated_credentials,
        AuthTypes.workload_identity,
    }
)
_REQUIRED_BY_TYPE: dict[AuthTypes, str] = {
    AuthTypes.certificate: "CERT_PFX_FILE",
    AuthTypes.federated_credentials: "FEDERATED_CLIENT_ID",
    AuthTypes.workload_identity: "FEDERATED_TOKEN_FILE",
}


def _normalise(key: str) -> str:
    return key.replace("_", "").upper()


def _suggest(key: str) -> str:
    """`` (did you mean X?)`` for the closest known key, or an empty string."""
    candidates = {*_KEYS, _PROVIDER_SECTION}
    matches = difflib.get_close_matches(_normalise(key), sorted(candidates), n=1, cutoff=0.75)
    if not matches:
        return ""
    return f" (did you mean {_DISPLAY.get(matches[0], matches[0])}?)"


def _is_guid(value: str | None) -> bool:
    return bool(value) and _GUID.match(value or "") is not None


def _as_text(attribute: str, value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, AuthTypes):
        return value.value
    if not isinstance(value, str):
        raise AuthConfigurationError(
            f"{_SETTING_NAME[attribute]} must be a string, got {type(value).__name__}.",
            setting=_SETTING_NAME[attribute],
        )
    text = value.strip()
    return text or None


def _indexed_values(attribute: str, value: Mapping[Any, Any]) -> list[Any]:
    """The values of a list written with indexes, in index order.

    ``SCOPES__0=a`` and ``SCOPES__1=b`` (the .NET / App Service way to write a list) reach
    here as ``{"0": "a", "1": "b"}``. Any other mapping is refused: its keys would
    otherwise be taken as the list.
    """
    name = _SETTING_NAME[attribute]
    indexed: list[tuple[int, Any]] = []
    for key, item in value.items():
        text = str(key).strip()
        if isinstance(key, bool) or not text.isdigit() or not text.isascii():
            raise AuthConfigurationError(
                f"{name} is a section with the key {key!r}; a list setting is either one "
                f"string separated by spaces or commas ({name}=a,b) or items numbered from "
                f"0 ({name}__0=a, {name}__1=b).",
                setting=name,
            )
        indexed.append((int(text), item))
    return [item for _, item in sorted(indexed, key=lambda pair: pair[0])]


def _as_list(attribute: str, value: object) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        value = _indexed_values(attribute, value)
    if isinstance(value, str):
        items = [item for item in _LIST_SEPARATORS.split(value) if item]
        return items or None
    if isinstance(value, Iterable):
        items = []
        for item in value:
            if not isinstance(item, str):
                raise AuthConfigurationError(
                    f"{_SETTING_NAME[attribute]} must hold strings, got {type(item).__name__}.",
                    setting=_SETTING_NAME[attribute],
                )
            items.extend(part for part in _LIST_SEPARATORS.split(item) if part)
        return items or None
    raise AuthConfigurationError(
        f"{_SETTING_NAME[attribute]} must be a string or a list of strings, "
        f"got {type(value).__name__}.",
        setting=_SETTING_NAME[attribute],
    )


def _as_bool(attribute: str, value: object) -> bool | None:
    try:
        return coerce_bool(value, default=None, setting=_SETTING_NAME[attribute])
    except ConfigurationError as error:
        raise AuthConfigurationError(str(error), setting=_SETTING_NAME[attribute]) from error


class AgentAuthConfiguration:
    """The settings of one connection (one app registration and how it gets tokens).

    Every argument may also be given in its environment spelling as a keyword
    (``CLIENTID=``, ``TENANTID=``, ``AUTHORITYENDPOINT=``, ...; see protocol §15.2), which
    is how ``CONNECTIONS.<name>.SETTINGS`` dictionaries are passed. Giving one setting
    twice with different values is an error.

    Args:
        auth_type: an :class:`AuthTypes` value (exact case); default ``ClientSecret``.
        client_id: the app (client) id; also the audience accepted on inbound tokens.
        tenant_id: the tenant GUID, or ``common``/``organizations`` for multi-tenant apps
            (``MsalAuth`` asks the ``botframework.com`` tenant for their client-credentials
            tokens).
        client_secret: the secret for ``ClientSecret``.
        cert_pfx_file: path of the PFX certificate for ``certificate``.
        connection_name: informational name.
        federated_client_id: the managed identity used by ``FederatedCredentials``.
        authority: the authority URL; default ``https://login.microsoftonline.com/<tenant>``.
        scopes: default scopes (a list, or a string split on spaces and commas).
        azure_region: region for regional token endpoints (ESTS-R).
        idpm_resource: the Identity Proxy Manager resource.
        anonymous_allowed: accept requests without an ``Authorization`` header. Default:
            ``True`` only in development mode (no identity configured), else ``False``.
        issuers: the issuer allow-list (list, or string split on spaces and commas).
        validate_issuer: check issuers against the allow-list. Default: ``True`` for
            single-tenant registrations (a GUID tenant), else ``False``.
        federated_token_file: the token file read by ``WorkloadIdentity``.
        **kwargs: the same settings in environment spelling, ``ALT_BLUEPRINT_NAME`` /
            ``ALTERNATEBLUEPRINTCONNECTIONNAME``, and the ``PROVIDER`` section.

    Raises:
        AuthConfigurationError: a key is unknown, a value has the wrong type, or a
            setting the auth type needs is missing. ``setting`` names the key.
    """

    AUTH_TYPE: AuthTypes
    CLIENT_ID: str | None
    TENANT_ID: str | None
    CLIENT_SECRET: str | None
    CERT_PFX_FILE: str | None
    CONNECTION_NAME: str | None
    FEDERATED_CLIENT_ID: str | None
    FEDERATED_TOKEN_FILE: str | None
    SCOPES: list[str]
    AUTHORITY: str | None
    AZURE_REGION: str | None
    IDPM_RESOURCE: str | None
    ALT_BLUEPRINT_ID: str | None
    ANONYMOUS_ALLOWED: bool
    VALIDATE_ISSUER: bool
    provider_settings: dict[str, Any]

    def __init__(
        self,
        auth_type: AuthTypes | str | None = None,
        client_id: str | None = None,
        tenant_id: str | None = None,
        client_secret: str | None = None,
        cert_pfx_file: str | None = None,
        connection_name: str | None = None,
        federated_client_id: str | None = None,
        authority: str | None = None,
        scopes: Iterable[str] | str | None = None,
        azure_region: str | None = None,
        idpm_resource: str | None = None,
        anonymous_allowed: bool | str | None = None,
        issuers: Iterable[str] | str | None = None,
        validate_issuer: bool | str | None = None,
        federated_token_file: str | None = None,
        **kwargs: Any,
    ) -> None:
        given: dict[str, object] = {}
        sources: dict[str, str] = {}

        def put(attribute: str, value: object, source: str) -> None:
            if value is None:
                return
            if attribute in given and given[attribute] != value:
                raise AuthConfigurationError(
                    f"{_SETTING_NAME[attribute]} is given twice with different values "
                    f"({sources[attribute]} and {source}); keep one.",
                    setting=_SETTING_NAME[attribute],
                )
            given[attribute] = value
            sources[attribute] = source

        for attribute, value in (
            ("AUTH_TYPE", auth_type),
            ("CLIENT_ID", client_id),
            ("TENANT_ID", tenant_id),
            ("CLIENT_SECRET", client_secret),
            ("CERT_PFX_FILE", cert_pfx_file),
            ("CONNECTION_NAME", connection_name),
            ("FEDERATED_CLIENT_ID", federated_client_id),
            ("AUTHORITY", authority),
            ("SCOPES", scopes),
            ("AZURE_REGION", azure_region),
            ("IDPM_RESOURCE", idpm_resource),
            ("ANONYMOUS_ALLOWED", anonymous_allowed),
            ("ISSUERS", issuers),
            ("VALIDATE_ISSUER", validate_issuer),
            ("FEDERATED_TOKEN_FILE", federated_token_file),
        ):
            put(attribute, value, attribute.lower())

        provider: dict[str, Any] = {}
        for key, value in kwargs.items():
            normalised = _normalise(key)
            if normalised == _PROVIDER_SECTION:
                if value is None:
                    continue
                if not isinstance(value, Mapping):
                    raise AuthConfigurationError(
                        "PROVIDER must be a section of provider settings "
                        "(CONNECTIONS__<NAME>__SETTINGS__PROVIDER__<KEY>=value), "
                        f"got {type(value).__name__}.",
                        setting=key,
                    )
                provider.update(value)
            elif key.upper().startswith(_PROVIDER_PREFIX) and len(key) > len(_PROVIDER_PREFIX):
                provider[key[len(_PROVIDER_PREFIX) :]] = value
            elif normalised in _KEYS:
                put(_KEYS[normalised], value, key)
            else:
                raise AuthConfigurationError(
                    f"Unknown authentication setting {key!r}{_suggest(key)}. Settings for a "
                    "token provider go under PROVIDER (e.g. "
                    f"CONNECTIONS__<NAME>__SETTINGS__PROVIDER__{key}).",
                    setting=key,
                )

        self._setup(given, provider, announce=True)

    @classmethod
    def _development(cls) -> AgentAuthConfiguration:
        """A development-mode configuration built without the start-up warning.

        Used for placeholders (e.g. :class:`AnonymousTokenProvider`'s configuration);
        configurations the web layer uses are built normally, so the warning is logged.
        """
        config = cls.__new__(cls)
        config._setup({}, {}, announce=False)
        return config

    # ------------------------------------------------------------------ construction

    def _setup(self, given: dict[str, object], provider: dict[str, Any], *, announce: bool) -> None:
        self._assign(given)
        self.provider_settings = provider
        self._peers: tuple[AgentAuthConfiguration, ...] = ()
        self._check()
        if announce and self.ANONYMOUS_ALLOWED:
            self._warn_anonymous()

    def _assign(self, given: dict[str, object]) -> None:
        raw_type = _as_text("AUTH_TYPE", given.get("AUTH_TYPE"))
        self._auth_type_given = raw_type is not None
        self.AUTH_TYPE = self._parse_auth_type(raw_type)
        self.CLIENT_ID = _as_text("CLIENT_ID", given.get("CLIENT_ID"))
        self.TENANT_ID = _as_text("TENANT_ID", given.get("TENANT_ID"))
        self.CLIENT_SECRET = _as_text("CLIENT_SECRET", given.get("CLIENT_SECRET"))
        self.CERT_PFX_FILE = _as_text("CERT_PFX_FILE", given.get("CERT_PFX_FILE"))
        self.CONNECTION_NAME = _as_text("CONNECTION_NAME", given.get("CONNECTION_NAME"))
        self.FEDERATED_CLIENT_ID = _as_text("FEDERATED_CLIENT_ID", given.get("FEDERATED_CLIENT_ID"))
        self.FEDERATED_TOKEN_FILE = _as_text(
            "FEDERATED_TOKEN_FILE", given.get("FEDERATED_TOKEN_FILE")
        )
        self.SCOPES = _as_list("SCOPES", given.get("SCOPES")) or []
        self.AUTHORITY = _as_text("AUTHORITY", given.get("AUTHORITY"))
        self.AZURE_REGION = _as_text("AZURE_REGION", given.get("AZURE_REGION"))
        self.IDPM_RESOURCE = _as_text("IDPM_RESOURCE", given.get("IDPM_RESOURCE"))
        self.ALT_BLUEPRINT_ID = _as_text("ALT_BLUEPRINT_ID", given.get("ALT_BLUEPRINT_ID"))
        self._issuers = _as_list("ISSUERS", given.get("ISSUERS"))

        identity = {
            name
            for name, value in given.items()
            if name not in _NON_IDENTITY and value not in (None, "", [])
        }
        self._development_mode = self.CLIENT_ID is None and not identity

        if self.TENANT_ID is None:
            self.TENANT_ID = self._authority_tenant()

        anonymous = _as_bool("ANONYMOUS_ALLOWED", given.get("ANONYMOUS_ALLOWED"))
        self.ANONYMOUS_ALLOWED = self._development_mode if anonymous is None else anonymous
        validate = _as_bool("VALIDATE_ISSUER", given.get("VALIDATE_ISSUER"))
        self.VALIDATE_ISSUER = _is_guid(self.TENANT_ID) if validate is None else validate

    @staticmethod
    def _parse_auth_type(raw: str | None) -> AuthTypes:
        if raw is None:
            return AuthTypes.client_secret
        for member in AuthTypes:
            if member.value == raw:
                return member
        values = [member.value for member in AuthTypes]
        by_lower = {value.lower(): value for value in values}
        hint = by_lower.get(raw.lower()) or next(
            iter(difflib.get_close_matches(raw, values, n=1, cutoff=0.6)), None
        )
        suggestion = f" (did you mean {hint}?)" if hint else ""
        raise AuthConfigurationError(
            f"AUTHTYPE {raw!r} is not a known auth type{suggestion}; values are matched "
            f"exactly: {', '.join(values)}.",
            setting="AUTHTYPE",
        )

    def _authority_tenant(self) -> str | None:
        if not self.AUTHORITY:
            return None
        parts = [part for part in urlsplit(self.AUTHORITY).path.split("/") if part]
        return parts[0] if parts else None

    def _check(self) -> None:
        if self._development_mode:
            return
        if self.CLIENT_ID is None:
            raise AuthConfigurationError(
                "CLIENTID is missing: every configured connection needs the app (client) id "
                "of its registration (it is also the audience accepted on inbound tokens). "
                "Set CONNECTIONS__<NAME>__SETTINGS__CLIENTID, or remove all settings to run "
                "in development mode.",
                setting="CLIENTID",
            )
        required = _REQUIRED_BY_TYPE.get(self.AUTH_TYPE)
        if required is not None and getattr(self, required) is None:
            name = _SETTING_NAME[required]
            raise AuthConfigurationError(
                f"{name} is missing: AUTHTYPE {self.AUTH_TYPE.value} needs it. Set "
                f"CONNECTIONS__<NAME>__SETTINGS__{name}.",
                setting=name,
            )
        if self.AUTH_TYPE in _CONFIDENTIAL and self.TENANT_ID is None:
            raise AuthConfigurationError(
                f"TENANTID is missing: AUTHTYPE {self.AUTH_TYPE.value} needs the tenant of the "
                "app registration: its GUID for a single-tenant app, 'common' for a "
                "multi-tenant one (whose client-credentials tokens then come from the Bot "
                "Framework tenant, botframework.com). Without it every reply would fail "
                "with 401.",
                setting="TENANTID",
            )

    def _warn_anonymous(self) -> None:
        if self._development_mode:
            # Said once per process: several objects of one agent build this configuration.
            if _DEVELOPMENT_MODE_ANNOUNCED.is_set():
                return
            _DEVELOPMENT_MODE_ANNOUNCED.set()
            logger.warning(
                "No CLIENTID is configured: the agent runs in DEVELOPMENT MODE. Requests "
                "without a token are accepted and replies may only go to loopback "
                "addresses. Never deploy this configuration."
            )
        else:
            logger.warning(
                "ANONYMOUS_ALLOWED is on for client id %s: requests WITHOUT an "
                "Authorization header are accepted as anonymous. Use this only for local "
                "testing.",
                self.CLIENT_ID,
            )

    # ------------------------------------------------------------------ derived values

    def __repr__(self) -> str:
        # Secrets never appear here.
        return (
            f"AgentAuthConfiguration(auth_type={self.AUTH_TYPE.value!r}, "
            f"client_id={self.CLIENT_ID!r}, tenant_id={self.TENANT_ID!r}, "
            f"development_mode={self._development_mode})"
        )

    @property
    def DEVELOPMENT_MODE(self) -> bool:  # noqa: N802 - settings are upper case
        """``True`` when no identity is configured at all (no ``CLIENTID``, no credential).

        The hosting layer then accepts requests without a token (unless
        ``ANONYMOUS_ALLOWED=false``) and sends replies only to loopback addresses.
        """
        return self._development_mode

    @property
    def is_gov_cloud(self) -> bool:
        """Whether the authority is in the US government cloud."""
        host = urlsplit(self.AUTHORITY).hostname if self.AUTHORITY else None
        return (host or "").lower() == _C.GOV_ENTRA_AUTHORITY_HOST

    @property
    def ISSUERS(self) -> list[str]:  # noqa: N802 - settings are upper case
        """The issuers accepted when :attr:`VALIDATE_ISSUER` is on.

        The configured ``ISSUERS``, else the Bot Framework issuer and the Entra v1 and v2
        issuers of this connection's tenant (``common`` when none is known), in the
        connection's cloud.
        """
        if self._issuers:
            return list(self._issuers)
        tenant = self.TENANT_ID or "common"
        if self.is_gov_cloud:
            return [
                _C.GOV_BOT_FRAMEWORK_TOKEN_ISSUER,
                _C.ENTRA_V1_ISSUER_TEMPLATE.format(tenant=tenant),
                _C.GOV_ENTRA_V2_ISSUER_TEMPLATE.format(tenant=tenant),
            ]
        return [
            _C.BOT_FRAMEWORK_TOKEN_ISSUER,
            _C.ENTRA_V1_ISSUER_TEMPLATE.format(tenant=tenant),
            _C.ENTRA_V2_ISSUER_TEMPLATE.format(tenant=tenant),
        ]

    @property
    def client_id(self) -> str | None:
        """Read-only alias of :attr:`CLIENT_ID`."""
        return self.CLIENT_ID

    @property
    def tenant_id(self) -> str | None:
        """Read-only alias of :attr:`TENANT_ID`."""
        return self.TENANT_ID

    @property
    def authority(self) -> str | None:
        """Read-only alias of :attr:`AUTHORITY`."""
        return self.AUTHORITY

    @property
    def scopes(self) -> list[str]:
        """Read-only alias of :attr:`SCOPES`."""
        return list(self.SCOPES)

    @property
    def alternate_blueprint_connection_name(self) -> str | None:
        """Read-only alias of :attr:`ALT_BLUEPRINT_ID` (a connection name)."""
        return self.ALT_BLUEPRINT_ID

    # ------------------------------------------------------------------ connection set

    def _set_peer_configurations(self, peers: Iterable[AgentAuthConfiguration]) -> None:
        """Let this configuration know the other connections of its connection manager.

        The JWT validator accepts a token issued for any configured connection's client
        id; the configuration stored for the web layer (``SERVICE_CONNECTION``) carries the
        others this way.
        """
        self._peers = tuple(peer for peer in peers if peer is not self)

    def _audience_configurations(self) -> tuple[AgentAuthConfiguration, ...]:
        """This configuration, then the other connections' ones."""
        return (self, *self._peers)
