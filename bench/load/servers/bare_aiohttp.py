"""The ceiling: a minimal but correct echo agent written with bare aiohttp.

Usage::

    python -I bare_aiohttp.py --port PORT

``POST /api/messages`` parses the activity, builds the reply (``from`` and ``recipient``
swapped, same conversation, ``replyToId`` the incoming id, text ``You said: <text>``) and

* with ``deliveryMode: "expectReplies"`` answers 200 ``{"activities": [reply]}``;
* otherwise POSTs the reply to ``{serviceUrl}v3/conversations/{id}/activities/{replyToId}``
  over one shared keep-alive ``ClientSession`` and answers 202 once the channel accepted it
  (502 if it did not).

No SDK, no pydantic, no authentication: what any echo must do and nothing else. Like the
SDK's development mode it only replies to loopback service URLs.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any
from urllib.parse import quote

import aiohttp
from aiohttp import web

_SESSION: web.AppKey[aiohttp.ClientSession] = web.AppKey("session", aiohttp.ClientSession)
_LOOPBACK = ("http://127.0.0.1:", "http://localhost:", "http://[::1]:")


def _reply_to(activity: dict[str, Any]) -> dict[str, Any]:
    reply: dict[str, Any] = {
        "type": "message",
        "channelId": activity.get("channelId"),
        "serviceUrl": activity.get("serviceUrl"),
        "conversation": activity.get("conversation"),
        "from": activity.get("recipient"),
        "recipient": activity.get("from"),
        "text": f"You said: {activity.get('text')}",
    }
    if activity.get("id"):
        reply["replyToId"] = activity["id"]
    if activity.get("locale"):
        reply["locale"] = activity["locale"]
    return reply


async def messages(request: web.Request) -> web.StreamResponse:
    try:
        activity = json.loads(await request.read())
    except ValueError:
        return web.json_response({"error": "the body is not JSON"}, status=400)
    if not isinstance(activity, dict) or not activity.get("type"):
        return web.json_response({"error": "an activity needs a type"}, status=400)
    conversation = activity.get("conversation") or {}
    if not conversation.get("id"):
        return web.json_response({"error": "an activity needs conversation.id"}, status=400)
    if activity["type"] != "message":
        return web.Response(status=202)

    reply = _reply_to(activity)
    if activity.get("deliveryMode") == "expectReplies":
        return web.json_response({"activities": [reply]})

    service_url = str(activity.get("serviceUrl") or "")
    if not service_url.startswith(_LOOPBACK):
        return web.json_response({"error": "replies go to loopback only"}, status=400)
    url = f"{service_url.rstrip('/')}/v3/conversations/{quote(conversation['id'], safe='')}"
    url += "/activities"
    if activity.get("id"):
        url += "/" + quote(str(activity["id"]), safe="")
    session = request.app[_SESSION]
    async with session.post(url, json=reply) as answer:
        await answer.read()
        if answer.status >= 300:
            return web.json_response({"error": f"the channel said {answer.status}"}, status=502)
    return web.Response(status=202)


async def _session(app: web.Application) -> Any:
    app[_SESSION] = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
    yield
    await app[_SESSION].close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = web.Application()
    app.cleanup_ctx.append(_session)
    app.router.add_post("/api/messages", messages)
    web.run_app(app, host="127.0.0.1", port=args.port, access_log=None, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
