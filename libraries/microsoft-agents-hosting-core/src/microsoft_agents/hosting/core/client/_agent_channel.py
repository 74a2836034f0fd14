"""Calling another agent: ``HttpAgentChannel`` and ``HttpAgentChannelFactory``.

A *caller* agent passes an activity to a *callee* agent by POSTing it to the callee's
messaging endpoint, the way a channel would (protocol.md §12.1)::

    factory = HttpAgentChannelFactory()
    channel = factory.create_channel(connection_manager.get_default_connection())
    answer = await channel.post_activity(
        to_agent_id=SKILL_APP_ID,
        to_agent_resource=SKILL_APP_ID,          # or the resource URL of its token
        endpoint="https://skill.example/api/messages",
        service_url="https://me.example/api/botresponse/",
        conversation_id=conversation_id,         # from ConversationIdFactory
        activity=context.activity,
    )

The activity is sent as a copy whose ``conversation.id`` is the new id, whose
``serviceUrl`` is this agent's callback address (the callee answers there, see
``channel_service_route_table``), whose ``relatesTo`` is the original conversation
(``serviceUrl``, ``activityId``, ``channelId``, ``locale`` and ``conversation``) and whose
recipient has the ``skill`` role. An invoke goes without ``deliveryMode: expectReplies``
(its answer is the invoke response, activity-requirements A3114), and so does any activity
sent to a callee not known to answer ``expectReplies`` (A3115): a channel is made with
``supports_expect_replies=True`` only for callees configured so (``ChannelInfo``'s
``supports_expect_replies``), since a callee that cannot buffer its replies would answer
an empty 200 and the replies would be lost. Without it, the callee's replies come to the
callback routes as they do for a normal activity. The request carries a
token for the callee (``<callee app id>/.default``; none when the token provider is
anonymous) and the ``x-ms-conversation-id`` header. The result is the callee's HTTP answer
as an ``InvokeResponse`` (status and JSON body, or text): 2xx means the callee took it, any
other status is a failure whose body is returned as the callee sent it.

The factory keeps one HTTP session for all its channels; close it at shutdown.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import aiohttp
from pydantic import ValidationError

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationReference,
    DeliveryModes,
    InvokeResponse,
    RoleTypes,
)
from microsoft_agents.hosting.core._errors import ServiceError
from microsoft_agents.hosting.core.authorization import AccessTokenProviderBase

__all__ = ["ConversationConstants", "HttpAgentChannel", "HttpAgentChannelFactory"]

logger = logging.getLogger(__name__)

_TIMEOUT = aiohttp.ClientTimeout(total=30)


class ConversationConstants:
    """Names used between a caller agent and the agents it calls."""

    CONVERSATION_ID_HTTP_HEADER_NAME = "x-ms-conversation-id"


class HttpAgentChannel:
    """Posts activities to one callee agent's messaging endpoint.

    Args:
        token_access: the token provider for the callee's audience (this agent's
            connection); an anonymous provider sends no token.
        session: an HTTP session to borrow, or a function giving one at the first post
            (the factory's); by default one is opened on first use and closed by
            :meth:`close`.
        supports_expect_replies: the callee is known to answer ``deliveryMode:
            expectReplies`` with its replies in the HTTP answer (an agent built on this
            SDK does); otherwise that delivery mode is not passed on (A3115).
    """

    def __init__(
        self,
        token_access: AccessTokenProviderBase,
        *,
        session: aiohttp.ClientSession | Callable[[], aiohttp.ClientSession] | None = None,
        supports_expect_replies: bool = False,
    ) -> None:
        if token_access is None:
            raise TypeError("HttpAgentChannel needs a token provider (a connection)")
        self._token_access = token_access
        self.supports_expect_replies = supports_expect_replies
        self._borrowed = session
        self._session: aiohttp.ClientSession | None = None
        self._owns_session = False

    def _get_session(self) -> aiohttp.ClientSession:
        borrowed = self._borrowed
        if isinstance(borrowed, aiohttp.ClientSession):
            return borrowed
        if borrowed is not None:
            return borrowed()
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=_TIMEOUT)
            self._owns_session = True
        return self._session

    async def close(self) -> None:
        """Close the session if this channel opened it."""
        if self._owns_session and self._session is not None and not self._session.closed:
            await self._session.close()

    async def post_activity(
        self,
        to_agent_id: str,
        to_agent_resource: str,
        endpoint: str,
        service_url: str,
        conversation_id: str,
        activity: Activity,
        *,
        response_body_type: type[Any] | None = None,
        **kwargs: Any,
    ) -> InvokeResponse:
        """Send ``activity`` to the callee (see the module docs for what is sent).

        Args:
            to_agent_id: the callee's app id (its token audience).
            to_agent_resource: the resource the token is asked for.
            endpoint: the callee's messaging endpoint.
            service_url: this agent's callback base URL.
            conversation_id: the conversation id the callee sees.
            activity: the activity to pass on (not modified).
            response_body_type: a model to parse a 2xx JSON answer into (for invokes); an
                answer that does not fit it, or a non-2xx one, is returned as parsed JSON
                (or text).

        Returns:
            The callee's status and body.

        Raises:
            ValueError: ``endpoint`` or ``conversation_id`` is empty.
            ServiceError: the callee could not be reached.
        """
        if not endpoint:
            raise ValueError("post_activity needs the callee's endpoint")
        if not conversation_id:
            raise ValueError("post_activity needs the conversation id the callee sees")
        outgoing = activity.model_copy(deep=True)
        outgoing.relates_to = _relates_to(activity)
        if outgoing.delivery_mode == DeliveryModes.expect_replies:
            if outgoing.type == ActivityTypes.invoke:
                logger.info(
                    "dropped deliveryMode expectReplies from the invoke %r sent to %s: an "
                    "invoke is answered by its invoke response, not by expected replies",
                    outgoing.name,
                    endpoint,
                )
                outgoing.delivery_mode = None
            elif not self.supports_expect_replies:
                logger.info(
                    "dropped deliveryMode expectReplies from the %s sent to %s: that agent is "
                    "not known to answer it (configure supports_expect_replies if it does); "
                    "its replies come to the callback routes instead",
                    outgoing.type,
                    endpoint,
                )
                outgoing.delivery_mode = None
        if outgoing.conversation is not None:
            outgoing.conversation.id = conversation_id
        outgoing.service_url = service_url
        recipient = outgoing.recipient or ChannelAccount()
        recipient.role = RoleTypes.skill
        outgoing.recipient = recipient

        headers = {
            "Content-Type": "application/json",
            ConversationConstants.CONVERSATION_ID_HTTP_HEADER_NAME: conversation_id,
        }
        scopes = [f"{to_agent_id}/.default"] if to_agent_id else []
        token = await self._token_access.get_access_token(to_agent_resource, scopes)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        body = json.dumps(outgoing.to_wire(exclude_none=True), separators=(",", ":"))
        try:
            async with self._get_session().post(endpoint, data=body, headers=headers) as response:
                status = response.status
                text = await response.text()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise ServiceError(
                f"could not reach the agent at {endpoint}: {type(error).__name__}",
                status=0,
                method="POST",
                url=endpoint,
            ) from error
        if status >= 300:
            logger.warning("the agent at %s answered %s", endpoint, status)
        answer = _parse(text)
        if 200 <= status < 300 and answer is not None:
            answer = _to_model(answer, response_body_type, endpoint)
        return InvokeResponse(status=status, body=answer)


def _relates_to(activity: Activity) -> ConversationReference:
    """The original conversation, as §12.1 sends it: no user, agent or delivery mode."""
    reference = activity.get_conversation_reference()
    return ConversationReference(
        service_url=reference.service_url,
        activity_id=reference.activity_id,
        channel_id=reference.channel_id,
        locale=reference.locale,
        conversation=reference.conversation,
    )


def _parse(text: str) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _to_model(data: Any, model: type[Any] | None, endpoint: str) -> Any:
    if model is None or not hasattr(model, "model_validate"):
        return data
    try:
        return model.model_validate(data)
    except ValidationError as error:
        logger.info(
            "the answer of the agent at %s is not a %s (%s error(s)); returned as sent",
            endpoint,
            model.__name__,
            error.error_count(),
        )
        return data


class HttpAgentChannelFactory:
    """Creates :class:`HttpAgentChannel` objects sharing one HTTP session."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    def create_channel(
        self, token_access: AccessTokenProviderBase, *, supports_expect_replies: bool = False
    ) -> HttpAgentChannel:
        """A channel that authenticates with ``token_access``.

        ``supports_expect_replies``: the callee is known to answer ``expectReplies`` (see
        :class:`HttpAgentChannel`).
        """
        return HttpAgentChannel(
            token_access,
            session=self._get_session,
            supports_expect_replies=supports_expect_replies,
        )

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=_TIMEOUT)
        return self._session

    async def close(self) -> None:
        """Close the shared session (call once, at shutdown)."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
