"""``ChannelServiceAdapter``: turns for channels reached through a Bot Connector service.

This adapter runs a turn for an activity a channel sent (Teams, Web Chat, Copilot, another
agent) and carries the agent's answers back over the channel's Bot Connector REST API. The
HTTP layer (:class:`~microsoft_agents.hosting.core.HttpAdapterBase`, and the aiohttp
``CloudAdapter`` built on it) verifies the caller's token, then calls
:meth:`ChannelServiceAdapter.process_activity` with the caller's claims.

One turn, step by step:

1. a :class:`TurnContext` is created; the caller's identity is kept in ``turn_state``
   under ``AGENT_IDENTITY_KEY`` and the token audience for replies under
   ``OAUTH_SCOPE_KEY``;
2. the clients of the turn are made by the channel service client factory: a user-token
   client (``context.services.get(UserTokenClientBase)``, also in ``turn_state`` under
   ``USER_TOKEN_CLIENT_KEY``) and, unless the caller asked for ``expectReplies``, a
   connector client (``context.services.get(ConnectorClientBase)``);
3. the middleware and the agent run; what they send comes to :meth:`send_activities`;
4. the clients are closed and the synchronous answer is returned: the invoke response
   for an ``invoke`` (501 when the agent gave none), ``{"activities": [...]}`` with status
   200 for ``expectReplies``, nothing for every other activity (the HTTP answer is 202).

Sending (:meth:`send_activities`), per activity: an ``invokeResponse`` is kept for the HTTP
answer, never posted; a ``delay`` pauses for its ``value`` in milliseconds (capped at
:attr:`ChannelServiceAdapter.max_delay_ms`); a ``trace`` is posted only to the Bot Framework
Emulator; anything else is a *reply-to-activity* call when ``replyToId`` is set, else a
*send-to-conversation* call.

Delivery modes. ``expectReplies`` buffers every reply for the HTTP answer (no connector
client is created and the activity may lack a ``serviceUrl``). ``stream`` hands each reply,
as it is sent, to the ``reply_sink`` the HTTP layer gives :meth:`process_activity` (which
writes it to the streamed HTTP response); no connector client is created either.

Long-running turns. :meth:`run_detached` (used by ``AgentApplication`` with
``long_running_messages=True``) lets the HTTP request be answered at once while the rest
of the turn runs as a background task that keeps the turn's clients, replies through the
connector and is awaited by :meth:`drain` at shutdown.

Proactive messages: :meth:`continue_conversation` (for your own app id) and
:meth:`continue_conversation_with_claims` run a turn in an existing conversation;
:meth:`create_conversation` starts a new one and runs the callback on an ``event`` named
``CreateConversation``.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from types import ModuleType
from typing import Any

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    CallerIdConstants,
    ChannelId,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
    DeliveryModes,
    InvokeResponse,
    ResourceResponse,
)

from ._channel_adapter import (
    DETACHED_KEY,
    ChannelAdapter,
    OnTurnErrorHandler,
    _finish_stream,
    is_detached,
)
from ._channel_service_client_factory import (
    BOT_FRAMEWORK_AUDIENCE,
    ChannelServiceClientFactoryBase,
    is_anonymous_identity,
)
from ._errors import AdapterError, AuthConfigurationError
from ._middleware import TurnCallback
from ._turn_context import (
    INVOKE_RESPONSE_KEY,
    REPLY_SINK_KEY,
    TurnContext,
    read_invoke_response,
)
from .authorization import ClaimsIdentity
from .connector import ConnectorClientBase, UserTokenClientBase
from .header_propagation import AgenticHeaderProvider, HeaderPropagationContext
from .http._deliveries import DELIVERY_KEY, Delivery

__all__ = ["REPLY_SINK_KEY", "ChannelServiceAdapter", "ReplySink"]

logger = logging.getLogger(__name__)

CANCELLED_TURN_GRACE = 3.0
"""Seconds a background turn cancelled at shutdown gets to end (to close its stream)."""

# Enum members read once: attribute access on an Enum class is slow, and these are read
# on every turn.
_INVOKE = ActivityTypes.invoke.value
_INVOKE_RESPONSE = ActivityTypes.invoke_response.value
_TRACE = ActivityTypes.trace.value
_EXPECT_REPLIES = DeliveryModes.expect_replies.value
_STREAM = DeliveryModes.stream.value

_DELAY_TYPE = "delay"
_DEFAULT_DELAY_MS = 1000
_EMULATOR = "emulator"
_CREATE_CONVERSATION_EVENT = "CreateConversation"
_INBOUND_KEY = "microsoft_agents.inbound_turn"

ReplySink = Callable[[Activity], Awaitable[None]]
"""``async sink(activity)``: takes each reply of a ``deliveryMode: stream`` turn."""

# What an AgentName header keeps of a name: letters, digits, space, ".", "_" and "-".
_NOT_IN_AGENT_NAME = re.compile(r"[^A-Za-z0-9 ._-]")


def _agent_name(callback: TurnCallback) -> str | None:
    """The name of the agent that ``callback`` runs, for the ``AgentName`` header.

    The callback is normally the agent's bound ``on_turn``: the agent's ``agent_name``
    attribute names it when it is a string that keeps something once cleaned, else its
    class name does (``AgentApplication``). A plain function is no agent: no name.
    """
    agent = getattr(callback, "__self__", None)
    if agent is None or isinstance(agent, ModuleType):
        return None
    given = getattr(agent, "agent_name", None)
    if isinstance(given, str):
        name = _NOT_IN_AGENT_NAME.sub("", given).strip()
        if name:
            return name
    return _NOT_IN_AGENT_NAME.sub("", type(agent).__name__) or None


async def _pause(seconds: float) -> None:
    """Wait between two sends (a seam for tests)."""
    await asyncio.sleep(seconds)


def _delay_ms(activity: Activity) -> int:
    value = activity.value
    if value is None:
        return _DEFAULT_DELAY_MS
    try:
        milliseconds = int(value)
    except (TypeError, ValueError):
        logger.warning(
            "the value of a delay activity is not a number of milliseconds (%r); waiting %s ms",
            type(value).__name__,
            _DEFAULT_DELAY_MS,
        )
        return _DEFAULT_DELAY_MS
    return max(milliseconds, 0)


# turn_state key: the header providers of the turn this one was started in, if any.
_OUTER_HEADER_PROVIDERS_KEY = "microsoft_agents.outer_header_providers"


def _restore_outer_headers(context: TurnContext) -> None:
    """End a turn's header providers: those of the turn it was started in come back.

    A proactive send from a handler runs its turn in the handler's own task; without
    this, the outer turn's later requests would lose their agentic headers (§12.4).
    """
    HeaderPropagationContext.reset()
    for provider in context.turn_state.get(_OUTER_HEADER_PROVIDERS_KEY, ()):
        HeaderPropagationContext.register(provider)


class ChannelServiceAdapter(ChannelAdapter):
    """An adapter that answers channels through their Bot Connector service.

    Args:
        channel_service_client_factory: makes the connector and user-token clients of
            each turn (usually a ``RestChannelServiceClientFactory``).
        on_turn_error: called when a turn raises (see :class:`ChannelAdapter`).
        max_delay_ms: the longest pause a ``delay`` activity may cause.
    """

    max_delay_ms: int = 10_000
    """Upper bound, in milliseconds, of the pause a ``delay`` activity causes."""

    def __init__(
        self,
        channel_service_client_factory: ChannelServiceClientFactoryBase,
        *,
        on_turn_error: OnTurnErrorHandler | None = None,
        max_delay_ms: int | None = None,
    ) -> None:
        super().__init__(on_turn_error=on_turn_error)
        if channel_service_client_factory is None:
            raise TypeError(
                "ChannelServiceAdapter needs a channel service client factory, for example "
                "RestChannelServiceClientFactory(connection_manager)"
            )
        self._channel_service_client_factory = channel_service_client_factory
        if max_delay_ms is not None:
            self.max_delay_ms = max_delay_ms
        self._background: set[asyncio.Task[None]] = set()
        # How many requests' turns run right now (in the HTTP handlers): at shutdown
        # aiohttp cancels those that outlive its timeout without waiting for them, and
        # the session must stay open while they close their streams (settle_request_turns,
        # which sets _request_turns_over to be told when the count reaches zero).
        self._request_turns = 0
        self._request_turns_over: asyncio.Event | None = None

    @property
    def channel_service_client_factory(self) -> ChannelServiceClientFactoryBase:
        """The factory that makes each turn's clients."""
        return self._channel_service_client_factory

    # ------------------------------------------------------------------ to the channel

    async def send_activities(
        self, context: TurnContext, activities: Sequence[Activity]
    ) -> list[ResourceResponse]:
        """Deliver ``activities`` in order; see the module docs for the per-type rules.

        Args:
            context: the turn sending them.
            activities: the activities, already addressed by the context.

        Returns:
            One receipt per activity; an empty one for activities that were kept,
            dropped or answered without an id.

        Raises:
            AdapterError: there is no connector client for the turn.
        """
        responses: list[ResourceResponse] = []
        for activity in activities:
            activity_type = activity.type
            if activity_type == _INVOKE_RESPONSE:
                context.turn_state[INVOKE_RESPONSE_KEY] = activity
                responses.append(ResourceResponse())
            elif activity_type == _DELAY_TYPE:
                milliseconds = min(_delay_ms(activity), self.max_delay_ms)
                await _pause(milliseconds / 1000)
                responses.append(ResourceResponse())
            elif activity_type == _TRACE and not _is_emulator(activity):
                logger.debug("dropped a trace activity: only the Emulator receives them")
                responses.append(ResourceResponse())
            elif context.activity.delivery_mode == _EXPECT_REPLIES:
                context.buffered_reply_activities.append(activity)
                responses.append(ResourceResponse())
            elif (sink := context.turn_state.get(REPLY_SINK_KEY)) is not None:
                await sink(activity)
                responses.append(ResourceResponse())
            else:
                responses.append(await self._post(context, activity))
        return responses

    async def _post(self, context: TurnContext, activity: Activity) -> ResourceResponse:
        client = self._connector_client(context)
        conversation_id = _conversation_id(activity)
        if activity.reply_to_id:
            response = await client.conversations.reply_to_activity(
                conversation_id, activity.reply_to_id, activity
            )
        else:
            response = await client.conversations.send_to_conversation(conversation_id, activity)
        return response if response is not None else ResourceResponse()

    @staticmethod
    def _connector_client(context: TurnContext) -> ConnectorClientBase:
        client = context.services.get(ConnectorClientBase)
        if client is None:
            raise AdapterError(
                "this turn has no connector client, so nothing can be posted to the channel "
                "(a turn for an expectReplies request answers in the HTTP response instead)"
            )
        return client

    async def update_activity(
        self, context: TurnContext, activity: Activity
    ) -> ResourceResponse | None:
        """Replace an activity sent earlier (``activity.id`` names it).

        Raises:
            AdapterError: the turn has no connector client.
            ValueError: the activity has no id or no conversation.
        """
        if not activity.id:
            raise ValueError("update_activity needs the id of the activity to replace")
        client = self._connector_client(context)
        return await client.conversations.update_activity(
            _conversation_id(activity), activity.id, activity
        )

    async def delete_activity(self, context: TurnContext, reference: ConversationReference) -> None:
        """Delete an activity sent earlier.

        Raises:
            AdapterError: the turn has no connector client.
            ValueError: the reference has no activity id.
        """
        conversation_id = reference.conversation.id if reference.conversation else None
        if not reference.activity_id or not conversation_id:
            raise ValueError(
                "delete_activity needs the reference's conversation id and activity_id"
            )
        client = self._connector_client(context)
        await client.conversations.delete_activity(conversation_id, reference.activity_id)

    # ------------------------------------------------------------------ incoming turns

    async def process_activity(
        self,
        claims_identity: ClaimsIdentity,
        activity: Activity,
        callback: TurnCallback,
        *,
        reply_sink: ReplySink | None = None,
    ) -> InvokeResponse | None:
        """Run a turn for an activity a channel sent, with the caller's verified claims.

        Args:
            claims_identity: the claims of the caller's token (empty when anonymous).
            activity: the incoming activity.
            callback: the agent, usually ``agent.on_turn``; on an agentic request the
                agent's ``agent_name`` (else its class name) is sent as ``AgentName``.
            reply_sink: for ``deliveryMode: stream``, where each reply goes as it is
                sent (the HTTP layer writes it to the streamed response); without one a
                ``stream`` activity is answered like a ``normal`` one.

        Returns:
            The synchronous answer: the invoke response of an ``invoke`` (status 501 when
            none was produced), ``InvokeResponse(200, {"activities": [...]})`` for
            ``expectReplies``, and None for every other activity.

        Raises:
            OutboundRequestRefusedError: the activity's serviceUrl may not receive a token.
            ValueError: the activity has no conversation, or no serviceUrl when one is
                needed.
        """
        answer = await self._process_activity(
            claims_identity, activity, callback, reply_sink=reply_sink, encode_replies=False
        )
        assert not isinstance(answer, bytes)  # only with encode_replies
        return answer

    async def _process_activity(
        self,
        claims_identity: ClaimsIdentity,
        activity: Activity,
        callback: TurnCallback,
        *,
        reply_sink: ReplySink | None,
        encode_replies: bool,
        delivery: Delivery | None = None,
    ) -> InvokeResponse | bytes | None:
        """:meth:`process_activity`; ``encode_replies`` gives the expectReplies answer as
        the JSON bytes of the HTTP body (what the HTTP core sends, status 200) instead of
        an ``InvokeResponse`` holding dicts; ``delivery`` is the activity's entry among the
        recent deliveries, held while a background part of the turn runs."""
        conversation = activity.conversation
        if conversation is None or not conversation.id:
            raise ValueError("the activity has no conversation.id, so it cannot be answered")
        # callerId says who sent the activity; only the validated token may say it, never
        # the payload (A2251, A2252).
        if not claims_identity.claims:  # anonymous: no caller to name, the default audience
            if activity.caller_id is not None:
                activity.caller_id = None
                activity.model_fields_set.discard("caller_id")
            audience = BOT_FRAMEWORK_AUDIENCE
        else:
            if claims_identity.is_agent_claim():
                activity.caller_id = (
                    f"{CallerIdConstants.agent_to_agent_prefix}"
                    f"{claims_identity.get_outgoing_app_id()}"
                )
            else:
                issuer = str(claims_identity.get_claim_value("iss") or "")
                activity.caller_id = (
                    CallerIdConstants.us_gov_channel
                    if "botframework.us" in issuer
                    else CallerIdConstants.public_azure_channel
                )
            audience = self._audience_of(claims_identity)
        delivery_mode = activity.delivery_mode
        expects_replies = delivery_mode == _EXPECT_REPLIES
        streamed = delivery_mode == _STREAM and reply_sink is not None
        if delivery_mode == _STREAM and reply_sink is None:
            logger.debug("deliveryMode 'stream' without a reply sink is handled as 'normal'")
        context = self._new_context(claims_identity, activity, audience, callback)
        context.turn_state[_INBOUND_KEY] = True
        if delivery is not None:
            context.turn_state[DELIVERY_KEY] = delivery
        if streamed:
            context.turn_state[REPLY_SINK_KEY] = reply_sink
        self._request_turns += 1
        try:
            await self._attach_clients(
                context, claims_identity, audience, connector=not (expects_replies or streamed)
            )
            await self.run_pipeline(context, callback)
        finally:
            try:
                if not is_detached(context):
                    if _OWNED_CLIENTS_KEY in context.turn_state:
                        await self._release(context)
                    else:  # the usual turn: no client to close, no coroutine to run
                        _restore_outer_headers(context)
            finally:
                # Counted out once its clients are closed: only then may the session go.
                self._request_turns -= 1
                if self._request_turns_over is not None and not self._request_turns:
                    self._request_turns_over.set()

        if expects_replies:
            buffered = context.buffered_reply_activities
            if encode_replies:
                return encode_expected_replies(buffered)
            replies = [reply.to_wire(exclude_none=True) for reply in buffered]
            return InvokeResponse(status=200, body={"activities": replies})
        if activity.type == _INVOKE:
            answer = read_invoke_response(context)
            return answer if answer is not None else InvokeResponse(status=501)
        return None

    # ------------------------------------------------------------------ background turns

    async def run_detached(self, context: TurnContext, work: Callable[[], Awaitable[None]]) -> None:
        """Acknowledge the request now and run the rest of the turn in the background.

        Only a turn that :meth:`process_activity` started for an activity whose answer
        does not depend on the turn (not an ``invoke``, not ``expectReplies`` or
        ``stream``) is detached; any other runs ``work`` at once. A detached turn keeps
        its clients until it ends, replies to the conversation through the connector,
        hands its errors to :attr:`on_turn_error`, and is awaited by :meth:`drain`.

        Args:
            context: the turn.
            work: the rest of the turn.
        """
        activity = context.activity
        if (
            not context.turn_state.get(_INBOUND_KEY)
            or is_detached(context)
            or activity.type == ActivityTypes.invoke
            or activity.delivery_mode in (DeliveryModes.expect_replies, DeliveryModes.stream)
        ):
            await work()
            return
        context.turn_state[DETACHED_KEY] = True
        task = self.run_in_background(self._finish_detached(context, work))
        delivery = context.turn_state.get(DELIVERY_KEY)
        if isinstance(delivery, Delivery):
            # A repeat of the activity must still find it while the turn goes on.
            delivery.hold_while(task)

    async def _finish_detached(
        self, context: TurnContext, work: Callable[[], Awaitable[None]]
    ) -> None:
        try:
            await self._run_guarded(context, work())
            # The foreground left the stream alone (see _run_guarded); end it here.
            await _finish_stream(context)
        except Exception:
            logger.exception(
                "a long-running turn of conversation %r failed and no on_turn_error handled it",
                context.activity.conversation.id if context.activity.conversation else None,
            )
        finally:
            await self._release(context)

    def run_in_background(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run ``work`` as a background task that :meth:`drain` waits for.

        Args:
            work: the coroutine; it should handle its own errors (what escapes is logged).

        Returns:
            The task.
        """
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background_done)
        return task

    def _background_done(self, task: asyncio.Task[None]) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("a background turn failed", exc_info=task.exception())

    @property
    def background_turns(self) -> int:
        """How many background turns (long-running, streamed) are still running."""
        return len(self._background)

    async def drain(self, timeout: float | None = None) -> bool:
        """Wait for the background turns to finish; cancel those still running after ``timeout``.

        Call it at shutdown, before closing the clients' HTTP session (``create_app``
        and ``CloudAdapter.close`` do).

        A cancelled turn gets up to ``CANCELLED_TURN_GRACE`` seconds more to end (it may
        be closing its stream on the channel); one still running after that is left.

        Args:
            timeout: seconds to wait; None waits as long as it takes.

        Returns:
            True when every background turn finished by itself.
        """
        waited = 0
        while self._background:
            running = set(self._background)
            waited += len(running)
            _, pending = await asyncio.wait(running, timeout=timeout)
            if pending:
                logger.warning(
                    "cancelling %d background turn(s) still running after %s s of shutdown",
                    len(pending),
                    timeout,
                )
                for task in pending:
                    task.cancel()
                # A cancelled turn may still close its stream on the channel; a channel
                # that does not answer must not hold the shutdown past this grace.
                _, stuck = await asyncio.wait(pending, timeout=CANCELLED_TURN_GRACE)
                if stuck:
                    logger.warning(
                        "%d cancelled background turn(s) did not end within %s s; "
                        "shutting down without them",
                        len(stuck),
                        CANCELLED_TURN_GRACE,
                    )
                return False
        if waited:
            logger.info("%d background turn(s) finished before shutdown", waited)
        return True

    async def settle_request_turns(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the turns of requests still being handled.

        At the end of its graceful shutdown aiohttp cancels the request handlers still
        running and goes on without waiting for them; a cancelled turn then closes its
        stream on the channel (``streamResult: cancelled``), which needs the clients' HTTP
        session. Call it after :meth:`drain`, before closing that session
        (``CloudAdapter.close`` does; not from inside a turn, which would wait for
        itself). It cancels nothing.

        Args:
            timeout: the longest wait, in seconds.

        Returns:
            True when no request turn was left running.
        """
        if not self._request_turns:
            return True
        over = self._request_turns_over = asyncio.Event()
        try:
            await asyncio.wait_for(over.wait(), timeout)
        except asyncio.TimeoutError:
            logger.warning(
                "closing the HTTP session while %d request turn(s) still run: their "
                "replies will not be delivered",
                self._request_turns,
            )
            return False
        finally:
            self._request_turns_over = None
        return True

    @staticmethod
    def _audience_of(claims_identity: ClaimsIdentity) -> str:
        # app://<caller> for an agent that called this one, else the Bot Framework's.
        return claims_identity.get_token_audience() or BOT_FRAMEWORK_AUDIENCE

    def _new_context(
        self,
        claims_identity: ClaimsIdentity,
        activity: Activity,
        audience: str,
        callback: TurnCallback,
    ) -> TurnContext:
        context = TurnContext(self, activity, claims_identity)
        context.turn_state[self.AGENT_IDENTITY_KEY] = claims_identity
        context.turn_state[self.OAUTH_SCOPE_KEY] = audience
        outer = HeaderPropagationContext.providers()
        if outer:  # a turn started inside another's (a proactive send from a handler)
            context.turn_state[_OUTER_HEADER_PROVIDERS_KEY] = outer
            HeaderPropagationContext.reset()
        if activity.is_agentic_request():
            # Protocol §12.4: AgentName is the name of the agent (application) run.
            HeaderPropagationContext.register(
                AgenticHeaderProvider(activity, agent_name=_agent_name(callback))
            )
        return context

    async def _attach_clients(
        self,
        context: TurnContext,
        claims_identity: ClaimsIdentity,
        audience: str,
        *,
        connector: bool,
        service_url: str | None = None,
    ) -> None:
        factory = self._channel_service_client_factory
        # Without authentication (development mode) no token can be had: a proactive turn
        # for an app id is as anonymous as any other.
        anonymous = is_anonymous_identity(claims_identity) or not factory.auth_configured
        if connector:
            # The connector client first: its URL checks run before any token is fetched.
            url = service_url or context.activity.service_url
            if not url:
                raise ValueError(
                    "the activity has no serviceUrl, so the agent's replies cannot be "
                    "delivered; send one (or use deliveryMode 'expectReplies')"
                )
            connector_client = await factory.create_connector_client(
                context, claims_identity, url, audience, use_anonymous=anonymous
            )
            context.services.set(ConnectorClientBase, connector_client)
            if not factory.keeps_client(connector_client):
                _close_at_end(context, connector_client)
        user_token_client = await factory.create_user_token_client(
            context, claims_identity, use_anonymous=anonymous
        )
        context.services.set(UserTokenClientBase, user_token_client)
        context.turn_state[self.USER_TOKEN_CLIENT_KEY] = user_token_client
        if not factory.keeps_client(user_token_client):
            _close_at_end(context, user_token_client)

    async def _release(self, context: TurnContext) -> None:
        """Close the clients the factory made for this turn alone (not those it shares)."""
        owned: list[Any] | None = context.turn_state.pop(_OWNED_CLIENTS_KEY, None)
        try:
            for client in owned or ():
                await _close_logging_errors(client)
        finally:
            _restore_outer_headers(context)

    # ------------------------------------------------------------------ proactive turns

    def create_claims_identity(self, agent_app_id: str = "") -> ClaimsIdentity:
        """The identity of a proactive turn this agent starts itself.

        Args:
            agent_app_id: the agent's app (client) id; empty for an agent without
                authentication (the turn is then anonymous and sends no token).

        Returns:
            A ``ClaimsIdentity`` with ``aud`` and ``appid`` set to ``agent_app_id``.
        """
        return ClaimsIdentity({"aud": agent_app_id, "appid": agent_app_id})

    async def continue_conversation(
        self,
        agent_app_id: str,
        continuation_activity: Activity | ConversationReference,
        callback: TurnCallback,
    ) -> None:
        """Run ``callback`` in a proactive turn of an existing conversation.

        Args:
            agent_app_id: this agent's app (client) id.
            continuation_activity: the activity of the turn, or the stored reference of
                the conversation (its ``ContinueConversation`` event is used); it needs a
                conversation and a serviceUrl.
            callback: the code to run, usually ``agent.on_turn``.

        Raises:
            AuthConfigurationError: ``agent_app_id`` is empty while authentication is
                configured (the messages would go without a token, and be refused).
            ValueError: the activity lacks a conversation or a serviceUrl.
            OutboundRequestRefusedError: the serviceUrl may not receive a token.
        """
        if not agent_app_id and self._channel_service_client_factory.auth_configured:
            raise AuthConfigurationError(
                "continue_conversation needs this agent's app id (its CLIENTID) when "
                "authentication is configured: without one its messages would go without "
                "a token, and the channel would refuse them.",
                setting="CLIENTID",
            )
        if isinstance(continuation_activity, ConversationReference):
            activity = continuation_activity.get_continuation_activity()
        else:
            activity = continuation_activity
        await self.process_proactive(
            self.create_claims_identity(agent_app_id), activity, BOT_FRAMEWORK_AUDIENCE, callback
        )

    async def continue_conversation_with_claims(
        self,
        claims_identity: ClaimsIdentity,
        continuation_activity: Activity,
        callback: TurnCallback,
        audience: str | None = None,
    ) -> None:
        """Run a proactive turn on behalf of ``claims_identity``.

        Args:
            claims_identity: the identity to act for (for example the claims of the
                agent that called this one).
            continuation_activity: the activity of the turn (conversation and serviceUrl
                required).
            callback: the code to run.
            audience: the token audience for replies; derived from the claims when None.

        Raises:
            ValueError: the activity lacks a conversation or a serviceUrl.
            OutboundRequestRefusedError: the serviceUrl may not receive a token.
        """
        if not isinstance(claims_identity, ClaimsIdentity):
            raise TypeError(
                "continue_conversation_with_claims needs a ClaimsIdentity, got "
                f"{type(claims_identity).__name__}"
            )
        await self.process_proactive(
            claims_identity,
            continuation_activity,
            audience or self._audience_of(claims_identity),
            callback,
        )

    async def process_proactive(
        self,
        claims_identity: ClaimsIdentity,
        continuation_activity: Activity,
        audience: str,
        callback: TurnCallback,
    ) -> None:
        """Run a proactive turn: the shared part of the ``continue_*`` methods.

        Args:
            claims_identity: the identity the turn acts for.
            continuation_activity: the activity of the turn.
            audience: the token audience for replies.
            callback: the code to run.

        Raises:
            ValueError: the activity lacks a conversation or a serviceUrl.
            OutboundRequestRefusedError: the serviceUrl may not receive a token.
        """
        activity = continuation_activity
        if activity.conversation is None or not activity.conversation.id:
            raise ValueError("a proactive turn needs the activity's conversation (with an id)")
        if not activity.service_url:
            raise ValueError("a proactive turn needs the activity's serviceUrl")
        context = self._new_context(claims_identity, activity, audience, callback)
        try:
            await self._attach_clients(context, claims_identity, audience, connector=True)
            await self.run_pipeline(context, callback)
        finally:
            await self._release(context)

    async def create_conversation(
        self,
        agent_app_id: str,
        channel_id: str,
        service_url: str,
        audience: str,
        conversation_parameters: ConversationParameters,
        callback: TurnCallback,
    ) -> None:
        """Start a conversation on the channel, then run ``callback`` in it.

        The conversation is created with ``POST v3/conversations``; the callback then
        runs on an ``event`` activity named ``CreateConversation`` addressed to the new
        conversation.

        Args:
            agent_app_id: this agent's app (client) id.
            channel_id: the channel to create it on (``msteams``, ...).
            service_url: the channel's service URL.
            audience: the token audience (``https://api.botframework.com`` for channels).
            conversation_parameters: who takes part, the tenant, a first activity, ...
            callback: the code to run in the new conversation.

        Raises:
            ValueError: ``service_url`` or ``channel_id`` is empty.
            OutboundRequestRefusedError: ``service_url`` may not receive a token.
        """
        if not service_url:
            raise ValueError("create_conversation needs the channel's service_url")
        if not channel_id:
            raise ValueError("create_conversation needs a channel_id")
        claims_identity = self.create_claims_identity(agent_app_id)
        audience = audience or BOT_FRAMEWORK_AUDIENCE
        event = Activity(
            type=ActivityTypes.event,
            name=_CREATE_CONVERSATION_EVENT,
            channel_id=ChannelId(channel_id),
            service_url=service_url,
        )
        if conversation_parameters.agent is not None:
            event.recipient = conversation_parameters.agent
        bootstrap = TurnContext(self, event, claims_identity)
        client = await self._channel_service_client_factory.create_connector_client(
            bootstrap,
            claims_identity,
            service_url,
            audience,
            use_anonymous=is_anonymous_identity(claims_identity),
        )
        try:
            created = await client.conversations.create_conversation(conversation_parameters)
        finally:
            # A client the factory shares serves the new conversation's turn next.
            if not self._channel_service_client_factory.keeps_client(client):
                await client.close()

        event.id = created.activity_id or str(uuid.uuid4())
        event.conversation = ConversationAccount(
            id=created.id or "", tenant_id=conversation_parameters.tenant_id
        )
        if conversation_parameters.channel_data is not None:
            event.channel_data = conversation_parameters.channel_data
        if created.service_url:
            event.service_url = created.service_url
        await self.process_proactive(claims_identity, event, audience, callback)


# turn_state key: the clients the factory made for one turn only, closed when it ends.
_OWNED_CLIENTS_KEY = "microsoft_agents.turn_owned_clients"


def _close_at_end(context: TurnContext, client: Any) -> None:
    context.turn_state.setdefault(_OWNED_CLIENTS_KEY, []).append(client)


async def _close_logging_errors(client: Any) -> None:
    try:
        await client.close()
    except Exception:
        logger.exception("closing the %s of a turn failed", type(client).__name__)


def encode_expected_replies(replies: Sequence[Activity]) -> bytes:
    """``{"activities": [...]}`` as JSON bytes, each activity in its wire form (the form
    ``to_wire(exclude_none=True)`` gives), encoded by pydantic's serializer directly."""
    serializer = Activity.__pydantic_serializer__
    encoded = [
        serializer.to_json(reply, by_alias=True, exclude_unset=True, exclude_none=True)
        for reply in replies
    ]
    return b'{"activities":[' + b",".join(encoded) + b"]}"


def _is_emulator(activity: Activity) -> bool:
    return ChannelId.get_channel(activity.channel_id) == _EMULATOR


def _conversation_id(activity: Activity) -> str:
    if activity.conversation is None or not activity.conversation.id:
        raise ValueError("the outgoing activity has no conversation.id")
    return activity.conversation.id
