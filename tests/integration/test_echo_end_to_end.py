"""The quick-start echo agent on a real aiohttp server, answering a fake channel.

Two servers run on 127.0.0.1, each on a port the OS picks: the agent
(``test_samples/quickstart/app.py`` served by ``create_app``) and the :class:`FakeChannel`
of ``support.py``, which plays the Connector API a channel exposes, records every request
and answers ``{"id": ...}`` like a channel does. Each test posts activities to the agent
with ``serviceUrl`` pointing at the fake channel and waits (with a timeout) for the replies.

The agent runs in anonymous development mode (``CloudAdapter()`` with no connection
manager): it takes requests without a token and sends its replies without one.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from types import ModuleType

import pytest

from microsoft_agents.hosting.core.testing import AgentTester

from .support import AGENT, CONVERSATION_ID, USER, Servers, load_sample, running


@pytest.fixture
def quickstart(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """A fresh import of the quick-start sample, by path, without running its server."""
    return load_sample("quickstart", monkeypatch)


@pytest.fixture
async def servers(quickstart: ModuleType) -> AsyncIterator[Servers]:
    async with running(quickstart.AGENT_APP, quickstart.ADAPTER) as served:
        yield served


async def _assert_echo_reaches_channel(servers: Servers, text: str, activity_id: str) -> None:
    status, _ = await servers.post(servers.activity(id=activity_id, text=text))
    assert status == 202
    reply = await servers.channel.next_message()
    assert reply.match_info == {"conversationId": CONVERSATION_ID, "activityId": activity_id}
    assert reply.body["text"] == f"You said: {text}"


# ---------------------------------------------------------------------- the tests


async def test_message_reply_arrives_at_the_channel(servers: Servers) -> None:
    sent = servers.activity()
    status, _ = await servers.post(sent)
    assert status == 202

    reply = await servers.channel.next_message()
    assert reply.method == "POST"
    assert reply.match_info == {"conversationId": CONVERSATION_ID, "activityId": "m1"}
    assert reply.path.startswith("/v3/conversations/")
    assert reply.path.endswith("/activities/m1")
    assert "authorization" not in {name.lower() for name in reply.headers}

    body = reply.body
    assert body["type"] == "message"
    assert body["text"] == "You said: hi"
    assert body["replyToId"] == "m1"
    assert body["conversation"] == sent["conversation"]
    assert body["serviceUrl"] == sent["serviceUrl"]
    assert body["from"]["id"] == AGENT["id"]
    assert body["from"]["name"] == AGENT["name"]
    assert body["recipient"]["id"] == USER["id"]
    assert body["recipient"]["name"] == USER["name"]
    assert body["channelId"] == "msteams"
    assert servers.channel.unread == 0


async def test_expect_replies_answers_in_the_body(servers: Servers) -> None:
    status, text = await servers.post(
        servers.activity(id="m2", text="hello", deliveryMode="expectReplies")
    )
    assert status == 200
    body = json.loads(text)
    messages = [a for a in body["activities"] if a["type"] == "message"]
    assert [m["text"] for m in messages] == ["You said: hello"]
    assert messages[0]["replyToId"] == "m2"
    assert messages[0]["recipient"]["id"] == USER["id"]
    assert messages[0]["conversation"]["id"] == CONVERSATION_ID

    # The turn is over when the response arrives. A normal message sent now must be the
    # first thing the channel sees: the expectReplies turn posted nothing there.
    await _assert_echo_reaches_channel(servers, "after", "m3")
    assert servers.channel.unread == 0


async def test_unhandled_invoke_is_501(servers: Servers) -> None:
    status, _ = await servers.post(
        servers.activity(id="i1", type="invoke", name="custom/notHandled", value={"a": 1})
    )
    assert status == 501
    await _assert_echo_reaches_channel(servers, "still here", "m4")


async def test_malformed_json_is_400_and_the_server_stays_up(servers: Servers) -> None:
    async with servers.session.post(
        servers.messages_url,
        data=b'{"type": "message", ',
        headers={"Content-Type": "application/json"},
    ) as response:
        assert response.status == 400
        assert "Traceback" not in await response.text()
    await _assert_echo_reaches_channel(servers, "one", "m5")


async def test_activity_without_type_is_400_and_the_server_stays_up(servers: Servers) -> None:
    activity = servers.activity(id="m6")
    del activity["type"]
    status, text = await servers.post(activity)
    assert status == 400
    assert "Traceback" not in text
    await _assert_echo_reaches_channel(servers, "two", "m7")
    assert servers.channel.unread == 0


async def test_get_on_messages_is_405_and_the_server_stays_up(servers: Servers) -> None:
    async with servers.session.get(servers.messages_url) as response:
        assert response.status == 405
    await _assert_echo_reaches_channel(servers, "three", "m8")


async def test_health(servers: Servers) -> None:
    async with servers.session.get(f"{servers.agent_url}/health") as response:
        assert response.status == 200


# ---------------------------------------------------------------------- in-process


async def test_quickstart_agent_with_agent_tester(quickstart: ModuleType) -> None:
    tester = AgentTester(quickstart.AGENT_APP, channel_id="msteams")

    welcome = await tester.members_added()
    assert welcome.texts == [quickstart.WELCOME]

    only_the_agent = await tester.members_added(tester.agent_account)
    assert only_the_agent.texts == []

    echo = await tester.send("hi")
    assert echo.text == "You said: hi"
    assert echo.messages[0].reply_to_id == echo.activity.id
    assert echo.status == 202
