"""Helpers shared by the hosting-aiohttp tests: payloads, the echo agent, call records."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from aioresponses import aioresponses

from microsoft_agents.activity import Activity, InvokeResponse
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import AgentApplication, MemoryStorage, TurnContext, TurnState

# Development mode replies only to loopback hosts; aioresponses plays this channel (the
# test server itself is on 127.0.0.1, which passes through).
SERVICE_URL = "http://localhost:8/amer/"
REPLY_URL = re.compile(r"^http://localhost:8/amer/v3/conversations/.*$")


def make_activity(**overrides: Any) -> dict[str, Any]:
    """A Teams-like message activity, as a channel would post it."""
    payload: dict[str, Any] = {
        "type": "message",
        "id": "1712345",
        "channelId": "msteams",
        "serviceUrl": SERVICE_URL,
        "from": {"id": "29:user", "name": "Ann"},
        "recipient": {"id": "28:agent", "name": "Echo"},
        "conversation": {"id": "a:1xyz", "conversationType": "personal"},
        "text": "hi",
    }
    payload.update(overrides)
    return payload


def build_echo_app(adapter: CloudAdapter | None = None) -> AgentApplication[TurnState]:
    """The quick-start echo agent, plus an invoke answer."""
    app = AgentApplication[TurnState](
        storage=MemoryStorage(), adapter=adapter or CloudAdapter(), start_typing_timer=False
    )

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        await context.send_activity(f"You said: {context.activity.text}")

    @app.activity("invoke")
    async def on_invoke(context: TurnContext, state: TurnState) -> None:
        await context.send_activity(
            Activity(type="invokeResponse", value=InvokeResponse(status=200, body={"ok": True}))
        )

    return app


def _json_of(kwargs: dict[str, Any]) -> Any:
    if kwargs.get("json") is not None:
        return kwargs["json"]
    data = kwargs.get("data")
    return json.loads(data) if data else None


def sent_bodies(mocked: aioresponses, method: str = "POST") -> list[tuple[str, Any]]:
    """The (url, JSON body) of every mocked outbound call with ``method``."""
    result = []
    for (verb, url), calls in mocked.requests.items():
        if verb == method:
            result.extend((str(url), _json_of(call.kwargs)) for call in calls)
    return result


async def post_expecting_continue(
    port: int, headers: dict[str, str], body: bytes
) -> tuple[bytes, bytes]:
    """POST ``body`` to /api/messages the way curl sends a large one: the headers with
    ``Expect: 100-continue``, the body only once the server answers ``100 Continue``.

    Returns:
        The head of the server's first answer (interim or final), and everything it sent
        after that (the final answer, when the first was ``100 Continue``).
    """
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            b"POST /api/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Expect: 100-continue\r\nContent-Length: %d\r\n%s\r\n" % (len(body), head.encode())
        )
        await writer.drain()
        first = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=30)
        if first.startswith(b"HTTP/1.1 100 "):
            writer.write(body)
            await writer.drain()
        # The server closes the connection after its final answer (Connection: close).
        return first, await asyncio.wait_for(reader.read(), timeout=30)
    finally:
        writer.close()


@contextlib.asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[int]:
    """Serve ``app`` on 127.0.0.1 as ``start_server`` runs it; yields the port.

    aiohttp's test server cancels a handler whose client went away, which a real server
    does not: tests of what happens then use this instead.
    """
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        yield runner.addresses[0][1]
    finally:
        await runner.cleanup()
