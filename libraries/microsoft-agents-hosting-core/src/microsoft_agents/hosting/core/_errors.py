"""Exceptions raised by ``microsoft_agents.hosting.core``.

The tree::

    HostingError                       root of everything this package raises itself
    ├── ApplicationError               an AgentApplication is misconfigured or misused
    ├── StateError                     (also a ValueError) state used in a way that would lose
    │                                  data: an unknown scope, an attribute that is not saved
    ├── StorageError                   a storage operation failed
    │   ├── StorageKeyError            (also a ValueError) a key that cannot be stored
    │   └── ETagConflictError          a write carried a stale e_tag; nothing was written
    └── AdapterError                   an adapter cannot do what was asked

Errors raised by a user's handler are not wrapped: they reach the adapter's
``on_turn_error`` (or the application's ``@app.error`` handler) as they were raised.
"""

from __future__ import annotations

__all__ = [
    "AdapterError",
    "ApplicationError",
    "ETagConflictError",
    "HostingError",
    "StateError",
    "StorageError",
    "StorageKeyError",
]


class HostingError(Exception):
    """Root of the exceptions this package raises."""


class ApplicationError(HostingError):
    """An ``AgentApplication`` was configured or used in a way it cannot work with."""


class StateError(HostingError, ValueError):
    """Turn state was used in a way that would lose data or cannot be resolved."""


class StorageError(HostingError):
    """A storage operation failed."""


class StorageKeyError(StorageError, ValueError):
    """A storage key was empty, not a string, or otherwise unusable."""


class ETagConflictError(StorageError):
    """A write was refused because the item changed since it was read.

    Attributes:
        key: the storage key whose write was refused.
    """

    def __init__(self, message: str, *, key: str) -> None:
        super().__init__(message)
        self.key = key


class AdapterError(HostingError):
    """The adapter cannot perform the requested operation."""
