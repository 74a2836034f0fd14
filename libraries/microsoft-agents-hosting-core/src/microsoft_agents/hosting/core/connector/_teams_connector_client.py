"""The Teams connector client: the Bot Connector API plus the calls only Teams serves.

Microsoft Teams' connector answers the standard ``v3/conversations`` operations and adds
its own: rosters with directory details, teams and their channels, meetings, meeting
notifications and batch messages (one activity sent by Teams to many users or channels).
:class:`TeamsConnectorClient` is a :class:`ConnectorClient` with those calls, each typed
with the models of :mod:`microsoft_agents.activity.teams`::

    async with TeamsConnectorClient(activity.service_url, token) as teams:
        member = await teams.get_conversation_member(conversation_id, user_id)
        print(member.email, member.user_principal_name)
        details = await teams.fetch_team_details(team_id)

Ids go into paths percent-encoded, one segment each (Teams ids hold ``:``, ``@``, ``;`` and
``=``); optional query parameters are sent only when given. The team and meeting ids come
from the incoming activity's ``channelData`` (``team.id``, ``meeting.id``, ``tenant.id``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from microsoft_agents.activity import Activity, ConversationParameters, ConversationResourceResponse

# The Teams models load when a Teams-only call is first made, not with every connector
# client (each method imports what it returns).
if TYPE_CHECKING:
    from microsoft_agents.activity.teams import (
        BatchFailedEntriesResponse,
        BatchOperationStateResponse,
        CancelOperationResponse,
        ConversationList,
        MeetingInfo,
        MeetingNotificationBase,
        MeetingNotificationResponse,
        TeamDetails,
        TeamsBatchOperationResponse,
        TeamsChannelAccount,
        TeamsMeetingParticipant,
        TeamsMember,
        TeamsPagedMembersResult,
    )

from ._connector_client import (
    ConnectorClient,
    _activity_json,
    _conversation_segment,
    _model_json,
    _path_segment,
)

__all__ = ["TeamsConnectorClient"]

logger = logging.getLogger(__name__)

_SEND_OK = (200, 201, 202)
# Teams answers 207 (multi-status) when a meeting notification reached some recipients only.
_NOTIFICATION_OK = (200, 201, 202, 207)
_DELETE_OK = (200, 202, 204)


class TeamsConnectorClient(ConnectorClient):
    """A :class:`ConnectorClient` for Microsoft Teams, with the Teams-only calls.

    The constructor is :class:`ConnectorClient`'s. The standard operations stay under
    :attr:`conversations` and :attr:`attachments`; the Teams ones are methods of the
    client itself.
    """

    # ------------------------------------------------------------------ members

    async def get_conversation_member(
        self, conversation_id: str, user_id: str
    ) -> TeamsChannelAccount:
        """Read one member of a conversation or team, with their directory details.

        Args:
            conversation_id: the conversation (or the team id, for a team's roster).
            user_id: the member's Teams id (``29:...``) or Entra object id.

        Returns:
            The member, with ``given_name``, ``email``, ``user_principal_name``...
        """
        from microsoft_agents.activity.teams import TeamsChannelAccount

        conversation = _conversation_segment(conversation_id)
        path = f"v3/conversations/{conversation}/members/{_path_segment(user_id, 'user_id')}"
        return await self._calls._call(TeamsChannelAccount, "GET", path)

    async def get_conversation_paged_member(
        self,
        conversation_id: str,
        page_size: int | None = None,
        continuation_token: str | None = None,
    ) -> TeamsPagedMembersResult:
        """Read a conversation's or team's roster one page at a time.

        Only the parameters that are given go into the query string (no ``pageSize=None``).

        Args:
            conversation_id: the conversation (or the team id, for a team's roster).
            page_size: how many members per page (Teams' default when ``None``).
            continuation_token: the token of the previous page, if any.

        Returns:
            One page of members and the token of the next one.
        """
        from microsoft_agents.activity.teams import TeamsPagedMembersResult

        path = f"v3/conversations/{_conversation_segment(conversation_id)}/pagedMembers"
        params = {"pageSize": page_size, "continuationToken": continuation_token}
        return await self._calls._call(TeamsPagedMembersResult, "GET", path, params=params)

    # ------------------------------------------------------------------ teams

    async def fetch_channel_list(self, team_id: str) -> ConversationList:
        """List the channels of a team.

        Args:
            team_id: the team's id (``channelData.team.id``).

        Returns:
            The channels, under ``conversations``.
        """
        from microsoft_agents.activity.teams import ConversationList

        path = f"v3/teams/{_path_segment(team_id, 'team_id')}/conversations"
        return await self._calls._call(ConversationList, "GET", path)

    async def fetch_team_details(self, team_id: str) -> TeamDetails:
        """Describe a team: its name, Entra group, channel and member counts.

        Args:
            team_id: the team's id (``channelData.team.id``).

        Returns:
            The team's details.
        """
        from microsoft_agents.activity.teams import TeamDetails

        path = f"v3/teams/{_path_segment(team_id, 'team_id')}"
        return await self._calls._call(TeamDetails, "GET", path)

    # ------------------------------------------------------------------ meetings

    async def fetch_meeting_participant(
        self, meeting_id: str, participant_id: str, tenant_id: str
    ) -> TeamsMeetingParticipant:
        """Read a meeting participant: the user, their meeting role, the conversation.

        Args:
            meeting_id: the meeting's id (``channelData.meeting.id``).
            participant_id: the participant's Entra object id or Teams id.
            tenant_id: the tenant of the meeting (``channelData.tenant.id``).

        Returns:
            The participant, as a typed model.
        """
        from microsoft_agents.activity.teams import TeamsMeetingParticipant

        meeting = _path_segment(meeting_id, "meeting_id")
        participant = _path_segment(participant_id, "participant_id")
        path = f"v1/meetings/{meeting}/participants/{participant}"
        return await self._calls._call(
            TeamsMeetingParticipant, "GET", path, params={"tenantId": tenant_id}
        )

    async def fetch_meeting_info(self, meeting_id: str) -> MeetingInfo:
        """Describe a meeting: its details, conversation and organizer.

        Args:
            meeting_id: the meeting's id (``channelData.meeting.id``).

        Returns:
            The meeting's information.
        """
        from microsoft_agents.activity.teams import MeetingInfo

        path = f"v1/meetings/{_path_segment(meeting_id, 'meeting_id')}"
        return await self._calls._call(MeetingInfo, "GET", path)

    async def send_meeting_notification(
        self, meeting_id: str, notification: MeetingNotificationBase
    ) -> MeetingNotificationResponse:
        """Show a notification in a meeting (for example a targeted in-meeting bubble).

        Args:
            meeting_id: the meeting's id.
            notification: what to show, and to whom.

        Returns:
            The recipients it could not reach (empty when it reached them all).
        """
        from microsoft_agents.activity.teams import MeetingNotificationResponse

        path = f"v1/meetings/{_path_segment(meeting_id, 'meeting_id')}/notification"
        return await self._calls._call(
            MeetingNotificationResponse,
            "POST",
            path,
            json=_model_json(notification),
            ok=_NOTIFICATION_OK,
        )

    # ------------------------------------------------------------------ conversations

    async def create_conversation(
        self, params: ConversationParameters
    ) -> ConversationResourceResponse:
        """Start a conversation (a 1:1 chat with a user, or a new thread in a channel).

        Args:
            params: who takes part, the tenant, the channel data, an optional first activity.

        Returns:
            The new conversation's id, and the id of the first activity if one was sent.
        """
        return await self.conversations.create_conversation(params)

    # ------------------------------------------------------------------ batch messages

    async def send_message_to_list_of_users(
        self, activity: Activity, tenant_id: str, members: Sequence[TeamsMember]
    ) -> TeamsBatchOperationResponse:
        """Queue one activity for each user of a list.

        Args:
            activity: the message to send.
            tenant_id: the users' tenant.
            members: the users, by Teams id.

        Returns:
            The id of the queued operation.
        """
        body = {
            "activity": _activity_json(activity),
            "members": [_model_json(member) for member in members],
            "tenantId": tenant_id,
        }
        return await self._batch("users", body)

    async def send_message_to_all_users_in_tenant(
        self, activity: Activity, tenant_id: str
    ) -> TeamsBatchOperationResponse:
        """Queue one activity for every user of a tenant who installed the agent.

        Args:
            activity: the message to send.
            tenant_id: the tenant.

        Returns:
            The id of the queued operation.
        """
        body = {"activity": _activity_json(activity), "tenantId": tenant_id}
        return await self._batch("tenant", body)

    async def send_message_to_all_users_in_team(
        self, activity: Activity, tenant_id: str, team_id: str
    ) -> TeamsBatchOperationResponse:
        """Queue one activity for every member of a team.

        Args:
            activity: the message to send.
            tenant_id: the team's tenant.
            team_id: the team.

        Returns:
            The id of the queued operation.
        """
        body = {"activity": _activity_json(activity), "tenantId": tenant_id, "teamId": team_id}
        return await self._batch("team", body)

    async def send_message_to_list_of_channels(
        self, activity: Activity, tenant_id: str, members: Sequence[TeamsMember]
    ) -> TeamsBatchOperationResponse:
        """Queue one activity for each channel of a list.

        Args:
            activity: the message to send.
            tenant_id: the channels' tenant.
            members: the channels, by id (``19:...@thread.tacv2``).

        Returns:
            The id of the queued operation.
        """
        body = {
            "activity": _activity_json(activity),
            "members": [_model_json(member) for member in members],
            "tenantId": tenant_id,
        }
        return await self._batch("channels", body)

    async def get_operation_state(self, operation_id: str) -> BatchOperationStateResponse:
        """Read the progress of a batch operation.

        Args:
            operation_id: the id a batch send returned.

        Returns:
            The state and the count of sends per HTTP status.
        """
        from microsoft_agents.activity.teams import BatchOperationStateResponse

        path = f"v3/batch/conversation/{_path_segment(operation_id, 'operation_id')}"
        return await self._calls._call(BatchOperationStateResponse, "GET", path)

    async def get_failed_entries(
        self, operation_id: str, continuation_token: str | None = None
    ) -> BatchFailedEntriesResponse:
        """List, one page at a time, the recipients a batch operation failed for.

        Args:
            operation_id: the id a batch send returned.
            continuation_token: the token of the previous page, if any.

        Returns:
            One page of failed entries and the token of the next one.
        """
        from microsoft_agents.activity.teams import BatchFailedEntriesResponse

        operation = _path_segment(operation_id, "operation_id")
        path = f"v3/batch/conversation/failedentries/{operation}"
        return await self._calls._call(
            BatchFailedEntriesResponse,
            "GET",
            path,
            params={"continuationToken": continuation_token},
        )

    async def cancel_operation(self, operation_id: str) -> CancelOperationResponse:
        """Cancel the sends of a batch operation that have not happened yet.

        Args:
            operation_id: the id a batch send returned.

        Returns:
            Teams' answer (no fields are defined; whatever it sends is kept).
        """
        from microsoft_agents.activity.teams import CancelOperationResponse

        path = f"v3/batch/conversation/{_path_segment(operation_id, 'operation_id')}"
        return await self._calls._call(CancelOperationResponse, "DELETE", path, ok=_DELETE_OK)

    async def _batch(self, kind: str, body: dict[str, Any]) -> TeamsBatchOperationResponse:
        from microsoft_agents.activity.teams import TeamsBatchOperationResponse

        return await self._calls._call(
            TeamsBatchOperationResponse,
            "POST",
            f"v3/batch/conversation/{kind}",
            json=body,
            ok=_SEND_OK,
        )
