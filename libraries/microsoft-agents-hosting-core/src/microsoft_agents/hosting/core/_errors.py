"""Exceptions raised by ``microsoft_agents.hosting.core``.

The tree::

    HostingError                       root of everything this package raises itself
    ├── ApplicationError               an AgentApplication is misconfigured or misused
    ├── StateError                     (also a ValueError) state used in a way that would lose
    │                                  data: an unknown scope, an attribute that is not saved
    ├── StorageError                   a storage operation failed
    │   ├── StorageKeyError            (also a ValueError) a key that cannot be stored
    │   └── ETagConflictError          a write carried a stale e_tag; nothing was written
    ├── AdapterError                   an adapter cannot do what was asked
    ├── StreamingError                 (also a RuntimeError) a streamed answer was used after
    │                                  it ended, or outside a turn
    ├── ServiceError                   a channel or token service answered with an error
    │                                  (status, the service's error code, the body)
    ├── OutboundRequestRefusedError    an outbound call was refused before anything was sent
    │                                  (host not allowed, serviceUrl not the token's)
    ├── AuthenticationError            (also a PermissionError) an incoming request's token is
    │                                  missing or invalid; the HTTP answer is 401
    └── AuthConfigurationError         (also a ValueError) authentication settings that cannot
                                       work: a misspelled key, a missing tenant id

Errors raised by a user's handler are not wrapped: they reach the adapter's
``on_turn_error`` (or the application's ``@app.error`` handler) as they were raised.
"""

from __future__ import annotations

__all__ = [
    "AdapterError",
    "ApplicationError",
    "AuthConfigurationError",
    "AuthenticationError",
    "ETagConflictError",
    "HostingError",
    "OutboundRequestRefusedError",
    "ServiceError",
    "StateError",
    "StorageError",
    "StorageKeyError",
    "StreamingError",
]


class HostingError(Exception):
    """Root of the exceptions this package raises."""


class ApplicationError(HostingError):
    """An ``AgentApplication`` was configured or used in a way it cannot work with."""


class StateError(HostingError, ValueError):
    """Turn state was used in a way that would lose data or cannot be resolved."""


class StorageError(HostingError):
    """A storage operation failed."""


class StorageKeyError(StorageError, ValueError):
    """A storage key was empty, not a string, or otherwise unusable."""


class ETagConflictError(StorageError):
    """A write was refused because the item changed since it was read.

    Attributes:
        key: the storage key whose write was refused.
    """

    def __init__(self, message: str, *, key: str) -> None:
        super().__init__(message)
        self.key = key


class AdapterError(HostingError):
    """The adapter cannot perform the requested operation."""


class StreamingError(HostingError, RuntimeError):
    """A ``StreamingResponse`` was used in a way it cannot serve (after its end, say)."""


class ServiceError(HostingError):
    """A Bot Connector or token service call failed.

    When the service answered (``status`` is not 0) the error is also an
    ``aiohttp.ClientResponseError``, what the reference SDK raises for a failed call.

    Attributes:
        status: the HTTP status (0 when no response arrived: a connection failure or a
            timeout).
        code: the service's error code (``error.code`` of a Bot Framework error body), if any.
        body: the response body as text (empty when there was none).
        method: the HTTP method of the call.
        url: the URL called.
        retry_after: seconds the service asked to wait before calling again (its
            ``Retry-After`` on a 429 or 503), if it said.
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
    ) -> None:
        # Not super(): in ServiceResponseError the next class is aiohttp's error, whose
        # __init__ takes other arguments (that subclass calls it itself).
        HostingError.__init__(self, message)
        self.status = status
        self.code = code
        self.body = body
        self.method = method
        self.url = url
        self.retry_after = retry_after


class OutboundRequestRefusedError(HostingError):
    """An outbound call was refused before any request (or token) left the process.

    Attributes:
        url: the URL that was refused.
        reason: why (not https, host not allowed, not the token's serviceUrl, ...).
    """

    def __init__(self, message: str, *, url: str, reason: str) -> None:
        super().__init__(message)
        self.url = url
        self.reason = reason


class AuthenticationError(HostingError, PermissionError):
    """The caller could not be authenticated: no token, or a token that failed validation.

    The message is for logs; HTTP layers answer 401 with a fixed text, never this message.
    """


class AuthConfigurationError(HostingError, ValueError):
    """Authentication settings that cannot work; the message names the setting and the fix.

    Attributes:
        setting: the configuration key at fault, if one is.
    """

    def __init__(self, message: str, *, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting
