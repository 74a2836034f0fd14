"""Error messages and exception classes of ``microsoft_agents.activity``.

Every message the package raises is an :class:`ErrorMessage` constant with a stable code,
grouped by area: ``activity_errors`` (activities, channel ids, cards) and
``configuration_errors`` (settings). Catch the exception classes, log the code::

    from microsoft_agents.activity.errors import ConfigurationError, configuration_errors

    try:
        load_configuration_from_env(os.environ)
    except ConfigurationError as error:
        logger.error("bad setting %s: %s", error.setting, error)

    configuration_errors.UNKNOWN_LOG_LEVEL.code  # "CFG0001"

The exception classes are the same objects as at the package root.
"""

from __future__ import annotations

from microsoft_agents.activity._exceptions import (
    ActivityError,
    ActivityStateError,
    ConfigurationError,
    InvalidChannelIdError,
)

from . import _activity_errors as activity_errors
from . import _configuration_errors as configuration_errors
from ._message import ErrorMessage

__all__ = [
    "ActivityError",
    "ActivityStateError",
    "ConfigurationError",
    "ErrorMessage",
    "InvalidChannelIdError",
    "activity_errors",
    "configuration_errors",
]
