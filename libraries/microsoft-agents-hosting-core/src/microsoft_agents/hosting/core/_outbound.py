"""Which URLs an agent may send a request (and its bearer token) to.

An agent replies to whatever ``serviceUrl`` an incoming activity names. Without a
check, an activity pointing at an attacker's server would make the agent hand over a
token for the Bot Framework audience. :class:`OutboundHostValidator` is that check:
when enabled it lets a request through only over https to a host on the allow-list
(suffix match on a dot boundary, so ``x.botframework.com`` is allowed and
``evil-botframework.com`` is not)::

    validator = OutboundHostValidator(enabled=True, hosts=["contoso.example"])
    validator.is_allowed("https://smba.trafficmanager.net/amer/")   # True
    validator.check("http://smba.trafficmanager.net/")               # raises: not https

Plain http is allowed only to loopback hosts (``127.0.0.1``, ``::1``, ``localhost``)
and only with ``allow_loopback_http=True`` (development with the emulator). A
disabled validator still refuses schemes other than http and https, and URLs that carry a
user name or password (``https://user@host/``).

Replies to another agent are the exception to the allow-list. An agent that calls this one
names its own callback as the ``serviceUrl``, on whatever host it runs, and the token that
goes with the reply is for that caller's own app id (audience ``app://<caller>``): it
gives nothing to anyone but the caller. :meth:`OutboundHostValidator.for_agent_callbacks`
is the validator for those replies; it also lets through https to any host that is not
loopback. The adapter uses it when the token that brought the activity is an agent's
(``ClaimsIdentity.is_agent_claim()``).

:func:`same_service_url` compares two URLs by scheme, host and port; the adapter uses
it to insist that a reply goes to the ``serviceurl`` claim of the token that brought
the activity.
"""

from __future__ import annotations

import copy
import functools
import ipaddress
from collections.abc import Iterable

import yarl

from microsoft_agents.hosting.core._error_resources import error_resources
from microsoft_agents.hosting.core._errors import OutboundRequestRefusedError

__all__ = ["DEFAULT_MICROSOFT_HOSTS", "OutboundHostValidator", "same_service_url"]

DEFAULT_MICROSOFT_HOSTS: tuple[str, ...] = (
    "botframework.com",
    "botframework.azure.us",
    "smba.trafficmanager.net",
    "teams.microsoft.com",
    "teams.microsoft.us",
    "graph.microsoft.com",
    "sharepoint.com",
    "svc.ms",
    "blob.core.windows.net",
    "login.microsoftonline.com",
    "login.botframework.com",
)
"""Host suffixes allowed by default: Bot Framework, Teams, Graph and their storage."""

_WEB_SCHEMES = frozenset({"http", "https"})
_MAX_DECISIONS = 1024
_NOT_LISTED = "the host is not in the allowed outbound hosts"


def _normalize_host(host: str) -> str:
    return host.strip().lower().rstrip(".")


def _normalize_entry(entry: str) -> str:
    entry = _normalize_host(entry)
    if entry.startswith("*."):
        entry = entry[2:]
    return entry.lstrip(".")


def _parse(url: str | yarl.URL) -> yarl.URL | None:
    if isinstance(url, yarl.URL):
        return url
    return _parse_text(url) if isinstance(url, str) else None


@functools.lru_cache(maxsize=1024)
def _parse_text(url: str) -> yarl.URL | None:
    # Service URLs repeat activity after activity; yarl URLs are immutable, so sharing is safe.
    try:
        return yarl.URL(url)
    except (TypeError, ValueError):
        return None


@functools.lru_cache(maxsize=1024)
def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class OutboundHostValidator:
    """Decides whether an outbound request may be sent to a URL.

    Args:
        enabled: when False only the scheme is checked (http and https pass).
        hosts: extra allowed hosts or host suffixes (``contoso.example`` also allows
            ``api.contoso.example``; a leading ``*.`` is accepted and ignored).
        include_default_microsoft_hosts: also allow :data:`DEFAULT_MICROSOFT_HOSTS`.
        allow_loopback_http: allow http (and https) to ``127.0.0.1``, ``::1`` and
            ``localhost``; meant for anonymous development mode only.
    """

    def __init__(
        self,
        enabled: bool = False,
        hosts: Iterable[str] | None = None,
        include_default_microsoft_hosts: bool = True,
        *,
        allow_loopback_http: bool = False,
    ) -> None:
        self.enabled = enabled
        self._allow_loopback_http = allow_loopback_http
        self._any_https_host = False
        self._agent_callbacks: OutboundHostValidator | None = None
        entries: list[str] = (
            list(DEFAULT_MICROSOFT_HOSTS) if include_default_microsoft_hosts else []
        )
        entries.extend(hosts or ())
        normalized = dict.fromkeys(e for e in (_normalize_entry(h) for h in entries) if e)
        self._hosts: tuple[str, ...] = tuple(normalized)
        # Decisions by (scheme, host): every reply of a conversation asks the same question;
        # and by the very URL text, which repeats too (the service URL of every activity).
        self._decided: dict[tuple[str, str], str | None] = {}
        self._decided_urls: dict[str, str | None] = {}

    @property
    def allow_loopback_http(self) -> bool:
        """Whether http (and https) to loopback hosts is allowed (development mode)."""
        return self._allow_loopback_http

    @allow_loopback_http.setter
    def allow_loopback_http(self, value: bool) -> None:
        self._allow_loopback_http = value
        self._decided = {}
        self._decided_urls = {}
        if self._agent_callbacks is not None:
            self._agent_callbacks.allow_loopback_http = value

    def for_agent_callbacks(self) -> OutboundHostValidator:
        """The validator for replies to an agent that called this one.

        It allows what this one allows and, in addition, https to any host that is not a
        loopback host: the caller's callback may run anywhere, and the token sent there
        is for the caller's own app id. A disabled validator is returned as it is.

        Returns:
            A validator that stays the same for the life of this one.
        """
        if not self.enabled or self._any_https_host:
            return self
        if self._agent_callbacks is None:
            derived = copy.copy(self)  # a subclass stays itself
            derived._any_https_host = True
            derived._decided = {}
            derived._decided_urls = {}
            self._agent_callbacks = derived
        return self._agent_callbacks

    @property
    def hosts(self) -> tuple[str, ...]:
        """The allowed host suffixes, normalised to lower case."""
        return self._hosts

    def _host_allowed(self, host: str) -> bool:
        return any(host == entry or host.endswith("." + entry) for entry in self._hosts)

    def refusal_reason(self, url: str | yarl.URL) -> str | None:
        """Why ``url`` would be refused, or None when it is allowed.

        Args:
            url: the full URL of the request.

        Returns:
            A short human-readable reason, or None.
        """
        if not self.enabled or not isinstance(url, str):
            return self._refusal_reason(url)
        decided = self._decided_urls
        try:
            return decided[url]
        except KeyError:
            pass
        reason = self._refusal_reason(url)
        if len(decided) >= _MAX_DECISIONS:
            decided.clear()
        decided[url] = reason
        return reason

    def _refusal_reason(self, url: str | yarl.URL) -> str | None:
        parsed = _parse(url)
        if parsed is None or not parsed.is_absolute():
            return "the URL is not absolute"
        scheme = (parsed.scheme or "").lower()
        if scheme not in _WEB_SCHEMES:
            return f"scheme '{scheme}' is not http or https"
        host = _normalize_host(parsed.raw_host or "")
        if not host:
            return "the URL has no host"
        if parsed.raw_user is not None or parsed.raw_password is not None:
            # They would go to the host, and a request cannot carry them and a token.
            return "the URL carries a user name or password"
        if not self.enabled:
            return None
        origin = (scheme, host)
        try:
            return self._decided[origin]
        except KeyError:
            pass
        reason = self._decide(scheme, host)
        if len(self._decided) >= _MAX_DECISIONS:
            self._decided.clear()
        self._decided[origin] = reason
        return reason

    def _decide(self, scheme: str, host: str) -> str | None:
        if _is_loopback(host):
            if self.allow_loopback_http:
                return None
            if scheme == "http":
                return "http to a loopback host is allowed only in development (anonymous) mode"
        elif scheme != "https":
            return "only https is allowed outside loopback development"
        if self._host_allowed(host):
            return None
        if self._any_https_host and scheme == "https" and not _is_loopback(host):
            return None
        return _NOT_LISTED

    def is_allowed(self, url: str | yarl.URL) -> bool:
        """Whether a request to ``url`` may be sent.

        Args:
            url: the full URL of the request.

        Returns:
            True when :meth:`check` would not raise.
        """
        return self.refusal_reason(url) is None

    def check(self, url: str | yarl.URL) -> None:
        """Refuse ``url`` unless it is allowed.

        Args:
            url: the full URL of the request.

        Raises:
            OutboundRequestRefusedError: the URL is not allowed; ``reason`` says why.
        """
        reason = self.refusal_reason(url)
        if reason is None:
            return
        parsed = _parse(url)
        host = (parsed.raw_host if parsed is not None else None) or "<none>"
        safe_url = ""
        if parsed is not None:
            if parsed.raw_user is not None or parsed.raw_password is not None:
                parsed = parsed.with_user(None)
            safe_url = str(parsed.with_query(None).with_fragment(None))
        raise OutboundRequestRefusedError(
            error_resources.OutboundHostRefused.format(host=host, reason=reason),
            url=safe_url or str(url),
            reason=reason,
        )

    def __repr__(self) -> str:
        extra = ", any https host (agent callbacks)" if self._any_https_host else ""
        return (
            f"OutboundHostValidator(enabled={self.enabled!r}, hosts={list(self._hosts)!r}, "
            f"allow_loopback_http={self.allow_loopback_http!r}{extra})"
        )


def same_service_url(url: str | None, claim: str | None) -> bool:
    """Whether two URLs name the same service: same scheme, host and port.

    Comparison is case-insensitive and ignores paths, queries and a trailing dot of the
    host; an explicit default port equals no port.

    Args:
        url: the URL a request is about to go to (for example a reply's ``serviceUrl``).
        claim: the ``serviceurl`` claim of the token that brought the activity.

    Returns:
        False when either is empty or not an absolute URL.
    """
    if not url or not claim:
        return False
    first, second = _parse(url), _parse(claim)
    if first is None or second is None or not first.is_absolute() or not second.is_absolute():
        return False
    if (first.scheme or "").lower() != (second.scheme or "").lower():
        return False
    first_host = _normalize_host(first.raw_host or "")
    if not first_host or first_host != _normalize_host(second.raw_host or ""):
        return False
    return first.port == second.port
