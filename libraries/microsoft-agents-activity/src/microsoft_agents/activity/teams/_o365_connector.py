"""Office 365 connector cards (``application/vnd.microsoft.teams.card.o365connector``).

A connector card is a message card made of sections (activity line, facts, images) with
actions underneath. Its JSON comes from the Outlook "actionable message" format, so action
and input objects name their kind in an ``"@type"`` key and their id in ``"@id"``; here
those are the attributes ``at_type`` and ``at_id``. Built in code, each action and input
class writes its own ``@type``::

    >>> O365ConnectorCardOpenUri(name="Docs", targets=[
    ...     O365ConnectorCardOpenUriTarget(os="default", uri="https://example.com")]).to_wire()
    {'@type': 'OpenUri', 'name': 'Docs', 'targets': [{'os': 'default', 'uri': 'https://example.com'}]}

When the user uses an :class:`O365ConnectorCardActionCard` or an
:class:`O365ConnectorCardHttpPOST`, Teams sends an ``actionableMessage/executeAction``
invoke whose ``value`` is an :class:`O365ConnectorCardActionQuery`.
"""

from typing import Annotated, ClassVar

from pydantic import Discriminator, Field, SerializeAsAny, Tag

from microsoft_agents.activity._entities import _DefaultsOnWire
from microsoft_agents.activity._model import AgentsModel

from ._base import OTHER, tagged_by

__all__ = [
    "O365ConnectorCard",
    "O365ConnectorCardActionBase",
    "O365ConnectorCardActionCard",
    "O365ConnectorCardActionQuery",
    "O365ConnectorCardDateInput",
    "O365ConnectorCardFact",
    "O365ConnectorCardHttpPOST",
    "O365ConnectorCardImage",
    "O365ConnectorCardInputBase",
    "O365ConnectorCardMultichoiceInput",
    "O365ConnectorCardMultichoiceInputChoice",
    "O365ConnectorCardOpenUri",
    "O365ConnectorCardOpenUriTarget",
    "O365ConnectorCardSection",
    "O365ConnectorCardTextInput",
    "O365ConnectorCardViewAction",
]


class O365ConnectorCardFact(AgentsModel):
    """A name/value line in a section."""

    name: str | None = None
    value: str | None = None


class O365ConnectorCardImage(AgentsModel):
    """An image in a section: its URL (``image``) and alternative text (``title``)."""

    image: str | None = None
    title: str | None = None


class O365ConnectorCardInputBase(_DefaultsOnWire):
    """An input of an action card; ``at_type`` (``"@type"``) names its kind.

    Attributes:
        at_type: ``"TextInput"``, ``"DateInput"`` or ``"MultichoiceInput"``.
        id: the key of this input's value in the submitted body.
        is_required: the user must fill it in.
        title: the label or placeholder.
        value: the initial value.
    """

    at_type: str | None = Field(default=None, alias="@type")
    id: str | None = None
    is_required: bool | None = None
    title: str | None = None
    value: str | None = None


class O365ConnectorCardTextInput(O365ConnectorCardInputBase):
    """A text box."""

    _wire_defaults = ("at_type",)

    at_type: str | None = Field(default="TextInput", alias="@type")
    is_multiline: bool | None = None
    max_length: int | None = None


class O365ConnectorCardDateInput(O365ConnectorCardInputBase):
    """A date picker, with a time picker when ``include_time`` is set."""

    _wire_defaults = ("at_type",)

    at_type: str | None = Field(default="DateInput", alias="@type")
    include_time: bool | None = None


class O365ConnectorCardMultichoiceInputChoice(AgentsModel):
    """One choice: the text shown (``display``) and the value submitted."""

    display: str | None = None
    value: str | None = None


class O365ConnectorCardMultichoiceInput(O365ConnectorCardInputBase):
    """A choice list; ``style`` is ``"compact"`` or ``"expanded"``."""

    _wire_defaults = ("at_type",)

    at_type: str | None = Field(default="MultichoiceInput", alias="@type")
    choices: list[O365ConnectorCardMultichoiceInputChoice] | None = None
    style: str | None = None
    is_multi_select: bool | None = None


_AnyInput = SerializeAsAny[
    Annotated[
        Annotated[O365ConnectorCardTextInput, Tag("TextInput")]
        | Annotated[O365ConnectorCardDateInput, Tag("DateInput")]
        | Annotated[O365ConnectorCardMultichoiceInput, Tag("MultichoiceInput")]
        | Annotated[O365ConnectorCardInputBase, Tag(OTHER)],
        Discriminator(
            tagged_by(
                "@type",
                {
                    "TextInput": O365ConnectorCardTextInput,
                    "DateInput": O365ConnectorCardDateInput,
                    "MultichoiceInput": O365ConnectorCardMultichoiceInput,
                },
            )
        ),
    ]
]


class O365ConnectorCardActionBase(_DefaultsOnWire):
    """An action of a card or section; ``at_type`` (``"@type"``) names its kind.

    Attributes:
        at_type: ``"ViewAction"``, ``"OpenUri"``, ``"HttpPOST"`` or ``"ActionCard"``.
        name: the button text.
        at_id: the action's id (``"@id"``), reported back in
            :attr:`O365ConnectorCardActionQuery.action_id`.
    """

    at_type: str | None = Field(default=None, alias="@type")
    name: str | None = None
    at_id: str | None = Field(default=None, alias="@id")


class O365ConnectorCardViewAction(O365ConnectorCardActionBase):
    """Open a web page (``target`` holds its URL)."""

    _wire_defaults = ("at_type",)

    at_type: str | None = Field(default="ViewAction", alias="@type")
    target: list[str] | None = None


class O365ConnectorCardOpenUriTarget(AgentsModel):
    """A URL to open on one operating system (``os``: ``"default"``, ``"iOS"``, ...)."""

    os: str | None = None
    uri: str | None = None


class O365ConnectorCardOpenUri(O365ConnectorCardActionBase):
    """Open a URL, possibly a different one per operating system."""

    _wire_defaults = ("at_type",)

    at_type: str | None = Field(default="OpenUri", alias="@type")
    targets: list[O365ConnectorCardOpenUriTarget] | None = None


class O365ConnectorCardHttpPOST(O365ConnectorCardActionBase):
    """Send ``body`` to the agent (as an ``actionableMessage/executeAction`` invoke)."""

    _wire_defaults = ("at_type",)

    at_type: str | None = Field(default="HttpPOST", alias="@type")
    body: str | None = None


class O365ConnectorCardActionCard(O365ConnectorCardActionBase):
    """A button that opens a small form (``inputs``) with its own ``actions``."""

    _wire_defaults = ("at_type",)

    at_type: str | None = Field(default="ActionCard", alias="@type")
    inputs: list[_AnyInput] | None = None
    actions: "list[_AnyAction] | None" = None


# An action from JSON or code: the class named by ``@type``, else the generic base.
_AnyAction = SerializeAsAny[
    Annotated[
        Annotated[O365ConnectorCardViewAction, Tag("ViewAction")]
        | Annotated[O365ConnectorCardOpenUri, Tag("OpenUri")]
        | Annotated[O365ConnectorCardHttpPOST, Tag("HttpPOST")]
        | Annotated[O365ConnectorCardActionCard, Tag("ActionCard")]
        | Annotated[O365ConnectorCardActionBase, Tag(OTHER)],
        Discriminator(
            tagged_by(
                "@type",
                {
                    "ViewAction": O365ConnectorCardViewAction,
                    "OpenUri": O365ConnectorCardOpenUri,
                    "HttpPOST": O365ConnectorCardHttpPOST,
                    "ActionCard": O365ConnectorCardActionCard,
                },
            )
        ),
    ]
]
O365ConnectorCardActionCard.model_rebuild()


class O365ConnectorCardSection(AgentsModel):
    """A section of a connector card.

    Attributes:
        title: the section title.
        text: the section text (markdown unless ``markdown`` is ``False``).
        activity_title: the bold line of the activity block.
        activity_subtitle: the line under it.
        activity_text: the text of the activity block.
        activity_image: the avatar URL of the activity block.
        activity_image_type: ``"avatar"`` (round) or ``"article"`` (square).
        markdown: whether the texts are markdown.
        facts: name/value lines.
        images: an image gallery.
        potential_action: the section's buttons.
    """

    title: str | None = None
    text: str | None = None
    activity_title: str | None = None
    activity_subtitle: str | None = None
    activity_text: str | None = None
    activity_image: str | None = None
    activity_image_type: str | None = None
    markdown: bool | None = None
    facts: list[O365ConnectorCardFact] | None = None
    images: list[O365ConnectorCardImage] | None = None
    potential_action: list[_AnyAction] | None = None


class O365ConnectorCard(AgentsModel):
    """An Office 365 connector card (the content of its attachment).

    Attributes:
        title: the card title.
        text: the card text.
        summary: the text shown where the card cannot be (notifications).
        theme_color: the accent colour, a hex string such as ``"E67A9E"``.
        sections: the card's sections.
        potential_action: the card's buttons.
    """

    content_type: ClassVar[str] = "application/vnd.microsoft.teams.card.o365connector"

    title: str | None = None
    text: str | None = None
    summary: str | None = None
    theme_color: str | None = None
    sections: list[O365ConnectorCardSection] | None = None
    potential_action: list[_AnyAction] | None = None


class O365ConnectorCardActionQuery(AgentsModel):
    """The ``value`` of ``actionableMessage/executeAction``.

    Attributes:
        body: the action's body; for an action card, a JSON string of the inputs' values.
        action_id: the ``@id`` of the action the user took.
    """

    body: str | None = None
    action_id: str | None = None
