"""The samples on a real aiohttp server, answering a fake channel.

Each test imports the sample afresh (``test_samples/<name>/app.py``: a new ``AGENT_APP``,
so an empty storage), serves it with ``create_app`` on 127.0.0.1 and talks to it over HTTP
the way Teams does; the agent's messages arrive at the fake channel of ``support.py``.
Invokes (card actions, searches) are answered in the HTTP response.

Covered here: the state counter and the cards; the quick start's answer to a message
without text; what the streaming sample sends where nothing is streamed; the auth sample's
``/whoami`` with tokens signed by a local Bot Framework key; and the agent-to-agent root
when the skill answers in the HTTP response, is down, or refuses.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import ModuleType
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from microsoft_agents.activity import Activity
from microsoft_agents.hosting.aiohttp import create_app
from microsoft_agents.hosting.core import ClaimsIdentity

from .local_identity import (
    BOT_FRAMEWORK_LOGIN_HOST,
    CLIENT_ID,
    CLIENT_SECRET,
    TENANT,
    BotFrameworkIssuer,
    LocalResolver,
    LocalTls,
    serve_tls,
    validating_app,
)
from .support import (
    AGENT,
    CONVERSATION_ID,
    REPLY_TO_ACTIVITY,
    USER,
    Received,
    Served,
    Servers,
    conversation,
    load_sample,
    running,
    serve,
    serving,
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
    counter.channel.fail_next(status=400, code="BadArgument", message="The reply is malformed.")

    status, _ = await counter.post(counter.activity(text="refused"))
    refused = await counter.channel.next_message()
    apology = await counter.channel.next_message()
    after = await counter.say("two")

    assert status == 202
    assert refused.status == 400
    assert refused.body["text"] == "Message 2 in this conversation: refused"
    # the user is told something went wrong, with no detail of the error
    assert apology.status == 200
    assert apology.body["text"] == APOLOGY
    assert "malformed" not in json.dumps(apology.body).lower()
    # the failed turn saved nothing: the count goes on from the last turn that worked
    assert after.body["text"] == "Message 2 in this conversation: two"


async def test_a_conversation_the_channel_refuses_gets_no_apology(counter: Servers) -> None:
    """A user who blocked the agent (403) would refuse the apology too: none is sent."""
    await counter.say("one")
    counter.channel.fail_next(
        status=403, code="ConversationBlocked", message="The user blocked the agent."
    )

    status, _ = await counter.post(counter.activity(text="refused"))
    refused = await counter.channel.next_message()
    # The refused turn ended before its 202: an apology would have arrived before this.
    after = await counter.say("two")

    assert status == 202
    assert refused.status == 403
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


# ---------------------------------------------------------------------- quick start


async def test_quickstart_answers_a_message_without_text(monkeypatch: pytest.MonkeyPatch) -> None:
    quickstart = load_sample("quickstart", monkeypatch)
    async with running(quickstart.AGENT_APP, quickstart.ADAPTER) as servers:
        submit = servers.activity(value={"choice": "blue"})
        del submit["text"]
        status, _ = await servers.post(submit)
        no_text = await servers.channel.next_message()
        echo = await servers.say("hi")

    assert status == 202
    assert no_text.body["text"] == "Your message had no text, so there is nothing to repeat."
    assert echo.body["text"] == "You said: hi"


# ---------------------------------------------------------------------- streaming


async def _until_message(servers: Servers) -> list[Received]:
    """What the channel receives up to and including the first ``message``."""
    received = [await servers.channel.next_request()]
    while received[-1].body["type"] != "message":
        received.append(await servers.channel.next_request())
    return received


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"channelId": "emulator"}, id="emulator"),
        pytest.param(
            {"conversation": dict(conversation(CONVERSATION_ID), conversationType="groupChat")},
            id="teams-group-chat",
        ),
    ],
)
async def test_streaming_where_nothing_streams_sends_typing_then_the_whole_answer(
    monkeypatch: pytest.MonkeyPatch, fields: dict[str, Any]
) -> None:
    # Six chunks 0.2 s apart: the answer takes longer than the typing indicator's 0.5 s.
    monkeypatch.setenv("CHUNK_DELAY", "0.2")
    streaming = load_sample("streaming", monkeypatch)
    async with running(streaming.AGENT_APP) as servers:
        status, _ = await servers.post(servers.activity(text="tell me", **fields))
        typing, final = await _until_message(servers)

    assert status == 202
    # the application's typing indicator: no text, no stream information
    assert typing.body["type"] == "typing"
    assert "text" not in typing.body
    assert "entities" not in typing.body
    full = "".join(streaming.CHUNKS).replace("[doc1]", "[1]").replace("[doc2]", "[2]")
    assert final.body["text"] == full
    [ai] = [e for e in final.body["entities"] if e["type"] == "https://schema.org/Message"]
    assert [c["appearance"]["name"] for c in ai["citation"]] == [
        c.title for c in streaming.CITATIONS
    ]
    assert ai["additionalType"] == ["AIGeneratedContent"]
    assert ai["usageInfo"]["name"] == "Internal"


# ---------------------------------------------------------------------- auth: /whoami


@asynccontextmanager
async def auth_sample_validating_tokens(
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[tuple[Served, BotFrameworkIssuer]]:
    """The auth sample, validating tokens against a local Bot Framework signing key.

    Replies are asked for in the HTTP answer (``expectReplies``), so nothing is sent to a
    channel and no outbound token is needed.
    """
    monkeypatch.setenv("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID", CLIENT_ID)
    monkeypatch.setenv("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET", CLIENT_SECRET)
    monkeypatch.setenv("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID", TENANT)
    sample = load_sample("auth", monkeypatch)
    issuer = BotFrameworkIssuer(endorsements=["msteams"])
    tls = LocalTls([BOT_FRAMEWORK_LOGIN_HOST])
    keys_runner, keys_port = await serve_tls(issuer.application(), tls)
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(
            resolver=LocalResolver({BOT_FRAMEWORK_LOGIN_HOST: keys_port}),
            ssl=tls.client_context,
        )
    )
    configuration = sample.CONNECTION_MANAGER.get_default_connection_configuration()
    agent = await serve(validating_app(sample.AGENT_APP, configuration, session))
    try:
        yield agent, issuer
    finally:
        await agent.close()
        await session.close()
        await keys_runner.cleanup()
        await session.close()
        await keys_runner.cleanup()


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"ver": "1.0", "appid": "caller-app-v1"}, id="v1-appid"),
        pytest.param({"ver": "2.0", "azp": "caller-app-v2"}, id="v2-azp"),
    ],
)
async def test_auth_whoami_names_the_calling_app_not_the_agent(
    monkeypatch: pytest.MonkeyPatch, claims: dict[str, str]
) -> None:
    caller = claims.get("appid") or claims["azp"]
    service_url = "https://smba.trafficmanager.net/teams/"
    activity = {
        "type": "message",
        "id": "w1",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "deliveryMode": "expectReplies",
        "from": dict(USER),
        "recipient": dict(AGENT),
        "conversation": conversation(CONVERSATION_ID),
        "text": "/whoami",
    }
    async with auth_sample_validating_tokens(monkeypatch) as (agent, issuer):
        token = issuer.token(CLIENT_ID, service_url, **claims)
        headers = {"Authorization": f"Bearer {token}"}
        async with (
            aiohttp.ClientSession() as client,
            client.post(f"{agent.url}/api/messages", json=activity, headers=headers) as response,
        ):
            status, body = response.status, await response.json()

    assert status == 200
    texts = [a["text"] for a in body["activities"] if a["type"] == "message"]
    assert texts == [f"This request came from app {caller}."]


# ---------------------------------------------------------------------- agent to agent


@pytest.fixture
async def skill_endpoint(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    """The skill of the agent-to-agent sample, served; its messaging endpoint."""
    skill = load_sample("agent_to_agent", monkeypatch, file="skill.py")
    served = await serve(create_app(skill.AGENT_APP))
    try:
        yield f"{served.url}/api/messages"
    finally:
        await served.close()


@asynccontextmanager
async def root_calling(
    monkeypatch: pytest.MonkeyPatch, skill_endpoint: str
) -> AsyncIterator[tuple[ModuleType, Servers]]:
    """The root of the agent-to-agent sample, served with its callback routes."""
    root = load_sample("agent_to_agent", monkeypatch, file="root.py")
    root_app = create_app(root.AGENT_APP)
    root.add_callback_routes(root_app)  # its cleanup closes the root's HTTP session
    async with serving(root_app) as servers:
        monkeypatch.setattr(root, "SKILL_ENDPOINT", skill_endpoint)
        monkeypatch.setattr(root, "HOST_ENDPOINT", f"{servers.agent_url}/api/botresponse/")
        yield root, servers


async def _texts_after(servers: Servers, *texts: str) -> list[str]:
    """Say each of ``texts``; the texts of every message the channel got for them.

    The agent answers 202 once its turn is over, its replies sent: no need to wait.
    """
    for text in texts:
        status, body = await servers.post(servers.activity(text=text))
        assert status == 202, (status, body)
    return [r.body["text"] for r in servers.channel.requests if r.body["type"] == "message"]


async def _expect_replies(servers: Servers, text: str) -> list[str]:
    """Say ``text`` asking for the replies in the HTTP answer; the texts of the messages."""
    status, body = await servers.post(servers.activity(text=text, deliveryMode="expectReplies"))
    assert status == 200, (status, body)
    return [a["text"] for a in json.loads(body)["activities"] if a["type"] == "message"]


async def test_root_relays_the_skills_answers_in_its_http_answer_with_expect_replies(
    monkeypatch: pytest.MonkeyPatch, skill_endpoint: str
) -> None:
    async with root_calling(monkeypatch, skill_endpoint) as (root, servers):
        connected = await _expect_replies(servers, "agent, please")
        echoed = await _expect_replies(servers, "more")
        ended = await _expect_replies(servers, "end")
        back = await _expect_replies(servers, "hello")

        # everything came in the HTTP answers: nothing was posted to the channel
        assert servers.channel.requests == []
    assert connected == [
        root.CONNECTING,
        "Echo(Agent2): agent, please",
        'Say "end" or "stop" and I\'ll end the conversation.',
    ]
    assert echoed[0] == "Echo(Agent2): more"
    assert ended == [
        "(Agent2) Ending conversation from Agent2",
        "Received endOfConversation. Code: completedSuccessfully.",
        root.BACK,
    ]
    assert back == [root.PROMPT]


async def test_root_reports_a_skill_it_cannot_reach_and_takes_the_user_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A port nothing listens on any more: connecting to it is refused.
    gone = await serve(web.Application())
    await gone.close()
    async with root_calling(monkeypatch, f"{gone.url}/api/messages") as (root, servers):
        texts = await _texts_after(servers, "agent, please", "hello")

    assert texts == [
        root.CONNECTING,
        "The agent could not take the message (it cannot be reached).",
        root.BACK,
        root.PROMPT,  # the root's again, not a second attempt to reach the skill
    ]
    assert root.ACTIVE == {}


async def test_root_reports_a_skill_that_refuses_and_takes_the_user_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def refuse(request: web.Request) -> web.Response:
        return web.json_response({"error": "overloaded"}, status=503)

    refusing = web.Application()
    refusing.router.add_post("/api/messages", refuse)
    skill = await serve(refusing)
    try:
        async with root_calling(monkeypatch, f"{skill.url}/api/messages") as (root, servers):
            texts = await _texts_after(servers, "agent, please", "hello")
    finally:
        await skill.close()

    assert texts == [
        root.CONNECTING,
        "The agent could not take the message (HTTP 503).",
        root.BACK,
        root.PROMPT,
    ]
    assert root.ACTIVE == {}


async def test_root_refuses_a_callback_from_an_app_other_than_its_skill(
    monkeypatch: pytest.MonkeyPatch, skill_endpoint: str
) -> None:
    """The root ties each skill conversation id to the skill's app id: another app with a
    token for the root cannot speak in (or end) the user's patched-through conversation."""
    monkeypatch.setenv("SKILL_APP_ID", "skill-app-id")
    async with root_calling(monkeypatch, skill_endpoint) as (root, servers):
        await _texts_after(servers, "agent, please")
        [skill_conversation] = root.ACTIVE.values()
        stored = await root.CONVERSATION_IDS.get_agent_conversation_reference(skill_conversation)
        assert stored.agent_app_id == "skill-app-id"

        def caller(app_id: str) -> ClaimsIdentity:
            claims = {"ver": "1.0", "aud": "root-app", "appid": app_id, "iss": "https://x/"}
            return ClaimsIdentity(claims, True)

        intruder = Activity(type="endOfConversation", code="completedSuccessfully")
        with pytest.raises(PermissionError):
            await root.SkillResponses().on_send_to_conversation(
                caller("another-app-of-the-tenant"), skill_conversation, intruder
            )
        assert root.ACTIVE[CONVERSATION_ID] == skill_conversation  # still patched through
