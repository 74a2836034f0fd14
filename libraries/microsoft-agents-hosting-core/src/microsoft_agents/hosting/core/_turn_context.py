"""``TurnContext``: one incoming activity and everything an agent does in answer to it.

The adapter creates a context for each activity it receives and passes it through the
middleware to the agent. The agent reads :attr:`TurnContext.activity` and answers with
:meth:`TurnContext.send_activity`; replies are addressed from the incoming activity (same
channel, service URL and conversation, ``from`` and ``recipient`` swapped, ``replyToId`` set
to the incoming id), so a handler only says *what* to send::

    async def on_message(context: TurnContext, state: TurnState) -> None:
        await context.send_activity(f"You said: {context.activity.text}")

Interceptors registered with :meth:`TurnContext.on_send_activities` (and the update and
delete twins) see every outgoing activity before the adapter does; each calls ``await
next()`` to let it through, or returns without calling it to drop it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, overload

from microsoft_agents.activity import (
    Activity,
    ActivityStateError,
    ActivityTypes,
    ChannelAccount,
    ContentTypes,
    ConversationAccount,
    ConversationReference,
    DeliveryModes,
    InputHints,
    InvokeResponse,
    Mention,
    ResourceResponse,
)
from microsoft_agents.activity._activity import build_validated_activity, without_empty_strings

if TYPE_CHECKING:
    from ._channel_adapter import ChannelAdapter
    from .app.streaming import StreamingResponse
    from .authorization import ClaimsIdentity

__all__ = [
    "DeleteActivityHandler",
    "SendActivitiesHandler",
    "TurnContext",
    "TurnServices",
    "UpdateActivityHandler",
    "adaptive_card_error_body",
    "read_invoke_response",
    "send_invoke_response",
    "send_typing",
]

logger = logging.getLogger(__name__)

# Enum members read once: attribute access on an Enum class is slow, and these are read
# on every turn.
_INVOKE_RESPONSE = ActivityTypes.invoke_response.value
_TRACE = ActivityTypes.trace.value
_MESSAGE = ActivityTypes.message.value
_EXPECT_REPLIES = DeliveryModes.expect_replies.value
_ACCEPTING_INPUT = InputHints.accepting_input.value

_T = TypeVar("_T")

SendActivitiesHandler = Callable[
    ["TurnContext", list[Activity], Callable[[], Awaitable[list[ResourceResponse]]]],
    Awaitable[list[ResourceResponse]],
]
"""``async handler(context, activities, next) -> list[ResourceResponse]``."""

UpdateActivityHandler = Callable[
    ["TurnContext", Activity, Callable[[], Awaitable[ResourceResponse | None]]],
    Awaitable[ResourceResponse | None],
]
"""``async handler(context, activity, next) -> ResourceResponse | None``."""

DeleteActivityHandler = Callable[
    ["TurnContext", ConversationReference, Callable[[], Awaitable[None]]], Awaitable[None]
]
"""``async handler(context, reference, next) -> None``."""

SendObserver = Callable[[list[Activity]], Awaitable[None]]
"""``async observer(activities)``: told what a turn delivers (see ``_observe_sends``)."""

# The key under which an invoke's answer is kept for the HTTP response. One key, used by
# the context, every adapter and the handlers (upstream used three different ones).
INVOKE_RESPONSE_KEY = "ChannelAdapter.InvokeResponse"
REPLY_SINK_KEY = "microsoft_agents.reply_sink"
"""Where the adapter keeps the turn's reply sink when it answers over the HTTP response
(``deliveryMode: stream``); absent, replies go to the channel."""


# Fields for which an empty string is a meaningful value (an empty message is allowed).
_EMPTY_STRING_ALLOWED = frozenset({"text", "speak"})
# Lists the protocol asks senders to leave out rather than send empty.
_OMIT_WHEN_EMPTY = frozenset({"entities", "attachments"})
# The models a reply's addressing copies from the incoming activity, where a channel may
# have written "" (``"name": ""``); A2004 holds inside them too.
_ADDRESSING = ("conversation", "from_property", "recipient")


def _unset(activity: Activity, name: str) -> None:
    """Remove a field from the wire form: back to its default and no longer "set"."""
    setattr(activity, name, None)
    activity.model_fields_set.discard(name)


def _prepare_outgoing(activity: Activity) -> None:
    """Apply the protocol's rules for what a sender puts on the wire.

    Leaves out empty strings (A2004; in the conversation and accounts too), empty
    ``entities`` and ``attachments`` lists (A2100, A3050) and suggested actions without
    actions (A7701); never asks a channel for ``expectReplies`` (A3116); refuses an event
    or invoke without a name (A5001, A5401).

    Raises:
        ActivityStateError: the activity cannot be sent as it is.
    """
    values = activity.__dict__
    for name in list(activity.model_fields_set):
        value = values[name] if name in values else getattr(activity, name, None)
        # Type checks first: comparing a model with "" would run its __eq__ for nothing.
        if isinstance(value, str):
            if not value and name not in _EMPTY_STRING_ALLOWED:
                _unset(activity, name)
        elif isinstance(value, list) and not value and name in _OMIT_WHEN_EMPTY:
            _unset(activity, name)
    for name in _ADDRESSING:
        nested = values.get(name)
        if isinstance(nested, (ChannelAccount, ConversationAccount)) and (
            "" in nested.__dict__.values()
        ):
            # Replaced by a copy, never changed: the incoming activity may share it.
            setattr(activity, name, without_empty_strings(nested))
    suggested = activity.suggested_actions
    if suggested is not None and not suggested.actions:
        _unset(activity, "suggested_actions")
    if activity.delivery_mode == "expectReplies":
        _unset(activity, "delivery_mode")
    if activity.type in (ActivityTypes.event, ActivityTypes.invoke) and not activity.name:
        raise ActivityStateError(
            f"an outgoing {activity.type} activity needs a name (what the receiver dispatches "
            "on); set activity.name before sending it"
        )


def read_invoke_response(context: TurnContext) -> InvokeResponse | None:
    """The answer to the incoming invoke that the turn produced, if any.

    Handlers answer an invoke by sending an ``invokeResponse`` activity whose ``value`` is an
    :class:`InvokeResponse` (or the same as a dict); the last one sent counts.

    Raises:
        ValueError: the value of the ``invokeResponse`` activity is not an invoke response.
    """
    activity = context.turn_state.get(INVOKE_RESPONSE_KEY)
    if activity is None:
        return None
    value = activity.value if isinstance(activity, Activity) else activity
    if isinstance(value, InvokeResponse):
        return value
    return InvokeResponse.model_validate(value)


def adaptive_card_error_body(status: int, code: str, message: str) -> dict[str, Any]:
    """The body of a failed Adaptive Card invoke (``application/vnd.microsoft.error``).

    Plain JSON (``{"code", "message"}`` in ``value``), never an exception object, so it
    always serialises (protocol.md §18 row 16).
    """
    return {
        "statusCode": status,
        "type": ContentTypes.error,
        "value": {"code": code, "message": message},
    }


async def send_invoke_response(context: TurnContext, response: InvokeResponse) -> None:
    """Answer the incoming invoke: send ``response`` as an ``invokeResponse`` activity.

    The context keeps it (it is never posted to the channel) and the hosting layer turns it
    into the HTTP answer; :func:`read_invoke_response` reads it back.
    """
    await context.send_activity(Activity(type=ActivityTypes.invoke_response, value=response))


async def send_typing(context: TurnContext) -> None:
    """Send a plain ``typing`` to the turn's conversation, straight to the adapter.

    A typing is not an answer: it skips the turn's send interceptors and does not count
    as a response.
    """
    typing = Activity(type=ActivityTypes.typing)
    typing.apply_conversation_reference(context.activity.get_conversation_reference())
    await context.adapter.send_activities(context, [typing])


class TurnServices:
    """Objects a turn shares between its parts, looked up by their type.

    Adapters register the clients of the turn here (``services.get(ConnectorClientBase)``);
    middleware may add their own.

    Keys are classes, abstract ones included. They are typed as ``Callable[..., T]``
    rather than ``type[T]``: mypy accepts only concrete classes where ``type[T]`` is
    expected, and the SDK's own keys (``ConnectorClientBase``, ``UserTokenClientBase``)
    are abstract.
    """

    def __init__(self) -> None:
        self._items: dict[Callable[..., Any], Any] = {}

    def set(self, key: Callable[..., _T], value: _T) -> None:
        """Register ``value`` as the service of type ``key``."""
        self._items[key] = value

    @overload
    def get(self, key: Callable[..., _T]) -> _T | None: ...
    @overload
    def get(self, key: Callable[..., _T], default: _T) -> _T: ...
    def get(self, key: Callable[..., _T], default: _T | None = None) -> _T | None:
        """The service registered for ``key``, or ``default``."""
        value: _T | None = self._items.get(key, default)
        return value

    def has(self, key: Callable[..., Any]) -> bool:
        """True when a service is registered for ``key``."""
        return key in self._items

    def copy(self) -> TurnServices:
        """A new registry with the same entries."""
        clone = TurnServices()
        clone._items = dict(self._items)
        return clone


class TurnContext:
    """The context of one turn: the incoming activity, the adapter, and how to answer.

    Args:
        adapter_or_context: the adapter that received the activity, or another context
            to copy (adapter, activity, identity, responded flag, services and
            interceptors are copied; ``turn_state`` starts empty).
        request: the incoming activity (not needed when copying a context).
        identity: the caller's verified claims, if any.

    Attributes:
        turn_state: a bag of values that live for this turn only (clients, caches,
            state). A plain attribute, not a property: the SDK reads it many times a turn.

    Raises:
        TypeError: no adapter or no activity was given.
    """

    def __init__(
        self,
        adapter_or_context: ChannelAdapter | TurnContext,
        request: Activity | None = None,
        identity: ClaimsIdentity | None = None,
    ) -> None:
        if isinstance(adapter_or_context, TurnContext):
            source = adapter_or_context
            self.adapter: ChannelAdapter = source.adapter
            request = source.activity if request is None else request
            identity = source.identity if identity is None else identity
            self._responded = source.responded
            self._services = source.services.copy()
            self._on_send: list[SendActivitiesHandler] = list(source._on_send)
            self._send_observers: list[SendObserver] = list(source._send_observers)
            self._on_update: list[UpdateActivityHandler] = list(source._on_update)
            self._on_delete: list[DeleteActivityHandler] = list(source._on_delete)
        else:
            if adapter_or_context is None:
                raise TypeError("TurnContext needs the adapter that received the activity")
            self.adapter = adapter_or_context
            self._responded = False
            self._services = TurnServices()
            self._on_send = []
            self._send_observers = []
            self._on_update = []
            self._on_delete = []
        if request is None:
            raise TypeError("TurnContext needs the incoming activity (request=...)")
        if not isinstance(request, Activity):
            raise TypeError(
                f"TurnContext's activity must be an Activity, got {type(request).__name__}; "
                "parse JSON with Activity.model_validate(...) first"
            )
        self._activity = request
        self._identity = identity
        self.turn_state: dict[str, Any] = {}
        self.buffered_reply_activities: list[Activity] = []
        self._streaming_response: StreamingResponse | None = None

    # ------------------------------------------------------------------ properties

    @property
    def activity(self) -> Activity:
        """The incoming activity."""
        return self._activity

    @activity.setter
    def activity(self, value: Activity) -> None:
        if not isinstance(value, Activity):
            raise TypeError(f"TurnContext.activity must be an Activity, got {type(value).__name__}")
        self._activity = value

    @property
    def identity(self) -> ClaimsIdentity | None:
        """The caller's verified claims, or ``None`` (for some proactive turns)."""
        return self._identity

    @property
    def services(self) -> TurnServices:
        """Objects shared within the turn, looked up by type."""
        return self._services

    @property
    def streaming_response(self) -> StreamingResponse:
        """The streamed answer of this turn (created on first use, one per turn)."""
        if self._streaming_response is None:
            from .app.streaming import StreamingResponse

            self._streaming_response = StreamingResponse(self)
        return self._streaming_response

    @property
    def responded(self) -> bool:
        """True once anything other than a trace was sent in this turn."""
        return self._responded

    @responded.setter
    def responded(self, value: bool) -> None:
        if not value:
            raise ValueError("TurnContext.responded cannot be set back to False")
        self._responded = True

    # ------------------------------------------------------------------ interceptors

    def on_send_activities(self, handler: SendActivitiesHandler) -> TurnContext:
        """Intercept outgoing activities; ``handler`` must ``await next()`` to send them."""
        self._on_send.append(handler)
        return self

    def on_update_activity(self, handler: UpdateActivityHandler) -> TurnContext:
        """Intercept activity updates; ``handler`` must ``await next()`` to perform them."""
        self._on_update.append(handler)
        return self

    def on_delete_activity(self, handler: DeleteActivityHandler) -> TurnContext:
        """Intercept activity deletions; ``handler`` must ``await next()`` to perform them."""
        self._on_delete.append(handler)
        return self

    # ------------------------------------------------------------------ sending

    async def send_activity(
        self,
        activity_or_text: Activity | str,
        speak: str | None = None,
        input_hint: str | None = None,
    ) -> ResourceResponse:
        """Send one activity (or a text message) to the conversation.

        Args:
            activity_or_text: the activity, or the text of a ``message``.
            speak: what a voice channel should say (for text only).
            input_hint: whether the agent expects an answer (default ``acceptingInput``).

        Returns:
            The channel's receipt (its ``id`` is the sent activity's id), or an empty
            :class:`ResourceResponse` when there is none: the channel returned none, the
            activity was kept for the HTTP answer, or an interceptor dropped it.
        """
        if isinstance(activity_or_text, str):
            # Built here, addressed as it is built: nobody else holds it, so there is
            # nothing to copy and no conversation reference to apply. Without send
            # interceptors no code sees the reply before it is sent: it may share the
            # incoming activity's conversation and accounts instead of copying them.
            values = self._activity.get_reply_addressing(copy=bool(self._on_send))
            values["type"] = _MESSAGE
            values["text"] = activity_or_text
            values["input_hint"] = input_hint or _ACCEPTING_INPUT
            if speak is not None:
                values["speak"] = speak
            # Plain strings (exact str, not a subclass such as an enum member) are already
            # what their fields hold, and the addressing leaves out empty strings: nothing
            # to validate, nothing for _prepare_outgoing.
            plain = (
                type(activity_or_text) is str
                and (input_hint is None or type(input_hint) is str)
                and (speak is None or type(speak) is str)
            )
            activity = build_validated_activity(values) if plain else Activity(**values)
            if plain and not self._on_send:  # nothing may see or change it
                responses = await self._deliver([activity])
            else:
                responses = await self._send(activity, copy=False, addressed=True)
        else:
            responses = await self._send(activity_or_text, copy=True)
        return responses[0] if responses else ResourceResponse()

    async def send_activities(self, activities: Sequence[Activity]) -> list[ResourceResponse]:
        """Send several activities, in order, addressed as replies to the incoming one.

        The activities are copied first: the caller's objects are never changed.
        """
        return await self._send(*activities, copy=True)

    async def _send(
        self, *activities: Activity, copy: bool, addressed: bool = False
    ) -> list[ResourceResponse]:
        reference = None if addressed else self._activity.get_conversation_reference()
        outgoing: list[Activity] = []
        for activity in activities:
            reply = activity.model_copy(deep=True) if copy else activity
            if reference is not None:
                reply.apply_conversation_reference(reference)
            if not reply.type:
                reply.type = ActivityTypes.message
            if reply.input_hint is None and reply.type != ActivityTypes.invoke_response:
                reply.input_hint = InputHints.accepting_input
            if reply.id is not None:
                reply.id = None
            _prepare_outgoing(reply)
            outgoing.append(reply)

        if not self._on_send:
            return await self._deliver(outgoing)

        async def deliver() -> list[ResourceResponse]:
            return await self._deliver(outgoing)

        responses = await self._intercept_send(outgoing, 0, deliver)
        # An interceptor that drops the activities may return nothing at all.
        return responses if responses is not None else []

    async def _intercept_send(
        self,
        activities: list[Activity],
        index: int,
        deliver: Callable[[], Awaitable[list[ResourceResponse]]],
    ) -> list[ResourceResponse]:
        if index == len(self._on_send):
            return await deliver()

        async def next_step() -> list[ResourceResponse]:
            return await self._intercept_send(activities, index + 1, deliver)

        return await self._on_send[index](self, activities, next_step)

    def _observe_sends(self, observer: SendObserver) -> None:
        """Have ``await observer(activities)`` called with what this turn is about to
        deliver, after the interceptors. For the SDK's own bookkeeping (the typing
        indicator stops at the first message): an observer must not change the
        activities, so unlike an interceptor it does not make replies be copied."""
        self._send_observers.append(observer)

    async def _deliver(self, activities: list[Activity]) -> list[ResourceResponse]:
        if not activities:
            return []
        for observer in self._send_observers:
            await observer(activities)
        expects_replies = self._activity.delivery_mode == _EXPECT_REPLIES
        to_adapter: list[Activity] = []
        posted: list[bool] = []
        for activity in activities:
            kind = activity.type
            if kind != _TRACE:
                self._responded = True
            if kind == _INVOKE_RESPONSE:
                # Kept for the HTTP answer of the invoke; the last one wins.
                self.turn_state[INVOKE_RESPONSE_KEY] = activity
                posted.append(False)
            elif expects_replies:
                self.buffered_reply_activities.append(activity)
                posted.append(False)
            else:
                to_adapter.append(activity)
                posted.append(True)
        sent: list[ResourceResponse] = []
        if to_adapter:
            sent = list(await self.adapter.send_activities(self, to_adapter))
        # One receipt per activity, in order; activities kept rather than posted (and any
        # the adapter did not answer for) get an empty one.
        receipts = iter(sent)
        result = []
        for was_posted in posted:
            receipt = next(receipts, None) if was_posted else None
            result.append(receipt if receipt is not None else ResourceResponse())
        return result

    async def send_trace_activity(
        self,
        name: str,
        value: Any = None,
        value_type: str | None = None,
        label: str | None = None,
    ) -> ResourceResponse:
        """Send a ``trace`` activity (shown by the Emulator; other channels never get it)."""
        trace = Activity.create_trace_activity(
            name, value=value, value_type=value_type, label=label
        )
        return await self.send_activity(trace)

    async def update_activity(self, activity: Activity) -> ResourceResponse | None:
        """Replace an activity the agent sent earlier (``activity.id`` names it)."""
        copy = activity.model_copy(deep=True)
        copy.apply_conversation_reference(self._activity.get_conversation_reference())
        return await self._intercept_update(copy, 0)

    async def _intercept_update(self, activity: Activity, index: int) -> ResourceResponse | None:
        if index == len(self._on_update):
            return await self.adapter.update_activity(self, activity)

        async def next_step() -> ResourceResponse | None:
            return await self._intercept_update(activity, index + 1)

        return await self._on_update[index](self, activity, next_step)

    async def delete_activity(self, id_or_reference: str | ConversationReference) -> None:
        """Delete an activity the agent sent earlier, by its id or its reference."""
        if isinstance(id_or_reference, str):
            reference = self._activity.get_conversation_reference()
            reference.activity_id = id_or_reference
        else:
            reference = id_or_reference
        await self._intercept_delete(reference, 0)

    async def _intercept_delete(self, reference: ConversationReference, index: int) -> None:
        if index == len(self._on_delete):
            await self.adapter.delete_activity(self, reference)
            return

        async def next_step() -> None:
            await self._intercept_delete(reference, index + 1)

        await self._on_delete[index](self, reference, next_step)

    # ------------------------------------------------------------------ reference helpers

    @staticmethod
    def get_conversation_reference(activity: Activity) -> ConversationReference:
        """The reference of ``activity``'s conversation (for proactive messages)."""
        return activity.get_conversation_reference()

    @staticmethod
    def apply_conversation_reference(
        activity: Activity, reference: ConversationReference, is_incoming: bool = False
    ) -> Activity:
        """Address ``activity`` through ``reference``; returns the activity."""
        return activity.apply_conversation_reference(reference, is_incoming=is_incoming)

    @staticmethod
    def get_reply_conversation_reference(
        activity: Activity, reply: ResourceResponse
    ) -> ConversationReference:
        """The reference of a reply sent in answer to ``activity``."""
        return activity.get_reply_conversation_reference(reply)

    @staticmethod
    def remove_recipient_mention(activity: Activity) -> str | None:
        """Remove the mention of the agent from ``activity.text``; returns the new text."""
        return activity.remove_recipient_mention()

    @staticmethod
    def remove_mention_text(activity: Activity, identifier: str) -> str | None:
        """Remove the mention of the account ``identifier`` from ``activity.text``."""
        return activity.remove_mention_text(identifier)

    @staticmethod
    def get_mentions(activity: Activity) -> list[Mention]:
        """The mentions in ``activity``."""
        return activity.get_mentions()
