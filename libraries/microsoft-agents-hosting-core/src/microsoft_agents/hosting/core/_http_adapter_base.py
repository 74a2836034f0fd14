"""``HttpAdapterBase``: one HTTP request in, one turn run, one HTTP response out.

This is the whole inbound endpoint (``POST /api/messages``) without a web framework. A
framework package authenticates the request (JWT middleware), wraps it in an
:class:`~microsoft_agents.hosting.core.http.HttpRequestProtocol`, and returns what
:meth:`HttpAdapterBase.process_request` answers::

    adapter = HttpAdapterBase(connection_manager=connections)   # or a subclass

    async def messages(request):                # the framework's route handler
        response = await adapter.process_request(WrappedRequest(request), agent)
        return to_framework_response(response)

Processing order and answers (protocol §4.1):

1. anything but ``POST`` is 405;
2. the body is read (413 above ``max_body_bytes``) and parsed as JSON whatever the
   ``Content-Type`` says, as the Bot Framework protocol does; an empty or malformed body
   is 400 ``{"error": "Invalid JSON or unsupported Content-Type"}``;
3. a body without ``type`` or ``conversation.id`` is 400 ``{"error": "Activity must have
   type and conversation.id"}``; one without ``channelId`` or ``from.id``, which every
   channel sends (A2020, A2060) and conversation and user state are keyed on, is 400
   ``{"error": "Activity must have channelId and from.id"}``; one that is not a valid
   activity is 400 naming the field; a normal activity without ``serviceUrl`` (nowhere
   to reply) is 400;
4. the ``serviceUrl`` must pass the outbound host validator, and match the ``serviceurl``
   claim of the caller's token when it has one (401 when the validator is enabled; a
   logged warning otherwise); a request with no identity at all is 401 when
   authentication is configured; a token signed with a Bot Framework key must come with
   an activity of a channel that key endorses (401 otherwise: a key issued for one
   channel cannot bring another's activities);
5. the turn runs; a ``PermissionError`` (an ``AuthenticationError``) or a refused outbound
   request escaping it is 401 ``{"error": "Unauthorized"}``;
6. the answer is 202 with no body for a normal activity (also when the agent raised and
   the turn-error handler ran), the invoke response for an ``invoke`` (501 when the agent
   gave none), 200 ``{"activities": [...]}`` for ``expectReplies``, or, for
   ``deliveryMode: stream``, 200 with a ``text/event-stream`` body that carries each reply
   as it is sent (see :mod:`~microsoft_agents.hosting.core.http._streamed`).

An activity delivered again with the same id (a channel retrying after its timeout) does
not run a second turn: a repeat of a normal activity is acknowledged with 202, a repeat
of an invoke or an ``expectReplies`` request gets the first delivery's answer (waiting for
it if the turn still runs). ``duplicate_window=None`` turns this off.

Anything else that goes wrong is a 500 with ``{"error": "Internal Server Error"}``; the
exception and its traceback go to the log only, never into the response.

By default the adapter's ``on_turn_error`` is
:func:`~microsoft_agents.hosting.core.default_on_turn_error`: it logs the error and tells
the user, in neutral words, that something went wrong.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from microsoft_agents.activity import Activity, ActivityTypes, DeliveryModes, InvokeResponse

from ._agent import Agent
from ._channel_adapter import OnTurnErrorHandler
from ._channel_service_adapter import ChannelServiceAdapter
from ._channel_service_client_factory import (
    ChannelServiceClientFactoryBase,
    RestChannelServiceClientFactory,
)
from ._errors import OutboundRequestRefusedError
from ._outbound import OutboundHostValidator, same_service_url
from ._turn_errors import default_on_turn_error
from .authorization import ClaimsIdentity, Connections
from .authorization._claims_identity import endorsement_refusal
from .http import HttpRequestProtocol, HttpResponse, HttpResponseFactory
from .http._body import (
    DEFAULT_MAX_BODY_BYTES,
    RequestRejected,
    check_headers,
    parse_model_json,
    read_body,
)
from .http._deliveries import (
    DEFAULT_DUPLICATE_WINDOW,
    Delivery,
    RecentDeliveries,
    delivery_key,
)
from .http._response import to_json_value
from .http._streamed import EVENT_STREAM, ReplyStream

__all__ = ["HttpAdapterBase"]

logger = logging.getLogger(__name__)

# Enum members read once: attribute access on an Enum class is slow, and these are read
# on every turn.
_INVOKE = ActivityTypes.invoke.value
_EXPECT_REPLIES = DeliveryModes.expect_replies.value
_STREAM = DeliveryModes.stream.value

_MISSING_TYPE_OR_CONVERSATION = "Activity must have type and conversation.id"
_MISSING_CHANNEL_OR_SENDER = "Activity must have channelId and from.id"
_MISSING_SERVICE_URL = "Activity must have a serviceUrl"
_HOST_NOT_ALLOWED = "Service URL is not allowed by the host validator."
_CLAIM_MISMATCH = "Service URL does not match the serviceurl claim of the token."
_SERVICE_URL_CLAIM = "serviceurl"


_TYPE_OR_CONVERSATION = frozenset({("type",), ("conversation",)})


def _parse_activity(raw: bytes) -> Activity:
    """The activity of a request body; the checks of steps 2 and 3 in the module docs."""
    try:
        activity = parse_model_json(Activity, raw, "activity")
    except RequestRejected as rejected:
        # A bad type or conversation is the protocol's own error, whatever else is wrong.
        cause = rejected.__cause__
        if isinstance(cause, ValidationError) and any(
            tuple(p.get("loc", ())) in _TYPE_OR_CONVERSATION for p in cause.errors()
        ):
            raise RequestRejected(
                HttpResponseFactory.bad_request(_MISSING_TYPE_OR_CONVERSATION)
            ) from cause
        raise
    conversation = activity.conversation
    if not activity.type or conversation is None or not conversation.id:
        raise RequestRejected(HttpResponseFactory.bad_request(_MISSING_TYPE_OR_CONVERSATION))
    if not activity.channel_id:
        _adopt_private_channel_id(activity)
    sender = activity.from_property
    if not activity.channel_id or sender is None or not sender.id:
        raise RequestRejected(HttpResponseFactory.bad_request(_MISSING_CHANNEL_OR_SENDER))
    return activity


def _adopt_private_channel_id(activity: Activity) -> None:
    """Take ``_channelId`` as the channel id of an activity that has none.

    The agent client of the JavaScript Agents SDK (1.8) writes its private field
    ``_channelId`` instead of ``channelId``; an agent it calls would otherwise refuse every
    activity. The key stays among the activity's extra keys, as received.
    """
    private = (activity.model_extra or {}).get("_channelId")
    if isinstance(private, str) and private:
        logger.debug("the activity has no channelId; its _channelId %r is used", private)
        activity.channel_id = private  # type: ignore[assignment]


class HttpAdapterBase(ChannelServiceAdapter):
    """The framework-neutral inbound endpoint of an agent.

    Args:
        connection_manager: the connections tokens come from; a
            ``RestChannelServiceClientFactory`` is built on it.
        channel_service_client_factory: a ready factory (takes precedence).
        channel_service_client_factory_options: keyword arguments for the
            ``RestChannelServiceClientFactory`` (``token_service_endpoint``, ``session``,
            ``retry``, ...).
        host_validator: the outbound allow-list (by default the factory's, enabled
            whenever authentication is configured).
        max_body_bytes: the largest request body accepted (413 above it).
        on_turn_error: what to do when a turn raises (default: ``default_on_turn_error``).
        duplicate_window: seconds during which an activity delivered again with the same
            id is recognised and not run twice; None to run every delivery.

    Raises:
        ValueError: neither ``connection_manager`` nor ``channel_service_client_factory``
            was given.
    """

    def __init__(
        self,
        *,
        connection_manager: Connections | None = None,
        channel_service_client_factory: ChannelServiceClientFactoryBase | None = None,
        channel_service_client_factory_options: Mapping[str, Any] | None = None,
        host_validator: OutboundHostValidator | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        on_turn_error: OnTurnErrorHandler | None = default_on_turn_error,
        duplicate_window: float | None = DEFAULT_DUPLICATE_WINDOW,
    ) -> None:
        if channel_service_client_factory is None:
            if connection_manager is None:
                raise ValueError(
                    "HttpAdapterBase needs connection_manager=... (to build a "
                    "RestChannelServiceClientFactory) or channel_service_client_factory=..."
                )
            options = dict(channel_service_client_factory_options or {})
            if host_validator is not None:
                options.setdefault("host_validator", host_validator)
            channel_service_client_factory = RestChannelServiceClientFactory(
                connection_manager, **options
            )
        super().__init__(channel_service_client_factory, on_turn_error=on_turn_error)
        self._host_validator = host_validator or channel_service_client_factory.host_validator
        self.max_body_bytes = max_body_bytes
        self._deliveries = RecentDeliveries(duplicate_window) if duplicate_window else None

    @property
    def host_validator(self) -> OutboundHostValidator | None:
        """The validator an incoming activity's ``serviceUrl`` is checked against."""
        return self._host_validator

    def refusal_before_body(self, request: HttpRequestProtocol) -> HttpResponse | None:
        """The answer a request earns from its method and headers alone, or None.

        For a client that waits for the server's go-ahead before it sends the body
        (``Expect: 100-continue``): a request refused here never has to send it. These are
        the first checks of :meth:`process_request` (405, 415, 413 by ``Content-Length``);
        the caller's token is the framework's to check, before this.

        Args:
            request: the request, of which only the method and headers are read.

        Returns:
            The 4xx answer, or None when the body is wanted.
        """
        if request.method.upper() != "POST":
            return HttpResponseFactory.method_not_allowed()
        try:
            check_headers(request, self.max_body_bytes, require_json_content_type=True)
        except RequestRejected as rejected:
            return rejected.response
        return None

    async def process_request(self, request: HttpRequestProtocol, agent: Agent) -> HttpResponse:
        """Answer one request to the messaging endpoint (see the module docs for the rules).

        Args:
            request: the incoming request, already authenticated by the framework.
            agent: the agent that takes the turn.

        Returns:
            The HTTP answer; never raises for bad input (4xx) or a failing turn (500).
        """
        method = request.method
        if method != "POST" and method.upper() != "POST":
            return HttpResponseFactory.method_not_allowed()
        try:
            raw = await read_body(request, self.max_body_bytes, require_json_content_type=True)
            activity = _parse_activity(raw)
        except RequestRejected as rejected:
            return rejected.response

        claims_identity = request.get_claims_identity()
        if claims_identity is None:
            if self.channel_service_client_factory.auth_configured:
                logger.warning(
                    "refused a request that carries no verified identity while "
                    "authentication is configured; is the JWT middleware installed?"
                )
                return HttpResponseFactory.unauthorized()
            claims_identity = ClaimsIdentity()

        rejection = self._check_service_url(activity, claims_identity)
        if rejection is not None:
            return rejection
        endorsed = claims_identity._endorsements
        if endorsed is not None:
            refusal = endorsement_refusal(endorsed, activity.channel_id or "")
            if refusal is not None:
                logger.warning("refused an activity whose token may not bring it: %s", refusal)
                return HttpResponseFactory.unauthorized()

        delivery_mode = activity.delivery_mode
        if delivery_mode == _STREAM:
            return self._stream_turn(claims_identity, activity, agent)
        deliveries = self._deliveries
        key = delivery_key(activity) if deliveries is not None else None
        if deliveries is None or key is None:
            return (await self._run_turn(claims_identity, activity, agent, None))[0]
        # Invokes and expectReplies requests are answered with the turn's outcome: a
        # repeat gets that same answer.
        keep_answer = delivery_mode == _EXPECT_REPLIES or activity.type == _INVOKE
        delivery, repeat = deliveries.arrive(key, keep_answer=keep_answer)
        if repeat:
            return await self._answer_repeat(activity, delivery)
        try:
            response, ran = await self._run_turn(claims_identity, activity, agent, delivery)
        except BaseException:
            deliveries.settle(delivery, HttpResponseFactory.internal_server_error(), ran=False)
            raise
        # A turn that did not run (refused, or failed outside the agent): a retry may. An
        # invoke the agent itself answered 500 did run, and is not run again.
        deliveries.settle(delivery, response, ran=ran)
        return response

    async def _run_turn(
        self,
        claims_identity: ClaimsIdentity,
        activity: Activity,
        agent: Agent,
        delivery: Delivery | None,
    ) -> tuple[HttpResponse, bool]:
        """The turn's HTTP answer, and whether the turn ran (False: refused, or failed)."""
        try:
            invoke_response: InvokeResponse | bytes | None
            if type(self).process_activity is ChannelServiceAdapter.process_activity:
                invoke_response = await self._process_activity(
                    claims_identity,
                    activity,
                    agent.on_turn,
                    reply_sink=None,
                    encode_replies=True,
                    delivery=delivery,
                )
            else:  # a subclass of ours decides: give it the call it expects
                invoke_response = await self.process_activity(
                    claims_identity, activity, agent.on_turn
                )
        except (PermissionError, OutboundRequestRefusedError) as error:
            logger.warning("a turn was refused (%s); answering 401", type(error).__name__)
            return HttpResponseFactory.unauthorized(), False
        except Exception:
            logger.exception(
                "processing activity %r (type %r) failed; answering 500",
                activity.id,
                activity.type,
            )
            return HttpResponseFactory.internal_server_error(), False
        return self._answer(invoke_response), True

    # ------------------------------------------------------------------ repeated deliveries

    async def _answer_repeat(self, activity: Activity, earlier: Delivery) -> HttpResponse:
        logger.info(
            "activity %r of conversation %r was delivered again; its turn is not run twice",
            activity.id,
            activity.conversation.id if activity.conversation else None,
        )
        if not earlier.keep_answer:
            return HttpResponseFactory.accepted()
        return await earlier.wait_for_answer()

    # ------------------------------------------------------------------ deliveryMode: stream

    def _stream_turn(
        self, claims_identity: ClaimsIdentity, activity: Activity, agent: Agent
    ) -> HttpResponse:
        stream = ReplyStream()

        async def produce() -> None:
            try:
                answer = await self.process_activity(
                    claims_identity, activity, agent.on_turn, reply_sink=stream.send_activity
                )
                if answer is not None and activity.type == ActivityTypes.invoke:
                    stream.send_event(
                        "invokeResponse",
                        {"status": answer.status, "body": to_json_value(answer.body)},
                    )
            except (PermissionError, OutboundRequestRefusedError) as error:
                logger.warning("a streamed turn was refused (%s)", type(error).__name__)
                stream.send_event("error", {"error": "Unauthorized"})
            except Exception:
                logger.exception(
                    "the streamed turn of activity %r (type %r) failed", activity.id, activity.type
                )
                stream.send_event("error", {"error": "Internal Server Error"})
            finally:
                stream.close()

        stream.producer = self.run_in_background(produce())
        return HttpResponse(
            200,
            None,
            headers={"Cache-Control": "no-cache"},
            content_type=EVENT_STREAM,
            stream=stream,
        )

    def _check_service_url(
        self, activity: Activity, claims_identity: ClaimsIdentity
    ) -> HttpResponse | None:
        service_url = activity.service_url
        if not service_url:
            if activity.delivery_mode in (_EXPECT_REPLIES, _STREAM):
                return None
            return HttpResponseFactory.bad_request(_MISSING_SERVICE_URL)
        validator = self._host_validator
        if validator is not None and claims_identity.is_agent_claim():
            validator = validator.for_agent_callbacks()  # the caller's own callback
        enforcing = validator is not None and validator.enabled
        if validator is not None and enforcing and validator.refusal_reason(service_url):
            logger.warning(
                "refused an activity whose serviceUrl %r is not allowed by the host validator",
                service_url,
            )
            return HttpResponseFactory.unauthorized(_HOST_NOT_ALLOWED)
        claim = claims_identity.get_claim_value(_SERVICE_URL_CLAIM)
        if isinstance(claim, str) and claim and not same_service_url(service_url, claim):
            if enforcing:
                logger.warning(
                    "refused an activity whose serviceUrl %r is not the token's serviceurl "
                    "claim %r",
                    service_url,
                    claim,
                )
                return HttpResponseFactory.unauthorized(_CLAIM_MISMATCH)
            logger.warning(
                "the activity's serviceUrl %r is not the token's serviceurl claim %r "
                "(accepted: the outbound host validator is disabled)",
                service_url,
                claim,
            )
        return None

    @staticmethod
    def _answer(invoke_response: InvokeResponse | bytes | None) -> HttpResponse:
        if invoke_response is None:
            return HttpResponseFactory.accepted()
        if isinstance(invoke_response, bytes):  # the expectReplies answer, encoded already
            return HttpResponse(200, invoke_response)
        return HttpResponseFactory.json(invoke_response.body, status_code=invoke_response.status)
