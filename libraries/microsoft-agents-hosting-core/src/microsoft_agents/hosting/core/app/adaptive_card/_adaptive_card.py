"""Routes for Adaptive Card actions and searches (``app.adaptive_card``).

Three things a card can ask of an agent, each with its own decorator:

* ``Action.Execute`` (an ``adaptiveCard/action`` invoke, Universal Actions), by verb:
  :meth:`AdaptiveCard.action_execute`. The handler returns the answer, typically a new
  card (``AdaptiveCardInvokeResponse``), which the channel shows in place of the old one.
* ``Action.Submit`` (a ``message`` with no text whose ``value`` is the card's data), by the
  ``verb`` field of that data: :meth:`AdaptiveCard.action_submit`.
* a dynamic choice set (``Data.Query``, an ``application/search`` invoke), by dataset:
  :meth:`AdaptiveCard.search`. The handler returns the choices.

Example::

    @app.adaptive_card.action_execute("approve")
    async def approve(context, state, data):
        await record_approval(data["id"])
        return AdaptiveCardInvokeResponse(
            status_code=200, type=ContentTypes.adaptive_card, value=approved_card
        )

The SDK sends the invoke answers: ``action_execute`` always answers HTTP 200 with the
handler's response as the body (``{"statusCode": 200}`` when it returns None), or an error
body (``"statusCode": 400`` for a malformed value, ``501`` for an action type other than
``Action.Execute``); ``search`` answers with the status of its body.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    AdaptiveCardInvokeValue,
    AdaptiveCardSearchInvokeValue,
    ContentTypes,
    InvokeResponse,
)
from microsoft_agents.hosting.core._turn_context import (
    INVOKE_RESPONSE_KEY,
    TurnContext,
    adaptive_card_error_body,
    send_invoke_response,
)
from microsoft_agents.hosting.core.app._query import Query
from microsoft_agents.hosting.core.app._routes import RouteRank, RouteSelector, StateT

from ._models import AdaptiveCardSearchParams, AdaptiveCardSearchResult

if TYPE_CHECKING:
    from microsoft_agents.hosting.core.app._agent_application import AgentApplication

__all__ = [
    "ActionExecuteHandler",
    "ActionSubmitHandler",
    "AdaptiveCard",
    "SearchHandler",
]

logger = logging.getLogger(__name__)

ACTION_INVOKE_NAME = "adaptiveCard/action"
SEARCH_INVOKE_NAME = "application/search"
ACTION_EXECUTE_TYPE = "Action.Execute"
DEFAULT_SEARCH_COUNT = 25
"""The page size of a search whose ``queryOptions`` give no ``top``."""

ActionExecuteHandler = Callable[
    [TurnContext, StateT, dict[str, Any]], Awaitable[AdaptiveCardInvokeResponse | None]
]
"""``async handler(context, state, data) -> AdaptiveCardInvokeResponse | None``."""

ActionSubmitHandler = Callable[[TurnContext, StateT, dict[str, Any]], Awaitable[object]]
"""``async handler(context, state, data)``; ``data`` is the submitted card data (what the
handler returns is ignored)."""

SearchHandler = Callable[
    [TurnContext, StateT, Query[AdaptiveCardSearchParams]],
    Awaitable[Sequence[AdaptiveCardSearchResult]],
]
"""``async handler(context, state, query) -> list[AdaptiveCardSearchResult]``."""

# The decorators return the handler with its own type (see AgentApplication's route
# decorators); the bounds keep the results the SDK uses: the invoke answer, the choices.
_ActionExecuteHandlerT = TypeVar("_ActionExecuteHandlerT", bound=ActionExecuteHandler[Any])
_ActionSubmitHandlerT = TypeVar("_ActionSubmitHandlerT", bound=ActionSubmitHandler[Any])
_SearchHandlerT = TypeVar("_SearchHandlerT", bound=SearchHandler[Any])

Matcher = str | re.Pattern[str] | RouteSelector
"""A verb or dataset to match: exact string, regular expression (searched), or selector."""


async def _answer(context: TurnContext, status: int, body: object) -> None:
    await send_invoke_response(context, InvokeResponse(status=status, body=body))


def _is_invoke(activity: Activity, name: str) -> bool:
    return activity.type == ActivityTypes.invoke and activity.name == name


def _text_matches(matcher: str | re.Pattern[str], candidate: object) -> bool:
    if not isinstance(candidate, str):
        return False
    if isinstance(matcher, str):
        return candidate == matcher
    return matcher.search(candidate) is not None


def _check_matcher(matcher: object, what: str) -> None:
    if not (isinstance(matcher, (str, re.Pattern)) or callable(matcher)):
        raise TypeError(
            f"the {what} to match must be a string, a compiled regular expression or a "
            f"selector function 'selector(context) -> bool', got {type(matcher).__name__}"
        )


class AdaptiveCard(Generic[StateT]):
    """Registers Adaptive Card routes on an application; use it as ``app.adaptive_card``.

    Every method returns a decorator that registers the handler and returns it unchanged,
    so it also works as a plain call: ``app.adaptive_card.action_submit("save")(on_save)``.
    Keyword arguments ``rank`` and ``is_agentic`` are those of ``app.add_route``;
    ``auth_handlers`` names the sign-in handlers the user must complete first.
    """

    def __init__(self, app: AgentApplication[StateT]) -> None:
        self._app = app

    # ------------------------------------------------------------------ Action.Execute

    def action_execute(
        self,
        verb: Matcher,
        *,
        auth_handlers: list[str] | None = None,
        rank: int = RouteRank.DEFAULT,
        is_agentic: bool = False,
    ) -> Callable[[_ActionExecuteHandlerT], _ActionExecuteHandlerT]:
        """Handle ``Action.Execute`` of a card (an ``adaptiveCard/action`` invoke).

        Args:
            verb: the action's ``verb``: equal to a string, found by a compiled regular
                expression (``re.search``), or a selector function that decides (it is
                consulted for ``adaptiveCard/action`` invokes only).
            auth_handlers: sign-in handlers the user must complete first.
            rank: the route's rank among invoke routes.
            is_agentic: only for agentic requests.

        Returns:
            A decorator for ``async handler(context, state, data)``, where ``data`` is the
            action's ``data``; the handler returns the invoke answer's body
            (``AdaptiveCardInvokeResponse``) or None for ``{"statusCode": 200}``.

        Raises:
            TypeError: ``verb`` is not a string, a pattern or a function.
        """
        _check_matcher(verb, "verb")

        def selector(context: TurnContext) -> bool:
            activity = context.activity
            if not _is_invoke(activity, ACTION_INVOKE_NAME):
                return False
            if callable(verb) and not isinstance(verb, (str, re.Pattern)):
                return bool(verb(context))
            value = activity.value
            action = value.get("action") if isinstance(value, Mapping) else None
            candidate = action.get("verb") if isinstance(action, Mapping) else None
            return _text_matches(verb, candidate)

        def register(handler: _ActionExecuteHandlerT) -> _ActionExecuteHandlerT:
            async def route(context: TurnContext, state: StateT) -> None:
                try:
                    invoke_value = AdaptiveCardInvokeValue.model_validate(context.activity.value)
                except ValidationError as error:
                    logger.warning("malformed adaptiveCard/action value: %s", error)
                    await _answer(
                        context,
                        200,
                        adaptive_card_error_body(
                            400,
                            "BadRequest",
                            "The adaptiveCard/action invoke has no valid 'value': it needs "
                            "an 'action' with a 'type' (Action.Execute) and a 'verb'.",
                        ),
                    )
                    return
                action_type = invoke_value.action.type
                if action_type != ACTION_EXECUTE_TYPE:
                    await _answer(
                        context,
                        200,
                        adaptive_card_error_body(
                            501,
                            "NotSupported",
                            f"The action type '{action_type}' is not supported; this "
                            f"agent handles '{ACTION_EXECUTE_TYPE}' only.",
                        ),
                    )
                    return
                response = await handler(context, state, invoke_value.action.data)
                if response is None:
                    if INVOKE_RESPONSE_KEY in context.turn_state:
                        return  # the handler answered the invoke itself
                    await _answer(context, 200, {"statusCode": 200})
                    return
                await _answer(context, 200, _dump(response))

            functools.update_wrapper(route, handler)  # errors and logs name the handler
            self._app.add_route(
                selector,
                route,
                is_invoke=True,
                is_agentic=is_agentic,
                rank=rank,
                auth_handlers=auth_handlers,
            )
            return handler

        return register

    # ------------------------------------------------------------------ Action.Submit

    def action_submit(
        self,
        verb: Matcher,
        *,
        auth_handlers: list[str] | None = None,
        submit_filter: str = "verb",
        rank: int = RouteRank.DEFAULT,
        is_agentic: bool = False,
        is_invoke: bool = False,
    ) -> Callable[[_ActionSubmitHandlerT], _ActionSubmitHandlerT]:
        """Handle ``Action.Submit`` of a card: a message without text carrying card data.

        Args:
            verb: the value of the data's ``submit_filter`` field: equal to a string,
                found by a compiled regular expression (``re.search``), or a selector
                function that decides (consulted for text-less messages with data only).
            auth_handlers: sign-in handlers the user must complete first.
            submit_filter: the data field that holds the verb (put it in the submit
                action's ``data``: ``{"verb": "save", ...}``).
            rank: the route's rank.
            is_agentic: only for agentic requests.
            is_invoke: mark the route as an invoke route (tried before the others).

        Returns:
            A decorator for ``async handler(context, state, data)``, where ``data`` is the
            submitted data (the activity's ``value``).

        Raises:
            TypeError: ``verb`` is not a string, a pattern or a function.
        """
        _check_matcher(verb, "verb")

        def selector(context: TurnContext) -> bool:
            activity = context.activity
            if activity.type != ActivityTypes.message or activity.text:
                return False
            value = activity.value
            if not isinstance(value, Mapping):
                return False
            if callable(verb) and not isinstance(verb, (str, re.Pattern)):
                return bool(verb(context))
            return _text_matches(verb, value.get(submit_filter))

        def register(handler: _ActionSubmitHandlerT) -> _ActionSubmitHandlerT:
            async def route(context: TurnContext, state: StateT) -> None:
                await handler(context, state, dict(context.activity.value))

            functools.update_wrapper(route, handler)  # errors and logs name the handler
            self._app.add_route(
                selector,
                route,
                is_invoke=is_invoke,
                is_agentic=is_agentic,
                rank=rank,
                auth_handlers=auth_handlers,
            )
            return handler

        return register

    # ------------------------------------------------------------------ Data.Query

    def search(
        self,
        dataset: Matcher,
        *,
        auth_handlers: list[str] | None = None,
        rank: int = RouteRank.DEFAULT,
        is_agentic: bool = False,
    ) -> Callable[[_SearchHandlerT], _SearchHandlerT]:
        """Answer the type-ahead search of a card's dynamic choice set (``Data.Query``).

        Args:
            dataset: the choice set's ``dataset``: equal to a string, found by a compiled
                regular expression (``re.search``), or a selector function that decides
                (consulted for ``application/search`` invokes only).
            auth_handlers: sign-in handlers the user must complete first.
            rank: the route's rank among invoke routes.
            is_agentic: only for agentic requests.

        Returns:
            A decorator for ``async handler(context, state, query)``, where ``query`` is a
            ``Query[AdaptiveCardSearchParams]`` (``count`` = the ``top`` asked for, 25 when
            not given; ``skip``; the typed text and dataset). The handler returns the
            choices as ``AdaptiveCardSearchResult`` objects.

        Raises:
            TypeError: ``dataset`` is not a string, a pattern or a function.
        """
        _check_matcher(dataset, "dataset")

        def selector(context: TurnContext) -> bool:
            activity = context.activity
            if not _is_invoke(activity, SEARCH_INVOKE_NAME):
                return False
            if callable(dataset) and not isinstance(dataset, (str, re.Pattern)):
                return bool(dataset(context))
            value = activity.value
            candidate = value.get("dataset") if isinstance(value, Mapping) else None
            return _text_matches(dataset, candidate)

        def register(handler: _SearchHandlerT) -> _SearchHandlerT:
            async def route(context: TurnContext, state: StateT) -> None:
                try:
                    search = AdaptiveCardSearchInvokeValue.model_validate(context.activity.value)
                except ValidationError as error:
                    logger.warning("malformed application/search value: %s", error)
                    await _answer(
                        context,
                        400,
                        adaptive_card_error_body(
                            400,
                            "BadRequest",
                            "The application/search invoke has no valid 'value': it needs "
                            "'kind', 'queryText' and 'queryOptions'.",
                        ),
                    )
                    return
                options = search.query_options
                query = Query(
                    count=options.top if options.top is not None else DEFAULT_SEARCH_COUNT,
                    skip=options.skip if options.skip is not None else 0,
                    parameters=AdaptiveCardSearchParams(
                        query_text=search.query_text, dataset=search.dataset
                    ),
                )
                results = await handler(context, state, query)
                body = {
                    "statusCode": 200,
                    "type": ContentTypes.search_response,
                    "value": {"results": [_dump(result) for result in results]},
                }
                await _answer(context, 200, body)

            functools.update_wrapper(route, handler)  # errors and logs name the handler
            self._app.add_route(
                selector,
                route,
                is_invoke=True,
                is_agentic=is_agentic,
                rank=rank,
                auth_handlers=auth_handlers,
            )
            return handler

        return register


def _dump(model: object) -> object:
    """A model as JSON (by alias, without nulls); anything else as it is."""
    if isinstance(model, BaseModel):
        return model.model_dump(mode="json", by_alias=True, exclude_none=True)
    return model
