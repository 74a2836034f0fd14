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

import asyncio
import json
import logging
import sys
import warnings
from collections.abc import Mapping
from typing import Any

from aiohttp import HttpVersion11, web
from microsoft_agents.hosting.core import ClaimsIdentity, HttpResponse

__all__ = [
    "CLAIMS_IDENTITY_KEY",
    "DEFAULT_BODY_TIMEOUT",
    "AiohttpRequest",
    "give_up_body",
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


def give_up_body(request: web.Request) -> None:
    """Leave the rest of ``request``'s body unread and close the connection after the answer.

    aiohttp would otherwise read what is left after the answer, waiting up to its
    lingering time (10 s) for a body the client may never send; the answer should carry
    ``Connection: close`` (``force_close()``) so that the client does not reuse it.

    Args:
        request: the request whose body is given up.
    """
    request.content.feed_eof()
    protocol = request.protocol
    if protocol is not None:
        protocol.close()


DEFAULT_BODY_TIMEOUT = 30.0
"""Seconds a request body may take to arrive once its headers have (a slow sender holds a
connection and a handler for as long as it is waited for)."""


class AiohttpRequest:
    """An aiohttp ``web.Request`` seen through ``HttpRequestProtocol``.

    Args:
        request: the aiohttp request.
        max_body_bytes: the largest body worth reading; a longer one is cut one byte past
            the limit (the core then answers 413).
        body_timeout: seconds the rest of the body may take to arrive when the handler
            starts before all of it has (the core then answers 408); None waits as long
            as the client takes.
    """

    def __init__(
        self,
        request: web.Request,
        *,
        max_body_bytes: int | None = None,
        body_timeout: float | None = DEFAULT_BODY_TIMEOUT,
    ) -> None:
        self._request = request
        self._max_body_bytes = max_body_bytes
        self._body_timeout = body_timeout
        self._body: bytes | None = None
        self._stream_broken = False

    @property
    def method(self) -> str:
        """The HTTP method."""
        return self._request.method

    @property
    def headers(self) -> Mapping[str, str]:
        """The request headers (case-insensitive lookups)."""
        return self._request.headers

    async def body(self) -> bytes:
        """The raw body, read once and kept; cut one byte past ``max_body_bytes``.

        The body is read here, not with ``request.read()``: that one also enforces the
        application's ``client_max_size`` (1 MiB unless the application sets it), which
        would refuse bodies the adapter's own limit allows, with aiohttp's plain-text 413.

        Raises:
            ValueError: the body cannot be decoded as sent (a corrupt ``Content-Encoding``,
                a broken chunked encoding), or the client hung up before it ended. The
                connection is then closed once the answer is written: what follows on it
                cannot be trusted.
            TimeoutError: the body did not arrive within ``body_timeout``; the connection
                is closed after the answer too.
        """
        if self._body is None:
            limit, timeout = self._max_body_bytes, self._body_timeout
            try:
                if timeout is None or self._request.content.is_eof():
                    # The usual request: its whole body came with its headers.
                    self._body = await self._read_within(limit)
                else:
                    self._body = await self._read_before(timeout, limit)
            except web.RequestPayloadError as error:
                self._abandon_stream()
                reason = " ".join(str(error).split())  # aiohttp's text spans lines
                raise ValueError(f"the request body could not be read ({reason})") from None
            except ConnectionResetError:
                # The client hung up before its body was complete: nobody reads the answer.
                self._abandon_stream()
                logger.info("the client closed the connection before its request body ended")
                raise ValueError(
                    "the client closed the connection before its request body ended"
                ) from None
        return self._body

    async def _read_within(self, limit: int | None) -> bytes:
        content = self._request.content
        chunks: list[bytes] = []
        size = 0
        async for chunk in content.iter_any():
            chunks.append(chunk)
            size += len(chunk)
            if limit is not None and size > limit:
                break
        if not chunks:
            # Someone (another middleware) may have read the body already: aiohttp keeps it.
            return await self._request.read()
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    async def _read_before(self, timeout: float, limit: int | None) -> bytes:
        """:meth:`_read_within`, given up after ``timeout`` seconds (TimeoutError).

        The deadline cancels the handler's own task, as ``asyncio.timeout`` does (which
        Python 3.10 lacks); a timer costs less than a task to run the read in.
        """
        task = asyncio.current_task()
        if task is None:
            return await self._read_within(limit)
        expired = False

        def expire() -> None:
            nonlocal expired
            expired = True
            task.cancel()

        timer = asyncio.get_running_loop().call_later(timeout, expire)
        try:
            return await self._read_within(limit)
        except asyncio.CancelledError:
            if not expired:
                raise
            if sys.version_info >= (3, 11):
                task.uncancel()  # the cancellation was this deadline's, and it is handled
            self._abandon_stream()
            raise TimeoutError(f"the request body did not arrive within {timeout:g} s") from None
        finally:
            timer.cancel()

    def _abandon_stream(self) -> None:
        # Reading the broken stream again after the answer would raise the same error and
        # log it as unhandled; the answer says the connection closes (see respond).
        self._stream_broken = True
        give_up_body(self._request)

    def respond(self, response: HttpResponse) -> web.Response:
        """The aiohttp response carrying ``response`` (see :func:`to_web_response`).

        After a body that could not be read it carries ``Connection: close``.
        """
        web_response = to_web_response(response)
        if self._stream_broken:
            web_response.force_close()
        return web_response

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

    def get_query_param(self, name: str) -> str | None:
        """A parameter of the query string (the first one of that name), or None."""
        return self._request.query.get(name)

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


async def write_streamed(request: web.Request, response: HttpResponse) -> web.Response:
    """Write a streamed answer of the HTTP core chunk by chunk, as the chunks come.

    The answer is a :class:`aiohttp.web.Response` sent with chunked encoding, so that a
    route handler's ``-> web.Response`` holds for every answer. HTTP/1.0 has no chunked
    encoding: such a client gets the whole stream as one body once the turn is done.

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
    web_response = web.Response(status=response.status_code, headers=response.headers)
    if response.content_type is not None:
        web_response.content_type = response.content_type
    try:
        if request.version < HttpVersion11:
            web_response.body = b"".join([chunk async for chunk in stream])
            return web_response
        web_response.enable_chunked_encoding()
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
