"""A fake channel for the echo load benchmark: the Connector API's reply route, counted.

Usage::

    python -I fake_channel.py --port PORT --control-port CONTROL_PORT

It plays the channel that an agent replies to: ``POST
/v3/conversations/{conversationId}/activities/{activityId}`` (and ``.../activities``)
answers ``201 {"id": "<new id>"}`` at once, like the Bot Connector service does.

It counts, on the reply port:

* ``connections``: TCP connections accepted (the protocol factory of aiohttp's low-level
  server is wrapped, so every accepted socket is counted once, before any request);
* ``requests``: HTTP requests received;
* ``replies``: well-formed echo replies (a ``message`` whose ``replyToId`` and conversation
  match the URL and whose text starts with ``You said: ``);
* ``typing``: ``typing`` activities; ``other``: anything else (its first few paths and
  bodies are kept in ``samples``).

``GET /stats`` on the control port returns the counters as JSON; it has its own listener,
so reading the counters never adds a connection or a request to them. The process stops
on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import signal
import sys
from typing import Any
from urllib.parse import unquote

from aiohttp import web

_PREFIX = "/v3/conversations/"
_ECHO = "You said: "
_MAX_SAMPLES = 5


class Channel:
    """The counters and the request handler of the reply port."""

    def __init__(self) -> None:
        self.connections = 0
        self.requests = 0
        self.replies = 0
        self.typing = 0
        self.other = 0
        self.samples: list[dict[str, Any]] = []
        self._ids = itertools.count(1)

    def stats(self) -> dict[str, Any]:
        return {
            "connections": self.connections,
            "requests": self.requests,
            "replies": self.replies,
            "typing": self.typing,
            "other": self.other,
            "samples": self.samples,
        }

    def _reject(self, path: str, why: str, body: bytes) -> web.Response:
        self.other += 1
        if len(self.samples) < _MAX_SAMPLES:
            shown = body[:500].decode("utf-8", "replace")
            self.samples.append({"path": path, "why": why, "body": shown})
        return web.json_response({"error": why}, status=400)

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        self.requests += 1
        body = await request.read()
        path = request.raw_path
        if request.method != "POST" or not path.startswith(_PREFIX):
            return self._reject(path, "not a POST to /v3/conversations/", body)
        parts = path[len(_PREFIX) :].split("/")
        if len(parts) not in (2, 3) or parts[1] != "activities":
            return self._reject(path, "not an activities route", body)
        try:
            activity = json.loads(body)
        except ValueError:
            return self._reject(path, "body is not JSON", body)
        if not isinstance(activity, dict):
            return self._reject(path, "body is not a JSON object", body)
        kind = activity.get("type")
        conversation = activity.get("conversation") or {}
        if unquote(parts[0]) != conversation.get("id"):
            return self._reject(path, "conversation id of the URL and the body differ", body)
        if kind == "typing":
            self.typing += 1
        elif kind == "message":
            reply_to = unquote(parts[2]) if len(parts) == 3 else None
            text = activity.get("text") or ""
            if reply_to is None or activity.get("replyToId") != reply_to:
                return self._reject(path, "replyToId does not match the URL", body)
            if not text.startswith(_ECHO):
                return self._reject(path, "text is not an echo", body)
            self.replies += 1
        else:
            return self._reject(path, f"unexpected activity type {kind!r}", body)
        payload = json.dumps({"id": f"fake-channel-{next(self._ids)}"})
        return web.Response(status=201, text=payload, content_type="application/json")


async def _serve(port: int, control_port: int) -> None:
    loop = asyncio.get_running_loop()
    channel = Channel()
    replies = web.Server(channel.handle, access_log=None)

    def counting_factory() -> web.RequestHandler:  # type: ignore[type-arg]
        channel.connections += 1
        return replies()

    reply_server = await loop.create_server(counting_factory, "127.0.0.1", port, backlog=1024)

    async def stats(request: web.BaseRequest) -> web.StreamResponse:
        return web.json_response(channel.stats())

    control = web.Server(stats, access_log=None)
    control_server = await loop.create_server(control, "127.0.0.1", control_port)

    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    reply_server.close()
    control_server.close()
    await replies.shutdown(1.0)
    await control.shutdown(1.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--control-port", type=int, required=True)
    args = parser.parse_args()
    asyncio.run(_serve(args.port, args.control_port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
