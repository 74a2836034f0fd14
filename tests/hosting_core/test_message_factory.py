"""MessageFactory and CardFactory: exactly the fields each builder promises, on the wire."""

from __future__ import annotations

from typing import Any

import pytest

from microsoft_agents.activity import (
    AnimationCard,
    Attachment,
    AudioCard,
    CardAction,
    CardImage,
    ContentTypes,
    Fact,
    HeroCard,
    MediaUrl,
    OAuthCard,
    ReceiptCard,
    SigninCard,
    ThumbnailCard,
    VideoCard,
)
from microsoft_agents.hosting.core import ActivityHandler, CardFactory, MessageFactory, TurnContext
from microsoft_agents.hosting.core.testing import AgentTester

HERO = Attachment(content_type="application/vnd.microsoft.card.hero", content={"title": "A"})
HERO_WIRE = {"contentType": "application/vnd.microsoft.card.hero", "content": {"title": "A"}}
THUMB = Attachment(content_type="application/vnd.microsoft.card.thumbnail", content={"title": "B"})
THUMB_WIRE = {"contentType": "application/vnd.microsoft.card.thumbnail", "content": {"title": "B"}}


# ---------------------------------------------------------------------- MessageFactory.text


def test_text_is_a_message_accepting_input() -> None:
    assert MessageFactory.text("hi").to_wire() == {
        "type": "message",
        "text": "hi",
        "inputHint": "acceptingInput",
    }


def test_text_with_speak_and_another_input_hint() -> None:
    activity = MessageFactory.text("hi", speak="<speak>hi</speak>", input_hint="expectingInput")
    assert activity.to_wire() == {
        "type": "message",
        "text": "hi",
        "speak": "<speak>hi</speak>",
        "inputHint": "expectingInput",
    }


def test_text_without_an_input_hint() -> None:
    assert MessageFactory.text("hi", input_hint=None).to_wire() == {"type": "message", "text": "hi"}


# ---------------------------------------------------------------------- suggested actions


def test_suggested_actions() -> None:
    actions = [
        CardAction(type="imBack", title="Red", value="red"),
        CardAction(type="imBack", title="Blue", value="blue"),
    ]
    assert MessageFactory.suggested_actions(actions, "Pick a colour").to_wire() == {
        "type": "message",
        "text": "Pick a colour",
        "inputHint": "acceptingInput",
        "suggestedActions": {
            "actions": [
                {"type": "imBack", "title": "Red", "value": "red"},
                {"type": "imBack", "title": "Blue", "value": "blue"},
            ]
        },
    }


def test_suggested_actions_without_text() -> None:
    activity = MessageFactory.suggested_actions([CardAction(type="imBack", title="Y", value="y")])
    assert activity.to_wire() == {
        "type": "message",
        "inputHint": "acceptingInput",
        "suggestedActions": {"actions": [{"type": "imBack", "title": "Y", "value": "y"}]},
    }


def test_suggested_actions_refuses_other_items() -> None:
    with pytest.raises(TypeError, match=r"expects CardAction items, got str at index 1"):
        MessageFactory.suggested_actions([CardAction(type="imBack", title="Y"), "no"])  # type: ignore[list-item]


# ---------------------------------------------------------------------- attachments


def test_attachment_is_a_list_layout_accepting_input() -> None:
    assert MessageFactory.attachment(HERO).to_wire() == {
        "type": "message",
        "inputHint": "acceptingInput",
        "attachmentLayout": "list",
        "attachments": [HERO_WIRE],
    }


def test_attachment_with_text_speak_and_hint() -> None:
    activity = MessageFactory.attachment(HERO, "look", "look at this", "ignoringInput")
    assert activity.to_wire() == {
        "type": "message",
        "text": "look",
        "speak": "look at this",
        "inputHint": "ignoringInput",
        "attachmentLayout": "list",
        "attachments": [HERO_WIRE],
    }


def test_attachment_refuses_a_card_that_is_not_an_attachment() -> None:
    with pytest.raises(TypeError, match=r"expects an Attachment, got HeroCard"):
        MessageFactory.attachment(HeroCard(title="A"))  # type: ignore[arg-type]


def test_list() -> None:
    assert MessageFactory.list([HERO, THUMB], "two cards").to_wire() == {
        "type": "message",
        "text": "two cards",
        "inputHint": "acceptingInput",
        "attachmentLayout": "list",
        "attachments": [HERO_WIRE, THUMB_WIRE],
    }


def test_carousel() -> None:
    assert MessageFactory.carousel([HERO, THUMB]).to_wire() == {
        "type": "message",
        "inputHint": "acceptingInput",
        "attachmentLayout": "carousel",
        "attachments": [HERO_WIRE, THUMB_WIRE],
    }


def test_carousel_keeps_a_given_input_hint() -> None:
    activity = MessageFactory.carousel([HERO], input_hint="expectingInput")
    assert activity.input_hint == "expectingInput"


@pytest.mark.parametrize("builder", [MessageFactory.list, MessageFactory.carousel])
def test_list_and_carousel_refuse_a_single_attachment(builder: Any) -> None:
    with pytest.raises(TypeError, match="got a single Attachment; wrap it in a list"):
        builder(HERO)


def test_list_names_the_bad_item_and_how_to_fix_it() -> None:
    with pytest.raises(TypeError, match=r"got HeroCard at index 1; build them with CardFactory"):
        MessageFactory.list([HERO, HeroCard(title="x")])  # type: ignore[list-item]


def test_content_url() -> None:
    activity = MessageFactory.content_url(
        "https://example.com/cat.png", "image/png", "cat.png", "A cat"
    )
    assert activity.to_wire() == {
        "type": "message",
        "text": "A cat",
        "inputHint": "acceptingInput",
        "attachmentLayout": "list",
        "attachments": [
            {
                "contentType": "image/png",
                "contentUrl": "https://example.com/cat.png",
                "name": "cat.png",
            }
        ],
    }


def test_content_url_without_name() -> None:
    activity = MessageFactory.content_url("https://example.com/a.pdf", "application/pdf")
    assert activity.attachments is not None
    assert [a.to_wire() for a in activity.attachments] == [
        {"contentType": "application/pdf", "contentUrl": "https://example.com/a.pdf"}
    ]


async def test_a_factory_message_reaches_the_user_addressed_as_a_reply() -> None:
    class Agent(ActivityHandler):
        async def on_message_activity(self, turn_context: TurnContext) -> None:
            await turn_context.send_activity(MessageFactory.attachment(HERO, "card"))

    result = await AgentTester(Agent()).send("hi")
    (reply,) = result.replies
    assert reply.text == "card"
    assert reply.reply_to_id == result.activity.id
    assert reply.attachments == [HERO]


# ---------------------------------------------------------------------- CardFactory

ADAPTIVE = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "x"}]}


def test_adaptive_card() -> None:
    assert CardFactory.adaptive_card(ADAPTIVE).to_wire() == {
        "contentType": "application/vnd.microsoft.card.adaptive",
        "content": ADAPTIVE,
    }


def test_adaptive_card_is_a_copy_of_the_dict() -> None:
    card: dict[str, Any] = {"type": "AdaptiveCard", "body": []}
    attachment = CardFactory.adaptive_card(card)
    card["body"].append({"type": "TextBlock"})
    assert attachment.content == {"type": "AdaptiveCard", "body": []}


@pytest.mark.parametrize(
    ("card", "message"),
    [
        ('{"type": "AdaptiveCard"}', r"as a dict, got str \(parse JSON text with json.loads"),
        (["AdaptiveCard"], "as a dict, got list"),
        (None, "as a dict, got NoneType"),
    ],
)
def test_adaptive_card_refuses_anything_but_a_dict(card: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        CardFactory.adaptive_card(card)


CARDS: list[tuple[str, Any, dict[str, Any]]] = [
    (
        "hero_card",
        HeroCard(title="Seattle", images=[CardImage(url="https://example.com/s.png")]),
        {
            "contentType": "application/vnd.microsoft.card.hero",
            "content": {"title": "Seattle", "images": [{"url": "https://example.com/s.png"}]},
        },
    ),
    (
        "thumbnail_card",
        ThumbnailCard(title="T", text="small"),
        {
            "contentType": "application/vnd.microsoft.card.thumbnail",
            "content": {"title": "T", "text": "small"},
        },
    ),
    (
        "animation_card",
        AnimationCard(title="gif", media=[MediaUrl(url="https://example.com/a.gif")]),
        {
            "contentType": "application/vnd.microsoft.card.animation",
            "content": {"title": "gif", "media": [{"url": "https://example.com/a.gif"}]},
        },
    ),
    (
        "audio_card",
        AudioCard(title="song", media=[MediaUrl(url="https://example.com/a.mp3")]),
        {
            "contentType": "application/vnd.microsoft.card.audio",
            "content": {"title": "song", "media": [{"url": "https://example.com/a.mp3"}]},
        },
    ),
    (
        "video_card",
        VideoCard(title="film", media=[MediaUrl(url="https://example.com/v.mp4")]),
        {
            "contentType": "application/vnd.microsoft.card.video",
            "content": {"title": "film", "media": [{"url": "https://example.com/v.mp4"}]},
        },
    ),
    (
        "receipt_card",
        ReceiptCard(title="Receipt", facts=[Fact(key="Order", value="1234")], total="$9"),
        {
            "contentType": "application/vnd.microsoft.card.receipt",
            "content": {
                "title": "Receipt",
                "facts": [{"key": "Order", "value": "1234"}],
                "total": "$9",
            },
        },
    ),
    (
        "oauth_card",
        OAuthCard(text="Sign in", connection_name="graph"),
        {
            "contentType": "application/vnd.microsoft.card.oauth",
            "content": {"text": "Sign in", "connectionName": "graph"},
        },
    ),
    (
        "signin_card",
        SigninCard(
            text="Sign in",
            buttons=[CardAction(type="signin", title="Go", value="https://example.com/login")],
        ),
        {
            "contentType": "application/vnd.microsoft.card.signin",
            "content": {
                "text": "Sign in",
                "buttons": [
                    {"type": "signin", "title": "Go", "value": "https://example.com/login"}
                ],
            },
        },
    ),
]


@pytest.mark.parametrize(("method", "card", "wire"), CARDS, ids=[c[0] for c in CARDS])
def test_each_card_builder(method: str, card: Any, wire: dict[str, Any]) -> None:
    attachment = getattr(CardFactory, method)(card)
    assert isinstance(attachment, Attachment)
    assert attachment.to_wire() == wire


@pytest.mark.parametrize("method", [c[0] for c in CARDS])
def test_each_card_builder_refuses_another_kind_of_card(method: str) -> None:
    expected = type(next(card for name, card, _ in CARDS if name == method)).__name__
    wrong: Any = SigninCard(text="x") if method != "signin_card" else HeroCard(title="x")
    with pytest.raises(TypeError, match=rf"expects an? {expected}, got {type(wrong).__name__}"):
        getattr(CardFactory, method)(wrong)


def test_a_dict_is_not_a_hero_card() -> None:
    with pytest.raises(TypeError, match=r"CardFactory.hero_card\(\) expects a HeroCard, got dict"):
        CardFactory.hero_card({"title": "x"})  # type: ignore[arg-type]


def test_content_types_are_the_activity_content_types() -> None:
    assert CardFactory.content_types is ContentTypes
    assert CardFactory.content_types.hero_card == "application/vnd.microsoft.card.hero"
