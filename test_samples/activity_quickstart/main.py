"""Quick start for microsoft_agents.activity: read an incoming activity, build the reply.

Run it from the repository root with ``.venv/bin/hatch run samples:activity`` (any
``python3 scripts/dev.py`` command creates ``.venv/`` first). It parses the JSON a channel
(here Microsoft Teams) would POST to an agent, shows what the agent sees, and prints the
JSON of the reply the agent would send back: addressed to the same conversation, from the
agent to the user.
"""

from __future__ import annotations

import json

from microsoft_agents.activity import Activity, ActivityTypes

INCOMING = {
    "type": "message",
    "id": "1700000000000",
    "timestamp": "2026-11-24T09:30:00.123+01:00",
    "serviceUrl": "https://smba.trafficmanager.net/emea/",
    "channelId": "msteams",
    "from": {"id": "29:user-id", "name": "Megan Bowen", "aadObjectId": "00000000-aaaa"},
    "conversation": {"id": "a:1conversation", "conversationType": "personal", "tenantId": "t1"},
    "recipient": {"id": "28:agent-id", "name": "Echo Agent"},
    "text": "<at>Echo Agent</at> hello there",
    "entities": [
        {
            "type": "mention",
            "mentioned": {"id": "28:agent-id", "name": "Echo Agent"},
            "text": "<at>Echo Agent</at>",
        }
    ],
    "channelData": {"tenant": {"id": "t1"}},
}


def main() -> None:
    incoming = Activity.model_validate(INCOMING)
    assert incoming.type == ActivityTypes.message
    said = incoming.remove_recipient_mention()
    sender = incoming.from_property.name if incoming.from_property else "someone"
    print(f"{sender} said {said!r} on {incoming.channel_id}")

    reply = incoming.create_reply(f"You said: {said}")
    print(json.dumps(reply.to_wire(exclude_none=True), indent=2))


if __name__ == "__main__":
    main()
