"""The keys under which the aiohttp application holds the agent's objects.

aiohttp recommends typed ``web.AppKey`` objects for application state; the SDK's
samples (and upstream) use plain strings (``app["agent_configuration"]``). Both work:
:func:`~microsoft_agents.hosting.aiohttp.create_app` stores each object under its
``AppKey`` and under its string name, and the JWT middleware looks the configuration up
by key first, then by string.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from aiohttp import web
from microsoft_agents.hosting.core import Agent, AgentAuthConfiguration

if TYPE_CHECKING:
    from microsoft_agents.hosting.core.authorization import JwtTokenValidator

from ._agent_http_adapter import AgentHttpAdapter

__all__ = [
    "ADAPTER",
    "ADAPTER_KEY",
    "AGENT_APP",
    "AGENT_APP_KEY",
    "AGENT_CONFIGURATION",
    "AGENT_CONFIGURATION_KEY",
    "JWT_VALIDATOR_KEY",
    "lookup",
]

_T = TypeVar("_T")

AGENT_CONFIGURATION = "agent_configuration"
AGENT_APP = "agent_app"
ADAPTER = "adapter"

AGENT_CONFIGURATION_KEY = web.AppKey(AGENT_CONFIGURATION, AgentAuthConfiguration)
"""The ``AgentAuthConfiguration`` the JWT middleware validates tokens against."""

AGENT_APP_KEY = web.AppKey[Agent](AGENT_APP)
"""The agent that answers ``POST /api/messages``."""

ADAPTER_KEY = web.AppKey[AgentHttpAdapter](ADAPTER)
"""The adapter that runs the turns."""

JWT_VALIDATOR_KEY: web.AppKey[JwtTokenValidator] = web.AppKey("jwt_validator")
"""Optional: the validator the JWT middleware uses (default: one per configuration)."""


def lookup(request: web.Request, key: web.AppKey[_T], name: str) -> Any:
    """The value stored under ``key`` (or ``name``) in the request's application chain.

    Args:
        request: the request (its ``config_dict`` also sees parent applications).
        key: the typed key, tried first.
        name: the plain string key, tried when ``key`` is not set.

    Returns:
        The value, or None when neither key is set.
    """
    # The request's own application first (a plain dict lookup), then its parents.
    app = request.app
    value = app.get(key)
    if value is None:
        value = app.get(name)
    if value is None:
        config = request.config_dict
        value = config.get(key)
        if value is None:
            value = config.get(name)
    return value
