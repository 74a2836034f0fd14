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
(``hatch run samples:auth``). Run that way, it first checks the settings
(:func:`configuration_problem`) and, when they cannot work (none at all, a value still as
``env.TEMPLATE`` has it, a missing or wrong setting), exits with one line saying what to
fill in, before anything is built. Importing the module starts nothing and checks nothing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from dotenv import dotenv_values, load_dotenv

from microsoft_agents.activity import ConfigurationError, load_configuration_from_env
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter, start_server
from microsoft_agents.hosting.core import (
    AgentApplication,
    AuthConfigurationError,
    ClaimsIdentity,
    MemoryStorage,
    TurnContext,
    TurnState,
)

ENV_FILE = Path(__file__).with_name(".env")
TEMPLATE = Path(__file__).with_name("env.TEMPLATE")
CLIENT_ID_SETTING = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID"
NOT_CONFIGURED = (
    "No app registration is configured. Copy test_samples/auth/env.TEMPLATE to "
    "test_samples/auth/.env and fill in CLIENTID, CLIENTSECRET and TENANTID."
)


def configuration_problem(environ: Mapping[str, str]) -> str | None:
    """What keeps the agent from starting with ``environ``, in one line; None if nothing.

    Checked before the agent is built, so that a refusal is all the user reads (building
    the connection manager without a client id would first announce development mode,
    which this sample never runs in). In order: some ``CONNECTIONS__...`` setting is
    given, a client id among them; none still holds its value from ``env.TEMPLATE``; the
    settings build a connection manager (else the SDK's message says what is wrong).
    """
    given = {
        name: value
        for name, value in environ.items()
        if name.startswith("CONNECTIONS__") and value.strip()
    }
    if not given:
        return NOT_CONFIGURED
    # Setting names are matched like the SDK does: any case, underscores ignored.
    if not any(name.rsplit("__", 1)[-1].replace("_", "").upper() == "CLIENTID" for name in given):
        return (
            f"{CLIENT_ID_SETTING} is missing: set it to the app (client) id of your Azure Bot's "
            "registration in test_samples/auth/.env."
        )
    # The values env.TEMPLATE ships with are placeholders, not an app registration.
    for name, placeholder in dotenv_values(TEMPLATE).items():
        if placeholder and given.get(name) == placeholder:
            return (
                f"{name} still holds the placeholder of env.TEMPLATE ({placeholder}): "
                "replace it with the value of your app registration in test_samples/auth/.env."
            )
    try:
        MsalConnectionManager(**load_configuration_from_env(environ))
    except (AuthConfigurationError, ConfigurationError) as error:
        return str(error)
    return None


load_dotenv(ENV_FILE)
if __name__ == "__main__":
    # Before anything is built: the refusal is then the only thing the user reads.
    problem = configuration_problem(os.environ)
    if problem:
        raise SystemExit(problem)

CONFIG = load_configuration_from_env(os.environ)

CONNECTION_MANAGER = MsalConnectionManager(**CONFIG)
ADAPTER = CloudAdapter(connection_manager=CONNECTION_MANAGER)
AGENT_APP = AgentApplication[TurnState](storage=MemoryStorage(), adapter=ADAPTER, **CONFIG)


@AGENT_APP.message("/whoami")
async def who_am_i(context: TurnContext, state: TurnState) -> None:
    identity = context.identity
    caller = identity.get_outgoing_app_id() if isinstance(identity, ClaimsIdentity) else None
    await context.send_activity(f"This request came from app {caller or 'unknown'}.")


@AGENT_APP.activity("message")
async def on_message(context: TurnContext, state: TurnState) -> None:
    await context.send_activity(f"You said: {context.activity.text}")


if __name__ == "__main__":
    start_server(AGENT_APP, CONNECTION_MANAGER.get_default_connection_configuration())
