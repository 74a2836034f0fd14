"""The empty agent: the smallest starting point, an echo with a welcome and ``/help``.

What it answers:

* a ``conversationUpdate`` that adds members: the welcome text (once per update, whoever
  joined, the agent included: ``_help`` is also the ``/help`` handler, so it does not look
  at who came);
* ``/help`` (exactly that, case included): the same welcome text;
* ``hello`` (exactly): ``Hello!``;
* any other message: ``you said: <text>`` (an @-mention of the agent is removed first).

Every activity in and out is also printed on standard output as one JSON line: the
adapter runs a ``TranscriptLoggerMiddleware`` with a ``ConsoleTranscriptLogger``.

``_help`` is registered with plain calls of the route decorators
(``AGENT_APP.message("/help")(_help)``): a decorator is a function that takes the handler,
so one function can serve several routes. Routes are tried in the order they were
registered, so ``/help`` and ``hello`` come before the catch-all echo.

Run it with ``python test_samples/empty_agent/app.py`` inside the ``samples`` hatch
environment (``hatch run samples:empty-agent``). It listens on
``http://127.0.0.1:3978/api/messages`` (``PORT`` changes the port) in anonymous
development mode, like the quick start.

Importing this module starts nothing; it only builds ``AGENT_APP`` (and its ``ADAPTER``),
so tests can drive the agent directly.
"""

from __future__ import annotations

import os
import re

from microsoft_agents.hosting.aiohttp import CloudAdapter, start_server
from microsoft_agents.hosting.core import (
    AgentApplication,
    MemoryStorage,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.storage import (
    ConsoleTranscriptLogger,
    TranscriptLoggerMiddleware,
)

WELCOME = (
    "Welcome to the Echo Agent sample 🚀. "
    "Type /help for help or send a message to see the echo feature in action."
)

ADAPTER = CloudAdapter()
# Print every activity of every turn (the user's and the agent's) as a JSON line.
ADAPTER.use(TranscriptLoggerMiddleware(ConsoleTranscriptLogger()))
AGENT_APP = AgentApplication[TurnState](storage=MemoryStorage(), adapter=ADAPTER)


async def _help(context: TurnContext, _: TurnState) -> None:
    await context.send_activity(WELCOME)


AGENT_APP.conversation_update("membersAdded")(_help)
AGENT_APP.message("/help")(_help)


@AGENT_APP.message(re.compile(r"^hello$"))
async def on_hello(context: TurnContext, _: TurnState) -> None:
    await context.send_activity("Hello!")


@AGENT_APP.activity("message")
async def on_message(context: TurnContext, _: TurnState) -> None:
    await context.send_activity(f"you said: {context.activity.text}")


if __name__ == "__main__":
    port = os.environ.get("PORT", "3978")
    print(f"Empty agent on http://127.0.0.1:{port}/api/messages (Ctrl+C stops it)", flush=True)
    start_server(AGENT_APP)
