"""The HTTP transport under every outbound service call: URLs, headers, retries, errors.

The connector and token clients describe *what* to call; :class:`HttpTransport` knows
*how*. It owns (or borrows) one long-lived :class:`aiohttp.ClientSession`, joins
relative paths onto a base URL without losing the base URL's own path, adds the
standard headers, and turns failures into :class:`ServiceError`::

    async with HttpTransport("https://smba.trafficmanager.net/amer/", token=token) as http:
        response = await http.request("POST", "v3/conversations/abc/activities", json=body)
        resource = response.json()

Before anything leaves the process the full URL goes through the
:class:`OutboundHostValidator` (when one is given); a refused URL raises
:class:`OutboundRequestRefusedError` and no request is made, so the bearer token is
never attached to a request for a host that is not trusted. Redirects are followed by
the transport itself so that each hop is checked too, and the token is dropped when a
redirect leaves the original origin.

Retries follow one rule: *never make the user see a message twice*.

* 429 and 503, and connection failures before the request was sent (refused
  connection, DNS failure, connect timeout), are retried for every method.
* Ambiguous failures (502, 504, a read timeout, the server hanging up after the request
  went out) are retried only for idempotent methods (GET, PUT, DELETE, HEAD, OPTIONS);
  a POST may already have delivered its activity, so it is not replayed.

Waits grow exponentially with full jitter (``random() * min(max_delay, base_delay *
2**(attempt-1))``), a ``Retry-After`` header (seconds or an HTTP date) is honoured, and
the total waiting time never exceeds :attr:`RetryPolicy.budget`: when the server asks
for longer than what is left, the transport gives up at once. Each attempt has its own
timeout. The sleep function and the random source are injectable for tests.
"""

from __future__ import annotations

import asyncio
import datetime
import email.utils
import json as _json
import logging
import math
import random
import re
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import aiohttp
import yarl
from multidict import CIMultiDict, CIMultiDictProxy

from microsoft_agents.hosting.core._error_resources import error_resources
from microsoft_agents.hosting.core._errors import (
    AdapterError,
    OutboundRequestRefusedError,
    ServiceError,
)
from microsoft_agents.hosting.core._outbound import OutboundHostValidator, same_service_url
from microsoft_agents.hosting.core.header_propagation import HeaderPropagationContext

from ._product_info import get_product_info

__all__ = ["HttpTransport", "RetryPolicy", "ServiceResponse", "ServiceResponseError", "TokenSource"]


class ServiceResponseError(ServiceError, aiohttp.ClientResponseError):
    """A service answered a call with an error status.

    A :class:`~microsoft_agents.hosting.core.ServiceError` (``status``, the service's
    error ``code``, ``body``, ``method``, ``url``) that is also the
    ``aiohttp.ClientResponseError`` the reference SDK raises for a failed call
    (``status``, ``message``, ``request_info``), so handlers written for either catch it.
    ``code`` is the service's error code, as on every ``ServiceError`` (aiohttp's own
    ``code`` is a deprecated spelling of ``status``); ``headers`` are the answer's.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        method: str,
        url: str,
        code: str | None = None,
        body: str = "",
        retry_after: float | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        ServiceError.__init__(
            self,
            message,
            status=status,
            method=method,
            url=url,
            code=code,
            body=body,
            retry_after=retry_after,
        )
        target = yarl.URL(url)
        request = aiohttp.RequestInfo(target, method, _NO_HEADERS, target)
        aiohttp.ClientResponseError.__init__(
            self,
            request,
            (),
            status=status,
            message=message,
            headers=None if headers is None else CIMultiDictProxy(CIMultiDict(headers)),
        )
        self.args = (message,)

    @property  # type: ignore[override]  # the service's code, not aiohttp's status alias
    def code(self) -> str | None:
        """The service's error code (``error.code`` of a Bot Framework error body)."""
        return self._code

    @code.setter
    def code(self, value: str | None) -> None:
        self._code = value

    def __str__(self) -> str:
        return self.message


_NO_HEADERS: CIMultiDictProxy[str] = CIMultiDictProxy(CIMultiDict())

TokenSource = Callable[[], Awaitable[str]]
"""``async source() -> token``: a bearer token fetched only when a request needs it."""

logger = logging.getLogger(__name__)

_IDEMPOTENT_METHODS = frozenset({"GET", "PUT", "DELETE", "HEAD", "OPTIONS"})
_RETRY_ALWAYS = frozenset({429, 503})
_RETRY_IF_IDEMPOTENT = frozenset({502, 504})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_REDIRECTS = 10
_ABSOLUTE_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# Checks only the scheme; used when no validator was given.
_SCHEME_ONLY = OutboundHostValidator(enabled=False)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard the transport tries before giving up.

    Attributes:
        max_attempts: total attempts, the first one included (1 disables retries).
        base_delay: seconds; the n-th wait is drawn from ``[0, base_delay * 2**(n-1)]``.
        max_delay: cap of one backoff wait, in seconds.
        budget: the most seconds spent waiting between attempts, all waits together; a
            ``Retry-After`` longer than what remains makes the transport give up.
        timeout: seconds allowed for each attempt.
    """

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    budget: float = 20.0
    timeout: float = 30.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}")
        if self.base_delay < 0 or self.max_delay < 0 or self.budget < 0:
            raise ValueError("base_delay, max_delay and budget must not be negative")
        if self.timeout <= 0:
            raise ValueError(f"timeout must be positive, got {self.timeout}")

    def backoff(self, attempt: int, random_value: float) -> float:
        """The jittered wait after failed attempt number ``attempt`` (1-based).

        Args:
            attempt: the attempt that just failed.
            random_value: a number in ``[0, 1)``.

        Returns:
            Seconds to wait before the next attempt.
        """
        ceiling = min(self.max_delay, self.base_delay * (2.0 ** max(attempt - 1, 0)))
        return max(0.0, min(1.0, random_value)) * ceiling


@dataclass(frozen=True)
class ServiceResponse:
    """A response from a service: status, headers and the whole body.

    Attributes:
        status: the HTTP status.
        headers: the response headers (case-insensitive lookup when they came from aiohttp).
        body: the raw body.
    """

    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON, or None when the body is empty.

        Raises:
            ValueError: the body is not valid JSON.
        """
        if not self.body.strip():
            return None
        return _json.loads(self.body)

    def text(self) -> str:
        """The body decoded as UTF-8 (invalid bytes replaced)."""
        return self.body.decode("utf-8", errors="replace")


def parse_retry_after(value: str | None, *, now: datetime.datetime | None = None) -> float | None:
    """Seconds to wait according to a ``Retry-After`` header value.

    Args:
        value: the header value: a number of seconds or an HTTP date.
        now: the current time (for tests); defaults to the system clock in UTC.

    Returns:
        The wait in seconds (never negative), or None when the value is missing or
        cannot be understood.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        if not math.isfinite(seconds):
            return None
        return max(0.0, seconds)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    current = now or datetime.datetime.now(datetime.timezone.utc)
    return max(0.0, (when - current).total_seconds())


def _error_code(body: bytes) -> str | None:
    """The ``error.code`` of a Bot Framework error body, if the body is one."""
    if not body.strip():
        return None
    try:
        document = _json.loads(body)
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    error = document.get("error")
    if isinstance(error, dict):
        code = error.get("code")
        return str(code) if code not in (None, "") else None
    return None


def _loggable(url: yarl.URL) -> str:
    """The URL without query or fragment (queries may carry codes or secrets)."""
    return str(url.with_query(None).with_fragment(None))


class _Headers:
    """A small case-insensitive header builder that keeps the first spelling of a name."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[str, str]] = {}

    def set(self, name: str, value: str) -> None:
        key = name.lower()
        spelled = self._items[key][0] if key in self._items else name
        self._items[key] = (spelled, value)

    def set_default(self, name: str, value: str) -> None:
        if name.lower() not in self._items:
            self._items[name.lower()] = (name, value)

    def remove(self, name: str) -> None:
        self._items.pop(name.lower(), None)

    def as_dict(self) -> dict[str, str]:
        return dict(self._items.values())

    def copy(self) -> _Headers:
        clone = _Headers()
        clone._items = dict(self._items)
        return clone


class _Attempt:
    """What one attempt produced: a response, or an exception and whether it is safe to retry."""

    __slots__ = ("error", "response", "retry_after", "retryable")

    def __init__(
        self,
        *,
        response: ServiceResponse | None = None,
        error: BaseException | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
    ) -> None:
        self.response = response
        self.error = error
        self.retryable = retryable
        self.retry_after = retry_after


class HttpTransport:
    """Sends requests to one service with auth, standard headers, host checks and retries.

    Args:
        base_url: the service's base URL; relative paths are joined onto it and its own
            path is kept (``https://x/amer/`` + ``v3/conversations`` gives
            ``https://x/amer/v3/conversations``).
        token: the bearer token, sent as ``Authorization`` only when non-empty; or an
            ``async`` function returning it, called once, at the first request (after
            that request's URL passed the host check), for clients that may never be used.
        session: a session to borrow (not closed by :meth:`close`); by default the
            transport creates one on first use and owns it.
        retry: the retry policy (defaults to :class:`RetryPolicy`'s defaults).
        host_validator: checks each URL before anything is sent.
        user_agent: the ``User-Agent``; defaults to :func:`get_product_info`.
        headers: extra headers for every request.
        sleep: the coroutine function used to wait between attempts.
        random: returns a float in ``[0, 1)``; the jitter source.

    Raises:
        ValueError: ``base_url`` is not an absolute http or https URL.
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | TokenSource | None = None,
        session: aiohttp.ClientSession | None = None,
        retry: RetryPolicy | None = None,
        host_validator: OutboundHostValidator | None = None,
        user_agent: str | None = None,
        headers: Mapping[str, str] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        random: Callable[[], float] = random.random,
    ) -> None:
        try:
            parsed = yarl.URL(base_url)
        except (TypeError, ValueError):
            parsed = None
        if (
            parsed is None
            or not parsed.is_absolute()
            or (parsed.scheme or "").lower() not in ("http", "https")
        ):
            raise ValueError(error_resources.InvalidServiceUrl.format(url=base_url))
        normalized = str(parsed.with_query(None).with_fragment(None))
        self.base_url: str = normalized if normalized.endswith("/") else normalized + "/"
        self._token = token
        self._session = session
        self._owns_session = session is None
        self.retry: RetryPolicy = retry or RetryPolicy()
        self.host_validator = host_validator
        self._user_agent = user_agent or get_product_info()
        self._headers: dict[str, str] = dict(headers or {})
        self._base_headers: _Headers | None = None  # built at the first request
        self._sleep = sleep
        self._random = random
        self._timeout = aiohttp.ClientTimeout(total=self.retry.timeout)
        self._closed = False

    # ------------------------------------------------------------------ lifecycle

    def _get_session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise AdapterError(
                f"this client of {self.base_url} was closed; a closed client cannot send. "
                "Create a new one (or do not close it while it is still in use)."
            )
        if self._session is None or (self._owns_session and self._session.closed):
            self._session = aiohttp.ClientSession()
            self._owns_session = True
        return self._session

    async def close(self) -> None:
        """Close the session if this transport created it; a borrowed one stays open.

        A closed transport sends nothing more (a call raises ``AdapterError``).
        """
        self._closed = True
        if self._owns_session and self._session is not None:
            session, self._session = self._session, None
            await session.close()

    async def __aenter__(self) -> HttpTransport:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # ------------------------------------------------------------------ building

    def url_for(self, path: str, params: Mapping[str, str | int | None] | None = None) -> yarl.URL:
        """The full URL of a request.

        Args:
            path: a path relative to :attr:`base_url` (already percent-encoded where
                needed); an absolute http(s) URL is used as it is.
            params: query parameters; None values are dropped.

        Returns:
            The URL, encoded.
        """
        if _ABSOLUTE_URL.match(path):
            url = yarl.URL(path)
        else:
            url = yarl.URL(self.base_url + path.lstrip("/"), encoded=True)
        if params:
            query = {name: str(value) for name, value in params.items() if value is not None}
            if query:
                url = url.update_query(query)
        return url

    def _check(self, method: str, url: yarl.URL) -> None:
        validator = self.host_validator or _SCHEME_ONLY
        try:
            validator.check(url)
        except OutboundRequestRefusedError as exc:
            logger.warning(
                "Refused outbound %s to host %s: %s", method, url.raw_host or "<none>", exc.reason
            )
            raise

    def _build_headers(self, extra: Mapping[str, str] | None) -> _Headers:
        base = self._base_headers
        if base is None:
            base = _Headers()
            base.set("Accept", "application/json")
            base.set("Content-Type", "application/json")
            base.set("User-Agent", self._user_agent)
            for name, value in self._headers.items():
                base.set(name, value)
            self._base_headers = base
        headers = base.copy()
        for name, value in (extra or {}).items():
            headers.set(name, value)
        for name, value in HeaderPropagationContext.collect_headers().items():
            headers.set_default(name, value)
        return headers

    # ------------------------------------------------------------------ sending

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int | None] | None = None,
        json: Any = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        ok: Collection[int] = (200, 201, 202, 204),
        allow_redirects: bool = True,
    ) -> ServiceResponse:
        """Send a request, retrying where that is safe, and return the response.

        Args:
            method: the HTTP method.
            path: relative to :attr:`base_url` (or an absolute http(s) URL).
            params: query parameters; None values are dropped.
            json: a JSON-serialisable body.
            data: a raw body (instead of ``json``).
            headers: headers for this request; they win over the transport's and over
                propagated headers.
            ok: the statuses that count as success.
            allow_redirects: follow 3xx responses (each hop is checked by the validator).

        Returns:
            The response, when its status is in ``ok``.

        Raises:
            OutboundRequestRefusedError: the URL (or a redirect target) is not allowed;
                nothing was sent to it.
            ServiceError: the service answered with another status, or could not be
                reached (``status`` 0), after the retries the policy allows.
            ValueError: both ``json`` and ``data`` were given.
        """
        method = method.upper()
        url = self.url_for(path, params)
        self._check(method, url)
        if json is not None and data is not None:
            raise ValueError("pass either json or data, not both")
        body = (
            data
            if data is not None
            else (_json.dumps(json).encode("utf-8") if json is not None else None)
        )
        built = self._build_headers(headers)
        token = self._token
        if callable(token):
            token = self._token = await token()
        if token and len(token) > 1:  # (a 1-character "token" is a placeholder)
            built.set("Authorization", f"Bearer {token}")

        policy = self.retry
        idempotent = method in _IDEMPOTENT_METHODS
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
            outcome = await self._attempt(method, url, built, body, allow_redirects, idempotent)
            response = outcome.response
            if response is not None and response.status in ok:
                return response
            if not outcome.retryable or attempt >= policy.max_attempts:
                raise self._failure(method, url, outcome, attempt)
            remaining = policy.budget - waited
            if remaining <= 0:
                logger.info(
                    "Giving up %s %s: the retry budget of %.2fs is spent",
                    method,
                    _loggable(url),
                    policy.budget,
                )
                raise self._failure(method, url, outcome, attempt)
            if outcome.retry_after is not None:
                if outcome.retry_after > remaining:
                    logger.info(
                        "Giving up %s %s: Retry-After %.2fs exceeds the remaining retry "
                        "budget of %.2fs",
                        method,
                        _loggable(url),
                        outcome.retry_after,
                        remaining,
                    )
                    raise self._failure(method, url, outcome, attempt)
                delay = outcome.retry_after
            else:
                delay = min(policy.backoff(attempt, self._random()), remaining)
            logger.info(
                "Retrying %s %s after %s (attempt %d of %d); waiting %.2fs",
                method,
                _loggable(url),
                response.status if response is not None else type(outcome.error).__name__,
                attempt,
                policy.max_attempts,
                delay,
            )
            await self._sleep(delay)
            waited += delay

    async def _attempt(
        self,
        method: str,
        url: yarl.URL,
        headers: _Headers,
        body: bytes | None,
        allow_redirects: bool,
        idempotent: bool,
    ) -> _Attempt:
        try:
            response = await self._send_following_redirects(
                method, url, headers, body, allow_redirects
            )
        except OutboundRequestRefusedError:
            raise
        except (aiohttp.ClientConnectorCertificateError, aiohttp.ClientSSLError) as exc:
            return _Attempt(error=exc)
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
            # Nothing was sent: the connection was never established.
            return _Attempt(error=exc, retryable=True)
        except (
            asyncio.TimeoutError,
            TimeoutError,
            aiohttp.ServerDisconnectedError,
            aiohttp.ClientPayloadError,
            aiohttp.ClientConnectionError,
        ) as exc:
            # The request may have reached the service: replay only what is idempotent.
            return _Attempt(error=exc, retryable=idempotent)
        except aiohttp.ClientError as exc:
            return _Attempt(error=exc)
        status = response.status
        retryable = status in _RETRY_ALWAYS or (idempotent and status in _RETRY_IF_IDEMPOTENT)
        retry_after = parse_retry_after(response.headers.get("Retry-After")) if retryable else None
        return _Attempt(response=response, retryable=retryable, retry_after=retry_after)

    async def _send_following_redirects(
        self,
        method: str,
        url: yarl.URL,
        headers: _Headers,
        body: bytes | None,
        allow_redirects: bool,
    ) -> ServiceResponse:
        session = self._get_session()
        current_method, current_url, current_body = method, url, body
        current_headers = headers.as_dict()
        for _hop in range(_MAX_REDIRECTS + 1):
            async with session.request(
                current_method,
                current_url,
                headers=current_headers,
                data=current_body,
                allow_redirects=False,
                timeout=self._timeout,
            ) as raw:
                payload = await raw.read()
                response = ServiceResponse(status=raw.status, headers=raw.headers, body=payload)
            location = response.headers.get("Location")
            if not allow_redirects or response.status not in _REDIRECTS or not location:
                return response
            try:
                target = current_url.join(yarl.URL(location))
            except ValueError as exc:
                raise ServiceError(
                    error_resources.InvalidRedirect.format(
                        method=method, url=_loggable(url), status=response.status
                    ),
                    status=response.status,
                    method=method,
                    url=_loggable(url),
                ) from exc
            self._check(current_method, target)
            if not same_service_url(str(target), str(current_url)):
                # Never carry the token to another origin.
                current_headers = {
                    k: v for k, v in current_headers.items() if k.lower() != "authorization"
                }
            if response.status == 303 or (
                response.status in (301, 302) and current_method == "POST"
            ):
                current_method, current_body = "GET", None
            logger.debug(
                "Following %s redirect from %s to %s",
                response.status,
                _loggable(current_url),
                _loggable(target),
            )
            current_url = target
        raise ServiceError(
            error_resources.TooManyRedirects.format(
                method=method, url=_loggable(url), limit=_MAX_REDIRECTS
            ),
            status=0,
            method=method,
            url=_loggable(url),
        )

    def _failure(
        self, method: str, url: yarl.URL, outcome: _Attempt, attempts: int
    ) -> ServiceError:
        safe_url = _loggable(url)
        response = outcome.response
        if response is None:
            error = ServiceError(
                error_resources.ServiceUnreachable.format(
                    method=method,
                    url=safe_url,
                    attempts=attempts,
                    error=type(outcome.error).__name__,
                ),
                status=0,
                method=method,
                url=safe_url,
            )
            error.__cause__ = outcome.error
            return error
        code = _error_code(response.body)
        logger.debug(
            "%s %s failed with status %s (code %s)", method, safe_url, response.status, code
        )
        message = error_resources.ServiceCallFailed.format(
            method=method,
            url=safe_url,
            status=response.status,
            code_text=f" ({code})" if code else "",
            attempts=attempts,
        )
        retry_after = outcome.retry_after
        if retry_after is not None:
            message += f" The service asked to wait {retry_after:g} s before calling again."
        return ServiceResponseError(
            message,
            status=response.status,
            method=method,
            url=safe_url,
            code=code,
            body=response.text(),
            retry_after=retry_after,
            headers=response.headers,
        )
