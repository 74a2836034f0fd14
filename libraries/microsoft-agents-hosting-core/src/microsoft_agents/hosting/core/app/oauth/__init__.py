"""User sign-in: ``Authorization`` and ``AuthHandler`` (see :mod:`.authorization`)."""

from .authorization import AuthHandler, Authorization

__all__ = ["AuthHandler", "Authorization"]
