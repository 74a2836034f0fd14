"""Attachments, rich cards and the actions on them.

An :class:`Attachment` carries media or a card inside an activity: ``content_type`` says
what it is and ``content`` (arbitrary JSON, kept untouched) or ``content_url`` holds it.
:class:`CardAction` is a button or tap target; :class:`SuggestedActions` are the quick
replies shown under a message.

The rich cards (:class:`HeroCard`, :class:`ReceiptCard`, :class:`OAuthCard`, ...) are
:class:`Card` models. Build one with its fields or its ``add_*`` builders, then turn it into
an attachment or straight into a message::

    >>> card = HeroCard(title="Ticket 42").add_button(title="Close it").add_image(
    ...     url="https://example.com/ticket.png", alt="ticket")
    >>> attachment = card.to_attachment()
    >>> attachment.content_type
    'application/vnd.microsoft.card.hero'
    >>> attachment.content["buttons"]
    [{'type': 'imBack', 'title': 'Close it', 'value': 'Close it'}]

The attachment's ``content`` is the card's wire form (camelCase keys, only what was set).
Adaptive Cards are JSON documents of their own: :class:`AdaptiveCardCard` takes the card's
JSON text. :class:`ContentTypes` lists the content type strings.
"""

import base64
import json
from abc import abstractmethod
from typing import TYPE_CHECKING, Any, Final, TypeVar

from pydantic import Field

from ._enums import ActionTypes, ActivityTypes
from ._exceptions import ActivityStateError
from ._model import AgentsModel, BoundedList, new_list
from ._tokens import TokenExchangeResource, TokenPostResource
from .errors import activity_errors

if TYPE_CHECKING:
    from ._activity import Activity

__all__ = [
    "AdaptiveCardCard",
    "AnimationCard",
    "Attachment",
    "AttachmentData",
    "AttachmentInfo",
    "AttachmentView",
    "AudioCard",
    "BasicCard",
    "Card",
    "CardAction",
    "CardImage",
    "ContentTypes",
    "Fact",
    "HeroCard",
    "MediaCard",
    "MediaUrl",
    "OAuthCard",
    "ReceiptCard",
    "ReceiptItem",
    "SigninCard",
    "SuggestedActions",
    "ThumbnailCard",
    "ThumbnailUrl",
    "VideoCard",
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
    """Quick replies offered with a message, optionally only to some recipients.

    Both lists start empty. A payload may send ``null`` for either (the protocol types list
    fields ``T[] | null``): that parses to ``None`` and is written back as ``null``.
    """

    to: BoundedList[str] | None = Field(default_factory=new_list)
    actions: BoundedList[CardAction] | None = Field(default_factory=new_list)

    def add_action(self, action: CardAction) -> "SuggestedActions":
        """Append one action; returns self for chaining."""
        return self.add_actions(action)

    def add_actions(self, *actions: CardAction) -> "SuggestedActions":
        """Append several actions; returns self for chaining."""
        # Assigning (rather than appending in place) marks the field as set, so it is
        # part of the wire form.
        self.actions = [*(self.actions or ()), *actions]
        return self

    def add_recipients(self, *recipients: str) -> "SuggestedActions":
        """Show the actions to these account ids only; returns self for chaining."""
        self.to = [*(self.to or ()), *recipients]
        return self


class ContentTypes:
    """The ``Attachment.content_type`` values of cards, and other protocol media types."""

    adaptive_card: Final = "application/vnd.microsoft.card.adaptive"
    hero_card: Final = "application/vnd.microsoft.card.hero"
    thumbnail_card: Final = "application/vnd.microsoft.card.thumbnail"
    receipt_card: Final = "application/vnd.microsoft.card.receipt"
    oauth_card: Final = "application/vnd.microsoft.card.oauth"
    signin_card: Final = "application/vnd.microsoft.card.signin"
    animation_card: Final = "application/vnd.microsoft.card.animation"
    audio_card: Final = "application/vnd.microsoft.card.audio"
    video_card: Final = "application/vnd.microsoft.card.video"
    message: Final = "application/vnd.microsoft.activity.message"
    login_request: Final = "application/vnd.microsoft.activity.loginRequest"
    incorrect_auth_code: Final = "application/vnd.microsoft.error.incorrectAuthCode"
    precondition_failed: Final = "application/vnd.microsoft.error.preconditionFailed"
    error: Final = "application/vnd.microsoft.error"
    search_response: Final = "application/vnd.microsoft.search.searchResponse"


# ---------------------------------------------------------------------- card parts


class CardImage(AgentsModel):
    """An image on a card, optionally with its own tap action."""

    url: str | None = None
    alt: str | None = None
    tap: CardAction | None = None


class ThumbnailUrl(AgentsModel):
    """The still image shown for a media card."""

    url: str | None = None
    alt: str | None = None


class MediaUrl(AgentsModel):
    """One media source of a media card; ``profile`` tells sources of the same media apart."""

    url: str | None = None
    profile: str | None = None


class Fact(AgentsModel):
    """A key/value line of a receipt card."""

    key: str | None = None
    value: str | None = None


class ReceiptItem(AgentsModel):
    """One purchased item on a receipt card."""

    title: str | None = None
    subtitle: str | None = None
    text: str | None = None
    image: CardImage | None = None
    price: str | None = None
    quantity: str | None = None
    tap: CardAction | None = None


# ---------------------------------------------------------------------- uploads


class AttachmentData(AgentsModel):
    """A file to upload to a channel's attachment store.

    ``original_base64`` and ``thumbnail_base64`` hold the base64 text exactly as it goes on
    the wire; :meth:`from_bytes` and :meth:`original_bytes` convert from and to raw bytes.
    """

    type: str | None = None
    name: str | None = None
    original_base64: str | None = None
    thumbnail_base64: str | None = None

    @classmethod
    def from_bytes(
        cls,
        original: bytes,
        *,
        type: str | None = None,
        name: str | None = None,
        thumbnail: bytes | None = None,
    ) -> "AttachmentData":
        """Build an upload from raw file content (and an optional thumbnail)."""
        values: dict[str, str] = {"original_base64": base64.b64encode(original).decode("ascii")}
        if thumbnail is not None:
            values["thumbnail_base64"] = base64.b64encode(thumbnail).decode("ascii")
        if type is not None:
            values["type"] = type
        if name is not None:
            values["name"] = name
        return cls(**values)

    def original_bytes(self) -> bytes | None:
        """The decoded file content, or ``None`` when there is none."""
        return _b64decode(self.original_base64)

    def thumbnail_bytes(self) -> bytes | None:
        """The decoded thumbnail, or ``None`` when there is none."""
        return _b64decode(self.thumbnail_base64)


def _b64decode(text: str | None) -> bytes | None:
    return None if text is None else base64.b64decode(text)


class AttachmentView(AgentsModel):
    """One stored rendition of an uploaded attachment (``original``, ``thumbnail``)."""

    view_id: str | None = None
    size: int | None = None


class AttachmentInfo(AgentsModel):
    """What the channel stores for an uploaded attachment: its name, type and views."""

    name: str | None = None
    type: str | None = None
    views: list[AttachmentView] | None = None


# ---------------------------------------------------------------------- builders


def _given(**values: Any) -> dict[str, Any]:
    # Builders pass on only the values they were given, so that the parts they create
    # have no unset fields on the wire (a field passed as None would count as set).
    return {name: value for name, value in values.items() if value is not None}


# Action types whose value is text sent back to the agent, so the title can stand in for it.
_TEXT_BACK_ACTIONS = frozenset(
    {ActionTypes.im_back.value, ActionTypes.post_back.value, ActionTypes.message_back.value}
)
_ButtonsT = TypeVar("_ButtonsT", bound="_ButtonBuilders")


class _ButtonBuilders:
    """``add_button``/``add_buttons`` for every card that has ``buttons``.

    A plain mixin: each card declares the ``buttons`` field itself, in its wire order.
    """

    if TYPE_CHECKING:
        buttons: list[CardAction] | None

    def add_button(
        self: _ButtonsT,
        button: CardAction | None = None,
        *,
        title: str | None = None,
        type: str | None = None,
        card_type: str | None = None,
        value: object = None,
    ) -> _ButtonsT:
        """Append one button; returns self for chaining.

        Pass a ready :class:`CardAction`, or describe it: ``add_button(title="Yes")`` is an
        ``imBack`` button that sends back its title.

        Args:
            button: the button to append.
            title: the button's label, when ``button`` is not given.
            type: the action type (``imBack`` by default); ``card_type`` is the same.
            card_type: another name for ``type``.
            value: what the action sends. Buttons that send text back (``imBack``,
                ``postBack``, ``messageBack``) default it to ``title``; the others (a URL to
                open, a number to call, ...) need it.

        Raises:
            TypeError: neither ``button`` nor ``title`` was given, or both were; or a
                button that opens, plays, downloads or calls something has no ``value``.
        """
        if button is None:
            if title is None:
                raise TypeError("add_button() needs a CardAction or title=...")
            requested = type or card_type or ActionTypes.im_back.value
            action_type = str(getattr(requested, "value", requested))
            if value is None:
                if action_type not in _TEXT_BACK_ACTIONS:
                    raise TypeError(
                        f"add_button(type={action_type!r}) needs value=... (the URL, file or "
                        "number the button acts on); only imBack, postBack and messageBack "
                        "buttons send their title when no value is given"
                    )
                value = title
            button = CardAction(type=action_type, title=title, value=value)
        elif title is not None or type is not None or card_type is not None or value is not None:
            raise TypeError("add_button() takes a CardAction or title=/type=/value=..., not both")
        self.buttons = [*(self.buttons or []), button]
        return self

    def add_buttons(self: _ButtonsT, *buttons: CardAction) -> _ButtonsT:
        """Append several buttons; returns self for chaining."""
        self.buttons = [*(self.buttons or []), *buttons]
        return self


_ImageCardT = TypeVar("_ImageCardT", bound="_ImageCardFields")
_MediaCardT = TypeVar("_MediaCardT", bound="_MediaCardFields")


class _ImageCardFields(AgentsModel):
    """The fields shared by hero, thumbnail and basic cards."""

    title: str | None = None
    subtitle: str | None = None
    text: str | None = None
    images: list[CardImage] | None = None
    buttons: list[CardAction] | None = None
    tap: CardAction | None = None

    def add_image(
        self: _ImageCardT,
        image: CardImage | None = None,
        *,
        url: str | None = None,
        alt: str | None = None,
        tap: CardAction | None = None,
    ) -> _ImageCardT:
        """Append one image; returns self for chaining.

        Pass a ready :class:`CardImage`, or its ``url`` (with ``alt`` text and ``tap``).

        Raises:
            TypeError: neither ``image`` nor ``url`` was given, or both were.
        """
        if image is None:
            if url is None:
                raise TypeError("add_image() needs a CardImage or url=...")
            image = CardImage(url=url, **_given(alt=alt, tap=tap))
        elif url is not None or alt is not None or tap is not None:
            raise TypeError("add_image() takes a CardImage or url=/alt=/tap=..., not both")
        self.images = [*(self.images or []), image]
        return self


class _MediaCardFields(AgentsModel):
    """The fields shared by animation, audio, video and media cards."""

    title: str | None = None
    subtitle: str | None = None
    text: str | None = None
    image: ThumbnailUrl | None = None
    media: list[MediaUrl] | None = None
    buttons: list[CardAction] | None = None
    shareable: bool | None = None
    autoloop: bool | None = None
    autostart: bool | None = None
    aspect: str | None = None
    duration: str | None = None
    value: Any = None

    def add_media(
        self: _MediaCardT,
        media: MediaUrl | None = None,
        *,
        url: str | None = None,
        profile: str | None = None,
    ) -> _MediaCardT:
        """Append one media source; returns self for chaining.

        Pass a ready :class:`MediaUrl`, or its ``url`` (and ``profile``).

        Raises:
            TypeError: neither ``media`` nor ``url`` was given, or both were.
        """
        if media is None:
            if url is None:
                raise TypeError("add_media() needs a MediaUrl or url=...")
            media = MediaUrl(url=url, **_given(profile=profile))
        elif url is not None or profile is not None:
            raise TypeError("add_media() takes a MediaUrl or url=/profile=..., not both")
        self.media = [*(self.media or []), media]
        return self


# ---------------------------------------------------------------------- cards


class Card(AgentsModel):
    """Base of the cards that can be sent: each knows its attachment form.

    Subclasses implement :meth:`to_attachment`; :meth:`to_message` wraps that attachment
    in a message activity.
    """

    @abstractmethod
    def to_attachment(self) -> Attachment:
        """The card as an attachment: its content type, and its wire form as content."""

    def to_message(self) -> "Activity":
        """A ``message`` activity whose only attachment is this card."""
        # Imported here: _activity imports this module.
        from ._activity import Activity

        return Activity(type=ActivityTypes.message.value, attachments=[self.to_attachment()])


def _attachment(content_type: str, card: AgentsModel) -> Attachment:
    # Nulls are left out: a field set to None means "not on the card".
    return Attachment(content_type=content_type, content=card.to_wire(exclude_none=True))


class AdaptiveCardCard(Card):
    """An Adaptive Card given as its JSON text.

    The text is parsed when the attachment is built, so a card loaded from a file or a
    template can be sent as it is.
    """

    content: str

    def to_attachment(self) -> Attachment:
        """The card as an ``application/vnd.microsoft.card.adaptive`` attachment.

        Raises:
            ActivityStateError: ``content`` is not JSON text of an object.
        """
        try:
            document = json.loads(self.content)
        except json.JSONDecodeError as exc:
            raise ActivityStateError(
                activity_errors.INVALID_ADAPTIVE_CARD_JSON.format(error=exc)
            ) from exc
        if not isinstance(document, dict):
            raise ActivityStateError(
                activity_errors.ADAPTIVE_CARD_NOT_AN_OBJECT.format(kind=type(document).__name__)
            )
        return Attachment(content_type=ContentTypes.adaptive_card, content=document)


class BasicCard(_ButtonBuilders, _ImageCardFields):
    """The common layout of hero and thumbnail cards; a model only (no content type)."""


class HeroCard(_ButtonBuilders, _ImageCardFields, Card):
    """A card with a large image, a title, text and buttons."""

    def to_attachment(self) -> Attachment:
        """The card as an ``application/vnd.microsoft.card.hero`` attachment."""
        return _attachment(ContentTypes.hero_card, self)


class ThumbnailCard(_ButtonBuilders, _ImageCardFields, Card):
    """A card with a small image beside its title, text and buttons."""

    def to_attachment(self) -> Attachment:
        """The card as an ``application/vnd.microsoft.card.thumbnail`` attachment."""
        return _attachment(ContentTypes.thumbnail_card, self)


class MediaCard(_ButtonBuilders, _MediaCardFields):
    """The common layout of animation, audio and video cards; a model only."""


class AnimationCard(_ButtonBuilders, _MediaCardFields, Card):
    """A card that plays an animated GIF or a short video."""

    def to_attachment(self) -> Attachment:
        """The card as an ``application/vnd.microsoft.card.animation`` attachment."""
        return _attachment(ContentTypes.animation_card, self)


class AudioCard(_ButtonBuilders, _MediaCardFields, Card):
    """A card that plays audio."""

    def to_attachment(self) -> Attachment:
        """The card as an ``application/vnd.microsoft.card.audio`` attachment."""
        return _attachment(ContentTypes.audio_card, self)


class VideoCard(_ButtonBuilders, _MediaCardFields, Card):
    """A card that plays a video."""

    def to_attachment(self) -> Attachment:
        """The card as an ``application/vnd.microsoft.card.video`` attachment."""
        return _attachment(ContentTypes.video_card, self)


class ReceiptCard(_ButtonBuilders, Card):
    """A receipt: purchased items, facts (order number, payment, ...) and the totals."""

    title: str | None = None
    facts: list[Fact] | None = None
    items: list[ReceiptItem] | None = None
    tap: CardAction | None = None
    total: str | None = None
    tax: str | None = None
    vat: str | None = None
    buttons: list[CardAction] | None = None

    def add_fact(
        self, fact: Fact | None = None, *, key: str | None = None, value: str | None = None
    ) -> "ReceiptCard":
        """Append one fact, given as a :class:`Fact` or as ``key=`` and ``value=``.

        Returns self for chaining.

        Raises:
            TypeError: neither ``fact`` nor ``key`` was given, or both were.
        """
        if fact is None:
            if key is None:
                raise TypeError("add_fact() needs a Fact or key=...")
            fact = Fact(key=key, **_given(value=value))
        elif key is not None or value is not None:
            raise TypeError("add_fact() takes a Fact or key=/value=..., not both")
        self.facts = [*(self.facts or []), fact]
        return self

    def add_item(self, item: ReceiptItem) -> "ReceiptCard":
        """Append one purchased item; returns self for chaining."""
        self.items = [*(self.items or []), item]
        return self

    def to_attachment(self) -> Attachment:
        """The card as an ``application/vnd.microsoft.card.receipt`` attachment."""
        return _attachment(ContentTypes.receipt_card, self)


class OAuthCard(_ButtonBuilders, Card):
    """Asks the user to sign in to an OAuth connection of the agent.

    The ``signin`` button carries the sign-in link; ``token_exchange_resource`` lets a
    channel that supports single sign-on skip the button.
    """

    text: str | None = None
    connection_name: str | None = None
    buttons: list[CardAction] | None = None
    token_exchange_resource: TokenExchangeResource | None = None
    token_post_resource: TokenPostResource | None = None

    def to_attachment(self) -> Attachment:
        """The card as an ``application/vnd.microsoft.card.oauth`` attachment."""
        return _attachment(ContentTypes.oauth_card, self)


class SigninCard(_ButtonBuilders, Card):
    """Asks the user to sign in with a plain link button."""

    text: str | None = None
    buttons: list[CardAction] | None = None

    def to_attachment(self) -> Attachment:
        """The card as an ``application/vnd.microsoft.card.signin`` attachment."""
        return _attachment(ContentTypes.signin_card, self)
