"""Activity Protocol requirements that bind the schema, one test (or a few) per id.

Each test names the requirement ids it checks (docs/activity-requirements.md);
scripts/conformance_table.py collects them into docs/conformance.md.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from microsoft_agents.activity import (
    ActionTypes,
    Activity,
    ActivityEventNames,
    ActivityImportance,
    ActivityTypes,
    AnimationCard,
    Attachment,
    AttachmentLayoutTypes,
    AudioCard,
    CardAction,
    CardImage,
    ChannelAccount,
    ChannelId,
    ConversationReference,
    DeliveryModes,
    Entity,
    EntityTypes,
    Fact,
    HeroCard,
    InputHints,
    MediaUrl,
    Mention,
    OAuthCard,
    ProductInfo,
    ReceiptCard,
    ReceiptItem,
    RoleTypes,
    SigninCard,
    StreamInfo,
    SuggestedActions,
    TextFormatTypes,
    ThumbnailCard,
    ThumbnailUrl,
    VideoCard,
)
from microsoft_agents.activity._activity import SemanticAction, TextHighlight

from .conftest import load_fixture, wire


def _teams_message(**overrides: Any) -> Activity:
    """A real Teams personal-chat message (fixture), with some fields replaced."""
    payload = load_fixture("bbteams--message--1.json")
    payload.update(overrides)
    return Activity.model_validate(payload)


def _json_text(model: BaseModel) -> str:
    return model.model_dump_json(by_alias=True, exclude_unset=True)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


# ------------------------------------------------------------------ addressing and ids


def test_replies_traces_and_references_carry_the_channel_id_A2020() -> None:
    incoming = _teams_message()
    assert incoming.channel_id == "msteams"

    reply = incoming.create_reply("ok")
    trace = incoming.create_trace("state")
    reference = incoming.get_conversation_reference()
    proactive = Activity(type="message").apply_conversation_reference(reference)

    for outgoing in (reply, trace, proactive, reference.get_continuation_activity()):
        assert wire(outgoing)["channelId"] == "msteams"


def test_ids_are_compared_ordinally_without_case_folding_A2032() -> None:
    activity = Activity.model_validate(
        {
            "type": "message",
            "id": "AbC-1",
            "text": "<at>Bot</at> hi",
            "recipient": {"id": "28:Bot-App"},
            "entities": [
                {"type": "mention", "mentioned": {"id": "28:Bot-App"}, "text": "<at>Bot</at>"}
            ],
        }
    )
    assert activity.get_account_mention("28:Bot-App") is not None
    assert activity.get_account_mention("28:bot-app") is None
    assert activity.create_reply().reply_to_id == "AbC-1"
    assert ChannelAccount(id="28:Bot-App") != ChannelAccount(id="28:bot-app")


def test_reply_threading_is_left_out_where_the_channel_ignores_it_A2092() -> None:
    """A2092: Direct Line / Web Chat conversationUpdate ids are not threaded under."""
    payload = load_fixture("emulator--conversationUpdate--1.json")
    update = Activity.model_validate({**payload, "channelId": "webchat"})
    message = _teams_message()

    assert "replyToId" not in wire(update.create_reply("welcome"))
    assert wire(message.create_reply("ok"))["replyToId"] == message.id


def test_a_channel_id_assigned_as_a_plain_string_is_accepted_A2020() -> None:
    activity = Activity(type="message")
    activity.channel_id = "webchat"  # type: ignore[assignment]
    assert wire(activity)["channelId"] == "webchat"
    assert isinstance(activity.channel_id, ChannelId)

    activity.channel_id = "msteams:COPILOT"  # type: ignore[assignment]
    assert wire(activity)["channelId"] == "msteams"
    assert wire(activity)["entities"] == [{"type": "ProductInfo", "id": "COPILOT"}]


def test_local_timezone_that_is_not_a_known_zone_is_kept_A2057() -> None:
    payload = {"type": "message", "localTimezone": "Mars/Olympus_Mons", "text": "hi"}

    activity = Activity.model_validate(payload)

    assert activity.local_timezone == "Mars/Olympus_Mons"
    assert wire(activity) == payload


def test_naive_datetimes_are_not_emitted_without_an_offset_A2043_A2050() -> None:
    activity = Activity(type="message", local_timestamp=datetime(2024, 1, 1, 10, 30))
    text = wire(activity)["localTimestamp"]
    assert text.endswith("Z") or text[-6] in "+-"


def test_expiration_in_utc_is_written_with_z_and_parsed_text_is_kept_A3090() -> None:
    built = Activity(type="message", expiration=datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc))
    parsed = Activity.model_validate(
        {"type": "message", "expiration": "2024-06-01T12:00:00.1234567Z"}
    )

    assert wire(built)["expiration"] == "2024-06-01T12:00:00Z"
    assert wire(parsed)["expiration"] == "2024-06-01T12:00:00.1234567Z"


def test_expiration_with_an_offset_is_written_in_utc_A3090() -> None:
    local = timezone(timedelta(hours=2))
    activity = Activity(type="message", expiration=datetime(2024, 6, 1, 14, 0, tzinfo=local))
    assert wire(activity)["expiration"] == "2024-06-01T12:00:00Z"


# ------------------------------------------------------------------ entities


def test_entity_lookup_does_not_depend_on_list_order_A2103() -> None:
    mention = {"type": "mention", "mentioned": {"id": "28:bot"}, "text": "<at>Bot</at>"}
    product = {"type": "ProductInfo", "id": "COPILOT"}
    client = {"type": "clientInfo", "locale": "en-US"}
    orders = [[mention, product, client], [client, product, mention], [product, client, mention]]

    for entities in orders:
        activity = Activity.model_validate(
            {"type": "message", "channelId": "msteams", "entities": entities}
        )
        assert [m.text for m in activity.get_mentions()] == ["<at>Bot</at>"]
        product_info = activity.get_product_info_entity()
        assert isinstance(product_info, ProductInfo)
        assert product_info.id == "COPILOT"
        assert activity.channel_id == "msteams:COPILOT"


def test_json_ld_members_of_entities_are_preserved_A7603() -> None:
    entity = {
        "type": "https://schema.org/Event",
        "@context": "https://schema.org",
        "@type": "Event",
        "@id": "urn:event:42",
        "name": "Release review",
        "location": {"@type": "Place", "name": "Room 4"},
    }
    activity = Activity.model_validate({"type": "message", "entities": [entity]})

    assert activity.entities is not None
    assert activity.entities[0].at_context == "https://schema.org"
    assert wire(activity)["entities"] == [entity]


def test_entities_built_in_code_can_be_read_without_json_ld_processing_A7604() -> None:
    """A7604, A7613: every entity class writes a plain `type` that is a name or absolute IRI."""
    built = [
        Mention(text="<at>Ann</at>"),
        StreamInfo(stream_sequence=1),
        ProductInfo(id="COPILOT"),
        Activity(type="message").add_ai_metadata(citations=[]).entities[0],  # type: ignore[index]
    ]
    for entity in built:
        kind = wire(entity)["type"]
        assert isinstance(kind, str)
        assert kind
    for value in EntityTypes:
        text = value.value
        assert ":" not in text or text.startswith("https://"), text


def test_context_entities_with_no_or_bad_content_do_not_fail_the_activity_A9263() -> None:
    """A9263, A9264, A9265: empty, malformed or property-less context entities are skipped."""
    entities = [
        {"type": "context"},
        {"type": "context", "screenContext": "not-an-object"},
        {"type": "context", "screenContext": {}},
    ]
    activity = Activity.model_validate({"type": "message", "text": "hi", "entities": entities})

    assert activity.text == "hi"
    assert activity.entities is not None
    assert all(type(entity) is Entity for entity in activity.entities)
    assert wire(activity)["entities"] == entities


def test_replies_do_not_echo_client_info_A9201(teams_channel_message: dict[str, Any]) -> None:
    incoming = Activity.model_validate(teams_channel_message)
    assert incoming.entities
    assert any(entity.type == "clientInfo" for entity in incoming.entities)

    reply = incoming.create_reply("hello")

    assert wire(reply)["entities"] == []


def test_locale_comes_from_the_activity_not_from_client_info_A9211() -> None:
    incoming = Activity.model_validate(
        {
            "type": "message",
            "id": "1",
            "locale": "fr-FR",
            "conversation": {"id": "c"},
            "entities": [{"type": "clientInfo", "locale": "de-DE"}],
        }
    )
    without_root = Activity.model_validate(
        {
            "type": "message",
            "conversation": {"id": "c"},
            "entities": [{"type": "clientInfo", "locale": "de-DE"}],
        }
    )

    assert incoming.create_reply().locale == "fr-FR"
    assert incoming.get_conversation_reference().locale == "fr-FR"
    assert without_root.create_reply().locale is None
    assert without_root.get_conversation_reference().locale is None


# ------------------------------------------------------------------ channel data, callerId


def test_channel_data_of_other_channels_stays_opaque_A2201() -> None:
    slack = {"SlackMessage": {"event": {"type": "message", "ts": "1.2"}}, "ApiToken": "x"}
    for channel_data in (slack, 42, "plain", ["a", 1]):
        activity = Activity.model_validate(
            {"type": "message", "channelId": "slack", "channelData": channel_data}
        )
        assert activity.channel_data == channel_data
        assert type(activity.channel_data) is type(channel_data)
        assert wire(activity)["channelData"] == channel_data


def test_replies_and_traces_do_not_copy_the_caller_id_A2250() -> None:
    incoming = _teams_message(callerId="urn:botframework:azure")
    assert incoming.caller_id == "urn:botframework:azure"

    assert "callerId" not in wire(incoming.create_reply("ok"))
    assert "callerId" not in wire(incoming.create_trace("state"))


# ------------------------------------------------------------------ enums' wire values


def test_delivery_modes_have_the_protocol_spellings_A3110() -> None:
    assert DeliveryModes.normal == "normal"
    assert DeliveryModes.expect_replies == "expectReplies"
    activity = Activity(type="message", delivery_mode=DeliveryModes.expect_replies)
    assert wire(activity) == {"type": "message", "deliveryMode": "expectReplies"}
    assert json.loads(_json_text(activity))["deliveryMode"] == "expectReplies"


def test_text_formats_are_the_three_defined_values_A3010() -> None:
    assert {member.value for member in TextFormatTypes} == {"markdown", "plain", "xml"}
    activity = Activity(type="message", text="*hi*", text_format=TextFormatTypes.markdown)
    assert json.loads(_json_text(activity))["textFormat"] == "markdown"


def test_helpers_never_add_a_text_format_A3011_A3013() -> None:
    """A3011, A3013: nothing writes textFormat (so never `plain` and never `xml`) by itself."""
    incoming = _teams_message(textFormat="plain")
    made = [
        incoming.create_reply("ok"),
        incoming.create_trace("t"),
        Activity.create_message_activity().with_text("hi"),
        HeroCard(title="x").to_message(),
        incoming.get_conversation_reference().get_continuation_activity(),
    ]
    for activity in made:
        assert "textFormat" not in wire(activity)


def test_unknown_text_format_is_accepted_verbatim_A3012() -> None:
    activity = Activity.model_validate(
        {"type": "message", "textFormat": "html", "text": "<b>x</b>"}
    )
    assert activity.text_format == "html"
    assert wire(activity)["textFormat"] == "html"


def test_input_hints_have_the_wire_spellings_A3040() -> None:
    assert {member.value for member in InputHints} == {
        "acceptingInput",
        "expectingInput",
        "ignoringInput",
    }
    reply = Activity.create_message_activity().with_input_hint(InputHints.expecting_input)
    assert json.loads(_json_text(reply))["inputHint"] == "expectingInput"


@pytest.mark.parametrize("hint", ["accepting", "expecting", "ignoring", "acceptingInput", "later"])
def test_prose_and_unknown_input_hints_are_accepted_verbatim_A3042(hint: str) -> None:
    activity = Activity.model_validate({"type": "message", "inputHint": hint})
    assert wire(activity) == {"type": "message", "inputHint": hint}


def test_attachment_layouts_are_list_and_carousel_A3060() -> None:
    assert {member.value for member in AttachmentLayoutTypes} == {"list", "carousel"}
    activity = Activity.create_message_activity().with_attachment_layout(
        AttachmentLayoutTypes.carousel
    )
    assert json.loads(_json_text(activity))["attachmentLayout"] == "carousel"


def test_unknown_attachment_layout_is_accepted_verbatim_A3061() -> None:
    activity = Activity.model_validate({"type": "message", "attachmentLayout": "grid"})
    assert wire(activity)["attachmentLayout"] == "grid"


def test_importance_values_are_low_normal_high_A3100() -> None:
    assert {member.value for member in ActivityImportance} == {"low", "normal", "high"}
    activity = Activity(type="message", importance=ActivityImportance.high)
    assert json.loads(_json_text(activity))["importance"] == "high"


def test_unknown_importance_is_accepted_verbatim_A3101() -> None:
    activity = Activity.model_validate({"type": "message", "importance": "urgent"})
    assert wire(activity)["importance"] == "urgent"


def test_roles_and_reactions_accept_prose_and_wire_spellings() -> None:
    """A2005: role agenticInstance/agenticAppInstance, reaction +1/plusOne are all kept."""
    assert RoleTypes.agentic_identity == "agenticAppInstance"
    payload = {
        "type": "messageReaction",
        "from": {"id": "u", "role": "agenticInstance"},
        "recipient": {"id": "a", "role": "agenticAppInstance"},
        "reactionsAdded": [{"type": "+1"}, {"type": "plusOne"}],
    }
    activity = Activity.model_validate(payload)
    assert activity.is_agentic_request()
    assert wire(activity) == payload


# ------------------------------------------------------------------ message content


def test_empty_text_is_kept_not_stripped_A3000() -> None:
    payload = {"type": "message", "text": "", "attachments": [{"contentType": "image/png"}]}
    activity = Activity.model_validate(payload)

    assert activity.text == ""
    assert wire(activity) == payload
    assert wire(Activity.create_message_activity().with_text(""))["text"] == ""


def test_empty_speak_is_kept_A3030() -> None:
    payload = {"type": "message", "text": "Done.", "speak": ""}
    assert wire(Activity.model_validate(payload)) == payload
    assert wire(Activity(type="message").with_speak(""))["speak"] == ""


@pytest.mark.parametrize("locale", [None, "", "xx-YY", "not a locale", "en_US@euro"])
def test_missing_or_unknown_locale_is_not_refused_A3020_A3021(locale: str | None) -> None:
    payload: dict[str, Any] = {"type": "message", "text": "hi"}
    if locale is not None:
        payload["locale"] = locale

    activity = Activity.model_validate(payload)

    assert activity.locale == locale
    assert wire(activity) == payload


@pytest.mark.parametrize("locale", [None, "xx-YY"])
def test_end_of_conversation_with_missing_or_unknown_locale_parses(locale: str | None) -> None:
    """A3020#2, A3021#2: the same tolerance on an endOfConversation."""
    payload: dict[str, Any] = {"type": "endOfConversation", "code": "completedSuccessfully"}
    if locale is not None:
        payload["locale"] = locale

    activity = Activity.model_validate(payload)

    assert activity.is_end_of_conversation()
    assert activity.locale == locale
    assert wire(activity) == payload


def test_several_attachments_of_one_type_in_order_A3051_A3053() -> None:
    cards = [HeroCard(title=f"Option {n}").to_attachment() for n in (1, 2, 3)]
    activity = Activity(type="message", attachment_layout="carousel").add_attachment(*cards)

    dumped = json.loads(_json_text(activity))
    assert [a["content"]["title"] for a in dumped["attachments"]] == [
        "Option 1",
        "Option 2",
        "Option 3",
    ]
    again = Activity.model_validate(dumped)
    assert again.attachments is not None
    assert [a.content["title"] for a in again.attachments] == ["Option 1", "Option 2", "Option 3"]


def test_attachments_of_unknown_content_type_are_kept_A3052() -> None:
    payload = {
        "type": "message",
        "attachments": [
            {"contentType": "application/x-contoso-report", "contentUrl": "https://x/r.bin"},
            {"contentType": "application/vnd.contoso.card", "content": {"rows": [1, 2]}, "v": 2},
        ],
    }
    activity = Activity.model_validate(payload)
    assert activity.attachments is not None
    assert activity.attachments[0].content_type == "application/x-contoso-report"
    assert wire(activity) == payload


def test_primitive_values_are_accepted_inbound_A3080() -> None:
    for value in ("yes", 3, True, None, ["a"]):
        activity = Activity.model_validate({"type": "message", "value": value})
        assert activity.value == value
        assert wire(activity)["value"] == value


def test_listen_for_is_a_list_of_strings_A3121() -> None:
    payload = {"type": "message", "text": "Which city?", "listenFor": ["Paris", "Rome", "cancel"]}
    activity = Activity.model_validate(payload)
    assert activity.listen_for == ["Paris", "Rome", "cancel"]
    assert wire(activity) == payload
    with pytest.raises(ValidationError):
        Activity.model_validate({"type": "message", "listenFor": "Paris"})


def test_agent_messages_can_carry_a_semantic_action_A3130_A3131() -> None:
    """A3130, A3131: a semantic action is sent as set, leaving text and entities alone."""
    mention = Mention(mentioned=ChannelAccount(id="29:ann", name="Ann"), text="<at>Ann</at>")
    activity = Activity(type="message", text="<at>Ann</at> booked").add_entity(mention)
    activity.semantic_action = SemanticAction(
        id="bookFlight", state="done", entities={"destination": Entity(type="city", name="Rome")}
    )

    data = json.loads(_json_text(activity))
    assert data["semanticAction"] == {
        "id": "bookFlight",
        "state": "done",
        "entities": {"destination": {"type": "city", "name": "Rome"}},
    }
    assert data["text"] == "<at>Ann</at> booked"
    assert data["entities"] == [
        {"type": "mention", "mentioned": {"id": "29:ann", "name": "Ann"}, "text": "<at>Ann</at>"}
    ]


def test_semantic_actions_with_unknown_parts_do_not_fail_the_activity_A3132_A3133() -> None:
    payload = {
        "type": "message",
        "text": "book it",
        "semanticAction": {
            "id": "bookFlight",
            "state": "someFutureState",
            "entities": {"who": {"type": "mention", "mentioned": "not-an-account"}},
            "confidence": 0.4,
        },
    }
    activity = Activity.model_validate(payload)

    assert activity.text == "book it"
    assert activity.semantic_action is not None
    assert wire(activity) == payload


def test_semantic_action_entity_without_type_does_not_fail_the_activity_A3133() -> None:
    activity = Activity.model_validate(
        {
            "type": "message",
            "text": "book it",
            "semanticAction": {"id": "bookFlight", "entities": {"when": {"date": "tomorrow"}}},
        }
    )
    assert activity.text == "book it"


def test_handoff_activity_type_is_modelled_A3136() -> None:
    assert ActivityTypes.handoff == "handoff"
    handoff = Activity.create_handoff_activity()
    assert handoff.is_handoff()
    assert wire(handoff) == {"type": "handoff"}
    parsed = Activity.model_validate({"type": "handoff", "value": {"queue": "billing"}})
    assert parsed.as_handoff_activity() is parsed


# ------------------------------------------------------------------ conversationUpdate


def test_conversation_update_with_none_of_its_fields_parses_A4100() -> None:
    payload = {
        "type": "conversationUpdate",
        "channelId": "msteams",
        "conversation": {"id": "19:x@thread.tacv2"},
        "channelData": {"eventType": "channelRenamed"},
    }
    activity = Activity.model_validate(payload)
    assert activity.is_conversation_update()
    assert activity.members_added is None
    assert activity.members_removed is None
    assert wire(activity) == payload


def test_history_disclosed_is_never_added_by_the_sdk_A4110() -> None:
    incoming = Activity.model_validate(
        {
            "type": "conversationUpdate",
            "id": "u1",
            "historyDisclosed": True,
            "conversation": {"id": "c"},
            "from": {"id": "u"},
            "recipient": {"id": "b"},
        }
    )
    assert incoming.history_disclosed is True
    for made in (
        Activity.create_conversation_update_activity(),
        incoming.create_reply("hi"),
        incoming.create_trace("t"),
    ):
        assert "historyDisclosed" not in wire(made)


# ------------------------------------------------------------------ event, invoke, trace


def test_event_without_value_parses_A5100() -> None:
    payload = {"type": "event", "name": "webchat/join", "channelId": "webchat"}
    activity = Activity.model_validate(payload)
    assert activity.is_event()
    assert activity.value is None
    assert wire(activity) == payload


def test_sdk_events_are_identified_by_type_and_name_alone_A5101() -> None:
    reference = _teams_message().get_conversation_reference()
    event = reference.get_continuation_activity()

    data = wire(event)
    assert (data["type"], data["name"]) == ("event", ActivityEventNames.continue_conversation)
    assert "valueType" not in data


def test_relates_to_is_a_conversation_reference_A5200_A6157() -> None:
    """A5200, A6157: relatesTo parses as a conversation reference and round-trips."""
    relates = {
        "activityId": "1712345678901",
        "bot": {"id": "28:app"},
        "conversation": {"id": "a:other-conversation"},
        "channelId": "msteams",
        "serviceUrl": "https://smba.trafficmanager.net/amer/",
    }
    for kind in ("event", "trace", "invoke"):
        payload = {"type": kind, "name": "x", "relatesTo": relates}
        activity = Activity.model_validate(payload)
        assert isinstance(activity.relates_to, ConversationReference)
        assert activity.relates_to.conversation.id == "a:other-conversation"
        assert wire(activity) == payload


def test_invoke_without_value_parses_A5500() -> None:
    payload = {"type": "invoke", "name": "composeExtension/queryLink", "id": "f:1"}
    activity = Activity.model_validate(payload)
    assert activity.is_invoke()
    assert activity.value is None
    assert wire(activity) == payload


def test_invokes_carry_no_relates_to_by_default_A5600() -> None:
    assert "relatesTo" not in wire(Activity.create_invoke_activity())
    parsed = Activity.model_validate(load_fixture("bbteams--invoke--1.json"))
    assert parsed.relates_to is None


def test_traces_carry_name_label_value_type_and_value_A6151_A6153() -> None:
    trace = Activity.create_trace_activity(
        "turnState", value={"step": 2}, value_type="https://example.com/state", label="after"
    )
    assert wire(trace) == {
        "type": "trace",
        "name": "turnState",
        "label": "after",
        "valueType": "https://example.com/state",
        "value": {"step": 2},
    }


def test_traces_without_value_type_or_value_parse_A6154_A6155() -> None:
    for payload in (
        {"type": "trace", "name": "ping"},
        {"type": "trace", "name": "ping", "value": {}},
        {"type": "trace", "name": "ping", "value": ""},
    ):
        activity = Activity.model_validate(payload)
        assert activity.is_trace()
        assert activity.value_type is None
        assert wire(activity) == payload
    assert "value" not in wire(Activity.create_trace_activity("ping"))


def test_real_trace_fixtures_parse_and_keep_their_fields_A6151_A6153() -> None:
    activity = Activity.model_validate(load_fixture("bbsamples--trace--1.json"))
    assert activity.is_trace()
    assert wire(activity) == load_fixture("bbsamples--trace--1.json")


# ------------------------------------------------------------------ suggestion, command


def test_suggestion_carries_text_highlights_and_reply_to_id_A6101() -> None:
    payload = {
        "type": "suggestion",
        "replyToId": "1712345678901",
        "recipient": {"id": "29:ann"},
        "text": "Did you mean Tuesday?",
        "textHighlights": [{"text": "Tusday", "occurrence": 2}],
    }
    activity = Activity.model_validate(payload)
    assert activity.as_suggestion_activity() is activity
    assert activity.text_highlights == [TextHighlight(text="Tusday", occurrence=2)]
    assert wire(activity) == payload


def test_text_highlight_occurrence_is_written_only_when_set_A7722() -> None:
    assert wire(TextHighlight(text="Tusday")) == {"text": "Tusday"}
    assert wire(TextHighlight(text="Tusday", occurrence=3)) == {"text": "Tusday", "occurrence": 3}


def test_commands_and_results_parse_with_optional_value_type_and_data() -> None:
    """A6330, A6430, A10100, A10200, A11200: valueType, commandId and data are optional."""
    assert (ActivityTypes.command, ActivityTypes.command_result) == ("command", "commandResult")
    payloads = [
        {"type": "command", "name": "application/search", "value": {"commandId": "c-1"}},
        {"type": "command", "name": "application/search", "value": {"data": None}},
        {"type": "commandResult", "name": "application/search", "value": {"commandId": "c-1"}},
        {"type": "commandResult", "name": "application/search", "value": {}},
    ]
    for payload in payloads:
        activity = Activity.model_validate(payload)
        assert activity.is_command() or activity.is_command_result()
        assert activity.value_type is None
        assert wire(activity) == payload


# ------------------------------------------------------------------ attachments, actions


def test_http_https_and_data_links_are_accepted_A7120_A7121_A7140_A7141() -> None:
    """A7120, A7121, A7140, A7141, C8000, C8001, C8200, C8201: links are kept as given."""
    links = ["https://contoso.com/a.png", "http://contoso.com/a.png", "data:image/png;base64,AA=="]
    for link in links:
        attachment = Attachment.model_validate(
            {"contentType": "image/png", "contentUrl": link, "thumbnailUrl": link}
        )
        assert (attachment.content_url, attachment.thumbnail_url) == (link, link)
        card = VideoCard(image=ThumbnailUrl(url=link), media=[MediaUrl(url=link)])
        content = card.to_attachment().content
        assert content == {"image": {"url": link}, "media": [{"url": link}]}


def test_card_attachments_have_object_content_A7110() -> None:
    cards = [
        HeroCard(title="t"),
        ThumbnailCard(),
        AudioCard(),
        ReceiptCard(title="r"),
        SigninCard(text="s"),
        OAuthCard(connection_name="graph"),
    ]
    for card in cards:
        assert isinstance(card.to_attachment().content, dict)


@pytest.mark.parametrize("field", ["text", "displayText"])
def test_empty_action_text_and_display_text_are_kept_A7230_A7240(field: str) -> None:
    payload = {"type": "messageBack", "title": "Send", field: "", "value": {"id": 1}}
    action = CardAction.model_validate(payload)
    assert wire(action) == payload


def test_url_actions_keep_their_urls_and_unusual_schemes_A7383() -> None:
    urls = [
        ("openUrl", "https://contoso.com/docs"),
        ("openUrl", "msteams://teams.microsoft.com/l/chat/0/0?users=ann"),
        ("openUrl", "mailto:ann@contoso.com"),
        ("call", "tel:+15550100"),
    ]
    card = HeroCard()
    for kind, url in urls:
        card.add_button(title=kind, type=kind, value=url)
    buttons = card.to_attachment().content["buttons"]
    assert [(b["type"], b["value"]) for b in buttons] == urls


def test_url_carrying_actions_put_the_url_in_value_A7380_A7390_A7400_A7410_A7440() -> None:
    cases = [
        (ActionTypes.open_url, "https://contoso.com"),
        (ActionTypes.download_file, "https://contoso.com/a.pdf"),
        (ActionTypes.show_image, "https://contoso.com/a.png"),
        (ActionTypes.signin, "https://login.contoso.com/?state=abc"),
        (ActionTypes.call, "tel:+15550100"),
    ]
    for kind, url in cases:
        button = HeroCard().add_button(title="Go", type=kind, value=url).buttons[0]  # type: ignore[index]
        assert wire(button) == {"type": kind.value, "title": "Go", "value": url}


@pytest.mark.parametrize(
    "kind",
    [
        ActionTypes.open_url,
        ActionTypes.download_file,
        ActionTypes.show_image,
        ActionTypes.signin,
        ActionTypes.call,
    ],
)
def test_url_actions_without_a_url_are_refused_A7380_A7390_A7400_A7410_A7440(
    kind: ActionTypes,
) -> None:
    with pytest.raises((TypeError, ValueError)):
        HeroCard().add_button(title="Documentation", type=kind)


# ------------------------------------------------------------------ conversation reference


def test_conversation_reference_always_has_channel_and_conversation_id_A7550() -> None:
    for name in (
        "bbteams--message--1.json",
        "emulator--message--1.json",
        "clients--message--1.json",
    ):
        incoming = Activity.model_validate(load_fixture(name))
        reference = wire(incoming.get_conversation_reference())
        assert reference["channelId"] == load_fixture(name)["channelId"]
        assert reference["conversation"]["id"] == load_fixture(name)["conversation"]["id"]


# ------------------------------------------------------------------ cards


_CARD_CLASSES: list[type[BaseModel]] = [
    HeroCard,
    ThumbnailCard,
    AnimationCard,
    AudioCard,
    VideoCard,
    ReceiptCard,
    OAuthCard,
    SigninCard,
    CardImage,
    MediaUrl,
    ThumbnailUrl,
    Fact,
    ReceiptItem,
]


@pytest.mark.parametrize("card_class", _CARD_CLASSES, ids=lambda c: c.__name__)
def test_every_card_field_is_optional_C3006(card_class: type[BaseModel]) -> None:
    assert wire(card_class()) == {}


def _full_receipt() -> ReceiptCard:
    return (
        ReceiptCard(title="Order 42", total="$10", tax="$1")
        .add_fact(key="Order", value="42")
        .add_fact(key="Order", value="42-b")
        .add_item(ReceiptItem(title="Pen", price="$9", image=CardImage(url="https://x/p.png")))
        .add_button(title="Track")
    )


def test_cards_serialise_to_json_that_re_parses_without_duplicate_keys_C2001() -> None:
    cards = [
        HeroCard(title="T", subtitle="S").add_image(url="https://x/i.png").add_button(title="Go"),
        VideoCard(title="V", aspect="16:9", duration="PT2M10S").add_media(url="https://x/v.mp4"),
        _full_receipt(),
        OAuthCard(text="Sign in", connection_name="graph").add_button(
            CardAction(type="signin", title="Sign in", value="https://login/x")
        ),
    ]

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        assert len(keys) == len(set(keys)), keys
        return dict(pairs)

    for card in cards:
        attachment = card.to_attachment()
        text = _json_text(Activity(type="message").add_attachment(attachment))
        parsed = json.loads(text, object_pairs_hook=no_duplicates)
        assert parsed["attachments"][0]["content"] == attachment.content


def test_wrongly_cased_card_fields_are_not_mapped_C2002() -> None:
    card = HeroCard.model_validate({"Title": "kept aside", "title": "Ticket 42"})
    assert card.title == "Ticket 42"
    assert wire(card) == {"title": "Ticket 42", "Title": "kept aside"}


@pytest.mark.parametrize(
    ("card_class", "payload"),
    [
        (HeroCard, {"title": 5}),
        (HeroCard, {"buttons": {"type": "imBack"}}),
        (ReceiptCard, {"facts": "Order: 42"}),
        (VideoCard, {"media": [{"url": ["a"]}]}),
    ],
)
def test_card_fields_of_the_wrong_type_are_refused_C2003(
    card_class: type[BaseModel], payload: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError):
        card_class.model_validate(payload)


def test_card_builders_add_no_empty_strings_C2004() -> None:
    cards: list[Any] = [
        HeroCard(title="T").add_button(title="Go").add_image(url="https://x/i.png"),
        _full_receipt(),
        AudioCard(title="A").add_media(url="https://x/a.mp3"),
    ]
    for card in cards:
        assert "" not in _strings(card.to_attachment().content)


def test_unknown_card_keys_survive_parse_and_serialise_C2005() -> None:
    payload = {
        "title": "Ticket 42",
        "x-priority": "high",
        "images": [{"url": "https://x/i.png", "x-focus": {"x": 0.5}}],
        "buttons": [{"type": "imBack", "title": "Close", "value": "close", "x-style": "danger"}],
    }
    card = HeroCard.model_validate(payload)
    assert card.to_attachment().content == payload

    activity = Activity.model_validate(
        {"type": "message", "attachments": [card.to_attachment().model_dump(by_alias=True)]}
    )
    assert wire(activity)["attachments"][0]["content"] == payload


def test_media_card_duration_is_iso_8601_text_C6920() -> None:
    card = VideoCard(duration="PT2M10S")
    assert card.to_attachment().content == {"duration": "PT2M10S"}
    with pytest.raises(ValidationError):
        VideoCard(duration=timedelta(minutes=2, seconds=10))  # type: ignore[arg-type]


def test_suggested_actions_keep_their_recipients_and_order() -> None:
    """A2005, A3053: suggested actions and their `to` list round-trip in order."""
    actions = SuggestedActions(to=["29:ann", "29:bob"]).add_actions(
        CardAction(type="imBack", title="Yes", value="yes"),
        CardAction(type="imBack", title="No", value="no"),
    )
    activity = Activity(type="message", text="Proceed?").with_suggested_actions(actions)
    again = Activity.model_validate(json.loads(_json_text(activity)))
    assert again.suggested_actions is not None
    assert again.suggested_actions.to == ["29:ann", "29:bob"]
    assert [a.title for a in again.suggested_actions.actions or ()] == ["Yes", "No"]
