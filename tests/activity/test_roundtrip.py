"""Every real payload in tests/fixtures/activities parses and dumps back unchanged."""

from __future__ import annotations

import json
from typing import Any

import pytest

from microsoft_agents.activity import Activity, ChannelAccount, Entity, Mention

from .conftest import FIXTURES, load_fixture, wire

FIXTURE_NAMES = sorted(p.name for p in FIXTURES.glob("*.json"))


def test_corpus_is_complete() -> None:
    assert len(FIXTURE_NAMES) == 103


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_round_trips_losslessly(name: str) -> None:
    """A2005: unknown keys at every level, channelData, value and card content survive."""
    payload = load_fixture(name)

    activity = Activity.model_validate(payload)
    dumped = wire(activity)

    assert dumped == payload
    again = Activity.model_validate(dumped)
    assert again == activity
    assert wire(again) == payload


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_round_trips_through_json_text(name: str) -> None:
    """A2001: the JSON text we write re-parses, with no duplicate member names."""
    raw = (FIXTURES / name).read_bytes()

    activity = Activity.model_validate_json(raw)
    text = activity.model_dump_json(by_alias=True, exclude_unset=True)

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        assert len(keys) == len(set(keys)), f"duplicate keys in {keys}"
        return dict(pairs)

    assert json.loads(text, object_pairs_hook=no_duplicates) == json.loads(raw)


def test_typed_parts_of_a_teams_message_come_out_typed() -> None:
    activity = Activity.model_validate(load_fixture("teamsdocs--message--1.json"))

    assert activity.from_property == ChannelAccount(
        id="29:9e52142b-5e5e-4d7b-bb3e-e82dcf620000", name="Jane Smith"
    )
    [mention] = activity.get_mentions()
    assert isinstance(mention, Mention)
    assert mention.mentioned is not None
    assert mention.mentioned.name == "Pranav Smith"
    assert activity.attachments is not None
    assert activity.attachments[0].content_type == "image/png"


def test_unknown_entities_stay_generic_with_all_their_keys() -> None:
    """A2104: an unknown entity type is passed over, not refused, and still round-trips."""
    activity = Activity.model_validate(load_fixture("agentsnet--message--1.json"))

    assert activity.entities is not None
    capabilities = activity.entities[0]
    assert type(capabilities) is Entity
    assert capabilities.type == "ClientCapabilities"
    assert capabilities.additional_properties == {
        "requiresBotState": True,
        "supportsListening": True,
        "supportsTts": True,
    }


def test_unknown_top_level_fields_are_kept() -> None:
    """A2005: top-level keys the schema does not declare are preserved."""
    payload = load_fixture("agentsnet--message--1.json")
    activity = Activity.model_validate(payload)

    assert activity.model_extra is not None
    assert activity.model_extra["cci_bot_id"] == payload["cci_bot_id"]
    assert activity.model_extra["testActivityObject"] == payload["testActivityObject"]
