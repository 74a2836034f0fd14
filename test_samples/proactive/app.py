"""The proactive agent: store a conversation, then talk in it when the user did not write.

A *proactive* message is one the agent sends on its own, later: a reminder, the end of a
long job, an alert from another system. ``app.proactive`` (turned on with
``ProactiveOptions``) keeps what it takes to find a conversation again and runs turns in
it on request. In a conversation:

* someone joins (``membersAdded``, the agent itself aside), or sends ``/help``: the list
  of commands;
* ``-s``: the conversation is stored (``app.proactive.store_conversation``, under
  ``proactive/conversations/<conversation id>`` in the agent's storage), and the agent
  answers with its id;
* ``-c``: a proactive turn in this very conversation (built from the turn with
  ``Conversation.from_turn_context``, nothing stored) says
  ``This is the proactive continuation turn.``;
* ``-c <id>``: the same in the stored conversation ``<id>`` (which may be another one);
  for an id that was not stored, the agent says so;
* any other text: echoed as ``You said: <text>`` from a proactive turn, whose
  continuation activity carries the user's message in its ``value``.

Next to ``POST /api/messages`` the web application has one more route (``add_routes``):
``POST /api/proactive/notify`` with ``{"conversationId": ..., "message": ...}`` sends
``[Notification] <message>`` into that stored conversation
(``app.proactive.send_activity``) and answers 202
``{"status": "delivered", "conversationId": ...}``; 400 (``Validation``) when the body is
not a JSON object or a field is missing, 404 (``NotFound``) for a conversation that was
not stored, 502 (``NotDelivered``) when the channel refused the message or could not be
reached.

The JWT middleware of ``create_app`` guards every route of the application, so with an
app registration the notify route would need a channel's token too. This sample runs in
anonymous development mode, where the middleware lets every request in: anyone who can
reach the port can message the stored conversations. That is fine on your own machine
only; a deployed agent must protect such a route itself.

Run it with ``python test_samples/proactive/app.py`` inside the ``samples`` hatch
environment (``hatch run samples:proactive``). It listens on ``http://127.0.0.1:3978``
(``PORT`` changes the port). Conversations are stored in a ``MemoryStorage``, so they are
gone when the agent stops.

Importing this module starts nothing; it only builds ``AGENT_APP``, ``ADAPTER`` and
``STORAGE``, so tests can drive the agent directly.
"""

from __future__ import annotations

import logging
import os
import re

from aiohttp import web

from microsoft_agents.activity import Activity
from microsoft_agents.hosting.aiohttp import CloudAdapter, start_server
from microsoft_agents.hosting.core import (
    AgentApplication,
    ApplicationOptions,
    MemoryStorage,
    MessageFactory,
    ServiceError,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.app import ProactiveOptions
from microsoft_agents.hosting.core.app.proactive import Conversation

logger = logging.getLogger(__name__)

COMMANDS = (
    "Commands:\n\n"
    "- **-s**: store this conversation, to message it later\n"
    "- **-c**: run a proactive turn in this conversation\n"
    "- **-c <id>**: run a proactive turn in a stored conversation\n"
    "- **/help**: this list\n\n"
    "Anything else is echoed back from a proactive turn. To send a notification from "
    'outside, POST `{"conversationId": ..., "message": ...}` to /api/proactive/notify.'
)
WELCOME = f"Welcome to the Proactive Agent sample! {COMMANDS}"
CONTINUED = "This is the proactive continuation turn."
NOTIFY_ROUTE = "/api/proactive/notify"

# "-c" alone, or "-c" and a conversation id (spaces around are forgiven).
CONTINUE = re.compile(r"\s*-c(?:\s+(?P<conversation_id>\S+))?\s*")

STORAGE = MemoryStorage()
ADAPTER = CloudAdapter()
AGENT_APP = AgentApplication[TurnState](
    options=ApplicationOptions(storage=STORAGE, adapter=ADAPTER, proactive=ProactiveOptions())
)


# ---------------------------------------------------------------------- the proactive turns


async def continuation_turn(context: TurnContext, _: TurnState) -> None:
    """What ``-c`` runs: a turn of its own, with the conversation's state loaded."""
    await context.send_activity(CONTINUED)


async def echo_turn(context: TurnContext, _: TurnState) -> None:
    """Echo the user's message, which came in the ``value`` of the continuation activity."""
    original = context.activity.value
    text = original.text if isinstance(original, Activity) else None
    await context.send_activity(f"You said: {text}")


# ---------------------------------------------------------------------- the conversation


async def _help(context: TurnContext, _: TurnState) -> None:
    await context.send_activity(COMMANDS)


@AGENT_APP.conversation_update("membersAdded")
async def on_members_added(context: TurnContext, _: TurnState) -> None:
    # The channel also reports the agent itself joining; welcome only when someone else came.
    agent_id = context.activity.recipient.id if context.activity.recipient else None
    if any(member.id != agent_id for member in context.activity.members_added or []):
        await context.send_activity(WELCOME)


AGENT_APP.message("/help")(_help)


@AGENT_APP.message(re.compile(r"\s*-s\s*"))
async def on_store(context: TurnContext, _: TurnState) -> None:
    conversation = await AGENT_APP.proactive.store_conversation(context)
    await context.send_activity(
        "Conversation stored. Use this ID with **-c** or the notify endpoint:\n\n"
        f"```\n{conversation.id}\n```"
    )


@AGENT_APP.message(CONTINUE)
async def on_continue(context: TurnContext, _: TurnState) -> None:
    found = CONTINUE.fullmatch(context.activity.text or "")
    conversation_id = found["conversation_id"] if found else None
    if conversation_id is None:
        # This conversation, straight from the turn: it needs not be stored.
        await AGENT_APP.proactive.continue_conversation(
            ADAPTER, Conversation.from_turn_context(context), continuation_turn
        )
        return
    try:
        await AGENT_APP.proactive.continue_conversation(ADAPTER, conversation_id, continuation_turn)
    except KeyError:  # no conversation stored under that id
        await context.send_activity(
            f"Conversation `{conversation_id}` not found. Send **-s** first to store it."
        )


@AGENT_APP.activity("message")
async def on_message(context: TurnContext, state: TurnState) -> None:
    if not context.activity.text:  # a card's submit, an upload: nothing to echo
        await _help(context, state)
        return
    conversation = Conversation.from_turn_context(context)
    continuation = conversation.conversation_reference.get_continuation_activity()
    continuation.value = context.activity.model_copy(deep=True)
    await AGENT_APP.proactive.continue_conversation(
        ADAPTER, conversation, echo_turn, continuation_activity=continuation
    )


# ---------------------------------------------------------------------- the notify route


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response(
        {"status": "error", "error": {"code": code, "message": message}}, status=status
    )


async def notify(request: web.Request) -> web.Response:
    try:
        body = await request.json()
    except ValueError:  # not JSON (json.JSONDecodeError), or not UTF-8 text
        return _error(400, "Validation", "The body is not JSON.")
    if not isinstance(body, dict):
        return _error(
            400, "Validation", 'The body must be a JSON object: {"conversationId", "message"}.'
        )
    conversation_id, message = body.get("conversationId"), body.get("message")
    if not isinstance(conversation_id, str) or not conversation_id:
        return _error(400, "Validation", "conversationId is required (a non-empty string).")
    if not isinstance(message, str) or not message:
        return _error(400, "Validation", "message is required (a non-empty string).")

    try:
        await AGENT_APP.proactive.send_activity(
            ADAPTER, conversation_id, MessageFactory.text(f"[Notification] {message}")
        )
    except KeyError:
        return _error(
            404,
            "NotFound",
            f"Conversation {conversation_id!r} is not stored: send -s in it first.",
        )
    except ServiceError as error:  # the channel refused it, or could not be reached
        answer = f"HTTP {error.status}" if error.status else "it could not be reached"
        return _error(502, "NotDelivered", f"The channel did not take the message ({answer}).")
    return web.json_response({"status": "delivered", "conversationId": conversation_id}, status=202)


def add_routes(app: web.Application) -> None:
    """Add ``POST /api/proactive/notify`` to the agent's web application."""
    app.router.add_post(NOTIFY_ROUTE, notify)


if __name__ == "__main__":
    logging.basicConfig(format="%(levelname)s %(name)s: %(message)s")
    port = os.environ.get("PORT", "3978")
    logger.warning(
        "Development mode: POST http://127.0.0.1:%s%s accepts requests without a token. "
        "Anyone who can reach this port can message the stored conversations; a deployed "
        "agent must protect this route itself.",
        port,
        NOTIFY_ROUTE,
    )
    print(f"Proactive agent on http://127.0.0.1:{port}/api/messages (Ctrl+C stops it)", flush=True)
    start_server(AGENT_APP, configure_app=add_routes)
