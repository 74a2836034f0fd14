"""``CardFactory``: turn cards into attachments.

A card is sent as an :class:`~microsoft_agents.activity.Attachment` whose ``contentType``
says what kind of card it is and whose ``content`` is the card's JSON. ``CardFactory`` makes
that attachment, checking that the card is of the kind asked for::

    card = HeroCard(title="Seattle", images=[CardImage(url="https://example.com/s.png")])
    await context.send_activity(MessageFactory.attachment(CardFactory.hero_card(card)))

    adaptive = {"type": "AdaptiveCard", "version": "1.5", "body": [...]}
    await context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(adaptive)))

The content types themselves are in :attr:`CardFactory.content_types`
(:class:`~microsoft_agents.activity.ContentTypes`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, ClassVar

from microsoft_agents.activity import (
    AnimationCard,
    Attachment,
    AudioCard,
    Card,
    ContentTypes,
    HeroCard,
    OAuthCard,
    ReceiptCard,
    SigninCard,
    ThumbnailCard,
    VideoCard,
)

__all__ = ["CardFactory"]


def _card_attachment(method: str, card: object, expected: type[Card]) -> Attachment:
    if not isinstance(card, expected):
        raise TypeError(
            f"CardFactory.{method}() expects a {expected.__name__}, got "
            f"{type(card).__name__}; build one with {expected.__name__}(...)"
        )
    return card.to_attachment()


class CardFactory:
    """Static builders of card attachments."""

    content_types: ClassVar[type[ContentTypes]] = ContentTypes
    """The card content types (``CardFactory.content_types.hero_card``, ...)."""

    @staticmethod
    def adaptive_card(card: Mapping[str, Any]) -> Attachment:
        """An Adaptive Card attachment from the card's JSON object.

        Args:
            card: the card as a dict (``{"type": "AdaptiveCard", "version": ..., ...}``).
                It is copied, so later changes to it do not alter the attachment.

        Raises:
            TypeError: ``card`` is not a dict (a JSON string must be parsed first, e.g.
                with ``json.loads``).
        """
        given: object = card
        if not isinstance(given, Mapping):
            hint = " (parse JSON text with json.loads first)" if isinstance(given, str) else ""
            raise TypeError(
                "CardFactory.adaptive_card() expects the card as a dict, got "
                f"{type(given).__name__}{hint}"
            )
        return Attachment(
            content_type=ContentTypes.adaptive_card, content=copy.deepcopy(dict(card))
        )

    @staticmethod
    def hero_card(card: HeroCard) -> Attachment:
        """A hero card attachment (large image, title, text, buttons).

        Raises:
            TypeError: ``card`` is not a :class:`~microsoft_agents.activity.HeroCard`.
        """
        return _card_attachment("hero_card", card, HeroCard)

    @staticmethod
    def thumbnail_card(card: ThumbnailCard) -> Attachment:
        """A thumbnail card attachment (small image beside title, text, buttons).

        Raises:
            TypeError: ``card`` is not a :class:`~microsoft_agents.activity.ThumbnailCard`.
        """
        return _card_attachment("thumbnail_card", card, ThumbnailCard)

    @staticmethod
    def animation_card(card: AnimationCard) -> Attachment:
        """An animation card attachment (animated GIF or short video).

        Raises:
            TypeError: ``card`` is not an :class:`~microsoft_agents.activity.AnimationCard`.
        """
        return _card_attachment("animation_card", card, AnimationCard)

    @staticmethod
    def audio_card(card: AudioCard) -> Attachment:
        """An audio card attachment.

        Raises:
            TypeError: ``card`` is not an :class:`~microsoft_agents.activity.AudioCard`.
        """
        return _card_attachment("audio_card", card, AudioCard)

    @staticmethod
    def video_card(card: VideoCard) -> Attachment:
        """A video card attachment.

        Raises:
            TypeError: ``card`` is not a :class:`~microsoft_agents.activity.VideoCard`.
        """
        return _card_attachment("video_card", card, VideoCard)

    @staticmethod
    def receipt_card(card: ReceiptCard) -> Attachment:
        """A receipt card attachment.

        Raises:
            TypeError: ``card`` is not a :class:`~microsoft_agents.activity.ReceiptCard`.
        """
        return _card_attachment("receipt_card", card, ReceiptCard)

    @staticmethod
    def oauth_card(card: OAuthCard) -> Attachment:
        """An OAuth sign-in card attachment.

        Raises:
            TypeError: ``card`` is not an :class:`~microsoft_agents.activity.OAuthCard`.
        """
        return _card_attachment("oauth_card", card, OAuthCard)

    @staticmethod
    def signin_card(card: SigninCard) -> Attachment:
        """A plain sign-in card attachment.

        Raises:
            TypeError: ``card`` is not a :class:`~microsoft_agents.activity.SigninCard`.
        """
        return _card_attachment("signin_card", card, SigninCard)
