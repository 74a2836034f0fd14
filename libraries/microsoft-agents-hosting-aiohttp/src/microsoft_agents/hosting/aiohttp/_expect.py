"""``Expect: 100-continue``: refuse a request before its body is sent, when its headers can.

A client may send its headers with ``Expect: 100-continue`` and wait for the server's
go-ahead before it sends the body (curl does for bodies above 1 MiB). aiohttp's default
answers ``100 Continue`` at once, before any middleware runs: a caller without a valid
token, or with a body the adapter will refuse anyway, would upload all of it first. The
handler here applies the checks that need no body first, in the order the request would
meet them: the bearer token (401), then the adapter's method, content type and size rules
(405, 415, 413). A refusal is the final answer and closes the connection (the body the
client holds back is never read); otherwise the client is told to go on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import HttpVersion11, web
from microsoft_agents.hosting.core import HttpAdapterBase

from ._agent_http_adapter import AgentHttpAdapter
from ._jwt_authorization import authenticate_request
from ._request import AiohttpRequest, give_up_body, to_web_response

__all__ = ["ExpectHandler", "expect_handler_for"]

ExpectHandler = Callable[[web.Request], Awaitable[web.StreamResponse | None]]

_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


def expect_handler_for(adapter: AgentHttpAdapter) -> ExpectHandler:
    """The ``expect_handler`` of a route served by ``adapter`` behind the JWT middleware.

    Args:
        adapter: the route's adapter; its own checks apply when it is an
            ``HttpAdapterBase`` (as ``CloudAdapter`` is).

    Returns:
        A coroutine function for ``router.add_post(..., expect_handler=...)``.
    """

    async def expect_continue(request: web.Request) -> web.StreamResponse | None:
        if request.version != HttpVersion11:
            return None  # HTTP/1.0 has no interim answers: the body simply follows
        expectation = request.headers.get("Expect", "")
        if expectation.lower() != "100-continue":
            refusal: web.StreamResponse | None = web.json_response(
                {"error": f"Unsupported expectation {expectation!r}: only 100-continue"},
                status=417,
            )
        else:
            refusal = await authenticate_request(request)
        if refusal is None and isinstance(adapter, HttpAdapterBase):
            answer = adapter.refusal_before_body(AiohttpRequest(request))
            refusal = None if answer is None else to_web_response(answer)
        if refusal is not None:
            give_up_body(request)
            refusal.force_close()
            return refusal
        await request.writer.write(_CONTINUE)
        # The interim answer is not part of the response whose size aiohttp reports.
        request.writer.output_size = 0
        return None

    return expect_continue
