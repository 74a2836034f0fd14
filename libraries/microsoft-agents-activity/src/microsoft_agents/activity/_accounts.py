"""Who takes part in a conversation, and how to find a conversation again.

:class:`ChannelAccount` identifies a user or an agent on a channel (``from``, ``recipient``,
``membersAdded``). :class:`ConversationAccount` identifies the conversation.
:class:`ConversationReference` holds what an agent must keep to message a conversation later
(proactive messages): the conversation, the two parties, the channel and its service URL.
"""

import uuid
from typing import TYPE_CHECKING, Any

from pydantic import Field

from ._channel_id import ChannelId
from ._enums import ActivityEventNames, ActivityTypes
from ._model import AgentsModel, BoundedList, NestedList

if TYPE_CHECKING:
    from ._activity import Activity

__all__ = [
    "ChannelAccount",
    "ConversationAccount",
    "ConversationMembers",
    "ConversationReference",
    "ConversationResourceResponse",
    "ConversationsResult",
    "Error",
    "ErrorResponse",
    "InnerHttpError",
    "PagedMembersResult",
    "ResourceResponse",
]


class ChannelAccount(AgentsModel):
    """A user or agent on a channel."""

    id: str | None = None
    name: str | None = None
    aad_object_id: str | None = None
    role: str | None = None
    agentic_user_id: str | None = None
    agentic_app_id: str | None = None
    tenant_id: str | None = None

    @property
    def properties(self) -> dict[str, Any]:
        """The keys the channel sent that this model does not declare."""
        return dict(self.__pydantic_extra__ or {})


class ConversationAccount(AgentsModel):
    """The conversation an activity belongs to."""

    id: str | None = None
    is_group: bool | None = None
    conversation_type: str | None = None
    name: str | None = None
    aad_object_id: str | None = None
    role: str | None = None
    tenant_id: str | None = None
    properties: Any = None


class ConversationReference(AgentsModel):
    """What an agent stores to continue a conversation later."""

    activity_id: str | None = None
    user: ChannelAccount | None = None
    agent: ChannelAccount | None = Field(
        default=None, validation_alias="bot", serialization_alias="bot"
    )
    conversation: ConversationAccount
    channel_id: ChannelId | None = None
    locale: str | None = None
    service_url: str | None = None
    delivery_mode: str | None = None

    def get_continuation_activity(self) -> "Activity":
        """An ``event`` named ``ContinueConversation`` addressed through this reference.

        Adapters run a proactive turn with it: the agent is the recipient, the user (when
        known) the sender, and ``relates_to`` points back to this reference.
        """
        from ._activity import Activity

        values: dict[str, Any] = {
            "type": ActivityTypes.event.value,
            "name": ActivityEventNames.continue_conversation.value,
            "id": str(uuid.uuid4()),
            "conversation": self.conversation,
            "relates_to": self,
        }
        if self.channel_id is not None:
            values["channel_id"] = self.channel_id
        if self.service_url is not None:
            values["service_url"] = self.service_url
        if self.agent is not None:
            values["recipient"] = self.agent
        if self.user is not None:
            values["from_property"] = self.user
        if self.locale is not None:
            values["locale"] = self.locale
        return Activity(**values)


class ResourceResponse(AgentsModel):
    """The id a channel assigned to something the agent created (usually an activity)."""

    id: str | None = None


class ConversationResourceResponse(AgentsModel):
    """The answer to a create-conversation call."""

    activity_id: str | None = None
    service_url: str | None = None
    id: str | None = None


class ConversationMembers(AgentsModel):
    """A conversation and its members."""

    id: str | None = None
    members: NestedList[ChannelAccount] | None = None


class ConversationsResult(AgentsModel):
    """One page of the conversations an agent takes part in."""

    continuation_token: str | None = None
    conversations: NestedList[ConversationMembers] | None = None


class PagedMembersResult(AgentsModel):
    """One page of a conversation's members."""

    continuation_token: str | None = None
    members: BoundedList[ChannelAccount] | None = None


class InnerHttpError(AgentsModel):
    """The HTTP status and body a channel got from a service behind it."""

    status_code: int | None = None
    body: Any = None


class Error(AgentsModel):
    """An error a channel reports: a code, a message and the HTTP detail."""

    code: str | None = None
    message: str | None = None
    inner_http_error: InnerHttpError | None = None


class ErrorResponse(AgentsModel):
    """The body of a failed Connector API call."""

    error: Error | None = None
