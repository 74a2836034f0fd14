"""TeamsConnectorClient: every Teams-only call on the wire (aioresponses, no network)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
from aioresponses import aioresponses
from yarl import URL

from microsoft_agents.activity import (
    Activity,
    ChannelAccount,
    ConversationParameters,
    ConversationResourceResponse,
)
from microsoft_agents.activity.teams import (
    BatchFailedEntriesResponse,
    BatchOperationStateResponse,
    CancelOperationResponse,
    ConversationList,
    MeetingInfo,
    MeetingNotification,
    MeetingNotificationResponse,
    MeetingSurface,
    TargetedMeetingNotificationValue,
    TeamDetails,
    TeamsBatchOperationResponse,
    TeamsChannelAccount,
    TeamsMeetingParticipant,
    TeamsMember,
    TeamsPagedMembersResult,
)
from microsoft_agents.hosting.core import ConnectorClient, ServiceError
from microsoft_agents.hosting.core.connector import RetryPolicy
from microsoft_agents.hosting.core.connector import TeamsConnectorClient as FromConnector
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

BASE = "https://smba.trafficmanager.net/emea/"
TOKEN = "SECRET-TOKEN-teams"
TEAM_ID = "19:team@thread.tacv2"
TEAM_SEGMENT = "19%3Ateam%40thread.tacv2"
MEETING_ID = "MCMxOTptZWV0aW5n"

Call = Callable[[TeamsConnectorClient], Awaitable[Any]]


def url(path: str) -> URL:
    return URL(BASE + path, encoded=True)


@pytest.fixture
def mocked() -> Iterator[aioresponses]:
    with aioresponses() as m:
        yield m


@pytest.fixture
async def client() -> AsyncIterator[TeamsConnectorClient]:
    teams = TeamsConnectorClient(BASE, TOKEN, retry=RetryPolicy(max_attempts=1))
    yield teams
    await teams.close()


ACTIVITY = Activity(type="message", text="broadcast")
ACTIVITY_WIRE = {"type": "message", "text": "broadcast"}
MEMBER = {
    "id": "29:1",
    "name": "Ann",
    "givenName": "Ann",
    "surname": "Lee",
    "email": "ann@contoso.com",
    "userPrincipalName": "ann@contoso.com",
    "tenantId": "t1",
    "userRole": "user",
}

OPERATIONS: list[tuple[str, Call, str, str, dict[str, str], Any, int, Any, Any]] = [
    (
        "get_conversation_member",
        lambda c: c.get_conversation_member("a:1xyz", "29:1"),
        "GET",
        "v3/conversations/a%3A1xyz/members/29%3A1",
        {},
        None,
        200,
        MEMBER,
        TeamsChannelAccount.model_validate(MEMBER),
    ),
    (
        "get_conversation_paged_member_defaults",
        lambda c: c.get_conversation_paged_member(TEAM_ID),
        "GET",
        f"v3/conversations/{TEAM_SEGMENT}/pagedMembers",
        {},
        None,
        200,
        {"members": [MEMBER], "continuationToken": "next"},
        TeamsPagedMembersResult(
            members=[TeamsChannelAccount.model_validate(MEMBER)], continuation_token="next"
        ),
    ),
    (
        "get_conversation_paged_member_token_only",
        lambda c: c.get_conversation_paged_member(TEAM_ID, continuation_token="next"),
        "GET",
        f"v3/conversations/{TEAM_SEGMENT}/pagedMembers",
        {"continuationToken": "next"},
        None,
        200,
        {"members": []},
        TeamsPagedMembersResult(members=[]),
    ),
    (
        "get_conversation_paged_member_both",
        lambda c: c.get_conversation_paged_member(TEAM_ID, 100, "next"),
        "GET",
        f"v3/conversations/{TEAM_SEGMENT}/pagedMembers",
        {"pageSize": "100", "continuationToken": "next"},
        None,
        200,
        {"members": []},
        TeamsPagedMembersResult(members=[]),
    ),
    (
        "fetch_channel_list",
        lambda c: c.fetch_channel_list(TEAM_ID),
        "GET",
        f"v3/teams/{TEAM_SEGMENT}/conversations",
        {},
        None,
        200,
        {"conversations": [{"id": "19:general", "name": "General"}]},
        ConversationList.model_validate(
            {"conversations": [{"id": "19:general", "name": "General"}]}
        ),
    ),
    (
        "fetch_team_details",
        lambda c: c.fetch_team_details(TEAM_ID),
        "GET",
        f"v3/teams/{TEAM_SEGMENT}",
        {},
        None,
        200,
        {"id": TEAM_ID, "name": "Team", "aadGroupId": "g1", "memberCount": 3},
        TeamDetails(id=TEAM_ID, name="Team", aad_group_id="g1", member_count=3),
    ),
    (
        "fetch_meeting_participant",
        lambda c: c.fetch_meeting_participant(MEETING_ID, "29:1", "t1"),
        "GET",
        f"v1/meetings/{MEETING_ID}/participants/29%3A1",
        {"tenantId": "t1"},
        None,
        200,
        {"user": MEMBER, "meeting": {"role": "Organizer", "inMeeting": True}},
        TeamsMeetingParticipant.model_validate(
            {"user": MEMBER, "meeting": {"role": "Organizer", "inMeeting": True}}
        ),
    ),
    (
        "fetch_meeting_info",
        lambda c: c.fetch_meeting_info(MEETING_ID),
        "GET",
        f"v1/meetings/{MEETING_ID}",
        {},
        None,
        200,
        {"details": {"id": MEETING_ID, "title": "Standup"}},
        MeetingInfo.model_validate({"details": {"id": MEETING_ID, "title": "Standup"}}),
    ),
    (
        "send_meeting_notification",
        lambda c: c.send_meeting_notification(
            MEETING_ID,
            MeetingNotification(
                value=TargetedMeetingNotificationValue(
                    recipients=["29:1"],
                    surfaces=[MeetingSurface(surface="meetingStage", content_type="task")],
                )
            ),
        ),
        "POST",
        f"v1/meetings/{MEETING_ID}/notification",
        {},
        {
            "type": "targetedMeetingNotification",
            "value": {
                "recipients": ["29:1"],
                "surfaces": [{"surface": "meetingStage", "contentType": "task"}],
            },
        },
        207,
        {"recipientsFailureInfo": [{"recipientMri": "29:2", "errorCode": "BadRequest"}]},
        MeetingNotificationResponse.model_validate(
            {"recipientsFailureInfo": [{"recipientMri": "29:2", "errorCode": "BadRequest"}]}
        ),
    ),
    (
        "create_conversation",
        lambda c: c.create_conversation(
            ConversationParameters(
                is_group=True, channel_data={"channel": {"id": "19:general"}}, tenant_id="t1"
            )
        ),
        "POST",
        "v3/conversations",
        {},
        {"isGroup": True, "channelData": {"channel": {"id": "19:general"}}, "tenantId": "t1"},
        201,
        {"id": "19:general;messageid=9", "activityId": "9"},
        ConversationResourceResponse(id="19:general;messageid=9", activity_id="9"),
    ),
    (
        "send_message_to_list_of_users",
        lambda c: c.send_message_to_list_of_users(
            ACTIVITY, "t1", [TeamsMember(id="29:1"), TeamsMember(id="29:2")]
        ),
        "POST",
        "v3/batch/conversation/users",
        {},
        {"activity": ACTIVITY_WIRE, "members": [{"id": "29:1"}, {"id": "29:2"}], "tenantId": "t1"},
        201,
        {"operationId": "op1"},
        TeamsBatchOperationResponse(operation_id="op1"),
    ),
    (
        "send_message_to_all_users_in_tenant",
        lambda c: c.send_message_to_all_users_in_tenant(ACTIVITY, "t1"),
        "POST",
        "v3/batch/conversation/tenant",
        {},
        {"activity": ACTIVITY_WIRE, "tenantId": "t1"},
        201,
        {"operationId": "op2"},
        TeamsBatchOperationResponse(operation_id="op2"),
    ),
    (
        "send_message_to_all_users_in_team",
        lambda c: c.send_message_to_all_users_in_team(ACTIVITY, "t1", TEAM_ID),
        "POST",
        "v3/batch/conversation/team",
        {},
        {"activity": ACTIVITY_WIRE, "tenantId": "t1", "teamId": TEAM_ID},
        201,
        {"operationId": "op3"},
        TeamsBatchOperationResponse(operation_id="op3"),
    ),
    (
        "send_message_to_list_of_channels",
        lambda c: c.send_message_to_list_of_channels(ACTIVITY, "t1", [TeamsMember(id="19:c")]),
        "POST",
        "v3/batch/conversation/channels",
        {},
        {"activity": ACTIVITY_WIRE, "members": [{"id": "19:c"}], "tenantId": "t1"},
        201,
        {"operationId": "op4"},
        TeamsBatchOperationResponse(operation_id="op4"),
    ),
    (
        "get_operation_state",
        lambda c: c.get_operation_state("op/1"),
        "GET",
        "v3/batch/conversation/op%2F1",
        {},
        None,
        200,
        {"state": "Completed", "statusMap": {"201": 2}, "totalEntriesCount": 2},
        BatchOperationStateResponse(
            state="Completed", status_map={"201": 2}, total_entries_count=2
        ),
    ),
    (
        "get_failed_entries",
        lambda c: c.get_failed_entries("op1"),
        "GET",
        "v3/batch/conversation/failedentries/op1",
        {},
        None,
        200,
        {"failedEntries": [{"id": "29:9", "error": "NotFound"}]},
        BatchFailedEntriesResponse.model_validate(
            {"failedEntries": [{"id": "29:9", "error": "NotFound"}]}
        ),
    ),
    (
        "get_failed_entries_next_page",
        lambda c: c.get_failed_entries("op1", continuation_token="p2"),
        "GET",
        "v3/batch/conversation/failedentries/op1",
        {"continuationToken": "p2"},
        None,
        200,
        {"failedEntries": []},
        BatchFailedEntriesResponse(failed_entries=[]),
    ),
    (
        "cancel_operation",
        lambda c: c.cancel_operation("op1"),
        "DELETE",
        "v3/batch/conversation/op1",
        {},
        None,
        200,
        None,
        CancelOperationResponse(),
    ),
]


@pytest.mark.parametrize(
    ("call", "method", "path", "query", "body", "status", "answer", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in OPERATIONS],
)
async def test_teams_operation_wire_format_and_result(
    mocked: aioresponses,
    client: TeamsConnectorClient,
    call: Call,
    method: str,
    path: str,
    query: dict[str, str],
    body: Any,
    status: int,
    answer: Any,
    expected: Any,
) -> None:
    mocked.add(url(path).with_query(query), method, status=status, payload=answer)

    result = await call(client)

    assert len(mocked.requests) == 1
    (sent_method, sent_url), calls = next(iter(mocked.requests.items()))
    assert len(calls) == 1
    request = calls[0]
    assert sent_method == method
    assert str(sent_url.with_query(None)) == str(url(path))
    assert dict(sent_url.query) == query
    data = request.kwargs.get("data")
    assert (None if data is None else json.loads(data)) == body
    assert request.kwargs["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert type(result) is type(expected)
    assert result == expected


async def test_teams_member_is_typed_with_directory_details(
    mocked: aioresponses, client: TeamsConnectorClient
) -> None:
    mocked.get(url("v3/conversations/c1/members/29%3A1"), payload=MEMBER)

    member = await client.get_conversation_member("c1", "29:1")

    assert isinstance(member, TeamsChannelAccount)
    assert isinstance(member, ChannelAccount)
    assert member.user_principal_name == "ann@contoso.com"
    assert member.given_name == "Ann"


async def test_meeting_participant_is_a_model_not_raw_json(
    mocked: aioresponses, client: TeamsConnectorClient
) -> None:
    mocked.get(
        url(f"v1/meetings/{MEETING_ID}/participants/29%3A1").with_query({"tenantId": "t1"}),
        payload={"user": MEMBER, "meeting": {"role": "Presenter", "inMeeting": False}},
    )

    participant = await client.fetch_meeting_participant(MEETING_ID, "29:1", "t1")

    assert isinstance(participant, TeamsMeetingParticipant)
    assert participant.meeting is not None
    assert participant.meeting.role == "Presenter"
    assert participant.user is not None
    assert participant.user.email == "ann@contoso.com"


async def test_standard_operations_stay_available(
    mocked: aioresponses, client: TeamsConnectorClient
) -> None:
    mocked.post(url("v3/conversations/a%3A1/activities"), payload={"id": "m"})

    sent = await client.conversations.send_to_conversation("a:1", ACTIVITY)

    assert sent.id == "m"
    assert isinstance(client, ConnectorClient)
    assert FromConnector is TeamsConnectorClient


async def test_teams_error_raises_service_error(
    mocked: aioresponses, client: TeamsConnectorClient
) -> None:
    mocked.get(
        url(f"v3/teams/{TEAM_SEGMENT}"),
        status=403,
        payload={"error": {"code": "BotNotInConversationRoster", "message": "no"}},
    )

    with pytest.raises(ServiceError) as caught:
        await client.fetch_team_details(TEAM_ID)

    assert caught.value.status == 403
    assert caught.value.code == "BotNotInConversationRoster"
    assert "BotNotInConversationRoster" in caught.value.body


async def test_empty_team_id_is_rejected(
    mocked: aioresponses, client: TeamsConnectorClient
) -> None:
    with pytest.raises(ValueError, match="team_id"):
        await client.fetch_team_details("")
    assert mocked.requests == {}
