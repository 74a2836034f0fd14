"""Attachments, rich cards and the actions on them.

An :class:`Attachment` carries media or a card inside an activity: ``content_type`` says
what it is and ``content`` (arbitrary JSON, kept untouched) or ``content_url`` holds it.
:class:`CardAction` is a button or tap target; :class:`SuggestedActions` are the quick
replies shown under a message.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._model import AgentsModel

__all__ = [
    "Attachment",
    "CardAction",
    "SuggestedActions",
]


class Attachment(AgentsModel):
    """A file, media item or card attached to an activity."""

    content_type: str
    content_url: str | None = None
    content: Any = None
    name: str | None = None
    thumbnail_url: str | None = None


class CardAction(AgentsModel):
    """A clickable action: a card button, a tap target or a suggested action."""

    type: str
    title: str | None = None
    image: str | None = None
    text: str | None = None
    display_text: str | None = None
    value: Any = None
    channel_data: Any = None
    image_alt_text: str | None = None


class SuggestedActions(AgentsModel):
    """Quick replies offered with a message, optionally only to some recipients."""

    to: list[str] = Field(default_factory=list)
    actions: list[CardAction] = Field(default_factory=list)

    def add_action(self, action: CardAction) -> SuggestedActions:
        """Append one action; returns self for chaining."""
        return self.add_actions(action)

    def add_actions(self, *actions: CardAction) -> SuggestedActions:
        """Append several actions; returns self for chaining."""
        # Assigning (rather than appending in place) marks the field as set, so it is
        # part of the wire form.
        self.actions = [*self.actions, *actions]
        return self

    def add_recipients(self, *recipients: str) -> SuggestedActions:
        """Show the actions to these account ids only; returns self for chaining."""
        self.to = [*self.to, *recipients]
        return self
