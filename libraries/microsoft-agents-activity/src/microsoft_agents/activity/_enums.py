"""The protocol's named values.

Every class here is a ``str`` enum: members compare equal to their wire values
(``ActivityTypes.message == "message"``) and serialise as them. The protocol treats all of
these as open sets, so model fields that hold them are typed ``str``: a value this package
does not list (a newer channel's activity type, say) is kept as it came.
"""

from __future__ import annotations

from enum import Enum

__all__ = [
    "ActionTypes",
    "ActivityEventNames",
    "ActivityImportance",
    "ActivityTreatmentTypes",
    "ActivityTypes",
    "AttachmentLayoutTypes",
    "CallerIdConstants",
    "Channels",
    "ContactRelationUpdateActionTypes",
    "ConversationUpdateTypes",
    "DeliveryModes",
    "EndOfConversationCodes",
    "EntityTypes",
    "InputHints",
    "InstallationUpdateActionTypes",
    "MessageReactionTypes",
    "MessageUpdateTypes",
    "RoleTypes",
    "SemanticActionsStates",
    "SignInConstants",
    "TextFormatTypes",
]


class _StrEnum(str, Enum):
    """A ``str`` enum whose ``str()`` is its value, on every supported Python."""

    def __str__(self) -> str:
        return str(self.value)


class ActivityTypes(_StrEnum):
    """Values of ``Activity.type``."""

    message = "message"
    contact_relation_update = "contactRelationUpdate"
    conversation_update = "conversationUpdate"
    typing = "typing"
    end_of_conversation = "endOfConversation"
    event = "event"
    invoke = "invoke"
    invoke_response = "invokeResponse"
    delete_user_data = "deleteUserData"
    message_update = "messageUpdate"
    message_delete = "messageDelete"
    installation_update = "installationUpdate"
    message_reaction = "messageReaction"
    suggestion = "suggestion"
    trace = "trace"
    handoff = "handoff"
    command = "command"
    command_result = "commandResult"


class ActivityEventNames(_StrEnum):
    """Names of the events the SDK itself creates."""

    continue_conversation = "ContinueConversation"
    create_conversation = "CreateConversation"


class ActionTypes(_StrEnum):
    """Values of ``CardAction.type``."""

    open_url = "openUrl"
    im_back = "imBack"
    post_back = "postBack"
    play_audio = "playAudio"
    play_video = "playVideo"
    show_image = "showImage"
    download_file = "downloadFile"
    signin = "signin"
    call = "call"
    message_back = "messageBack"
    open_app = "openApp"


class ActivityImportance(_StrEnum):
    """Values of ``Activity.importance``."""

    low = "low"
    normal = "normal"
    high = "high"


class ActivityTreatmentTypes(_StrEnum):
    """Values of ``ActivityTreatment.treatment``."""

    targeted = "targeted"


class AttachmentLayoutTypes(_StrEnum):
    """Values of ``Activity.attachment_layout``."""

    list = "list"
    carousel = "carousel"


class CallerIdConstants(_StrEnum):
    """Values an adapter puts in ``Activity.caller_id``."""

    public_azure_channel = "urn:botframework:azure"
    us_gov_channel = "urn:botframework:azureusgov"
    agent_to_agent_prefix = "urn:botframework:aadappid:"


class ContactRelationUpdateActionTypes(_StrEnum):
    """Values of ``Activity.action`` on a contactRelationUpdate."""

    add = "add"
    remove = "remove"


class ConversationUpdateTypes(_StrEnum):
    """Kinds of conversationUpdate (Teams sends most in ``channelData.eventType``)."""

    CHANNEL_CREATED = "channelCreated"
    CHANNEL_RENAMED = "channelRenamed"
    CHANNEL_DELETED = "channelDeleted"
    CHANNEL_RESTORED = "channelRestored"
    MEMBERS_ADDED = "membersAdded"
    MEMBERS_REMOVED = "membersRemoved"
    TEAM_RENAMED = "teamRenamed"
    TEAM_DELETED = "teamDeleted"
    TEAM_ARCHIVED = "teamArchived"
    TEAM_UNARCHIVED = "teamUnarchived"
    TEAM_RESTORED = "teamRestored"


class DeliveryModes(_StrEnum):
    """Values of ``Activity.delivery_mode``."""

    normal = "normal"
    notification = "notification"
    expect_replies = "expectReplies"
    ephemeral = "ephemeral"
    stream = "stream"


class EndOfConversationCodes(_StrEnum):
    """Values of ``Activity.code`` on an endOfConversation."""

    unknown = "unknown"
    completed_successfully = "completedSuccessfully"
    user_cancelled = "userCancelled"
    timed_out = "botTimedOut"
    issued_invalid_message = "botIssuedInvalidMessage"
    channel_failed = "channelFailed"


class EntityTypes(_StrEnum):
    """The entity ``type`` values that parse into a dedicated class."""

    ACTIVITY_TREATMENT = "activityTreatment"
    AI_CITATION = "https://schema.org/Message"
    GEO_COORDINATES = "GeoCoordinates"
    MENTION = "mention"
    PLACE = "Place"
    THING = "Thing"
    PRODUCT_INFO = "ProductInfo"
    STREAM_INFO = "streaminfo"


class InputHints(_StrEnum):
    """Values of ``Activity.input_hint``."""

    accepting_input = "acceptingInput"
    ignoring_input = "ignoringInput"
    expecting_input = "expectingInput"


class InstallationUpdateActionTypes(_StrEnum):
    """Values of ``Activity.action`` on an installationUpdate."""

    add = "add"
    remove = "remove"


class MessageReactionTypes(_StrEnum):
    """Kinds of messageReaction."""

    REACTIONS_ADDED = "reactionsAdded"
    REACTIONS_REMOVED = "reactionsRemoved"


class MessageUpdateTypes(_StrEnum):
    """Kinds of messageUpdate / messageDelete (in Teams' ``channelData.eventType``)."""

    EDIT_MESSAGE = "editMessage"
    SOFT_DELETE_MESSAGE = "softDeleteMessage"
    UNDELETE_MESSAGE = "undeleteMessage"


class RoleTypes(_StrEnum):
    """Values of ``ChannelAccount.role``."""

    user = "user"
    agent = "bot"
    skill = "skill"
    connector_user = "connectoruser"
    agentic_identity = "agenticAppInstance"
    agentic_user = "agenticUser"


class SemanticActionsStates(_StrEnum):
    """Values of ``SemanticAction.state``."""

    start_action = "start"
    continue_action = "continue"
    done_action = "done"


class SignInConstants(_StrEnum):
    """Invoke and event names of the OAuth sign-in flow."""

    verify_state_operation_name = "signin/verifyState"
    token_exchange_operation_name = "signin/tokenExchange"
    token_response_event_name = "tokens/response"


class TextFormatTypes(_StrEnum):
    """Values of ``Activity.text_format``."""

    markdown = "markdown"
    plain = "plain"
    xml = "xml"


class Channels(_StrEnum):
    """Known channel ids, with what each channel can display."""

    agents = "agents"
    console = "console"
    cortana = "cortana"
    direct_line = "directline"
    direct_line_speech = "directlinespeech"
    email = "email"
    emulator = "emulator"
    facebook = "facebook"
    groupme = "groupme"
    kik = "kik"
    line = "line"
    ms_teams = "msteams"
    skype = "skype"
    skype_for_business = "skypeforbusiness"
    slack = "slack"
    sms = "sms"
    telegram = "telegram"
    test = "test"
    webchat = "webchat"
    copilot_studio = "pva-studio"

    @staticmethod
    def supports_suggested_actions(channel: str, button_cnt: int = 100) -> bool:
        """Whether ``channel`` (a channel id) shows ``button_cnt`` suggested actions."""
        limit = _SUGGESTED_ACTION_LIMITS.get(_base(channel))
        return limit is not None and button_cnt <= limit

    @staticmethod
    def supports_card_actions(channel: str, button_cnt: int = 100) -> bool:
        """Whether ``channel`` (a channel id) shows ``button_cnt`` buttons on a card."""
        limit = _CARD_ACTION_LIMITS.get(_base(channel))
        return limit is not None and button_cnt <= limit

    @staticmethod
    def has_message_feed(channel_id: str) -> bool:
        """Whether ``channel_id`` keeps a visible history of messages."""
        return _base(channel_id) != Channels.cortana.value

    @staticmethod
    def max_action_title_length(channel_id: str) -> int:
        """The longest action title every channel displays in full."""
        return 20


def _base(channel_id: str) -> str:
    return str(channel_id).partition(":")[0]


_SUGGESTED_ACTION_LIMITS: dict[str, int] = {
    Channels.facebook.value: 10,
    Channels.skype.value: 10,
    Channels.line.value: 13,
    Channels.kik.value: 20,
    Channels.telegram.value: 100,
    Channels.emulator.value: 100,
    Channels.direct_line.value: 100,
    Channels.webchat.value: 100,
    Channels.direct_line_speech.value: 100,
    Channels.test.value: 100,
}

_CARD_ACTION_LIMITS: dict[str, int] = {
    Channels.facebook.value: 3,
    Channels.skype.value: 3,
    Channels.ms_teams.value: 3,
    Channels.line.value: 99,
    Channels.slack.value: 100,
    Channels.telegram.value: 100,
    Channels.emulator.value: 100,
    Channels.direct_line.value: 100,
    Channels.webchat.value: 100,
    Channels.direct_line_speech.value: 100,
    Channels.test.value: 100,
    Channels.cortana.value: 100,
}
