"""``ActivityHandler``: the classic agent, one overridable method per kind of activity.

Subclass it and override the ``on_*`` methods for the activities your agent cares about;
everything else is ignored quietly. :meth:`ActivityHandler.on_turn` looks at the incoming
activity's ``type`` (compared exactly, so ``"Message"`` is not a ``message``) and calls the
matching method::

    class EchoAgent(ActivityHandler):
        async def on_message_activity(self, turn_context: TurnContext) -> None:
            await turn_context.send_activity(f"You said: {turn_context.activity.text}")

        async def on_members_added_activity(
            self, members_added: list[ChannelAccount], turn_context: TurnContext
        ) -> None:
            for member in members_added:
                if member.id != turn_context.activity.recipient.id:
                    await turn_context.send_activity("Welcome!")

Some methods split an activity further: a ``conversationUpdate`` goes to
:meth:`~ActivityHandler.on_conversation_update_activity`, which calls
:meth:`~ActivityHandler.on_members_added_activity` and
:meth:`~ActivityHandler.on_members_removed_activity`; a ``messageReaction`` reaches
:meth:`~ActivityHandler.on_reactions_added` / :meth:`~ActivityHandler.on_reactions_removed`;
an ``event`` named ``tokens/response`` reaches
:meth:`~ActivityHandler.on_token_response_event` and any other event
:meth:`~ActivityHandler.on_event`. Override the outer method to see the whole activity, or
an inner one to get the pieces.

An ``invoke`` waits for an answer. :meth:`~ActivityHandler.on_invoke_activity` returns an
:class:`~microsoft_agents.activity.InvokeResponse` and the handler hands it to the context
as an ``invokeResponse`` activity whose ``value`` is the response's JSON (a dict, by alias,
without nulls), which the adapter turns into the HTTP answer. The default
implementation answers the sign-in invokes, Adaptive Card ``Action.Execute``
(``adaptiveCard/action``) and Adaptive Card search (``application/search``) by calling
:meth:`~ActivityHandler.on_sign_in_invoke`, :meth:`~ActivityHandler.on_adaptive_card_invoke`
and :meth:`~ActivityHandler.on_search_invoke`; an invoke it does not know, or one whose hook
was not overridden, is answered ``501 Not Implemented``, and a malformed card invoke (or
one whose action is not ``Action.Execute``) ``400 Bad Request`` with an
``application/vnd.microsoft.error`` body.

Exceptions raised by the ``on_*`` methods are not caught here: they reach the adapter's
``on_turn_error``. The handler keeps no state and saves none; use the state classes and
save them yourself if you need them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    AdaptiveCardInvokeValue,
    AdaptiveCardSearchInvokeValue,
    AgentsModel,
    ChannelAccount,
    InvokeResponse,
    MessageReaction,
    SignInConstants,
)

from ._agent import Agent
from ._errors import HostingError
from ._turn_context import (
    INVOKE_RESPONSE_KEY,
    TurnContext,
    adaptive_card_error_body,
)

__all__ = ["ActivityHandler"]

logger = logging.getLogger(__name__)

ADAPTIVE_CARD_ACTION_INVOKE = "adaptiveCard/action"
"""Invoke name of an Adaptive Card ``Action.Execute``."""

SEARCH_INVOKE = "application/search"
"""Invoke name of an Adaptive Card dynamic search (type-ahead)."""

_ACTION_EXECUTE = "Action.Execute"
_SIGN_IN_INVOKES = frozenset(
    {
        SignInConstants.verify_state_operation_name.value,
        SignInConstants.token_exchange_operation_name.value,
    }
)
_INSTALL_ACTIONS = frozenset({"add", "add-upgrade"})
_UNINSTALL_ACTIONS = frozenset({"remove", "remove-upgrade"})

_BAD_REQUEST = 400
_NOT_IMPLEMENTED = 501
_OK = 200


class _InvokeResponseError(HostingError):
    """Raised inside invoke handling to answer the invoke with an error status.

    :meth:`ActivityHandler.on_invoke_activity` catches it and answers with
    :meth:`to_invoke_response`. It never leaves the handler.

    Attributes:
        status: the HTTP status of the answer.
        body: the JSON body of the answer, if any.
    """

    def __init__(self, status: int, body: dict[str, Any] | None = None) -> None:
        super().__init__(f"invoke answered with status {status}")
        self.status = status
        self.body = body

    @classmethod
    def not_implemented(cls) -> _InvokeResponseError:
        """A bodiless ``501``: the agent does not handle this invoke."""
        return cls(_NOT_IMPLEMENTED)

    @classmethod
    def card_error(cls, status: int, code: str, message: str) -> _InvokeResponseError:
        """An Adaptive Card error: ``status`` with an ``application/vnd.microsoft.error`` body.

        The body is plain JSON (``{"code", "message"}`` in ``value``), never an exception
        object, so it always serialises (protocol.md §18 row 16).
        """
        return cls(status, adaptive_card_error_body(status, code, message))

    def to_invoke_response(self) -> InvokeResponse:
        """The invoke answer this error stands for."""
        if self.body is None:
            return InvokeResponse(status=self.status)
        return InvokeResponse(status=self.status, body=self.body)


def _json_body(result: object) -> Any:
    """``result`` as JSON for an invoke body: models by alias without nulls, the rest as is."""
    if isinstance(result, AgentsModel):
        return result.model_dump(mode="json", by_alias=True, exclude_none=True)
    return result


def _describe_validation_error(error: ValidationError) -> str:
    problems = [
        f"{'.'.join(str(part) for part in detail['loc']) or 'value'}: {detail['msg']}"
        for detail in error.errors()[:3]
    ]
    return "; ".join(problems)


class ActivityHandler(Agent):
    """An agent that dispatches each incoming activity to an ``on_*`` method by its type.

    Every method does nothing by default (invokes are answered ``501``); override the
    ones your agent needs. An ``ActivityHandler`` is an
    :class:`~microsoft_agents.hosting.core.Agent`: pass its :meth:`on_turn` to an adapter.
    """

    async def on_turn(self, turn_context: TurnContext) -> None:
        """Handle one turn: call the ``on_*`` method that matches the activity's type.

        Args:
            turn_context: the context of the turn, as created by the adapter.

        Raises:
            TypeError: ``turn_context`` is ``None``.
            ValueError: the context has no activity, or the activity has no ``type``.
        """
        if turn_context is None:
            raise TypeError(
                "ActivityHandler.on_turn needs the turn's TurnContext, got None; adapters "
                "call it as agent.on_turn(context)"
            )
        activity: Activity | None = getattr(turn_context, "activity", None)
        if activity is None:
            raise ValueError(
                "ActivityHandler.on_turn got a TurnContext without an activity; create the "
                "context with TurnContext(adapter, activity)"
            )
        activity_type = activity.type
        if not activity_type:
            raise ValueError(
                "ActivityHandler.on_turn got an activity without a type; every activity "
                "needs one, e.g. Activity(type='message', ...)"
            )

        # Exact, case-sensitive comparison: "Message" is not a message (A2011).
        if activity_type == ActivityTypes.message:
            await self.on_message_activity(turn_context)
        elif activity_type == ActivityTypes.message_update:
            await self.on_message_update_activity(turn_context)
        elif activity_type == ActivityTypes.message_delete:
            await self.on_message_delete_activity(turn_context)
        elif activity_type == ActivityTypes.conversation_update:
            await self.on_conversation_update_activity(turn_context)
        elif activity_type == ActivityTypes.message_reaction:
            await self.on_message_reaction_activity(turn_context)
        elif activity_type == ActivityTypes.event:
            await self.on_event_activity(turn_context)
        elif activity_type == ActivityTypes.invoke:
            await self._answer_invoke(turn_context)
        elif activity_type == ActivityTypes.end_of_conversation:
            await self.on_end_of_conversation_activity(turn_context)
        elif activity_type == ActivityTypes.typing:
            await self.on_typing_activity(turn_context)
        elif activity_type == ActivityTypes.installation_update:
            await self.on_installation_update(turn_context)
        elif activity_type == ActivityTypes.command:
            await self.on_command_activity(turn_context)
        elif activity_type == ActivityTypes.command_result:
            await self.on_command_result_activity(turn_context)
        elif activity_type == ActivityTypes.contact_relation_update:
            await self.on_contact_relation_update_activity(turn_context)
        elif activity_type == ActivityTypes.delete_user_data:
            await self.on_delete_user_data_activity(turn_context)
        elif activity_type == ActivityTypes.handoff:
            await self.on_handoff_activity(turn_context)
        else:
            await self.on_unrecognized_activity_type(turn_context)

    async def _answer_invoke(self, turn_context: TurnContext) -> None:
        response = await self.on_invoke_activity(turn_context)
        if response is None:
            return
        if turn_context.turn_state.get(INVOKE_RESPONSE_KEY) is not None:
            # The handler already answered through the context; that answer stands.
            logger.debug(
                "invoke %r was answered through the context; the returned response is not sent",
                turn_context.activity.name,
            )
            return
        # The value is the answer's JSON (by alias, without nulls), not the model: what
        # an on_send_activities interceptor sees is what the channel gets.
        await turn_context.send_activity(
            Activity(type=ActivityTypes.invoke_response, value=_json_body(response))
        )

    # ------------------------------------------------------------------ messages

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        """Called for a ``message``: the user said something. Does nothing by default."""

    async def on_message_update_activity(self, turn_context: TurnContext) -> None:
        """Called for a ``messageUpdate``: a message was edited. Does nothing by default."""

    async def on_message_delete_activity(self, turn_context: TurnContext) -> None:
        """Called for a ``messageDelete``: a message was deleted. Does nothing by default."""

    # ------------------------------------------------------------------ conversation updates

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        """Called for a ``conversationUpdate``.

        By default calls :meth:`on_members_added_activity` when members were added, then
        :meth:`on_members_removed_activity` when members were removed.
        """
        activity = turn_context.activity
        if activity.members_added:
            await self.on_members_added_activity(activity.members_added, turn_context)
        if activity.members_removed:
            await self.on_members_removed_activity(activity.members_removed, turn_context)

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        """Called when members joined the conversation (the agent itself may be among them).

        Args:
            members_added: the accounts that joined.
            turn_context: the context of the turn.
        """

    async def on_members_removed_activity(
        self, members_removed: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        """Called when members left the conversation.

        Args:
            members_removed: the accounts that left.
            turn_context: the context of the turn.
        """

    # ------------------------------------------------------------------ reactions

    async def on_message_reaction_activity(self, turn_context: TurnContext) -> None:
        """Called for a ``messageReaction``.

        By default calls :meth:`on_reactions_added` for added reactions, then
        :meth:`on_reactions_removed` for removed ones.
        """
        activity = turn_context.activity
        if activity.reactions_added:
            await self.on_reactions_added(activity.reactions_added, turn_context)
        if activity.reactions_removed:
            await self.on_reactions_removed(activity.reactions_removed, turn_context)

    async def on_reactions_added(
        self, message_reactions: list[MessageReaction], turn_context: TurnContext
    ) -> None:
        """Called when reactions were added to a message (``reply_to_id`` names it).

        Args:
            message_reactions: the reactions added.
            turn_context: the context of the turn.
        """

    async def on_reactions_removed(
        self, message_reactions: list[MessageReaction], turn_context: TurnContext
    ) -> None:
        """Called when reactions were removed from a message (``reply_to_id`` names it).

        Args:
            message_reactions: the reactions removed.
            turn_context: the context of the turn.
        """

    # ------------------------------------------------------------------ events

    async def on_event_activity(self, turn_context: TurnContext) -> None:
        """Called for an ``event``.

        By default calls :meth:`on_token_response_event` for ``tokens/response`` and
        :meth:`on_event` for any other name.
        """
        if turn_context.activity.name == SignInConstants.token_response_event_name:
            await self.on_token_response_event(turn_context)
        else:
            await self.on_event(turn_context)

    async def on_token_response_event(self, turn_context: TurnContext) -> None:
        """Called for the ``tokens/response`` event that completes an OAuth sign-in."""

    async def on_event(self, turn_context: TurnContext) -> None:
        """Called for an event other than ``tokens/response``. Does nothing by default.

        Unknown event names are disregarded unless you override this.
        """

    # ------------------------------------------------------------------ invokes

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse | None:
        """Answer an ``invoke``; the response returned is sent back to the caller.

        By default:

        * ``signin/verifyState`` and ``signin/tokenExchange``: calls
          :meth:`on_sign_in_invoke`, then answers ``200`` without a body;
        * ``adaptiveCard/action``: checks the value (``400`` with an error body when it
          has no ``action`` or the action is not ``Action.Execute``), calls
          :meth:`on_adaptive_card_invoke` and answers ``200`` with its result as the body;
        * ``application/search``: checks the value (``400`` with an error body when it is
          not a search), calls :meth:`on_search_invoke` and answers with its result as the
          body (status: the result's ``statusCode``, ``200`` when unset);
        * anything else: ``501``.

        A hook that was not overridden answers ``501``. Return ``None`` when you answered
        the invoke yourself (by sending an ``invokeResponse`` activity) or want no answer.

        Returns:
            The answer to the invoke, or ``None``.
        """
        name = turn_context.activity.name
        try:
            if name in _SIGN_IN_INVOKES:
                await self.on_sign_in_invoke(turn_context)
                return InvokeResponse(status=_OK)
            if name == ADAPTIVE_CARD_ACTION_INVOKE:
                action_value = self._adaptive_card_invoke_value(turn_context.activity)
                card_result = await self.on_adaptive_card_invoke(turn_context, action_value)
                return InvokeResponse(status=_OK, body=_json_body(card_result))
            if name == SEARCH_INVOKE:
                search_value = self._search_invoke_value(turn_context.activity)
                search_result = await self.on_search_invoke(turn_context, search_value)
                status = _OK
                if isinstance(search_result, AdaptiveCardInvokeResponse):
                    status = search_result.status_code or _OK
                return InvokeResponse(status=status, body=_json_body(search_result))
        except _InvokeResponseError as answer:
            logger.debug("invoke %r answered with status %s", name, answer.status)
            return answer.to_invoke_response()
        logger.debug("no handler for invoke %r; answering 501", name)
        return InvokeResponse(status=_NOT_IMPLEMENTED)

    async def on_sign_in_invoke(self, turn_context: TurnContext) -> None:
        """Called for ``signin/verifyState`` and ``signin/tokenExchange`` invokes.

        The invoke is answered ``200`` when this returns. Not overridden, the invoke is
        answered ``501``.
        """
        raise _InvokeResponseError.not_implemented()

    async def on_adaptive_card_invoke(
        self, turn_context: TurnContext, invoke_value: AdaptiveCardInvokeValue
    ) -> AdaptiveCardInvokeResponse:
        """Called for an Adaptive Card ``Action.Execute`` (``adaptiveCard/action``).

        Args:
            turn_context: the context of the turn.
            invoke_value: the parsed invoke value (``invoke_value.action.verb``,
                ``invoke_value.action.data``).

        Returns:
            The answer shown by the card: e.g. ``AdaptiveCardInvokeResponse(status_code=200,
            type="application/vnd.microsoft.card.adaptive", value=new_card)``. It becomes the
            body of a ``200`` invoke answer. Not overridden, the invoke is answered ``501``.
        """
        raise _InvokeResponseError.not_implemented()

    async def on_search_invoke(
        self, turn_context: TurnContext, search_value: AdaptiveCardSearchInvokeValue
    ) -> AdaptiveCardInvokeResponse:
        """Called for an Adaptive Card dynamic search (``application/search``).

        Args:
            turn_context: the context of the turn.
            search_value: the parsed search (``query_text``, ``query_options``,
                ``dataset``).

        Returns:
            The answer, e.g. ``AdaptiveCardInvokeResponse(status_code=200,
            type="application/vnd.microsoft.search.searchResponse",
            value={"results": [{"title": "...", "value": "..."}]})``. Not overridden, the
            invoke is answered ``501``.
        """
        raise _InvokeResponseError.not_implemented()

    @staticmethod
    def _adaptive_card_invoke_value(activity: Activity) -> AdaptiveCardInvokeValue:
        value = activity.value
        if isinstance(value, AdaptiveCardInvokeValue):
            invoke_value = value
        else:
            if value is None:
                raise _InvokeResponseError.card_error(
                    _BAD_REQUEST,
                    "BadRequest",
                    "The adaptiveCard/action invoke has no value; expected "
                    '{"action": {"type": "Action.Execute", ...}}',
                )
            if isinstance(value, Mapping) and not value.get("action"):
                raise _InvokeResponseError.card_error(
                    _BAD_REQUEST,
                    "BadRequest",
                    "The adaptiveCard/action invoke value has no 'action'; expected "
                    '{"action": {"type": "Action.Execute", ...}}',
                )
            try:
                invoke_value = AdaptiveCardInvokeValue.model_validate(value)
            except ValidationError as error:
                raise _InvokeResponseError.card_error(
                    _BAD_REQUEST,
                    "BadRequest",
                    "The adaptiveCard/action invoke value is not valid: "
                    f"{_describe_validation_error(error)}",
                ) from error
        if invoke_value.action.type != _ACTION_EXECUTE:
            # A bad request, not a missing feature: only Action.Execute raises this invoke.
            raise _InvokeResponseError.card_error(
                _BAD_REQUEST,
                "NotSupported",
                f"The action type {invoke_value.action.type!r} is not supported; only "
                f"{_ACTION_EXECUTE!r} raises adaptiveCard/action invokes",
            )
        return invoke_value

    @staticmethod
    def _search_invoke_value(activity: Activity) -> AdaptiveCardSearchInvokeValue:
        value = activity.value
        if isinstance(value, AdaptiveCardSearchInvokeValue):
            return value
        if value is None:
            raise _InvokeResponseError.card_error(
                _BAD_REQUEST,
                "BadRequest",
                "The application/search invoke has no value; expected "
                '{"kind": ..., "queryText": ..., "queryOptions": {"skip": ..., "top": ...}}',
            )
        try:
            return AdaptiveCardSearchInvokeValue.model_validate(value)
        except ValidationError as error:
            raise _InvokeResponseError.card_error(
                _BAD_REQUEST,
                "BadRequest",
                "The application/search invoke value is not valid: "
                f"{_describe_validation_error(error)}",
            ) from error

    # ------------------------------------------------------------------ other activity types

    async def on_end_of_conversation_activity(self, turn_context: TurnContext) -> None:
        """Called for an ``endOfConversation``. Does nothing by default."""

    async def on_typing_activity(self, turn_context: TurnContext) -> None:
        """Called for a ``typing`` indicator from the user. Does nothing by default."""

    async def on_installation_update(self, turn_context: TurnContext) -> None:
        """Called for an ``installationUpdate``.

        By default calls :meth:`on_installation_update_add` for the actions ``add`` and
        ``add-upgrade``, :meth:`on_installation_update_remove` for ``remove`` and
        ``remove-upgrade``, and nothing for any other action.
        """
        action = turn_context.activity.action
        if action in _INSTALL_ACTIONS:
            await self.on_installation_update_add(turn_context)
        elif action in _UNINSTALL_ACTIONS:
            await self.on_installation_update_remove(turn_context)
        else:
            logger.debug("installationUpdate with unknown action %r ignored", action)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        """Called when the agent was installed or upgraded (``add``, ``add-upgrade``)."""

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        """Called when the agent was uninstalled (``remove``, ``remove-upgrade``)."""

    async def on_command_activity(self, turn_context: TurnContext) -> None:
        """Called for a ``command``. Does nothing by default."""

    async def on_command_result_activity(self, turn_context: TurnContext) -> None:
        """Called for a ``commandResult``. Does nothing by default."""

    async def on_contact_relation_update_activity(self, turn_context: TurnContext) -> None:
        """Called for a ``contactRelationUpdate``.

        Defaults to :meth:`on_unrecognized_activity_type`.
        """
        await self.on_unrecognized_activity_type(turn_context)

    async def on_delete_user_data_activity(self, turn_context: TurnContext) -> None:
        """Called for a ``deleteUserData`` request.

        Defaults to :meth:`on_unrecognized_activity_type`.
        """
        await self.on_unrecognized_activity_type(turn_context)

    async def on_handoff_activity(self, turn_context: TurnContext) -> None:
        """Called for a ``handoff``. Defaults to :meth:`on_unrecognized_activity_type`."""
        await self.on_unrecognized_activity_type(turn_context)

    async def on_unrecognized_activity_type(self, turn_context: TurnContext) -> None:
        """Called for an activity type this handler has no method for.

        Does nothing by default: activities of unknown types are skipped quietly, not
        treated as errors (A2006, A2014).
        """
        logger.debug("activity of type %r ignored", turn_context.activity.type)
