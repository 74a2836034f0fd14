"""Teams meetings: their details, their events, their participants and notifications.

Three sources of meeting data reach an agent:

* The ``application/vnd.microsoft.meetingStart`` / ``meetingEnd`` events. Their ``value``
  uses PascalCase keys (``"Id"``, ``"JoinUrl"``, ``"StartTime"``); it parses into
  :class:`MeetingStartEventDetails` / :class:`MeetingEndEventDetails`, which accept any
  capitalisation of those keys and write them back in PascalCase::

      >>> start = MeetingStartEventDetails.model_validate(activity.value)
      >>> start.title, start.start_time
      ('Weekly sync', datetime.datetime(2021, 4, 29, 16, 17, 17, 438896, ...))

* The ``meetingParticipantJoin`` / ``meetingParticipantLeave`` events, whose ``value`` is a
  :class:`MeetingParticipantsEventDetails` (who joined or left, and in which role).
* The meeting REST calls: ``GET v1/meetings/{id}`` returns a :class:`MeetingInfo`, the
  participant call a :class:`TeamsMeetingParticipant`, and posting a
  :class:`MeetingNotification` (a targeted in-meeting dialog) returns a
  :class:`MeetingNotificationResponse` listing the recipients it could not reach.
"""

from typing import Any, ClassVar

from pydantic import ConfigDict, model_validator
from pydantic.alias_generators import to_pascal

from microsoft_agents.activity._accounts import ConversationAccount
from microsoft_agents.activity._datetime import WireDatetime
from microsoft_agents.activity._entities import _DefaultsOnWire
from microsoft_agents.activity._model import AgentsModel

from ._channel_data import OnBehalfOf
from ._roster import TeamsChannelAccount

__all__ = [
    "MeetingDetails",
    "MeetingDetailsBase",
    "MeetingEndEventDetails",
    "MeetingEventDetails",
    "MeetingInfo",
    "MeetingNotification",
    "MeetingNotificationBase",
    "MeetingNotificationChannelData",
    "MeetingNotificationRecipientFailureInfo",
    "MeetingNotificationResponse",
    "MeetingParticipantInfo",
    "MeetingParticipantsEventDetails",
    "MeetingStartEventDetails",
    "MeetingSurface",
    "TargetedMeetingNotificationValue",
    "TeamsMeetingMember",
    "TeamsMeetingParticipant",
    "UserMeetingDetails",
]


class MeetingDetailsBase(AgentsModel):
    """What every description of a meeting has: its id, join link and title."""

    id: str | None = None
    join_url: str | None = None
    title: str | None = None


class MeetingDetails(MeetingDetailsBase):
    """A meeting as the meeting REST call describes it.

    Attributes:
        ms_graph_resource_id: the meeting's id in Microsoft Graph.
        scheduled_start_time: when the meeting is planned to start.
        scheduled_end_time: when the meeting is planned to end.
        type: the kind of meeting, e.g. ``"Scheduled"`` or ``"Recurring"``.
    """

    ms_graph_resource_id: str | None = None
    scheduled_start_time: WireDatetime | None = None
    scheduled_end_time: WireDatetime | None = None
    type: str | None = None


class MeetingInfo(AgentsModel):
    """The answer of ``GET v1/meetings/{meetingId}``: details, chat and organizer."""

    details: MeetingDetails | None = None
    conversation: ConversationAccount | None = None
    organizer: TeamsChannelAccount | None = None


class MeetingEventDetails(AgentsModel):
    """The ``value`` of a meeting start or end event (PascalCase keys on the wire).

    Teams writes these keys in PascalCase (``"MeetingType"``, ``"JoinUrl"``). Input is
    matched ignoring case, so camelCase works too; output is always PascalCase.
    """

    model_config: ClassVar[ConfigDict] = ConfigDict(
        alias_generator=to_pascal, validate_by_name=True, validate_by_alias=True
    )

    id: str | None = None
    join_url: str | None = None
    title: str | None = None
    meeting_type: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _match_keys_ignoring_case(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        wire_names = {
            (field.alias or name).lower(): field.alias or name
            for name, field in cls.model_fields.items()
        }
        return {
            (wire_names.get(key.lower(), key) if isinstance(key, str) else key): value
            for key, value in data.items()
        }


class MeetingStartEventDetails(MeetingEventDetails):
    """The ``value`` of ``application/vnd.microsoft.meetingStart``."""

    start_time: WireDatetime | None = None


class MeetingEndEventDetails(MeetingEventDetails):
    """The ``value`` of ``application/vnd.microsoft.meetingEnd``."""

    end_time: WireDatetime | None = None


class UserMeetingDetails(AgentsModel):
    """A participant's state in a meeting event: present or not, and their role."""

    in_meeting: bool | None = None
    role: str | None = None


class TeamsMeetingMember(AgentsModel):
    """One participant who joined or left a meeting."""

    user: TeamsChannelAccount | None = None
    meeting: UserMeetingDetails | None = None


class MeetingParticipantsEventDetails(AgentsModel):
    """The ``value`` of ``meetingParticipantJoin`` / ``meetingParticipantLeave`` events."""

    members: list[TeamsMeetingMember] | None = None


class MeetingParticipantInfo(AgentsModel):
    """A participant's role (``"Organizer"``, ``"Presenter"``, ``"Attendee"``) and presence."""

    role: str | None = None
    in_meeting: bool | None = None


class TeamsMeetingParticipant(AgentsModel):
    """The answer of the meeting participant call: the user, their role, the chat."""

    user: TeamsChannelAccount | None = None
    meeting: MeetingParticipantInfo | None = None
    conversation: ConversationAccount | None = None


class MeetingSurface(AgentsModel):
    """Where a meeting notification shows up.

    Attributes:
        surface: ``"meetingStage"`` (a dialog on the shared stage) or ``"meetingTabIcon"``.
        content_type: what ``content`` is; ``"task"`` for a dialog.
        content: for a dialog, ``{"value": {"title", "url", "height", "width"}}``.
        tab_entity_id: for ``meetingTabIcon``, the tab to badge.
    """

    surface: str | None = None
    content_type: str | None = None
    content: Any = None
    tab_entity_id: str | None = None


class TargetedMeetingNotificationValue(AgentsModel):
    """Who receives a targeted meeting notification (user MRIs) and where it shows."""

    recipients: list[str] | None = None
    surfaces: list[MeetingSurface] | None = None


class MeetingNotificationChannelData(AgentsModel):
    """The ``channelData`` of a meeting notification: the users it is sent for."""

    on_behalf_of: list[OnBehalfOf] | None = None


class MeetingNotificationBase(_DefaultsOnWire):
    """A notification sent into a meeting; ``type`` says which kind."""

    type: str | None = None


class MeetingNotification(MeetingNotificationBase):
    """A targeted in-meeting notification (``POST v1/meetings/{meetingId}/notification``).

    Built in code, it always carries ``"type": "targetedMeetingNotification"``::

        MeetingNotification(value=TargetedMeetingNotificationValue(
            recipients=["29:1a2b..."],
            surfaces=[MeetingSurface(surface="meetingStage", content_type="task",
                                     content={"value": {"title": "Vote", "url": url}})],
        ))
    """

    _wire_defaults = ("type",)

    type: str | None = "targetedMeetingNotification"
    value: TargetedMeetingNotificationValue | None = None
    channel_data: MeetingNotificationChannelData | None = None


class MeetingNotificationRecipientFailureInfo(AgentsModel):
    """A recipient a meeting notification did not reach, and why."""

    recipient_mri: str | None = None
    error_code: str | None = None
    failure_reason: str | None = None


class MeetingNotificationResponse(AgentsModel):
    """The answer to a meeting notification: the recipients that failed, if any."""

    recipients_failure_info: list[MeetingNotificationRecipientFailureInfo] | None = None
