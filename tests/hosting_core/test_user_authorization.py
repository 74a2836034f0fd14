"""Authorization and AuthHandler: what this version supports (applications without handlers)."""

from __future__ import annotations

import pytest

from microsoft_agents.activity import load_configuration_from_env
from microsoft_agents.hosting.core import (
    AgentApplication,
    ApplicationError,
    AuthConfigurationError,
    AuthHandler,
    Authorization,
    ClaimsIdentity,
    MemoryStorage,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.app.oauth.authorization import Authorization as FromModule
from microsoft_agents.hosting.core.testing import AgentTester


def test_the_sample_import_path_is_the_same_class() -> None:
    assert FromModule is Authorization


async def test_an_application_without_sign_in_handlers_runs() -> None:
    storage = MemoryStorage()
    config = load_configuration_from_env({"CONNECTIONS__SERVICE_CONNECTION__SETTINGS__X": "1"})
    authorization = Authorization(storage, None, **config)
    app = AgentApplication[TurnState](storage=storage, authorization=authorization, **config)
    assert app.auth is authorization
    assert authorization.handlers == {}
    assert authorization.auto_sign_in is False

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        with pytest.raises(ApplicationError, match="no user sign-in handlers"):
            await authorization.get_token(context, "GRAPH")
        await context.send_activity("fine")

    assert (await AgentTester(app).send("hi")).texts == ["fine"]


def test_configured_handlers_are_refused_at_start_up_with_their_names() -> None:
    prefix = "AGENTAPPLICATION__USERAUTHORIZATION__HANDLERS"
    env = {
        f"{prefix}__GRAPH__SETTINGS__AZUREBOTOAUTHCONNECTIONNAME": "graph",
        f"{prefix}__GITHUB__SETTINGS__AZUREBOTOAUTHCONNECTIONNAME": "gh",
    }
    with pytest.raises(AuthConfigurationError, match="GITHUB, GRAPH") as raised:
        Authorization(MemoryStorage(), None, **load_configuration_from_env(env))
    assert raised.value.setting == "AGENTAPPLICATION__USERAUTHORIZATION__HANDLERS"


def test_auth_handler_reads_configuration_keys() -> None:
    handler = AuthHandler.from_settings(
        "GRAPH",
        {
            "SETTINGS": {
                "AZUREBOTOAUTHCONNECTIONNAME": "graph-connection",
                "OBOCONNECTIONNAME": "SERVICE_CONNECTION",
                "SCOPES": "User.Read email",
                "TYPE": "AgenticUserAuthorization",
            }
        },
    )
    assert handler.name == "GRAPH"
    assert handler.abs_oauth_connection_name == "graph-connection"
    assert handler.scopes == ["User.Read", "email"]
    assert handler.auth_type == "agenticuserauthorization"
    with pytest.raises(AuthConfigurationError, match="TYPE"):
        AuthHandler(name="X", auth_type="Magic")


def test_claims_identity_name() -> None:
    assert ClaimsIdentity({"name": "Megan Bowen", "aud": "a"}).name == "Megan Bowen"
    assert ClaimsIdentity({"aud": "agent", "appid": "caller"}).name == "caller"
    assert ClaimsIdentity().name is None
