"""ClaimsIdentity helpers, token provider protocols and ConnectionManager's map walking."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from microsoft_agents.activity import Activity, load_configuration_from_env
from microsoft_agents.hosting.core import AuthConfigurationError
from microsoft_agents.hosting.core.authorization import (
    AccessTokenProviderBase,
    AgentAuthConfiguration,
    AnonymousTokenProvider,
    ClaimsIdentity,
    ConnectionManager,
    Connections,
)

APP_ID = "9c6f9e2a-1b7d-4c1e-8f3a-2d5b6c7e8f90"
CALLER_ID = "0a1b2c3d-0000-4000-8000-000000000099"
BLUE_ID = "b1b1b1b1-0000-4000-8000-000000000001"
GOV_ID = "60606060-0000-4000-8000-000000000002"
TENANT = "3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"


# ---------------------------------------------------------------------- ClaimsIdentity


def test_claims_identity_reads_claims() -> None:
    identity = ClaimsIdentity({"aud": APP_ID, "custom": 3})

    assert identity.get_claim_value("custom") == 3
    assert identity.get_claim_value("missing") is None
    assert identity.is_authenticated


def test_empty_identity_is_anonymous() -> None:
    identity = ClaimsIdentity()

    assert identity.allow_anonymous
    assert not identity.is_authenticated
    assert ClaimsIdentity(authentication_type="anonymous").allow_anonymous
    assert not ClaimsIdentity(authentication_type="Bearer").allow_anonymous
    assert not ClaimsIdentity({"aud": APP_ID}).allow_anonymous


def test_deprecated_is_authenticated_argument_wins() -> None:
    assert ClaimsIdentity({"aud": APP_ID}, is_authenticated=False).is_authenticated is False


def test_app_id_is_audience_else_appid() -> None:
    assert ClaimsIdentity({"aud": APP_ID, "appid": CALLER_ID}).get_app_id() == APP_ID
    assert ClaimsIdentity({"appid": CALLER_ID}).get_app_id() == CALLER_ID
    assert ClaimsIdentity().get_app_id() is None


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"appid": CALLER_ID, "azp": "x"}, CALLER_ID),
        ({"ver": "1.0", "appid": CALLER_ID, "azp": "x"}, CALLER_ID),
        ({"ver": "2.0", "appid": "x", "azp": CALLER_ID}, CALLER_ID),
        ({"ver": "3.0", "appid": "x"}, None),
    ],
)
def test_outgoing_app_id_depends_on_the_token_version(
    claims: dict[str, Any], expected: str | None
) -> None:
    assert ClaimsIdentity(claims).get_outgoing_app_id() == expected


def test_agent_claims_target_the_calling_agent() -> None:
    identity = ClaimsIdentity({"ver": "2.0", "aud": APP_ID, "azp": CALLER_ID})

    assert identity.is_agent_claim()
    assert identity.get_token_audience() == f"app://{CALLER_ID}"
    assert identity.get_token_scope() == [f"{CALLER_ID}/.default"]


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": APP_ID, "appid": CALLER_ID},  # no version claim
        {"ver": "1.0", "aud": "https://api.botframework.com", "appid": CALLER_ID},
        {"ver": "1.0", "aud": APP_ID, "appid": APP_ID},  # the agent itself
        {"ver": "2.0", "aud": APP_ID},  # no caller
        {},
    ],
)
def test_channel_claims_target_bot_framework(claims: dict[str, Any]) -> None:
    identity = ClaimsIdentity(claims)

    assert not identity.is_agent_claim()
    assert identity.get_token_audience() == "https://api.botframework.com"
    assert identity.get_token_scope() == ["https://api.botframework.com/.default"]


def test_repr_leaves_out_the_token() -> None:
    identity = ClaimsIdentity({"aud": APP_ID}, security_token="secret.token.value")

    assert "secret.token.value" not in repr(identity)


# ---------------------------------------------------------------------- providers


class FakeProvider:
    def __init__(self, configuration: AgentAuthConfiguration) -> None:
        self._configuration = configuration

    @property
    def configuration(self) -> AgentAuthConfiguration:
        return self._configuration

    async def get_access_token(
        self, resource_url: str, scopes: list[str], force_refresh: bool = False
    ) -> str:
        return f"token-for-{self._configuration.CLIENT_ID}"

    async def acquire_token_on_behalf_of(self, scopes: list[str], user_assertion: str) -> str:
        return "obo"

    async def get_agentic_application_token(
        self, tenant_id: str, agent_app_instance_id: str
    ) -> str:
        return "app"

    async def get_agentic_instance_token(
        self, tenant_id: str, agent_app_instance_id: str
    ) -> tuple[str, str]:
        return "instance", "app"

    async def get_agentic_user_token(
        self, tenant_id: str, agent_app_instance_id: str, agentic_user_id: str, scopes: list[str]
    ) -> str:
        return "user"


async def test_anonymous_token_provider_returns_empty_strings() -> None:
    provider = AnonymousTokenProvider()

    assert isinstance(provider, AccessTokenProviderBase)
    assert await provider.get_access_token("https://api.botframework.com", []) == ""
    assert await provider.acquire_token_on_behalf_of([], "assertion") == ""
    assert await provider.get_agentic_application_token("t", "i") == ""
    assert await provider.get_agentic_instance_token("t", "i") == ("", "")
    assert await provider.get_agentic_user_token("t", "i", "u", []) == ""
    assert provider.configuration.DEVELOPMENT_MODE


def test_fake_provider_satisfies_the_protocol() -> None:
    assert isinstance(FakeProvider(AgentAuthConfiguration()), AccessTokenProviderBase)


# ---------------------------------------------------------------------- ConnectionManager


def _settings(client_id: str, **extra: str) -> dict[str, str]:
    return {"CLIENTID": client_id, "CLIENTSECRET": "s", "TENANTID": TENANT, **extra}


def _service_env(section: str) -> dict[str, str]:
    """``SERVICE_CONNECTION``'s settings, under the section key ``section``."""
    prefix = f"CONNECTIONS__SERVICE_CONNECTION__{section}__"
    return {prefix + key: value for key, value in _settings(APP_ID).items()}


def _env(*map_entries: tuple[str, dict[str, str]]) -> dict[str, Any]:
    env = {}
    for name, client_id in (("SERVICE_CONNECTION", APP_ID), ("BLUE", BLUE_ID), ("GOV", GOV_ID)):
        for key, value in _settings(client_id).items():
            env[f"CONNECTIONS__{name}__SETTINGS__{key}"] = value
    for index, entry in map_entries:
        for key, value in entry.items():
            env[f"CONNECTIONSMAP__{index}__{key}"] = value
    return load_configuration_from_env(env)


def _manager(config: dict[str, Any]) -> ConnectionManager:
    return ConnectionManager(FakeProvider, **config)


def _client_id(provider: AccessTokenProviderBase) -> str | None:
    return provider.configuration.CLIENT_ID


def test_one_provider_per_connection_and_service_connection_by_default() -> None:
    manager = _manager(_env())

    assert isinstance(manager, Connections)
    assert _client_id(manager.get_connection(None)) == APP_ID
    assert _client_id(manager.get_connection("BLUE")) == BLUE_ID
    assert _client_id(manager.get_connection(name="BLUE")) == BLUE_ID  # the reference keyword
    assert manager.get_default_connection() is manager.get_connection("SERVICE_CONNECTION")
    assert manager.get_default_connection_configuration().CLIENT_ID == APP_ID


def test_unknown_connection_name_is_refused_with_a_hint() -> None:
    with pytest.raises(AuthConfigurationError, match="did you mean BLUE"):
        _manager(_env()).get_connection("BLUEE")


def test_service_connection_is_required_when_connections_exist() -> None:
    env = {f"CONNECTIONS__MAIN__SETTINGS__{k}": v for k, v in _settings(APP_ID).items()}

    with pytest.raises(AuthConfigurationError, match="SERVICE_CONNECTION") as caught:
        _manager(load_configuration_from_env(env))

    assert caught.value.setting == "CONNECTIONS__SERVICE_CONNECTION"


def test_no_connections_at_all_is_a_development_mode_service_connection(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    built: list[AgentAuthConfiguration] = []

    def factory(config: AgentAuthConfiguration) -> AccessTokenProviderBase:
        built.append(config)
        return FakeProvider(config)

    manager = ConnectionManager(factory, **load_configuration_from_env({}))

    assert isinstance(manager.get_default_connection(), AnonymousTokenProvider)
    assert manager.get_default_connection_configuration().DEVELOPMENT_MODE
    assert manager.get_default_connection_configuration().ANONYMOUS_ALLOWED
    assert built == []
    assert "development" in caplog.text.lower()


def test_invalid_connection_settings_name_the_connection() -> None:
    env = {
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": APP_ID,
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECERT": "s",
    }

    with pytest.raises(AuthConfigurationError) as caught:
        _manager(load_configuration_from_env(env))

    assert caught.value.setting == "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECERT"
    assert "did you mean CLIENTSECRET" in str(caught.value)


def test_a_mixed_case_settings_section_is_read() -> None:
    env = _service_env("Settings")

    config = _manager(load_configuration_from_env(env)).get_default_connection_configuration()

    assert config.CLIENT_ID == APP_ID
    assert not config.DEVELOPMENT_MODE
    assert not config.ANONYMOUS_ALLOWED


def test_a_misspelt_settings_section_is_refused_with_a_hint() -> None:
    env = _service_env("SETTING")

    with pytest.raises(AuthConfigurationError, match=r"did you mean SETTINGS\?") as caught:
        _manager(load_configuration_from_env(env))

    assert caught.value.setting == "CONNECTIONS__SERVICE_CONNECTION__SETTING"


def test_settings_given_in_two_spellings_are_refused() -> None:
    env = {
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": APP_ID,
        "CONNECTIONS__SERVICE_CONNECTION__Settings__CLIENTSECRET": "s",
    }

    with pytest.raises(AuthConfigurationError, match="given twice"):
        _manager(load_configuration_from_env(env))


def test_a_connection_with_a_value_of_its_own_is_refused() -> None:
    with pytest.raises(AuthConfigurationError) as caught:
        _manager({"CONNECTIONS": {"SERVICE_CONNECTION": APP_ID}})

    assert caught.value.setting == "CONNECTIONS__SERVICE_CONNECTION"


def test_dotnet_provider_keys_are_logged_as_unused(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    env = _service_env("SETTINGS")
    env["CONNECTIONS__SERVICE_CONNECTION__Type"] = "MsalAuth"

    config = _manager(load_configuration_from_env(env)).get_default_connection_configuration()

    assert config.CLIENT_ID == APP_ID
    assert "CONNECTIONS__SERVICE_CONNECTION__Type is not used" in caplog.text


def test_explicit_configurations_are_used() -> None:
    configs = {"SERVICE_CONNECTION": AgentAuthConfiguration(**_settings(APP_ID))}

    manager = ConnectionManager(FakeProvider, connections_configurations=configs)

    assert manager.get_default_connection_configuration() is configs["SERVICE_CONNECTION"]


def test_default_configuration_knows_every_connections_client_id() -> None:
    manager = _manager(_env())

    audiences = {
        config.CLIENT_ID
        for config in manager.get_default_connection_configuration()._audience_configurations()
    }

    assert audiences == {APP_ID, BLUE_ID, GOV_ID}


def test_empty_map_uses_the_service_connection() -> None:
    manager = _manager(_env())

    provider = manager.get_token_provider(ClaimsIdentity({"aud": BLUE_ID}), "https://any/")

    assert _client_id(provider) == APP_ID


def test_map_matches_service_url_as_an_unanchored_case_insensitive_regex() -> None:
    manager = _manager(
        _env(
            ("0", {"SERVICEURL": r"botframework\.US", "CONNECTION": "GOV"}),
            ("1", {"SERVICEURL": "*", "CONNECTION": "SERVICE_CONNECTION"}),
        )
    )
    identity = ClaimsIdentity({"aud": APP_ID})

    gov = manager.get_token_provider(identity, "https://smba.infra.gcc.botframework.us/x/")
    public = manager.get_token_provider(identity, "https://smba.trafficmanager.net/amer/")

    assert _client_id(gov) == GOV_ID
    assert _client_id(public) == APP_ID


def test_map_audience_must_equal_the_claims_app_id_ignoring_case() -> None:
    manager = _manager(
        _env(
            ("0", {"SERVICEURL": "*", "AUDIENCE": BLUE_ID.upper(), "CONNECTION": "BLUE"}),
            ("1", {"SERVICEURL": "", "CONNECTION": "SERVICE_CONNECTION"}),
        )
    )

    blue = manager.get_token_provider(ClaimsIdentity({"aud": BLUE_ID}), "https://x/")
    other = manager.get_token_provider(ClaimsIdentity({"aud": APP_ID}), "https://x/")

    assert _client_id(blue) == BLUE_ID
    assert _client_id(other) == APP_ID


def test_map_is_walked_in_index_order_even_when_the_environment_is_not() -> None:
    # Protocol §18 row 21: the loader sorts CONNECTIONSMAP by index.
    config = _env(
        ("10", {"SERVICEURL": "*", "CONNECTION": "SERVICE_CONNECTION"}),
        ("2", {"SERVICEURL": "*", "CONNECTION": "BLUE"}),
    )
    manager = _manager(config)

    provider = manager.get_token_provider(ClaimsIdentity({"aud": APP_ID}), "https://x/")

    assert _client_id(provider) == BLUE_ID


def test_no_matching_map_entry_is_an_error() -> None:
    manager = _manager(_env(("0", {"SERVICEURL": "teams", "CONNECTION": "BLUE"})))

    with pytest.raises(AuthConfigurationError, match="CONNECTIONSMAP"):
        manager.get_token_provider(ClaimsIdentity({"aud": APP_ID}), "https://other.example/")


def test_map_naming_an_unknown_connection_fails_at_start_up() -> None:
    with pytest.raises(AuthConfigurationError, match="NOPE"):
        _manager(_env(("0", {"SERVICEURL": "*", "CONNECTION": "NOPE"})))


def test_map_with_an_invalid_regex_fails_at_start_up() -> None:
    with pytest.raises(AuthConfigurationError, match="regular expression"):
        _manager(_env(("0", {"SERVICEURL": "(", "CONNECTION": "BLUE"})))


def test_explicit_connections_map_argument_wins() -> None:
    manager = ConnectionManager(
        FakeProvider,
        connections_map=[{"SERVICEURL": "*", "CONNECTION": "BLUE"}],
        **_env(),
    )

    provider = manager.get_token_provider(ClaimsIdentity({"aud": APP_ID}), "https://x/")

    assert _client_id(provider) == BLUE_ID


def _activity(role: str | None) -> Activity:
    recipient: dict[str, Any] = {"id": "agent"}
    if role is not None:
        recipient.update({"role": role, "agenticAppId": "instance-1"})
    return Activity.model_validate(
        {
            "type": "message",
            "serviceUrl": "https://smba.trafficmanager.net/amer/",
            "conversation": {"id": "c1"},
            "recipient": recipient,
        }
    )


def test_agentic_request_switches_to_the_blueprint_connection() -> None:
    env = _env()
    env["CONNECTIONS"]["SERVICE_CONNECTION"]["SETTINGS"]["ALT_BLUEPRINT_NAME"] = "BLUE"
    manager = _manager(env)
    identity = ClaimsIdentity({"aud": APP_ID})

    agentic = manager.get_token_provider_from_activity(identity, _activity("agenticAppInstance"))
    plain = manager.get_token_provider_from_activity(identity, _activity(None))

    assert _client_id(agentic) == BLUE_ID
    assert _client_id(plain) == APP_ID


def test_a_misspelt_blueprint_name_fails_at_start_up() -> None:
    env = _env()
    env["CONNECTIONS"]["SERVICE_CONNECTION"]["SETTINGS"]["ALT_BLUEPRINT_NAME"] = "Blue"

    with pytest.raises(AuthConfigurationError, match=r"'Blue'.*did you mean BLUE\?") as caught:
        _manager(env)

    assert caught.value.setting == ("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ALT_BLUEPRINT_NAME")


def test_agentic_request_without_blueprint_keeps_the_mapped_connection() -> None:
    manager = _manager(_env())

    provider = manager.get_token_provider_from_activity(
        ClaimsIdentity({"aud": APP_ID}), _activity("agenticUser")
    )

    assert _client_id(provider) == APP_ID
