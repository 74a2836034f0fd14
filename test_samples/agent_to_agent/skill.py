"""The called agent (the "skill") of the agent-to-agent sample: an echo that can end.

It is an ordinary agent: the root agent sends it activities as a channel would, and it
answers through the Bot Connector API at the ``serviceUrl`` the root gave it (the root's
``/api/botresponse/`` routes). ``end`` or ``stop`` ends the conversation with an
``endOfConversation`` activity, which hands the user back to the root agent.

Run it with ``python test_samples/agent_to_agent/skill.py`` (``hatch run
samples:agent-skill``); it listens on ``http://127.0.0.1:3999/api/messages`` (``SKILL_PORT``
changes it) in anonymous development mode.
"""

from __future__ import annotations

import os

from microsoft_agents.activity import Activity, ActivityTypes, EndOfConversationCodes
from microsoft_agents.hosting.aiohttp import CloudAdapter, start_server
from microsoft_agents.hosting.core import AgentApplication, MemoryStorage, TurnContext, TurnState

ADAPTER = CloudAdapter()
AGENT_APP = AgentApplication[TurnState](storage=MemoryStorage(), adapter=ADAPTER)


@AGENT_APP.activity(ActivityTypes.message)
async def on_message(context: TurnContext, state: TurnState) -> None:
    text = (context.activity.text or "").strip()
    if text.lower() in ("end", "stop"):
        await context.send_activity("(Agent2) Ending conversation from Agent2")
        end = Activity.create_end_of_conversation_activity()
        end.code = EndOfConversationCodes.completed_successfully
        await context.send_activity(end)
        return
    await context.send_activity(f"Echo(Agent2): {text}")
    await context.send_activity('Say "end" or "stop" and I\'ll end the conversation.')


if __name__ == "__main__":
    port = int(os.environ.get("SKILL_PORT", "3999"))
    print(f"Skill on http://127.0.0.1:{port}/api/messages (Ctrl+C stops it)", flush=True)
    start_server(AGENT_APP, port=port)
