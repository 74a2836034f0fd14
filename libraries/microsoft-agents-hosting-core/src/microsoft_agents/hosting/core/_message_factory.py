"""``MessageFactory``: build the message activities an agent sends most often.

Each builder returns a new ``message`` :class:`~microsoft_agents.activity.Activity` with
only the fields it was given, ready for :meth:`TurnContext.send_activity`::

    await context.send_activity(MessageFactory.text("Hello!"))
    await context.send_activity(
        MessageFactory.suggested_actions(
            [CardAction(type="imBack", title="Red", value="red")], "Pick a colour"
        )
    )
    await context.send_activity(MessageFactory.carousel([card1, card2]))

Messages are marked ``inputHint: acceptingInput`` unless you pass another hint; the
addressing (conversation, sender, recipient) is added by the context when it sends them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    Attachment,
    AttachmentLayoutTypes,
    CardAction,
    InputHints,
    SuggestedActions,
)

__all__ = ["MessageFactory"]

_T = TypeVar("_T")


def _message(
    *,
    text: str | None,
    speak: str | None,
    input_hint: str | None,
    **fields: Any,
) -> Activity:
    """A message with only the given (non-None) fields set."""
    values: dict[str, Any] = {"type": ActivityTypes.message.value}
    if text is not None:
        values["text"] = text
    if speak is not None:
        values["speak"] = speak
    if input_hint is not None:
        values["input_hint"] = str(input_hint)
    values.update(fields)
    return Activity(**values)


def _checked_items(method: str, items: object, expected: type[_T], fix: str) -> list[_T]:
    """``items`` as a list, each checked to be an ``expected``; ``fix`` tells how to get one."""
    if isinstance(items, (expected, str, bytes, Mapping)):
        raise TypeError(
            f"MessageFactory.{method}() takes a list of {expected.__name__} items, got a "
            f"single {type(items).__name__}; wrap it in a list"
        )
    if not isinstance(items, Iterable):
        raise TypeError(
            f"MessageFactory.{method}() takes a list of {expected.__name__} items, got "
            f"{type(items).__name__}"
        )
    checked: list[_T] = []
    for index, item in enumerate(items):
        if not isinstance(item, expected):
            raise TypeError(
                f"MessageFactory.{method}() expects {expected.__name__} items, got "
                f"{type(item).__name__} at index {index}; {fix}"
            )
        checked.append(item)
    return checked


_ATTACHMENT_FIX = "build them with CardFactory (or card.to_attachment()) or Attachment(...)"


class MessageFactory:
    """Static builders of ``message`` activities."""

    @staticmethod
    def text(
        text: str,
        speak: str | None = None,
        input_hint: str | None = InputHints.accepting_input,
    ) -> Activity:
        """A plain text message.

        Args:
            text: the text to show.
            speak: what a voice channel should say instead, if different.
            input_hint: whether the agent waits for an answer (``acceptingInput``).

        Returns:
            ``{"type": "message", "text": text, "inputHint": "acceptingInput"}`` (plus
            ``speak`` when given).
        """
        return _message(text=text, speak=speak, input_hint=input_hint)

    @staticmethod
    def suggested_actions(
        actions: Sequence[CardAction],
        text: str | None = None,
        speak: str | None = None,
        input_hint: str | None = InputHints.accepting_input,
    ) -> Activity:
        """A message offering quick replies (buttons that disappear once one is used).

        Args:
            actions: the quick replies, e.g. ``CardAction(type="imBack", title="Yes",
                value="yes")``.
            text: text shown above them.
            speak: what a voice channel should say.
            input_hint: whether the agent waits for an answer (``acceptingInput``).
        """
        checked = _checked_items(
            "suggested_actions",
            actions,
            CardAction,
            "build them with CardAction(type='imBack', title=..., value=...)",
        )
        return _message(
            text=text,
            speak=speak,
            input_hint=input_hint,
            suggested_actions=SuggestedActions(actions=checked),
        )

    @staticmethod
    def attachment(
        attachment: Attachment,
        text: str | None = None,
        speak: str | None = None,
        input_hint: str | None = None,
    ) -> Activity:
        """A message with one attachment (a card, an image, a file).

        Args:
            attachment: the attachment, e.g. ``CardFactory.hero_card(card)``.
            text: text shown with it.
            speak: what a voice channel should say.
            input_hint: whether the agent waits for an answer; ``acceptingInput`` when
                not given.
        """
        if not isinstance(attachment, Attachment):
            raise TypeError(
                "MessageFactory.attachment() expects an Attachment, got "
                f"{type(attachment).__name__}; use CardFactory or card.to_attachment()"
            )
        return MessageFactory.list([attachment], text, speak, input_hint)

    @staticmethod
    def list(
        attachments: Sequence[Attachment],
        text: str | None = None,
        speak: str | None = None,
        input_hint: str | None = None,
    ) -> Activity:
        """A message whose attachments are shown one under the other.

        Args:
            attachments: the attachments, in order.
            text: text shown with them.
            speak: what a voice channel should say.
            input_hint: whether the agent waits for an answer; ``acceptingInput`` when
                not given.
        """
        return _message(
            text=text,
            speak=speak,
            input_hint=input_hint or InputHints.accepting_input,
            attachment_layout=AttachmentLayoutTypes.list.value,
            attachments=_checked_items("list", attachments, Attachment, _ATTACHMENT_FIX),
        )

    @staticmethod
    def carousel(
        attachments: Sequence[Attachment],
        text: str | None = None,
        speak: str | None = None,
        input_hint: str | None = None,
    ) -> Activity:
        """A message whose attachments are shown side by side, to scroll through.

        Args:
            attachments: the attachments, in order.
            text: text shown with them.
            speak: what a voice channel should say.
            input_hint: whether the agent waits for an answer; ``acceptingInput`` when
                not given.
        """
        return _message(
            text=text,
            speak=speak,
            input_hint=input_hint or InputHints.accepting_input,
            attachment_layout=AttachmentLayoutTypes.carousel.value,
            attachments=_checked_items("carousel", attachments, Attachment, _ATTACHMENT_FIX),
        )

    @staticmethod
    def content_url(
        url: str,
        content_type: str,
        name: str | None = None,
        text: str | None = None,
        speak: str | None = None,
        input_hint: str | None = None,
    ) -> Activity:
        """A message with one attachment the channel downloads from ``url``.

        Args:
            url: where the file is, e.g. ``https://example.com/cat.png``.
            content_type: its media type, e.g. ``image/png``.
            name: the file name shown to the user.
            text: text shown with it.
            speak: what a voice channel should say.
            input_hint: whether the agent waits for an answer; ``acceptingInput`` when
                not given.
        """
        values: dict[str, Any] = {"content_type": content_type, "content_url": url}
        if name is not None:
            values["name"] = name
        return MessageFactory.attachment(Attachment(**values), text, speak, input_hint)
