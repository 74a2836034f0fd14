"""What Teams puts in ``channelData``.

Every activity from Teams carries a ``channelData`` object telling where it happened: the
``tenant``, and for channel conversations the ``team`` and ``channel``; in a meeting chat the
``meeting``. Conversation updates name their Teams event in ``eventType``
(``channelCreated``, ``teamRenamed``, ...), as do message edits (``editMessage``)::

    >>> data = TeamsChannelData.model_validate(activity.channel_data)
    >>> data.team.id, data.channel.name, data.event_type
    ('19:efa9...@thread.skype', 'FunDiscussions', 'channelCreated')

An agent can also send ``channelData``: ``notification.alert`` makes Teams raise a
notification for the message, ``on_behalf_of`` sends it on a user's behalf. Keys these models
do not declare (``source``, ``legacy``, ...) are kept, so dumping gives back what came in.
"""

from microsoft_agents.activity._model import AgentsModel

__all__ = [
    "ChannelInfo",
    "NotificationInfo",
    "OnBehalfOf",
    "TeamInfo",
    "TeamsChannelData",
    "TeamsChannelDataSettings",
    "TeamsMeetingInfo",
    "TenantInfo",
]


class ChannelInfo(AgentsModel):
    """A channel of a team.

    ``type`` is ``"standard"``, ``"private"`` or ``"shared"`` when Teams says it.
    """

    id: str | None = None
    name: str | None = None
    type: str | None = None


class TeamInfo(AgentsModel):
    """A team: its Teams thread id, its name and its Microsoft 365 group id."""

    id: str | None = None
    name: str | None = None
    aad_group_id: str | None = None


class TenantInfo(AgentsModel):
    """The Microsoft Entra tenant the conversation belongs to."""

    id: str | None = None


class NotificationInfo(AgentsModel):
    """How Teams notifies users of a message the agent sends.

    Attributes:
        alert: raise a notification (activity feed / toast) for this message.
        alert_in_meeting: show the message as a notification inside a running meeting.
        external_resource_url: the page such a meeting notification opens.
    """

    alert: bool | None = None
    alert_in_meeting: bool | None = None
    external_resource_url: str | None = None


class TeamsMeetingInfo(AgentsModel):
    """The meeting whose chat the activity belongs to."""

    id: str | None = None


class TeamsChannelDataSettings(AgentsModel):
    """Settings Teams reports with an installation or update, e.g. the channel picked."""

    selected_channel: ChannelInfo | None = None


class OnBehalfOf(AgentsModel):
    """A user the agent acts for (``channelData.onBehalfOf`` entries).

    Attributes:
        item_id: the index of this entry, ``0`` for the first.
        mention_type: the kind of account, usually ``"person"``.
        mri: the user's Teams id (MRI), e.g. ``"29:1a2b..."``.
        display_name: the name shown for the user.
    """

    item_id: int | None = None
    mention_type: str | None = None
    mri: str | None = None
    display_name: str | None = None


class TeamsChannelData(AgentsModel):
    """The Teams-specific ``channelData`` of an activity.

    Attributes:
        channel: the team channel of a channel conversation.
        event_type: the Teams event of a conversation or message update
            (``channelCreated``, ``teamArchived``, ``editMessage``, ...); ``eventType``.
        team: the team of a channel conversation.
        notification: notification settings of an outgoing message.
        tenant: the tenant of the conversation.
        meeting: the meeting of a meeting chat.
        settings: settings sent with an installation (``selectedChannel``).
        on_behalf_of: users an outgoing message is sent for.
    """

    channel: ChannelInfo | None = None
    event_type: str | None = None
    team: TeamInfo | None = None
    notification: NotificationInfo | None = None
    tenant: TenantInfo | None = None
    meeting: TeamsMeetingInfo | None = None
    settings: TeamsChannelDataSettings | None = None
    on_behalf_of: list[OnBehalfOf] | None = None
