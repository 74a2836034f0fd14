"""``HttpResponse`` and ``HttpResponseFactory``: what the HTTP core answers.

The framework-neutral HTTP core returns an :class:`HttpResponse`; a framework package turns
it into its own response type. ``body`` is a JSON value (None for no body, or raw
``bytes``); :meth:`HttpResponse.body_bytes` gives the bytes to write::

    response = await adapter.process_request(request, agent)
    return web.Response(
        status=response.status_code,
        body=response.body_bytes(),
        content_type=response.content_type,
        headers=response.headers,
    )

:class:`HttpResponseFactory` builds the answers the core uses; error answers carry a JSON
body ``{"error": "<message>"}`` whose message is safe to show to any caller (never an
exception text or a stack trace).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from microsoft_agents.activity import AgentsModel

__all__ = ["BodyStream", "HttpResponse", "HttpResponseFactory", "to_json_value"]

_JSON = "application/json"


def to_json_value(value: Any) -> Any:
    """``value`` with every model replaced by its wire JSON (camelCase, no nulls).

    Args:
        value: a model, a list or dict of them, or plain JSON data.

    Returns:
        Data that ``json.dumps`` accepts as long as the plain parts were JSON already.
    """
    if isinstance(value, AgentsModel):
        return value.to_wire(exclude_none=True)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, Mapping):
        return {key: to_json_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_value(item) for item in value]
    return value


class BodyStream(AsyncIterator[bytes]):
    """The body of a streamed answer: iterate for its chunks, ``aclose()`` when done."""

    async def aclose(self) -> None:
        """Stop producing chunks (the client went away, or everything was written)."""


def _encode_model(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return to_json_value(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


@dataclass
class HttpResponse:
    """An HTTP answer, independent of any web framework.

    Attributes:
        status_code: the HTTP status.
        body: a JSON value (dict, list, str, number, bool), raw ``bytes``, or None for
            an empty body.
        headers: extra response headers.
        content_type: the ``Content-Type``; None for none (the 202 of a normal activity).
        stream: for a streamed answer (``deliveryMode: stream``), the chunks of the body
            as they become available; ``body`` is then None. The framework writes each
            chunk as it comes and closes the stream (``aclose()``) when done or when the
            client goes away.
    """

    status_code: int
    body: Any = None
    headers: dict[str, str] | None = None
    content_type: str | None = _JSON
    stream: BodyStream | None = None

    def body_bytes(self) -> bytes:
        """The body as bytes: empty for None, as is for bytes, else compact JSON (UTF-8)."""
        if self.body is None:
            return b""
        if isinstance(self.body, (bytes, bytearray)):
            return bytes(self.body)
        # Models anywhere in the body are written in wire form as the encoder meets them.
        return json.dumps(self.body, separators=(",", ":"), default=_encode_model).encode()


class HttpResponseFactory:
    """Builders of the responses the HTTP core answers with."""

    @staticmethod
    def ok(body: Any = None) -> HttpResponse:
        """200 with an optional JSON body."""
        return HttpResponse(200, to_json_value(body))

    @staticmethod
    def accepted() -> HttpResponse:
        """202 with no body and no content type (a normal activity was processed)."""
        return HttpResponse(202, None, content_type=None)

    @staticmethod
    def json(body: Any, status_code: int = 200) -> HttpResponse:
        """``status_code`` with ``body`` as JSON (models are written in wire form)."""
        if isinstance(body, (dict, list)):
            # Plain JSON already (the usual case): no need to walk it; a model nested in it
            # is converted when the body is written.
            return HttpResponse(status_code, body)
        return HttpResponse(status_code, to_json_value(body))

    @staticmethod
    def _error(status_code: int, message: str) -> HttpResponse:
        return HttpResponse(status_code, {"error": message})

    @staticmethod
    def bad_request(message: str = "Bad Request") -> HttpResponse:
        """400 ``{"error": message}``."""
        return HttpResponseFactory._error(400, message)

    @staticmethod
    def unauthorized(message: str = "Unauthorized") -> HttpResponse:
        """401 ``{"error": message}``."""
        return HttpResponseFactory._error(401, message)

    @staticmethod
    def method_not_allowed(message: str = "Method Not Allowed") -> HttpResponse:
        """405 ``{"error": message}``."""
        return HttpResponseFactory._error(405, message)

    @staticmethod
    def request_timeout(message: str = "The request body did not arrive in time") -> HttpResponse:
        """408 ``{"error": message}``."""
        return HttpResponseFactory._error(408, message)

    @staticmethod
    def payload_too_large(message: str = "Request body is too large") -> HttpResponse:
        """413 ``{"error": message}``."""
        return HttpResponseFactory._error(413, message)

    @staticmethod
    def unsupported_media_type(
        message: str = "Unsupported Media Type: send application/json",
    ) -> HttpResponse:
        """415 ``{"error": message}``."""
        return HttpResponseFactory._error(415, message)

    @staticmethod
    def not_implemented() -> HttpResponse:
        """501 with an empty body (an invoke nobody answered)."""
        return HttpResponse(501, None)

    @staticmethod
    def internal_server_error(message: str = "Internal Server Error") -> HttpResponse:
        """500 ``{"error": message}``; the details belong in the log only."""
        return HttpResponseFactory._error(500, message)
