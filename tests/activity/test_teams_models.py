"""The Teams models: channel data, invoke values and answers, meetings, connector cards."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

import microsoft_agents.activity.teams as teams
from microsoft_agents.activity import (
    Activity,
    Attachment,
    CardAction,
    ChannelAccount,
    SuggestedActions,
)
from microsoft_agents.activity.teams import (
    AppBasedLinkQuery,
    BatchFailedEntriesResponse,
    BatchOperationStateResponse,
    BotConfigAuth,
    ConfigResponse,
    ConfigTaskResponse,
    ConversationList,
    FileConsentCard,
    FileConsentCardResponse,
    MeetingEndEventDetails,
    MeetingInfo,
    MeetingNotification,
    MeetingNotificationResponse,
    MeetingParticipantsEventDetails,
    MeetingStartEventDetails,
    MeetingSurface,
    MessagingExtensionAction,
    MessagingExtensionActionResponse,
    MessagingExtensionAttachment,
    MessagingExtensionQuery,
    MessagingExtensionResponse,
    MessagingExtensionResult,
    NotificationInfo,
    O365ConnectorCard,
    O365ConnectorCardActionBase,
    O365ConnectorCardActionCard,
    O365ConnectorCardActionQuery,
    O365ConnectorCardFact,
    O365ConnectorCardHttpPOST,
    O365ConnectorCardMultichoiceInput,
    O365ConnectorCardMultichoiceInputChoice,
    O365ConnectorCardOpenUri,
    O365ConnectorCardOpenUriTarget,
    O365ConnectorCardSection,
    O365ConnectorCardTextInput,
    OnBehalfOf,
    ReadReceiptInfo,
    TabRequest,
    TabResponse,
    TabResponseCard,
    TabResponseCards,
    TabResponsePayload,
    TargetedMeetingNotificationValue,
    TaskModuleCardResponse,
    TaskModuleContinueResponse,
    TaskModuleMessageResponse,
    TaskModuleRequest,
    TaskModuleResponse,
    TaskModuleResponseBase,
    TaskModuleTaskInfo,
    TeamsChannelAccount,
    TeamsChannelData,
    TeamsPagedMembersResult,
)

from .conftest import FIXTURES, load_fixture

# Every name api-surface.md §2.12 lists, plus the §7 (samples) row for this package.
SPEC_NAMES = [
    "AppBasedLinkQuery",
    "BatchOperationResponse",
    "BatchOperationStateResponse",
    "BatchFailedEntriesResponse",
    "CancelOperationResponse",
    "ChannelInfo",
    "ConversationList",
    "FileConsentCard",
    "FileConsentCardResponse",
    "FileDownloadInfo",
    "FileInfoCard",
    "FileUploadInfo",
    "MeetingDetails",
    "MeetingInfo",
    "MeetingStartEventDetails",
    "MeetingEndEventDetails",
    "MessageActionsPayload",
    "MessageActionsPayloadApp",
    "MessageActionsPayloadAttachment",
    "MessageActionsPayloadBody",
    "MessageActionsPayloadConversation",
    "MessageActionsPayloadFrom",
    "MessageActionsPayloadMention",
    "MessageActionsPayloadReaction",
    "MessageActionsPayloadUser",
    "MessagingExtensionAction",
    "MessagingExtensionActionResponse",
    "MessagingExtensionAttachment",
    "MessagingExtensionParameter",
    "MessagingExtensionQuery",
    "MessagingExtensionQueryOptions",
    "MessagingExtensionResponse",
    "MessagingExtensionResult",
    "MessagingExtensionSuggestedAction",
    "NotificationInfo",
    "O365ConnectorCard",
    "O365ConnectorCardActionBase",
    "O365ConnectorCardActionCard",
    "O365ConnectorCardActionQuery",
    "O365ConnectorCardDateInput",
    "O365ConnectorCardFact",
    "O365ConnectorCardHttpPOST",
    "O365ConnectorCardImage",
    "O365ConnectorCardInputBase",
    "O365ConnectorCardMultichoiceInput",
    "O365ConnectorCardMultichoiceInputChoice",
    "O365ConnectorCardOpenUri",
    "O365ConnectorCardOpenUriTarget",
    "O365ConnectorCardSection",
    "O365ConnectorCardTextInput",
    "O365ConnectorCardViewAction",
    "SigninStateVerificationQuery",
    "TaskModuleContinueResponse",
    "TaskModuleMessageResponse",
    "TaskModuleRequest",
    "TaskModuleRequestContext",
    "TaskModuleResponse",
    "TaskModuleResponseBase",
    "TaskModuleTaskInfo",
    "TaskModuleCardResponse",
    "TeamDetails",
    "TeamInfo",
    "TeamsChannelAccount",
    "TeamsChannelData",
    "TeamsChannelDataSettings",
    "TeamsPagedMembersResult",
    "TenantInfo",
    "TeamsMember",
    "TeamsMeetingInfo",
    "TeamsMeetingParticipant",
    "MeetingParticipantInfo",
    "CacheInfo",
    "TabContext",
    "TabEntityContext",
    "TabRequest",
    "TabResponseCard",
    "TabResponseCards",
    "TabResponsePayload",
    "TabResponse",
    "TabSubmit",
    "TabSubmitData",
    "TabSuggestedActions",
    "UserMeetingDetails",
    "TeamsMeetingMember",
    "MeetingParticipantsEventDetails",
    "ReadReceiptInfo",
    "BotConfigAuth",
    "ConfigAuthResponse",
    "ConfigResponse",
    "ConfigTaskResponse",
    "MeetingNotificationBase",
    "MeetingNotification",
    "MeetingNotificationResponse",
    "OnBehalfOf",
    "TeamsBatchOperationResponse",
]

SAMPLE_NAMES = [
    "MeetingNotification",
    "MeetingParticipantsEventDetails",
    "ReadReceiptInfo",
    "TaskModuleRequest",
    "TaskModuleResponse",
    "TaskModuleResponseBase",
    "TaskModuleTaskInfo",
]


def _is_teams_fixture(name: str, payload: dict[str, Any]) -> bool:
    channel = payload.get("channelId")
    return name.startswith(("teamsdocs--", "bbteams--")) or (
        isinstance(channel, str) and channel.split(":")[0] == "msteams"
    )


def _teams_channel_data_fixtures() -> list[str]:
    names = []
    for path in sorted(FIXTURES.glob("*.json")):
        payload = load_fixture(path.name)
        if _is_teams_fixture(path.name, payload) and isinstance(payload.get("channelData"), dict):
            names.append(path.name)
    return names


TEAMS_CHANNEL_DATA_FIXTURES = _teams_channel_data_fixtures()


# --- exports -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(set(SPEC_NAMES) | set(SAMPLE_NAMES)))
def test_spec_name_is_exported(name: str) -> None:
    assert name in teams.__all__
    assert isinstance(getattr(teams, name), type)


def test_all_is_sorted_unique_and_resolves() -> None:
    assert teams.__all__ == sorted(teams.__all__)
    assert len(teams.__all__) == len(set(teams.__all__))
    for name in teams.__all__:
        assert hasattr(teams, name), name


# --- channelData ---------------------------------------------------------------------------


def test_teams_fixture_corpus_is_found() -> None:
    assert len(TEAMS_CHANNEL_DATA_FIXTURES) >= 45


@pytest.mark.parametrize("name", TEAMS_CHANNEL_DATA_FIXTURES)
def test_fixture_channel_data_round_trips(name: str) -> None:
    channel_data = load_fixture(name)["channelData"]

    parsed = TeamsChannelData.model_validate(channel_data)

    assert parsed.to_wire() == channel_data
    assert TeamsChannelData.model_validate(parsed.to_wire()) == parsed


def test_channel_created_exposes_team_channel_and_event() -> None:
    activity = Activity.model_validate(load_fixture("teamsdocs--conversationUpdate--1.json"))

    data = TeamsChannelData.model_validate(activity.channel_data)

    assert data.event_type == "channelCreated"
    assert data.channel is not None
    assert data.channel.id == "19:6d97d816470f481dbcda38244b98689a@thread.skype"
    assert data.channel.name == "FunDiscussions"
    assert data.team is not None
    assert data.team.id == "19:efa9296d959346209fea44151c742e73@thread.skype"
    assert data.tenant is not None
    assert data.tenant.id == "72f988bf-86f1-41af-91ab-2d7cd011db47"
    assert data.meeting is None


def test_member_added_exposes_team_group_and_selected_channel() -> None:
    data = TeamsChannelData.model_validate(
        load_fixture("teamsdocs--conversationUpdate--5.json")["channelData"]
    )

    assert data.event_type == "teamMemberAdded"
    assert data.team is not None
    assert data.team.aad_group_id == "f3ec8cd2-e704-4344-8c47-9a3a21d683c0"
    assert data.team.name == "TestTeam2022"
    assert data.settings is not None
    assert data.settings.selected_channel is not None
    assert data.settings.selected_channel.id == "19:0b7f32667e064dd9b25d7969801541f4@thread.tacv2"


def test_meeting_chat_exposes_meeting_id_and_keeps_null_source() -> None:
    raw = load_fixture("teamsdocs--conversationUpdate--12.json")["channelData"]

    data = TeamsChannelData.model_validate(raw)

    assert data.meeting is not None
    assert data.meeting.id is not None
    assert data.meeting.id.startswith("MCMxOTptZWV0aW5n")
    assert data.model_extra == {"source": None}
    assert data.to_wire()["source"] is None


def test_undeclared_channel_data_keys_are_kept() -> None:
    data = TeamsChannelData.model_validate(load_fixture("teamsnet--message--3.json")["channelData"])

    assert data.model_extra is not None
    assert data.model_extra["teamsChannelId"] == "19:6848757105754c8981c67612732d9aa7@thread.tacv2"
    assert data.team is not None
    assert data.team.id == data.model_extra["teamsTeamId"]


def test_notification_alert_is_typed() -> None:
    data = TeamsChannelData.model_validate(
        load_fixture("teamsdocs--message--3.json")["channelData"]
    )

    assert data.notification == NotificationInfo(alert=True)


def test_outgoing_channel_data_uses_camel_case() -> None:
    data = TeamsChannelData(
        notification=NotificationInfo(
            alert_in_meeting=True, external_resource_url="https://teams.microsoft.com/l/bubble/x"
        ),
        on_behalf_of=[
            OnBehalfOf(item_id=0, mention_type="person", mri="29:1a2b", display_name="Ann")
        ],
    )

    assert data.to_wire() == {
        "notification": {
            "alertInMeeting": True,
            "externalResourceUrl": "https://teams.microsoft.com/l/bubble/x",
        },
        "onBehalfOf": [
            {"itemId": 0, "mentionType": "person", "mri": "29:1a2b", "displayName": "Ann"}
        ],
    }


# --- members and teams ---------------------------------------------------------------------

TEAMS_MEMBER = {
    "id": "29:1GcS4EyB_oSI8A88XmWBN7NJFyMqe3QGnJdgLfFGkJnVelzRGos0bPbpsfJjcbAD22bmKc4GMb",
    "name": "Ann Example",
    "objectId": "6b1d3e7a-0000-4000-8000-000000000001",
    "givenName": "Ann",
    "surname": "Example",
    "email": "ann@contoso.com",
    "userPrincipalName": "ann@contoso.com",
    "aadObjectId": "6b1d3e7a-0000-4000-8000-000000000001",
    "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47",
    "userRole": "user",
}


def test_teams_member_is_a_channel_account_with_directory_details() -> None:
    member = TeamsChannelAccount.model_validate(TEAMS_MEMBER)

    assert isinstance(member, ChannelAccount)
    assert member.given_name == "Ann"
    assert member.surname == "Example"
    assert member.user_principal_name == "ann@contoso.com"
    assert member.user_role == "user"
    assert member.tenant_id == "72f988bf-86f1-41af-91ab-2d7cd011db47"
    assert member.properties == {"objectId": "6b1d3e7a-0000-4000-8000-000000000001"}
    assert member.to_wire() == TEAMS_MEMBER


def test_paged_members_and_team_channels_parse() -> None:
    page = TeamsPagedMembersResult.model_validate(
        {"continuationToken": "a2V5PTE=", "members": [TEAMS_MEMBER]}
    )
    channels = ConversationList.model_validate(
        {
            "conversations": [
                {"id": "19:general@thread.tacv2", "name": None},
                {"id": "19:design@thread.tacv2", "name": "Design", "type": "private"},
            ]
        }
    )

    assert page.continuation_token == "a2V5PTE="
    assert page.members is not None
    assert isinstance(page.members[0], TeamsChannelAccount)
    assert page.members[0].email == "ann@contoso.com"
    assert channels.conversations is not None
    assert [c.name for c in channels.conversations] == [None, "Design"]
    assert channels.conversations[1].type == "private"


# --- message extensions --------------------------------------------------------------------


def test_search_query_from_teams_parses() -> None:
    value = load_fixture("teamsdocs--invoke--3.json")["value"]

    query = MessagingExtensionQuery.model_validate(value)

    assert query.command_id == "searchCmd"
    assert query.parameters is not None
    assert (query.parameters[0].name, query.parameters[0].value) == ("searchKeywords", "Toronto")
    assert query.query_options is not None
    assert (query.query_options.skip, query.query_options.count) == (0, 25)
    assert query.to_wire() == value


def test_fetch_task_action_parses_and_keeps_request_id() -> None:
    value = load_fixture("teamsdocs--invoke--1.json")["value"]

    action = MessagingExtensionAction.model_validate(value)

    assert action.command_id == "Test"
    assert action.command_context == "compose"
    assert action.context is not None
    assert action.context.theme == "default"
    assert action.model_extra == {"requestId": "c46a6b53573f42b5bc801716e5ccc960"}
    assert action.to_wire() == value


def test_submit_action_carries_form_data() -> None:
    value = load_fixture("teamsdocs--invoke--6.json")["value"]

    action = MessagingExtensionAction.model_validate(value)

    assert action.command_id == "razorView"
    assert action.data == {
        "Title": "Welcome to RazorView!",
        "DisplayData": " Today&#x27;s date is 8-3-2024, Friday",
    }
    assert action.bot_message_preview_action is None
    assert action.to_wire() == value


def test_message_action_with_payload_and_preview_parses() -> None:
    value = {
        "commandId": "shareMessage",
        "commandContext": "message",
        "botMessagePreviewAction": "send",
        "botActivityPreview": [
            {
                "type": "message",
                "attachments": [
                    {
                        "contentType": "application/vnd.microsoft.card.adaptive",
                        "content": {"type": "AdaptiveCard", "version": "1.4", "body": []},
                    }
                ],
            }
        ],
        "messagePayload": {
            "id": "1712345678901",
            "replyToId": None,
            "createdDateTime": "2024-04-05T10:11:12.345Z",
            "lastModifiedDateTime": None,
            "deleted": False,
            "subject": None,
            "importance": "normal",
            "locale": "en-us",
            "linkToMessage": "https://teams.microsoft.com/l/message/19:abc@thread.tacv2/1712345678901",
            "from": {
                "user": {
                    "id": "6b1d3e7a-0000-4000-8000-000000000001",
                    "displayName": "Ann Example",
                    "userIdentityType": "aadUser",
                },
                "application": None,
                "conversation": None,
            },
            "body": {"contentType": "html", "content": "<p>Ship it on <b>Friday</b></p>"},
            "attachmentLayout": "list",
            "attachments": [],
            "mentions": [
                {
                    "id": 0,
                    "mentionText": "Ops",
                    "mentioned": {
                        "conversation": {
                            "id": "19:abc@thread.tacv2",
                            "displayName": "Ops",
                            "conversationIdentityType": "channel",
                        }
                    },
                }
            ],
            "reactions": [
                {
                    "reactionType": "like",
                    "createdDateTime": "2024-04-05T10:12:00Z",
                    "user": {"user": {"id": "u2", "userIdentityType": "aadUser"}},
                }
            ],
        },
        "context": {"theme": "dark"},
    }

    action = MessagingExtensionAction.model_validate(value)

    assert action.bot_message_preview_action == "send"
    assert action.bot_activity_preview is not None
    assert isinstance(action.bot_activity_preview[0], Activity)
    assert action.bot_activity_preview[0].attachments is not None
    payload = action.message_payload
    assert payload is not None
    assert payload.from_property is not None
    assert payload.from_property.user is not None
    assert payload.from_property.user.display_name == "Ann Example"
    assert payload.body is not None
    assert payload.body.content == "<p>Ship it on <b>Friday</b></p>"
    assert payload.mentions is not None
    assert payload.mentions[0].mentioned is not None
    assert payload.mentions[0].mentioned.conversation is not None
    assert payload.mentions[0].mentioned.conversation.conversation_identity_type == "channel"
    assert payload.reactions is not None
    assert payload.reactions[0].reaction_type == "like"
    assert action.to_wire() == value


def test_query_link_value_parses() -> None:
    query = AppBasedLinkQuery.model_validate({"url": "https://contoso.com/tickets/42"})

    assert query.url == "https://contoso.com/tickets/42"


def test_search_result_response_wire_form() -> None:
    card = {"type": "AdaptiveCard", "version": "1.4", "body": [{"type": "TextBlock"}]}
    response = MessagingExtensionResponse(
        compose_extension=MessagingExtensionResult(
            type="result",
            attachment_layout="list",
            attachments=[
                MessagingExtensionAttachment(
                    content_type="application/vnd.microsoft.card.adaptive",
                    content=card,
                    preview=Attachment(
                        content_type="application/vnd.microsoft.card.thumbnail",
                        content={"title": "Toronto"},
                    ),
                )
            ],
        )
    )

    assert response.to_wire() == {
        "composeExtension": {
            "type": "result",
            "attachmentLayout": "list",
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "content": card,
                    "preview": {
                        "contentType": "application/vnd.microsoft.card.thumbnail",
                        "content": {"title": "Toronto"},
                    },
                }
            ],
        }
    }


def test_action_response_with_dialog_wire_form() -> None:
    response = MessagingExtensionActionResponse(
        task=TaskModuleContinueResponse(
            value=TaskModuleTaskInfo(title="Create card", height=300, width=400)
        )
    )

    assert response.to_wire() == {
        "task": {
            "type": "continue",
            "value": {"title": "Create card", "height": 300, "width": 400},
        }
    }


# --- task modules --------------------------------------------------------------------------


def test_task_fetch_value_parses() -> None:
    value = {
        "data": {"msteams": {"type": "task/fetch"}, "verb": "simple_form"},
        "context": {"theme": "dark"},
        "tabContext": {"tabEntityId": "homeTab"},
    }

    request = TaskModuleRequest.model_validate(value)

    assert request.data["verb"] == "simple_form"
    assert request.context is not None
    assert request.context.theme == "dark"
    assert request.tab_context is not None
    assert request.tab_context.tab_entity_id == "homeTab"
    assert request.to_wire() == value


def test_task_submit_value_keeps_form_fields() -> None:
    value = {
        "data": {"verb": "simple_form", "name": "Ann", "msteams": {"type": "task/submit"}},
        "context": {"theme": "default"},
    }

    request = TaskModuleRequest.model_validate(value)

    assert request.data == {
        "verb": "simple_form",
        "name": "Ann",
        "msteams": {"type": "task/submit"},
    }
    assert request.to_wire() == value


def test_continue_response_wire_form() -> None:
    card = Attachment(
        content_type="application/vnd.microsoft.card.adaptive",
        content={"type": "AdaptiveCard", "version": "1.4", "body": []},
    )
    response = TaskModuleResponse(
        task=TaskModuleContinueResponse(
            value=TaskModuleTaskInfo(
                title="New ticket",
                height="medium",
                width=400,
                card=card,
                fallback_url="https://contoso.com/new",
            )
        )
    )

    assert response.to_wire() == {
        "task": {
            "type": "continue",
            "value": {
                "title": "New ticket",
                "height": "medium",
                "width": 400,
                "card": {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "content": {"type": "AdaptiveCard", "version": "1.4", "body": []},
                },
                "fallbackUrl": "https://contoso.com/new",
            },
        }
    }


def test_message_response_wire_form_and_cache_info() -> None:
    response = TaskModuleResponse.model_validate(
        {"task": {"type": "message", "value": "Form was submitted"}}
    )
    response.cache_info = teams.CacheInfo(cache_type="no-cache")

    assert isinstance(response.task, TaskModuleMessageResponse)
    assert response.to_wire() == {
        "task": {"type": "message", "value": "Form was submitted"},
        "cacheInfo": {"cacheType": "no-cache"},
    }


def test_parsed_task_gets_the_class_its_type_names() -> None:
    continued = TaskModuleResponse.model_validate(
        {"task": {"type": "continue", "value": {"url": "https://contoso.com/dialog-form"}}}
    )
    unknown = TaskModuleResponse.model_validate(
        {"task": {"type": "somethingNew", "value": {"x": 1}}}
    )

    assert isinstance(continued.task, TaskModuleContinueResponse)
    assert continued.task.value is not None
    assert continued.task.value.url == "https://contoso.com/dialog-form"
    assert type(unknown.task) is TaskModuleResponseBase
    assert unknown.to_wire() == {"task": {"type": "somethingNew", "value": {"x": 1}}}


def test_subclass_task_keeps_its_own_fields_on_the_wire() -> None:
    response = TaskModuleResponse(
        task=TaskModuleCardResponse(
            value=TabResponse(tab=TabResponsePayload(type="continue")),
        )
    )

    assert response.to_wire() == {"task": {"value": {"tab": {"type": "continue"}}}}


# --- config, tabs, files -------------------------------------------------------------------


def test_config_auth_response_wire_form() -> None:
    response = ConfigResponse(
        config=BotConfigAuth(
            suggested_actions=SuggestedActions(
                actions=[
                    CardAction(type="openUrl", value="https://contoso.com/signin", title="Sign in")
                ]
            )
        )
    )

    assert response.to_wire() == {
        "responseType": "config",
        "config": {
            "type": "auth",
            "suggestedActions": {
                "actions": [
                    {"type": "openUrl", "value": "https://contoso.com/signin", "title": "Sign in"}
                ]
            },
        },
    }
    parsed = ConfigResponse.model_validate(response.to_wire())
    assert isinstance(parsed.config, BotConfigAuth)
    assert parsed == response


def test_config_task_response_parses_a_bare_continue() -> None:
    wire = {
        "responseType": "config",
        "config": {"type": "continue", "value": {"title": "Settings", "url": "https://x/c"}},
    }

    generic = ConfigResponse.model_validate(wire)
    narrowed = ConfigTaskResponse.model_validate(wire)

    assert isinstance(generic.config, TaskModuleContinueResponse)
    assert isinstance(narrowed.config, TaskModuleContinueResponse)
    assert generic.to_wire() == wire
    assert ConfigTaskResponse(config=TaskModuleMessageResponse(value="Saved")).to_wire() == {
        "responseType": "config",
        "config": {"type": "message", "value": "Saved"},
    }


def test_tab_fetch_value_and_answer() -> None:
    value = load_fixture("teamsdocs--invoke--4.json")["value"]

    request = TabRequest.model_validate(value)
    answer = TabResponse(
        tab=TabResponsePayload(
            type="continue",
            value=TabResponseCards(cards=[TabResponseCard(card={"type": "AdaptiveCard"})]),
        )
    )

    assert request.tab_context is not None
    assert request.tab_context.tab_entity_id == "homeTab"
    assert request.state == "0.43195668034524815"
    assert answer.to_wire() == {
        "tab": {"type": "continue", "value": {"cards": [{"card": {"type": "AdaptiveCard"}}]}}
    }


def test_file_consent_accept_value_parses() -> None:
    value = {
        "type": "fileUpload",
        "action": "accept",
        "context": {"filename": "report.txt"},
        "uploadInfo": {
            "contentUrl": "https://contoso-my.sharepoint.com/personal/ann/Documents/report.txt",
            "name": "report.txt",
            "uploadUrl": "https://contoso-my.sharepoint.com/personal/ann/_api/v2.0/uploadSession",
            "uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C8C",
            "fileType": "txt",
        },
    }

    response = FileConsentCardResponse.model_validate(value)

    assert response.action == "accept"
    assert response.context == {"filename": "report.txt"}
    assert response.upload_info is not None
    assert response.upload_info.file_type == "txt"
    assert response.upload_info.upload_url is not None
    assert response.upload_info.upload_url.endswith("uploadSession")
    assert response.to_wire() == value


def test_file_consent_card_as_attachment_content() -> None:
    card = FileConsentCard(
        description="The weekly report",
        size_in_bytes=1024,
        accept_context={"filename": "report.txt"},
        decline_context={"filename": "report.txt"},
    )
    attachment = Attachment(
        content_type=FileConsentCard.content_type, name="report.txt", content=card.to_wire()
    )

    assert attachment.to_wire() == {
        "contentType": "application/vnd.microsoft.teams.card.file.consent",
        "name": "report.txt",
        "content": {
            "description": "The weekly report",
            "sizeInBytes": 1024,
            "acceptContext": {"filename": "report.txt"},
            "declineContext": {"filename": "report.txt"},
        },
    }


# --- meetings ------------------------------------------------------------------------------


def test_meeting_start_event_value_parses_pascal_case() -> None:
    value = load_fixture("teamsdocs--event--1.json")["value"]

    start = MeetingStartEventDetails.model_validate(value)

    assert start.id == "meeting id"
    assert start.title == "Meeting Start/End Event"
    assert start.join_url == "url"
    assert start.meeting_type == "Scheduled"
    assert start.start_time is not None
    assert start.start_time.tzinfo is not None
    assert (start.start_time.year, start.start_time.hour, start.start_time.minute) == (2021, 16, 17)
    assert start.to_wire() == value


def test_meeting_end_event_value_parses() -> None:
    value = load_fixture("teamsdocs--event--2.json")["value"]

    end = MeetingEndEventDetails.model_validate(value)

    assert end.id == "19:meeting_NTM3ZDJjOTUtZGRhOS00MzYxLTk5NDAtMzY4M2IzZWFjZGE1@thread.v2"
    assert end.end_time is not None
    assert end.to_wire() == value


def test_meeting_event_accepts_camel_case_and_writes_pascal_case() -> None:
    parsed = MeetingStartEventDetails.model_validate(
        {"id": "m1", "joinUrl": "https://teams/l/meetup-join/1", "title": "Sync"}
    )
    built = MeetingEndEventDetails(
        id="m1", end_time=datetime(2024, 5, 2, 10, 0, tzinfo=timezone.utc)
    )

    assert parsed.join_url == "https://teams/l/meetup-join/1"
    assert parsed.to_wire() == {
        "Id": "m1",
        "JoinUrl": "https://teams/l/meetup-join/1",
        "Title": "Sync",
    }
    assert built.to_wire() == {"Id": "m1", "EndTime": "2024-05-02T10:00:00Z"}


def test_participants_join_event_value_parses() -> None:
    value = {
        "members": [
            {
                "user": {
                    "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47",
                    "objectId": "6b1d3e7a-0000-4000-8000-000000000001",
                    "id": "29:1a2b3c",
                    "name": "Ann Example",
                    "aadObjectId": "6b1d3e7a-0000-4000-8000-000000000001",
                },
                "meeting": {"inMeeting": True, "role": "Organizer"},
            }
        ]
    }

    details = MeetingParticipantsEventDetails.model_validate(value)

    assert details.members is not None
    [member] = details.members
    assert isinstance(member.user, TeamsChannelAccount)
    assert member.user.name == "Ann Example"
    assert member.meeting is not None
    assert member.meeting.in_meeting is True
    assert member.meeting.role == "Organizer"
    assert details.to_wire() == value


def test_meeting_info_parses() -> None:
    value = {
        "details": {
            "id": "MCMxOTptZWV0aW5nX01XSmxOR1ZpT1RndE1HRXhZaTAw",
            "msGraphResourceId": "MSo1N2Y5ZGFjYy03MWJmLTQ3NDMtYjQxMy01M2EdFGkdRWHJlQ",
            "scheduledStartTime": "2024-05-02T09:00:00Z",
            "scheduledEndTime": "2024-05-02T09:30:00Z",
            "joinUrl": "https://teams.microsoft.com/l/meetup-join/19%3ameeting_x",
            "title": "Weekly sync",
            "type": "Scheduled",
        },
        "conversation": {"isGroup": True, "conversationType": "groupChat", "id": "19:meeting_x"},
        "organizer": {"id": "29:1a2b3c", "aadObjectId": "6b1d3e7a", "tenantId": "72f988bf"},
    }

    info = MeetingInfo.model_validate(value)

    assert info.details is not None
    assert info.details.title == "Weekly sync"
    assert info.details.scheduled_end_time == datetime(2024, 5, 2, 9, 30, tzinfo=timezone.utc)
    assert info.organizer is not None
    assert info.organizer.aad_object_id == "6b1d3e7a"
    assert info.to_wire() == value


def test_targeted_meeting_notification_wire_form() -> None:
    notification = MeetingNotification(
        value=TargetedMeetingNotificationValue(
            recipients=["29:1a2b3c"],
            surfaces=[
                MeetingSurface(
                    surface="meetingStage",
                    content_type="task",
                    content={"value": {"height": "300", "width": "400", "url": "https://x/v"}},
                )
            ],
        ),
        channel_data=teams.MeetingNotificationChannelData(
            on_behalf_of=[OnBehalfOf(item_id=0, mention_type="person", mri="29:1a2b3c")]
        ),
    )

    assert notification.to_wire() == {
        "type": "targetedMeetingNotification",
        "value": {
            "recipients": ["29:1a2b3c"],
            "surfaces": [
                {
                    "surface": "meetingStage",
                    "contentType": "task",
                    "content": {"value": {"height": "300", "width": "400", "url": "https://x/v"}},
                }
            ],
        },
        "channelData": {"onBehalfOf": [{"itemId": 0, "mentionType": "person", "mri": "29:1a2b3c"}]},
    }


def test_meeting_notification_response_lists_failures() -> None:
    response = MeetingNotificationResponse.model_validate(
        {
            "recipientsFailureInfo": [
                {
                    "recipientMri": "8:orgid:4f5a",
                    "errorCode": "MemberNotFoundInConversation",
                    "failureReason": "The recipient is not a participant of the meeting.",
                }
            ]
        }
    )

    assert response.recipients_failure_info is not None
    assert response.recipients_failure_info[0].error_code == "MemberNotFoundInConversation"


# --- read receipts -------------------------------------------------------------------------


def test_read_receipt_event_value_parses() -> None:
    value = load_fixture("teamsdocs--event--3.json")["value"]

    receipt = ReadReceiptInfo.model_validate(value)

    assert receipt.last_read_message_id == "1692206589131"
    assert receipt.to_wire() == value


@pytest.mark.parametrize(
    ("message_id", "expected"),
    [
        ("1692206589131", True),
        ("1692206500000", True),
        ("1692206589132", False),
        ("99999999999999", False),  # longer id: numeric, not text, comparison
        ("not-a-number", False),
        ("", False),
    ],
)
def test_read_receipt_compares_ids_as_numbers(message_id: str, expected: bool) -> None:
    receipt = ReadReceiptInfo(last_read_message_id="1692206589131")

    assert receipt.read(message_id) is expected
    assert receipt.is_message_read(message_id) is expected
    assert ReadReceiptInfo.is_message_read(message_id, "1692206589131") is expected


def test_read_receipt_without_id_reads_nothing() -> None:
    assert ReadReceiptInfo().read("1") is False


# --- Office 365 connector cards ------------------------------------------------------------


def test_o365_connector_card_wire_form_uses_at_type() -> None:
    card = O365ConnectorCard(
        title="Build 2411 failed",
        summary="Build failed",
        theme_color="E81123",
        sections=[
            O365ConnectorCardSection(
                activity_title="Pipeline **main**",
                activity_image_type="avatar",
                facts=[O365ConnectorCardFact(name="Duration", value="4m 12s")],
                markdown=True,
            )
        ],
        potential_action=[
            O365ConnectorCardOpenUri(
                name="View logs",
                at_id="viewLogs",
                targets=[O365ConnectorCardOpenUriTarget(os="default", uri="https://ci/2411")],
            ),
            O365ConnectorCardHttpPOST(name="Retry", at_id="retry", body='{"build": 2411}'),
            O365ConnectorCardActionCard(
                name="Comment",
                at_id="comment",
                inputs=[
                    O365ConnectorCardTextInput(id="text", title="Comment", is_multiline=True),
                    O365ConnectorCardMultichoiceInput(
                        id="severity",
                        style="compact",
                        choices=[
                            O365ConnectorCardMultichoiceInputChoice(display="High", value="1")
                        ],
                    ),
                ],
                actions=[
                    O365ConnectorCardHttpPOST(name="Send", at_id="send", body="{{text.value}}")
                ],
            ),
        ],
    )

    assert card.to_wire() == {
        "title": "Build 2411 failed",
        "summary": "Build failed",
        "themeColor": "E81123",
        "sections": [
            {
                "activityTitle": "Pipeline **main**",
                "activityImageType": "avatar",
                "facts": [{"name": "Duration", "value": "4m 12s"}],
                "markdown": True,
            }
        ],
        "potentialAction": [
            {
                "@type": "OpenUri",
                "name": "View logs",
                "@id": "viewLogs",
                "targets": [{"os": "default", "uri": "https://ci/2411"}],
            },
            {"@type": "HttpPOST", "name": "Retry", "@id": "retry", "body": '{"build": 2411}'},
            {
                "@type": "ActionCard",
                "name": "Comment",
                "@id": "comment",
                "inputs": [
                    {"@type": "TextInput", "id": "text", "title": "Comment", "isMultiline": True},
                    {
                        "@type": "MultichoiceInput",
                        "id": "severity",
                        "style": "compact",
                        "choices": [{"display": "High", "value": "1"}],
                    },
                ],
                "actions": [
                    {"@type": "HttpPOST", "name": "Send", "@id": "send", "body": "{{text.value}}"}
                ],
            },
        ],
    }


def test_o365_connector_card_parses_actions_by_at_type() -> None:
    wire = {
        "title": "Card",
        "potentialAction": [
            {"@type": "ViewAction", "name": "Open", "target": ["https://x"]},
            {
                "@type": "ActionCard",
                "name": "Pick",
                "inputs": [{"@type": "DateInput", "id": "due", "includeTime": False}],
                "actions": [{"@type": "HttpPOST", "name": "Save", "@id": "save", "body": "b"}],
            },
            {"@type": "InvokeAddInCommand", "name": "Add-in", "addInId": "abc"},
        ],
    }

    card = O365ConnectorCard.model_validate(wire)

    assert card.potential_action is not None
    view, action_card, unknown = card.potential_action
    assert isinstance(view, teams.O365ConnectorCardViewAction)
    assert view.target == ["https://x"]
    assert isinstance(action_card, O365ConnectorCardActionCard)
    assert action_card.inputs is not None
    assert isinstance(action_card.inputs[0], teams.O365ConnectorCardDateInput)
    assert action_card.actions is not None
    assert isinstance(action_card.actions[0], O365ConnectorCardHttpPOST)
    assert action_card.actions[0].at_id == "save"
    assert type(unknown) is O365ConnectorCardActionBase
    assert unknown.at_type == "InvokeAddInCommand"
    assert card.to_wire() == wire


def test_o365_action_query_value_parses() -> None:
    query = O365ConnectorCardActionQuery.model_validate(
        {"body": '{"text":"Looks good"}', "actionId": "send"}
    )

    assert query.action_id == "send"
    assert query.body == '{"text":"Looks good"}'


# --- batch operations ----------------------------------------------------------------------


def test_batch_state_and_failures_parse() -> None:
    state = BatchOperationStateResponse.model_validate(
        {
            "state": "Completed",
            "statusMap": {"201": 98, "404": 2},
            "retryAfter": "2024-05-02T10:00:00.1234567Z",
            "totalEntriesCount": 100,
        }
    )
    failures = BatchFailedEntriesResponse.model_validate(
        {
            "continuationToken": None,
            "failedEntries": [{"id": "29:gone", "error": "NotFound"}],
        }
    )

    assert state.status_map == {"201": 98, "404": 2}
    assert state.total_entries_count == 100
    assert state.to_wire()["retryAfter"] == "2024-05-02T10:00:00.1234567Z"
    assert failures.failed_entries is not None
    assert failures.failed_entries[0].error == "NotFound"
    assert teams.TeamsBatchOperationResponse.model_validate(
        {"operationId": "amFzb24="}
    ).operation_id == ("amFzb24=")


def test_card_action_in_tab_suggested_actions() -> None:
    actions = teams.TabSuggestedActions(
        actions=[CardAction(type="openUrl", title="Sign in", value="https://x/signin")]
    )

    assert actions.to_wire() == {
        "actions": [{"type": "openUrl", "title": "Sign in", "value": "https://x/signin"}]
    }
