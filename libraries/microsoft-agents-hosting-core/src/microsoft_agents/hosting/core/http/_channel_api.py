"""``ChannelApiHandlerProtocol``: what an agent implements to receive another agent's replies.

When this agent calls another one (agent-to-agent), it gives the callee a ``serviceUrl``
that points back at itself. The callee then "replies to the channel" by calling the Bot
Connector API on that URL: send to conversation, reply to activity, update, delete, ...
:class:`~microsoft_agents.hosting.core.http.ChannelServiceRoutes` receives those calls and
hands each one to the matching method of a handler with this shape; the first argument is
always the callee's verified claims. A typical handler resolves the conversation id to the
stored reference of the original conversation and forwards the callee's activity to the
user with ``adapter.continue_conversation_with_claims(...)``.

A handler that subclasses the protocol and leaves a method out answers that call with 501
(the protocol's own methods raise ``NotImplementedError``), so the callee learns that this
agent does not support it instead of being told a delete or an update worked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from microsoft_agents.activity import (
        Activity,
        AttachmentData,
        ChannelAccount,
        ConversationParameters,
        ConversationResourceResponse,
        ConversationsResult,
        PagedMembersResult,
        ResourceResponse,
        Transcript,
    )
    from microsoft_agents.hosting.core.authorization import ClaimsIdentity

__all__ = ["ChannelApiHandlerProtocol"]


@runtime_checkable
class ChannelApiHandlerProtocol(Protocol):
    """Receives the Bot Connector calls another agent makes back to this one."""

    async def on_get_conversations(
        self,
        claims_identity: ClaimsIdentity,
        conversation_id: str | None,
        continuation_token: str | None = None,
    ) -> ConversationsResult:
        """List conversations (``GET v3/conversations``)."""
        raise NotImplementedError

    async def on_create_conversation(
        self, claims_identity: ClaimsIdentity, parameters: ConversationParameters
    ) -> ConversationResourceResponse:
        """Create a conversation (``POST v3/conversations``)."""
        raise NotImplementedError

    async def on_send_to_conversation(
        self, claims_identity: ClaimsIdentity, conversation_id: str, activity: Activity
    ) -> ResourceResponse | None:
        """Post an activity at the end of a conversation."""
        raise NotImplementedError

    async def on_send_conversation_history(
        self, claims_identity: ClaimsIdentity, conversation_id: str, transcript: Transcript
    ) -> ResourceResponse | None:
        """Upload past activities into a conversation."""
        raise NotImplementedError

    async def on_update_activity(
        self,
        claims_identity: ClaimsIdentity,
        conversation_id: str,
        activity_id: str,
        activity: Activity,
    ) -> ResourceResponse | None:
        """Replace an activity."""
        raise NotImplementedError

    async def on_reply_to_activity(
        self,
        claims_identity: ClaimsIdentity,
        conversation_id: str,
        activity_id: str,
        activity: Activity,
    ) -> ResourceResponse | None:
        """Post an activity as a reply to another one."""
        raise NotImplementedError

    async def on_delete_activity(
        self, claims_identity: ClaimsIdentity, conversation_id: str, activity_id: str
    ) -> None:
        """Delete an activity."""
        raise NotImplementedError

    async def on_get_conversation_members(
        self, claims_identity: ClaimsIdentity, conversation_id: str
    ) -> list[ChannelAccount]:
        """List a conversation's members."""
        raise NotImplementedError

    async def on_get_conversation_member(
        self, claims_identity: ClaimsIdentity, user_id: str, conversation_id: str
    ) -> ChannelAccount:
        """Read one member (note the order: user id, then conversation id)."""
        raise NotImplementedError

    async def on_get_conversation_paged_members(
        self,
        claims_identity: ClaimsIdentity,
        conversation_id: str,
        page_size: int | None = None,
        continuation_token: str | None = None,
    ) -> PagedMembersResult:
        """List a conversation's members one page at a time."""
        raise NotImplementedError

    async def on_delete_conversation_member(
        self, claims_identity: ClaimsIdentity, conversation_id: str, member_id: str
    ) -> None:
        """Remove a member from a conversation."""
        raise NotImplementedError

    async def on_get_activity_members(
        self, claims_identity: ClaimsIdentity, conversation_id: str, activity_id: str
    ) -> list[ChannelAccount]:
        """List the members an activity was addressed to."""
        raise NotImplementedError

    async def on_upload_attachment(
        self,
        claims_identity: ClaimsIdentity,
        conversation_id: str,
        attachment_upload: AttachmentData,
    ) -> ResourceResponse | None:
        """Store an attachment."""
        raise NotImplementedError
