"""The quick-start echo agent on a real aiohttp server, answering a fake channel.

Two servers run on 127.0.0.1, each on a port the OS picks: the agent
(``test_samples/quickstart/app.py`` served by ``create_app``) and :class:`FakeChannel`, which
plays the Connector API a channel exposes (the two "send an activity" routes), records every
request in a queue and answers ``{"id": ...}`` like a channel does. Each test posts
activities to the agent with ``serviceUrl`` pointing at the fake channel and waits on that
queue (with a timeout) for the replies.

The agent runs in anonymous development mode (``CloudAdapter()`` with no connection
manager): it takes requests without a token and sends its replies without one.
"""

from __future__ import annotations

import asyncio
import importlib.util
import itertools
import json
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from microsoft_agents.hosting.core.testing import AgentTester

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "test_samples" / "quickstart" / "app.py"
TIMEOUT = 10.0
_loaded = itertools.count(1)

CONVERSATION_ID = "a:1Teams-like_conversation-id"
USER = {"id": "29:user-aad-id", "name": "Megan Bowen", "aadObjectId": "00000000-aaaa"}
AGENT = {"id": "28:echo-agent-id", "name": "Echo Agent"}


# ---------------------------------------------------------------------- loading the sample


@pytest.fixture
def quickstart(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """A fresh import of the quick-start sample, by path, without running its server."""
    name = f"_quickstart_app_{next(_loaded)}"
    spec = importlib.util.spec_from_file_location(name, QUICKSTART)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, module)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------- the fake channel


@dataclass
class Received:
    """One request the fake channel got."""

    method: str
    path: str
    match_info: dict[str, str]
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class FakeChannel:
    """The Connector API's two "send an activity" routes, recording what they receive."""

    received: asyncio.Queue[Received] = field(default_factory=asyncio.Queue)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def application(self) -> web.Application:
        app = web.Application()
        app.router.add_post(
            "/v3/conversations/{conversationId}/activities/{activityId}", self._reply
        )
        app.router.add_post("/v3/conversations/{conversationId}/activities", self._reply)
        return app

    async def _reply(self, request: web.Request) -> web.Response:
        self.received.put_nowait(
            Received(
                method=request.method,
                path=request.path,
                match_info=dict(request.match_info),
                headers=dict(request.headers),
                body=await request.json(),
            )
        )
        return web.json_response({"id": f"channel-activity-{next(self._ids)}"})

    async def next_message(self) -> Received:
        """The next ``message`` the agent sent (typing indicators are skipped)."""
        while True:
            received = await asyncio.wait_for(self.received.get(), TIMEOUT)
            if received.body.get("type") != "typing":
                return received


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"


@dataclass
class Servers:
    agent_url: str
    channel_url: str
    channel: FakeChannel
    session: aiohttp.ClientSession

    @property
    def messages_url(self) -> str:
        return f"{self.agent_url}/api/messages"

    def activity(self, **fields: Any) -> dict[str, Any]:
        """A message from the user to the agent, as Teams would POST it."""
        activity: dict[str, Any] = {
            "type": "message",
            "id": "m1",
            "timestamp": "2026-11-24T09:30:00.123Z",
            "channelId": "msteams",
            "serviceUrl": f"{self.channel_url}/",
            "from": dict(USER),
            "recipient": dict(AGENT),
            "conversation": {
                "id": CONVERSATION_ID,
                "conversationType": "personal",
                "tenantId": "tenant-1",
            },
            "channelData": {"tenant": {"id": "tenant-1"}},
            "locale": "en-US",
            "text": "hi",
        }
        activity.update(fields)
        return activity

    async def post(self, activity: dict[str, Any]) -> tuple[int, str]:
        async with self.session.post(self.messages_url, json=activity) as response:
            return response.status, await response.text()


@pytest.fixture
async def servers(quickstart: ModuleType) -> AsyncIterator[Servers]:
    from microsoft_agents.hosting.aiohttp import create_app

    channel = FakeChannel()
    channel_runner, channel_url = await _serve(channel.application())
    agent_runner, agent_url = await _serve(
        create_app(quickstart.AGENT_APP, adapter=quickstart.ADAPTER)
    )
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT))
    try:
        yield Servers(agent_url, channel_url, channel, session)
    finally:
        await session.close()
        await agent_runner.cleanup()
        await channel_runner.cleanup()


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
    assert servers.channel.received.empty()


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
    assert servers.channel.received.empty()


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
    assert servers.channel.received.empty()


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
