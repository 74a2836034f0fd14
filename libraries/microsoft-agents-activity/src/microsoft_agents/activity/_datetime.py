"""Timestamps that survive a parse and dump unchanged.

Channels send timestamps with up to seven fractional digits (``…05.9908157Z``), with ``Z`` or
with an offset; ``localTimestamp`` carries the sender's own offset, which the protocol says
must be kept. Python's ``datetime`` holds microseconds, so re-formatting a parsed value can
change the text a channel sent. :data:`WireDatetime` parses to a real, timezone-aware (when
the input has an offset) ``datetime``, and remembers the exact text it came from: dumping an
unchanged value writes that text back.

A value the program creates is written in ISO-8601. :data:`UtcDatetime` (``timestamp``,
``expiration``) writes it in UTC with a trailing ``Z``, as the protocol asks of senders;
:data:`WireDatetime` (``localTimestamp`` and the rest) keeps its offset. A naive
``datetime`` is taken, as Python's own ``astimezone`` takes it, to be the machine's local
time, and is written with that offset: no timestamp goes out without one.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from typing import Annotated, Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticKnownError, SchemaValidator, ValidationError, core_schema

__all__ = ["UtcDatetime", "WireDatetime", "format_datetime"]

_FAST_ISO = sys.version_info >= (3, 11)


class _ParsedDatetime(datetime):
    """A ``datetime`` that also holds the wire text it was parsed from.

    ``datetime`` arithmetic and ``replace`` give back an instance of the subclass, built
    without the text (a value that differs from the one parsed): ``_wire_text`` is then
    not set, and such a value formats, copies and pickles as a plain ``datetime``.
    """

    __slots__ = ("_wire_text",)

    _wire_text: str

    def __repr__(self) -> str:
        text = datetime.__repr__(self)
        return "datetime.datetime" + text[text.index("(") :]

    def __copy__(self) -> _ParsedDatetime:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> _ParsedDatetime:
        return self

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        state = datetime.__reduce__(self)[1]
        text = getattr(self, "_wire_text", None)
        if text is None:  # derived by arithmetic or ``replace``: nothing to remember
            return (datetime, state)
        return (_rebuild, (state, text))


def _rebuild(args: tuple[Any, ...], text: str) -> _ParsedDatetime:
    value = _ParsedDatetime(*args)
    value._wire_text = text
    return value


def format_datetime(value: datetime, *, utc: bool = False) -> str:
    """Write ``value`` as the protocol does: ISO-8601 with an explicit offset.

    A value parsed from the wire is written back exactly as it came. Otherwise a naive
    value gets the machine's local offset; with ``utc`` the value is converted to UTC.
    UTC is written ``Z``.
    """
    text = getattr(value, "_wire_text", None)
    if text is not None:
        return str(text)
    if utc:
        value = value.astimezone(timezone.utc)
    elif value.tzinfo is None or value.utcoffset() is None:
        value = value.astimezone()
    iso = value.isoformat()
    if iso.endswith("+00:00"):
        return iso[:-6] + "Z"
    return iso


def _format_utc(value: datetime) -> str:
    return format_datetime(value, utc=True)


# Validates whatever the fast path below does not handle, exactly as a plain ``datetime``
# field would.
_DATETIME = SchemaValidator(core_schema.datetime_schema())

_from_iso = datetime.fromisoformat
_state_of = datetime.__reduce__


def _remember(value: Any) -> datetime:
    # Performance: a plain validator, not a wrap validator, saves building a handler
    # object per call; the fallback reproduces the wrapped schema's result and errors.
    if _FAST_ISO and isinstance(value, str) and len(value) > 10:  # bare dates: pydantic's rules
        # Python 3.11+ parses every ISO-8601 form channels send ("Z", 7 fractional
        # digits, offsets) in C, straight into the subclass.
        try:
            plain = _from_iso(value)
        except ValueError:
            pass
        else:
            # Rebuilt from its pickled state, which the constructor reads in C: the
            # subclass's own fromisoformat calls it with eight arguments to parse, twice as
            # slow. (The state leaves out ``fold``, which an ISO string never sets.)
            fast = _ParsedDatetime(*_state_of(plain)[1])
            fast._wire_text = value
            return fast
    try:
        parsed: datetime = _DATETIME.validate_python(value)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        raise PydanticKnownError(error["type"], error.get("ctx")) from None  # type: ignore[arg-type]
    if not isinstance(value, str):
        return parsed
    wrapped = _ParsedDatetime(
        parsed.year,
        parsed.month,
        parsed.day,
        parsed.hour,
        parsed.minute,
        parsed.second,
        parsed.microsecond,
        parsed.tzinfo,
        fold=parsed.fold,
    )
    wrapped._wire_text = value
    return wrapped


class _WireDatetimeMarker:
    _utc = False

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            _remember,
            serialization=core_schema.plain_serializer_function_ser_schema(
                _format_utc if cls._utc else format_datetime, when_used="json-unless-none"
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        # The plain validator hides the type; describe the field as any datetime.
        return handler(core_schema.datetime_schema())


class _UtcDatetimeMarker(_WireDatetimeMarker):
    _utc = True


WireDatetime = Annotated[datetime, _WireDatetimeMarker]
"""A ``datetime`` field type that keeps the exact text it was parsed from."""

UtcDatetime = Annotated[datetime, _UtcDatetimeMarker]
"""Like :data:`WireDatetime`, but a value set in code is written in UTC (``...Z``)."""
