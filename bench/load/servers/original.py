"""The original: the same echo agent on ``microsoft-agents-hosting-aiohttp`` 1.9.0.

Usage (with the interpreter of ``bench/.ref-venv-hosting-aiohttp``)::

    python -I original.py --port PORT

Written against the 1.9.0 API as its documentation sets an agent up: the configuration
comes from ``load_configuration_from_env`` of an environment that allows anonymous
requests (``CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED=true``, given
here, not read from the process environment), the adapter is
``CloudAdapter(connection_manager=MsalConnectionManager(**config))``, the application an
``AgentApplication[TurnState]`` over ``MemoryStorage`` (1.9.0 also wants the connection
manager there: without it the constructor raises, since it builds the user-authorization
component from it), and the web application has
``jwt_authorization_middleware`` with the default connection's configuration at
``app["agent_configuration"]``. ``POST /api/messages`` calls ``start_agent_process``.
"""

from __future__ import annotations

import argparse
import sys
import warnings

ENVIRONMENT = {"CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED": "true"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()

    from aiohttp import web

    from microsoft_agents.activity import load_configuration_from_env
    from microsoft_agents.authentication.msal import MsalConnectionManager
    from microsoft_agents.hosting.aiohttp import (
        CloudAdapter,
        jwt_authorization_middleware,
        start_agent_process,
    )
    from microsoft_agents.hosting.core import (
        AgentApplication,
        MemoryStorage,
        TurnContext,
        TurnState,
    )

    config = load_configuration_from_env(ENVIRONMENT)
    connection_manager = MsalConnectionManager(**config)
    adapter = CloudAdapter(connection_manager=connection_manager)
    agent_app = AgentApplication[TurnState](
        storage=MemoryStorage(), adapter=adapter, connection_manager=connection_manager, **config
    )

    @agent_app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        await context.send_activity(f"You said: {context.activity.text}")

    async def messages(request: web.Request) -> web.StreamResponse:
        response = await start_agent_process(request, agent_app, adapter)
        return response if response is not None else web.Response(status=202)

    app = web.Application(middlewares=[jwt_authorization_middleware])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # aiohttp recommends AppKeys; 1.9.0 reads this key
        app["agent_configuration"] = connection_manager.get_default_connection_configuration()
    app.router.add_post("/api/messages", messages)
    web.run_app(app, host="127.0.0.1", port=args.port, access_log=None, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
