"""MsalConnectionManager: one MsalAuth per connection, chosen by CONNECTIONSMAP (protocol §15.4).

Every manager here is built the way an agent builds it, from environment-style variables
run through ``load_configuration_from_env``. Building a manager makes no network call:
MSAL talks to Entra only when a token is first requested.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from microsoft_agents.activity import Activity, load_configuration_from_env
from microsoft_agents.authentication.msal import MsalAuth, MsalConnectionManager
from microsoft_agents.authentication.msal import _connection_manager as manager_module
from microsoft_agents.hosting.core import AuthConfigurationError
from microsoft_agents.hosting.core.authorization import (
    AccessTokenProviderBase,
    AgentAuthConfiguration,
    AnonymousTokenProvider,
    ClaimsIdentity,
    ConnectionManager,
    Connections,
)

TENANT = "5d2c8a71-3b4e-4f60-9a1b-7c8d9e0f1a2b"
SERVICE_ID = "1f2e3d4c-0000-4000-8000-00000000a001"
TEAMS_ID = "1f2e3d4c-0000-4000-8000-00000000a002"
COPILOT_ID = "1f2e3d4c-0000-4000-8000-00000000a003"
SECRET = "not-a-real-secret-7Q~x"

TEAMS_URL = "https://smba.trafficmanager.net/amer/"
COPILOT_URL = "https://pvaruntime.us-il102.gateway.prod.island.powerapps.com/"
UNKNOWN_URL = "https://channel.example.org/api/"

CONNECTIONS = {"SERVICE_CONNECTION": SERVICE_ID, "TEAMS": TEAMS_ID, "COPILOT": COPILOT_ID}


def _environment(*map_entries: tuple[str, dict[str, str]], **extra: str) -> dict[str, str]:
    """Variables for three ClientSecret connections plus ``CONNECTIONSMAP`` entries."""
    env: dict[str, str] = {"PATH": "/usr/bin", "PORT": "3978"}
    for name, client_id in CONNECTIONS.items():
        prefix = f"CONNECTIONS__{name}__SETTINGS__"
        env[prefix + "CLIENTID"] = client_id
        env[prefix + "CLIENTSECRET"] = f"{SECRET}-{name}"
        env[prefix + "TENANTID"] = TENANT
        env[prefix + "AUTHTYPE"] = "ClientSecret"
    for index, entry in map_entries:
        for field, value in entry.items():
            env[f"CONNECTIONSMAP__{index}__{field}"] = value
    env.update(extra)
    return env


def _manager(*map_entries: tuple[str, dict[str, str]], **extra: str) -> MsalConnectionManager:
    return MsalConnectionManager(**load_configuration_from_env(_environment(*map_entries, **extra)))


def _client_id(provider: AccessTokenProviderBase) -> str | None:
    return provider.configuration.CLIENT_ID


def _claims(app_id: str) -> ClaimsIdentity:
    return ClaimsIdentity({"aud": app_id, "ver": "1.0", "appid": "caller"})


# ---------------------------------------------------------------------- construction


def test_package_exports_exactly_the_two_public_names() -> None:
    import microsoft_agents.authentication.msal as package

    assert package.__all__ == ["MsalAuth", "MsalConnectionManager"]
    assert package.MsalConnectionManager is MsalConnectionManager


def test_is_hosting_cores_connection_manager_and_satisfies_connections() -> None:
    manager = _manager()

    assert isinstance(manager, ConnectionManager)
    assert isinstance(manager, Connections)


def test_each_connection_gets_its_own_msal_auth_with_its_own_configuration() -> None:
    manager = _manager()

    providers = {name: manager.get_connection(name) for name in CONNECTIONS}

    assert all(isinstance(provider, MsalAuth) for provider in providers.values())
    assert len({id(provider) for provider in providers.values()}) == len(CONNECTIONS)
    for name, client_id in CONNECTIONS.items():
        configuration = providers[name].configuration
        assert configuration is manager.get_connection_configuration(name)
        assert client_id == configuration.CLIENT_ID
        assert f"{SECRET}-{name}" == configuration.CLIENT_SECRET
        assert configuration.TENANT_ID == TENANT


def test_default_connection_is_the_service_connection() -> None:
    manager = _manager()

    assert manager.get_default_connection() is manager.get_connection("SERVICE_CONNECTION")
    assert manager.get_connection(None) is manager.get_default_connection()
    assert manager.get_default_connection_configuration().CLIENT_ID == SERVICE_ID


def test_default_configuration_accepts_every_connections_client_id() -> None:
    default = _manager().get_default_connection_configuration()

    audiences = {config.CLIENT_ID for config in default._audience_configurations()}

    assert audiences == set(CONNECTIONS.values())


def test_explicit_configurations_need_no_environment() -> None:
    configuration = AgentAuthConfiguration(
        CLIENTID=SERVICE_ID, CLIENTSECRET=SECRET, TENANTID=TENANT
    )

    manager = MsalConnectionManager({"SERVICE_CONNECTION": configuration})

    assert isinstance(manager.get_default_connection(), MsalAuth)
    assert manager.get_default_connection().configuration is configuration


def test_no_connection_at_all_is_development_mode_without_msal() -> None:
    manager = MsalConnectionManager(**load_configuration_from_env({}))

    assert isinstance(manager.get_default_connection(), AnonymousTokenProvider)
    assert manager.get_default_connection_configuration().DEVELOPMENT_MODE


def test_agentapplication_settings_are_accepted_without_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    env = _environment(
        AGENTAPPLICATION__USERAUTHORIZATION__HANDLERS__GRAPH__SETTINGS__AZUREBOTOAUTHCONNECTIONNAME="g"
    )

    MsalConnectionManager(**load_configuration_from_env(env))

    assert caplog.records == []


def test_building_the_manager_logs_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    _manager()

    assert SECRET not in caplog.text


# ---------------------------------------------------------------------- configuration errors


def test_missing_service_connection_is_refused_at_construction() -> None:
    env = {
        key.replace("SERVICE_CONNECTION", "MAIN"): value for key, value in _environment().items()
    }

    with pytest.raises(AuthConfigurationError, match="SERVICE_CONNECTION") as caught:
        MsalConnectionManager(**load_configuration_from_env(env))

    assert caught.value.setting == "CONNECTIONS__SERVICE_CONNECTION"


@pytest.mark.parametrize(
    ("extra", "setting"),
    [
        pytest.param(
            {"CONNECTIONS__TEAMS__SETTINGS__CLIENTSECRET": ""},
            "CONNECTIONS__TEAMS__SETTINGS__CLIENTSECRET",
            id="client secret without a secret",
        ),
        pytest.param(
            {"CONNECTIONS__TEAMS__SETTINGS__AUTHTYPE": "certificate"},
            "CONNECTIONS__TEAMS__SETTINGS__CERTPFXFILE",
            id="certificate without a certificate",
        ),
        pytest.param(
            {"CONNECTIONS__COPILOT__SETTINGS__AUTHTYPE": "WorkloadIdentity"},
            "CONNECTIONS__COPILOT__SETTINGS__FEDERATEDTOKENFILE",
            id="workload identity without a token file",
        ),
        pytest.param(
            {"CONNECTIONS__COPILOT__SETTINGS__AUTHTYPE": "clientsecret"},
            "CONNECTIONS__COPILOT__SETTINGS__AUTHTYPE",
            id="auth type in the wrong case",
        ),
        pytest.param(
            {"CONNECTIONS__TEAMS__SETTINGS__CLIENTSECRET": ""},
            "CONNECTIONS__TEAMS__SETTINGS__CLIENTSECRET",
            id="client secret auth without a secret",
        ),
        pytest.param(
            {"CONNECTIONS__TEAMS__SETTINGS__CLIENTSECERT": "s"},
            "CONNECTIONS__TEAMS__SETTINGS__CLIENTSECERT",
            id="misspelt key",
        ),
    ],
)
def test_bad_connection_settings_fail_at_construction_naming_the_setting(
    extra: dict[str, str], setting: str
) -> None:
    with pytest.raises(AuthConfigurationError) as caught:
        _manager(**extra)

    assert caught.value.setting == setting


def test_errors_raised_by_msal_auth_name_the_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    def refusing(configuration: AgentAuthConfiguration, **_: Any) -> MsalAuth:
        if configuration.CLIENT_ID == TEAMS_ID:
            raise AuthConfigurationError("AZUREREGION is not a region", setting="AZUREREGION")
        return MsalAuth(configuration)

    monkeypatch.setattr(manager_module, "MsalAuth", refusing)

    with pytest.raises(AuthConfigurationError, match="Connection TEAMS") as caught:
        _manager()

    assert caught.value.setting == "CONNECTIONS__TEAMS__SETTINGS__AZUREREGION"


def test_value_errors_from_msal_become_configuration_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refusing(configuration: AgentAuthConfiguration, **_: Any) -> MsalAuth:
        raise ValueError("Your given address should consist of an https url")

    monkeypatch.setattr(manager_module, "MsalAuth", refusing)

    with pytest.raises(AuthConfigurationError, match="https url") as caught:
        _manager()

    assert caught.value.setting == "CONNECTIONS__SERVICE_CONNECTION__SETTINGS"


def test_http_client_and_timeout_reach_every_connections_msal_auth(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[tuple[str | None, object, float]] = []

    def recording(
        configuration: AgentAuthConfiguration, *, http_client: object, timeout: float
    ) -> MsalAuth:
        seen.append((configuration.CLIENT_ID, http_client, timeout))
        return MsalAuth(configuration)

    monkeypatch.setattr(manager_module, "MsalAuth", recording)
    transport = object()

    MsalConnectionManager(
        **load_configuration_from_env(_environment()), http_client=transport, timeout=7.5
    )

    assert sorted(seen, key=str) == sorted(
        ((client_id, transport, 7.5) for client_id in CONNECTIONS.values()), key=str
    )


def test_map_naming_an_unknown_connection_fails_at_construction() -> None:
    with pytest.raises(AuthConfigurationError, match="GRAPH") as caught:
        _manager(("0", {"SERVICEURL": "*", "CONNECTION": "GRAPH"}))

    assert caught.value.setting == "CONNECTIONSMAP"


def test_map_with_an_invalid_pattern_fails_at_construction() -> None:
    with pytest.raises(AuthConfigurationError, match="regular expression"):
        _manager(("0", {"SERVICEURL": "smba[", "CONNECTION": "TEAMS"}))


# ---------------------------------------------------------------------- the connections map

TEAMS_ENTRY = {"SERVICEURL": r"https://smba\.trafficmanager\.net/", "CONNECTION": "TEAMS"}
COPILOT_ENTRY = {"SERVICEURL": "*", "AUDIENCE": COPILOT_ID.upper(), "CONNECTION": "COPILOT"}
DEFAULT_ENTRY = {"SERVICEURL": "*", "CONNECTION": "SERVICE_CONNECTION"}


def test_without_a_map_every_request_uses_the_service_connection() -> None:
    manager = _manager()

    for app_id, url in ((TEAMS_ID, TEAMS_URL), (COPILOT_ID, COPILOT_URL), (SERVICE_ID, "")):
        assert _client_id(manager.get_token_provider(_claims(app_id), url)) == SERVICE_ID


def test_teams_service_url_picks_the_connection_of_its_pattern() -> None:
    manager = _manager(("0", TEAMS_ENTRY), ("1", DEFAULT_ENTRY))

    provider = manager.get_token_provider(_claims(SERVICE_ID), TEAMS_URL)

    assert _client_id(provider) == TEAMS_ID
    assert provider is manager.get_connection("TEAMS")


def test_service_url_pattern_is_unanchored_and_ignores_case() -> None:
    manager = _manager(("0", {"SERVICEURL": "TRAFFICMANAGER", "CONNECTION": "TEAMS"}))

    provider = manager.get_token_provider(_claims(SERVICE_ID), TEAMS_URL)

    assert _client_id(provider) == TEAMS_ID


def test_copilot_audience_matches_the_claims_app_id_ignoring_case() -> None:
    manager = _manager(("0", COPILOT_ENTRY), ("1", DEFAULT_ENTRY))

    copilot = manager.get_token_provider(_claims(COPILOT_ID), COPILOT_URL)
    someone_else = manager.get_token_provider(_claims(SERVICE_ID), COPILOT_URL)

    assert _client_id(copilot) == COPILOT_ID
    assert _client_id(someone_else) == SERVICE_ID


def test_audience_and_service_url_must_both_match() -> None:
    entry = {**TEAMS_ENTRY, "AUDIENCE": TEAMS_ID}
    manager = _manager(("0", entry), ("1", DEFAULT_ENTRY))

    right_audience = manager.get_token_provider(_claims(TEAMS_ID), TEAMS_URL)
    wrong_audience = manager.get_token_provider(_claims(SERVICE_ID), TEAMS_URL)
    wrong_url = manager.get_token_provider(_claims(TEAMS_ID), UNKNOWN_URL)

    assert _client_id(right_audience) == TEAMS_ID
    assert _client_id(wrong_audience) == SERVICE_ID
    assert _client_id(wrong_url) == SERVICE_ID


def test_unknown_url_falls_back_to_a_wildcard_default_entry() -> None:
    manager = _manager(("0", TEAMS_ENTRY), ("1", COPILOT_ENTRY), ("2", DEFAULT_ENTRY))

    provider = manager.get_token_provider(_claims(SERVICE_ID), UNKNOWN_URL)

    assert _client_id(provider) == SERVICE_ID


def test_unknown_url_without_a_default_entry_is_an_error() -> None:
    manager = _manager(("0", TEAMS_ENTRY), ("1", COPILOT_ENTRY))

    with pytest.raises(AuthConfigurationError, match="CONNECTIONSMAP") as caught:
        manager.get_token_provider(_claims(SERVICE_ID), UNKNOWN_URL)

    assert isinstance(caught.value, ValueError)
    assert UNKNOWN_URL in str(caught.value)


@pytest.mark.parametrize("wildcard", ["*", ""])
def test_wildcard_entry_matches_any_service_url(wildcard: str) -> None:
    manager = _manager(("0", {"SERVICEURL": wildcard, "CONNECTION": "TEAMS"}))

    for url in (TEAMS_URL, COPILOT_URL, UNKNOWN_URL, ""):
        assert _client_id(manager.get_token_provider(_claims(SERVICE_ID), url)) == TEAMS_ID


def test_entries_are_tried_in_index_order_first_match_wins() -> None:
    # Both entries match a Teams URL; the environment lists index 10 first, yet 2 < 10.
    env = _environment(("10", DEFAULT_ENTRY), ("2", TEAMS_ENTRY))
    assert list(env).index("CONNECTIONSMAP__10__SERVICEURL") < list(env).index(
        "CONNECTIONSMAP__2__SERVICEURL"
    )

    manager = MsalConnectionManager(**load_configuration_from_env(env))

    assert _client_id(manager.get_token_provider(_claims(SERVICE_ID), TEAMS_URL)) == TEAMS_ID
    assert _client_id(manager.get_token_provider(_claims(SERVICE_ID), UNKNOWN_URL)) == SERVICE_ID


def test_explicit_connections_map_replaces_the_environments() -> None:
    config = load_configuration_from_env(_environment(("0", DEFAULT_ENTRY)))

    manager = MsalConnectionManager(connections_map=[TEAMS_ENTRY], **config)

    assert _client_id(manager.get_token_provider(_claims(SERVICE_ID), TEAMS_URL)) == TEAMS_ID
    with pytest.raises(AuthConfigurationError):
        manager.get_token_provider(_claims(SERVICE_ID), UNKNOWN_URL)


# ---------------------------------------------------------------------- agentic requests


def _activity(service_url: str, *, agentic: bool) -> Activity:
    recipient: dict[str, Any] = {"id": "agent"}
    if agentic:
        recipient.update({"role": "agenticAppInstance", "agenticAppId": "instance-7"})
    return Activity.model_validate(
        {
            "type": "message",
            "serviceUrl": service_url,
            "conversation": {"id": "conversation-1"},
            "recipient": recipient,
        }
    )


def test_activity_uses_the_map_like_get_token_provider() -> None:
    manager = _manager(("0", TEAMS_ENTRY), ("1", DEFAULT_ENTRY))

    provider = manager.get_token_provider_from_activity(
        _claims(SERVICE_ID), _activity(TEAMS_URL, agentic=False)
    )

    assert _client_id(provider) == TEAMS_ID


def test_agentic_activity_switches_to_the_blueprint_connection() -> None:
    manager = _manager(
        ("0", DEFAULT_ENTRY),
        CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ALT_BLUEPRINT_NAME="COPILOT",
    )

    agentic = manager.get_token_provider_from_activity(
        _claims(SERVICE_ID), _activity(COPILOT_URL, agentic=True)
    )
    plain = manager.get_token_provider_from_activity(
        _claims(SERVICE_ID), _activity(COPILOT_URL, agentic=False)
    )

    assert isinstance(agentic, MsalAuth)
    assert _client_id(agentic) == COPILOT_ID
    assert _client_id(plain) == SERVICE_ID
