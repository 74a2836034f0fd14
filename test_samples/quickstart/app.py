"""The quick-start echo agent: greets new members and echoes every message.

A message without text (a card's ``Action.Submit`` carries only a ``value``, an upload
only attachments) has nothing to echo: it is answered with :data:`NO_TEXT`.

Run it with ``python3 scripts/dev.py start`` (or ``python test_samples/quickstart/app.py``
inside the ``samples`` hatch environment). It listens on
``http://127.0.0.1:3978/api/messages`` (``PORT`` changes the port) in anonymous
development mode: no app registration, no configuration, and replies go only to channels
on this machine (a ``serviceUrl`` on localhost over http), such as the Bot Framework
Emulator.

Importing this module starts nothing; it only builds ``AGENT_APP`` (and its ``ADAPTER``),
so tests can drive the agent directly.
"""

from __future__ import annotations

import os

from microsoft_agents.hosting.aiohttp import CloudAdapter, start_server
from microsoft_agents.hosting.core import (
    AgentApplication,
    MemoryStorage,
    TurnContext,
    TurnState,
)

WELCOME = "Welcome to the echo agent! Send me a message and I will repeat it."
NO_TEXT = "Your message had no text, so there is nothing to repeat."

ADAPTER = CloudAdapter()
AGENT_APP = AgentApplication[TurnState](storage=MemoryStorage(), adapter=ADAPTER)


@AGENT_APP.conversation_update("membersAdded")
async def on_members_added(context: TurnContext, state: TurnState) -> None:
    # The channel also reports the agent itself joining; greet only when someone else came.
    agent_id = context.activity.recipient.id if context.activity.recipient else None
    newcomers = [m for m in context.activity.members_added or [] if m.id != agent_id]
    if newcomers:
        await context.send_activity(WELCOME)


@AGENT_APP.activity("message")
async def on_message(context: TurnContext, state: TurnState) -> None:
    if not context.activity.text:
        await context.send_activity(NO_TEXT)
        return
    await context.send_activity(f"You said: {context.activity.text}")


if __name__ == "__main__":
    port = os.environ.get("PORT", "3978")
    print(f"Echo agent on http://127.0.0.1:{port}/api/messages (Ctrl+C stops it)", flush=True)
    start_server(AGENT_APP)
