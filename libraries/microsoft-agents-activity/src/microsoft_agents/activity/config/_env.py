"""Read the SDK's settings from environment variables.

Settings are nested; an environment variable spells the path to one value with ``__``
between the parts. :func:`load_configuration_from_env` turns the variables back into
nested dicts::

    CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID=00000000-0000-0000-0000-000000000001
    CONNECTIONSMAP__0__SERVICEURL=*
    CONNECTIONSMAP__0__CONNECTION=SERVICE_CONNECTION
    LOGGING__LOGLEVEL__microsoft_agents=INFO

gives::

    {
        "AGENTAPPLICATION": {},
        "CONNECTIONS": {
            "SERVICE_CONNECTION": {
                "SETTINGS": {"CLIENTID": "00000000-0000-0000-0000-000000000001"}
            }
        },
        "CONNECTIONSMAP": [{"SERVICEURL": "*", "CONNECTION": "SERVICE_CONNECTION"}],
    }

and sets the level of the ``microsoft_agents`` logger to ``INFO``, with a console handler
of its own, so that its records are printed even when the application configured no
logging.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from microsoft_agents.activity._exceptions import ConfigurationError
from microsoft_agents.activity.errors import configuration_errors

__all__ = ["load_configuration_from_env"]

logger = logging.getLogger(__name__)

_SEPARATOR = "__"
_AGENT_APPLICATION = "AGENTAPPLICATION"
_CONNECTIONS = "CONNECTIONS"
_CONNECTIONS_MAP = "CONNECTIONSMAP"
_RETURNED_ROOTS = frozenset({_AGENT_APPLICATION, _CONNECTIONS, _CONNECTIONS_MAP})
_LOGGING = "LOGGING"
_LOG_LEVEL = "LOGLEVEL"
_ROOT_LOGGER_ALIAS = "default"
_INDEX = re.compile(r"[0-9]+")

# Level names as .NET-style configuration writes them, plus Python's own.
_LEVELS: dict[str, int] = {
    "CRITICAL": logging.CRITICAL,
    "FATAL": logging.FATAL,
    "ERROR": logging.ERROR,
    "WARN": logging.WARNING,
    "WARNING": logging.WARNING,
    "INFO": logging.INFO,
    "INFORMATION": logging.INFO,
    "DEBUG": logging.DEBUG,
    "NOTSET": logging.NOTSET,
}

_Path = tuple[str, ...]

_CONSOLE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# The name of the console handlers added here: loading again finds them by it and adds no
# second one.
_CONSOLE_HANDLER_NAME = "microsoft_agents.activity.config:console"


def _console_handler() -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_CONSOLE_HANDLER_NAME)
    handler.setFormatter(logging.Formatter(_CONSOLE_FORMAT))
    return handler


def load_configuration_from_env(env_vars: Mapping[str, Any]) -> dict[str, Any]:
    """Build the SDK's settings from environment-style variables.

    Rules:

    * Each name is split on ``"__"``; the parts become nested dict keys with their case
      kept, and the value is stored as given (never converted: ``"false"`` stays a
      string; see :mod:`microsoft_agents.activity.config._coercion` for reading it).
    * Only the roots ``AGENTAPPLICATION``, ``CONNECTIONS`` and ``CONNECTIONSMAP`` are
      returned, always all three (``{}``, ``{}`` and ``[]`` when unset; new objects on
      every call). Root names match exactly, upper case. Variables under any other root
      (``PATH``, ``PORT``, ``COPILOTSTUDIOAGENT__...``) are skipped and never cause an
      error; a variable named just ``CONNECTIONS`` (no ``__``) is skipped too.
    * ``CONNECTIONSMAP__<index>__<FIELD>`` variables become a list with one dict per
      index. Indexes made of digits come first, in numeric order (``2, 0, 10, 1`` gives
      ``0, 1, 2, 10``); any other indexes follow in the order first seen.
    * A name that is both a value and a section (``CONNECTIONS__A=1`` together with
      ``CONNECTIONS__A__B=2``) raises :class:`ConfigurationError` naming both variables,
      whatever order they come in.
    * A name under the three roots or ``LOGGING`` with an empty part (``A____B``, a
      trailing ``__``) raises :class:`ConfigurationError`: such a name is a typo, and
      skipping it would silently lose the setting.
    * ``LOGGING__LOGLEVEL__<logger>=<LEVEL>`` sets the level of a Python logger and
      makes its records visible. The logger name is lower-cased, further ``__`` in it
      become dots (``LOGGING__LOGLEVEL__microsoft_agents__hosting`` is
      ``microsoft_agents.hosting``) and ``default`` means the root logger. Levels are
      ``CRITICAL``, ``FATAL``, ``ERROR``, ``WARN``, ``WARNING``, ``INFO``,
      ``INFORMATION`` (= ``INFO``), ``DEBUG`` and ``NOTSET``, in any case. A named
      logger gets a console handler of its own (stderr, ``time level name: message``)
      and stops propagating, so each record is printed once; loading again adds no
      second handler. The root logger gets the level, and the same console handler
      only when it has no handler at all. Other ``LOGGING__...`` variables are skipped.

    Every check runs before any logger is touched, so a failing call changes nothing.

    Args:
        env_vars: the variables, for example ``os.environ`` or a plain dict.

    Returns:
        ``{"AGENTAPPLICATION": dict, "CONNECTIONS": dict, "CONNECTIONSMAP": list}``.

    Raises:
        ConfigurationError: a name clash, an empty name part, a ``CONNECTIONSMAP`` entry
            given a value of its own, or an unusable ``LOGGING__LOGLEVEL`` variable. The
            message names the variable and how to fix it; ``setting`` holds its name.
    """
    settings: dict[_Path, tuple[str, Any]] = {}
    log_levels: list[tuple[str, Any]] = []
    for name, value in env_vars.items():
        parts = tuple(name.split(_SEPARATOR))
        root = parts[0]
        if root not in _RETURNED_ROOTS and root != _LOGGING:
            if len(parts) > 1:
                _warn_if_misspelled(name, root)
            continue
        if len(parts) == 1:
            logger.debug("skipping %s: a root name on its own holds no setting", name)
            continue
        if "" in parts:
            raise ConfigurationError(
                configuration_errors.EMPTY_SEGMENT.format(variable=name), setting=name
            )
        if root == _LOGGING:
            if parts[1] == _LOG_LEVEL:
                log_levels.append((name, value))
            else:
                logger.debug("skipping %s: only LOGGING__LOGLEVEL__<logger> is read", name)
            continue
        settings[parts] = (name, value)

    _check_leaf_and_prefix(settings)
    tree = _build_tree(settings)
    levels = _parse_log_levels(log_levels)

    config: dict[str, Any] = {
        _AGENT_APPLICATION: tree.get(_AGENT_APPLICATION, {}),
        _CONNECTIONS: tree.get(_CONNECTIONS, {}),
        _CONNECTIONS_MAP: _connections_map(tree.get(_CONNECTIONS_MAP, {})),
    }
    for logger_name, level in levels.items():
        _apply_log_level(logger_name, level)
    return config


def _apply_log_level(logger_name: str, level: int) -> None:
    """Set a logger's level and give it console output (protocol §15.1)."""
    if logger_name == _ROOT_LOGGER_ALIAS:
        target = logging.getLogger()
        if not target.handlers:
            target.addHandler(_console_handler())
    else:
        target = logging.getLogger(logger_name)
        if not any(handler.get_name() == _CONSOLE_HANDLER_NAME for handler in target.handlers):
            target.addHandler(_console_handler())
        target.propagate = False
    target.setLevel(level)
    logger.debug("log level of %r set to %s", logger_name, logging.getLevelName(level))


def _warn_if_misspelled(name: str, root: str) -> None:
    """Warn about a variable skipped because its root is a near miss of one the SDK reads
    (``CONNECTION__SERVICE_CONNECTION__...``, ``Connections__...``): losing it silently
    would leave the agent without its identity, in development mode."""
    upper = root.upper()
    if not upper.startswith(("CONN", "AGENT", "LOG")):  # the only roots with near misses
        return
    import difflib  # only here: start-up reads this module, and a near miss is rare

    close = difflib.get_close_matches(upper, [*_RETURNED_ROOTS, _LOGGING], n=1, cutoff=0.85)
    if close:
        logger.warning(
            "the variable %s is not read: its first part %r is not a root of the SDK's "
            "configuration; did you mean %s (upper case, as written)?",
            name,
            root,
            close[0],
        )


def _check_leaf_and_prefix(settings: Mapping[_Path, tuple[str, Any]]) -> None:
    # Sorting by variable name makes the reported pair the same for any input order.
    for path, (name, _) in sorted(settings.items(), key=lambda item: item[1][0]):
        for end in range(2, len(path)):
            clash = settings.get(path[:end])
            if clash is not None:
                leaf = clash[0]
                raise ConfigurationError(
                    configuration_errors.LEAF_AND_PREFIX.format(leaf=leaf, nested=name),
                    setting=leaf,
                )


def _build_tree(settings: Mapping[_Path, tuple[str, Any]]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path, (_, value) in settings.items():
        node = tree
        for key in path[:-1]:
            # No clashes are left, so every inner node is a dict.
            node = node.setdefault(key, {})
        node[path[-1]] = value
    return tree


def _connections_map(entries: Mapping[str, Any]) -> list[dict[str, Any]]:
    def order(item: tuple[int, tuple[str, Any]]) -> tuple[int, int]:
        seen, (index, _) = item
        return (0, int(index)) if _INDEX.fullmatch(index) else (1, seen)

    result: list[dict[str, Any]] = []
    # sorted() is stable: equal numbers ("1", "01") keep the order they were seen in.
    for _, (index, entry) in sorted(enumerate(entries.items()), key=order):
        if not isinstance(entry, dict):
            variable = f"{_CONNECTIONS_MAP}{_SEPARATOR}{index}"
            raise ConfigurationError(
                configuration_errors.CONNECTIONS_MAP_ENTRY_NOT_SECTION.format(variable=variable),
                setting=variable,
            )
        result.append(entry)
    return result


def _parse_log_levels(variables: Iterable[tuple[str, Any]]) -> dict[str, int]:
    chosen: dict[str, tuple[str, int]] = {}
    for name, value in sorted(variables, key=lambda item: item[0]):
        logger_parts = name.split(_SEPARATOR)[2:]
        if not logger_parts:
            raise ConfigurationError(
                configuration_errors.LOG_LEVEL_WITHOUT_LOGGER.format(variable=name, value=value),
                setting=name,
            )
        logger_name = ".".join(logger_parts).lower()
        level = _LEVELS.get(value.strip().upper()) if isinstance(value, str) else None
        if level is None:
            raise ConfigurationError(
                configuration_errors.UNKNOWN_LOG_LEVEL.format(
                    variable=name, value=value, valid=", ".join(_LEVELS)
                ),
                setting=name,
            )
        earlier = chosen.get(logger_name)
        if earlier is not None and earlier[1] != level:
            raise ConfigurationError(
                configuration_errors.CONFLICTING_LOG_LEVELS.format(
                    first=earlier[0], second=name, logger=logger_name
                ),
                setting=name,
            )
        chosen[logger_name] = (name, level)
    return {logger_name: level for logger_name, (_, level) in chosen.items()}
