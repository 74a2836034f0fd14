"""The payloads agents meet most, one test each: parse, use the typed parts, round-trip.

Every test starts from what a channel really sends (a fixture from tests/fixtures, or, where
the corpus has no such payload, a realistic one written out here), reads it the way an
agent's code would, and checks the wire form comes back key for key.
"""

from __future__ import annotations

from typing import Any

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeValue,
    AIEntity,
    Attachment,
    Channels,
    ContentTypes,
    HeroCard,
    Mention,
    StreamInfo,
)
from microsoft_agents.activity.teams import TeamsChannelData

from .conftest import load_fixture, wire


def _round_trip(payload: dict[str, Any]) -> Activity:
    activity = Activity.model_validate(payload)
    assert wire(activity) == payload
    text = activity.model_dump_json(by_alias=True, exclude_unset=True)
    again = Activity.model_validate_json(text)
    assert again == activity
    return activity


def test_teams_channel_message_with_mentions_and_channel_data() -> None:
    payload = load_fixture("bbteams--message--1.json")
    activity = _round_trip(payload)

    assert activity.type == ActivityTypes.message
    assert activity.channel_id == Channels.ms_teams
    mentions = activity.get_mentions()
    assert mentions
    assert all(isinstance(m, Mention) for m in mentions)
    assert {m.text for m in mentions} <= {e.get("text") for e in payload["entities"]}
    channel_data = TeamsChannelData.model_validate(activity.channel_data)
    assert channel_data.team is not None
    assert channel_data.team.id == payload["channelData"]["team"]["id"]
    assert channel_data.tenant is not None
    assert channel_data.tenant.id == payload["channelData"]["tenant"]["id"]


def test_teams_conversation_update_members_added() -> None:
    payload = load_fixture("bbteams--conversationUpdate--4.json")
    activity = _round_trip(payload)

    assert activity.type == ActivityTypes.conversation_update
    added = [member.id for member in activity.members_added or []]
    assert added == [member["id"] for member in payload["membersAdded"]]
    channel_data = TeamsChannelData.model_validate(activity.channel_data)
    assert channel_data.event_type == payload["channelData"].get("eventType")


def test_adaptive_card_action_invoke() -> None:
    payload = load_fixture("teamsnet--invoke--1.json")
    activity = _round_trip(payload)

    assert activity.type == ActivityTypes.invoke
    assert activity.name == "adaptiveCard/action"
    value = AdaptiveCardInvokeValue.model_validate(activity.value)
    assert value.action.type == payload["value"]["action"]["type"]
    assert value.action.verb == payload["value"]["action"].get("verb")
    assert value.action.data == payload["value"]["action"].get("data", {})


def test_direct_line_message_with_suggested_actions() -> None:
    payload = load_fixture("agentsnet--message--3.json")
    activity = _round_trip(payload)

    assert activity.suggested_actions is not None
    titles = [action.title for action in activity.suggested_actions.actions]
    assert titles == [a["title"] for a in payload["suggestedActions"]["actions"]]


def test_web_chat_message_with_hero_cards_and_suggested_actions() -> None:
    """No corpus payload has both; this is what Web Chat receives from a carousel reply."""
    payload = {
        "type": "message",
        "id": "HhX7oCJB0dG3hrc6Dm1yk0-us|0000003",
        "timestamp": "2026-11-24T10:15:02.4031212Z",
        "serviceUrl": "https://directline.botframework.com/",
        "channelId": "webchat",
        "from": {"id": "agent@abc", "name": "Contoso Travel"},
        "conversation": {"id": "HhX7oCJB0dG3hrc6Dm1yk0-us"},
        "recipient": {"id": "dl_9f6d", "name": "You"},
        "attachmentLayout": "carousel",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.hero",
                "content": {
                    "title": "Lisbon",
                    "images": [{"url": "https://contoso.example/lisbon.jpg", "alt": "Tram 28"}],
                    "buttons": [{"type": "imBack", "title": "Book", "value": "book lisbon"}],
                },
            },
            {
                "contentType": "image/png",
                "contentUrl": "https://contoso.example/map.png",
                "name": "map.png",
            },
        ],
        "suggestedActions": {
            "to": ["dl_9f6d"],
            "actions": [
                {"type": "imBack", "title": "More", "value": "more"},
                {"type": "openUrl", "title": "Site", "value": "https://contoso.example/"},
            ],
        },
        "replyToId": "HhX7oCJB0dG3hrc6Dm1yk0-us|0000002",
    }
    activity = _round_trip(payload)

    assert activity.attachment_layout == "carousel"
    first = activity.attachments[0]
    assert isinstance(first, Attachment)
    assert first.content_type == ContentTypes.hero_card
    card = HeroCard.model_validate(first.content)
    assert card.title == "Lisbon"
    assert card.buttons[0].value == "book lisbon"
    assert activity.suggested_actions is not None
    assert activity.suggested_actions.to == ["dl_9f6d"]


def test_copilot_message_with_ai_entity_citations() -> None:
    payload = load_fixture("agentsjs--message--1.json")
    activity = _round_trip(payload)

    ai = [entity for entity in activity.entities or [] if isinstance(entity, AIEntity)]
    assert len(ai) == 1
    citations = ai[0].citation or []
    assert [c.position for c in citations] == [
        c["position"] for c in payload["entities"][0]["citation"]
    ]
    assert citations[0].appearance.name == "Use a proxy server in Windows"
    assert citations[0].appearance.usage_info is not None
    assert citations[0].appearance.usage_info.name == "General"


def test_streaming_typing_activity_with_streaminfo() -> None:
    payload = load_fixture("teamsdocs--typing--1.json")
    activity = _round_trip(payload)

    assert activity.type == ActivityTypes.typing
    (info,) = activity.entities or []
    assert isinstance(info, StreamInfo)
    assert info.stream_type == "informative"
    assert info.stream_sequence == 1
    # This Teams sample spells the key "serviceurl"; it is kept as sent, not guessed at.
    assert activity.service_url is None
    assert wire(activity)["serviceurl"] == payload["serviceurl"]


def test_emulator_conversation_update() -> None:
    payload = load_fixture("emulator--conversationUpdate--1.json")
    activity = _round_trip(payload)

    assert activity.channel_id == Channels.emulator
    assert activity.type == ActivityTypes.conversation_update
    assert [m.id for m in activity.members_added or []] == [
        m["id"] for m in payload["membersAdded"]
    ]
