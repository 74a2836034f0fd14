"""Messages for settings that cannot be used (raised as ``ConfigurationError``)."""

from __future__ import annotations

from typing import Final

from ._message import ErrorMessage

__all__ = [
    "BAD_BOOLEAN",
    "BAD_FLOAT",
    "BAD_INTEGER",
    "CONFLICTING_LOG_LEVELS",
    "CONNECTIONS_MAP_ENTRY_NOT_SECTION",
    "EMPTY_SEGMENT",
    "LEAF_AND_PREFIX",
    "LOG_LEVEL_WITHOUT_LOGGER",
    "UNKNOWN_LOG_LEVEL",
]

UNKNOWN_LOG_LEVEL: Final = ErrorMessage(
    "{variable}={value!r} is not a log level; use one of {valid}",
    "CFG0001",
)
LEAF_AND_PREFIX: Final = ErrorMessage(
    "{leaf} and {nested} are both set, so {leaf} would be a value and a section at once; "
    "remove {leaf}, or move its value under a name of its own such as {leaf}__VALUE",
    "CFG0002",
)
EMPTY_SEGMENT: Final = ErrorMessage(
    "{variable} has an empty part (a '____' run, or a leading or trailing '__'); "
    "separate the parts with exactly one '__'",
    "CFG0003",
)
LOG_LEVEL_WITHOUT_LOGGER: Final = ErrorMessage(
    "{variable} does not name a logger; use LOGGING__LOGLEVEL__<logger>=<LEVEL>, "
    "with 'default' for the root logger (LOGGING__LOGLEVEL__default={value})",
    "CFG0004",
)
CONFLICTING_LOG_LEVELS: Final = ErrorMessage(
    "{first} and {second} both set the level of logger {logger!r}, to different levels; "
    "keep one of them",
    "CFG0005",
)
CONNECTIONS_MAP_ENTRY_NOT_SECTION: Final = ErrorMessage(
    "{variable} must not hold a value itself; set its fields instead, "
    "such as {variable}__SERVICEURL and {variable}__CONNECTION",
    "CFG0006",
)
BAD_BOOLEAN: Final = ErrorMessage(
    "{setting} must be a boolean (true/false, yes/no, on/off or 1/0), got {value!r}",
    "CFG0007",
)
BAD_INTEGER: Final = ErrorMessage(
    "{setting} must be a whole number, got {value!r}",
    "CFG0008",
)
BAD_FLOAT: Final = ErrorMessage(
    "{setting} must be a number, got {value!r}",
    "CFG0009",
)
