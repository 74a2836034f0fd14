"""The extension starter sample on a real aiohttp server, answering a fake channel.

Each test imports ``test_samples/extension_starter/app.py`` afresh (a new ``AGENT_APP``
with a new ``ExtensionAgent`` on it), serves it on 127.0.0.1 and talks to it over HTTP
the way a channel does; what the agent sends arrives at the fake channel of
``support.py``. The agent's HTTP answer comes once its turn is over, so after ``post``
the fake channel holds everything the turn sent.

The scenario is S12 of samples.md: the extension's hello routes (the agentic one ranked
``RouteRank.FIRST``) and its invokes on the custom channel.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from microsoft_agents.hosting.core import RouteRank, TurnContext, TurnState

from .support import (
    AGENT,
    CONVERSATION_ID,
    REPLY_TO_ACTIVITY,
    USER,
    Received,
    Servers,
    load_sample,
    running,
)

CUSTOM_CHANNEL = "mycustomchannel"
FIELD = "ticket-42"
INSTANCE_ID = "agent-instance-7"


@pytest.fixture
async def agent(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Servers]:
    sample = load_sample("extension_starter", monkeypatch)
    async with running(sample.AGENT_APP, sample.ADAPTER) as servers:
        yield servers


def _custom_channel(**fields: Any) -> dict[str, Any]:
    """The fields of an activity from the custom channel, which sends its own field."""
    return {"channelId": CUSTOM_CHANNEL, "channelData": {"customField": FIELD}, **fields}


def _agentic(role: str = "agenticAppInstance") -> dict[str, Any]:
    """A recipient that makes the activity an agentic request."""
    return {"recipient": {**AGENT, "role": role, "agenticAppId": INSTANCE_ID}}


def _sent(servers: Servers) -> list[Received]:
    """What the agent sent the channel so far, typing indicators left out."""
    return [
        received
        for received in servers.channel.requests
        if not (isinstance(received.body, dict) and received.body.get("type") == "typing")
    ]


async def _invoke(
    servers: Servers, name: str, **fields: Any
) -> tuple[int, str, dict[str, Any] | None]:
    """POST an invoke; the HTTP status, content type and JSON body (None when empty)."""
    activity = servers.invoke(name, {"ticket": 42}, **fields)
    async with servers.session.post(servers.messages_url, json=activity) as response:
        text = await response.text()
        return response.status, response.content_type, json.loads(text) if text else None


# ---------------------------------------------------------------------- hello messages


@pytest.mark.parametrize("text", ["hello", "Well, HELLO there", "say hello!"])
async def test_hello_is_taken_by_the_extension(agent: Servers, text: str) -> None:
    reply = await agent.say(text)

    assert reply.body["text"] == f"Hello event detected! User ID: {USER['id']}, Field: none"
    assert reply.body["type"] == "message"
    assert reply.route == REPLY_TO_ACTIVITY
    assert reply.match_info == {"conversationId": CONVERSATION_ID, "activityId": "m1"}
    assert reply.body["replyToId"] == "m1"
    assert reply.body["recipient"]["id"] == USER["id"]
    assert reply.body["from"]["id"] == AGENT["id"]
    assert _sent(agent) == [reply]


async def test_hello_on_the_custom_channel_reads_its_field(agent: Servers) -> None:
    reply = await agent.say("hello", **_custom_channel())

    assert reply.body["text"] == f"Hello event detected! User ID: {USER['id']}, Field: {FIELD}"
    assert reply.body["channelId"] == CUSTOM_CHANNEL


@pytest.mark.parametrize("role", ["agenticAppInstance", "agenticUser"])
async def test_agentic_hello_wins_with_rank_first(agent: Servers, role: str) -> None:
    # The agent's agentic echo was registered before the extension's agentic hello route;
    # RouteRank.FIRST puts the extension's route ahead of it. The plain hello route
    # (not agentic) does not answer as well: one route runs per turn.
    status, _ = await agent.post(
        agent.activity(text="hello", **_agentic(role), **_custom_channel())
    )

    assert status == 202
    [reply] = _sent(agent)
    assert reply.body["text"] == (
        f"Agentic hello event detected! User ID: {USER['id']}, "
        f"Agent instance: {INSTANCE_ID}, Field: {FIELD}"
    )
    assert reply.match_info == {"conversationId": CONVERSATION_ID, "activityId": "m1"}
    assert reply.body["from"]["role"] == role


async def test_an_agentic_message_without_hello_gets_the_agentic_echo(agent: Servers) -> None:
    reply = await agent.say("good morning", **_agentic())

    assert reply.body["text"] == "Agentic request, you said: good morning"
    assert _sent(agent) == [reply]


@pytest.mark.parametrize("text", ["good morning", "hell o", ""])
async def test_a_message_without_hello_gets_the_echo(agent: Servers, text: str) -> None:
    reply = await agent.say(text)

    assert reply.body["text"] == f"You said: {text}"
    assert _sent(agent) == [reply]


# ---------------------------------------------------------------------- custom invokes


@pytest.mark.parametrize("event", ["customEvent", "otherCustomEvent"])
async def test_custom_invoke_is_answered_with_the_result(agent: Servers, event: str) -> None:
    name = f"invoke/{event}"

    status, content_type, body = await _invoke(agent, name, **_custom_channel())

    assert status == 200
    assert content_type == "application/json"
    assert body == {"event": name, "userId": USER["id"], "field": FIELD}
    [message] = _sent(agent)
    assert message.body["type"] == "message"
    assert message.body["text"] == f"Custom event triggered {name}"
    assert message.route == REPLY_TO_ACTIVITY
    assert message.match_info == {"conversationId": CONVERSATION_ID, "activityId": "m1"}
    assert message.body["recipient"]["id"] == USER["id"]


async def test_custom_invoke_result_leaves_out_a_missing_field(agent: Servers) -> None:
    status, _, body = await _invoke(agent, "invoke/customEvent", channelId=CUSTOM_CHANNEL)

    assert status == 200
    assert body == {"event": "invoke/customEvent", "userId": USER["id"]}


async def test_custom_invoke_in_an_agentic_request_is_still_the_extensions(
    agent: Servers,
) -> None:
    # Invoke routes are tried before agentic ones.
    status, _, body = await _invoke(agent, "invoke/customEvent", **_agentic(), **_custom_channel())

    assert status == 200
    assert body == {"event": "invoke/customEvent", "userId": USER["id"], "field": FIELD}
    assert [m.body["text"] for m in _sent(agent)] == ["Custom event triggered invoke/customEvent"]


async def test_custom_invokes_come_before_the_applications_ordinary_routes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The extension registers its invoke routes with is_invoke=True: they are tried before
    # every ordinary route, even one ranked FIRST that takes any invoke.
    sample = load_sample("extension_starter", monkeypatch)

    async def on_any_invoke(context: TurnContext, _: TurnState) -> None:
        await context.send_activity(f"the application's route took {context.activity.name}")

    sample.AGENT_APP.activity("invoke", rank=RouteRank.FIRST)(on_any_invoke)

    async with running(sample.AGENT_APP, sample.ADAPTER) as servers:
        status, _, body = await _invoke(servers, "invoke/customEvent", **_custom_channel())
        taken = _sent(servers)
        # an invoke the extension does not handle goes to the application's route
        other_status, _, _ = await _invoke(servers, "invoke/unknownEvent", **_custom_channel())

        assert status == 200
        assert body == {"event": "invoke/customEvent", "userId": USER["id"], "field": FIELD}
        assert [m.body["text"] for m in taken] == ["Custom event triggered invoke/customEvent"]
        assert other_status == 501  # that route sent a message, but no invoke answer
        assert _sent(servers)[-1].body["text"] == (
            "the application's route took invoke/unknownEvent"
        )


@pytest.mark.parametrize(
    "name", ["invoke/unknownEvent", "invoke/customevent", "customEvent", "invoke/"]
)
async def test_an_invoke_the_extension_does_not_handle_is_501(agent: Servers, name: str) -> None:
    # No route takes it, so AgentApplication leaves it unanswered: the channel gets 501.
    status, _, body = await _invoke(agent, name, **_custom_channel())

    assert status == 501
    assert body is None
    assert _sent(agent) == []


@pytest.mark.parametrize("channel_id", ["msteams", "webchat", "mycustomchannel2"])
async def test_a_custom_invoke_from_another_channel_is_not_taken(
    agent: Servers, channel_id: str
) -> None:
    status, _, body = await _invoke(
        agent, "invoke/customEvent", channelId=channel_id, channelData={"customField": FIELD}
    )

    assert status == 501
    assert body is None
    assert _sent(agent) == []


async def test_each_activity_is_answered_once(agent: Servers) -> None:
    # Messages and invokes one after the other in one conversation: each gets its own
    # answer, and no route answers twice.
    hello = await agent.say("hello")
    status, _, body = await _invoke(agent, "invoke/otherCustomEvent", **_custom_channel())
    triggered = await agent.channel.next_message()
    echo = await agent.say("bye")

    assert hello.body["text"].startswith("Hello event detected!")
    assert status == 200
    assert body is not None
    assert body["event"] == "invoke/otherCustomEvent"
    assert triggered.body["text"] == "Custom event triggered invoke/otherCustomEvent"
    assert echo.body["text"] == "You said: bye"
    assert [m.match_info["activityId"] for m in (hello, triggered, echo)] == ["m1", "m2", "m3"]
    assert _sent(agent) == [hello, triggered, echo]
