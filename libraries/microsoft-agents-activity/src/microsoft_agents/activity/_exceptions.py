"""Exceptions raised by ``microsoft_agents.activity``.

The tree::

    ActivityError                      root of everything this package raises itself
    ├── InvalidChannelIdError          (also a ValueError) a channel id that cannot be parsed
    ├── ConfigurationError             (also a ValueError) a setting that cannot be used
    └── ActivityStateError             (also a ValueError) an operation the activity's
                                       current content does not allow

Malformed wire input surfaces as pydantic's ``ValidationError`` (itself a ``ValueError``),
which names the field at fault; code that validates payloads catches that.
"""

from __future__ import annotations

__all__ = [
    "ActivityError",
    "ActivityStateError",
    "ConfigurationError",
    "InvalidChannelIdError",
]


class ActivityError(Exception):
    """Root of the exceptions this package raises."""


class InvalidChannelIdError(ActivityError, ValueError):
    """A channel id was empty, or was given both as a whole and in parts."""


class ConfigurationError(ActivityError, ValueError):
    """A configuration value could not be used; the message names the setting."""

    def __init__(self, message: str, *, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting


class ActivityStateError(ActivityError, ValueError):
    """The activity's content does not allow the requested operation."""
