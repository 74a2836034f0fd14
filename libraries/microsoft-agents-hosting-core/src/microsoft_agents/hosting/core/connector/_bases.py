"""The abstract shapes of the clients an adapter hands to a turn.

An adapter talks to two services on a turn's behalf:

* the channel's **Bot Connector** (the activity's ``serviceUrl``), to send, update and
  delete activities and to read the conversation's members;
* the **User Token service**, to get, exchange and revoke the user's OAuth tokens.

The adapter creates one client of each kind per turn and registers it in
``context.services`` under the abstract types defined here, so that code reading it does
not depend on which concrete client is in use::

    connector = context.services.get(ConnectorClientBase)
    await connector.conversations.send_to_conversation(conversation_id, activity)

:class:`ConnectorClientBase` exposes two operation groups, :class:`ConversationsBase` and
:class:`AttachmentsBase`. :class:`UserTokenClientBase` exposes the flat token calls the
sign-in flow uses. Test doubles and alternative transports implement these ABCs; the
shipped implementations are ``ConnectorClient``, ``TeamsConnectorClient``,
``MCSConnectorClient`` and ``UserTokenClient``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from io import BytesIO
from types import TracebackType
from typing import TypeVar

from microsoft_agents.activity import (
    Activity,
    AttachmentData,
    AttachmentInfo,
    ChannelAccount,
    ConversationParameters,
    ConversationResourceResponse,
    ConversationsResult,
    PagedMembersResult,
    ResourceResponse,
    SignInResource,
    TokenExchangeRequest,
    TokenOrSignInResourceResponse,
    TokenResponse,
    TokenStatus,
    Transcript,
)

__all__ = [
    "AttachmentsBase",
    "ConnectorClientBase",
    "ConversationsBase",
    "UserTokenClientBase",
]

_SelfT = TypeVar("_SelfT", bound="_AsyncClosable")


class _AsyncClosable(ABC):
    """Something with an async ``close()`` that doubles as an async context manager."""

    @abstractmethod
    async def close(self) -> None:
        """Release the client's resources (its HTTP session, when it owns one)."""

    async def __aenter__(self: _SelfT) -> _SelfT:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()


class ConversationsBase(ABC):
    """The conversation operations of the Bot Connector API (``v3/conversations``)."""

    @abstractmethod
    async def get_conversations(self, continuation_token: str | None = None) -> ConversationsResult:
        """List the conversations the agent takes part in, one page at a time."""

    @abstractmethod
    async def create_conversation(
        self, body: ConversationParameters
    ) -> ConversationResourceResponse:
        """Start a new conversation (proactive messaging)."""

    @abstractmethod
    async def send_to_conversation(self, conversation_id: str, body: Activity) -> ResourceResponse:
        """Post an activity at the end of a conversation."""

    @abstractmethod
    async def reply_to_activity(
        self, conversation_id: str, activity_id: str, body: Activity
    ) -> ResourceResponse:
        """Post an activity as a reply to another one."""

    @abstractmethod
    async def update_activity(
        self, conversation_id: str, activity_id: str, body: Activity
    ) -> ResourceResponse:
        """Replace an activity the agent sent earlier."""

    @abstractmethod
    async def delete_activity(self, conversation_id: str, activity_id: str) -> None:
        """Delete an activity the agent sent earlier."""

    @abstractmethod
    async def get_conversation_members(self, conversation_id: str) -> list[ChannelAccount]:
        """List every member of a conversation."""

    @abstractmethod
    async def get_conversation_member(self, conversation_id: str, member_id: str) -> ChannelAccount:
        """Read one member of a conversation."""

    @abstractmethod
    async def delete_conversation_member(self, conversation_id: str, member_id: str) -> None:
        """Remove a member from a conversation."""

    @abstractmethod
    async def get_activity_members(
        self, conversation_id: str, activity_id: str
    ) -> list[ChannelAccount]:
        """List the members an activity was addressed to."""

    @abstractmethod
    async def get_conversation_paged_members(
        self,
        conversation_id: str,
        page_size: int | None = None,
        continuation_token: str | None = None,
    ) -> PagedMembersResult:
        """List a conversation's members one page at a time."""

    @abstractmethod
    async def send_conversation_history(
        self, conversation_id: str, body: Transcript
    ) -> ResourceResponse:
        """Upload past activities into a conversation's history."""

    @abstractmethod
    async def upload_attachment(
        self, conversation_id: str, body: AttachmentData
    ) -> ResourceResponse:
        """Store a file in the channel's attachment store."""


class AttachmentsBase(ABC):
    """The attachment operations of the Bot Connector API (``v3/attachments``)."""

    @abstractmethod
    async def get_attachment_info(self, attachment_id: str) -> AttachmentInfo:
        """Describe a stored attachment and its views."""

    @abstractmethod
    async def get_attachment(self, attachment_id: str, view_id: str) -> BytesIO:
        """Download one view (``original``, ``thumbnail``) of a stored attachment."""


class ConnectorClientBase(_AsyncClosable):
    """A client of one channel's Bot Connector endpoint.

    The adapter registers the turn's client in ``context.services`` under this type.
    """

    @property
    @abstractmethod
    def base_uri(self) -> str:
        """The service URL every call is relative to (always ends with ``/``)."""

    @property
    @abstractmethod
    def conversations(self) -> ConversationsBase:
        """The conversation operations."""

    @property
    @abstractmethod
    def attachments(self) -> AttachmentsBase:
        """The attachment operations."""


class UserTokenClientBase(_AsyncClosable):
    """A client of the User Token service, as the OAuth sign-in flow uses it.

    The adapter registers the turn's client in ``context.services`` under this type.
    """

    @abstractmethod
    async def get_user_token(
        self,
        user_id: str,
        connection_name: str,
        channel_id: str,
        magic_code: str | None = None,
    ) -> TokenResponse:
        """The user's token for a connection; an empty ``TokenResponse`` when there is none."""

    @abstractmethod
    async def get_token_or_sign_in_resource(
        self,
        connection_name: str,
        activity: Activity,
        code: str | None = None,
        final_redirect: str | None = None,
        fwd_url: str | None = None,
    ) -> TokenOrSignInResourceResponse:
        """The user's token if they are signed in, else what to show to sign them in."""

    @abstractmethod
    async def get_sign_in_resource(
        self,
        connection_name: str,
        activity: Activity,
        final_redirect: str | None = None,
    ) -> SignInResource:
        """The sign-in link and SSO resources for a connection."""

    @abstractmethod
    async def sign_out_user(
        self,
        user_id: str,
        connection_name: str | None = None,
        channel_id: str | None = None,
    ) -> None:
        """Revoke the user's token for a connection (every connection when ``None``)."""

    @abstractmethod
    async def get_token_status(
        self,
        user_id: str,
        channel_id: str | None = None,
        include: str | None = None,
    ) -> list[TokenStatus]:
        """Whether the user has a token, per connection."""

    @abstractmethod
    async def get_aad_tokens(
        self,
        user_id: str,
        connection_name: str,
        resource_urls: list[str],
        channel_id: str | None = None,
    ) -> dict[str, TokenResponse]:
        """Tokens for several Entra resources at once, keyed by resource URL."""

    @abstractmethod
    async def exchange_token(
        self,
        user_id: str,
        connection_name: str,
        channel_id: str,
        exchange_request: TokenExchangeRequest,
    ) -> TokenResponse:
        """Exchange a channel's SSO token (or a resource URI) for a token of the connection."""
