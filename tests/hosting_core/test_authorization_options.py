"""Authorization options read from configuration: ``AUTO_SIGN_IN`` is a boolean.

protocol.md §18 row 13: the reference SDK coerced the setting with ``bool(str)``, so
``AUTO_SIGN_IN=false`` in the environment turned auto sign-in *on*. Here the text is read
as the boolean it spells.
"""

from __future__ import annotations

import pytest

from microsoft_agents.activity import load_configuration_from_env
from microsoft_agents.hosting.core import AuthConfigurationError, Authorization, MemoryStorage

_SETTING = "AGENTAPPLICATION__USERAUTHORIZATION__AUTO_SIGN_IN"


def _authorization(env: dict[str, str], **options: bool) -> Authorization:
    config = load_configuration_from_env(env)
    return Authorization(MemoryStorage(), None, **options, **config)


@pytest.mark.parametrize("text", ["false", "False", " FALSE ", "0", "no", "off", ""])
def test_auto_sign_in_spelled_false_is_off(text: str) -> None:
    assert _authorization({_SETTING: text}).auto_sign_in is False


@pytest.mark.parametrize("text", ["true", "True", " TRUE ", "1", "yes", "on"])
def test_auto_sign_in_spelled_true_is_on(text: str) -> None:
    assert _authorization({_SETTING: text}).auto_sign_in is True


def test_auto_sign_in_is_off_when_not_configured() -> None:
    assert _authorization({}).auto_sign_in is False


def test_the_keyword_wins_over_the_configuration() -> None:
    assert _authorization({_SETTING: "true"}, auto_sign_in=False).auto_sign_in is False
    assert _authorization({_SETTING: "false"}, auto_sign_in=True).auto_sign_in is True


@pytest.mark.parametrize("text", ["maybe", "2", "enabled"])
def test_auto_sign_in_that_is_no_boolean_fails_naming_the_setting(text: str) -> None:
    # Read as "off" it would silently change what the agent does.
    with pytest.raises(AuthConfigurationError) as caught:
        _authorization({_SETTING: text})

    assert caught.value.setting == _SETTING
    assert text in str(caught.value)
