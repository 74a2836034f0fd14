"""Proactive messages end to end: a real agent server and a fake channel on 127.0.0.1.

The S6 flow of samples.md: the user stores the conversation (``-s``), a notification
endpoint next to ``/api/messages`` sends into it later, and a proactive turn keeps the
conversation's state. The agent runs in anonymous development mode (``CloudAdapter()``).
"""

from __future__ import annotations

from aiohttp import web

from microsoft_agents.hosting.aiohttp import CloudAdapter, create_app
from microsoft_agents.hosting.core import (
    AgentApplication,
    MemoryStorage,
    MessageFactory,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.app import ProactiveOptions

from .support import CONVERSATION_ID, REPLY_TO_ACTIVITY, USER, serving


def proactive_agent() -> tuple[AgentApplication[TurnState], CloudAdapter, web.Application]:
    """An agent with ``-s`` (store), ``-c`` (continue), ``count``, and a notify endpoint."""
    adapter = CloudAdapter()
    app = AgentApplication[TurnState](
        storage=MemoryStorage(),
        adapter=adapter,
        start_typing_timer=False,
        proactive=ProactiveOptions(),
    )

    @app.message("-s")
    async def store(context: TurnContext, state: TurnState) -> None:
        conversation = await app.proactive.store_conversation(context)
        await context.send_activity(f"Conversation stored: {conversation.id}")

    async def continuation(context: TurnContext, state: TurnState) -> None:
        runs = state.conversation.get_value("runs", lambda: 0) + 1
        state.conversation.set_value("runs", runs)
        await context.send_activity(f"This is the proactive continuation turn #{runs}.")

    @app.message("-c")
    async def continue_here(context: TurnContext, state: TurnState) -> None:
        conversation_id = context.activity.conversation.id if context.activity.conversation else ""
        await app.proactive.continue_conversation(adapter, conversation_id or "", continuation)

    @app.message("count")
    async def count(context: TurnContext, state: TurnState) -> None:
        runs = state.conversation.get_value("runs", lambda: 0)
        await context.send_activity(f"{runs} proactive turn(s) so far")

    async def notify(request: web.Request) -> web.Response:
        body = await request.json()
        conversation_id, text = body.get("conversationId"), body.get("message")
        if not conversation_id or not text:
            return web.json_response(
                {"error": "conversationId and message are required"}, status=400
            )
        try:
            await app.proactive.send_activity(
                adapter, conversation_id, MessageFactory.text(f"[Notification] {text}")
            )
        except KeyError:
            return web.json_response({"error": "conversation not found"}, status=404)
        return web.json_response(
            {"status": "delivered", "conversationId": conversation_id}, status=202
        )

    web_app = create_app(app, adapter=adapter)
    web_app.router.add_post("/api/proactive/notify", notify)
    return app, adapter, web_app


async def test_store_then_notify_then_continue_through_real_servers() -> None:
    _, _, web_app = proactive_agent()
    async with serving(web_app) as servers:
        stored = await servers.say("-s")
        notify_url = f"{servers.agent_url}/api/proactive/notify"

        async with servers.session.post(
            notify_url, json={"conversationId": CONVERSATION_ID, "message": "build passed"}
        ) as response:
            assert response.status == 202
            assert await response.json() == {
                "status": "delivered",
                "conversationId": CONVERSATION_ID,
            }
        notification = await servers.channel.next_message()

        async with servers.session.post(
            notify_url, json={"conversationId": "unknown", "message": "x"}
        ) as response:
            assert response.status == 404
        async with servers.session.post(notify_url, json={"message": "x"}) as response:
            assert response.status == 400

        continued = await servers.say("-c")
        counted = await servers.say("count")

    assert stored.body["text"] == f"Conversation stored: {CONVERSATION_ID}"
    assert notification.body["text"] == "[Notification] build passed"
    assert notification.match_info["conversationId"] == CONVERSATION_ID
    assert notification.route == REPLY_TO_ACTIVITY  # threaded to the continuation event
    assert notification.body["recipient"]["id"] == USER["id"]
    assert notification.body["conversation"]["id"] == CONVERSATION_ID
    assert "Authorization" not in notification.headers  # anonymous development mode
    assert continued.body["text"] == "This is the proactive continuation turn #1."
    assert continued.match_info["conversationId"] == CONVERSATION_ID
    assert counted.body["text"] == "1 proactive turn(s) so far"
    assert servers.channel.unread == 0
