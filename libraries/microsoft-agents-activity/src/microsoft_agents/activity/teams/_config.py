"""Configurable agents: the ``config/fetch`` and ``config/submit`` invokes.

An agent whose manifest sets ``"fetchTask": true`` for its configuration gets a
``config/fetch`` invoke when a user opens its settings, and ``config/submit`` when the user
saves them. The answer is a :class:`ConfigResponse` (``"responseType": "config"``) whose
``config`` is either a dialog to show (a task module answer such as
:class:`~microsoft_agents.activity.teams.TaskModuleContinueResponse`) or, when the user must
sign in first, a :class:`BotConfigAuth` with the sign-in action::

    ConfigResponse(config=TaskModuleContinueResponse(value=TaskModuleTaskInfo(
        title="Settings", card=settings_card)))
    # {"responseType": "config", "config": {"type": "continue", "value": {...}}}

:class:`ConfigAuthResponse` and :class:`ConfigTaskResponse` are the same answer with
``config`` narrowed to one of the two kinds.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Discriminator, Tag

from microsoft_agents.activity._cards import SuggestedActions
from microsoft_agents.activity._entities import _DefaultsOnWire

from ._task_module import (
    AnyTaskModuleResponse,
    CacheInfo,
    TaskModuleResponse,
    TaskModuleResponseBase,
)

__all__ = [
    "BotConfigAuth",
    "ConfigAuthResponse",
    "ConfigResponse",
    "ConfigResponseBase",
    "ConfigTaskResponse",
]


class BotConfigAuth(_DefaultsOnWire):
    """Ask the user to sign in before configuring; ``"type": "auth"`` on the wire."""

    _wire_defaults = ("type",)

    type: str | None = "auth"
    suggested_actions: SuggestedActions | None = None


def _config_kind(value: Any) -> str:
    if isinstance(value, BotConfigAuth):
        return "auth"
    if isinstance(value, TaskModuleResponse):
        return "task"
    if isinstance(value, TaskModuleResponseBase):
        return "response"
    if isinstance(value, dict):
        if value.get("type") == "auth":
            return "auth"
        if "task" in value:
            return "task"
    return "response"


# ``config`` from JSON or from code: a sign-in request, a whole task module response, or
# (what Teams documents) a bare task module answer such as ``{"type": "continue", ...}``.
_AnyConfig = Annotated[
    Annotated[BotConfigAuth, Tag("auth")]
    | Annotated[TaskModuleResponse, Tag("task")]
    | Annotated[AnyTaskModuleResponse, Tag("response")],
    Discriminator(_config_kind),
]


class ConfigResponseBase(_DefaultsOnWire):
    """An answer to ``config/fetch`` or ``config/submit``; ``"responseType": "config"``."""

    _wire_defaults = ("response_type",)

    response_type: str | None = "config"


class ConfigResponse(ConfigResponseBase):
    """The invoke response to ``config/fetch`` and ``config/submit``.

    Attributes:
        config: what to show: a :class:`BotConfigAuth` or a task module answer.
        cache_info: how long Teams may cache this answer.
    """

    config: _AnyConfig | None = None
    cache_info: CacheInfo | None = None


class ConfigAuthResponse(ConfigResponse):
    """A configuration answer that asks the user to sign in."""

    config: BotConfigAuth | None = None


class ConfigTaskResponse(ConfigResponse):
    """A configuration answer that shows a dialog (``continue``) or a message."""

    config: AnyTaskModuleResponse | None = None
