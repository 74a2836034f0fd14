"""The state counter agent: counts the messages of each conversation, between turns.

Every message is answered with its number in the conversation ("Message 3 in this
conversation: hello"). The count lives in conversation state (``state.conversation``), so
each conversation has its own, and it survives from one turn to the next: the
``AgentApplication`` loads the turn state before a handler runs and saves what changed
after it returns. The agent also keeps, in user state (``state.user``), how many messages
each user sent in all conversations.

Commands (any case):
    /reset  sets the count of this conversation back to zero.
    /stats  tells both counts (commands are not counted).

A turn that fails (a handler raises, or a reply cannot be delivered) saves nothing: the
count stays what it was before that message.

Run it with ``python test_samples/state_counter/app.py`` inside the ``samples`` hatch
environment (``hatch run samples:state-counter``). It listens on
``http://127.0.0.1:3978/api/messages`` (``PORT`` changes the port) in anonymous
development mode, like the quick start. State is kept in memory (``MemoryStorage``), so it
is gone when the agent stops.

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

WELCOME = (
    "Welcome to the state counter! I count the messages of this conversation. "
    "Send /reset to start again from zero, /stats to see the counts."
)
RESET_DONE = "The count of this conversation is back to zero."

# The names of the values in state: under the conversation's document and the user's.
CONVERSATION_COUNT = "message_count"
USER_COUNT = "messages_sent"

STORAGE = MemoryStorage()
ADAPTER = CloudAdapter()
AGENT_APP = AgentApplication[TurnState](storage=STORAGE, adapter=ADAPTER)


def messages(count: int) -> str:
    return "1 message" if count == 1 else f"{count} messages"


@AGENT_APP.conversation_update("membersAdded")
async def on_members_added(context: TurnContext, state: TurnState) -> None:
    # The channel also reports the agent itself joining; greet only when someone else came.
    agent_id = context.activity.recipient.id if context.activity.recipient else None
    newcomers = [m for m in context.activity.members_added or [] if m.id != agent_id]
    if newcomers:
        await context.send_activity(WELCOME)


# Commands match the whole text, in any case, spaces around allowed ("/Reset ").
@AGENT_APP.message(re.compile(r"\s*/reset\s*", re.IGNORECASE))
async def on_reset(context: TurnContext, state: TurnState) -> None:
    state.conversation.delete_value(CONVERSATION_COUNT)
    await context.send_activity(RESET_DONE)


@AGENT_APP.message(re.compile(r"\s*/stats\s*", re.IGNORECASE))
async def on_stats(context: TurnContext, state: TurnState) -> None:
    in_conversation = state.conversation.get_value(CONVERSATION_COUNT, lambda: 0)
    in_all = state.user.get_value(USER_COUNT, lambda: 0)
    await context.send_activity(
        f"This conversation: {messages(in_conversation)}. "
        f"You sent {messages(in_all)} in all conversations."
    )


@AGENT_APP.activity("message")
async def on_message(context: TurnContext, state: TurnState) -> None:
    count = state.conversation.get_value(CONVERSATION_COUNT, lambda: 0) + 1
    state.conversation.set_value(CONVERSATION_COUNT, count)
    state.user.set_value(USER_COUNT, state.user.get_value(USER_COUNT, lambda: 0) + 1)
    # If this reply cannot be delivered, the turn fails and neither count is saved.
    await context.send_activity(f"Message {count} in this conversation: {context.activity.text}")


if __name__ == "__main__":
    port = os.environ.get("PORT", "3978")
    print(f"State counter on http://127.0.0.1:{port}/api/messages (Ctrl+C stops it)", flush=True)
    start_server(AGENT_APP)
