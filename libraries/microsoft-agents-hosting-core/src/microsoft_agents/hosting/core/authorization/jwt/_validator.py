"""Validation of the bearer tokens that come with incoming requests.

:class:`JwtTokenValidator` accepts a token only when every one of these holds (protocol
§13, hardened):

1. It is a JWT signed with **RS256**. ``none``, HMAC (``HS256`` included, even "signed"
   with an issuer's public key) and every other algorithm are refused before any key is
   looked up.
2. Its issuer (``iss``) is a **Bot Framework** issuer (``https://api.botframework.com``,
   ``.us``) or an **Entra** v1 (``https://sts.windows.net/<tenant>/``) or v2
   (``https://login.microsoftonline.com|.us/<tenant>/v2.0``) issuer.
3. Its audience (``aud``) is a **string** equal, ignoring case, to the ``CLIENTID`` of a
   configured connection; that connection's settings apply to the remaining checks.
4. When the connection validates issuers (``VALIDATE_ISSUER``, on by default for
   single-tenant registrations) the issuer is in its ``ISSUERS``, is a Microsoft
   first-party issuer, or, for a ``common``/``organizations`` tenant, is any Entra issuer
   of the connection's cloud.
5. An Entra issuer naming a tenant GUID and the ``tid`` claim agree.
6. ``exp`` is present and not past, ``nbf`` and ``iat`` are not in the future, all with
   the configured clock skew (300 seconds at most).
7. The signature verifies with the issuer's key named by ``kid``. Keys come from the
   issuer's OpenID metadata (Bot Framework v1 metadata for Bot Framework issuers, Entra
   v1/v2 metadata of the connection's tenant, or ``common``, for Entra issuers) and are
   cached (see :mod:`._keys`).
8. When the caller passes the activity's ``channel_id``, a Bot Framework key must
   **endorse** that channel (its JWK lists the channel in ``endorsements``), so a key
   issued for one channel cannot speak for another.
9. The user's ``claims_validator`` hook, if any, accepts the claims. It runs after all
   built-in checks and cannot switch them off; it rejects by raising.

A refusal raises :class:`~microsoft_agents.hosting.core.AuthenticationError` whose message
says which check failed, for logs. It never contains the token.
"""

from __future__ import annotations

import inspect
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt

from microsoft_agents.hosting.core._errors import AuthenticationError
from microsoft_agents.hosting.core.authorization._claims_identity import (
    ClaimsIdentity,
    endorsement_refusal,
)
from microsoft_agents.hosting.core.authorization._configuration import AgentAuthConfiguration
from microsoft_agents.hosting.core.authorization._constants import AuthenticationConstants

from ._keys import SigningKeyCache

__all__ = ["ClaimsValidator", "JwtTokenValidator"]

logger = logging.getLogger(__name__)

_C = AuthenticationConstants

ClaimsValidator = Callable[[dict[str, Any]], "Awaitable[None] | None"]
"""A user check on validated claims: return normally to accept, raise to reject."""

_GUID = r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}"
_TENANT_SEGMENT = r"[A-Za-z0-9][A-Za-z0-9.\-]*"
_ENTRA_V1 = re.compile(rf"^https://sts\.windows\.net/({_TENANT_SEGMENT})/$", re.IGNORECASE)
_ENTRA_V2 = re.compile(
    rf"^https://login\.microsoftonline\.(com|us)/({_TENANT_SEGMENT})/v2\.0$", re.IGNORECASE
)
_IS_GUID = re.compile(rf"^{_GUID}$")
_SAFE_TENANT = re.compile(rf"^{_TENANT_SEGMENT}$")

_DEFAULT_KEY_CACHE_TTL = 3600.0
_DEFAULT_MIN_REFRESH_INTERVAL = 60.0


@dataclass(frozen=True)
class _Issuer:
    kind: str  # "botframework", "entra_v1" or "entra_v2"
    gov: bool
    tenant: str | None


def _classify_issuer(issuer: str) -> _Issuer | None:
    lowered = issuer.lower()
    if lowered == _C.BOT_FRAMEWORK_TOKEN_ISSUER:
        return _Issuer("botframework", gov=False, tenant=None)
    if lowered == _C.GOV_BOT_FRAMEWORK_TOKEN_ISSUER:
        return _Issuer("botframework", gov=True, tenant=None)
    match = _ENTRA_V1.match(issuer)
    if match:
        return _Issuer("entra_v1", gov=False, tenant=match.group(1))
    match = _ENTRA_V2.match(issuer)
    if match:
        return _Issuer("entra_v2", gov=match.group(1).lower() == "us", tenant=match.group(2))
    return None


def _first_party_issuers() -> set[str]:
    issuers = set()
    for tenant in _C.FIRST_PARTY_TENANTS:
        issuers.add(_C.ENTRA_V1_ISSUER_TEMPLATE.format(tenant=tenant))
        issuers.add(_C.ENTRA_V2_ISSUER_TEMPLATE.format(tenant=tenant))
    for tenant in _C.GOV_FIRST_PARTY_TENANTS:
        issuers.add(_C.ENTRA_V1_ISSUER_TEMPLATE.format(tenant=tenant))
        issuers.add(_C.GOV_ENTRA_V2_ISSUER_TEMPLATE.format(tenant=tenant))
    return {issuer.lower() for issuer in issuers}


_FIRST_PARTY_ISSUERS = frozenset(_first_party_issuers())


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _endorsements(jwk: dict[str, Any], issuer: _Issuer) -> frozenset[str] | None:
    """The channels a signing key endorses (lower-cased), or None when it is an Entra key
    (they carry none, and speak for no channel in particular)."""
    endorsements = jwk.get(_C.ENDORSEMENTS_KEY)
    if endorsements is None and issuer.kind != "botframework":
        return None
    if not isinstance(endorsements, list):
        return frozenset()  # a Bot Framework key that endorses nothing speaks for nothing
    return frozenset(str(item).strip().lower() for item in endorsements)


class JwtTokenValidator:
    """Checks bearer tokens and returns the caller's claims.

    Args:
        configuration: the agent's configuration (normally ``SERVICE_CONNECTION`` from a
            connection manager, which also knows the other connections' client ids).
        claims_validator: an extra check on the validated claims, sync or async; raise to
            reject (an :class:`AuthenticationError`, or any exception, which is wrapped).
        session: aiohttp session used to fetch metadata and keys; by default a short-lived
            one per fetch.
        clock: returns the current time in seconds (default ``time.time``); used for the
            token's lifetime and the key cache.
        key_cache_ttl: seconds a key set is reused before being fetched again.
        min_refresh_interval: least seconds between two key fetches caused by unknown
            key ids, per issuer.
        clock_skew: seconds of tolerance on ``exp``, ``nbf`` and ``iat`` (0 to 300).

    Raises:
        ValueError: ``clock_skew`` is negative or above 300 seconds, or an interval is
            negative.
    """

    def __init__(
        self,
        configuration: AgentAuthConfiguration,
        *,
        claims_validator: ClaimsValidator | None = None,
        session: aiohttp.ClientSession | None = None,
        clock: Callable[[], float] | None = None,
        key_cache_ttl: float = _DEFAULT_KEY_CACHE_TTL,
        min_refresh_interval: float = _DEFAULT_MIN_REFRESH_INTERVAL,
        clock_skew: float = _C.MAX_CLOCK_SKEW_SECONDS,
    ) -> None:
        if not 0 <= clock_skew <= _C.MAX_CLOCK_SKEW_SECONDS:
            raise ValueError(
                f"clock_skew must be between 0 and {_C.MAX_CLOCK_SKEW_SECONDS:g} seconds, "
                f"got {clock_skew!r}."
            )
        if key_cache_ttl < 0 or min_refresh_interval < 0:
            raise ValueError("key_cache_ttl and min_refresh_interval must not be negative.")
        self.configuration = configuration
        self._claims_validator = claims_validator
        self._clock = clock or time.time
        self._skew = clock_skew
        self._keys = SigningKeyCache(
            clock=self._clock,
            ttl=key_cache_ttl,
            min_refresh_interval=min_refresh_interval,
            session=session,
        )

    def get_anonymous_claims(self) -> ClaimsIdentity:
        """The identity given to requests accepted without a token: no claims."""
        return ClaimsIdentity()

    async def validate_token(self, token: str, *, channel_id: str | None = None) -> ClaimsIdentity:
        """Validate a bearer token.

        Args:
            token: the token (without the ``Bearer`` scheme).
            channel_id: the ``channelId`` of the activity the token came with, when known;
                Bot Framework keys must then endorse it.

        Returns:
            The authenticated identity, carrying the claims and the raw token.

        Raises:
            AuthenticationError: the token is refused; the message says why.
        """
        if not isinstance(token, str) or not token:
            raise AuthenticationError("token rejected: it is empty")
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as error:
            raise AuthenticationError(f"token rejected: not a readable JWT ({error})") from error
        except ValueError as error:  # characters a JWT cannot hold (not ASCII)
            raise AuthenticationError("token rejected: not a readable JWT (not ASCII)") from error

        algorithm = header.get("alg")
        if algorithm != _C.SIGNING_ALGORITHM:
            raise AuthenticationError(
                f"token rejected: algorithm {algorithm!r} is not accepted (RS256 only)"
            )
        kid = header.get(_C.KEY_ID_HEADER)
        if not isinstance(kid, str) or not kid:
            raise AuthenticationError("token rejected: its header names no signing key (kid)")

        issuer_text = unverified.get(_C.ISSUER_CLAIM)
        if not isinstance(issuer_text, str):
            raise AuthenticationError("token rejected: it has no issuer (iss)")
        issuer = _classify_issuer(issuer_text)
        if issuer is None:
            raise AuthenticationError(
                f"token rejected: issuer {issuer_text!r} is neither Bot Framework nor Entra ID"
            )
        connection = self._connection_for(unverified.get(_C.AUDIENCE_CLAIM))
        self._check_issuer(issuer_text, issuer, connection)
        self._check_tenant(issuer, unverified)
        self._check_lifetime(unverified)

        metadata_url = self._metadata_url(issuer, connection)
        jwk = await self._keys.get_key(metadata_url, kid)
        endorsed = _endorsements(jwk, issuer)
        if endorsed is not None and channel_id:
            refusal = endorsement_refusal(endorsed, channel_id)
            if refusal is not None:
                raise AuthenticationError(f"token rejected: {refusal} (key {kid!r})")
        claims = self._verify_signature(token, jwk)
        await self._run_claims_validator(claims)
        identity = ClaimsIdentity(
            claims,
            is_authenticated=True,
            authentication_type=_C.BEARER_SCHEME,
            security_token=token,
        )
        if endorsed is not None and not channel_id:
            # The channel is learnt from the body, after this check: the HTTP adapter
            # makes the endorsement check then (an identity carries what it needs).
            identity._endorsements = endorsed
        return identity

    # ------------------------------------------------------------------ checks

    def _connection_for(self, audience: object) -> AgentAuthConfiguration:
        if not isinstance(audience, str) or not audience:
            kind = "missing" if audience is None else f"a {type(audience).__name__}"
            raise AuthenticationError(
                f"token rejected: its audience (aud) must be one string, it is {kind}"
            )
        wanted = audience.lower()
        for config in self.configuration._audience_configurations():
            if config.CLIENT_ID and config.CLIENT_ID.lower() == wanted:
                return config
        raise AuthenticationError(
            f"token rejected: audience {audience!r} is not the client id of a configured connection"
        )

    @staticmethod
    def _check_issuer(text: str, issuer: _Issuer, connection: AgentAuthConfiguration) -> None:
        if not connection.VALIDATE_ISSUER:
            return
        lowered = text.lower()
        if lowered in {allowed.lower() for allowed in connection.ISSUERS}:
            return
        if lowered in _FIRST_PARTY_ISSUERS:
            return
        tenant = (connection.TENANT_ID or "common").lower()
        if (
            tenant in _C.MULTI_TENANT_NAMES
            and issuer.kind != "botframework"
            and (issuer.kind == "entra_v1" or issuer.gov == connection.is_gov_cloud)
        ):
            return
        raise AuthenticationError(
            f"token rejected: issuer {text!r} is not allowed for client id "
            f"{connection.CLIENT_ID} (see ISSUERS / VALIDATE_ISSUER)"
        )

    @staticmethod
    def _check_tenant(issuer: _Issuer, claims: dict[str, Any]) -> None:
        if issuer.tenant is None or not _IS_GUID.match(issuer.tenant):
            return
        if _C.TENANT_ID_CLAIM not in claims:
            return
        tid = claims[_C.TENANT_ID_CLAIM]
        if not isinstance(tid, str) or tid.lower() != issuer.tenant.lower():
            raise AuthenticationError(
                f"token rejected: tenant (tid) {tid!r} is not the issuer's tenant {issuer.tenant}"
            )

    def _check_lifetime(self, claims: dict[str, Any]) -> None:
        now = self._clock()
        expires = claims.get(_C.EXPIRATION_CLAIM)
        if expires is None:
            raise AuthenticationError("token rejected: it has no expiry (exp)")
        if not _is_number(expires):
            raise AuthenticationError("token rejected: its expiry (exp) is not a number")
        if now > expires + self._skew:
            raise AuthenticationError("token rejected: it has expired")
        for claim, what in (
            (_C.NOT_BEFORE_CLAIM, "not valid yet (nbf)"),
            (_C.ISSUED_AT_CLAIM, "issued in the future (iat)"),
        ):
            value = claims.get(claim)
            if value is None:
                continue
            if not _is_number(value):
                raise AuthenticationError(f"token rejected: its {claim} is not a number")
            if value > now + self._skew:
                raise AuthenticationError(f"token rejected: it is {what}")

    @staticmethod
    def _metadata_url(issuer: _Issuer, connection: AgentAuthConfiguration) -> str:
        if issuer.kind == "botframework":
            if issuer.gov:
                return _C.GOV_BOT_FRAMEWORK_OPENID_METADATA_URL
            return _C.BOT_FRAMEWORK_OPENID_METADATA_URL
        # The metadata of the connection's own tenant (or "common"), never a tenant the
        # token names: the set of addresses fetched stays bounded by the configuration.
        tenant = connection.TENANT_ID or "common"
        if not _SAFE_TENANT.match(tenant):
            tenant = "common"
        gov = issuer.gov or connection.is_gov_cloud
        if issuer.kind == "entra_v1":
            template = (
                _C.GOV_ENTRA_V1_OPENID_METADATA_URL_TEMPLATE
                if gov
                else _C.ENTRA_V1_OPENID_METADATA_URL_TEMPLATE
            )
        else:
            template = (
                _C.GOV_ENTRA_V2_OPENID_METADATA_URL_TEMPLATE
                if gov
                else _C.ENTRA_V2_OPENID_METADATA_URL_TEMPLATE
            )
        return template.format(tenant=tenant)

    @staticmethod
    def _verify_signature(token: str, jwk: dict[str, Any]) -> dict[str, Any]:
        try:
            key = jwt.PyJWK(jwk, algorithm=_C.SIGNING_ALGORITHM).key
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[_C.SIGNING_ALGORITHM],
                options={
                    "verify_aud": False,  # checked above, with our rules
                    "verify_iss": False,
                    "verify_exp": False,  # checked above, with the injected clock
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
        except jwt.PyJWTError as error:
            raise AuthenticationError(
                f"token rejected: signature check failed ({type(error).__name__})"
            ) from error
        return claims

    async def _run_claims_validator(self, claims: dict[str, Any]) -> None:
        if self._claims_validator is None:
            return
        try:
            outcome = self._claims_validator(dict(claims))
            if inspect.isawaitable(outcome):
                await outcome
        except AuthenticationError:
            raise
        except Exception as error:
            raise AuthenticationError(
                f"token rejected by the claims validator: {type(error).__name__}: {error}"
            ) from error
