"""Signing keys of token issuers, fetched from their OpenID metadata and cached.

A token names its signing key by ``kid``. The keys live in the JSON Web Key Set whose
address (``jwks_uri``) the issuer publishes in its OpenID metadata document, so finding
one takes two HTTPS requests: metadata, then key set. :class:`SigningKeyCache` makes them
with aiohttp (the event loop is never blocked) and keeps the key set per metadata address:

* a key set is reused for ``ttl`` seconds, then fetched again (if that fetch fails, the
  old keys stay in use and the failure is logged);
* a ``kid`` that is not in the cached set triggers one refetch (the issuer may have
  rotated its keys), but at most one per ``min_refresh_interval`` seconds per address: a
  caller sending made-up key ids cannot make the agent hammer the issuer;
* after a failed fetch, nothing is fetched from that address for ``min_refresh_interval``
  seconds either (an issuer outage does not turn every request into a fetch);
* concurrent requests needing the same fetch share it.

Only keys usable for RS256 signatures are kept (``kty`` RSA, ``use`` absent or ``sig``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from microsoft_agents.hosting.core._errors import AuthenticationError

__all__ = ["SigningKeyCache"]

logger = logging.getLogger(__name__)

_FETCH_TIMEOUT_SECONDS = 10.0


class _FetchError(Exception):
    """A metadata or key-set request failed; the message says how."""


@dataclass
class _KeySet:
    keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    loaded_at: float | None = None
    kid_refresh_at: float | None = None  # last fetch caused by an unknown kid
    failed_at: float | None = None  # last fetch that failed


class SigningKeyCache:
    """Caches issuers' signing keys by metadata address.

    Args:
        clock: returns the current time in seconds (``time.time``-like).
        ttl: seconds a fetched key set is reused before it is fetched again.
        min_refresh_interval: least number of seconds between two fetches of one address
            caused by unknown key ids (or by failures).
        session: the aiohttp session to fetch with; when ``None`` a short-lived session
            is opened for each fetch (fetches are rare) and closed after it.
        timeout: seconds allowed for each HTTP request.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        ttl: float,
        min_refresh_interval: float,
        session: aiohttp.ClientSession | None = None,
        timeout: float = _FETCH_TIMEOUT_SECONDS,
    ) -> None:
        self._clock = clock
        self._ttl = ttl
        self._min_refresh_interval = min_refresh_interval
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._sets: dict[str, _KeySet] = {}
        self._locks: dict[str, tuple[asyncio.AbstractEventLoop, asyncio.Lock]] = {}

    def _lock(self, metadata_url: str) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        held = self._locks.get(metadata_url)
        if held is None or held[0] is not loop:
            held = (loop, asyncio.Lock())
            self._locks[metadata_url] = held
        return held[1]

    async def get_key(self, metadata_url: str, kid: str) -> dict[str, Any]:
        """The JSON Web Key with this ``kid`` among the issuer's signing keys.

        Args:
            metadata_url: the issuer's OpenID metadata address.
            kid: the key id from the token's header.

        Returns:
            The key as a JWK dictionary (Bot Framework keys include ``endorsements``).

        Raises:
            AuthenticationError: the key is unknown (after at most one refetch) or the
                keys could not be fetched.
        """
        async with self._lock(metadata_url):
            entry = self._sets.setdefault(metadata_url, _KeySet())
            now = self._clock()
            stale = entry.loaded_at is None or now - entry.loaded_at >= self._ttl
            if stale and not self._recent(entry.failed_at, now):
                await self._refresh(metadata_url, entry, now)
            elif (
                kid not in entry.keys
                and not self._recent(entry.kid_refresh_at, now)
                and not self._recent(entry.failed_at, now)
            ):
                logger.info(
                    "Signing key %r is not among the cached keys of %s; fetching them again",
                    kid,
                    metadata_url,
                )
                entry.kid_refresh_at = now
                await self._refresh(metadata_url, entry, now)
            key = entry.keys.get(kid)
        if key is None:
            if entry.loaded_at is None:
                raise AuthenticationError(
                    f"the signing keys of {metadata_url} could not be fetched"
                )
            raise AuthenticationError(f"signing key {kid!r} is unknown to {metadata_url}")
        return key

    def _recent(self, moment: float | None, now: float) -> bool:
        return moment is not None and now - moment < self._min_refresh_interval

    async def _refresh(self, metadata_url: str, entry: _KeySet, now: float) -> None:
        try:
            keys = await self._fetch_keys(metadata_url)
        except _FetchError as error:
            entry.failed_at = now
            if entry.loaded_at is None:
                logger.error("Could not fetch signing keys: %s", error)
            else:
                logger.warning("Could not refresh signing keys, keeping the old ones: %s", error)
            return
        entry.keys = keys
        entry.loaded_at = now
        logger.debug("Loaded %d signing keys from %s", len(keys), metadata_url)

    async def _fetch_keys(self, metadata_url: str) -> dict[str, dict[str, Any]]:
        metadata = await self._fetch_json(metadata_url)
        jwks_uri = metadata.get("jwks_uri") if isinstance(metadata, dict) else None
        if not isinstance(jwks_uri, str) or not jwks_uri.lower().startswith("https://"):
            raise _FetchError(f"{metadata_url} has no https jwks_uri")
        document = await self._fetch_json(jwks_uri)
        raw_keys = document.get("keys") if isinstance(document, dict) else None
        if not isinstance(raw_keys, list):
            raise _FetchError(f"{jwks_uri} is not a JSON Web Key Set")
        keys: dict[str, dict[str, Any]] = {}
        for item in raw_keys:
            if not isinstance(item, dict):
                continue
            kid = item.get("kid")
            if not isinstance(kid, str) or item.get("kty") != "RSA":
                continue
            if item.get("use", "sig") != "sig":
                continue
            keys[kid] = item
        return keys

    async def _fetch_json(self, url: str) -> Any:
        session = self._session
        owned = session is None
        if session is None:
            session = aiohttp.ClientSession(timeout=self._timeout)
        try:
            async with session.get(url, timeout=self._timeout, allow_redirects=False) as response:
                if response.status != 200:
                    raise _FetchError(f"{url} answered HTTP {response.status}")
                return await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise _FetchError(f"{url} failed: {type(error).__name__}: {error}") from error
        finally:
            if owned:
                await session.close()
