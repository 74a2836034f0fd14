"""The Bot Connector client: how an agent sends activities back to a channel.

Every activity a channel delivers names a ``serviceUrl``. Replies, updates, deletes and
member look-ups are REST calls relative to that URL (its path is kept:
``https://smba.trafficmanager.net/amer/`` gives ``.../amer/v3/conversations/...``)::

    async with ConnectorClient(activity.service_url, token) as connector:
        sent = await connector.conversations.reply_to_activity(
            activity.conversation.id, activity.id, reply
        )
        print(sent.id)

The client is a thin typed layer over :class:`HttpTransport`, which owns the session, the
``Authorization`` header (only when a token is given), timeouts, retries and the outbound
host check. This module adds what is specific to the Bot Connector API:

* **paths**: conversation ids are cut to 150 characters (the connector's limit) and every
  id is percent-encoded as one path segment, so a Teams id such as
  ``19:abc@thread.skype;messageid=1`` can never be read as more than one segment, a query
  or a fragment. When the activity being sent comes from an agentic identity on the
  ``agents`` channel, ``/ \\ # ?`` in the conversation id are replaced by ``_`` first (the
  connector of that channel expects it); the send, reply and update calls read this from
  the activity they are given, so callers need not do anything;
* **bodies**: activities and other models go out in JSON mode, camelCase, without unset or
  ``None`` fields, so datetimes serialise and no ``null`` reaches a channel;
* **answers**: parsed into the models of :mod:`microsoft_agents.activity`; an empty body
  where a model is expected gives the empty model (``ResourceResponse()``).

Errors: a status the operation does not accept raises
:class:`~microsoft_agents.hosting.core.ServiceError` (status, the service's error code, the
body); an answer that is not the JSON the operation expects raises ``ServiceError`` as
well; an empty id raises ``ValueError`` before anything is sent.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Collection, Mapping
from io import BytesIO
from typing import Any, TypeVar
from urllib.parse import quote

import aiohttp

from microsoft_agents.activity import (
    Activity,
    AgentsModel,
    AttachmentData,
    AttachmentInfo,
    ChannelAccount,
    ChannelId,
    ConversationParameters,
    ConversationResourceResponse,
    ConversationsResult,
    PagedMembersResult,
    ResourceResponse,
    RoleTypes,
    Transcript,
)
from microsoft_agents.hosting.core._errors import ServiceError
from microsoft_agents.hosting.core._outbound import OutboundHostValidator

from ._bases import AttachmentsBase, ConnectorClientBase, ConversationsBase
from ._transport import HttpTransport, RetryPolicy, ServiceResponse

__all__ = [
    "AttachmentsOperations",
    "ConnectorClient",
    "ConversationsOperations",
]

logger = logging.getLogger(__name__)

_ModelT = TypeVar("_ModelT", bound=AgentsModel)

MAX_CONVERSATION_ID_LENGTH = 150
"""The longest conversation id the connector accepts in a path; longer ones are cut."""

_AGENTS_CHANNEL = "agents"
_AGENTIC_ROLES = frozenset({RoleTypes.agentic_identity.value, RoleTypes.agentic_user.value})
_AGENTIC_UNSAFE = str.maketrans({"/": "_", "\\": "_", "#": "_", "?": "_"})

# Success statuses per operation kind (protocol.md §6).
_SEND_OK = (200, 201, 202)
_GET_OK = (200,)
_DELETE_ACTIVITY_OK = (200, 202)
_DELETE_MEMBER_OK = (200, 204)
# An attachment view answers with its bytes; a redirect is followed by the transport (each
# hop host-checked, the token dropped when it leaves the origin), and one it could not
# follow (no Location) gives no content.
_ATTACHMENT_OK = frozenset(range(200, 300)) | {301, 302}
_REDIRECTS = frozenset({301, 302})


# ---------------------------------------------------------------------- helpers shared
# by the connector, Teams, MCS and user-token clients of this package.


def _path_segment(value: str, name: str) -> str:
    """Percent-encode ``value`` as exactly one URL path segment.

    Raises:
        ValueError: ``value`` is empty or not a string.
    """
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return quote(value, safe="")


def _sends_as_agentic_identity(activity: Activity | None) -> bool:
    """Whether ``activity`` goes out from an agentic identity on the ``agents`` channel."""
    if activity is None or activity.from_property is None:
        return False
    if ChannelId.get_channel(activity.channel_id) != _AGENTS_CHANNEL:
        return False
    return activity.from_property.role in _AGENTIC_ROLES


def _conversation_segment(conversation_id: str, activity: Activity | None = None) -> str:
    """The path segment of a conversation id: sanitised, truncated, percent-encoded.

    Args:
        conversation_id: the conversation's id as the channel gave it.
        activity: the activity being sent, if any; it decides whether the agentic
            replacement of ``/ \\ # ?`` applies.

    Raises:
        ValueError: the id is empty.
    """
    if not isinstance(conversation_id, str) or not conversation_id:
        raise ValueError(f"conversation_id must be a non-empty string, got {conversation_id!r}")
    if _sends_as_agentic_identity(activity):
        conversation_id = conversation_id.translate(_AGENTIC_UNSAFE)
    if len(conversation_id) > MAX_CONVERSATION_ID_LENGTH:
        logger.debug(
            "Conversation id of %d characters cut to %d for the connector path",
            len(conversation_id),
            MAX_CONVERSATION_ID_LENGTH,
        )
        conversation_id = conversation_id[:MAX_CONVERSATION_ID_LENGTH]
    return _escape_segment(conversation_id)


def _activity_json(activity: Activity) -> dict[str, Any]:
    """The wire form of an outgoing activity: JSON mode, camelCase, no unset or None."""
    return activity.model_dump(mode="json", by_alias=True, exclude_unset=True, exclude_none=True)


def _activity_bytes(activity: Activity) -> bytes:
    """The same wire form as :func:`_activity_json`, encoded by pydantic in one step."""
    return activity.model_dump_json(by_alias=True, exclude_unset=True, exclude_none=True).encode()


@functools.lru_cache(maxsize=4096)
def _escape_segment(segment: str) -> str:
    # Conversation ids repeat turn after turn; quoting them is not free.
    return quote(segment, safe="")


def _model_json(model: AgentsModel) -> dict[str, Any]:
    """The wire form of any other request body."""
    return model.to_wire(exclude_none=True)


class _OperationGroup:
    """Shared plumbing of the operation groups: one transport, typed answers."""

    def __init__(self, transport: HttpTransport) -> None:
        self._transport = transport

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int | None] | None = None,
        json: Any = None,
        data: bytes | None = None,
        ok: Collection[int] = _GET_OK,
        allow_redirects: bool = True,
    ) -> ServiceResponse:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s %s", method, path.split("?", 1)[0])  # (a query may hold secrets)
        return await self._transport.request(
            method,
            path,
            params=params,
            json=json,
            data=data,
            ok=ok,
            allow_redirects=allow_redirects,
        )

    def _malformed(
        self, method: str, path: str, response: ServiceResponse, what: str, exc: Exception
    ) -> ServiceError:
        url = str(self._transport.url_for(path).with_query(None))
        logger.warning(
            "%s %s answered %d with a body that is not %s", method, url, response.status, what
        )
        return ServiceError(
            f"{method} {url} answered {response.status} with a body that is not {what}: {exc}",
            status=response.status,
            method=method,
            url=url,
            body=response.text(),
        )

    def _json(self, method: str, path: str, response: ServiceResponse) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise self._malformed(method, path, response, "JSON", exc) from exc

    def _parse(
        self, model: type[_ModelT], method: str, path: str, response: ServiceResponse
    ) -> _ModelT:
        """Parse the answer into ``model``; an empty body gives ``model()``."""
        body = response.body.strip()
        if not body or body == b"null":
            return model()
        try:
            # pydantic reads the bytes itself: no intermediate Python objects.
            return model.model_validate_json(response.body)
        except ValueError as invalid:
            problem: ValueError = invalid
            what = f"a {model.__name__}"
            try:
                response.json()
            except ValueError as not_json:
                what, problem = "JSON", not_json
            raise self._malformed(method, path, response, what, problem) from problem

    def _parse_list(
        self, model: type[_ModelT], method: str, path: str, response: ServiceResponse
    ) -> list[_ModelT]:
        """Parse a JSON array of ``model``; an empty body gives an empty list."""
        data = self._json(method, path, response)
        if data is None:
            return []
        what = f"a list of {model.__name__}"
        if not isinstance(data, list):
            raise self._malformed(method, path, response, what, TypeError(type(data).__name__))
        try:
            return [model.model_validate(item) for item in data]
        except ValueError as exc:
            raise self._malformed(method, path, response, what, exc) from exc

    async def _call(
        self,
        model: type[_ModelT],
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int | None] | None = None,
        json: Any = None,
        data: bytes | None = None,
        ok: Collection[int] = _GET_OK,
    ) -> _ModelT:
        response = await self._request(method, path, params=params, json=json, data=data, ok=ok)
        return self._parse(model, method, path, response)

    async def _call_list(
        self,
        model: type[_ModelT],
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int | None] | None = None,
        ok: Collection[int] = _GET_OK,
    ) -> list[_ModelT]:
        response = await self._request(method, path, params=params, ok=ok)
        return self._parse_list(model, method, path, response)


# ---------------------------------------------------------------------- operation groups


class ConversationsOperations(_OperationGroup, ConversationsBase):
    """``v3/conversations``: send, update and delete activities; read members."""

    async def get_conversations(self, continuation_token: str | None = None) -> ConversationsResult:
        """List the conversations the agent takes part in.

        Args:
            continuation_token: the token of the previous page, if any.

        Returns:
            One page of conversations and the token of the next one.
        """
        return await self._call(
            ConversationsResult,
            "GET",
            "v3/conversations",
            params={"continuationToken": continuation_token},
        )

    async def create_conversation(
        self, body: ConversationParameters
    ) -> ConversationResourceResponse:
        """Start a conversation (proactive messaging).

        Args:
            body: who takes part, the tenant, and optionally a first activity.

        Returns:
            The new conversation's id, and the id of the first activity if one was sent.
        """
        return await self._call(
            ConversationResourceResponse,
            "POST",
            "v3/conversations",
            json=_model_json(body),
            ok=_SEND_OK,
        )

    async def send_to_conversation(self, conversation_id: str, body: Activity) -> ResourceResponse:
        """Post an activity at the end of a conversation.

        Args:
            conversation_id: the conversation to post to.
            body: the activity to post.

        Returns:
            The id the channel gave the activity (empty when it gave none).
        """
        path = f"v3/conversations/{_conversation_segment(conversation_id, body)}/activities"
        return await self._call(
            ResourceResponse, "POST", path, data=_activity_bytes(body), ok=_SEND_OK
        )

    async def reply_to_activity(
        self, conversation_id: str, activity_id: str, body: Activity
    ) -> ResourceResponse:
        """Post an activity as a reply to another one (threaded where the channel threads).

        Args:
            conversation_id: the conversation to post to.
            activity_id: the activity being answered.
            body: the reply.

        Returns:
            The id the channel gave the reply (empty when it gave none).
        """
        path = self._activity_path(conversation_id, activity_id, body)
        return await self._call(
            ResourceResponse, "POST", path, data=_activity_bytes(body), ok=_SEND_OK
        )

    async def update_activity(
        self, conversation_id: str, activity_id: str, body: Activity
    ) -> ResourceResponse:
        """Replace an activity the agent sent earlier.

        Args:
            conversation_id: the conversation of the activity.
            activity_id: the activity to replace.
            body: its new content.

        Returns:
            The id of the updated activity (empty when the channel gave none).
        """
        path = self._activity_path(conversation_id, activity_id, body)
        return await self._call(
            ResourceResponse, "PUT", path, data=_activity_bytes(body), ok=_SEND_OK
        )

    async def delete_activity(self, conversation_id: str, activity_id: str) -> None:
        """Delete an activity the agent sent earlier.

        Args:
            conversation_id: the conversation of the activity.
            activity_id: the activity to delete.
        """
        path = self._activity_path(conversation_id, activity_id)
        await self._request("DELETE", path, ok=_DELETE_ACTIVITY_OK)

    async def get_conversation_members(self, conversation_id: str) -> list[ChannelAccount]:
        """List every member of a conversation.

        Args:
            conversation_id: the conversation.

        Returns:
            The members.
        """
        path = f"v3/conversations/{_conversation_segment(conversation_id)}/members"
        return await self._call_list(ChannelAccount, "GET", path)

    async def get_conversation_member(self, conversation_id: str, member_id: str) -> ChannelAccount:
        """Read one member of a conversation.

        Args:
            conversation_id: the conversation.
            member_id: the member's channel id.

        Returns:
            The member.
        """
        return await self._call(
            ChannelAccount, "GET", self._member_path(conversation_id, member_id)
        )

    async def delete_conversation_member(self, conversation_id: str, member_id: str) -> None:
        """Remove a member from a conversation.

        Args:
            conversation_id: the conversation.
            member_id: the member's channel id.
        """
        await self._request(
            "DELETE", self._member_path(conversation_id, member_id), ok=_DELETE_MEMBER_OK
        )

    async def get_activity_members(
        self, conversation_id: str, activity_id: str
    ) -> list[ChannelAccount]:
        """List the members an activity was addressed to.

        Args:
            conversation_id: the conversation.
            activity_id: the activity.

        Returns:
            The members.
        """
        path = self._activity_path(conversation_id, activity_id) + "/members"
        return await self._call_list(ChannelAccount, "GET", path)

    async def get_conversation_paged_members(
        self,
        conversation_id: str,
        page_size: int | None = None,
        continuation_token: str | None = None,
    ) -> PagedMembersResult:
        """List a conversation's members one page at a time.

        Only the parameters that are given go into the query string.

        Args:
            conversation_id: the conversation.
            page_size: how many members per page (the channel's default when ``None``).
            continuation_token: the token of the previous page, if any.

        Returns:
            One page of members and the token of the next one.
        """
        path = f"v3/conversations/{_conversation_segment(conversation_id)}/pagedmembers"
        params = {"pageSize": page_size, "continuationToken": continuation_token}
        return await self._call(PagedMembersResult, "GET", path, params=params)

    async def send_conversation_history(
        self, conversation_id: str, body: Transcript
    ) -> ResourceResponse:
        """Upload past activities into a conversation's history.

        Args:
            conversation_id: the conversation.
            body: the activities, in order.

        Returns:
            The channel's answer (often empty).
        """
        path = f"v3/conversations/{_conversation_segment(conversation_id)}/activities/history"
        return await self._call(ResourceResponse, "POST", path, json=_model_json(body), ok=_SEND_OK)

    async def upload_attachment(
        self, conversation_id: str, body: AttachmentData
    ) -> ResourceResponse:
        """Store a file in the channel's attachment store.

        Args:
            conversation_id: the conversation the attachment belongs to.
            body: the file, base64-encoded, with its type and name.

        Returns:
            The id of the stored attachment.
        """
        path = f"v3/conversations/{_conversation_segment(conversation_id)}/attachments"
        return await self._call(ResourceResponse, "POST", path, json=_model_json(body), ok=_SEND_OK)

    @staticmethod
    def _activity_path(
        conversation_id: str, activity_id: str, activity: Activity | None = None
    ) -> str:
        conversation = _conversation_segment(conversation_id, activity)
        activity_segment = _path_segment(activity_id, "activity_id")
        return f"v3/conversations/{conversation}/activities/{activity_segment}"

    @staticmethod
    def _member_path(conversation_id: str, member_id: str) -> str:
        conversation = _conversation_segment(conversation_id)
        return f"v3/conversations/{conversation}/members/{_path_segment(member_id, 'member_id')}"


class AttachmentsOperations(_OperationGroup, AttachmentsBase):
    """``v3/attachments``: read what was uploaded to the channel's attachment store."""

    async def get_attachment_info(self, attachment_id: str) -> AttachmentInfo:
        """Describe a stored attachment: its name, type and views.

        Args:
            attachment_id: the id ``upload_attachment`` returned.

        Returns:
            The attachment's description.
        """
        path = f"v3/attachments/{_path_segment(attachment_id, 'attachment_id')}"
        return await self._call(AttachmentInfo, "GET", path)

    async def get_attachment(self, attachment_id: str, view_id: str) -> BytesIO:
        """Download one view of a stored attachment.

        Redirects are followed (every hop goes through the host check, and the bearer
        token is dropped when a hop leaves the service's origin); a 301/302 that cannot
        be followed gives an empty stream.

        Args:
            attachment_id: the id ``upload_attachment`` returned.
            view_id: the view to download (``original``, ``thumbnail``, ...).

        Returns:
            The view's bytes.
        """
        attachment = _path_segment(attachment_id, "attachment_id")
        path = f"v3/attachments/{attachment}/views/{_path_segment(view_id, 'view_id')}"
        response = await self._request("GET", path, ok=_ATTACHMENT_OK)
        if response.status in _REDIRECTS:
            logger.info(
                "Attachment view %s of %s answered a redirect (%d) without a location",
                view_id,
                attachment_id,
                response.status,
            )
            return BytesIO()
        return BytesIO(response.body)


# ---------------------------------------------------------------------- the client


class ConnectorClient(ConnectorClientBase):
    """A client of one channel's Bot Connector endpoint (the activity's ``serviceUrl``).

    One ``aiohttp.ClientSession`` serves every call of the client. A session passed in is
    used and left open; otherwise the client creates one and :meth:`close` closes it (use
    ``async with`` or call ``close()``).

    Args:
        endpoint: the service URL; a trailing ``/`` is added and its path is kept.
        token: the bearer token for the connector; empty for anonymous (development)
            traffic, in which case no ``Authorization`` header is sent.
        session: a session to share; not closed by this client.
        retry: the timeout and retry policy of every call.
        host_validator: refuses calls to hosts that are not allowed, before anything is
            sent.
    """

    def __init__(
        self,
        endpoint: str,
        token: str,
        *,
        session: aiohttp.ClientSession | None = None,
        retry: RetryPolicy | None = None,
        host_validator: OutboundHostValidator | None = None,
    ) -> None:
        if not endpoint:
            raise ValueError(
                "ConnectorClient needs the channel's service URL, got an empty endpoint"
            )
        self._transport = HttpTransport(
            endpoint,
            token=token or None,
            session=session,
            retry=retry,
            host_validator=host_validator,
        )
        self._conversations = ConversationsOperations(self._transport)
        self._attachments = AttachmentsOperations(self._transport)
        # Typed calls outside the two groups (subclasses add theirs through it).
        self._calls = _OperationGroup(self._transport)

    @property
    def base_uri(self) -> str:
        """The service URL every call is relative to (always ends with ``/``)."""
        return self._transport.base_url

    @property
    def conversations(self) -> ConversationsOperations:
        """The conversation operations."""
        return self._conversations

    @property
    def attachments(self) -> AttachmentsOperations:
        """The attachment operations."""
        return self._attachments

    async def close(self) -> None:
        """Close the HTTP session if this client created it."""
        await self._transport.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(endpoint={self.base_uri!r})"
