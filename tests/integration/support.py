"""What the integration tests share: samples loaded by path, a fake channel, real servers.

* :func:`load_sample` imports ``test_samples/<name>/app.py`` under a fresh module name:
  each call builds a new ``AGENT_APP`` (so a new storage) and starts nothing.
* :class:`FakeChannel` plays the Connector API a channel exposes to an agent (send to a
  conversation, reply to an activity, update and delete an activity). It records every
  request in arrival order, answers like a channel does, and can be told to answer chosen
  requests with a Bot Framework error instead (:meth:`FakeChannel.fail_next`,
  :meth:`FakeChannel.fail_when`).
* :func:`serve` runs an aiohttp application on 127.0.0.1 (a port the OS picks) and counts
  the TCP connections it accepts.
* :func:`running` serves an agent (``create_app``) and a fake channel side by side and
  yields :class:`Servers`, which builds Teams-like activities whose ``serviceUrl`` is the
  fake channel and posts them to the agent.

Tests wait for what the agent sends with :meth:`FakeChannel.next_request` (a timeout, never
a sleep).
"""

from __future__ import annotations

import asyncio
import importlib.util
import itertools
import json
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from microsoft_agents.hosting.core import StoreItem

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "test_samples"
TIMEOUT = 10.0
"""Seconds a test waits for something the agent sends."""

CONVERSATION_ID = "a:1Teams-like_conversation-id"
USER: dict[str, str] = {
    "id": "29:user-aad-id",
    "name": "Megan Bowen",
    "aadObjectId": "00000000-aaaa",
}
AGENT: dict[str, str] = {"id": "28:echo-agent-id", "name": "Echo Agent"}

# The names of the Connector API routes the fake channel answers.
SEND_TO_CONVERSATION = "send_to_conversation"
REPLY_TO_ACTIVITY = "reply_to_activity"
UPDATE_ACTIVITY = "update_activity"
DELETE_ACTIVITY = "delete_activity"

_loaded = itertools.count(1)


# ---------------------------------------------------------------------- loading a sample


def load_sample(name: str, monkeypatch: pytest.MonkeyPatch, file: str = "app.py") -> ModuleType:
    """A fresh import of ``test_samples/<name>/<file>``, without running its server.

    The module is registered in ``sys.modules`` (under a unique name) for the test only.
    """
    path = SAMPLES / name / file
    module_name = f"_sample_{name}_{next(_loaded)}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None, path
    assert spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, module_name, module)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------- serving on loopback


@dataclass
class Served:
    """An aiohttp application listening on 127.0.0.1."""

    url: str
    runner: web.AppRunner
    server: asyncio.Server
    accepted: int = 0
    """How many TCP connections the server accepted so far."""

    async def close(self) -> None:
        self.server.close()
        await self.runner.cleanup()
        await self.server.wait_closed()


async def serve(app: web.Application) -> Served:
    """Serve ``app`` on 127.0.0.1, on a port the OS picks; close it with ``close()``."""
    runner = web.AppRunner(app)
    await runner.setup()
    handler_factory = runner.server
    assert handler_factory is not None
    served: Served

    def accept() -> asyncio.BaseProtocol:
        # called once per accepted connection: count it, then let aiohttp handle it
        served.accepted += 1
        return handler_factory()

    server = await asyncio.get_running_loop().create_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    served = Served(f"http://127.0.0.1:{port}", runner, server)
    return served


# ---------------------------------------------------------------------- a sample's storage


@dataclass
class Document(StoreItem):
    """Any JSON document, to put something in a sample's storage or read what is there."""

    values: dict[str, Any]

    def store_item_to_json(self) -> dict[str, Any]:
        return dict(self.values)

    @staticmethod
    def from_json_to_store_item(json_data: dict[str, Any]) -> Document:
        return Document(dict(json_data))


async def read_stored(sample: ModuleType, key: str) -> dict[str, Any] | None:
    """The document under ``key`` in the sample's ``STORAGE``; None when there is none."""
    found = await sample.STORAGE.read([key], target_cls=Document)
    return found[key].values if key in found else None


# ---------------------------------------------------------------------- the fake channel


@dataclass(frozen=True)
class Received:
    """One request the fake channel got, and the status it answered."""

    route: str
    method: str
    path: str
    match_info: dict[str, str]
    headers: dict[str, str]
    body: Any
    """The JSON body (``None`` when there was none)."""
    status: int


Predicate = Callable[[Received], bool]


@dataclass
class _Failure:
    status: int
    code: str
    message: str
    headers: Mapping[str, str]
    when: Predicate
    times: int | None  # None: every matching request


@dataclass
class FakeChannel:
    """The Connector API of a channel, recording what it receives.

    Attributes:
        requests: every request, in arrival order.
    """

    requests: list[Received] = field(default_factory=list)
    _unread: asyncio.Queue[Received] = field(default_factory=asyncio.Queue)
    _failures: list[_Failure] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def application(self) -> web.Application:
        app = web.Application()
        activity = "/v3/conversations/{conversationId}/activities/{activityId}"
        app.router.add_post(
            "/v3/conversations/{conversationId}/activities",
            self._handler(SEND_TO_CONVERSATION),
            name=SEND_TO_CONVERSATION,
        )
        app.router.add_post(activity, self._handler(REPLY_TO_ACTIVITY), name=REPLY_TO_ACTIVITY)
        app.router.add_put(activity, self._handler(UPDATE_ACTIVITY), name=UPDATE_ACTIVITY)
        app.router.add_delete(activity, self._handler(DELETE_ACTIVITY), name=DELETE_ACTIVITY)
        return app

    # ------------------------------------------------------------------ failures

    def fail_next(
        self,
        *,
        status: int = 500,
        code: str = "ServiceError",
        message: str = "The fake channel was told to fail this request.",
        route: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Answer the next request (of ``route``, if given) with a Bot Framework error.

        The body is ``{"error": {"code": code, "message": message}}``.
        """
        self.fail_when(
            lambda received: route is None or received.route == route,
            status=status,
            code=code,
            message=message,
            headers=headers,
            times=1,
        )

    def fail_when(
        self,
        when: Predicate,
        *,
        status: int = 500,
        code: str = "ServiceError",
        message: str = "The fake channel was told to fail this request.",
        headers: Mapping[str, str] | None = None,
        times: int | None = None,
    ) -> None:
        """Answer requests for which ``when(received)`` is true with a Bot Framework error.

        ``received.status`` is 200 when the predicate sees it. ``times`` limits how many
        requests fail (every matching one by default). Rules apply in the order given.
        """
        self._failures.append(_Failure(status, code, message, dict(headers or {}), when, times))

    def _failure_for(self, received: Received) -> _Failure | None:
        for failure in self._failures:
            if failure.when(received):
                if failure.times is not None:
                    failure.times -= 1
                    if failure.times == 0:
                        self._failures.remove(failure)
                return failure
        return None

    # ------------------------------------------------------------------ answering

    def _handler(self, route: str) -> Callable[[web.Request], Any]:
        async def handle(request: web.Request) -> web.Response:
            text = await request.text()
            received = Received(
                route=route,
                method=request.method,
                path=request.path,
                match_info=dict(request.match_info),
                headers=dict(request.headers),
                body=json.loads(text) if text else None,
                status=200,
            )
            failure = self._failure_for(received)
            if failure is not None:
                received = replace(received, status=failure.status)
                response = web.json_response(
                    {"error": {"code": failure.code, "message": failure.message}},
                    status=failure.status,
                    headers=failure.headers,
                )
            elif route == DELETE_ACTIVITY:
                response = web.Response(status=200)
            elif route == UPDATE_ACTIVITY:
                response = web.json_response({"id": request.match_info["activityId"]})
            else:
                response = web.json_response({"id": f"channel-activity-{next(self._ids)}"})
            self.requests.append(received)
            self._unread.put_nowait(received)
            return response

        return handle

    # ------------------------------------------------------------------ waiting

    @property
    def unread(self) -> int:
        """How many requests arrived that :meth:`next_request` has not returned yet."""
        return self._unread.qsize()

    async def next_request(self) -> Received:
        """The next request, in arrival order (waits up to :data:`TIMEOUT` seconds)."""
        return await asyncio.wait_for(self._unread.get(), TIMEOUT)

    async def next_message(self) -> Received:
        """The next activity the agent sent that is not a typing indicator."""
        while True:
            received = await self.next_request()
            if not (isinstance(received.body, dict) and received.body.get("type") == "typing"):
                return received

    async def next_messages(self, count: int) -> list[Received]:
        """The next ``count`` results of :meth:`next_message`."""
        return [await self.next_message() for _ in range(count)]


# ---------------------------------------------------------------------- agent + channel


@dataclass
class Servers:
    """The agent and the fake channel, both served, and a client session to use."""

    agent_url: str
    channel_url: str
    channel: FakeChannel
    session: aiohttp.ClientSession
    agent: Served
    channel_server: Served
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def messages_url(self) -> str:
        return f"{self.agent_url}/api/messages"

    def activity(self, **fields: Any) -> dict[str, Any]:
        """A message from the user to the agent, as Teams would POST it.

        Ids are ``m1``, ``m2``, ... unless ``id`` is given; ``fields`` override anything
        (``conversation=conversation("other")`` for another conversation).
        """
        activity: dict[str, Any] = {
            "type": "message",
            "id": f"m{next(self._ids)}",
            "timestamp": "2026-11-24T09:30:00.123Z",
            "channelId": "msteams",
            "serviceUrl": f"{self.channel_url}/",
            "from": dict(USER),
            "recipient": dict(AGENT),
            "conversation": conversation(CONVERSATION_ID),
            "channelData": {"tenant": {"id": "tenant-1"}},
            "locale": "en-US",
            "text": "hi",
        }
        activity.update(fields)
        return activity

    def invoke(self, name: str, value: Any, **fields: Any) -> dict[str, Any]:
        """An ``invoke`` activity named ``name`` carrying ``value``."""
        activity = self.activity(type="invoke", name=name, value=value, **fields)
        del activity["text"]
        return activity

    def members_added(self, *members: Mapping[str, str], **fields: Any) -> dict[str, Any]:
        """A ``conversationUpdate`` adding ``members`` (the user and the agent by default)."""
        added = [dict(member) for member in members] or [dict(USER), dict(AGENT)]
        activity = self.activity(type="conversationUpdate", membersAdded=added, **fields)
        del activity["text"]
        return activity

    async def post(self, activity: Mapping[str, Any]) -> tuple[int, str]:
        """POST ``activity`` to the agent; the HTTP status and body text of its answer."""
        async with self.session.post(self.messages_url, json=activity) as response:
            return response.status, await response.text()

    async def say(self, text: str, **fields: Any) -> Received:
        """Send ``text`` as a message (202 expected) and return the agent's next message."""
        status, body = await self.post(self.activity(text=text, **fields))
        assert status == 202, (status, body)
        return await self.channel.next_message()


def conversation(conversation_id: str) -> dict[str, str]:
    """A Teams personal conversation with id ``conversation_id``."""
    return {"id": conversation_id, "conversationType": "personal", "tenantId": "tenant-1"}


@asynccontextmanager
async def running(agent_app: Any, adapter: Any = None) -> AsyncIterator[Servers]:
    """Serve ``agent_app`` with ``create_app`` and a :class:`FakeChannel`, on 127.0.0.1."""
    from microsoft_agents.hosting.aiohttp import create_app

    async with serving(create_app(agent_app, adapter=adapter)) as servers:
        yield servers


@asynccontextmanager
async def serving(web_app: web.Application) -> AsyncIterator[Servers]:
    """Serve ``web_app`` (an agent's, with any extra routes) and a :class:`FakeChannel`."""
    channel = FakeChannel()
    channel_server = await serve(channel.application())
    try:
        agent = await serve(web_app)
        try:
            session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT))
            try:
                yield Servers(
                    agent.url, channel_server.url, channel, session, agent, channel_server
                )
            finally:
                await session.close()
        finally:
            await agent.close()
    finally:
        await channel_server.close()
