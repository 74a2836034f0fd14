"""The turn pipeline of the Microsoft 365 Agents SDK (work in progress)."""

from ._agent import Agent
from ._channel_adapter import ChannelAdapter, OnTurnErrorHandler
from ._errors import (
    AdapterError,
    ApplicationError,
    ETagConflictError,
    HostingError,
    StateError,
    StorageError,
    StorageKeyError,
)
from ._middleware import Middleware, MiddlewareSet
from ._turn_context import TurnContext, TurnServices

__all__ = [
    "AdapterError",
    "Agent",
    "ApplicationError",
    "ChannelAdapter",
    "ETagConflictError",
    "HostingError",
    "Middleware",
    "MiddlewareSet",
    "OnTurnErrorHandler",
    "StateError",
    "StorageError",
    "StorageKeyError",
    "TurnContext",
    "TurnServices",
]
