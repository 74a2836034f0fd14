"""The echo skill: an echo that can end its conversation and be messaged from outside.

In a conversation:

* a message gets ``(EchoSkill): <text>``, and the conversation's reference (what it takes
  to message the conversation later) is saved in storage under
  ``conversationreferences/<conversation id>``;
* ``end`` gets ``(EchoSkill) Ending conversation...``, then an ``endOfConversation``
  activity with the code ``completedSuccessfully`` (what a calling agent waits for to
  take the user back); the conversation state and the saved reference are deleted.

Next to ``POST /api/messages`` the web application has two more routes (``add_routes``):

* ``GET /``: ``{"status": "ready", "sample": "echo-skill"}``;
* ``POST /api/sendactivity`` with ``{"conversationId": ..., "message": ...}``: sends
  ``message`` into that conversation, proactively (``ADAPTER.continue_conversation`` with
  the saved reference), and answers 202 ``{"status": "Delivered", "conversationId": ...}``;
  400 (``Validation``) for a body that is not JSON or lacks a field, 404 (``NotFound``)
  for a conversation without a saved reference, 502 (``NotDelivered``) when the channel
  refused the message or could not be reached.

The JWT middleware of ``create_app`` guards every route of the application, so with an
app registration ``/api/sendactivity`` would need a channel's token too. This sample runs
in anonymous development mode, where the middleware lets every request in: anyone who
can reach the port can send messages into the saved conversations. That is fine on your
own machine only; a deployed agent must protect such a route itself.

Run it with ``python test_samples/echo_skill/app.py`` inside the ``samples`` hatch
environment (``hatch run samples:echo-skill``). It listens on
``http://127.0.0.1:3978`` (``PORT`` changes the port). References live in a
``MemoryStorage``, so they are gone when the agent stops.

Importing this module starts nothing; it only builds ``AGENT_APP``, ``ADAPTER`` and
``STORAGE``, so tests can drive the agent directly.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from microsoft_agents.activity import (
    Activity,
    ConversationReference,
    EndOfConversationCodes,
)
from microsoft_agents.hosting.aiohttp import CloudAdapter, start_server
from microsoft_agents.hosting.core import (
    AgentApplication,
    MemoryStorage,
    ServiceError,
    StoreItem,
    TurnContext,
    TurnState,
)

logger = logging.getLogger(__name__)

ENDING = "(EchoSkill) Ending conversation..."
REFERENCE_PREFIX = "conversationreferences/"
# Proactive turns act as this app id. Empty: the agent has no app registration, so the
# turn is anonymous and its messages go out without a token (development mode).
AGENT_APP_ID = ""

STORAGE = MemoryStorage()
ADAPTER = CloudAdapter()
AGENT_APP = AgentApplication[TurnState](storage=STORAGE, adapter=ADAPTER)


@dataclass
class ReferenceItem(StoreItem):
    """A conversation reference as a storage item (the reference's wire JSON)."""

    reference: ConversationReference

    def store_item_to_json(self) -> dict[str, Any]:
        wire = self.reference.model_dump(mode="json", by_alias=True, exclude_none=True)
        return {"reference": wire}

    @staticmethod
    def from_json_to_store_item(json_data: dict[str, Any]) -> ReferenceItem:
        return ReferenceItem(ConversationReference.model_validate(json_data["reference"]))


def reference_key(conversation_id: str) -> str:
    """The storage key of the saved reference of a conversation."""
    return f"{REFERENCE_PREFIX}{conversation_id}"


@AGENT_APP.message("end")
async def on_end(context: TurnContext, state: TurnState) -> None:
    await context.send_activity(ENDING)
    end = Activity.create_end_of_conversation_activity()
    end.code = EndOfConversationCodes.completed_successfully
    await context.send_activity(end)
    # Nothing of this conversation is kept: its state and the reference to message it.
    await state.conversation.delete(context)
    conversation = context.activity.conversation
    if conversation is not None and conversation.id:
        await STORAGE.delete([reference_key(conversation.id)])


@AGENT_APP.activity("message")
async def on_message(context: TurnContext, state: TurnState) -> None:
    await context.send_activity(f"(EchoSkill): {context.activity.text}")
    reference = context.activity.get_conversation_reference()
    if reference.conversation.id:  # (channels always send one; the model allows None)
        await STORAGE.write({reference_key(reference.conversation.id): ReferenceItem(reference)})


# ---------------------------------------------------------------------- the extra routes


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response(
        {"status": "Error", "error": {"code": code, "message": message}}, status=status
    )


async def ready(request: web.Request) -> web.Response:
    return web.json_response({"status": "ready", "sample": "echo-skill"})


async def send_activity(request: web.Request) -> web.Response:
    try:
        body = await request.json()
    except ValueError:  # not JSON (json.JSONDecodeError), or not UTF-8 text
        return _error(400, "Validation", "The body is not JSON.")
    fields = body if isinstance(body, dict) else {}
    conversation_id, message = fields.get("conversationId"), fields.get("message")
    if not isinstance(conversation_id, str) or not conversation_id:
        return _error(400, "Validation", "conversationId is required (a non-empty string).")
    if not isinstance(message, str) or not message:
        return _error(400, "Validation", "message is required (a non-empty string).")

    key = reference_key(conversation_id)
    found = await STORAGE.read([key], target_cls=ReferenceItem)
    if key not in found:
        return _error(404, "NotFound", "Conversation reference not found.")

    refused: list[ServiceError] = []

    async def deliver(context: TurnContext) -> None:
        try:
            await context.send_activity(message)
        except ServiceError as error:  # the channel refused it, or could not be reached
            refused.append(error)

    await ADAPTER.continue_conversation(AGENT_APP_ID, found[key].reference, deliver)
    if refused:
        status = refused[0].status
        answer = f"HTTP {status}" if status else "it could not be reached"
        return _error(502, "NotDelivered", f"The channel did not take the message ({answer}).")
    return web.json_response({"status": "Delivered", "conversationId": conversation_id}, status=202)


def add_routes(app: web.Application) -> None:
    """Add ``GET /`` and ``POST /api/sendactivity`` to the agent's web application."""
    app.router.add_get("/", ready)
    app.router.add_post("/api/sendactivity", send_activity)


if __name__ == "__main__":
    logging.basicConfig(format="%(levelname)s %(name)s: %(message)s")
    port = os.environ.get("PORT", "3978")
    logger.warning(
        "Development mode: POST http://127.0.0.1:%s/api/sendactivity accepts requests "
        "without a token. Anyone who can reach this port can message the saved "
        "conversations; a deployed agent must protect this route itself.",
        port,
    )
    print(f"Echo skill on http://127.0.0.1:{port}/api/messages (Ctrl+C stops it)", flush=True)
    start_server(AGENT_APP, configure_app=add_routes)
