"""The streamed HTTP answer of a ``deliveryMode: stream`` request (server-sent events).

A caller that sets ``deliveryMode`` to ``stream`` (Copilot Studio's client, another agent)
keeps the HTTP request open and reads the agent's replies from the response body as they
are sent, instead of having them posted to a ``serviceUrl``. The body is a
``text/event-stream``: one event per reply, in order, then, for an ``invoke``, the invoke
response; the stream ends when the turn does::

    event: activity
    data: {"type":"typing","text":"Searching...","entities":[{"type":"streaminfo",...}]}

    event: activity
    data: {"type":"message","text":"Here is what I found.",...}

    event: invokeResponse
    data: {"status":200,"body":{...}}

A turn that fails outside the agent's own error handling ends with ``event: error`` and a
generic ``{"error": ...}`` body (never an exception text).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from microsoft_agents.activity import Activity

from ._response import BodyStream

__all__ = ["EVENT_STREAM", "ReplyStream"]

EVENT_STREAM = "text/event-stream"


class ReplyStream(BodyStream):
    """Server-sent events fed by a turn while the framework writes them out."""

    def __init__(self) -> None:
        self._frames: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._closed = False
        self.producer: asyncio.Task[None] | None = None
        """The task running the turn; cancelled when the client goes away."""

    async def send_activity(self, activity: Activity) -> None:
        """Write ``activity`` as an ``activity`` event (the reply sink of the turn)."""
        self.send_event("activity", activity.to_wire(exclude_none=True))

    def send_event(self, name: str, data: Any) -> None:
        """Write one event whose ``data`` is ``data`` as compact JSON."""
        if self._closed:
            return
        payload = json.dumps(data, separators=(",", ":"))
        self._frames.put_nowait(f"event: {name}\r\ndata: {payload}\r\n\r\n".encode())

    def close(self) -> None:
        """End the stream after the events written so far."""
        if not self._closed:
            self._closed = True
            self._frames.put_nowait(None)

    async def __anext__(self) -> bytes:
        frame = await self._frames.get()
        if frame is None:
            raise StopAsyncIteration
        return frame

    async def aclose(self) -> None:
        """Stop the turn if it still runs (the client stopped reading)."""
        self._closed = True
        producer = self.producer
        if producer is not None and not producer.done():
            producer.cancel()
            await asyncio.wait({producer})
