"""The connector client for Copilot Studio connector requests.

When Microsoft Copilot Studio calls an agent as a *connector* (the incoming activity's
``recipient.role`` is ``"connectoruser"``), the ``serviceUrl`` is not a Bot Connector
endpoint: it is a callback URL that takes the agent's activities as they are. There are
no ``v3/conversations/...`` paths and no bearer token::

    client = MCSConnectorClient(activity.service_url)
    await client.conversations.send_to_conversation(conversation_id, reply)
    # -> POST <serviceUrl> with the reply's JSON, no Authorization header

Only sending (``send_to_conversation``) and replying (``reply_to_activity``) exist; they
are the same call. Every other operation (update, delete, members, history, attachments)
raises :class:`~microsoft_agents.hosting.core.AdapterError` naming the operation, since
the callback has no way to do it.
"""

from __future__ import annotations

import logging
from io import BytesIO
from typing import NoReturn

import aiohttp

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
    Transcript,
)
from microsoft_agents.hosting.core._errors import AdapterError
from microsoft_agents.hosting.core._outbound import OutboundHostValidator

from ._bases import AttachmentsBase, ConnectorClientBase, ConversationsBase
from ._connector_client import _activity_json, _OperationGroup
from ._transport import HttpTransport, RetryPolicy

__all__ = ["MCSConnectorClient"]

logger = logging.getLogger(__name__)

_POST_OK = frozenset(range(200, 300))


def _unsupported(operation: str) -> NoReturn:
    raise AdapterError(
        f"{operation} is not supported for Copilot Studio connector requests "
        "(recipient role 'connectoruser'): their serviceUrl only accepts new activities; "
        "send or reply instead"
    )


class _MCSConversations(_OperationGroup, ConversationsBase):
    """Conversation operations against a Copilot Studio callback URL."""

    def __init__(self, transport: HttpTransport, endpoint: str) -> None:
        super().__init__(transport)
        self._endpoint = endpoint

    async def _post(self, body: Activity) -> ResourceResponse:
        response = await self._request(
            "POST", self._endpoint, json=_activity_json(body), ok=_POST_OK
        )
        return self._parse(ResourceResponse, "POST", self._endpoint, response)

    async def send_to_conversation(self, conversation_id: str, body: Activity) -> ResourceResponse:
        """POST the activity to the service URL; the conversation id is not used.

        Args:
            conversation_id: ignored (the callback URL identifies the conversation).
            body: the activity.

        Returns:
            The callback's answer, when it returns an id.
        """
        return await self._post(body)

    async def reply_to_activity(
        self, conversation_id: str, activity_id: str, body: Activity
    ) -> ResourceResponse:
        """POST the activity to the service URL, as :meth:`send_to_conversation` does.

        Args:
            conversation_id: ignored.
            activity_id: ignored (the activity's ``replyToId`` still travels in the body).
            body: the activity.

        Returns:
            The callback's answer, when it returns an id.
        """
        return await self._post(body)

    async def get_conversations(self, continuation_token: str | None = None) -> ConversationsResult:
        """Not supported: raises :class:`AdapterError`."""
        _unsupported("get_conversations")

    async def create_conversation(
        self, body: ConversationParameters
    ) -> ConversationResourceResponse:
        """Not supported: raises :class:`AdapterError`."""
        _unsupported("create_conversation")

    async def update_activity(
        self, conversation_id: str, activity_id: str, body: Activity
    ) -> ResourceResponse:
        """Not supported: raises :class:`AdapterError`."""
        _unsupported("update_activity")

    async def delete_activity(self, conversation_id: str, activity_id: str) -> None:
        """Not supported: raises :class:`AdapterError`."""
        _unsupported("delete_activity")

    async def get_conversation_members(self, conversation_id: str) -> list[ChannelAccount]:
        """Not supported: raises :class:`AdapterError`."""
        _unsupported("get_conversation_members")

    async def get_conversation_member(self, conversation_id: str, member_id: str) -> ChannelAccount:
        """Not supported: raises :class:`AdapterError`."""
        _unsupported("get_conversation_member")

    async def delete_conversation_member(self, conversation_id: str, member_id: str) -> None:
        """Not supported: raises :class:`AdapterError`."""
        _unsupported("delete_conversation_member")

    async def get_activity_members(
        self, conversation_id: str, activity_id: str
    ) -> list[ChannelAccount]:
        """Not supported: raises :class:`AdapterError`."""
        _unsupported("get_activity_members")

    async def get_conversation_paged_members(
        self,
        conversation_id: str,
        page_size: int | None = None,
        continuation_token: str | None = None,
    ) -> PagedMembersResult:
        """Not supported: raises :class:`AdapterError`."""
        _unsupported("get_conversation_paged_members")

    async def send_conversation_history(
        self, conversation_id: str, body: Transcript
    ) -> ResourceResponse:
        """Not supported: raises :class:`AdapterError`."""
        _unsupported("send_conversation_history")

    async def upload_attachment(
        self, conversation_id: str, body: AttachmentData
    ) -> ResourceResponse:
        """Not supported: raises :class:`AdapterError`."""
        _unsupported("upload_attachment")


class _MCSAttachments(AttachmentsBase):
    """Attachments do not exist for Copilot Studio connector requests."""

    async def get_attachment_info(self, attachment_id: str) -> AttachmentInfo:
        """Not supported: raises :class:`AdapterError`."""
        _unsupported("get_attachment_info")

    async def get_attachment(self, attachment_id: str, view_id: str) -> BytesIO:
        """Not supported: raises :class:`AdapterError`."""
        _unsupported("get_attachment")


class MCSConnectorClient(ConnectorClientBase):
    """Sends a turn's activities to a Copilot Studio connector callback (``serviceUrl``).

    No token is involved: requests carry no ``Authorization`` header.

    Args:
        endpoint: the incoming activity's ``serviceUrl``; activities are POSTed to it
            exactly as given.
        session: a session to share; not closed by this client.
        retry: the timeout and retry policy (a POST is never replayed after an ambiguous
            failure).
        host_validator: refuses callback hosts that are not allowed.
    """

    def __init__(
        self,
        endpoint: str,
        *,
        session: aiohttp.ClientSession | None = None,
        retry: RetryPolicy | None = None,
        host_validator: OutboundHostValidator | None = None,
    ) -> None:
        if not endpoint:
            raise ValueError("MCSConnectorClient needs the request's service URL, got an empty one")
        self._endpoint = endpoint
        self._transport = HttpTransport(
            endpoint, token=None, session=session, retry=retry, host_validator=host_validator
        )
        self._conversations = _MCSConversations(self._transport, endpoint)
        self._attachments = _MCSAttachments()

    @property
    def base_uri(self) -> str:
        """The service URL, with the trailing ``/`` every connector base URI has."""
        return self._transport.base_url

    @property
    def conversations(self) -> ConversationsBase:
        """Send and reply; the other operations raise :class:`AdapterError`."""
        return self._conversations

    @property
    def attachments(self) -> AttachmentsBase:
        """Every operation raises :class:`AdapterError`."""
        return self._attachments

    async def close(self) -> None:
        """Close the HTTP session if this client created it."""
        await self._transport.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(endpoint={self._endpoint!r})"
