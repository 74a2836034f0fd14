"""Task modules (dialogs): the ``task/fetch`` and ``task/submit`` invokes and their answers.

A button with ``"msteams": {"type": "task/fetch"}`` makes Teams send a ``task/fetch``
invoke; its ``value`` is a :class:`TaskModuleRequest` whose ``data`` is the button's data.
The agent answers with a :class:`TaskModuleResponse` whose ``task`` is either

* a :class:`TaskModuleContinueResponse`: open (or go on with) a dialog described by a
  :class:`TaskModuleTaskInfo` (a card, or a web page ``url``), or
* a :class:`TaskModuleMessageResponse`: close the dialog and show a short message::

    TaskModuleResponse(task=TaskModuleContinueResponse(value=TaskModuleTaskInfo(
        title="New ticket", height="medium", width=400, card=adaptive_card_attachment,
    )))
    # {"task": {"type": "continue", "value": {"title": "New ticket", ...}}}

When the user submits the dialog, ``task/submit`` arrives with the form values in ``data``.
A ``task`` parsed from JSON becomes the class its ``type`` names; an unknown ``type`` stays a
:class:`TaskModuleResponseBase` with all its keys.
"""

from typing import Annotated, Any

from pydantic import Discriminator, SerializeAsAny, Tag

from microsoft_agents.activity._cards import Attachment
from microsoft_agents.activity._entities import _DefaultsOnWire
from microsoft_agents.activity._model import AgentsModel

from ._base import OTHER, tagged_by
from ._tabs import TabEntityContext, TabResponse

__all__ = [
    "CacheInfo",
    "TaskModuleCardResponse",
    "TaskModuleContinueResponse",
    "TaskModuleMessageResponse",
    "TaskModuleRequest",
    "TaskModuleRequestContext",
    "TaskModuleResponse",
    "TaskModuleResponseBase",
    "TaskModuleTaskInfo",
]


class TaskModuleRequestContext(AgentsModel):
    """The Teams client's state when the dialog was requested (its ``theme``)."""

    theme: str | None = None


class TaskModuleRequest(AgentsModel):
    """The ``value`` of ``task/fetch`` and ``task/submit`` invokes.

    Attributes:
        data: the data of the button that opened the dialog, or the submitted form.
        context: the client's theme.
        tab_context: the tab the dialog was opened from, if any.
    """

    data: Any = None
    context: TaskModuleRequestContext | None = None
    tab_context: TabEntityContext | None = None


class TaskModuleTaskInfo(AgentsModel):
    """What a dialog shows and how big it is.

    Attributes:
        title: the dialog title.
        height: pixels, or ``"small"``, ``"medium"`` or ``"large"``.
        width: pixels, or ``"small"``, ``"medium"`` or ``"large"``.
        url: a web page to show (instead of ``card``).
        card: an Adaptive Card attachment to show.
        fallback_url: a page for clients that cannot show the dialog.
        completion_bot_id: the app id of the agent that receives ``task/submit`` when it
            is not the one that opened the dialog.
    """

    title: str | None = None
    height: int | str | None = None
    width: int | str | None = None
    url: str | None = None
    card: Attachment | None = None
    fallback_url: str | None = None
    completion_bot_id: str | None = None


class TaskModuleResponseBase(_DefaultsOnWire):
    """A task module answer; ``type`` (``"continue"``, ``"message"``) says which kind."""

    type: str | None = None


class TaskModuleContinueResponse(TaskModuleResponseBase):
    """Show (or keep showing) a dialog; always ``"type": "continue"`` on the wire."""

    _wire_defaults = ("type",)

    type: str | None = "continue"
    value: TaskModuleTaskInfo | None = None


class TaskModuleMessageResponse(TaskModuleResponseBase):
    """Close the dialog and show ``value`` as a message; ``"type": "message"`` on the wire."""

    _wire_defaults = ("type",)

    type: str | None = "message"
    value: str | None = None


class TaskModuleCardResponse(TaskModuleResponseBase):
    """A task module answer that carries tab cards."""

    value: TabResponse | None = None


# A ``task`` as it comes from JSON or from code. ``SerializeAsAny`` writes any subclass
# (e.g. a TaskModuleCardResponse) with all its own fields, not just the base's.
AnyTaskModuleResponse = SerializeAsAny[
    Annotated[
        Annotated[TaskModuleContinueResponse, Tag("continue")]
        | Annotated[TaskModuleMessageResponse, Tag("message")]
        | Annotated[TaskModuleResponseBase, Tag(OTHER)],
        Discriminator(
            tagged_by(
                "type",
                {"continue": TaskModuleContinueResponse, "message": TaskModuleMessageResponse},
            )
        ),
    ]
]


class CacheInfo(AgentsModel):
    """How long Teams may cache an invoke answer.

    Attributes:
        cache_type: ``"cache"`` or ``"no-cache"``.
        cache_duration: seconds to keep the answer.
    """

    cache_type: str | None = None
    cache_duration: int | None = None


class TaskModuleResponse(AgentsModel):
    """The invoke response to ``task/fetch`` and ``task/submit``."""

    task: AnyTaskModuleResponse | None = None
    cache_info: CacheInfo | None = None
