"""The authenticated echo agent: the quick start, configured for real channels from ``.env``.

This is the shape of a deployed agent. The app registration (client id, secret, tenant)
comes from environment variables, usually kept in a ``.env`` file next to this one (copy
``env.TEMPLATE``); from them:

* every request must carry a valid Bot Framework / Entra ID token whose audience is this
  agent's client id (``jwt_authorization_middleware``, installed by ``start_server``); a
  request without one gets 401;
* every reply carries a token for the channel, obtained with MSAL, and goes only to the
  Microsoft hosts on the allow-list and to the ``serviceUrl`` the caller's token names.

It echoes messages; ``/whoami`` tells which app the request came from (the ``appid`` or
``azp`` claim of its token).

Run it with ``python test_samples/auth/app.py`` inside the ``samples`` hatch environment
(``hatch run samples:auth``). Importing the module starts nothing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dotenv import load_dotenv

from microsoft_agents.activity import load_configuration_from_env
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter, start_server
from microsoft_agents.hosting.core import (
    AgentApplication,
    ClaimsIdentity,
    MemoryStorage,
    TurnContext,
    TurnState,
)

load_dotenv(Path(__file__).with_name(".env"))
CONFIG = load_configuration_from_env(os.environ)

CONNECTION_MANAGER = MsalConnectionManager(**CONFIG)
ADAPTER = CloudAdapter(connection_manager=CONNECTION_MANAGER)
AGENT_APP = AgentApplication[TurnState](storage=MemoryStorage(), adapter=ADAPTER, **CONFIG)


@AGENT_APP.message("/whoami")
async def who_am_i(context: TurnContext, state: TurnState) -> None:
    identity = context.identity
    caller = identity.get_app_id() if isinstance(identity, ClaimsIdentity) else None
    await context.send_activity(f"This request came from app {caller or 'unknown'}.")


@AGENT_APP.activity("message")
async def on_message(context: TurnContext, state: TurnState) -> None:
    await context.send_activity(f"You said: {context.activity.text}")


if __name__ == "__main__":
    if not ADAPTER.channel_service_client_factory.auth_configured:
        sys.exit(
            "No app registration is configured. Copy test_samples/auth/env.TEMPLATE to "
            "test_samples/auth/.env and fill in CLIENTID, CLIENTSECRET and TENANTID."
        )
    start_server(AGENT_APP, CONNECTION_MANAGER.get_default_connection_configuration())
