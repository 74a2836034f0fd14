"""``HttpRequestProtocol``: the little the SDK needs to know about an incoming HTTP request.

The HTTP core of the SDK (:class:`~microsoft_agents.hosting.core.HttpAdapterBase` and
:class:`~microsoft_agents.hosting.core.http.ChannelServiceRoutes`) never imports a web
framework. A framework package wraps its own request object in something with this shape
(aiohttp's ``web.Request``, Starlette's ``Request``, ...) and hands it over::

    class StarletteRequest:
        def __init__(self, request: starlette.requests.Request) -> None:
            self._request = request
            self.method = request.method
            self.headers = request.headers

        async def json(self) -> object:
            return await self._request.json()

        async def body(self) -> bytes:
            return await self._request.body()

        def get_claims_identity(self) -> ClaimsIdentity | None:
            return self._request.state.claims_identity

        def get_path_param(self, name: str) -> str:
            return self._request.path_params[name]

``get_claims_identity()`` returns what the framework's JWT middleware verified (an empty
``ClaimsIdentity`` for an allowed anonymous request), or None when no middleware ran.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from microsoft_agents.hosting.core.authorization import ClaimsIdentity

__all__ = ["HttpRequestProtocol"]


@runtime_checkable
class HttpRequestProtocol(Protocol):
    """An incoming HTTP request, as the framework-neutral HTTP core reads it."""

    @property
    def method(self) -> str:
        """The HTTP method (``POST``, ``GET``, ...)."""
        ...

    @property
    def headers(self) -> Mapping[str, str]:
        """The request headers; lookups should ignore case."""
        ...

    async def json(self) -> Any:
        """The body parsed as JSON."""
        ...

    async def body(self) -> bytes:
        """The raw body.

        Raises:
            ValueError: the body cannot be read as sent (a corrupt ``Content-Encoding``,
                a broken chunked encoding); the core answers 400.
            TimeoutError: the body did not arrive in time; the core answers 408.
        """
        ...

    def get_claims_identity(self) -> ClaimsIdentity | None:
        """The caller's verified claims, or None when no authentication ran."""
        ...

    def get_path_param(self, name: str) -> str:
        """A parameter of the matched route's path template (``conversation_id``, ...)."""
        ...
