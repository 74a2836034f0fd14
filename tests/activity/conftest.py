from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "activities"


def load_fixture(name: str) -> dict[str, Any]:
    """One activity payload from tests/fixtures/activities (see SOURCES.md there)."""
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def wire(model: Any) -> Any:
    """The wire form every test compares against: camelCase, only what was set."""
    return model.model_dump(mode="json", by_alias=True, exclude_unset=True)


@pytest.fixture
def teams_channel_message() -> dict[str, Any]:
    """A Teams channel message that @-mentions the agent, with Teams channel data."""
    return {
        "type": "message",
        "id": "1712345678901",
        "timestamp": "2024-05-02T09:15:27.1234567Z",
        "localTimestamp": "2024-05-02T11:15:27.1234567+02:00",
        "localTimezone": "Europe/Berlin",
        "serviceUrl": "https://smba.trafficmanager.net/emea/",
        "channelId": "msteams",
        "from": {
            "id": "29:1a2b3c",
            "name": "Ann Example",
            "aadObjectId": "6b1d3e7a-0000-4000-8000-000000000001",
        },
        "conversation": {
            "isGroup": True,
            "conversationType": "channel",
            "tenantId": "72f988bf-0000-4000-8000-000000000000",
            "id": "19:abc@thread.tacv2;messageid=1712345678901",
        },
        "recipient": {"id": "28:app-id-123", "name": "Helper Agent"},
        "textFormat": "plain",
        "locale": "en-GB",
        "text": "<at>Helper Agent</at> what is the status of ticket 42?",
        "attachments": [
            {
                "contentType": "text/html",
                "content": "<div><at>Helper Agent</at> what is the status of ticket 42?</div>",
            }
        ],
        "entities": [
            {
                "type": "mention",
                "mentioned": {"id": "28:app-id-123", "name": "Helper Agent"},
                "text": "<at>Helper Agent</at>",
            },
            {
                "type": "clientInfo",
                "locale": "en-GB",
                "country": "DE",
                "platform": "Web",
                "timezone": "Europe/Berlin",
            },
        ],
        "channelData": {
            "teamsChannelId": "19:abc@thread.tacv2",
            "teamsTeamId": "19:team@thread.tacv2",
            "channel": {"id": "19:abc@thread.tacv2", "name": "Support"},
            "team": {"id": "19:team@thread.tacv2", "name": "Operations"},
            "tenant": {"id": "72f988bf-0000-4000-8000-000000000000"},
        },
    }
