"""The empty agent and the echo skill samples on a real aiohttp server, answering a fake channel.

Each test imports the sample afresh (``test_samples/<name>/app.py``: a new ``AGENT_APP``
and a new storage), serves it on 127.0.0.1 and talks to it over HTTP the way a channel
does; what the agent sends arrives at the fake channel of ``support.py``. The echo skill
is served with its two extra routes (``add_routes``), as ``start_server`` serves it.

The scenarios are the tables of samples.md §2 S1 and S7, and the quick-start acceptance
scenario of §3 (``test_quickstart``).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

import pytest

from microsoft_agents.hosting.aiohttp import create_app

from .support import (
    AGENT,
    CONVERSATION_ID,
    USER,
    Document,
    Servers,
    conversation,
    load_sample,
    read_stored,
    running,
    serving,
)

WELCOME = (
    "Welcome to the Echo Agent sample 🚀. "
    "Type /help for help or send a message to see the echo feature in action."
)
REFERENCE_KEY = f"conversationreferences/{CONVERSATION_ID}"
CONVERSATION_STATE_KEY = f"msteams/conversations/{CONVERSATION_ID}"


@pytest.fixture
async def empty_agent(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Servers]:
    sample = load_sample("empty_agent", monkeypatch)
    async with running(sample.AGENT_APP, sample.ADAPTER) as servers:
        yield servers


@pytest.fixture
def skill_sample(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return load_sample("echo_skill", monkeypatch)


@pytest.fixture
async def skill(skill_sample: ModuleType) -> AsyncIterator[Servers]:
    web_app = create_app(skill_sample.AGENT_APP)
    skill_sample.add_routes(web_app)
    async with serving(web_app) as servers:
        yield servers


# ---------------------------------------------------------------------- empty agent (S1)


async def test_empty_agent_welcomes_once_when_members_join(empty_agent: Servers) -> None:
    status, _ = await empty_agent.post(empty_agent.members_added(USER, AGENT))

    welcome = await empty_agent.channel.next_message()

    assert status == 202
    assert welcome.body["text"] == WELCOME
    assert welcome.body["recipient"]["id"] == USER["id"]
    # one update, one welcome, however many members it adds
    assert empty_agent.channel.requests == [welcome]


async def test_empty_agent_welcomes_even_when_only_itself_joined(empty_agent: Servers) -> None:
    # The welcome handler is the /help handler too: it does not look at who joined.
    status, _ = await empty_agent.post(empty_agent.members_added(AGENT))

    welcome = await empty_agent.channel.next_message()

    assert status == 202
    assert welcome.body["text"] == WELCOME


async def test_empty_agent_help_repeats_the_welcome(empty_agent: Servers) -> None:
    reply = await empty_agent.say("/help")

    assert reply.body["text"] == WELCOME
    assert reply.match_info["activityId"] == "m1"
    assert reply.match_info["conversationId"] == CONVERSATION_ID


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("hi", "you said: hi"),
        ("hello", "Hello!"),
        # the commands match the whole text, case included
        ("/Help", "you said: /Help"),
        ("/help me", "you said: /help me"),
        ("Hello", "you said: Hello"),
        ("hello there", "you said: hello there"),
    ],
)
async def test_empty_agent_answers(empty_agent: Servers, text: str, answer: str) -> None:
    reply = await empty_agent.say(text)

    assert reply.body["text"] == answer


async def test_empty_agent_echo_leaves_out_its_own_mention(empty_agent: Servers) -> None:
    mention = {
        "type": "mention",
        "text": "<at>Echo Agent</at>",
        "mentioned": {"id": AGENT["id"], "name": AGENT["name"]},
    }

    reply = await empty_agent.say("<at>Echo Agent</at> how are you?", entities=[mention])

    assert reply.body["text"] == "you said: how are you?"


async def test_empty_agent_quickstart_scenario_on_webchat(empty_agent: Servers) -> None:
    webchat = {"channelId": "webchat", "conversation": conversation("webchat-conversation")}

    status, _ = await empty_agent.post(empty_agent.members_added(AGENT, USER, **webchat))
    welcome = await empty_agent.channel.next_message()
    hello = await empty_agent.say("hello", **webchat)
    hi = await empty_agent.say("hi", **webchat)

    assert status == 202
    assert welcome.body["text"].startswith("Welcome")
    assert hello.body["text"] == "Hello!"
    assert "hi" in hi.body["text"]
    assert empty_agent.channel.requests == [welcome, hello, hi]


async def test_empty_agent_prints_a_transcript_of_each_turn(
    empty_agent: Servers, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()  # start from an empty capture

    reply = await empty_agent.say("hi")

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(line["type"], line["text"]) for line in lines] == [
        ("message", "hi"),
        ("message", "you said: hi"),
    ]
    incoming, outgoing = lines
    assert incoming["id"] == "m1"
    assert incoming["from"]["id"] == USER["id"]
    # the agent's activity is logged after it was sent, with the id the channel gave it
    assert outgoing["id"] == "channel-activity-1"
    assert outgoing["replyToId"] == "m1"
    assert outgoing["recipient"]["id"] == USER["id"]
    assert reply.body["text"] == outgoing["text"]


# ---------------------------------------------------------------------- echo skill (S7)


async def _send_activity(skill: Servers, **request: Any) -> tuple[int, Any]:
    async with skill.session.post(f"{skill.agent_url}/api/sendactivity", **request) as response:
        return response.status, await response.json()


async def test_skill_echoes_and_saves_the_conversation_reference(
    skill: Servers, skill_sample: ModuleType
) -> None:
    assert await read_stored(skill_sample, REFERENCE_KEY) is None

    reply = await skill.say("hi there")

    assert reply.body["text"] == "(EchoSkill): hi there"
    assert reply.match_info["conversationId"] == CONVERSATION_ID
    saved = await read_stored(skill_sample, REFERENCE_KEY)
    assert saved is not None
    reference = saved["reference"]
    assert reference["conversation"]["id"] == CONVERSATION_ID
    assert reference["serviceUrl"] == f"{skill.channel_url}/"
    assert reference["channelId"] == "msteams"
    assert reference["user"]["id"] == USER["id"]
    assert reference["bot"]["id"] == AGENT["id"]
    assert reference["activityId"] == "m1"


async def test_skill_end_says_goodbye_ends_and_forgets_the_conversation(
    skill: Servers, skill_sample: ModuleType
) -> None:
    await skill.say("hi")
    # What the skill keeps for the conversation (as a skill with conversation state would).
    await skill_sample.STORAGE.write({CONVERSATION_STATE_KEY: Document({"topic": "weather"})})

    status, _ = await skill.post(skill.activity(text="end"))
    ending, end_of_conversation = await skill.channel.next_messages(2)

    assert status == 202
    assert ending.body["text"] == "(EchoSkill) Ending conversation..."
    assert end_of_conversation.body["type"] == "endOfConversation"
    assert end_of_conversation.body["code"] == "completedSuccessfully"
    assert end_of_conversation.match_info["conversationId"] == CONVERSATION_ID
    assert skill.channel.unread == 0
    # the conversation state and the saved reference are gone
    assert await read_stored(skill_sample, CONVERSATION_STATE_KEY) is None
    assert await read_stored(skill_sample, REFERENCE_KEY) is None
    status, body = await _send_activity(
        skill, json={"conversationId": CONVERSATION_ID, "message": "still there?"}
    )
    assert status == 404
    assert body["error"]["code"] == "NotFound"


async def test_skill_root_route_says_it_is_ready(skill: Servers) -> None:
    async with skill.session.get(f"{skill.agent_url}/") as response:
        assert response.status == 200
        assert await response.json() == {"status": "ready", "sample": "echo-skill"}


async def test_skill_sendactivity_delivers_into_a_saved_conversation(skill: Servers) -> None:
    await skill.say("hi")

    status, body = await _send_activity(
        skill, json={"conversationId": CONVERSATION_ID, "message": "The build passed."}
    )
    delivered = await skill.channel.next_message()

    assert status == 202
    assert body == {"status": "Delivered", "conversationId": CONVERSATION_ID}
    assert delivered.body["type"] == "message"
    assert delivered.body["text"] == "The build passed."
    assert delivered.match_info["conversationId"] == CONVERSATION_ID
    assert delivered.body["recipient"]["id"] == USER["id"]
    assert delivered.body["from"]["id"] == AGENT["id"]
    assert "Authorization" not in delivered.headers  # anonymous development mode
    assert skill.channel.unread == 0


async def test_skill_sendactivity_says_when_the_channel_refuses(skill: Servers) -> None:
    await skill.say("hi")
    skill.channel.fail_next(
        status=403, code="ConversationBlocked", message="The user blocked the agent."
    )

    status, body = await _send_activity(
        skill, json={"conversationId": CONVERSATION_ID, "message": "The build failed."}
    )
    refused = await skill.channel.next_message()

    assert status == 502
    assert body["error"]["code"] == "NotDelivered"
    assert "HTTP 403" in body["error"]["message"]
    assert refused.status == 403
    assert skill.channel.unread == 0  # and nothing else went into the conversation


async def test_skill_sendactivity_unknown_conversation_is_404(skill: Servers) -> None:
    await skill.say("hi")

    status, body = await _send_activity(
        skill, json={"conversationId": "a:1never-seen", "message": "hello?"}
    )

    assert status == 404
    assert body == {
        "status": "Error",
        "error": {"code": "NotFound", "message": "Conversation reference not found."},
    }
    assert skill.channel.unread == 0  # only the echo arrived


@pytest.mark.parametrize(
    ("request_args", "mentions"),
    [
        ({"data": "{not json", "headers": {"Content-Type": "application/json"}}, "JSON"),
        ({"data": b"", "headers": {"Content-Type": "application/json"}}, "JSON"),
        ({"json": {"message": "hello"}}, "conversationId"),
        ({"json": {"conversationId": CONVERSATION_ID}}, "message"),
        ({"json": {"conversationId": CONVERSATION_ID, "message": ""}}, "message"),
        ({"json": {"conversationId": 42, "message": "hello"}}, "conversationId"),
        ({"json": ["conversationId", "message"]}, "conversationId"),
    ],
    ids=["bad-json", "empty-body", "no-id", "no-message", "empty-message", "id-not-text", "list"],
)
async def test_skill_sendactivity_invalid_request_is_400(
    skill: Servers, request_args: dict[str, Any], mentions: str
) -> None:
    await skill.say("hi")

    status, body = await _send_activity(skill, **request_args)

    assert status == 400
    assert body["status"] == "Error"
    assert body["error"]["code"] == "Validation"
    assert mentions in body["error"]["message"]
    assert skill.channel.unread == 0  # only the echo arrived
