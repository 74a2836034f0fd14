"""The state counter and cards samples on a real aiohttp server, answering a fake channel.

Each test imports the sample afresh (``test_samples/<name>/app.py``: a new ``AGENT_APP``,
so an empty storage), serves it with ``create_app`` on 127.0.0.1 and talks to it over HTTP
the way Teams does; the agent's messages arrive at the fake channel of ``support.py``.
Invokes (card actions, searches) are answered in the HTTP response.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from .support import (
    AGENT,
    CONVERSATION_ID,
    REPLY_TO_ACTIVITY,
    USER,
    Servers,
    conversation,
    load_sample,
    running,
)

STATE_WELCOME = (
    "Welcome to the state counter! I count the messages of this conversation. "
    "Send /reset to start again from zero, /stats to see the counts."
)
APOLOGY = "The agent encountered an error or bug."


@pytest.fixture
async def counter(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Servers]:
    sample = load_sample("state_counter", monkeypatch)
    async with running(sample.AGENT_APP, sample.ADAPTER) as servers:
        yield servers


@pytest.fixture
async def cards(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Servers]:
    sample = load_sample("cards", monkeypatch)
    async with running(sample.AGENT_APP, sample.ADAPTER) as servers:
        yield servers


# ---------------------------------------------------------------------- state counter


async def test_counter_welcomes_the_user_but_not_itself(counter: Servers) -> None:
    status, _ = await counter.post(counter.members_added(AGENT))
    assert status == 202
    status, _ = await counter.post(counter.members_added(AGENT, USER))
    assert status == 202

    welcome = await counter.channel.next_message()
    assert welcome.body["text"] == STATE_WELCOME
    assert welcome.body["recipient"]["id"] == USER["id"]
    # the first update (only the agent joined) got no answer: the welcome is all there is
    assert counter.channel.requests == [welcome]


async def test_counter_counts_the_messages_of_a_conversation(counter: Servers) -> None:
    replies = [await counter.say(text) for text in ("hello", "again", "and again")]

    assert [reply.body["text"] for reply in replies] == [
        "Message 1 in this conversation: hello",
        "Message 2 in this conversation: again",
        "Message 3 in this conversation: and again",
    ]
    assert [reply.route for reply in replies] == [REPLY_TO_ACTIVITY] * 3
    assert [reply.match_info["activityId"] for reply in replies] == ["m1", "m2", "m3"]
    assert {reply.match_info["conversationId"] for reply in replies} == {CONVERSATION_ID}
    # the agent keeps its connection to the channel open from one turn to the next
    assert counter.channel_server.accepted == 1


async def test_counter_counts_each_conversation_separately(counter: Servers) -> None:
    other = conversation("a:1another-conversation")

    first = await counter.say("one")
    second = await counter.say("two")
    elsewhere = await counter.say("one", conversation=other)
    third = await counter.say("three")

    assert [m.body["text"] for m in (first, second, elsewhere, third)] == [
        "Message 1 in this conversation: one",
        "Message 2 in this conversation: two",
        "Message 1 in this conversation: one",
        "Message 3 in this conversation: three",
    ]
    assert elsewhere.match_info["conversationId"] == "a:1another-conversation"
    assert elsewhere.body["conversation"]["id"] == "a:1another-conversation"


async def test_counter_reset_starts_again_from_one(counter: Servers) -> None:
    await counter.say("one")
    await counter.say("two")

    reset = await counter.say("/reset")
    after = await counter.say("again")

    assert reset.body["text"] == "The count of this conversation is back to zero."
    assert after.body["text"] == "Message 1 in this conversation: again"


async def test_counter_stats_counts_the_users_messages_in_all_conversations(
    counter: Servers,
) -> None:
    await counter.say("one")
    await counter.say("two", conversation=conversation("a:1another-conversation"))

    stats = await counter.say("/stats")

    assert stats.body["text"] == (
        "This conversation: 1 message. You sent 2 messages in all conversations."
    )


async def test_a_reply_the_channel_refuses_fails_the_turn_and_is_not_counted(
    counter: Servers,
) -> None:
    await counter.say("one")
    counter.channel.fail_next(
        status=403, code="ConversationBlocked", message="The user blocked the agent."
    )

    status, _ = await counter.post(counter.activity(text="refused"))
    refused = await counter.channel.next_message()
    apology = await counter.channel.next_message()
    after = await counter.say("two")

    assert status == 202
    assert refused.status == 403
    assert refused.body["text"] == "Message 2 in this conversation: refused"
    # the user is told something went wrong, with no detail of the error
    assert apology.status == 200
    assert apology.body["text"] == APOLOGY
    assert "blocked" not in json.dumps(apology.body).lower()
    # the failed turn saved nothing: the count goes on from the last turn that worked
    assert after.body["text"] == "Message 2 in this conversation: two"


# ---------------------------------------------------------------------- cards


@pytest.mark.parametrize(
    ("command", "content_type"),
    [
        ("hero", "application/vnd.microsoft.card.hero"),
        ("receipt", "application/vnd.microsoft.card.receipt"),
        ("video", "application/vnd.microsoft.card.video"),
        ("static_submit", "application/vnd.microsoft.card.adaptive"),
        ("action_execute", "application/vnd.microsoft.card.adaptive"),
        ("dynamic_search", "application/vnd.microsoft.card.adaptive"),
    ],
)
async def test_cards_command_gets_its_card(cards: Servers, command: str, content_type: str) -> None:
    reply = await cards.say(command)

    (attachment,) = reply.body["attachments"]
    assert attachment["contentType"] == content_type
    assert isinstance(attachment["content"], dict)
    assert reply.body["replyToId"] == reply.match_info["activityId"]
    assert "text" not in reply.body


async def test_cards_welcome_then_the_command_card(cards: Servers) -> None:
    status, _ = await cards.post(cards.members_added())
    assert status == 202

    welcome, card = await cards.channel.next_messages(2)

    assert welcome.body["text"] == (
        "Hello and welcome! This sample demonstrates Adaptive Cards and activity-protocol cards."
    )
    (attachment,) = card.body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.hero"
    assert [button["value"] for button in attachment["content"]["buttons"]] == [
        "static_submit",
        "dynamic_search",
        "action_execute",
        "hero",
        "thumbnail",
        "audio",
        "video",
        "animation",
        "receipt",
    ]


async def test_cards_teams_only_command_is_refused_on_webchat(cards: Servers) -> None:
    reply = await cards.say("action_execute", channelId="webchat")

    assert reply.body["text"] == "Only Teams supports `action_execute`."


async def test_cards_action_submit_gets_its_reply(cards: Servers) -> None:
    submit = cards.activity(value={"verb": "StaticSubmit", "choiceSelect": "blue"})
    del submit["text"]

    status, _ = await cards.post(submit)
    reply = await cards.channel.next_message()

    assert status == 202
    assert reply.body["text"] == "Statically selected option: blue"
    assert reply.match_info["activityId"] == submit["id"]


async def _invoke(servers: Servers, name: str, value: dict[str, Any]) -> tuple[int, Any]:
    status, text = await servers.post(servers.invoke(name, value))
    return status, json.loads(text) if text else None


async def test_cards_search_invoke_answers_200_with_the_results(cards: Servers) -> None:
    status, body = await _invoke(
        cards,
        "application/search",
        {
            "kind": "search",
            "queryText": "aio",
            "queryOptions": {"skip": 0, "top": 3},
            "dataset": "pypipackages",
        },
    )

    assert status == 200
    assert body == {
        "statusCode": 200,
        "type": "application/vnd.microsoft.search.searchResponse",
        "value": {
            "results": [
                {"title": "aiohttp", "value": "aiohttp"},
                {"title": "aiohttp-cors", "value": "aiohttp-cors"},
                {"title": "aiosqlite", "value": "aiosqlite"},
            ]
        },
    }


async def test_cards_refresh_invoke_answers_200_with_the_card(cards: Servers) -> None:
    status, body = await _invoke(
        cards,
        "adaptiveCard/action",
        {"action": {"type": "Action.Execute", "verb": "refresh", "data": {}}, "trigger": "manual"},
    )

    assert status == 200
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    card = json.loads(body["value"])
    assert card["type"] == "AdaptiveCard"
    assert card["body"][0]["text"] == "Refreshed"
    # the refresh sent no message: the next thing the channel sees is the next reply
    reply = await cards.say("hero")
    assert cards.channel.requests == [reply]


async def test_cards_signin_invoke_posts_a_message_and_answers_with_the_card(
    cards: Servers,
) -> None:
    status, body = await _invoke(
        cards,
        "adaptiveCard/action",
        {"action": {"type": "Action.Execute", "verb": "signin", "data": {}}},
    )
    message = await cards.channel.next_message()

    assert status == 200
    assert json.loads(body["value"])["body"][0]["text"] == "Signed in"
    assert message.body["text"] == "Action.Execute sign-in handler called."
