"""Reading and checking request bodies, shared by the HTTP adapter and the callback routes.

Everything here turns bad input into a clear 4xx :class:`HttpResponse` (raised inside a
:class:`RequestRejected`), never into a 500: an oversized body is 413, a body that is not
JSON is 400, a body that is not a valid model is 400 naming the field at fault.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ._request import HttpRequestProtocol
from ._response import HttpResponse, HttpResponseFactory

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "INVALID_JSON",
    "UNREADABLE_BODY",
    "RequestRejected",
    "check_headers",
    "describe_validation_error",
    "parse_model",
    "parse_model_json",
    "read_body",
    "read_json_body",
]

DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024
"""The default largest request body accepted: 4 MiB (activities with inline attachments)."""

INVALID_JSON = "Invalid JSON or unsupported Content-Type"
UNREADABLE_BODY = "The request body could not be read (check its Content-Encoding)"

logger = logging.getLogger(__name__)

_ModelT = TypeVar("_ModelT", bound=BaseModel)
_MAX_REPORTED_ERRORS = 3
_MAX_DETAILED_ERRORS = 1000

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# RecursionError: nesting deeper than the interpreter's stack (pydantic's parser refuses
# such bodies as invalid JSON too).
_NOT_JSON = (UnicodeDecodeError, ValueError, RecursionError)


class RequestRejected(Exception):  # noqa: N818 - a control-flow signal, not an error
    """The request cannot be processed; ``response`` is the 4xx answer to give."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


def _header(request: HttpRequestProtocol, name: str) -> str | None:
    headers = request.headers
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        for key, item in headers.items():
            if key.lower() == lowered:
                return item
    return value


@functools.lru_cache(maxsize=64)
def _is_json_media_type(content_type: str) -> bool:
    # application/json, its +json variants, and text/json (which the Connector API also
    # lists for its request bodies).
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type in _JSON_MEDIA_TYPES or media_type.endswith("+json")


_JSON_MEDIA_TYPES = frozenset({"application/json", "text/json"})


def check_headers(
    request: HttpRequestProtocol,
    max_bytes: int = DEFAULT_MAX_BODY_BYTES,
    *,
    require_json_content_type: bool = False,
) -> None:
    """Refuse a request whose headers alone rule its body out, before any of it is read.

    Args:
        request: the request.
        max_bytes: the largest body accepted.
        require_json_content_type: answer 415 when a ``Content-Type`` is given and it is
            not JSON (a missing one is accepted).

    Raises:
        RequestRejected: 415 for a non-JSON content type (when required), 413 for a
            ``Content-Length`` above ``max_bytes``.
    """
    if require_json_content_type:
        content_type = _header(request, "Content-Type")
        if content_type and not _is_json_media_type(content_type):
            raise RequestRejected(HttpResponseFactory.unsupported_media_type())
    declared = _header(request, "Content-Length")
    if declared is not None:
        declared = declared.strip()
        # ASCII digits only ("²" is a digit to str.isdigit, and int() refuses it); a number
        # too long for int() is too large anyway.
        is_number = declared.isascii() and declared.isdigit()
        if is_number and (len(declared) > 18 or int(declared) > max_bytes):
            raise RequestRejected(HttpResponseFactory.payload_too_large())


async def read_body(
    request: HttpRequestProtocol,
    max_bytes: int = DEFAULT_MAX_BODY_BYTES,
    *,
    require_json_content_type: bool = False,
) -> bytes:
    """Read the request body, within a size limit.

    Args:
        request: the request.
        max_bytes: the largest body accepted.
        require_json_content_type: answer 415 when a ``Content-Type`` is given and it is
            not JSON (a missing one is accepted).

    Returns:
        The body, never empty.

    Raises:
        RequestRejected: 413 for an oversized body, 415 for a non-JSON content type
            (when required), 400 for an empty or unreadable body, 408 for a body that
            did not arrive in time.
    """
    check_headers(request, max_bytes, require_json_content_type=require_json_content_type)
    try:
        raw = await request.body()
    except ValueError as error:
        logger.info("refused a request: %s", error)
        raise RequestRejected(HttpResponseFactory.bad_request(UNREADABLE_BODY)) from error
    except TimeoutError as error:
        logger.info("refused a request: %s", error)
        raise RequestRejected(HttpResponseFactory.request_timeout()) from error
    if len(raw) > max_bytes:
        raise RequestRejected(HttpResponseFactory.payload_too_large())
    if not raw.strip():
        raise RequestRejected(HttpResponseFactory.bad_request(INVALID_JSON))
    return raw


async def read_json_body(
    request: HttpRequestProtocol,
    max_bytes: int = DEFAULT_MAX_BODY_BYTES,
    *,
    require_json_content_type: bool = False,
) -> Any:
    """Read the request body and parse it as JSON, within a size limit.

    Args:
        request: the request.
        max_bytes: the largest body accepted.
        require_json_content_type: answer 415 when a ``Content-Type`` is given and it is
            not JSON (a missing one is accepted).

    Returns:
        The parsed JSON value.

    Raises:
        RequestRejected: 413 for an oversized body, 415 for a non-JSON content type
            (when required), 400 for an empty or malformed body.
    """
    raw = await read_body(request, max_bytes, require_json_content_type=require_json_content_type)
    try:
        return _json_value(raw)
    except _NOT_JSON as error:
        raise RequestRejected(HttpResponseFactory.bad_request(INVALID_JSON)) from error


def describe_validation_error(error: ValidationError, what: str) -> str:
    """A message naming the fields at fault, without echoing the values sent.

    Args:
        error: pydantic's error.
        what: the name of the model, for the message (``"activity"``).

    Returns:
        ``"Invalid <what>: field 'a.b': <reason>; ..."``.
    """
    count = error.error_count()
    if count > _MAX_DETAILED_ERRORS:
        # errors() builds every error (seconds and gigabytes for a body of a million bad
        # list items); so many problems need no details.
        return f"Invalid {what}: {count} values are invalid"
    parts = []
    for item in error.errors()[:_MAX_REPORTED_ERRORS]:
        # pydantic's own steps (``tagged-union[Entity,Mention,...]``) are no part of the
        # caller's JSON: the path names only its keys and indexes.
        names = (str(part) for part in item.get("loc", ()))
        location = ".".join(name for name in names if "[" not in name) or "<root>"
        parts.append(f"field '{location}': {item.get('msg', 'invalid value')}")
    more = count - _MAX_REPORTED_ERRORS
    if more > 0:
        parts.append(f"and {more} more")
    return f"Invalid {what}: " + "; ".join(parts)


_UTF8_BOM = b"\xef\xbb\xbf"


def _without_bom(raw: bytes) -> bytes:
    """``raw`` without the one UTF-8 byte order mark it may start with.

    RFC 8259 §8.1 lets a parser ignore a byte order mark, and some clients (.NET and
    PowerShell writers) put one before the JSON. Only one: a second is not JSON.
    """
    return raw[len(_UTF8_BOM) :] if raw.startswith(_UTF8_BOM) else raw


def parse_model_json(model: type[_ModelT], raw: bytes, what: str) -> _ModelT:
    """Parse and validate ``raw`` JSON as ``model`` in one step (pydantic reads the bytes).

    One UTF-8 byte order mark before the JSON is ignored.

    Raises:
        RequestRejected: 400 ``INVALID_JSON`` for text that is not JSON, 400 "must be a
            JSON object" for other JSON values, 400 naming the fields at fault otherwise.
    """
    try:
        # The validator itself: model_validate_json with its default arguments.
        return model.__pydantic_validator__.validate_json(  # type: ignore[no-any-return]
            _without_bom(raw)
        )
    except ValidationError as error:
        problems = error.errors()
        if any(p.get("type") == "json_invalid" for p in problems):
            # pydantic's parser refuses half of a surrogate pair; Python's reads it.
            if _SURROGATE_ESCAPE.search(raw) is not None:
                try:
                    repaired = _json_value(raw)
                except _NOT_JSON:
                    pass
                else:
                    logger.info("read the %s with unpaired UTF-16 surrogates as U+FFFD", what)
                    return parse_model(model, repaired, what)
            raise RequestRejected(HttpResponseFactory.bad_request(INVALID_JSON)) from error
        if any(not p.get("loc") and p.get("type") == "model_type" for p in problems):
            raise RequestRejected(
                HttpResponseFactory.bad_request(f"The {what} must be a JSON object")
            ) from error
        raise RequestRejected(
            HttpResponseFactory.bad_request(describe_validation_error(error, what))
        ) from error


def _json_value(raw: bytes) -> Any:
    """The JSON value of ``raw``, each unpaired surrogate read as U+FFFD.

    One UTF-8 byte order mark is ignored (``json.loads`` of bytes does that). A sender that
    cuts a text inside an emoji (JavaScript's ``slice`` works on UTF-16 code units) sends
    half of its surrogate pair, such as ``"\\ud83d"``: valid JSON text, which the user's
    message is read from with a replacement character there, as a browser shows it.

    Raises:
        UnicodeDecodeError, ValueError, RecursionError: ``raw`` is not JSON.
    """
    value = json.loads(raw)
    return _replace_surrogates(value) if _SURROGATE_ESCAPE.search(raw) is not None else value


def _replace_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_replace_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_replace_surrogates(k): _replace_surrogates(v) for k, v in value.items()}
    return value


def parse_model(model: type[_ModelT], payload: Any, what: str) -> _ModelT:
    """Validate ``payload`` as ``model``.

    Raises:
        RequestRejected: 400 naming the fields at fault.
    """
    if not isinstance(payload, dict):
        raise RequestRejected(HttpResponseFactory.bad_request(f"The {what} must be a JSON object"))
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        raise RequestRejected(
            HttpResponseFactory.bad_request(describe_validation_error(error, what))
        ) from error
