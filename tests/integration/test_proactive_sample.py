"""The proactive sample on a real aiohttp server, answering a fake channel.

Each test imports ``test_samples/proactive/app.py`` afresh (a new ``AGENT_APP`` and a new
storage), serves it with its notify route (``add_routes``, as ``start_server`` serves it)
on 127.0.0.1, and talks to it over HTTP the way a channel and a notifying system do; what
the agent sends arrives at the fake channel of ``support.py``.

The scenarios are the rows of samples.md §2 S6 that need no user sign-in.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

import pytest

from microsoft_agents.hosting.aiohttp import create_app
from microsoft_agents.hosting.core import TurnContext, TurnState

from .support import (
    AGENT,
    CONVERSATION_ID,
    REPLY_TO_ACTIVITY,
    USER,
    Document,
    Received,
    Servers,
    conversation,
    load_sample,
    read_stored,
    serving,
)

OTHER_ID = "a:1another_conversation"
STORED_KEY = f"proactive/conversations/{CONVERSATION_ID}"
CONVERSATION_STATE_KEY = f"msteams/conversations/{CONVERSATION_ID}"
CONTINUED = "This is the proactive continuation turn."
STORED = (
    "Conversation stored. Use this ID with **-c** or the notify endpoint:\n\n"
    f"```\n{CONVERSATION_ID}\n```"
)


@pytest.fixture
def sample(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return load_sample("proactive", monkeypatch)


@pytest.fixture
async def agent(sample: ModuleType) -> AsyncIterator[Servers]:
    web_app = create_app(sample.AGENT_APP)
    sample.add_routes(web_app)
    async with serving(web_app) as servers:
        yield servers


async def _notify(agent: Servers, **request: Any) -> tuple[int, Any]:
    url = f"{agent.agent_url}/api/proactive/notify"
    async with agent.session.post(url, **request) as response:
        return response.status, await response.json()


def _from_agent_to_user(received: Received, conversation_id: str = CONVERSATION_ID) -> None:
    assert received.match_info["conversationId"] == conversation_id
    assert received.body["conversation"]["id"] == conversation_id
    assert received.body["from"]["id"] == AGENT["id"]
    assert received.body["recipient"]["id"] == USER["id"]
    assert "Authorization" not in received.headers  # anonymous development mode


# ---------------------------------------------------------------------- welcome and /help


async def test_a_user_who_joins_gets_the_welcome_and_the_commands(
    agent: Servers, sample: ModuleType
) -> None:
    status, _ = await agent.post(agent.members_added(AGENT, USER))

    welcome = await agent.channel.next_message()

    assert status == 202
    assert welcome.body["text"] == sample.WELCOME
    assert welcome.body["text"].startswith("Welcome to the Proactive Agent sample! Commands:")
    for command in ("**-s**", "**-c**", "**-c <id>**", "**/help**", "/api/proactive/notify"):
        assert command in welcome.body["text"]
    _from_agent_to_user(welcome)
    assert agent.channel.requests == [welcome]  # one update, one welcome


async def test_no_welcome_when_only_the_agent_joins(agent: Servers, sample: ModuleType) -> None:
    status, _ = await agent.post(agent.members_added(AGENT))
    # Whatever the update sent would arrive before the answer to the next message.
    help_reply = await agent.say("/help")

    assert status == 202
    assert help_reply.body["text"] == sample.COMMANDS
    assert agent.channel.requests == [help_reply]


async def test_help_lists_the_commands(agent: Servers) -> None:
    reply = await agent.say("/help")

    assert reply.body["text"].startswith("Commands:")
    for command in ("**-s**", "**-c**", "**-c <id>**", "/api/proactive/notify"):
        assert command in reply.body["text"]
    assert reply.route == REPLY_TO_ACTIVITY
    assert reply.match_info["activityId"] == "m1"
    _from_agent_to_user(reply)


# ---------------------------------------------------------------------- -s


async def test_store_keeps_the_conversation_and_answers_its_id(
    agent: Servers, sample: ModuleType
) -> None:
    assert await read_stored(sample, STORED_KEY) is None

    reply = await agent.say("-s")

    assert reply.body["text"] == STORED
    assert reply.match_info["activityId"] == "m1"  # a plain reply to the user's message
    _from_agent_to_user(reply)
    stored = await read_stored(sample, STORED_KEY)
    assert stored is not None
    reference = stored["conversation_reference"]
    assert reference["conversation"]["id"] == CONVERSATION_ID
    assert reference["serviceUrl"] == f"{agent.channel_url}/"
    assert reference["channelId"] == "msteams"
    assert reference["user"]["id"] == USER["id"]
    assert reference["bot"]["id"] == AGENT["id"]
    assert stored["claims"] == {}  # anonymous: the proactive turns send no token


# ---------------------------------------------------------------------- -c


async def test_continue_runs_a_proactive_turn_in_this_conversation(agent: Servers) -> None:
    # Nothing stored: "-c" alone takes the conversation from the turn.
    status, _ = await agent.post(agent.activity(text="-c"))
    continued = await agent.channel.next_message()

    assert status == 202
    assert continued.body["text"] == CONTINUED
    _from_agent_to_user(continued)
    # sent from the proactive turn, which answers its continuation event, not "m1"
    assert continued.match_info.get("activityId") != "m1"
    assert continued.body.get("replyToId") != "m1"
    assert agent.channel.unread == 0


async def test_continue_with_an_id_runs_the_turn_in_that_stored_conversation(
    agent: Servers,
) -> None:
    other = {"conversation": conversation(OTHER_ID)}
    stored = await agent.say("-s", **other)

    status, _ = await agent.post(agent.activity(text=f"-c {OTHER_ID}"))
    continued = await agent.channel.next_message()

    assert stored.body["text"].endswith(f"```\n{OTHER_ID}\n```")
    assert status == 202
    assert continued.body["text"] == CONTINUED
    _from_agent_to_user(continued, OTHER_ID)  # there, not in the conversation that asked
    assert agent.channel.unread == 0


async def test_continue_with_an_unknown_id_says_to_store_it_first(agent: Servers) -> None:
    reply = await agent.say("-c a:1never-stored")

    assert reply.body["text"] == (
        "Conversation `a:1never-stored` not found. Send **-s** first to store it."
    )
    assert reply.match_info["activityId"] == "m1"
    _from_agent_to_user(reply)
    assert agent.channel.unread == 0


async def test_continue_with_the_id_of_this_conversation_needs_itstored(agent: Servers) -> None:
    missing = await agent.say(f"-c {CONVERSATION_ID}")
    await agent.say("-s")
    continued = await agent.say(f"-c {CONVERSATION_ID}")

    assert missing.body["text"].startswith(f"Conversation `{CONVERSATION_ID}` not found.")
    assert continued.body["text"] == CONTINUED
    _from_agent_to_user(continued)


# ---------------------------------------------------------------------- echo


async def test_other_text_is_echoed_from_a_proactive_turn(agent: Servers) -> None:
    reply = await agent.say("hello there")

    assert reply.body["text"] == "You said: hello there"
    _from_agent_to_user(reply)
    assert reply.body.get("replyToId") != "m1"  # not a reply of the user's turn
    assert agent.channel.unread == 0


async def test_the_echo_turn_gets_the_message_in_the_continuation_value(
    agent: Servers, sample: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[dict[str, Any]] = []
    echo_turn = sample.echo_turn

    async def recording(context: TurnContext, state: TurnState) -> None:
        activity = context.activity
        seen.append({"type": activity.type, "name": activity.name, "value": activity.value})
        await echo_turn(context, state)

    monkeypatch.setattr(sample, "echo_turn", recording)

    reply = await agent.say("what time is it?")

    assert reply.body["text"] == "You said: what time is it?"
    [turn] = seen
    assert turn["type"] == "event"
    assert turn["name"] == "ContinueConversation"
    assert turn["value"].id == "m1"
    assert turn["value"].text == "what time is it?"


async def test_the_echo_leaves_out_the_mention_of_the_agent(agent: Servers) -> None:
    mention = {
        "type": "mention",
        "text": "<at>Echo Agent</at>",
        "mentioned": {"id": AGENT["id"], "name": AGENT["name"]},
    }

    reply = await agent.say("<at>Echo Agent</at> how are you?", entities=[mention])

    assert reply.body["text"] == "You said: how are you?"


# ---------------------------------------------------------------------- state


async def test_proactive_turns_keep_the_conversation_state(
    agent: Servers, sample: ModuleType
) -> None:
    # What the conversation state holds (as an agent that keeps some would have).
    await sample.STORAGE.write({CONVERSATION_STATE_KEY: Document({"topic": "weather"})})

    await agent.say("-s")
    await agent.say("-c")
    await agent.say("echo me")
    status, _ = await _notify(agent, json={"conversationId": CONVERSATION_ID, "message": "x"})
    await agent.channel.next_message()

    assert status == 202
    stored = await read_stored(sample, CONVERSATION_STATE_KEY)
    assert stored is not None
    assert stored["topic"] == "weather"


async def test_what_a_proactive_turn_saves_outlives_the_turn_that_ran_it(
    agent: Servers, sample: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A continuation turn that counts itself in the conversation state: the user's turn
    # around it ("-c") must not save its older copy of the state over the count.
    async def counting(context: TurnContext, state: TurnState) -> None:
        runs = state.conversation.get_value("runs", lambda: 0) + 1
        state.conversation.set_value("runs", runs)
        await context.send_activity(f"run {runs}")

    monkeypatch.setattr(sample, "continuation_turn", counting)

    first = await agent.say("-c")
    await agent.say("between")  # an ordinary turn of the conversation in between
    second = await agent.say("-c")

    assert first.body["text"] == "run 1"
    assert second.body["text"] == "run 2"


# ---------------------------------------------------------------------- the notify endpoint


async def test_notify_delivers_into_a_stored_conversation(agent: Servers) -> None:
    await agent.say("-s")

    status, body = await _notify(
        agent, json={"conversationId": CONVERSATION_ID, "message": "The build passed."}
    )
    delivered = await agent.channel.next_message()

    assert status == 202
    assert body == {"status": "delivered", "conversationId": CONVERSATION_ID}
    assert delivered.body["type"] == "message"
    assert delivered.body["text"] == "[Notification] The build passed."
    _from_agent_to_user(delivered)
    assert agent.channel.unread == 0


async def test_notify_reaches_the_conversation_it_names(agent: Servers) -> None:
    await agent.say("-s")
    await agent.say("-s", conversation=conversation(OTHER_ID))

    status, _ = await _notify(agent, json={"conversationId": OTHER_ID, "message": "only here"})
    delivered = await agent.channel.next_message()

    assert status == 202
    assert delivered.body["text"] == "[Notification] only here"
    _from_agent_to_user(delivered, OTHER_ID)
    assert agent.channel.unread == 0


async def test_notify_unknown_conversation_is_404(agent: Servers) -> None:
    await agent.say("-c")  # a proactive turn here, but the conversation was never stored

    status, body = await _notify(
        agent, json={"conversationId": CONVERSATION_ID, "message": "hello?"}
    )

    assert status == 404
    assert body["status"] == "error"
    assert body["error"]["code"] == "NotFound"
    assert CONVERSATION_ID in body["error"]["message"]
    assert agent.channel.unread == 0


async def test_notify_says_when_the_channel_refuses(agent: Servers) -> None:
    await agent.say("-s")
    agent.channel.fail_next(status=403, code="ConversationBlocked", message="Blocked.")

    status, body = await _notify(
        agent, json={"conversationId": CONVERSATION_ID, "message": "The build failed."}
    )
    refused = await agent.channel.next_message()

    assert status == 502
    assert body["status"] == "error"
    assert body["error"]["code"] == "NotDelivered"
    assert "HTTP 403" in body["error"]["message"]
    assert refused.status == 403
    assert agent.channel.unread == 0


BAD_REQUESTS: list[tuple[dict[str, Any], str]] = [
    ({"data": "{not json", "headers": {"Content-Type": "application/json"}}, "JSON"),
    ({"data": b"", "headers": {"Content-Type": "application/json"}}, "JSON"),
    ({"data": b"\xff\xfe{", "headers": {"Content-Type": "application/json"}}, "JSON"),
    ({"json": ["conversationId", "message"]}, "object"),
    ({"json": "conversationId"}, "object"),
    ({"data": "null", "headers": {"Content-Type": "application/json"}}, "object"),
    ({"json": {"message": "hello"}}, "conversationId"),
    ({"json": {"conversationId": CONVERSATION_ID}}, "message"),
    ({"json": {"conversationId": "", "message": "hello"}}, "conversationId"),
    ({"json": {"conversationId": CONVERSATION_ID, "message": ""}}, "message"),
    ({"json": {"conversationId": 42, "message": "hello"}}, "conversationId"),
    ({"json": {"conversationId": CONVERSATION_ID, "message": ["hi"]}}, "message"),
]
BAD_REQUEST_IDS = [
    "bad-json",
    "empty-body",
    "not-utf8",
    "list",
    "string",
    "null",
    "no-id",
    "no-message",
    "empty-id",
    "empty-message",
    "id-not-text",
    "message-not-text",
]


@pytest.mark.parametrize(("request_args", "mentions"), BAD_REQUESTS, ids=BAD_REQUEST_IDS)
async def test_notify_invalid_request_is_400(
    agent: Servers, request_args: dict[str, Any], mentions: str
) -> None:
    await agent.say("-s")

    status, body = await _notify(agent, **request_args)

    assert status == 400
    assert body["status"] == "error"
    assert body["error"]["code"] == "Validation"
    assert mentions in body["error"]["message"]
    assert agent.channel.unread == 0  # nothing went into the conversation


async def test_the_agent_stays_up_after_bad_input(agent: Servers) -> None:
    await agent.say("-s")

    statuses = [(await _notify(agent, **request))[0] for request, _ in BAD_REQUESTS]
    statuses.append(
        (await _notify(agent, json={"conversationId": "a:1unknown", "message": "x"}))[0]
    )
    unknown = await agent.say("-c a:1unknown")
    status, _ = await _notify(agent, json={"conversationId": CONVERSATION_ID, "message": "ok"})
    delivered = await agent.channel.next_message()
    continued = await agent.say("-c")

    assert statuses == [400] * len(BAD_REQUESTS) + [404]
    assert unknown.body["text"].startswith("Conversation `a:1unknown` not found.")
    assert status == 202
    assert delivered.body["text"] == "[Notification] ok"
    assert continued.body["text"] == CONTINUED
    assert agent.channel.unread == 0
