"""``start_server``: the web server the samples share, written with the public API only.

This is the helper the "Simple Echo Agent" of the original SDK's hosting-aiohttp README
imports (``from shared import start_server``): an aiohttp ``Application`` with the JWT
middleware, the agent's objects under the keys the middleware and handlers read,
``POST /api/messages`` answered by ``start_agent_process``, ``GET /api/messages``
answering 200 (channels probe it), and at shutdown the adapter closed (its background
turns awaited, then its HTTP session released).
``microsoft_agents.hosting.aiohttp.start_server`` does the same and more (health route,
graceful shutdown, reload); this one shows what it is made of.
"""

from __future__ import annotations

import os
import warnings

from aiohttp.web import Application, NotAppKeyWarning, Request, Response, run_app

from microsoft_agents.hosting.aiohttp import (
    CloudAdapter,
    jwt_authorization_middleware,
    start_agent_process,
)
from microsoft_agents.hosting.core import AgentApplication, AgentAuthConfiguration


def start_server(
    agent_application: AgentApplication,
    auth_configuration: AgentAuthConfiguration | None,
) -> None:
    """Serve ``agent_application`` on localhost:$PORT (3978) until interrupted.

    Args:
        agent_application: the agent, created with an adapter.
        auth_configuration: what tokens are validated against
            (``connection_manager.get_default_connection_configuration()``); None runs in
            development mode, where requests without a token are accepted.
    """

    async def entry_point(request: Request) -> Response:
        agent: AgentApplication = request.app["agent_app"]
        response = await start_agent_process(request, agent, request.app["adapter"])
        return response if isinstance(response, Response) else Response(status=202)

    async def probe(request: Request) -> Response:
        return Response(status=200)

    async def close_adapter(app: Application) -> None:
        # Background (long-running, streamed) turns finish, then the session is closed.
        adapter = app["adapter"]
        if isinstance(adapter, CloudAdapter):
            await adapter.close()

    app = Application(middlewares=[jwt_authorization_middleware])
    app.on_cleanup.append(close_adapter)
    app.router.add_post("/api/messages", entry_point)
    app.router.add_get("/api/messages", probe)
    with warnings.catch_warnings():
        # The string keys are what the SDK's middleware and samples read; aiohttp would
        # rather have web.AppKey objects, which is advice, not an error.
        warnings.simplefilter("ignore", NotAppKeyWarning)
        # None: development mode (an empty configuration lets requests without a token in).
        app["agent_configuration"] = auth_configuration or AgentAuthConfiguration()
        app["agent_app"] = agent_application
        app["adapter"] = agent_application.adapter
    run_app(app, host="localhost", port=int(os.environ.get("PORT", "3978")))
