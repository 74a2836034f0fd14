"""Host Microsoft 365 Agents SDK agents on aiohttp.

This package puts an agent behind an HTTP endpoint. The quickest way is
:func:`start_server`, which serves ``POST /api/messages`` and ``GET /health`` on
http://127.0.0.1:3978::

    from microsoft_agents.hosting.aiohttp import CloudAdapter, start_server
    from microsoft_agents.hosting.core import AgentApplication, MemoryStorage, TurnState

    agent_app = AgentApplication[TurnState](storage=MemoryStorage(), adapter=CloudAdapter())

    @agent_app.activity("message")
    async def on_message(context, state):
        await context.send_activity(f"You said: {context.activity.text}")

    start_server(agent_app)     # development mode: no token needed, local use only

The pieces, for applications you assemble yourself:

* :class:`CloudAdapter`: turns one aiohttp request into one turn of the agent and the
  turn's outcome into the HTTP answer (202, the invoke response, ``expectReplies``).
* :func:`start_agent_process`: the body of a ``/api/messages`` route handler.
* :func:`jwt_authorization_middleware` / :func:`jwt_authorization_decorator`: validate
  the bearer token against ``app["agent_configuration"]`` and keep the caller's identity
  at ``request["claims_identity"]``.
* :func:`channel_service_route_table`: the callback routes of agents this one calls.
* :func:`create_app`: the ready ``web.Application`` that :func:`start_server` runs.

Streamed answers (``StreamingResponse``, ``Citation``, ``CitationUtil``) are re-exported
from :mod:`microsoft_agents.hosting.core`: use ``context.streaming_response`` in a handler.
"""

from microsoft_agents.hosting.core import Citation, CitationUtil, StreamingResponse

from ._agent_http_adapter import AgentHttpAdapter
from ._channel_service_routes import channel_service_route_table
from ._cloud_adapter import CloudAdapter, start_agent_process
from ._jwt_authorization import jwt_authorization_decorator, jwt_authorization_middleware
from ._server import create_app, start_server

__all__ = [
    "AgentHttpAdapter",
    "Citation",
    "CitationUtil",
    "CloudAdapter",
    "StreamingResponse",
    "channel_service_route_table",
    "create_app",
    "jwt_authorization_decorator",
    "jwt_authorization_middleware",
    "start_agent_process",
    "start_server",
]
