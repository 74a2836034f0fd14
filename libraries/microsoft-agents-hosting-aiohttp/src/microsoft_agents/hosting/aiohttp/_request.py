"""Translating between aiohttp's request/response types and the SDK's HTTP core.

The SDK's HTTP core (:class:`~microsoft_agents.hosting.core.HttpAdapterBase` and
:class:`~microsoft_agents.hosting.core.ChannelServiceRoutes`) knows nothing about aiohttp:
it reads requests through :class:`~microsoft_agents.hosting.core.HttpRequestProtocol` and
answers with an :class:`~microsoft_agents.hosting.core.HttpResponse`. This module holds
the two small translations that make aiohttp speak that language::

    wrapped = AiohttpRequest(request, max_body_bytes=adapter.max_body_bytes)
    answer = await adapter.process_request(wrapped, agent)
    return to_web_response(answer)

The body is read at most one byte past the limit, so an oversized request without a
``Content-Length`` (chunked) is still refused with 413 without buffering all of it.
The caller's identity is whatever the JWT middleware stored at
``request["claims_identity"]``; when no middleware ran it is None and the core decides
(anonymous in development mode, 401 when authentication is configured).
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from microsoft_agents.hosting.core import ClaimsIdentity, HttpResponse

__all__ = [
    "CLAIMS_IDENTITY_KEY",
    "AiohttpRequest",
    "set_claims_identity",
    "to_web_response",
    "write_streamed",
]

logger = logging.getLogger(__name__)

CLAIMS_IDENTITY_KEY = "claims_identity"
"""Where the JWT middleware stores the verified identity on the aiohttp request."""

# The string keys this process already stored on a request (see set_claims_identity).
_keys_stored: set[str] = set()


def set_claims_identity(request: web.Request, identity: ClaimsIdentity) -> None:
    """Store ``identity`` at ``request["claims_identity"]``.

    The plain string is the key users' handlers read. aiohttp 3.14 recommends typed
    ``web.RequestKey`` keys and warns (``NotAppKeyWarning``) the first time a process
    stores a string key on a request: an application running with warnings as errors
    (pytest's ``filterwarnings = error``) would fail its first authenticated request. The
    first store is made with that warning silenced; aiohttp does not warn again for the
    key, so later stores cost a plain assignment (silencing warnings touches the
    process-wide filters: not something to do on every request).

    Args:
        request: the request.
        identity: the caller's verified identity.
    """
    if CLAIMS_IDENTITY_KEY in _keys_stored:
        request[CLAIMS_IDENTITY_KEY] = identity
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        request[CLAIMS_IDENTITY_KEY] = identity
    _keys_stored.add(CLAIMS_IDENTITY_KEY)


class AiohttpRequest:
    """An aiohttp ``web.Request`` seen through ``HttpRequestProtocol``.

    Args:
        request: the aiohttp request.
        max_body_bytes: the largest body worth reading; a longer one is cut one byte past
            the limit (the core then answers 413).
    """

    def __init__(self, request: web.Request, *, max_body_bytes: int | None = None) -> None:
        self._request = request
        self._max_body_bytes = max_body_bytes
        self._body: bytes | None = None

    @property
    def method(self) -> str:
        """The HTTP method."""
        return self._request.method

    @property
    def headers(self) -> Mapping[str, str]:
        """The request headers (case-insensitive lookups)."""
        return self._request.headers

    async def body(self) -> bytes:
        """The raw body, read once and kept; cut one byte past ``max_body_bytes``."""
        if self._body is None:
            limit = self._max_body_bytes
            declared = self._request.content_length
            if limit is None or (declared is not None and declared <= limit):
                # aiohttp stops at the declared length: the body cannot be longer than that.
                self._body = await self._request.read()
            else:
                self._body = await self._read_within(limit)
        return self._body

    async def _read_within(self, limit: int) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in self._request.content.iter_any():
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                break
        if not chunks:
            # Someone (another middleware) may have read the body already: aiohttp keeps it.
            return await self._request.read()
        return b"".join(chunks)

    async def json(self) -> Any:
        """The body parsed as JSON.

        Raises:
            ValueError: the body is not JSON.
        """
        return json.loads(await self.body())

    def get_claims_identity(self) -> ClaimsIdentity | None:
        """The identity the JWT middleware verified, or None when it did not run."""
        identity = self._request.get(CLAIMS_IDENTITY_KEY)
        return identity if isinstance(identity, ClaimsIdentity) else None

    def get_path_param(self, name: str) -> str:
        """A parameter of the matched route (``conversation_id``, ...).

        Raises:
            KeyError: the route has no such parameter.
        """
        return self._request.match_info[name]


def to_web_response(response: HttpResponse) -> web.Response:
    """Turn the HTTP core's answer into an aiohttp response.

    A JSON body is written compactly with its content type; no body gives an empty
    response carrying the status (and the content type only when the core set one).

    Args:
        response: the core's answer.

    Returns:
        The aiohttp response to return from the handler.
    """
    headers = dict(response.headers) if response.headers else None
    content_type = response.content_type
    if content_type is not None and ";" in content_type:
        # aiohttp's content_type argument takes a bare media type; keep parameters as is.
        headers = {**(headers or {}), "Content-Type": content_type}
        content_type = None
    if response.body is None:
        web_response = web.Response(status=response.status_code, headers=headers)
        if content_type is not None:
            web_response.content_type = content_type
        return web_response
    return web.Response(
        status=response.status_code,
        body=response.body_bytes(),
        content_type=content_type,
        headers=headers,
    )


async def write_streamed(request: web.Request, response: HttpResponse) -> web.StreamResponse:
    """Write a streamed answer of the HTTP core chunk by chunk, as the chunks come.

    When the client goes away (the write fails, or aiohttp cancels the handler) the
    stream is closed, which stops the turn that feeds it.

    Args:
        request: the request being answered.
        response: the core's answer; its ``stream`` holds the chunks.

    Returns:
        The prepared and finished aiohttp response.
    """
    stream = response.stream
    assert stream is not None
    web_response = web.StreamResponse(status=response.status_code, headers=response.headers)
    if response.content_type is not None:
        web_response.content_type = response.content_type
    try:
        await web_response.prepare(request)
        async for chunk in stream:
            await web_response.write(chunk)
        await web_response.write_eof()
    except (ConnectionError, RuntimeError) as error:
        # RuntimeError: aiohttp refuses writes once the connection is closing.
        logger.info("the client of a streamed answer went away (%s)", type(error).__name__)
    finally:
        await stream.aclose()
    return web_response
