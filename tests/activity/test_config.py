"""Tests for microsoft_agents.activity.config: env loading and value coercion."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from types import MappingProxyType

import pytest

from microsoft_agents.activity import ConfigurationError
from microsoft_agents.activity import config as config_package
from microsoft_agents.activity.config import load_configuration_from_env
from microsoft_agents.activity.config._coercion import coerce_bool, coerce_float, coerce_int

CLIENT_ID = "00000000-0000-0000-0000-0000000000aa"
TENANT_ID = "00000000-0000-0000-0000-0000000000bb"

_TOUCHED_LOGGERS = ("", "x.y", "microsoft_agents", "microsoft_agents.hosting", "app", "other")


@pytest.fixture(autouse=True)
def restore_loggers() -> Iterator[None]:
    """Put back the level, handlers and propagation of every logger these tests may change."""
    loggers = [logging.getLogger(name or None) for name in _TOUCHED_LOGGERS]
    saved = [(each.level, list(each.handlers), each.propagate) for each in loggers]
    yield
    for each, (level, handlers, propagate) in zip(loggers, saved, strict=True):
        each.setLevel(level)
        each.handlers[:] = handlers
        each.propagate = propagate


def test_config_package_exports() -> None:
    assert config_package.__all__ == ["load_configuration_from_env"]


# --- shape of the result -------------------------------------------------------------


def test_connection_settings_become_nested_dicts() -> None:
    result = load_configuration_from_env(
        {
            "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": CLIENT_ID,
            "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET": "s3cret",
            "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID": TENANT_ID,
            "AGENTAPPLICATION__USERAUTHORIZATION__HANDLERS__GRAPH__SETTINGS"
            "__AZUREBOTOAUTHCONNECTIONNAME": "graph-oauth",
        }
    )
    assert result == {
        "AGENTAPPLICATION": {
            "USERAUTHORIZATION": {
                "HANDLERS": {"GRAPH": {"SETTINGS": {"AZUREBOTOAUTHCONNECTIONNAME": "graph-oauth"}}}
            }
        },
        "CONNECTIONS": {
            "SERVICE_CONNECTION": {
                "SETTINGS": {
                    "CLIENTID": CLIENT_ID,
                    "CLIENTSECRET": "s3cret",
                    "TENANTID": TENANT_ID,
                }
            }
        },
        "CONNECTIONSMAP": [],
    }


def test_empty_input_gives_the_three_empty_roots() -> None:
    assert load_configuration_from_env({}) == {
        "AGENTAPPLICATION": {},
        "CONNECTIONS": {},
        "CONNECTIONSMAP": [],
    }


def test_defaults_are_fresh_objects_each_call() -> None:
    first = load_configuration_from_env({})
    first["CONNECTIONS"]["X"] = 1
    first["CONNECTIONSMAP"].append({})
    first["AGENTAPPLICATION"]["Y"] = 2
    assert load_configuration_from_env({}) == {
        "AGENTAPPLICATION": {},
        "CONNECTIONS": {},
        "CONNECTIONSMAP": [],
    }


def test_other_roots_are_dropped() -> None:
    result = load_configuration_from_env(
        {
            "PORT": "3978",
            "PATH": "/usr/bin",
            "COPILOTSTUDIOAGENT__ENVIRONMENTID": "env-1",
            "TOKENVALIDATION__ENABLED": "false",
            "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": CLIENT_ID,
        }
    )
    assert set(result) == {"AGENTAPPLICATION", "CONNECTIONS", "CONNECTIONSMAP"}
    assert result["CONNECTIONS"] == {"SERVICE_CONNECTION": {"SETTINGS": {"CLIENTID": CLIENT_ID}}}


def test_case_is_preserved_below_the_root() -> None:
    result = load_configuration_from_env(
        {
            "AGENTAPPLICATION__UserAuthorization__Handlers__myHandler__Settings__Title": "Sign in",
            "AGENTAPPLICATION__USERAUTHORIZATION__HANDLERS__MYHANDLER__SETTINGS__TITLE": "Other",
        }
    )
    app = result["AGENTAPPLICATION"]
    assert app["UserAuthorization"]["Handlers"]["myHandler"]["Settings"]["Title"] == "Sign in"
    assert app["USERAUTHORIZATION"]["HANDLERS"]["MYHANDLER"]["SETTINGS"]["TITLE"] == "Other"


def test_root_names_match_only_in_upper_case() -> None:
    result = load_configuration_from_env({"connections__SERVICE_CONNECTION__X": "1"})
    assert result["CONNECTIONS"] == {}


@pytest.mark.parametrize(
    ("variable", "meant"),
    [
        ("CONNECTION__SERVICE_CONNECTION__SETTINGS__CLIENTID", "CONNECTIONS"),
        ("Connections__ServiceConnection__Settings__ClientId", "CONNECTIONS"),
        ("CONNECTIONS_MAP__0__SERVICEURL", "CONNECTIONSMAP"),
        ("AGENT_APPLICATION__STARTTYPINGTIMER", "AGENTAPPLICATION"),
    ],
)
def test_a_misspelled_root_is_named_in_a_warning(
    variable: str, meant: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Skipped silently, the setting would be lost: an agent without its identity.
    with caplog.at_level(logging.WARNING, logger="microsoft_agents.activity.config._env"):
        result = load_configuration_from_env({variable: "x"})

    assert result["CONNECTIONS"] == {}
    [record] = caplog.records
    assert variable in record.getMessage()
    assert f"did you mean {meant}" in record.getMessage()


def test_other_roots_with_sections_are_skipped_without_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        load_configuration_from_env(
            {
                "ConnectionStrings__Default": "Server=x",  # .NET style, another program's
                "COPILOTSTUDIOAGENT__ENVIRONMENTID": "env-1",
                "LOGGING__CONSOLE__FORMAT": "json",
                "AZURE__CLIENT_ID": "x",
            }
        )

    assert caplog.records == []


def test_values_are_never_coerced() -> None:
    marker = object()
    result = load_configuration_from_env(
        {
            "AGENTAPPLICATION__USERAUTHORIZATION__AUTO_SIGN_IN": "false",
            "AGENTAPPLICATION__STARTTYPINGTIMER": "1",
            "AGENTAPPLICATION__EMPTY": "",
            "AGENTAPPLICATION__PADDED": "  yes ",
            "AGENTAPPLICATION__OBJECT": marker,
        }
    )
    app = result["AGENTAPPLICATION"]
    assert app["USERAUTHORIZATION"]["AUTO_SIGN_IN"] == "false"
    assert app["STARTTYPINGTIMER"] == "1"
    assert app["EMPTY"] == ""
    assert app["PADDED"] == "  yes "
    assert app["OBJECT"] is marker


def test_reads_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID", CLIENT_ID)
    monkeypatch.setenv("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__AUTHTYPE", "ClientSecret")
    monkeypatch.setenv("CONNECTIONSMAP__0__SERVICEURL", "*")
    monkeypatch.setenv("CONNECTIONSMAP__0__CONNECTION", "SERVICE_CONNECTION")
    result = load_configuration_from_env(os.environ)
    settings = result["CONNECTIONS"]["SERVICE_CONNECTION"]["SETTINGS"]
    assert settings["CLIENTID"] == CLIENT_ID
    assert settings["AUTHTYPE"] == "ClientSecret"
    assert result["CONNECTIONSMAP"] == [{"SERVICEURL": "*", "CONNECTION": "SERVICE_CONNECTION"}]


def test_accepts_a_read_only_mapping() -> None:
    result = load_configuration_from_env(MappingProxyType({"CONNECTIONS__A__B": "c"}))
    assert result["CONNECTIONS"] == {"A": {"B": "c"}}


def test_a_root_name_alone_is_skipped() -> None:
    result = load_configuration_from_env({"CONNECTIONS": "oops", "CONNECTIONS__A__B": "c"})
    assert result["CONNECTIONS"] == {"A": {"B": "c"}}


# --- CONNECTIONSMAP -------------------------------------------------------------------


def test_connections_map_is_sorted_by_numeric_index() -> None:
    result = load_configuration_from_env(
        {
            "CONNECTIONSMAP__2__CONNECTION": "C2",
            "CONNECTIONSMAP__0__CONNECTION": "C0",
            "CONNECTIONSMAP__10__CONNECTION": "C10",
            "CONNECTIONSMAP__1__CONNECTION": "C1",
            "CONNECTIONSMAP__0__SERVICEURL": "*",
        }
    )
    assert result["CONNECTIONSMAP"] == [
        {"CONNECTION": "C0", "SERVICEURL": "*"},
        {"CONNECTION": "C1"},
        {"CONNECTION": "C2"},
        {"CONNECTION": "C10"},
    ]


def test_connections_map_non_numeric_indexes_follow_in_first_seen_order() -> None:
    result = load_configuration_from_env(
        {
            "CONNECTIONSMAP__beta__CONNECTION": "B",
            "CONNECTIONSMAP__3__CONNECTION": "C3",
            "CONNECTIONSMAP__alpha__CONNECTION": "A",
            "CONNECTIONSMAP__1__CONNECTION": "C1",
        }
    )
    assert [entry["CONNECTION"] for entry in result["CONNECTIONSMAP"]] == ["C1", "C3", "B", "A"]


def test_connections_map_entry_with_a_value_of_its_own_is_an_error() -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_configuration_from_env({"CONNECTIONSMAP__0": "SERVICE_CONNECTION"})
    assert caught.value.setting == "CONNECTIONSMAP__0"
    assert "CONNECTIONSMAP__0__CONNECTION" in str(caught.value)


# --- names that cannot be placed ----------------------------------------------------------


@pytest.mark.parametrize("reverse", [False, True], ids=["leaf-first", "nested-first"])
def test_leaf_and_prefix_clash_is_an_error_in_either_order(reverse: bool) -> None:
    items = [("CONNECTIONS__A", "1"), ("CONNECTIONS__A__B", "2")]
    if reverse:
        items.reverse()
    with pytest.raises(ConfigurationError) as caught:
        load_configuration_from_env(dict(items))
    message = str(caught.value)
    assert "CONNECTIONS__A and CONNECTIONS__A__B are both set" in message
    assert "remove CONNECTIONS__A" in message
    assert caught.value.setting == "CONNECTIONS__A"


def test_leaf_and_prefix_clash_deeper_down_is_reported_the_same_in_either_order() -> None:
    items = [
        ("AGENTAPPLICATION__USERAUTHORIZATION__HANDLERS", "graph"),
        ("AGENTAPPLICATION__USERAUTHORIZATION__HANDLERS__GRAPH__SETTINGS__TITLE", "Hi"),
    ]
    messages = []
    for ordering in (items, list(reversed(items))):
        with pytest.raises(ConfigurationError) as caught:
            load_configuration_from_env(dict(ordering))
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert "AGENTAPPLICATION__USERAUTHORIZATION__HANDLERS and" in messages[0]


def test_leaf_and_prefix_outside_the_read_roots_is_ignored() -> None:
    result = load_configuration_from_env(
        {"MYAPP__A": "1", "MYAPP__A__B": "2", "CONNECTIONS__X__Y": "z"}
    )
    assert result["CONNECTIONS"] == {"X": {"Y": "z"}}


@pytest.mark.parametrize(
    "name",
    [
        "CONNECTIONS____SERVICE_CONNECTION",
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID__",
        "LOGGING____LOGLEVEL__default",
    ],
)
def test_empty_part_under_a_read_root_is_an_error(name: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_configuration_from_env({name: "x"})
    assert caught.value.setting == name
    assert f"{name} has an empty part" in str(caught.value)


def test_empty_parts_elsewhere_are_ignored() -> None:
    result = load_configuration_from_env(
        {"__CF_USER_TEXT_ENCODING": "0x1F5", "MYAPP____X": "1", "_": "/usr/bin/env"}
    )
    assert result == {"AGENTAPPLICATION": {}, "CONNECTIONS": {}, "CONNECTIONSMAP": []}


# --- LOGGING ----------------------------------------------------------------------


def test_log_levels_are_applied() -> None:
    load_configuration_from_env(
        {
            "LOGGING__LOGLEVEL__X.Y": "debug",
            "LOGGING__LOGLEVEL__default": "Warning",
            "LOGGING__LOGLEVEL__app": " Information ",
        }
    )
    assert logging.getLogger("x.y").level == logging.DEBUG
    assert logging.getLogger().level == logging.WARNING
    assert logging.getLogger("app").level == logging.INFO


def test_logging_variables_are_not_returned() -> None:
    result = load_configuration_from_env({"LOGGING__LOGLEVEL__app": "ERROR"})
    assert result == {"AGENTAPPLICATION": {}, "CONNECTIONS": {}, "CONNECTIONSMAP": []}


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("CRITICAL", logging.CRITICAL),
        ("fatal", logging.CRITICAL),
        ("ERROR", logging.ERROR),
        ("warn", logging.WARNING),
        ("WARNING", logging.WARNING),
        ("INFO", logging.INFO),
        ("information", logging.INFO),
        ("Debug", logging.DEBUG),
        ("NOTSET", logging.NOTSET),
    ],
)
def test_every_level_name_is_understood(level: str, expected: int) -> None:
    logging.getLogger("other").setLevel(logging.ERROR if expected != logging.ERROR else 5)
    load_configuration_from_env({"LOGGING__LOGLEVEL__other": level})
    assert logging.getLogger("other").level == expected


def test_double_underscores_in_a_logger_name_become_dots() -> None:
    load_configuration_from_env(
        {
            "LOGGING__LOGLEVEL__microsoft_agents": "INFO",
            "LOGGING__LOGLEVEL__microsoft_agents__hosting": "DEBUG",
        }
    )
    assert logging.getLogger("microsoft_agents").level == logging.INFO
    assert logging.getLogger("microsoft_agents.hosting").level == logging.DEBUG


def test_a_named_logger_prints_to_the_console_once(capsys: pytest.CaptureFixture[str]) -> None:
    app = logging.getLogger("app")

    load_configuration_from_env({"LOGGING__LOGLEVEL__app": "DEBUG"})
    load_configuration_from_env({"LOGGING__LOGLEVEL__app": "DEBUG"})  # adds no second handler
    app.debug("more log lines from %s", "the SDK")

    (handler,) = app.handlers
    assert isinstance(handler, logging.StreamHandler)
    assert app.propagate is False
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert lines[0].endswith(" DEBUG app: more log lines from the SDK")


def test_the_root_logger_gets_a_console_handler_only_when_it_has_none(
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = logging.getLogger()
    root.handlers.clear()

    load_configuration_from_env({"LOGGING__LOGLEVEL__default": "INFO"})
    load_configuration_from_env({"LOGGING__LOGLEVEL__default": "INFO"})
    logging.getLogger("x.y").info("hello")

    assert len(root.handlers) == 1
    assert root.level == logging.INFO
    assert capsys.readouterr().err.endswith(" INFO x.y: hello\n")

    own = logging.NullHandler()
    root.handlers[:] = [own]
    load_configuration_from_env({"LOGGING__LOGLEVEL__default": "WARNING"})
    assert root.handlers == [own]
    assert root.level == logging.WARNING


def test_a_failing_call_adds_no_handler() -> None:
    app = logging.getLogger("app")
    handlers = list(app.handlers)
    with pytest.raises(ConfigurationError):
        load_configuration_from_env(
            {"LOGGING__LOGLEVEL__app": "DEBUG", "LOGGING__LOGLEVEL__other": "LOUD"}
        )
    assert app.handlers == handlers


def test_unknown_log_level_is_an_error_naming_variable_and_levels() -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_configuration_from_env({"LOGGING__LOGLEVEL__app": "VERBOSE"})
    message = str(caught.value)
    assert message.startswith("LOGGING__LOGLEVEL__app='VERBOSE' is not a log level")
    assert "CRITICAL, FATAL, ERROR, WARN, WARNING, INFO, INFORMATION, DEBUG, NOTSET" in message
    assert caught.value.setting == "LOGGING__LOGLEVEL__app"
    assert isinstance(caught.value, ValueError)


def test_a_failing_call_changes_no_log_level() -> None:
    logging.getLogger("app").setLevel(logging.ERROR)
    with pytest.raises(ConfigurationError):
        load_configuration_from_env(
            {"LOGGING__LOGLEVEL__app": "DEBUG", "LOGGING__LOGLEVEL__other": "LOUD"}
        )
    assert logging.getLogger("app").level == logging.ERROR


def test_log_level_without_a_logger_name_is_an_error() -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_configuration_from_env({"LOGGING__LOGLEVEL": "DEBUG"})
    assert "LOGGING__LOGLEVEL__default=DEBUG" in str(caught.value)


def test_two_spellings_of_one_logger_with_different_levels_is_an_error() -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_configuration_from_env(
            {"LOGGING__LOGLEVEL__App": "DEBUG", "LOGGING__LOGLEVEL__app": "INFO"}
        )
    assert "LOGGING__LOGLEVEL__App and LOGGING__LOGLEVEL__app" in str(caught.value)


def test_other_logging_variables_are_ignored() -> None:
    before = logging.getLogger().level
    load_configuration_from_env({"LOGGING__CONSOLE__FORMAT": "%(message)s", "LOGGING": "on"})
    assert logging.getLogger().level == before


# --- coercion -------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["1", "true", "TRUE", " Yes ", "on", "On\n"])
def test_coerce_bool_true_spellings(text: str) -> None:
    assert coerce_bool(text) is True


@pytest.mark.parametrize("text", ["0", "false", "False", " no", "OFF"])
def test_coerce_bool_false_spellings(text: str) -> None:
    assert coerce_bool(text, default=True) is False


def test_coerce_bool_passes_bools_and_defaults_unset() -> None:
    assert coerce_bool(True) is True
    assert coerce_bool(False, default=True) is False
    assert coerce_bool(None) is False
    assert coerce_bool("", default=True) is True
    assert coerce_bool("   ", default=True) is True
    assert coerce_bool(None, default=None) is None


@pytest.mark.parametrize("value", ["maybe", "2", "truthy", 1, 0.0])
def test_coerce_bool_rejects_other_values(value: object) -> None:
    with pytest.raises(ConfigurationError) as caught:
        coerce_bool(value, setting="AUTO_SIGN_IN")
    assert str(caught.value).startswith(
        f"AUTO_SIGN_IN must be a boolean (true/false, yes/no, on/off or 1/0), got {value!r}"
    )
    assert caught.value.setting == "AUTO_SIGN_IN"


def test_coerce_bool_without_a_setting_name_still_explains() -> None:
    with pytest.raises(ConfigurationError, match=r"the value must be a boolean .* got 'nah'"):
        coerce_bool("nah")


def test_coerce_int_reads_numbers() -> None:
    assert coerce_int("8080") == 8080
    assert coerce_int(" -5 ") == -5
    assert coerce_int("1_000") == 1000
    assert coerce_int(42) == 42
    assert coerce_int(3.0) == 3
    assert coerce_int(None, default=3978) == 3978
    assert coerce_int("") == 0
    assert coerce_int(" ", default=None) is None


@pytest.mark.parametrize("value", ["1.5", "ten", "0x10", True, 2.5, [1]])
def test_coerce_int_rejects_other_values(value: object) -> None:
    with pytest.raises(ConfigurationError) as caught:
        coerce_int(value, setting="PORT")
    assert str(caught.value).startswith(f"PORT must be a whole number, got {value!r}")
    assert caught.value.setting == "PORT"


def test_coerce_float_reads_numbers() -> None:
    assert coerce_float("2.5") == 2.5
    assert coerce_float(" 1e3 ") == 1000.0
    assert coerce_float(7) == 7.0
    assert isinstance(coerce_float(7), float)
    assert coerce_float("inf") == float("inf")
    assert coerce_float(None, default=0.5) == 0.5
    assert coerce_float("", default=None) is None


@pytest.mark.parametrize("value", ["abc", "nan", float("nan"), False, "1,5", 10**400])
def test_coerce_float_rejects_other_values(value: object) -> None:
    with pytest.raises(ConfigurationError) as caught:
        coerce_float(value, setting="TYPING_DELAY")
    assert str(caught.value).startswith("TYPING_DELAY must be a number, got ")
    assert caught.value.setting == "TYPING_DELAY"


def test_coercion_errors_carry_their_code() -> None:
    with pytest.raises(ConfigurationError, match=r"\[CFG0007\]$"):
        coerce_bool("x")
    with pytest.raises(ConfigurationError, match=r"\[CFG0008\]$"):
        coerce_int("x")
    with pytest.raises(ConfigurationError, match=r"\[CFG0009\]$"):
        coerce_float("x")


def test_coercion_helpers_compose_with_loaded_config() -> None:
    result = load_configuration_from_env(
        {"AGENTAPPLICATION__USERAUTHORIZATION__AUTO_SIGN_IN": "false"}
    )
    raw = result["AGENTAPPLICATION"]["USERAUTHORIZATION"]["AUTO_SIGN_IN"]
    assert bool(raw) is True  # the pitfall: a non-empty string is truthy
    assert coerce_bool(raw, setting="AUTO_SIGN_IN") is False
