"""The Activity model: parsing rules, addressing helpers, mentions and the other helpers."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from microsoft_agents.activity import (
    Activity,
    ActivityStateError,
    ActivityTypes,
    AIEntity,
    Attachment,
    CardAction,
    ChannelAccount,
    ChannelId,
    Channels,
    ClientCitation,
    ClientCitationAppearance,
    ConversationAccount,
    ConversationReference,
    Entity,
    ExpectedReplies,
    GeoCoordinates,
    Mention,
    ProductInfo,
    ResourceResponse,
    RoleTypes,
    SensitivityUsageInfo,
    StreamInfo,
    SuggestedActions,
)
from microsoft_agents.activity._activity import build_validated_activity
from microsoft_agents.activity._model import MAX_ITEMS

from .conftest import wire

# ---------------------------------------------------------------------------- parsing


def test_A2010_type_is_required() -> None:
    with pytest.raises(ValidationError) as caught:
        Activity.model_validate({"text": "hi"})
    assert caught.value.errors()[0]["loc"] == ("type",)


def test_A2010_type_must_be_a_string() -> None:
    with pytest.raises(ValidationError) as caught:
        Activity.model_validate({"type": 5})
    assert caught.value.errors()[0]["loc"] == ("type",)


def test_A2012_custom_types_are_accepted_and_re_emitted() -> None:
    """A2006 / A2012: an activity type this package does not know is kept as is."""
    activity = Activity.model_validate({"type": "x-contoso-ping", "value": {"n": 1}})

    assert activity.type == "x-contoso-ping"
    assert wire(activity) == {"type": "x-contoso-ping", "value": {"n": 1}}


def test_A2011_type_tests_are_for_the_protocol_spellings() -> None:
    assert Activity(type="message").is_message()
    assert Activity(type="invoke").is_invoke()
    assert Activity(type="event/custom").is_event()
    assert not Activity(type="messageReaction").is_message()
    assert Activity(type=ActivityTypes.conversation_update).is_conversation_update()
    # Code-point identical only: case counts.
    assert not Activity(type="Message").is_message()
    assert not Activity(type="INVOKE").is_invoke()
    assert not Activity(type="Event/custom").is_event()
    assert Activity(type="Message").as_message_activity() is None


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("text", 5),
        ("entities", {}),
        ("attachments", "x"),
        ("from", "29:user"),
        ("id", []),
        ("timestamp", ""),
        ("timestamp", "yesterday"),
        ("channelId", ""),
    ],
)
def test_A2003_wrong_json_types_are_refused_naming_the_field(field: str, bad: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        Activity.model_validate({"type": "message", field: bad})
    assert caught.value.errors()[0]["loc"][0] == field


@pytest.mark.parametrize(
    ("field", "too_many"),
    [
        ("entities", [0] * (MAX_ITEMS + 1)),
        ("membersAdded", [{"id": "29:x"}] * (MAX_ITEMS + 1)),
        ("listenFor", ["x"] * (MAX_ITEMS + 1)),
        ("semanticAction", {"id": "s", "entities": {f"k{n}": 0 for n in range(MAX_ITEMS + 1)}}),
    ],
)
def test_a_list_or_dict_above_the_bound_is_one_error_checked_first(
    field: str, too_many: Any
) -> None:
    """Refused before its items are read: an error per bad item once took gigabytes."""
    payload = {"type": "message", field: too_many}
    for parse in (
        lambda: Activity.model_validate(payload),
        lambda: Activity.model_validate_json(json.dumps(payload)),
    ):
        with pytest.raises(ValidationError) as caught:
            parse()
        assert caught.value.error_count() == 1
        assert caught.value.errors()[0]["loc"][0] == field
    at_the_bound = {"type": "message", "membersAdded": [{"id": "29:x"}] * MAX_ITEMS}
    assert len(Activity.model_validate(at_the_bound).members_added or []) == MAX_ITEMS


def test_nested_lists_stop_at_their_first_bad_item() -> None:
    """Citations in entities: bounded lists inside a bounded list still cost one error each."""
    entity = {"type": "https://schema.org/Message", "@type": "Message", "citation": [0] * 5000}
    activity = Activity.model_validate({"type": "message", "entities": [entity] * 200})
    # A malformed entity of a known type is kept as a generic one (A2105), all its data too.
    assert len(activity.entities or []) == 200
    assert wire(activity)["entities"][0] == entity
    # Activities in an expectReplies answer: the first bad one ends the list.
    bad = {"type": "message", "entities": [0] * 100}
    with pytest.raises(ValidationError) as caught:
        ExpectedReplies.model_validate({"activities": [bad] * 2000})
    assert caught.value.error_count() <= 200  # one activity's, not 2000 times as many


def test_lax_conversions_are_read_and_written_back_converted() -> None:
    """What docs/conformance.md says of pydantic's lax mode, kept as upstream's models have it."""
    activity = Activity.model_validate(
        {
            "type": "message",
            "conversation": {"id": "c", "isGroup": "true"},
            "historyDisclosed": 0,
            "timestamp": 1_700_000_000,
            "channelId": " msteams ",
        }
    )
    assert wire(activity) == {
        "type": "message",
        "conversation": {"id": "c", "isGroup": True},
        "historyDisclosed": False,
        "timestamp": "2023-11-14T22:13:20Z",
        "channelId": "msteams",
    }


def test_an_empty_text_field_comes_back_empty() -> None:
    payload = {"type": "message", "text": "", "locale": "", "id": "", "replyToId": ""}
    assert wire(Activity.model_validate(payload)) == payload


def test_a_bad_channel_id_is_shown_cut_short_in_the_error() -> None:
    with pytest.raises(ValidationError) as caught:
        Activity.model_validate({"type": "message", "channelId": ":" + "x" * 100_000})
    assert len(str(caught.value)) < 1000


def test_A2002_both_spellings_are_accepted_and_camel_case_is_written() -> None:
    camel = Activity.model_validate(
        {"type": "message", "serviceUrl": "https://x/", "replyToId": "1", "from": {"id": "u"}}
    )
    snake = Activity.model_validate(
        {"type": "message", "service_url": "https://x/", "reply_to_id": "1", "from": {"id": "u"}}
    )
    assert camel == snake
    assert wire(snake) == {
        "type": "message",
        "serviceUrl": "https://x/",
        "replyToId": "1",
        "from": {"id": "u"},
    }


def test_A2002_wrongly_cased_names_are_kept_as_unknown_fields_not_mapped() -> None:
    activity = Activity.model_validate({"type": "message", "Text": "hi"})

    assert activity.text is None
    assert wire(activity) == {"type": "message", "Text": "hi"}


def test_python_names_never_reach_the_wire() -> None:
    activity = Activity(
        type="message",
        from_property=ChannelAccount(id="u", aad_object_id="a"),
        reply_to_id="7",
    )
    assert wire(activity) == {
        "type": "message",
        "from": {"id": "u", "aadObjectId": "a"},
        "replyToId": "7",
    }


def test_nulls_and_empty_strings_are_tolerated() -> None:
    """protocol.md section 18 row 14: a null or "" in an optional field is no error."""
    payload = {"type": "message", "replyToId": None, "locale": "", "id": "", "listenFor": None}

    activity = Activity.model_validate(payload)

    assert activity.reply_to_id is None
    assert wire(activity) == payload


def test_an_empty_type_is_refused() -> None:
    """api-surface 2.3: ``type`` is required and non-empty (the reference refuses "")."""
    with pytest.raises(ValidationError) as caught:
        Activity.model_validate({"type": "", "conversation": {"id": "c"}})
    assert caught.value.errors()[0]["loc"] == ("type",)
    with pytest.raises(ValidationError):
        Activity(type="")


@pytest.mark.parametrize(
    "dump",
    [
        lambda a: json.loads(a.model_dump_json(by_alias=True, exclude_unset=True)),
        lambda a: json.loads(json.dumps(a.to_wire(), allow_nan=False)),
        lambda a: json.loads(json.dumps(a.to_wire(exclude_none=True), allow_nan=False)),
    ],
    ids=["model_dump_json", "to_wire", "to_wire_exclude_none"],
)
def test_nan_and_infinity_are_written_as_null_never_as_invalid_json(dump: Any) -> None:
    """JSON has no NaN or Infinity: such floats go out as ``null``, as the reference does."""
    parsed = Activity.model_validate_json(
        '{"type":"message","channelData":{"big":1e400,"small":-1e400},"conversation":{"id":"c"}}'
    )
    built = Activity(
        type="message",
        value=float("nan"),
        channel_data={"list": [float("inf")]},
        entities=[GeoCoordinates(latitude=float("nan"), longitude=float("-inf"), elevation=2.5)],
    )

    assert dump(parsed) == {
        "type": "message",
        "conversation": {"id": "c"},
        "channelData": {"big": None, "small": None},
    }
    assert dump(built)["value"] is None
    assert dump(built)["channelData"] == {"list": [None]}
    [geo] = dump(built)["entities"]
    assert (geo["latitude"], geo["longitude"], geo["elevation"]) == (None, None, 2.5)


def test_validation_errors_name_the_field_but_never_quote_the_value() -> None:
    """Payloads carry tokens: an error message (which ends up in logs) must not echo them."""
    secret = "eyJhbGciOi.SECRETPAYLOAD.sig"
    with pytest.raises(ValidationError) as caught:
        Activity.model_validate(
            {
                "type": "message",
                "value": {"token": secret},
                "text": {"token": secret},
                "recipient": {"id": "28:bot", "name": [secret]},
            }
        )

    message = str(caught.value)
    assert "SECRETPAYLOAD" not in message
    assert "text" in message
    assert "recipient.name" in message
    assert {error["loc"] for error in caught.value.errors()} == {("text",), ("recipient", "name")}


def test_deeply_nested_channel_data_is_refused_cleanly_not_crashing() -> None:
    nested: Any = "leaf"
    for _ in range(5000):
        nested = [nested]
    raw = '{"type": "message", "channelData": ' + "[" * 5000 + '"x"' + "]" * 5000 + "}"

    with pytest.raises(ValidationError) as caught:
        Activity.model_validate_json(raw)
    assert "recursion" in str(caught.value).lower()


def test_large_payloads_parse() -> None:
    text = "x" * 2_000_000
    activity = Activity.model_validate(
        {"type": "message", "text": text, "value": list(range(10_000))}
    )
    assert activity.text == text
    assert wire(activity)["value"][-1] == 9_999


# ---------------------------------------------------------------------------- timestamps


def test_A2050_timestamps_keep_their_offset_and_every_digit() -> None:
    payload = {
        "type": "message",
        "timestamp": "2017-10-29T00:51:05.9908157Z",
        "localTimestamp": "2017-10-28T17:51:05.9908157-07:00",
    }
    activity = Activity.model_validate(payload)

    assert activity.local_timestamp is not None
    offset = activity.local_timestamp.utcoffset()
    assert offset is not None
    assert offset.total_seconds() == -7 * 3600
    assert activity.local_timestamp.microsecond == 990815
    assert wire(activity) == payload


def test_a_parsed_timestamp_is_the_datetime_it_spells_and_survives_copy_and_pickle() -> None:
    import copy
    import pickle
    from datetime import datetime

    text = "2017-10-28T17:51:05.9908157-07:00"
    activity = Activity.model_validate({"type": "message", "localTimestamp": text})

    parsed = activity.local_timestamp
    assert parsed == datetime.fromisoformat("2017-10-28T17:51:05.990815-07:00")
    assert parsed is not None
    assert parsed.fold == 0
    for clone in (copy.deepcopy(activity), pickle.loads(pickle.dumps(activity))):
        assert clone.local_timestamp == parsed
        assert wire(clone)["localTimestamp"] == text


def test_a_timestamp_derived_from_a_parsed_one_copies_pickles_and_dumps() -> None:
    """Arithmetic and ``replace`` on a parsed timestamp give an ordinary value: it is
    written from its own fields (not the parsed text) and pickles."""
    import copy
    import pickle

    activity = Activity.model_validate(
        {"type": "message", "timestamp": "2024-05-02T09:15:27.1234567Z"}
    )
    assert activity.timestamp is not None
    later = activity.timestamp + timedelta(seconds=1)
    activity.timestamp = later

    expected = {"type": "message", "timestamp": "2024-05-02T09:15:28.123456Z"}
    assert wire(activity) == expected
    for clone in (pickle.loads(pickle.dumps(activity)), copy.deepcopy(activity)):
        assert clone.timestamp == later
        assert wire(clone) == expected
    replaced = later.replace(microsecond=0)
    assert pickle.loads(pickle.dumps(replaced)) == replaced
    activity.timestamp = replaced
    assert wire(activity)["timestamp"] == "2024-05-02T09:15:28Z"


def test_A2043_timestamps_set_in_code_are_written_in_utc_with_z() -> None:
    from datetime import datetime, timedelta, timezone

    activity = Activity(
        type="message",
        timestamp=datetime(2024, 1, 1, 8, 30, tzinfo=timezone.utc),
        local_timestamp=datetime(2024, 1, 1, 10, 30, tzinfo=timezone(timedelta(hours=2))),
    )
    assert wire(activity) == {
        "type": "message",
        "timestamp": "2024-01-01T08:30:00Z",
        "localTimestamp": "2024-01-01T10:30:00+02:00",
    }


def test_A2007_outbound_values_have_protocol_types() -> None:
    """Strings stay strings, lists lists, datetimes become ISO strings."""
    from datetime import datetime, timezone

    activity = Activity(
        type="message",
        timestamp=datetime(2024, 1, 1, tzinfo=timezone.utc),
        members_added=[ChannelAccount(id="a")],
        history_disclosed=False,
    )
    data = wire(activity)
    assert isinstance(data["timestamp"], str)
    assert isinstance(data["membersAdded"], list)
    assert data["historyDisclosed"] is False


# ---------------------------------------------------------------------------- channel ids


def test_channel_id_parts() -> None:
    channel_id = ChannelId("msteams:COPILOT")

    assert (channel_id.channel, channel_id.sub_channel) == ("msteams", "COPILOT")
    assert channel_id == "msteams:COPILOT"
    assert channel_id != "msteams"
    assert ChannelId.get_channel(channel_id) == "msteams"
    assert ChannelId.get_sub_channel("msteams:COPILOT") == "COPILOT"
    assert ChannelId.get_sub_channel("webchat") is None
    assert ChannelId(channel="msteams", sub_channel="COPILOT") == channel_id


@pytest.mark.parametrize("bad", ["", "  ", ":COPILOT"])
def test_channel_id_refuses_empty(bad: str) -> None:
    with pytest.raises(ValueError, match=r"is not a channel id; use a non-empty channel name"):
        ChannelId(bad)


def test_channel_id_refuses_value_and_parts_together() -> None:
    with pytest.raises(ValueError, match="not both"):
        ChannelId("msteams", channel="msteams")


def test_A2021_channel_ids_compare_exactly() -> None:
    assert ChannelId("msteams") != "MSTeams"


def test_product_info_entity_sets_the_sub_channel_and_stays_on_the_wire() -> None:
    payload = {
        "type": "message",
        "channelId": "msteams",
        "entities": [{"type": "ProductInfo", "id": "COPILOT"}],
    }
    activity = Activity.model_validate(payload)

    assert activity.channel_id == "msteams:COPILOT"
    assert isinstance(activity.get_product_info_entity(), ProductInfo)
    assert wire(activity) == payload


def test_a_sub_channel_set_in_code_travels_as_product_info() -> None:
    built = Activity(type="message", channel_id="msteams:COPILOT")
    assigned = Activity(type="message")
    assigned.channel_id = ChannelId("msteams:COPILOT")

    expected = {
        "type": "message",
        "channelId": "msteams",
        "entities": [{"type": "ProductInfo", "id": "COPILOT"}],
    }
    assert wire(built) == expected
    assert wire(assigned) == expected


@pytest.mark.parametrize("entity", [{"type": "ProductInfo"}, {"type": "ProductInfo", "id": ""}])
def test_a_product_info_naming_no_sub_channel_takes_the_channel_ids(
    entity: dict[str, str],
) -> None:
    """The wire form carries a sub-channel only in the entity: it was lost on the way out."""
    payload = {"type": "message", "channelId": "msteams:COPILOT", "entities": [entity, {}]}
    for activity in (
        Activity.model_validate(payload),
        Activity.model_validate_json(json.dumps(payload)),
    ):
        assert wire(activity) == {
            "type": "message",
            "channelId": "msteams",
            "entities": [{"type": "ProductInfo", "id": "COPILOT"}, {}],
        }
        assert Activity.model_validate(wire(activity)) == activity


def test_changing_the_channel_id_drops_or_follows_the_product_info() -> None:
    """api-surface 2.3: the ProductInfo entity is removed when there is no sub-channel
    and names the sub-channel when there is one."""
    activity = Activity.model_validate({"type": "message", "channelId": "msteams:COPILOT"})
    activity.add_entity(Mention(text="<at>Bot</at>"))

    activity.channel_id = "msteams"  # type: ignore[assignment]
    assert activity.get_product_info_entity() is None
    assert wire(activity) == {
        "type": "message",
        "channelId": "msteams",
        "entities": [{"type": "mention", "text": "<at>Bot</at>"}],
    }

    activity.channel_id = "msteams:OTHER"  # type: ignore[assignment]
    activity.channel_id = "msteams:COPILOT"  # type: ignore[assignment]
    activity.channel_id = "msteams:OTHER"  # type: ignore[assignment]
    assert wire(activity)["entities"] == [
        {"type": "mention", "text": "<at>Bot</at>"},
        {"type": "ProductInfo", "id": "OTHER"},
    ]


def test_changing_the_channel_id_leaves_the_source_activity_alone() -> None:
    payload = {
        "type": "message",
        "channelId": "msteams",
        "entities": [{"type": "ProductInfo", "id": "COPILOT"}],
    }
    incoming = Activity.model_validate(payload)
    reply = incoming.model_copy()

    reply.channel_id = ChannelId("msteams:OTHER")
    assert wire(reply)["entities"] == [{"type": "ProductInfo", "id": "OTHER"}]
    assert wire(incoming) == payload
    unchanged = Activity.model_validate(payload)
    unchanged.channel_id = ChannelId("msteams:COPILOT")
    assert wire(unchanged) == payload


def test_a_channel_id_that_bypassed_validation_still_dumps() -> None:
    """``model_copy(update=...)`` and ``model_construct`` store a plain ``str``."""
    base = Activity.model_validate({"type": "message", "channelId": "msteams:COPILOT"})

    copied = base.model_copy(update={"channel_id": "webchat"})
    assert wire(copied) == {"type": "message", "channelId": "webchat", "entities": []}
    assert isinstance(copied.channel_id, ChannelId)
    moved = base.model_copy(update={"channel_id": "msteams:OTHER"})
    assert wire(moved)["entities"] == [{"type": "ProductInfo", "id": "OTHER"}]
    assert wire(base)["entities"] == [{"type": "ProductInfo", "id": "COPILOT"}]

    constructed = Activity.model_construct(type="message", channel_id="msteams")
    assert constructed.to_wire() == {"type": "message", "channelId": "msteams"}
    assert json.loads(constructed.model_dump_json(by_alias=True, exclude_unset=True)) == {
        "type": "message",
        "channelId": "msteams",
    }
    with_sub = Activity.model_construct(type="message", channel_id="msteams:COPILOT")
    assert with_sub.to_wire()["channelId"] == "msteams"


def test_conflicting_sub_channels_are_refused() -> None:
    with pytest.raises(ValidationError, match="ProductInfo"):
        Activity.model_validate(
            {
                "type": "message",
                "channelId": "msteams:A",
                "entities": [{"type": "ProductInfo", "id": "B"}],
            }
        )


# ---------------------------------------------------------------------------- entities


def test_known_entity_types_parse_into_their_classes_ignoring_case() -> None:
    activity = Activity.model_validate(
        {
            "type": "message",
            "entities": [
                {"type": "Mention", "mentioned": {"id": "28:bot"}, "text": "<at>Bot</at>"},
                {"type": "streaminfo", "streamType": "informative", "streamSequence": 1},
                {"type": "clientInfo", "locale": "en-US"},
            ],
        }
    )
    assert activity.entities is not None
    assert [type(e) for e in activity.entities] == [Mention, StreamInfo, Entity]
    assert activity.entities[0].type == "Mention"  # the spelling that came in goes back out


def test_A2105_a_malformed_known_entity_is_kept_generic_and_skipped() -> None:
    activity = Activity.model_validate(
        {
            "type": "message",
            "text": "hi",
            "entities": [
                {"type": "mention", "mentioned": "not-an-account"},
                {"type": "mention", "mentioned": {"id": "28:bot"}, "text": "<at>Bot</at>"},
            ],
        }
    )
    assert activity.entities is not None
    assert type(activity.entities[0]) is Entity
    assert [m.text for m in activity.get_mentions()] == ["<at>Bot</at>"]


def test_an_entity_without_type_is_kept_and_matches_nothing_A2105() -> None:
    """A2105: a typeless entity is passed over, not a reason to refuse the activity."""
    payload = {
        "type": "message",
        "text": "<at>Bot</at> hi",
        "entities": [{"text": "x"}, {"type": "mention", "mentioned": {"id": "b"}, "text": "y"}],
    }
    activity = Activity.model_validate(payload)

    assert type(activity.entities[0]) is Entity
    assert activity.entities[0].type is None
    assert [m.text for m in activity.get_mentions()] == ["y"]
    assert wire(activity) == payload


def test_an_entity_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"entities\.0"):
        Activity.model_validate({"type": "message", "entities": ["mention"]})


def test_entities_built_in_code_carry_their_type() -> None:
    assert wire(Mention(text="<at>A</at>")) == {"type": "mention", "text": "<at>A</at>"}
    assert wire(StreamInfo(stream_sequence=2)) == {
        "type": "streaminfo",
        "streamType": "streaming",
        "streamSequence": 2,
    }


def test_stream_info_defaults_are_the_reference_apis_and_stay_off_the_wire() -> None:
    info = StreamInfo(stream_sequence=1)

    assert (info.stream_id, info.stream_result, info.feedback_loop_enabled) == ("", "", False)
    assert wire(info) == {"type": "streaminfo", "streamType": "streaming", "streamSequence": 1}


def test_channel_capability_helpers_take_the_reference_keywords() -> None:
    assert Channels.supports_suggested_actions(channel="webchat", button_cnt=3)
    assert Channels.supports_card_actions(channel="msteams", button_cnt=3)
    assert not Channels.supports_card_actions(channel="msteams", button_cnt=4)


def test_snake_case_keys_of_an_entity_built_in_code_are_written_camel_case() -> None:
    """api-surface 2.6: entities accept snake or camel keys and write camelCase."""
    entity = Entity(type="streaminfo", stream_id="s1", stream_sequence=1, streamType="final")
    activity = Activity(type="typing").add_entity(entity)

    assert activity.to_wire() == {
        "type": "typing",
        "entities": [
            {"type": "streaminfo", "streamId": "s1", "streamSequence": 1, "streamType": "final"}
        ],
    }
    assert entity.stream_id == "s1"
    assert entity.streamId == "s1"
    assert entity.additional_properties == {
        "streamId": "s1",
        "streamSequence": 1,
        "streamType": "final",
    }

    entity.stream_sequence = 2
    entity.feedback_loop_enabled = True
    assert wire(entity) == {
        "type": "streaminfo",
        "streamId": "s1",
        "streamSequence": 2,
        "streamType": "final",
        "feedbackLoopEnabled": True,
    }
    assert entity.feedback_loop_enabled is True
    with pytest.raises(AttributeError):
        _ = entity.no_such_key


def test_entity_keys_received_from_the_wire_are_written_back_as_received() -> None:
    payload = {
        "type": "message",
        "entities": [{"type": "x-contoso", "stream_id": "snake", "otherKey": "camel"}],
    }
    activity = Activity.model_validate(payload)
    [entity] = activity.entities or []

    assert entity.stream_id == "snake"
    assert entity.other_key == "camel"
    entity.stream_id = "changed"
    entity.other_key = "changed too"
    assert wire(activity)["entities"] == [
        {"type": "x-contoso", "stream_id": "changed", "otherKey": "changed too"}
    ]
    both = Entity(type="x", some_key=1, someKey=2)
    assert wire(both) == {"type": "x", "someKey": 2}


def test_json_ld_keys_are_kept_verbatim() -> None:
    payload = {"type": "Thing", "@type": "Thing", "@context": "https://schema.org", "@id": "_:1"}
    activity = Activity.model_validate({"type": "message", "entities": [payload]})

    assert activity.entities is not None
    entity = activity.entities[0]
    assert (entity.at_type, entity.at_context, entity.at_id) == (
        "Thing",
        "https://schema.org",
        "_:1",
    )
    assert wire(activity)["entities"] == [payload]


def test_A2101_A2102_distinct_entities_of_one_type_coexist_identical_ones_do_not() -> None:
    ann = Mention(mentioned=ChannelAccount(id="1", name="Ann"), text="<at>Ann</at>")
    bob = Mention(mentioned=ChannelAccount(id="2", name="Bob"), text="<at>Bob</at>")
    activity = Activity(type="message").add_entity(ann, bob).add_entity(ann)

    assert activity.entities == [ann, bob]


def test_add_ai_metadata_builds_the_ai_entity() -> None:
    citation = ClientCitation(
        position=1,
        appearance=ClientCitationAppearance(
            name="Handbook", abstract="Leave policy", url="https://x/1"
        ),
    )
    activity = Activity(type="message", text="See [1]").add_ai_metadata(
        citations=[citation], usage_info=SensitivityUsageInfo(name="General")
    )
    assert activity.entities is not None
    [entity] = activity.entities
    assert isinstance(entity, AIEntity)
    assert wire(entity) == {
        "type": "https://schema.org/Message",
        "@type": "Message",
        "@context": "https://schema.org",
        "@id": "",
        "additionalType": ["AIGeneratedContent"],
        "citation": [
            {
                "@type": "Claim",
                "position": 1,
                "appearance": {
                    "@type": "DigitalDocument",
                    "name": "Handbook",
                    "abstract": "Leave policy",
                    "url": "https://x/1",
                },
            }
        ],
        "usageInfo": {
            "type": "https://schema.org/Message",
            "@type": "CreativeWork",
            "name": "General",
        },
    }


# ---------------------------------------------------------------------------- replies


def _incoming(**overrides: Any) -> Activity:
    payload: dict[str, Any] = {
        "type": "message",
        "id": "act-1",
        "channelId": "msteams",
        "serviceUrl": "https://smba.trafficmanager.net/amer/",
        "from": {"id": "29:user", "name": "Ann", "aadObjectId": "aad-1"},
        "recipient": {"id": "28:bot", "name": "Helper"},
        "conversation": {
            "id": "a:conv",
            "conversationType": "personal",
            "tenantId": "tenant-1",
            "isGroup": False,
        },
        "locale": "en-US",
        "text": "hello",
    }
    payload.update(overrides)
    return Activity.model_validate(payload)


def test_A2061_A2090_create_reply_addresses_the_sender_and_threads() -> None:
    reply = _incoming().create_reply("hi Ann")

    assert reply.type == "message"
    assert reply.text == "hi Ann"
    assert reply.from_property == ChannelAccount(id="28:bot", name="Helper")
    assert reply.recipient == ChannelAccount(id="29:user", name="Ann")
    assert reply.reply_to_id == "act-1"
    assert reply.service_url == "https://smba.trafficmanager.net/amer/"
    assert reply.channel_id == "msteams"
    assert reply.locale == "en-US"


def test_create_reply_keeps_the_whole_conversation() -> None:
    """protocol.md section 18 row 15: tenantId and conversationType are not dropped."""
    reply = _incoming().create_reply()

    assert reply.conversation == ConversationAccount(
        id="a:conv", conversation_type="personal", tenant_id="tenant-1", is_group=False
    )
    assert wire(reply)["conversation"]["tenantId"] == "tenant-1"


def test_A2031_A2041_create_reply_sets_no_id_and_no_timestamp() -> None:
    data = wire(_incoming().create_reply("x"))
    assert "id" not in data
    assert "timestamp" not in data


def test_create_reply_does_not_thread_under_a_webchat_conversation_update() -> None:
    update = _incoming(type="conversationUpdate", channelId="webchat")
    assert update.create_reply().reply_to_id is None
    assert update.get_conversation_reference().activity_id is None


def test_create_trace() -> None:
    trace = _incoming().create_trace("state", value={"n": 1}, label="after turn")

    assert trace.type == "trace"
    assert trace.value_type == "dict"
    assert trace.recipient is not None
    assert trace.recipient.id == "29:user"
    bare = Activity.create_trace_activity("ping")
    assert (bare.type, bare.name, bare.value_type) == ("trace", "ping", "NoneType")


def test_conversation_reference_round_trip() -> None:
    incoming = _incoming()
    reference = incoming.get_conversation_reference()

    assert reference.activity_id == "act-1"
    assert reference.user is not None
    assert reference.user.id == "29:user"
    assert reference.agent is not None
    assert reference.agent.id == "28:bot"
    assert wire(reference)["bot"] == {"id": "28:bot", "name": "Helper"}

    outgoing = Activity(type="message", text="later").apply_conversation_reference(reference)
    assert outgoing.from_property == reference.agent
    assert outgoing.recipient == reference.user
    assert outgoing.reply_to_id == "act-1"
    assert outgoing.conversation == incoming.conversation

    proactive = Activity(type="event").apply_conversation_reference(reference, is_incoming=True)
    assert proactive.from_property == reference.user
    assert proactive.recipient == reference.agent
    assert proactive.id == "act-1"


def test_an_empty_locale_of_a_reference_leaves_the_activitys_own() -> None:
    reference = _incoming().get_conversation_reference()
    reference.locale = ""
    kept = Activity(type="message", locale="en-US").apply_conversation_reference(reference)
    assert kept.locale == "en-US"
    reference.locale = "de-DE"
    assert Activity(type="message").apply_conversation_reference(reference).locale == "de-DE"


def test_conversation_reference_keeps_or_drops_the_sub_channel() -> None:
    incoming = _incoming(entities=[{"type": "ProductInfo", "id": "COPILOT"}])

    assert incoming.get_conversation_reference().channel_id == "msteams:COPILOT"
    assert incoming.get_conversation_reference(force_base_channel=True).channel_id == "msteams"


def test_get_reply_conversation_reference_points_at_the_reply() -> None:
    reference = _incoming().get_reply_conversation_reference(ResourceResponse(id="reply-9"))
    assert reference.activity_id == "reply-9"


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"entities": [{"type": "ProductInfo", "id": "COPILOT"}]},
        {"channelId": "msteams:COPILOT"},
        {"type": "conversationUpdate", "channelId": "webchat"},
        {"from": {"id": "29:user", "name": "Ann", "role": "user", "extra": {"x": 1}}},
        {"locale": None, "serviceUrl": None, "recipient": None},
    ],
    ids=["message", "product-info", "sub-channel", "no-threading", "extras", "sparse"],
)
def test_get_reply_addressing_equals_applying_the_conversation_reference(
    overrides: dict[str, Any],
) -> None:
    incoming = _incoming(**overrides)
    two_steps = Activity(type="message", text="hi").apply_conversation_reference(
        incoming.get_conversation_reference()
    )
    one_step = Activity(type="message", text="hi", **incoming.get_reply_addressing())

    assert wire(one_step) == wire(two_steps)
    assert one_step.model_fields_set == two_steps.model_fields_set


def test_get_reply_addressing_copies_what_a_reply_could_change() -> None:
    incoming = _incoming(**{"from": {"id": "29:user", "name": "Ann", "extra": {"x": 1}}})
    reply = Activity(type="message", **incoming.get_reply_addressing())
    assert reply.conversation is not None
    assert reply.recipient is not None
    assert reply.from_property is not None
    assert wire(reply)["recipient"]["extra"] == {"x": 1}

    reply.conversation.name = "renamed"
    reply.recipient.name = "Bob"
    reply.recipient.model_fields_set.add("role")
    reply.from_property.name = "Other"

    assert wire(incoming)["conversation"].get("name") is None
    assert wire(incoming)["from"] == {"id": "29:user", "name": "Ann", "extra": {"x": 1}}
    assert wire(incoming)["recipient"]["name"] == "Helper"


def test_get_reply_addressing_without_copies_shares_the_incoming_objects() -> None:
    incoming = _incoming()
    shared = incoming.get_reply_addressing(copy=False)
    copied = incoming.get_reply_addressing()

    assert shared["conversation"] is incoming.conversation
    assert shared["from_property"] is incoming.recipient
    assert shared["recipient"] is incoming.from_property
    assert copied["conversation"] is not incoming.conversation
    assert copied["conversation"] == incoming.conversation


def test_get_reply_addressing_leaves_out_empty_strings() -> None:
    incoming = _incoming(serviceUrl="", locale="", id="")
    values = incoming.get_reply_addressing()
    assert not {"service_url", "locale", "reply_to_id"} & values.keys()


@pytest.mark.parametrize(
    "overrides",
    [{}, {"locale": None, "serviceUrl": None, "recipient": None}],
    ids=["message", "sparse"],
)
def test_build_validated_activity_equals_the_validated_constructor(
    overrides: dict[str, Any],
) -> None:
    values = _incoming(**overrides).get_reply_addressing()
    values.update(type="message", text="hi", input_hint="acceptingInput")

    built = build_validated_activity(dict(values))
    validated = Activity(**values)

    assert built == validated
    assert built.model_fields_set == validated.model_fields_set
    assert built.model_dump_json(by_alias=True, exclude_unset=True) == validated.model_dump_json(
        by_alias=True, exclude_unset=True
    )
    built.text = "changed"  # a normal, assignable model
    assert wire(built)["text"] == "changed"


def test_get_reply_addressing_requires_a_conversation() -> None:
    with pytest.raises(ActivityStateError, match="conversation"):
        Activity(type="message").get_reply_addressing()


def test_continuation_activity() -> None:
    reference = _incoming().get_conversation_reference()
    activity = reference.get_continuation_activity()

    assert (activity.type, activity.name) == ("event", "ContinueConversation")
    assert activity.recipient == reference.agent
    assert activity.from_property == reference.user
    assert activity.relates_to == reference
    assert activity.id
    assert activity.id != reference.get_continuation_activity().id


def test_conversation_reference_requires_a_conversation() -> None:
    with pytest.raises(ValidationError, match="conversation"):
        ConversationReference.model_validate({"activityId": "1"})


# ---------------------------------------------------------------------------- mentions


def test_remove_recipient_mention() -> None:
    incoming = _incoming(
        text="<at>Helper</at> status of ticket 42?",
        entities=[
            {
                "type": "mention",
                "mentioned": {"id": "28:bot", "name": "Helper"},
                "text": "<at>Helper</at>",
            }
        ],
    )
    assert incoming.is_recipient_mentioned()
    assert incoming.remove_recipient_mention() == "status of ticket 42?"
    assert incoming.text == "status of ticket 42?"


@pytest.mark.parametrize(
    ("entities", "mentioned"),
    [
        ([{"type": "clientInfo", "locale": "en-US"}], False),
        ([{"type": "mention", "mentioned": {"id": "29:someone-else"}}], False),
        ([{"type": "clientInfo"}, {"type": "mention", "mentioned": {"id": "28:bot"}}], True),
    ],
)
def test_is_recipient_mentioned(entities: list[dict[str, Any]], mentioned: bool) -> None:
    assert _incoming(entities=entities).is_recipient_mentioned() is mentioned


def test_a_mention_built_as_a_plain_entity_counts() -> None:
    activity = _incoming()
    activity.entities = [Entity(type="MENTION", mentioned={"id": "28:bot", "name": "Helper"})]

    assert activity.is_recipient_mentioned()


def test_remove_mention_text_ignores_case_and_uses_the_name_when_text_is_missing() -> None:
    incoming = _incoming(
        text="<AT>helper</AT> hi",
        entities=[{"type": "mention", "mentioned": {"id": "28:bot", "name": "Helper"}}],
    )
    assert incoming.remove_mention_text("28:bot") == "hi"


def test_add_mention() -> None:
    activity = Activity(type="message", text="please look").add_mention(
        ChannelAccount(id="29:bob", name="Bob")
    )
    assert activity.text == "<at>Bob</at> please look"
    [mention] = activity.get_mentions()
    assert mention.mentioned == ChannelAccount(id="29:bob", name="Bob")
    assert activity.get_account_mention("29:bob") == mention


# ---------------------------------------------------------------------------- other helpers


def test_has_content() -> None:
    assert Activity(type="message", text="x").has_content()
    assert not Activity(type="message", text="   ").has_content()
    assert Activity(
        type="message", attachments=[Attachment(content_type="image/png")]
    ).has_content()
    assert Activity(type="message", channel_data={"k": 1}).has_content()
    assert not Activity(type="message").has_content()


def test_as_activity_views() -> None:
    invoke = Activity(type="invoke", name="adaptiveCard/action")
    assert invoke.as_invoke_activity() is invoke
    assert invoke.as_message_activity() is None


def test_factories_make_each_type() -> None:
    assert Activity.create_message_activity().type == "message"
    assert Activity.create_typing_activity().type == "typing"
    assert Activity.create_event_activity().type == "event"
    assert Activity.create_invoke_activity().type == "invoke"
    assert Activity.create_conversation_update_activity().type == "conversationUpdate"
    assert Activity.create_end_of_conversation_activity().type == "endOfConversation"
    assert Activity.create_handoff_activity().type == "handoff"
    assert Activity.create_contact_relation_update_activity().type == "contactRelationUpdate"


def test_fluent_setters_mark_fields_for_the_wire() -> None:
    activity = (
        Activity.create_message_activity()
        .with_text("Hello")
        .add_text(", world")
        .with_speak("Hello world")
        .with_input_hint("acceptingInput")
        .with_locale("en-US")
        .with_suggested_actions(
            SuggestedActions().add_actions(CardAction(type="imBack", title="Yes", value="yes"))
        )
        .add_attachment(Attachment(content_type="image/png", content_url="https://x/a.png"))
    )
    assert wire(activity) == {
        "type": "message",
        "text": "Hello, world",
        "speak": "Hello world",
        "inputHint": "acceptingInput",
        "locale": "en-US",
        "suggestedActions": {"actions": [{"type": "imBack", "title": "Yes", "value": "yes"}]},
        "attachments": [{"contentType": "image/png", "contentUrl": "https://x/a.png"}],
    }


def test_agentic_helpers() -> None:
    activity = Activity.model_validate(
        {
            "type": "message",
            "recipient": {
                "id": "agent-1",
                "role": RoleTypes.agentic_user.value,
                "agenticAppId": "instance-1",
                "agenticUserId": "user-1",
            },
            "conversation": {"id": "c", "tenantId": "t-9"},
        }
    )
    assert activity.is_agentic_request()
    assert activity.get_agentic_instance_id() == "instance-1"
    assert activity.get_agentic_user() == "user-1"
    assert activity.get_agentic_tenant_id() == "t-9"
    assert not _incoming().is_agentic_request()


def test_targeted_activity() -> None:
    activity = Activity(type="message", text="only you").make_targeted_activity(
        ChannelAccount(id="29:user")
    )
    assert activity.is_targeted_activity()
    assert wire(activity)["entities"] == [{"type": "activityTreatment", "treatment": "targeted"}]


def test_streaming_connection_detection() -> None:
    assert Activity(
        type="message", service_url="urn:botframework:namedpipe:x"
    ).is_from_streaming_connection()
    assert not _incoming().is_from_streaming_connection()


def test_pick_properties_copies_only_what_was_set() -> None:
    source = ChannelAccount(id="1", name="Ann")
    copied = ChannelAccount.pick_properties(source, ["id"], role="user")
    assert copied == ChannelAccount(id="1", role="user")
    assert copied is not None
    assert copied.model_fields_set == {"id", "role"}


def test_mention_regex_special_characters_are_literal() -> None:
    name = "C++ (beta)"
    incoming = _incoming(
        text=f"<at>{name}</at> go",
        entities=[{"type": "mention", "mentioned": {"id": "28:bot"}, "text": f"<at>{name}</at>"}],
    )
    assert incoming.remove_recipient_mention() == "go"
    assert re.escape(name) != name


def test_dumping_absurdly_deep_data_fails_cleanly() -> None:
    """Data built in code deeper than any serializer allows raises, never crashes."""
    nested: Any = "leaf"
    for _ in range(200_000):
        nested = [nested]
    activity = Activity.model_validate({"type": "message", "channelData": nested})

    with pytest.raises(ValueError, match="depth"):
        activity.model_dump(mode="json", by_alias=True, exclude_unset=True)


def test_code_set_timestamps_are_utc_local_timestamp_keeps_offset_A2043_A2050() -> None:
    """A2043, A2050: ``timestamp`` is written in UTC with Z; ``localTimestamp`` keeps -07:00."""
    pacific = timezone(timedelta(hours=-7))
    activity = Activity(
        type="message",
        timestamp=datetime(2026, 11, 24, 3, 15, tzinfo=pacific),
        local_timestamp=datetime(2026, 11, 24, 3, 15, tzinfo=pacific),
    )

    out = wire(activity)

    assert out["timestamp"] == "2026-11-24T10:15:00Z"
    assert out["localTimestamp"] == "2026-11-24T03:15:00-07:00"
