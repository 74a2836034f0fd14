"""Turn setting values (usually environment strings) into booleans and numbers.

:func:`~microsoft_agents.activity.config.load_configuration_from_env` keeps every value
as it was given, so ``"false"`` is still a (truthy) string. Code that reads a setting
converts it here, at the point of use, and gets a :class:`ConfigurationError` naming the
setting when the value makes no sense::

    >>> coerce_bool(" Yes ")
    True
    >>> coerce_int(None, default=3978)
    3978
    >>> coerce_bool("maybe", setting="AUTO_SIGN_IN")
    Traceback (most recent call last):
    ...
    microsoft_agents.activity._exceptions.ConfigurationError: AUTO_SIGN_IN must be a boolean ...

Rules shared by all three helpers:

* ``None`` and strings that are empty or only whitespace mean "not set" and give ``default``.
* Strings are stripped before they are read.
* Values already of the target type pass through. A ``bool`` is not accepted as a number.
"""

from __future__ import annotations

import math
from typing import overload

from microsoft_agents.activity._exceptions import ConfigurationError
from microsoft_agents.activity.errors import configuration_errors

__all__ = ["coerce_bool", "coerce_float", "coerce_int"]

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def _is_unset(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _fail(message: str, setting: str | None) -> ConfigurationError:
    return ConfigurationError(message, setting=setting)


@overload
def coerce_bool(value: object, *, default: bool = ..., setting: str | None = ...) -> bool: ...
@overload
def coerce_bool(value: object, *, default: None, setting: str | None = ...) -> bool | None: ...


def coerce_bool(
    value: object, *, default: bool | None = False, setting: str | None = None
) -> bool | None:
    """Read a boolean setting.

    Args:
        value: a ``bool``, or a string among ``1/true/yes/on`` and ``0/false/no/off``
            (any case, surrounding whitespace ignored).
        default: the result when ``value`` is ``None`` or blank.
        setting: the setting's name, used in the error message.

    Returns:
        The boolean, or ``default``.

    Raises:
        ConfigurationError: ``value`` is anything else (the number ``1`` included).
    """
    if isinstance(value, bool):
        return value
    if _is_unset(value):
        return default
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    message = configuration_errors.BAD_BOOLEAN.format(setting=setting or "the value", value=value)
    raise _fail(message, setting)


@overload
def coerce_int(value: object, *, default: int = ..., setting: str | None = ...) -> int: ...
@overload
def coerce_int(value: object, *, default: None, setting: str | None = ...) -> int | None: ...


def coerce_int(value: object, *, default: int | None = 0, setting: str | None = None) -> int | None:
    """Read a whole-number setting.

    Args:
        value: an ``int``, a ``float`` without a fractional part, or a string holding a
            base-10 integer (``"8080"``, ``" -5 "``, ``"1_000"``).
        default: the result when ``value`` is ``None`` or blank.
        setting: the setting's name, used in the error message.

    Returns:
        The integer, or ``default``.

    Raises:
        ConfigurationError: ``value`` is not a whole number (``"1.5"``, ``"ten"``, ``True``).
    """
    if _is_unset(value):
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    message = configuration_errors.BAD_INTEGER.format(setting=setting or "the value", value=value)
    raise _fail(message, setting)


@overload
def coerce_float(value: object, *, default: float = ..., setting: str | None = ...) -> float: ...
@overload
def coerce_float(value: object, *, default: None, setting: str | None = ...) -> float | None: ...


def coerce_float(
    value: object, *, default: float | None = 0.0, setting: str | None = None
) -> float | None:
    """Read a numeric setting.

    Args:
        value: an ``int`` or ``float``, or a string Python's ``float()`` reads
            (``"2.5"``, ``"1e3"``, ``"inf"``). NaN is refused: no setting means "not a
            number".
        default: the result when ``value`` is ``None`` or blank.
        setting: the setting's name, used in the error message.

    Returns:
        The number as a ``float``, or ``default``.

    Raises:
        ConfigurationError: ``value`` is not a number, is NaN, or is a ``bool``.
    """
    if _is_unset(value):
        return default
    result: float | None = None
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):
        try:
            result = float(value.strip() if isinstance(value, str) else value)
        except (ValueError, OverflowError):
            result = None
    if result is not None and not math.isnan(result):
        return result
    message = configuration_errors.BAD_FLOAT.format(setting=setting or "the value", value=value)
    raise _fail(message, setting)
