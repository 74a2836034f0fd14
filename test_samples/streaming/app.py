"""The streaming sample: an answer that appears while it is being written.

Each message gets a made-up "AI" answer streamed in pieces, the way a language model
produces it: a status line first, then the text a chunk at a time, with two cited sources,
the "AI generated" label, a sensitivity label and the feedback buttons on the final message.

What the user sees depends on the channel (see ``StreamingResponse``): Teams (personal
chat), Web Chat and Direct Line show the text growing; the Emulator and other channels get
the typing indicator, then the whole answer as one message at the end. Every invoke is
answered with 200.

Run it with ``python test_samples/streaming/app.py`` inside the ``samples`` hatch
environment (``hatch run samples:streaming``); it listens on
``http://127.0.0.1:3978/api/messages`` in anonymous development mode. ``CHUNK_DELAY``
(seconds between two chunks, default 0.5) slows the "model" down or speeds it up.
"""

from __future__ import annotations

import asyncio
import os

from microsoft_agents.activity import Activity, ActivityTypes, InvokeResponse, SensitivityUsageInfo
from microsoft_agents.hosting.aiohttp import Citation, CloudAdapter, start_server
from microsoft_agents.hosting.core import AgentApplication, MemoryStorage, TurnContext, TurnState

WELCOME = "Welcome to the streaming sample! Send any message and watch the answer arrive."
INFORMATIVE = "starting streaming response"
CHUNKS = (
    "This is the first part of the answer, ",
    "drawn from the first source [doc1]. ",
    "Here comes a second part, ",
    "backed by the second source [doc2]. ",
    "Streaming keeps the user informed while the agent works. ",
    "This is the final message part. [doc1] and [doc2]",
)
CITATIONS = (
    Citation(
        title="Streaming bot messages",
        content="Agents can stream their answers as typing activities with a streaminfo entity.",
        url="https://learn.microsoft.com/microsoftteams/platform/bots/streaming-ux",
    ),
    Citation(
        title="The Activity protocol",
        content="A stream closes with a message activity whose streaminfo type is final.",
        url="https://github.com/microsoft/Agents/blob/main/specs/activity/protocol-activity.md",
    ),
)
CHUNK_DELAY = float(os.environ.get("CHUNK_DELAY", "0.5"))

ADAPTER = CloudAdapter()
AGENT_APP = AgentApplication[TurnState](storage=MemoryStorage(), adapter=ADAPTER)


@AGENT_APP.conversation_update("membersAdded")
async def on_members_added(context: TurnContext, state: TurnState) -> None:
    agent_id = context.activity.recipient.id if context.activity.recipient else None
    if any(m.id != agent_id for m in context.activity.members_added or []):
        await context.send_activity(WELCOME)


@AGENT_APP.activity(ActivityTypes.message)
async def on_message(context: TurnContext, state: TurnState) -> None:
    stream = context.streaming_response
    stream.set_feedback_loop(True)
    stream.set_generated_by_ai_label(True)
    stream.set_sensitivity_label(
        SensitivityUsageInfo(name="Internal", description="For use inside the organisation.")
    )
    stream.queue_informative_update(INFORMATIVE)
    for chunk in CHUNKS:
        await asyncio.sleep(CHUNK_DELAY)  # the "model" thinking
        stream.queue_text_chunk(chunk)
    stream.set_citations(list(CITATIONS))
    await stream.end_stream()


@AGENT_APP.activity(ActivityTypes.invoke)
async def on_invoke(context: TurnContext, state: TurnState) -> None:
    await context.send_activity(
        Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=200))
    )


if __name__ == "__main__":
    port = os.environ.get("PORT", "3978")
    print(f"Streaming agent on http://127.0.0.1:{port}/api/messages (Ctrl+C stops it)", flush=True)
    start_server(AGENT_APP)
