"""Rich cards: builders, attachment and message forms, and real card payloads."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest

from microsoft_agents.activity import (
    Activity,
    ActivityError,
    ActivityStateError,
    AdaptiveCardCard,
    AnimationCard,
    Attachment,
    AttachmentData,
    AttachmentInfo,
    AudioCard,
    BasicCard,
    Card,
    CardAction,
    CardImage,
    ContentTypes,
    ExpectedReplies,
    Fact,
    HeroCard,
    MediaCard,
    MediaUrl,
    OAuthCard,
    ReceiptCard,
    ReceiptItem,
    SigninCard,
    SignInResource,
    SuggestedActions,
    ThumbnailCard,
    ThumbnailUrl,
    Transcript,
    VideoCard,
)

from .conftest import load_fixture, wire


def _attachments_of(fixture: str) -> list[dict[str, Any]]:
    attachments: list[dict[str, Any]] = load_fixture(fixture)["attachments"]
    return attachments


# ---------------------------------------------------------------------- hero / thumbnail


def test_hero_card_built_with_builders_becomes_a_camel_case_attachment() -> None:
    card = (
        HeroCard(title="Ticket 42", subtitle="Printer on floor 3", text="Status: open")
        .add_image(url="https://contoso.example/tickets/42.png", alt="Ticket 42")
        .add_button(title="Close ticket")
        .add_button(title="Open in portal", card_type="openUrl", value="https://contoso.example/42")
    )

    attachment = card.to_attachment()

    assert wire(attachment) == {
        "contentType": "application/vnd.microsoft.card.hero",
        "content": {
            "title": "Ticket 42",
            "subtitle": "Printer on floor 3",
            "text": "Status: open",
            "images": [{"url": "https://contoso.example/tickets/42.png", "alt": "Ticket 42"}],
            "buttons": [
                {"type": "imBack", "title": "Close ticket", "value": "Close ticket"},
                {
                    "type": "openUrl",
                    "title": "Open in portal",
                    "value": "https://contoso.example/42",
                },
            ],
        },
    }


def test_to_message_is_a_message_activity_with_only_that_card() -> None:
    card = ThumbnailCard(title="Weekly report").add_button(
        title="Download", type="downloadFile", value="https://contoso.example/report.pdf"
    )

    message = card.to_message()

    assert isinstance(message, Activity)
    assert message.is_message()
    assert message.to_wire(exclude_none=True) == {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.thumbnail",
                "content": {
                    "title": "Weekly report",
                    "buttons": [
                        {
                            "type": "downloadFile",
                            "title": "Download",
                            "value": "https://contoso.example/report.pdf",
                        }
                    ],
                },
            }
        ],
    }


def test_add_button_accepts_ready_actions_and_several_at_once() -> None:
    yes = CardAction(type="messageBack", title="Yes", text="yes", display_text="Yes please")
    no = CardAction(type="imBack", title="No", value="no")
    later = CardAction(type="imBack", title="Later", value="later")

    card = HeroCard().add_button(yes).add_buttons(no, later)

    assert [b.title for b in card.buttons or []] == ["Yes", "No", "Later"]
    assert card.to_attachment().content["buttons"][0] == {
        "type": "messageBack",
        "title": "Yes",
        "text": "yes",
        "displayText": "Yes please",
    }


def test_add_image_accepts_a_card_image_with_its_own_tap() -> None:
    tap = CardAction(type="openUrl", value="https://contoso.example/full.png")

    card = HeroCard().add_image(CardImage(url="https://contoso.example/thumb.png", tap=tap))

    assert card.to_attachment().content == {
        "images": [
            {
                "url": "https://contoso.example/thumb.png",
                "tap": {"type": "openUrl", "value": "https://contoso.example/full.png"},
            }
        ]
    }


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.add_button(), "needs a CardAction or title"),
        (lambda c: c.add_button(CardAction(type="imBack"), title="x"), "not both"),
        (lambda c: c.add_image(), "needs a CardImage or url"),
        (lambda c: c.add_image(CardImage(url="https://a"), alt="x"), "not both"),
    ],
)
def test_builders_reject_missing_or_conflicting_arguments(call: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        call(HeroCard())


def test_fields_set_to_none_do_not_reach_the_channel() -> None:
    card = HeroCard(title="Only a title", subtitle=None, images=None)

    assert card.to_attachment().content == {"title": "Only a title"}


def test_real_hero_cards_round_trip_through_the_model() -> None:
    for raw in _attachments_of("bbdotnet--message--5.json"):
        card = HeroCard.model_validate(raw["content"])

        assert card.images is not None
        assert card.images[0].url is not None
        assert card.images[0].url.startswith("http")
        assert wire(card.to_attachment()) == raw


def test_unknown_card_keys_are_kept_in_the_attachment() -> None:
    card = HeroCard.model_validate({"title": "T", "customFlag": {"x": 1}})

    assert card.to_attachment().content == {"title": "T", "customFlag": {"x": 1}}


def test_basic_card_has_the_hero_layout_but_is_not_a_sendable_card() -> None:
    card = (
        BasicCard(title="T").add_image(url="https://contoso.example/a.png").add_button(title="Go")
    )

    assert not isinstance(card, Card)
    assert not hasattr(card, "to_attachment")
    assert wire(card) == {
        "title": "T",
        "images": [{"url": "https://contoso.example/a.png"}],
        "buttons": [{"type": "imBack", "title": "Go", "value": "Go"}],
    }


def test_card_is_abstract() -> None:
    with pytest.raises(TypeError, match="abstract"):
        Card()  # type: ignore[abstract]


# ---------------------------------------------------------------------- media cards


def test_video_card_with_media_and_thumbnail() -> None:
    card = (
        VideoCard(
            title="Big Buck Bunny",
            image=ThumbnailUrl(url="https://contoso.example/bunny.jpg", alt="bunny"),
            autostart=False,
            aspect="16:9",
            duration="PT9M56S",
            value={"videoId": 7},
        )
        .add_media(url="https://contoso.example/bunny-720.mp4", profile="720p")
        .add_media(MediaUrl(url="https://contoso.example/bunny-1080.mp4", profile="1080p"))
        .add_button(title="Learn more", type="openUrl", value="https://peach.blender.org/")
    )

    assert wire(card.to_attachment()) == {
        "contentType": "application/vnd.microsoft.card.video",
        "content": {
            "title": "Big Buck Bunny",
            "image": {"url": "https://contoso.example/bunny.jpg", "alt": "bunny"},
            "media": [
                {"url": "https://contoso.example/bunny-720.mp4", "profile": "720p"},
                {"url": "https://contoso.example/bunny-1080.mp4", "profile": "1080p"},
            ],
            "buttons": [
                {"type": "openUrl", "title": "Learn more", "value": "https://peach.blender.org/"}
            ],
            "autostart": False,
            "aspect": "16:9",
            "duration": "PT9M56S",
            "value": {"videoId": 7},
        },
    }


@pytest.mark.parametrize(
    ("card_class", "content_type"),
    [
        (AnimationCard, "application/vnd.microsoft.card.animation"),
        (AudioCard, "application/vnd.microsoft.card.audio"),
        (VideoCard, "application/vnd.microsoft.card.video"),
    ],
)
def test_each_media_card_has_its_content_type(card_class: type[Card], content_type: str) -> None:
    card = card_class.model_validate(
        {"title": "clip", "media": [{"url": "https://contoso.example/clip"}], "autoloop": True}
    )

    attachment = card.to_attachment()

    assert attachment.content_type == content_type
    assert attachment.content == {
        "title": "clip",
        "media": [{"url": "https://contoso.example/clip"}],
        "autoloop": True,
    }


def test_media_card_is_a_model_only() -> None:
    card = MediaCard(title="m").add_media(url="https://contoso.example/m.mp3")

    assert not isinstance(card, Card)
    assert wire(card) == {"title": "m", "media": [{"url": "https://contoso.example/m.mp3"}]}
    with pytest.raises(TypeError, match="not both"):
        card.add_media(MediaUrl(url="https://a"), profile="hd")


# ---------------------------------------------------------------------- receipt


def test_receipt_card_with_items_facts_and_totals() -> None:
    card = (
        ReceiptCard(title="John Doe", total="$ 90.95", tax="$ 7.50", vat="$ 0.00")
        .add_fact(key="Order Number", value="1234")
        .add_fact(Fact(key="Payment Method", value="VISA 5555-****"))
        .add_item(
            ReceiptItem(
                title="Data Transfer",
                price="$ 38.45",
                quantity="368",
                image=CardImage(url="https://contoso.example/traffic.png"),
            )
        )
        .add_item(ReceiptItem(title="App Service", price="$ 45.00", quantity="720"))
        .add_button(title="More information", type="openUrl", value="https://azure.example/")
    )

    assert wire(card.to_attachment()) == {
        "contentType": "application/vnd.microsoft.card.receipt",
        "content": {
            "title": "John Doe",
            "facts": [
                {"key": "Order Number", "value": "1234"},
                {"key": "Payment Method", "value": "VISA 5555-****"},
            ],
            "items": [
                {
                    "title": "Data Transfer",
                    "image": {"url": "https://contoso.example/traffic.png"},
                    "price": "$ 38.45",
                    "quantity": "368",
                },
                {"title": "App Service", "price": "$ 45.00", "quantity": "720"},
            ],
            "total": "$ 90.95",
            "tax": "$ 7.50",
            "vat": "$ 0.00",
            "buttons": [
                {"type": "openUrl", "title": "More information", "value": "https://azure.example/"}
            ],
        },
    }


def test_add_fact_needs_a_fact_or_a_key() -> None:
    with pytest.raises(TypeError, match="needs a Fact or key"):
        ReceiptCard().add_fact(value="orphan")


# ---------------------------------------------------------------------- sign-in cards


def test_oauth_card_from_a_sign_in_resource_matches_the_sign_in_flow_shape() -> None:
    resource = SignInResource.model_validate(
        {
            "signInLink": "https://token.botframework.com/api/oauth/signin?signin=abc",
            "tokenExchangeResource": {
                "id": "fc67c7b5-d0d4-494c-a0e9-3a7ddec999f0",
                "uri": "api://botid-e3cb1c84",
                "providerId": "30dd229c-58e3-4a48-bdfd-91ec48eb906c",
            },
            "tokenPostResource": {"sasUrl": "https://token.botframework.com/api/sas/postToken"},
        }
    )
    card = OAuthCard(
        text="Sign in",
        connection_name="graph",
        token_exchange_resource=resource.token_exchange_resource,
        token_post_resource=resource.token_post_resource,
    ).add_button(title="Sign in", type="signin", value=resource.sign_in_link)

    assert wire(card.to_attachment()) == {
        "contentType": "application/vnd.microsoft.card.oauth",
        "content": {
            "text": "Sign in",
            "connectionName": "graph",
            "buttons": [
                {
                    "type": "signin",
                    "title": "Sign in",
                    "value": "https://token.botframework.com/api/oauth/signin?signin=abc",
                }
            ],
            "tokenExchangeResource": {
                "id": "fc67c7b5-d0d4-494c-a0e9-3a7ddec999f0",
                "uri": "api://botid-e3cb1c84",
                "providerId": "30dd229c-58e3-4a48-bdfd-91ec48eb906c",
            },
            "tokenPostResource": {"sasUrl": "https://token.botframework.com/api/sas/postToken"},
        },
    }


def test_real_oauth_card_with_pascal_case_resources_is_read() -> None:
    [raw] = _attachments_of("teamsnet--message--7.json")
    assert raw["contentType"] == ContentTypes.oauth_card

    card = OAuthCard.model_validate(raw["content"])

    assert card.connection_name == "sso"
    assert card.buttons is not None
    assert card.buttons[0].type == "signin"
    assert card.token_exchange_resource is not None
    assert card.token_exchange_resource.id == "fc67c7b5-d0d4-494c-a0e9-3a7ddec999f0"
    assert card.token_exchange_resource.provider_id == "30dd229c-58e3-4a48-bdfd-91ec48eb906c"
    assert card.token_exchange_resource.uri == "api://botid-e3cb1c84-14e3-419c-b39c-1c06097b55fd"
    assert card.token_post_resource is not None
    assert card.token_post_resource.sas_url is not None
    assert card.token_post_resource.sas_url.startswith("https://token.botframework.com/api/sas/")
    # Written back in the protocol's camelCase.
    content = card.to_attachment().content
    assert set(content["tokenExchangeResource"]) == {"id", "uri", "providerId"}
    assert set(content["tokenPostResource"]) == {"sasUrl"}


def test_oauth_card_without_exchange_resource_round_trips() -> None:
    [raw] = _attachments_of("teamsnet--message--8.json")

    card = OAuthCard.model_validate(raw["content"])

    assert card.token_exchange_resource is None
    assert card.to_attachment().content == {
        "text": "Please Sign In",
        "connectionName": "teamsgraph",
        "buttons": raw["content"]["buttons"],
        "tokenPostResource": {"sasUrl": raw["content"]["tokenPostResource"]["SasUrl"]},
    }


def test_signin_card() -> None:
    card = SigninCard(text="Please sign in").add_button(
        title="Sign in", type="signin", value="https://login.example/start"
    )

    assert wire(card.to_attachment()) == {
        "contentType": "application/vnd.microsoft.card.signin",
        "content": {
            "text": "Please sign in",
            "buttons": [
                {"type": "signin", "title": "Sign in", "value": "https://login.example/start"}
            ],
        },
    }


# ---------------------------------------------------------------------- adaptive cards


@pytest.mark.parametrize(
    "fixture",
    ["teamsnet--message--1.json", "bbsamples--message--2.json", "bbsamples--message--5.json"],
)
def test_adaptive_card_json_text_becomes_the_attachment_content(fixture: str) -> None:
    [raw] = _attachments_of(fixture)
    text = json.dumps(raw["content"], indent=2)

    attachment = AdaptiveCardCard(content=text).to_attachment()

    assert wire(attachment) == raw
    assert attachment.content_type == "application/vnd.microsoft.card.adaptive"


def test_adaptive_card_to_message() -> None:
    card = AdaptiveCardCard(content='{"type": "AdaptiveCard", "version": "1.5", "body": []}')

    message = card.to_message()

    assert message.type == "message"
    assert message.attachments == [
        Attachment(
            content_type=ContentTypes.adaptive_card,
            content={"type": "AdaptiveCard", "version": "1.5", "body": []},
        )
    ]


def test_adaptive_card_with_invalid_json_says_what_is_wrong() -> None:
    card = AdaptiveCardCard(content='{"type": "AdaptiveCard", "body": [],}')

    with pytest.raises(ActivityStateError) as caught:
        card.to_attachment()

    message = str(caught.value)
    assert "AdaptiveCardCard.content is not valid JSON" in message
    # The position json reports differs across Python versions (3.13 points one column
    # earlier at a trailing comma); that a position is given is what matters.
    assert re.search(r"line 1 column \d+", message)
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, ActivityError)


def test_adaptive_card_must_be_a_json_object() -> None:
    with pytest.raises(ActivityStateError, match="JSON text of an object, got a JSON list"):
        AdaptiveCardCard(content='[{"type": "AdaptiveCard"}]').to_attachment()


# ---------------------------------------------------------------------- content types


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("adaptive_card", "application/vnd.microsoft.card.adaptive"),
        ("hero_card", "application/vnd.microsoft.card.hero"),
        ("thumbnail_card", "application/vnd.microsoft.card.thumbnail"),
        ("receipt_card", "application/vnd.microsoft.card.receipt"),
        ("oauth_card", "application/vnd.microsoft.card.oauth"),
        ("signin_card", "application/vnd.microsoft.card.signin"),
        ("animation_card", "application/vnd.microsoft.card.animation"),
        ("audio_card", "application/vnd.microsoft.card.audio"),
        ("video_card", "application/vnd.microsoft.card.video"),
        ("message", "application/vnd.microsoft.activity.message"),
        ("login_request", "application/vnd.microsoft.activity.loginRequest"),
        ("incorrect_auth_code", "application/vnd.microsoft.error.incorrectAuthCode"),
        ("precondition_failed", "application/vnd.microsoft.error.preconditionFailed"),
        ("error", "application/vnd.microsoft.error"),
        ("search_response", "application/vnd.microsoft.search.searchResponse"),
    ],
)
def test_content_type_constants(name: str, value: str) -> None:
    assert getattr(ContentTypes, name) == value


# ---------------------------------------------------------------------- uploads


def test_attachment_data_keeps_base64_text_and_decodes_it() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    payload = {
        "type": "image/png",
        "name": "chart.png",
        "originalBase64": base64.b64encode(png).decode("ascii"),
        "thumbnailBase64": base64.b64encode(png[:4]).decode("ascii"),
    }

    data = AttachmentData.model_validate(payload)

    assert wire(data) == payload
    assert data.original_bytes() == png
    assert data.thumbnail_bytes() == png[:4]


def test_attachment_data_from_bytes() -> None:
    data = AttachmentData.from_bytes(b"hello, world", type="text/plain", name="hello.txt")

    assert wire(data) == {
        "originalBase64": "aGVsbG8sIHdvcmxk",
        "type": "text/plain",
        "name": "hello.txt",
    }
    assert data.thumbnail_bytes() is None
    assert AttachmentData.model_validate_json(data.model_dump_json(by_alias=True)) == data


def test_attachment_info_views() -> None:
    payload = {
        "name": "chart.png",
        "type": "image/png",
        "views": [{"viewId": "original", "size": 1024}, {"viewId": "thumbnail", "size": 96}],
    }

    info = AttachmentInfo.model_validate(payload)

    assert info.views is not None
    assert [(v.view_id, v.size) for v in info.views] == [("original", 1024), ("thumbnail", 96)]
    assert wire(info) == payload


# ---------------------------------------------------------------------- list fields and null


def test_suggested_actions_with_null_lists_parse_and_round_trip() -> None:
    """protocol.md 1.6 / 18 #14 and wire-notes (list fields are ``T[] | null``): a null
    list is no error; like any other received null it is written back as null."""
    payload = {"type": "message", "suggestedActions": {"to": None, "actions": None}}

    activity = Activity.model_validate(payload)

    suggested = activity.suggested_actions
    assert suggested is not None
    assert (suggested.to, suggested.actions) == (None, None)
    assert wire(activity) == payload
    suggested.add_recipients("29:ann").add_action(CardAction(type="imBack", title="Yes"))
    assert wire(suggested) == {"to": ["29:ann"], "actions": [{"type": "imBack", "title": "Yes"}]}


def test_suggested_actions_built_in_code_start_with_empty_lists() -> None:
    suggested = SuggestedActions()
    assert (suggested.to, suggested.actions) == ([], [])
    assert wire(suggested) == {}


@pytest.mark.parametrize("model", [ExpectedReplies, Transcript])
def test_activity_lists_accept_null(model: Any) -> None:
    parsed = model.model_validate({"activities": None})
    assert parsed.activities is None
    assert wire(parsed) == {"activities": None}
    assert model().activities == []
