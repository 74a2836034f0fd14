"""AgentAuthConfiguration: spellings, refusals with hints, defaults that are safe."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from microsoft_agents.activity import load_configuration_from_env
from microsoft_agents.hosting.core import AuthConfigurationError, AuthTypes
from microsoft_agents.hosting.core.authorization import AgentAuthConfiguration
from microsoft_agents.hosting.core.authorization import _configuration as configuration_module

APP_ID = "9c6f9e2a-1b7d-4c1e-8f3a-2d5b6c7e8f90"
TENANT = "3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"


def _secret(**extra: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {"CLIENTID": APP_ID, "CLIENTSECRET": "s3cret", "TENANTID": TENANT}
    settings.update(extra)
    return settings


def test_env_style_settings_from_load_configuration_from_env() -> None:
    env = {
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": APP_ID,
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET": "s3cret",
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID": TENANT,
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__AUTHORITYENDPOINT": (
            f"https://login.microsoftonline.com/{TENANT}"
        ),
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__SCOPES": "https://a/.default, https://b/x",
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__REGIONALAUTHORITY": "westus",
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ALTERNATEBLUEPRINTCONNECTIONNAME": "BLUE",
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__IDPMRESOURCE": "api://idpm",
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CONNECTIONNAME": "main",
    }
    settings = load_configuration_from_env(env)["CONNECTIONS"]["SERVICE_CONNECTION"]["SETTINGS"]

    config = AgentAuthConfiguration(**settings)

    assert config.AUTH_TYPE is AuthTypes.client_secret
    assert config.CLIENT_ID == config.client_id == APP_ID
    assert config.CLIENT_SECRET == "s3cret"
    assert config.TENANT_ID == config.tenant_id == TENANT
    assert config.AUTHORITY == config.authority == f"https://login.microsoftonline.com/{TENANT}"
    assert config.SCOPES == config.scopes == ["https://a/.default", "https://b/x"]
    assert config.AZURE_REGION == "westus"
    assert config.ALT_BLUEPRINT_ID == config.alternate_blueprint_connection_name == "BLUE"
    assert config.IDPM_RESOURCE == "api://idpm"
    assert config.CONNECTION_NAME == "main"
    assert config.provider_settings == {}
    assert not config.DEVELOPMENT_MODE


def test_python_keywords_and_attribute_spellings_are_accepted() -> None:
    config = AgentAuthConfiguration(
        client_id=APP_ID, tenant_id=TENANT, client_secret="s", ALT_BLUEPRINT_NAME="B"
    )

    assert config.CLIENT_ID == APP_ID
    assert config.ALT_BLUEPRINT_ID == "B"
    assert AgentAuthConfiguration(CLIENT_ID=APP_ID, CLIENT_SECRET="s", TENANT_ID=TENANT).CLIENT_ID


def test_lower_case_aliases_are_read_only() -> None:
    config = AgentAuthConfiguration(**_secret())

    with pytest.raises(AttributeError):
        config.client_id = "other"  # type: ignore[misc]


def test_same_setting_twice_with_different_values_is_refused() -> None:
    with pytest.raises(AuthConfigurationError) as caught:
        AgentAuthConfiguration(client_id="a", CLIENTID="b", CLIENTSECRET="s", TENANTID=TENANT)

    assert caught.value.setting == "CLIENTID"


@pytest.mark.parametrize(
    ("key", "suggestion"),
    [
        ("CLIENTSECERT", "CLIENTSECRET"),
        ("TENANT", "TENANTID"),
        ("CLIENT_IDD", "CLIENTID"),
        ("ANONYMOUSALLOW", "ANONYMOUS_ALLOWED"),
        ("VALIDATEISSUERS", "VALIDATE_ISSUER"),
    ],
)
def test_misspelled_key_is_refused_with_a_did_you_mean_hint(key: str, suggestion: str) -> None:
    with pytest.raises(AuthConfigurationError) as caught:
        AgentAuthConfiguration(**_secret(**{key: "x"}))

    assert caught.value.setting == key
    assert f"did you mean {suggestion}?" in str(caught.value)


def test_unknown_key_without_a_close_match_is_refused_and_points_to_provider() -> None:
    with pytest.raises(AuthConfigurationError, match="PROVIDER") as caught:
        AgentAuthConfiguration(**_secret(COMPLETELYUNRELATED="1"))

    assert "did you mean" not in str(caught.value)


def test_provider_settings_go_under_provider() -> None:
    env = {
        "CONNECTIONS__C__SETTINGS__CLIENTID": APP_ID,
        "CONNECTIONS__C__SETTINGS__CLIENTSECRET": "s",
        "CONNECTIONS__C__SETTINGS__TENANTID": TENANT,
        "CONNECTIONS__C__SETTINGS__PROVIDER__SENDX5C": "true",
    }
    settings = load_configuration_from_env(env)["CONNECTIONS"]["C"]["SETTINGS"]

    config = AgentAuthConfiguration(**settings, PROVIDER__EXTRA="1")

    assert config.provider_settings == {"SENDX5C": "true", "EXTRA": "1"}


def test_provider_section_must_be_a_mapping() -> None:
    with pytest.raises(AuthConfigurationError):
        AgentAuthConfiguration(**_secret(PROVIDER="flat"))


@pytest.mark.parametrize(
    ("settings", "missing"),
    [
        ({"CLIENTID": APP_ID, "CLIENTSECRET": "s"}, "TENANTID"),
        ({"CLIENTSECRET": "s", "TENANTID": TENANT}, "CLIENTID"),
        ({"AUTHTYPE": "certificate", "CLIENTID": APP_ID, "TENANTID": TENANT}, "CERTPFXFILE"),
        (
            {"AUTHTYPE": "FederatedCredentials", "CLIENTID": APP_ID, "TENANTID": TENANT},
            "FEDERATEDCLIENTID",
        ),
        (
            {"AUTHTYPE": "WorkloadIdentity", "CLIENTID": APP_ID, "TENANTID": TENANT},
            "FEDERATEDTOKENFILE",
        ),
        ({"AUTHTYPE": "certificate", "CLIENTID": APP_ID, "CERTPFXFILE": "c.pfx"}, "TENANTID"),
        ({"AUTHTYPE": "UserManagedIdentity"}, "CLIENTID"),
    ],
)
def test_missing_setting_for_the_auth_type_is_named(settings: dict[str, str], missing: str) -> None:
    with pytest.raises(AuthConfigurationError) as caught:
        AgentAuthConfiguration(**settings)

    assert caught.value.setting == missing
    assert missing in str(caught.value)


def test_a_configuration_that_only_validates_tokens_needs_no_secret() -> None:
    # As in the reference SDK: the JWT middleware needs the app id and tenant only. The
    # token provider refuses a ClientSecret connection without its secret at start-up
    # (tests/authentication_msal).
    config = AgentAuthConfiguration(client_id=APP_ID, tenant_id=TENANT)

    assert config.AUTH_TYPE is AuthTypes.client_secret
    assert config.CLIENT_SECRET is None
    assert not config.DEVELOPMENT_MODE


def test_single_tenant_registration_without_tenant_id_fails_at_start_up() -> None:
    with pytest.raises(AuthConfigurationError, match="TENANTID"):
        AgentAuthConfiguration(CLIENTID=APP_ID, CLIENTSECRET="s")


def test_tenant_is_taken_from_an_authority_naming_it() -> None:
    config = AgentAuthConfiguration(
        CLIENTID=APP_ID,
        CLIENTSECRET="s",
        AUTHORITY=f"https://login.microsoftonline.com/{TENANT}",
    )

    assert config.TENANT_ID == TENANT
    assert config.VALIDATE_ISSUER


@pytest.mark.parametrize(
    "settings",
    [
        {"AUTHTYPE": "certificate", "CLIENTID": APP_ID, "TENANTID": TENANT, "CERTPFXFILE": "c"},
        {"AUTHTYPE": "UserManagedIdentity", "CLIENTID": APP_ID},
        {"AUTHTYPE": "SystemManagedIdentity", "CLIENTID": APP_ID},
        {
            "AUTHTYPE": "WorkloadIdentity",
            "CLIENTID": APP_ID,
            "TENANTID": TENANT,
            "FEDERATEDTOKENFILE": "/var/token",
        },
        {
            "AUTHTYPE": "FederatedCredentials",
            "CLIENTID": APP_ID,
            "TENANTID": "common",
            "FEDERATEDCLIENTID": "mi",
        },
    ],
)
def test_complete_settings_per_auth_type_are_accepted(settings: dict[str, str]) -> None:
    config = AgentAuthConfiguration(**settings)

    assert config.AUTH_TYPE.value == settings["AUTHTYPE"]


def test_auth_type_is_case_sensitive_with_a_hint() -> None:
    with pytest.raises(AuthConfigurationError, match="did you mean ClientSecret") as caught:
        AgentAuthConfiguration(**_secret(AUTHTYPE="clientsecret"))

    assert caught.value.setting == "AUTHTYPE"


def test_auth_types_values_are_exact() -> None:
    assert AuthTypes("certificate") is AuthTypes.certificate
    assert AuthTypes.entra_auth_sidecar == "EntraAuthSideCar"
    with pytest.raises(ValueError):  # noqa: PT011
        AuthTypes("Certificate")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("FALSE", False), ("1", True), ("0", False), (" yes ", True), (True, True)],
)
def test_booleans_are_coerced(raw: object, expected: bool) -> None:
    config = AgentAuthConfiguration(**_secret(ANONYMOUS_ALLOWED=raw, VALIDATE_ISSUER=raw))

    assert config.ANONYMOUS_ALLOWED is expected
    assert config.VALIDATE_ISSUER is expected


def test_false_string_is_not_truthy() -> None:
    # Protocol §18 row 13: upstream used bool("false").
    assert AgentAuthConfiguration(**_secret(ANONYMOUS_ALLOWED="false")).ANONYMOUS_ALLOWED is False


def test_unreadable_boolean_is_refused_naming_the_setting() -> None:
    with pytest.raises(AuthConfigurationError) as caught:
        AgentAuthConfiguration(**_secret(ANONYMOUS_ALLOWED="maybe"))

    assert caught.value.setting == "ANONYMOUS_ALLOWED"


def test_non_string_value_is_refused() -> None:
    with pytest.raises(AuthConfigurationError) as caught:
        AgentAuthConfiguration(**_secret(CLIENTID=42))

    assert caught.value.setting == "CLIENTID"


def test_issuer_validation_is_on_by_default_for_a_single_tenant_registration() -> None:
    config = AgentAuthConfiguration(**_secret())

    issuers = config.ISSUERS
    assert config.VALIDATE_ISSUER is True
    assert issuers == [
        "https://api.botframework.com",
        f"https://sts.windows.net/{TENANT}/",
        f"https://login.microsoftonline.com/{TENANT}/v2.0",
    ]


def test_issuer_validation_is_off_by_default_for_a_multi_tenant_registration() -> None:
    config = AgentAuthConfiguration(**_secret(TENANTID="common"))

    assert config.VALIDATE_ISSUER is False
    assert "https://login.microsoftonline.com/common/v2.0" in config.ISSUERS


def test_issuers_can_be_configured_as_a_separated_string() -> None:
    config = AgentAuthConfiguration(**_secret(ISSUERS="https://a/, https://b/ https://c/"))

    assert config.ISSUERS == ["https://a/", "https://b/", "https://c/"]


def test_lists_written_with_indexes_are_read_in_index_order() -> None:
    prefix = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"
    env = {f"{prefix}{key}": value for key, value in _secret().items()}
    env.update(
        {
            f"{prefix}ISSUERS__0": "https://api.botframework.com",
            f"{prefix}SCOPES__10": "https://c/.default",
            f"{prefix}SCOPES__1": "https://b/.default",
            f"{prefix}SCOPES__0": "https://a/.default",
        }
    )
    settings = load_configuration_from_env(env)["CONNECTIONS"]["SERVICE_CONNECTION"]["SETTINGS"]

    config = AgentAuthConfiguration(**settings)

    assert config.ISSUERS == ["https://api.botframework.com"]
    assert config.SCOPES == ["https://a/.default", "https://b/.default", "https://c/.default"]


@pytest.mark.parametrize(
    "section", [{"0": "https://a/", "main": "https://b/"}, {"first": "https://a/"}]
)
def test_a_list_setting_given_a_section_with_other_keys_is_refused(
    section: dict[str, str],
) -> None:
    with pytest.raises(AuthConfigurationError, match=r"ISSUERS__0=a") as caught:
        AgentAuthConfiguration(**_secret(ISSUERS=section))

    assert caught.value.setting == "ISSUERS"


def test_gov_cloud_default_issuers() -> None:
    config = AgentAuthConfiguration(
        **_secret(AUTHORITY=f"https://login.microsoftonline.us/{TENANT}")
    )

    assert config.is_gov_cloud
    assert config.ISSUERS[0] == "https://api.botframework.us"
    assert config.ISSUERS[2] == f"https://login.microsoftonline.us/{TENANT}/v2.0"


def test_empty_configuration_is_development_mode_and_warns(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    configuration_module._DEVELOPMENT_MODE_ANNOUNCED.clear()

    config = AgentAuthConfiguration()
    AgentAuthConfiguration()  # a second one does not repeat the warning

    assert config.DEVELOPMENT_MODE
    assert config.ANONYMOUS_ALLOWED
    assert config.CLIENT_ID is None
    assert caplog.text.count("DEVELOPMENT MODE") == 1


def test_development_mode_can_refuse_anonymous_requests() -> None:
    config = AgentAuthConfiguration(ANONYMOUS_ALLOWED="false")

    assert config.DEVELOPMENT_MODE
    assert not config.ANONYMOUS_ALLOWED


def test_configured_identity_is_not_anonymous_by_default(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)

    config = AgentAuthConfiguration(**_secret())

    assert not config.ANONYMOUS_ALLOWED
    assert caplog.text == ""


def test_explicit_anonymous_opt_in_warns_loudly_once_at_construction(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)

    config = AgentAuthConfiguration(**_secret(ANONYMOUS_ALLOWED="true"))

    assert config.ANONYMOUS_ALLOWED
    assert len(caplog.records) == 1
    assert "ANONYMOUS_ALLOWED" in caplog.text
    assert "s3cret" not in caplog.text


def test_repr_hides_the_secret() -> None:
    assert "s3cret" not in repr(AgentAuthConfiguration(**_secret()))
