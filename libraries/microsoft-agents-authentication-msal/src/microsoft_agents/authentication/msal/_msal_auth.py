"""Outbound tokens for one connection, obtained from Microsoft Entra ID through MSAL.

An agent attaches a bearer token to everything it sends: replies to a channel, calls to
Graph, messages to another agent. :class:`MsalAuth` is the
:class:`~microsoft_agents.hosting.core.authorization.AccessTokenProviderBase` that gets
those tokens for one connection (one app registration)::

    from microsoft_agents.hosting.core.authorization import AgentAuthConfiguration
    from microsoft_agents.authentication.msal import MsalAuth

    auth = MsalAuth(AgentAuthConfiguration(CLIENTID="...", CLIENTSECRET="...", TENANTID="..."))
    token = await auth.get_access_token("https://api.botframework.com", [])

**How the connection proves who it is** depends on ``AUTHTYPE``:

=========================  =================================================================
``ClientSecret``           confidential client with ``CLIENTSECRET``
``certificate``            confidential client signing with the key in ``CERTPFXFILE`` (a
                           PEM file holding the private key and its certificate, or a PFX
                           file); the certificate's SHA-1 thumbprint names the key
``CertificateSubjectName`` as ``certificate``, and the certificate itself is sent along
                           (subject name / issuer authentication, "SNI")
``FederatedCredentials``   confidential client whose client assertion is a token of the
                           user-assigned managed identity ``FEDERATEDCLIENTID`` for
                           ``api://AzureADTokenExchange``, asked for whenever one is needed
``WorkloadIdentity``       confidential client whose client assertion is the content of
                           ``FEDERATEDTOKENFILE``, read again whenever the file changes
``UserManagedIdentity``    the managed identity ``CLIENTID`` of the host; no secret at all
``SystemManagedIdentity``  the host's system-assigned managed identity
``IdentityProxyManager``   the user-assigned managed identity ``CLIENTID``; its token for
                           ``IDPMRESOURCE`` is the blueprint token of agentic requests
``EntraAuthSideCar``       not supported here (a separate package talks to the sidecar)
=========================  =================================================================

Settings that cannot work (a certificate file that does not exist or does not parse, a
token file that cannot be read, an auth type this package does not support) raise
:class:`~microsoft_agents.hosting.core.AuthConfigurationError` naming the setting
when the :class:`MsalAuth` is built, that is at start-up, not at the first reply.

**Scopes.** :meth:`MsalAuth.get_access_token` asks for the caller's scopes; when the caller
passes none, the connection's ``SCOPES`` (where ``{instance}`` stands for the scheme and
host of the resource), else ``<resource>/.default``. Another agent's audience
``app://<app id>`` is asked for as ``<app id>/.default`` (its ``{instance}`` is the app id).
Managed identities take the resource itself instead of scopes.

**Authority.** ``AUTHORITY`` when set, else ``https://login.microsoftonline.com/<TENANTID>``.
For agentic requests, which name their own tenant, a tenant segment of the authority (a
GUID, ``common`` or ``organizations``) is replaced by that tenant. Otherwise a multi-tenant
segment (``common``, ``organizations``) is replaced, for client-credentials tokens only, by
the Bot Framework tenant ``botframework.com`` (``MicrosoftServices.onmicrosoft.com`` on
``login.microsoftonline.us``), as the Bot Framework SDKs do: Entra ID has no
client-credentials flow on those names. This is logged once, at INFO. On-behalf-of
requests keep the configured authority. ``AZUREREGION`` turns on MSAL's regional endpoints.

**Failures and timeouts.** Every HTTP call of MSAL's own client times out after
``timeout`` seconds (default 30) to connect and for each read, so a stalled connection to
Entra ID or the managed identity endpoint cannot hold a worker thread, and every request
waiting on the same token, for ever. A token request that fails is a
:class:`TokenAcquisitionError` (a ``HostingError`` and a ``ValueError``) whatever went
wrong: no token in Entra's answer, no connection, no answer in time, an answer MSAL cannot
read (an HTTP 5xx without JSON), an authority MSAL cannot use (a tenant that does not
exist); the original exception is its ``__cause__``. Programming errors (``TypeError``
and the like) are raised as they are.

**Caching and concurrency.** MSAL is synchronous, so every MSAL call runs in a worker thread
(:func:`asyncio.to_thread`) and never blocks the event loop. Each :class:`MsalAuth` keeps
its MSAL application objects for its whole life (one for the connection, plus one per tenant
and agent instance for agentic requests, keyed by authority and client id), all
sharing one in-memory token cache: MSAL answers from that cache until a token is close to
expiry, so most calls never leave the process. The applications are built on first use, in
the worker thread, because building one fetches the authority's metadata. Concurrent
requests for the same token share one acquisition (single flight); a failure reaches every
waiter and is not remembered, so the next call tries again.

**Agentic requests** (Microsoft Entra agent identities). This connection is the agent
identity *blueprint*; an agent instance is an app of its own that trusts the blueprint.
How this module reads the three-legged flow:

1. *Application token* (:meth:`MsalAuth.get_agentic_application_token`): the blueprint asks,
   with its own credential, for a token for ``api://AzureADTokenExchange/.default`` with
   the agent instance's id as the FMI path (MSAL's ``fmi_path``). With
   ``IdentityProxyManager`` it is instead the managed identity's token for ``IDPMRESOURCE``.
2. *Instance token* (:meth:`MsalAuth.get_agentic_instance_token`): the agent instance (client
   id ``agent_app_instance_id``) asks for ``api://AzureADTokenExchange/.default`` with the
   application token as its client assertion.
3. *User token* (:meth:`MsalAuth.get_agentic_user_token`): the agent instance, with the
   same client assertion, exchanges the instance token for a token acting as the agentic
   user through the ``user_fic`` grant (MSAL's
   ``acquire_token_by_user_federated_identity_credential``). A user id containing ``@`` is
   sent as the user's UPN, anything else as the user's object id.

A managed identity cannot ask for an FMI-path token, so agentic requests need a
confidential-client blueprint (or ``IdentityProxyManager``).
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import json
import logging
import math
import re
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from microsoft_agents.hosting.core import AuthConfigurationError, HostingError
from microsoft_agents.hosting.core.authorization import (
    AgentAuthConfiguration,
    AuthenticationConstants,
    AuthTypes,
)
from msal import (
    ConfidentialClientApplication,
    ManagedIdentityClient,
    ManagedIdentityError,
    SystemAssignedManagedIdentity,
    TokenCache,
    UserAssignedManagedIdentity,
)
from msal.exceptions import MsalError

from ._credentials import (
    ManagedIdentityAssertion,
    TokenAcquisitionError,
    TokenFileAssertion,
    load_certificate_credential,
    token_from,
)

__all__ = ["MsalAuth"]

logger = logging.getLogger(__name__)

_C = AuthenticationConstants

TOKEN_EXCHANGE_SCOPE = "api://AzureADTokenExchange/.default"
DEFAULT_IDPM_RESOURCE = "api://AzureAdTokenExchange/.default"
"""``IDPMRESOURCE`` when it is not set."""

_DEFAULT_AUTHORITY_HOST = f"https://{_C.ENTRA_AUTHORITY_HOST}"

DEFAULT_TIMEOUT = 30.0
"""Seconds MSAL waits on each HTTP call (to connect, and for each read) when it uses its
own HTTP client."""

# The tenant a multi-tenant (``common``/``organizations``) Bot Framework app asks for
# client-credentials tokens: Entra ID has no client-credentials flow on those names.
_BOT_FRAMEWORK_TENANT = "botframework.com"
_GOV_BOT_FRAMEWORK_TENANT = "MicrosoftServices.onmicrosoft.com"

# Agentic user tokens (the user_fic grant, which MSAL does not look up in its cache) are
# kept here until this long before they expire, at most this many at once.
_USER_TOKEN_EXPIRY_MARGIN = 300.0
_MAX_USER_TOKENS = 1024
_clock: Callable[[], float] = time.monotonic
_T = TypeVar("_T")


def _is_timeout(error: OSError) -> bool:
    """Whether a network error is a timeout (``requests``' own or the socket's)."""
    if isinstance(error, TimeoutError):
        return True
    requests = sys.modules.get("requests")  # MSAL's HTTP client; not imported here for this
    return requests is not None and isinstance(error, requests.exceptions.Timeout)


def _shorten(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def _acquisition_error(error: Exception, timeout: float | None) -> TokenAcquisitionError | None:
    """The :class:`TokenAcquisitionError` for an exception out of an MSAL call, if it is
    one of the failures of talking to the identity platform.

    ``None`` for anything else (``TypeError``, ``AttributeError``, ...): a programming
    error is not a failed token request, and is raised as it is.
    """
    name = type(error).__name__
    if isinstance(error, OSError):
        if _is_timeout(error):
            within = f"within {timeout:g} s" if timeout is not None else "in time"
            message = (
                f"Microsoft Entra ID (or the managed identity endpoint) did not answer {within} "
                f"({name}). Check the network path to the connection's AUTHORITY and the "
                "identity platform's availability; the next request tries again."
            )
        else:
            message = (
                f"Microsoft Entra ID could not be reached ({name}). Check the network, and "
                "the connection's AUTHORITY or TENANTID."
            )
    elif isinstance(error, MsalError):
        message = (
            f"Microsoft Entra ID (or the managed identity endpoint) answered with an error "
            f"MSAL could not read ({_shorten(str(error))}). Such answers (an HTTP 5xx "
            "without a JSON body) come from an outage of the identity platform or a proxy on "
            "the way: check the identity platform's availability; the next request tries "
            "again."
        )
    elif isinstance(error, ManagedIdentityError):
        message = (
            f"The managed identity gave no token ({_shorten(str(error))}). Check that the "
            "host has this managed identity assigned (CLIENTID, or FEDERATEDCLIENTID for "
            "FederatedCredentials) and that its endpoint is available."
        )
    elif isinstance(error, json.JSONDecodeError):
        message = (
            "Microsoft Entra ID (or the managed identity endpoint) answered with something "
            f"that is not JSON ({name}): an outage of the identity platform or a proxy on the "
            "way. Check the identity platform's availability and the connection's AUTHORITY."
        )
    elif isinstance(error, ValueError):
        text = str(error)
        if "authority" in text.lower() or "discovery" in text.lower():
            # A tenant that does not exist ("Unable to get authority configuration for
            # ..."), an authority URL MSAL cannot use.
            message = (
                f"MSAL could not use the connection's authority ({_shorten(text)}). Check "
                "TENANTID (the GUID or a domain of an existing tenant) or AUTHORITY "
                "(https://login.microsoftonline.com/<tenant>)."
            )
        else:
            message = (
                f"MSAL refused the token request ({_shorten(text)}). Check the scopes asked "
                "for and the connection's settings."
            )
    else:
        return None
    return TokenAcquisitionError(message, error=None, error_description=None)


_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_SCOPE_SEPARATORS = re.compile(r"[\s,]+")
_CONFIDENTIAL = frozenset(
    {
        AuthTypes.client_secret,
        AuthTypes.certificate,
        AuthTypes.certificate_subject_name,
        AuthTypes.federated_credentials,
        AuthTypes.workload_identity,
    }
)
_MANAGED_IDENTITY = frozenset(
    {
        AuthTypes.user_managed_identity,
        AuthTypes.system_managed_identity,
        AuthTypes.identity_proxy_manager,
    }
)


def _split_scopes(scopes: Sequence[str] | str | None) -> list[str]:
    """Scopes as a list; a string is split on spaces and commas, never iterated by character."""
    if scopes is None:
        return []
    if isinstance(scopes, str):
        return [scope for scope in _SCOPE_SEPARATORS.split(scopes) if scope]
    return [scope.strip() for scope in scopes if isinstance(scope, str) and scope.strip()]


def _resource_instance(resource_url: str) -> str:
    """``scheme://host`` of a resource URL.

    Raises:
        ValueError: the URL has no scheme or no host.
    """
    if not isinstance(resource_url, str):
        raise ValueError(f"resource_url must be a URL string, got {type(resource_url).__name__}.")
    parts = urlsplit(resource_url.strip())
    if not parts.scheme or not parts.netloc:
        raise ValueError(
            f"resource_url {resource_url!r} is not an absolute URL: it needs a scheme and a "
            "host, e.g. 'https://api.botframework.com'."
        )
    return f"{parts.scheme}://{parts.netloc}"


class _BlueprintAssertion:
    """The client assertion of an agent instance: its blueprint's token for that instance."""

    def __init__(self, source: Callable[[], str]) -> None:
        self._source = source

    def __call__(self) -> str:
        return self._source()


def _default_http_client(timeout: float) -> object:
    """A ``requests.Session`` (MSAL's own dependency) for managed identity clients, whose
    every request times out after ``timeout`` seconds unless it says otherwise.

    It stays a ``requests.Session``, which MSAL needs for Service Fabric; MSAL gives the
    session it builds for confidential clients its timeout the same way.
    """
    requests = importlib.import_module("requests")
    session = requests.Session()
    session.request = functools.partial(session.request, timeout=timeout)
    result: object = session
    return result


def _without_agent_prefix(resource: str) -> str:
    """``<app id>`` for an agent audience ``app://<app id>`` (protocol §14.1), else as is."""
    prefix = _C.AGENT_AUDIENCE_PREFIX
    if resource[: len(prefix)].lower() == prefix:
        return resource[len(prefix) :].rstrip("/")
    return resource


def _client_credentials_tenant(host: str | None) -> str:
    """The Bot Framework tenant of a cloud, for multi-tenant client-credentials tokens."""
    if (host or "").lower() == _C.GOV_ENTRA_AUTHORITY_HOST:
        return _GOV_BOT_FRAMEWORK_TENANT
    return _BOT_FRAMEWORK_TENANT


class MsalAuth:
    """Tokens for one connection from Microsoft Entra ID, through MSAL.

    Args:
        msal_configuration: the connection's settings.
        http_client: the HTTP client MSAL uses (an object with ``requests``-style ``get``
            and ``post``); MSAL's default (a ``requests`` session) when omitted. Tests use it
            to keep MSAL's traffic on the machine. Its timeouts are its own: ``timeout``
            does not reach it.
        timeout: seconds each HTTP call of MSAL's own client may wait to connect and for
            each read (default :data:`DEFAULT_TIMEOUT`); a call that takes longer fails
            with :class:`TokenAcquisitionError`.

    Raises:
        AuthConfigurationError: the settings cannot work: the message names the setting.
        ValueError: ``timeout`` is not a positive number.
    """

    def __init__(
        self,
        msal_configuration: AgentAuthConfiguration,
        *,
        http_client: object | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        if isinstance(timeout, bool) or not (
            isinstance(timeout, (int, float)) and math.isfinite(timeout) and timeout > 0
        ):
            raise ValueError(
                f"timeout must be a positive number of seconds, got {timeout!r}; the "
                f"default is {DEFAULT_TIMEOUT:g}."
            )
        self._configuration = msal_configuration
        self._http_client = http_client
        self._timeout = float(timeout)
        self._multi_tenant_announced = False
        self._auth_type = msal_configuration.AUTH_TYPE
        self._token_cache = TokenCache()
        self._apps: dict[str, Any] = {}
        self._apps_lock = threading.RLock()
        self._in_flight: dict[Hashable, asyncio.Future[Any]] = {}
        self._user_tokens: dict[Hashable, tuple[str, float]] = {}  # key: (token, good until)

        client_id = msal_configuration.CLIENT_ID
        if not client_id:
            raise AuthConfigurationError(
                "CLIENTID is missing: MsalAuth needs the app (client) id of the connection's "
                "registration (or of its managed identity).",
                setting="CLIENTID",
            )
        self._client_id: str = client_id
        self._managed_identity: Any = None
        self._managed_identity_cache: Any = None
        self._credential: Any = None

        if self._auth_type in _MANAGED_IDENTITY:
            self._managed_identity, self._managed_identity_cache = self._build_managed_identity()
        elif self._auth_type in _CONFIDENTIAL:
            if not (msal_configuration.TENANT_ID or msal_configuration.AUTHORITY):
                raise AuthConfigurationError(
                    f"TENANTID is missing: AUTHTYPE {self._auth_type.value} needs the tenant "
                    "of the app registration (or an AUTHORITY naming it).",
                    setting="TENANTID",
                )
            self._credential = self._build_credential()
        else:
            raise AuthConfigurationError(
                f"AUTHTYPE {self._auth_type.value} is not supported by "
                "microsoft_agents.authentication.msal: the Entra auth sidecar is reached "
                "through its own token provider. Use ClientSecret, certificate, "
                "CertificateSubjectName, FederatedCredentials, WorkloadIdentity, "
                "UserManagedIdentity, SystemManagedIdentity or IdentityProxyManager.",
                setting="AUTHTYPE",
            )
        logger.debug(
            "MsalAuth ready for client id %s (auth type %s)", self._client_id, self._auth_type
        )

    def __repr__(self) -> str:
        return f"MsalAuth(client_id={self._client_id!r}, auth_type={self._auth_type.value!r})"

    @property
    def configuration(self) -> AgentAuthConfiguration:
        """The settings of the connection this provider serves."""
        return self._configuration

    # ------------------------------------------------------------------ start-up checks

    def _build_managed_identity(self) -> tuple[Any, Any]:
        """The managed identity client of a managed-identity auth type, and its cache."""
        if self._auth_type is AuthTypes.system_managed_identity:
            identity: Any = SystemAssignedManagedIdentity()
        else:
            identity = UserAssignedManagedIdentity(client_id=self._client_id)
        return self._new_managed_identity_client(identity)

    def _new_managed_identity_client(self, identity: Any) -> tuple[Any, Any]:
        """A managed identity client (building one does no I/O) and its token cache.

        Each managed identity client has a cache of its own, so that a forced refresh can
        drop its tokens by resource without touching the confidential clients' tokens.
        """
        cache = TokenCache()
        client = ManagedIdentityClient(
            identity,
            http_client=self._http_client or _default_http_client(self._timeout),
            token_cache=cache,
        )
        return client, cache

    def _build_credential(self) -> Any:
        """The MSAL ``client_credential`` of a confidential-client auth type, checked."""
        config = self._configuration
        auth_type = self._auth_type
        if auth_type is AuthTypes.client_secret:
            if not config.CLIENT_SECRET:
                raise AuthConfigurationError(
                    "CLIENTSECRET is missing: AUTHTYPE ClientSecret needs the app's client "
                    "secret. Set CONNECTIONS__<NAME>__SETTINGS__CLIENTSECRET.",
                    setting="CLIENTSECRET",
                )
            return config.CLIENT_SECRET
        if auth_type in (AuthTypes.certificate, AuthTypes.certificate_subject_name):
            if not config.CERT_PFX_FILE:
                raise AuthConfigurationError(
                    f"CERTPFXFILE is missing: AUTHTYPE {auth_type.value} needs the path of the "
                    "certificate file. Set CONNECTIONS__<NAME>__SETTINGS__CERTPFXFILE.",
                    setting="CERTPFXFILE",
                )
            return load_certificate_credential(
                config.CERT_PFX_FILE,
                send_certificate=auth_type is AuthTypes.certificate_subject_name,
            )
        if auth_type is AuthTypes.federated_credentials:
            federated_id = config.FEDERATED_CLIENT_ID
            if not federated_id:
                raise AuthConfigurationError(
                    "FEDERATEDCLIENTID is missing: AUTHTYPE FederatedCredentials needs the "
                    "client id of the user-assigned managed identity whose token is the "
                    "federated credential.",
                    setting="FEDERATEDCLIENTID",
                )
            client, _ = self._new_managed_identity_client(
                UserAssignedManagedIdentity(client_id=federated_id)
            )
            return {"client_assertion": ManagedIdentityAssertion(client, federated_id)}
        # WorkloadIdentity
        path = config.FEDERATED_TOKEN_FILE
        if not path:
            raise AuthConfigurationError(
                "FEDERATEDTOKENFILE is missing: AUTHTYPE WorkloadIdentity needs the path of "
                "the projected service account token (AZURE_FEDERATED_TOKEN_FILE).",
                setting="FEDERATEDTOKENFILE",
            )
        assertion = TokenFileAssertion(path)
        assertion()  # fails now, naming the setting, when the file cannot be used
        return {"client_assertion": assertion}

    # ------------------------------------------------------------------ MSAL objects

    def _authority(self, tenant_id: str | None = None, *, client_credentials: bool = True) -> str:
        """The authority URL, for the request's tenant when one is given.

        Without a request tenant, a multi-tenant segment (``common``, ``organizations``)
        gives client-credentials requests the Bot Framework tenant instead: Entra ID has
        no client-credentials flow there. OBO keeps the configured authority.
        """
        config = self._configuration
        if not config.AUTHORITY:
            tenant = tenant_id or config.TENANT_ID or ""
            if not tenant_id and client_credentials and tenant.lower() in _C.MULTI_TENANT_NAMES:
                tenant = self._multi_tenant_fallback(tenant, _C.ENTRA_AUTHORITY_HOST)
            return f"{_DEFAULT_AUTHORITY_HOST}/{tenant}"
        authority = config.AUTHORITY.rstrip("/")
        parts = urlsplit(authority)
        segments = parts.path.split("/")
        for index, segment in enumerate(segments):
            multi_tenant = segment.lower() in _C.MULTI_TENANT_NAMES
            if not (multi_tenant or _GUID.match(segment)):
                continue
            if tenant_id:
                segments[index] = tenant_id
            elif multi_tenant and client_credentials:
                segments[index] = self._multi_tenant_fallback(segment, parts.hostname)
            else:
                return authority
            return urlunsplit(parts._replace(path="/".join(segments)))
        return authority

    def _multi_tenant_fallback(self, configured: str, host: str | None) -> str:
        """The tenant client-credentials tokens come from instead of ``configured``."""
        tenant = _client_credentials_tenant(host)
        if not self._multi_tenant_announced:
            self._multi_tenant_announced = True
            logger.info(
                "Connection of client id %s: the tenant %r names no single tenant, and Entra "
                "ID gives no client-credentials tokens there; they are asked for from the "
                "Bot Framework tenant %s, as Bot Framework SDKs do for multi-tenant apps.",
                self._client_id,
                configured,
                tenant,
            )
        return tenant

    def _app(self, key: str, build: Callable[[], Any]) -> Any:
        """The MSAL application cached under ``key``, built on first use (in a worker thread)."""
        with self._apps_lock:
            app = self._apps.get(key)
            if app is None:
                app = build()
                self._apps[key] = app
            return app

    def _confidential_app(
        self,
        *,
        client_id: str,
        credential: Any,
        tenant_id: str | None = None,
        client_credentials: bool = True,
    ) -> Any:
        """The confidential client application of ``client_id`` at the authority of a
        tenant (the configured one unless ``tenant_id`` is given)."""
        authority = self._authority(tenant_id, client_credentials=client_credentials)
        key = f"authority:{authority.lower()}.instance:{client_id.lower()}"

        def build() -> Any:
            logger.debug("Creating the MSAL confidential client of %s at %s", client_id, authority)
            return ConfidentialClientApplication(
                client_id,
                client_credential=credential,
                authority=authority,
                azure_region=self._configuration.AZURE_REGION,
                token_cache=self._token_cache,
                http_client=self._http_client,
                timeout=self._timeout,
            )

        return self._app(key, build)

    def _main_app(self, tenant_id: str | None = None, *, client_credentials: bool = True) -> Any:
        return self._confidential_app(
            client_id=self._client_id,
            credential=self._credential,
            tenant_id=tenant_id,
            client_credentials=client_credentials,
        )

    async def _in_thread(self, call: Callable[..., _T], *args: Any) -> _T:
        """Run a (blocking) MSAL call in a worker thread.

        Raises:
            TokenAcquisitionError: the identity platform could not be reached, did not
                answer in time, answered with something MSAL could not read, or MSAL
                could not use the authority. The original exception is the ``__cause__``.
        """
        try:
            return await asyncio.to_thread(call, *args)
        except HostingError:
            raise  # ours, already saying what is wrong (a TokenAcquisitionError included)
        except Exception as error:
            timeout = self._timeout if self._http_client is None else None
            mapped = _acquisition_error(error, timeout)
            if mapped is None:
                raise
            raise mapped from error

    # ------------------------------------------------------------------ single flight

    async def _single_flight(self, key: Hashable, acquire: Callable[[], Awaitable[Any]]) -> Any:
        """Run ``acquire`` once for all concurrent callers asking with the same key.

        The acquisition runs as a task of its own, so a caller that is cancelled does not
        cancel it for the others. Its result, or its exception, reaches every waiter; the
        key is forgotten as soon as it completes, so failures are not cached.
        """
        full_key = (asyncio.get_running_loop(), key)
        task = self._in_flight.get(full_key)
        if task is None:
            task = asyncio.ensure_future(acquire())
            self._in_flight[full_key] = task

            def done(finished: asyncio.Future[Any]) -> None:
                if self._in_flight.get(full_key) is finished:
                    del self._in_flight[full_key]
                if not finished.cancelled():
                    finished.exception()  # mark it retrieved even if every waiter left

            task.add_done_callback(done)
        return await asyncio.shield(task)

    # ------------------------------------------------------------------ tokens

    def _resolve_scopes(self, resource_url: str, scopes: Sequence[str] | str | None) -> list[str]:
        # An agent audience app://<app id> is asked for as <app id>/.default (protocol
        # §14.1); its {instance} is the app id too.
        instance = _without_agent_prefix(_resource_instance(resource_url))
        requested = _split_scopes(scopes)
        if requested:
            return requested
        configured = [
            scope.replace("{instance}", instance)
            for scope in _split_scopes(self._configuration.SCOPES)
        ]
        if configured:
            return configured
        resource = _without_agent_prefix(resource_url.strip().rstrip("/"))
        return [f"{resource}{_C.DEFAULT_SCOPE_SUFFIX}"]

    async def get_access_token(
        self, resource_url: str, scopes: list[str], force_refresh: bool = False
    ) -> str:
        """A token for calling ``resource_url`` as this connection.

        Args:
            resource_url: the audience, e.g. ``https://api.botframework.com``; it needs a
                scheme and a host.
            scopes: the scopes to request; when empty, the connection's ``SCOPES`` (with
                ``{instance}`` replaced by the resource's scheme and host), else
                ``<resource_url>/.default``. For another agent's audience
                ``app://<app id>`` both stand for the bare ``<app id>``. Managed identities
                ask for ``resource_url`` (the bare app id for ``app://<app id>``).
            force_refresh: drop the cached token and ask Entra ID for a new one.

        Returns:
            The access token.

        Raises:
            ValueError: ``resource_url`` is not an absolute URL.
            TokenAcquisitionError: (a ``ValueError`` too) Entra ID returned no token (the
                message carries MSAL's error code and description), could not be
                reached, did not answer in time, or MSAL could not use the authority.
        """
        resolved = self._resolve_scopes(resource_url, scopes)
        if self._managed_identity is not None:
            resource = _without_agent_prefix(resource_url.strip())
            key: Hashable = ("managed_identity", resource, force_refresh)

            async def acquire() -> str:
                return await self._in_thread(self._managed_identity_token, resource, force_refresh)

        else:
            key = ("client", tuple(resolved), force_refresh)

            async def acquire() -> str:
                return await self._in_thread(self._client_token, resolved, force_refresh)

        token: str = await self._single_flight(key, acquire)
        return token

    def _forget_client_tokens(self, client_id: str, scopes: list[str]) -> None:
        """Drop the cached access tokens of ``client_id`` that cover ``scopes``.

        MSAL's client-credentials call always answers from its cache when it can (it
        refuses ``force_refresh``), and its ``remove_tokens_for_client`` needs a network
        round trip for the authority's aliases; removing the entries from the token cache
        through :class:`msal.TokenCache`'s public API does neither.
        """
        cache = self._token_cache
        for entry in list(
            cache.search(
                TokenCache.CredentialType.ACCESS_TOKEN,
                target=scopes,
                query={"client_id": client_id},
            )
        ):
            cache.remove_at(entry)

    def _managed_identity_token(self, resource: str, force_refresh: bool) -> str:
        if force_refresh:
            cache = self._managed_identity_cache
            for entry in list(
                cache.search(TokenCache.CredentialType.ACCESS_TOKEN, target=[resource])
            ):
                cache.remove_at(entry)
        logger.debug("Asking the managed identity %s for a token for %s", self._client_id, resource)
        result = self._managed_identity.acquire_token_for_client(resource=resource)
        return token_from(result, f"resource {resource}", self._client_id)

    def _client_token(self, scopes: list[str], force_refresh: bool) -> str:
        app = self._main_app()
        if force_refresh:
            self._forget_client_tokens(self._client_id, scopes)
        logger.debug(
            "Acquiring a client-credentials token for %s (client id %s)", scopes, self._client_id
        )
        result = app.acquire_token_for_client(scopes)
        return token_from(result, f"scopes {scopes}", self._client_id)

    async def acquire_token_on_behalf_of(self, scopes: list[str], user_assertion: str) -> str:
        """Exchange a user's token for one to call another API as that user (OBO).

        Args:
            scopes: the scopes of the API to call (a string is split on spaces and commas).
            user_assertion: the user's token, issued for this connection's app.

        Returns:
            The access token.

        Raises:
            NotImplementedError: the connection is a managed identity, which cannot do OBO.
            ValueError: no scopes or no assertion were given, or Entra ID returned no token.
        """
        if self._managed_identity is not None:
            raise NotImplementedError(
                f"On-behalf-of is not available with AUTHTYPE {self._auth_type.value}: a "
                "managed identity cannot exchange a user's token. Use a connection with a "
                "client secret, certificate or federated credential as the OBO connection."
            )
        requested = _split_scopes(scopes)
        if not requested:
            raise ValueError("acquire_token_on_behalf_of needs at least one scope.")
        if not user_assertion:
            raise ValueError("acquire_token_on_behalf_of needs the user's token (user_assertion).")

        def call() -> str:
            app = self._main_app(client_credentials=False)
            logger.debug("Acquiring an on-behalf-of token for %s", requested)
            result = app.acquire_token_on_behalf_of(user_assertion=user_assertion, scopes=requested)
            return token_from(result, f"on-behalf-of scopes {requested}", self._client_id)

        return await self._in_thread(call)

    # ------------------------------------------------------------------ agentic

    def _agentic_tenant(self, tenant_id: str) -> str:
        tenant = (tenant_id or "").strip() or self._configuration.TENANT_ID
        if not tenant:
            raise ValueError("An agentic token needs the tenant of the agent instance (tenant_id).")
        return tenant

    def _blueprint_token(self, tenant_id: str, agent_app_instance_id: str) -> str:
        """Leg 1, synchronous: the blueprint's token for one agent instance."""
        if self._auth_type is AuthTypes.identity_proxy_manager:
            scope = self._configuration.IDPM_RESOURCE or DEFAULT_IDPM_RESOURCE
            resource = scope.removesuffix(_C.DEFAULT_SCOPE_SUFFIX)
            logger.debug("Asking the identity proxy managed identity for %s", resource)
            result = self._managed_identity.acquire_token_for_client(resource=resource)
            return token_from(result, f"resource {resource}", self._client_id)
        if self._managed_identity is not None:
            raise NotImplementedError(
                f"Agentic tokens are not available with AUTHTYPE {self._auth_type.value}: a "
                "managed identity cannot ask for a federated (FMI path) token. Use a "
                "confidential-client blueprint connection (ClientSecret, certificate, "
                "FederatedCredentials, WorkloadIdentity) or IdentityProxyManager."
            )
        app = self._main_app(tenant_id)
        logger.debug(
            "Acquiring the blueprint token of agent instance %s in tenant %s",
            agent_app_instance_id,
            tenant_id,
        )
        result = app.acquire_token_for_client(
            [TOKEN_EXCHANGE_SCOPE], fmi_path=agent_app_instance_id
        )
        return token_from(
            result, f"agent instance {agent_app_instance_id} (FMI path)", self._client_id
        )

    def _instance_app(self, tenant_id: str, agent_app_instance_id: str) -> Any:
        assertion = _BlueprintAssertion(
            lambda: self._blueprint_token(tenant_id, agent_app_instance_id)
        )
        return self._confidential_app(
            client_id=agent_app_instance_id,
            credential={"client_assertion": assertion},
            tenant_id=tenant_id,
        )

    def _instance_token(self, tenant_id: str, agent_app_instance_id: str) -> str:
        """Leg 2, synchronous: the agent instance's own token."""
        app = self._instance_app(tenant_id, agent_app_instance_id)
        logger.debug("Acquiring the instance token of agent instance %s", agent_app_instance_id)
        result = app.acquire_token_for_client([TOKEN_EXCHANGE_SCOPE])
        return token_from(result, "the agent instance token", agent_app_instance_id)

    async def get_agentic_application_token(
        self, tenant_id: str, agent_app_instance_id: str
    ) -> str:
        """The blueprint's token for one agent instance (leg 1 of the agentic flow).

        Args:
            tenant_id: the tenant of the agent instance (the configured tenant when empty).
            agent_app_instance_id: the agent instance's app id.

        Returns:
            The token.

        Raises:
            NotImplementedError: the connection is a (non proxy) managed identity.
            ValueError: an id is missing or Entra ID returned no token.
        """
        tenant = self._agentic_tenant(tenant_id)
        if not agent_app_instance_id:
            raise ValueError("An agentic token needs the agent instance id.")

        async def acquire() -> str:
            return await self._in_thread(self._blueprint_token, tenant, agent_app_instance_id)

        token: str = await self._single_flight(
            ("agentic_application", tenant.lower(), agent_app_instance_id.lower()), acquire
        )
        return token

    async def get_agentic_instance_token(
        self, tenant_id: str, agent_app_instance_id: str
    ) -> tuple[str, str]:
        """The agent instance's token, with the blueprint token behind it (legs 1 and 2).

        Args:
            tenant_id: the tenant of the agent instance (the configured tenant when empty).
            agent_app_instance_id: the agent instance's app id.

        Returns:
            ``(instance_token, application_token)``.

        Raises:
            NotImplementedError: the connection is a (non proxy) managed identity.
            ValueError: an id is missing or Entra ID returned no token.
        """
        application_token = await self.get_agentic_application_token(
            tenant_id, agent_app_instance_id
        )
        tenant = self._agentic_tenant(tenant_id)

        async def acquire() -> str:
            return await self._in_thread(self._instance_token, tenant, agent_app_instance_id)

        instance_token: str = await self._single_flight(
            ("agentic_instance", tenant.lower(), agent_app_instance_id.lower()), acquire
        )
        return instance_token, application_token

    async def get_agentic_user_token(
        self,
        tenant_id: str,
        agent_app_instance_id: str,
        agentic_user_id: str,
        scopes: list[str],
    ) -> str:
        """A token acting as an agentic user (leg 3: the ``user_fic`` grant).

        Args:
            tenant_id: the tenant of the agent instance (the configured tenant when empty).
            agent_app_instance_id: the agent instance's app id.
            agentic_user_id: the agentic user: an object id, or a UPN (contains ``@``).
            scopes: the scopes to request (the connection's ``SCOPES`` when empty).

        Returns:
            The token.

        Raises:
            NotImplementedError: the connection is a (non proxy) managed identity, or the
                installed MSAL has no ``user_fic`` support.
            ValueError: an id or the scopes are missing, or Entra ID returned no token.
        """
        if not agentic_user_id:
            raise ValueError("An agentic user token needs the agentic user id.")
        requested = _split_scopes(scopes) or _split_scopes(self._configuration.SCOPES)
        if not requested:
            raise ValueError("An agentic user token needs at least one scope.")
        instance_token, _ = await self.get_agentic_instance_token(tenant_id, agent_app_instance_id)
        tenant = self._agentic_tenant(tenant_id)

        def call() -> tuple[str, float]:
            app = self._instance_app(tenant, agent_app_instance_id)
            exchange = getattr(app, "acquire_token_by_user_federated_identity_credential", None)
            if exchange is None:
                raise NotImplementedError(
                    "The installed msal has no user_fic support "
                    "(acquire_token_by_user_federated_identity_credential); upgrade msal."
                )
            user = (
                {"username": agentic_user_id}
                if "@" in agentic_user_id
                else {"user_object_id": agentic_user_id}
            )
            logger.debug(
                "Acquiring an agentic user token for user %s, agent instance %s, scopes %s",
                agentic_user_id,
                agent_app_instance_id,
                requested,
            )
            result = exchange(scopes=requested, assertion=instance_token, **user)
            token = token_from(result, f"agentic user scopes {requested}", agent_app_instance_id)
            expires_in = result.get("expires_in") if isinstance(result, dict) else None
            lifetime = float(expires_in) if isinstance(expires_in, (int, float, str)) else 0.0
            return token, lifetime

        key = (
            "agentic_user",
            tenant.lower(),
            agent_app_instance_id.lower(),
            agentic_user_id.lower(),
            tuple(requested),
        )
        cached = self._user_tokens.get(key)
        if cached is not None and cached[1] > _clock():
            return cached[0]

        async def acquire() -> str:
            token, lifetime = await self._in_thread(call)
            self._keep_user_token(key, token, lifetime)
            return token

        token: str = await self._single_flight(key, acquire)
        return token

    def _keep_user_token(self, key: Hashable, token: str, lifetime: float) -> None:
        now = _clock()
        good_until = now + lifetime - _USER_TOKEN_EXPIRY_MARGIN
        if good_until <= now:
            return  # too short-lived (or no expiry given) to be worth keeping
        tokens = self._user_tokens
        if len(tokens) >= _MAX_USER_TOKENS:
            for stale in [k for k, (_, until) in tokens.items() if until <= now]:
                del tokens[stale]
            while len(tokens) >= _MAX_USER_TOKENS:
                del tokens[next(iter(tokens))]  # the oldest
        tokens.pop(key, None)
        tokens[key] = (token, good_until)
