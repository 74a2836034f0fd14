"""Timestamps that survive a parse and dump unchanged.

Channels send timestamps with up to seven fractional digits (``…05.9908157Z``), with ``Z`` or
with an offset; ``localTimestamp`` carries the sender's own offset, which the protocol says
must be kept. Python's ``datetime`` holds microseconds, so re-formatting a parsed value can
change the text a channel sent. :data:`WireDatetime` parses to a real, timezone-aware (when
the input has an offset) ``datetime``, and remembers the exact text it came from: dumping an
unchanged value writes that text back. A value the program creates is written in ISO-8601,
with ``Z`` for UTC.
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Annotated, Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

__all__ = ["WireDatetime", "format_datetime"]

_FAST_ISO = sys.version_info >= (3, 11)


class _ParsedDatetime(datetime):
    """A ``datetime`` that also holds the wire text it was parsed from."""

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
        return (_rebuild, (datetime.__reduce__(self)[1], self._wire_text))


def _rebuild(args: tuple[Any, ...], text: str) -> _ParsedDatetime:
    value = _ParsedDatetime(*args)
    value._wire_text = text
    return value


def format_datetime(value: datetime) -> str:
    """Write ``value`` as the protocol does: ISO-8601, ``Z`` for UTC, offsets kept."""
    text = getattr(value, "_wire_text", None)
    if text is not None:
        return str(text)
    iso = value.isoformat()
    if iso.endswith("+00:00"):
        return iso[:-6] + "Z"
    return iso


def _remember(value: Any, handler: core_schema.ValidatorFunctionWrapHandler) -> datetime:
    if not isinstance(value, str):
        parsed_other: datetime = handler(value)
        return parsed_other
    if _FAST_ISO:
        # Python 3.11+ parses every ISO-8601 form channels send ("Z", 7 fractional
        # digits, offsets) in C, straight into the subclass.
        try:
            fast = _ParsedDatetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if len(value) > 10:  # a bare date is left to pydantic's rules
                fast._wire_text = value
                return fast
    parsed: datetime = handler(value)
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
    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_wrap_validator_function(
            _remember,
            core_schema.datetime_schema(),
            serialization=core_schema.plain_serializer_function_ser_schema(
                format_datetime, when_used="json-unless-none"
            ),
        )


WireDatetime = Annotated[datetime, _WireDatetimeMarker]
"""A ``datetime`` field type that keeps the exact text it was parsed from."""
