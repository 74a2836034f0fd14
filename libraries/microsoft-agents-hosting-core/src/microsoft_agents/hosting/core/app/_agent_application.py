"""``AgentApplication``: an agent built from routes and handlers.

Register a handler for each kind of activity the agent answers; the application picks the
route for each incoming activity, loads the conversation and user state, runs the handler
and saves the state afterwards::

    app = AgentApplication[TurnState](storage=MemoryStorage(), adapter=adapter)

    @app.conversation_update("membersAdded")
    async def welcome(context: TurnContext, state: TurnState) -> None:
        await context.send_activity("Welcome! Type /help for help.")

    @app.message(re.compile(r"/help|/\\?"))
    async def show_help(context: TurnContext, state: TurnState) -> None:
        await context.send_activity("Send me anything and I echo it.")

    @app.activity("message")
    async def echo(context: TurnContext, state: TurnState) -> None:
        await context.send_activity(f"You said: {context.activity.text}")

    @app.error
    async def on_error(context: TurnContext, error: Exception) -> None:
        await context.send_activity("Sorry, something went wrong.")

Every decorator returns the function it decorates, so decorators stack and also work as
plain calls (``app.message("/help")(help)``).

A turn runs in this order: a typing indicator starts (see ``TypingIndicator``); the
agent's @-mention is removed from the message text; the turn state is loaded and
``state.temp.input`` set to the text; the ``before_turn`` hooks run (one returning False
ends the turn, after saving the state); file downloaders fill ``state.temp.input_files``;
the first matching route runs (see :mod:`~microsoft_agents.hosting.core.app._routes` for the
order); the ``after_turn`` hooks run; and the state is saved when every ``after_turn`` hook
returned True. An exception from a handler or hook goes to the ``@app.error`` handlers
when there are any (the turn then ends normally, without saving its state), and otherwise
to the adapter's ``on_turn_error``. An exception an ``@app.error`` handler raises is not
handed to the handlers again: it goes on to the adapter (see :meth:`AgentApplication.error`).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
import warnings
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast, overload

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    InvokeResponse,
    load_configuration_from_env,
)
from microsoft_agents.hosting.core._channel_adapter import ChannelAdapter
from microsoft_agents.hosting.core._errors import ApplicationError
from microsoft_agents.hosting.core._turn_context import TurnContext, send_invoke_response
from microsoft_agents.hosting.core.app.adaptive_card._adaptive_card import AdaptiveCard
from microsoft_agents.hosting.core.app.state import TurnState

from ._options import ApplicationOptions
from ._routes import RouteHandler, RouteRank, RouteSelector, StateT, _Route, _RouteList
from ._typing import Sleep, TypingIndicator, TypingOptions
from .proactive._proactive import Proactive
from .streaming._streaming_response import finish_turn_stream

if TYPE_CHECKING:
    from microsoft_agents.hosting.core.authorization import Connections
    from microsoft_agents.hosting.core.storage import Storage

    from ._options import InputFileDownloader
    from .oauth.authorization import AuthHandler, Authorization
    from .proactive import ProactiveOptions

__all__ = [
    "AgentApplication",
    "ErrorHandler",
    "HandoffHandler",
    "SignInHandler",
    "TurnHook",
]

logger = logging.getLogger(__name__)

# Enum members read once: attribute access on an Enum class is slow, and these are read
# on every turn.
_CONVERSATION_UPDATE = ActivityTypes.conversation_update.value
_MESSAGE = ActivityTypes.message.value
_MESSAGE_REACTION = ActivityTypes.message_reaction.value
_INVOKE = ActivityTypes.invoke.value

TurnHook = Callable[[TurnContext, StateT], Awaitable[bool]]
"""``async hook(context, state) -> bool``: runs before or after routing; False stops."""

ErrorHandler = Callable[[TurnContext, Exception], Awaitable[object]]
"""``async handler(context, error)``: called when a turn raised (its result is ignored)."""

SignInHandler = Callable[[TurnContext, StateT, "str | None"], Awaitable[object]]
"""``async handler(context, state, handler_id)``: a user sign-in succeeded or failed."""

HandoffHandler = Callable[[TurnContext, StateT, str], Awaitable[object]]
"""``async handler(context, state, continuation)``: a conversation was handed to the agent."""

# The decorators return the function they are given with its own type (its parameter
# names, its coroutine type, its result), not the alias it satisfies. A bound cannot name
# the application's StateT: the decorators check the shape of a handler, not the type of
# its state parameter (add_route and the other plain methods do check it).
_RouteHandlerT = TypeVar("_RouteHandlerT", bound=RouteHandler[Any])
_TurnHookT = TypeVar("_TurnHookT", bound=TurnHook[Any])
_ErrorHandlerT = TypeVar("_ErrorHandlerT", bound=ErrorHandler)
_SignInHandlerT = TypeVar("_SignInHandlerT", bound=SignInHandler[Any])
_HandoffHandlerT = TypeVar("_HandoffHandlerT", bound=HandoffHandler[Any])


class _Unset:
    """The default of an option keyword left out: the ``ApplicationOptions`` value holds."""

    def __repr__(self) -> str:
        return "<the ApplicationOptions value>"


# Typed Any so that it can stand as the default of every option keyword; told apart from
# any value a caller passes (None included) by identity.
_UNSET: Any = _Unset()
# The same, typed None for turn_state_factory: a checker that infers StateT from a default
# left in place (pyright) then finds no state type there, and StateT keeps its default.
_UNSET_FACTORY: None = _UNSET

_HANDOFF_INVOKE_NAME = "handoff/action"
# turn_state key of the exception an @app.error handler raised: handled once, not twice.
_FAILED_ERROR_HANDLER_KEY = "microsoft_agents.app.error_handler_failed"
_ANSWERED_AT_ONCE = frozenset({"expectReplies"})
_MEMBERS_ADDED = "membersAdded"
_MEMBERS_REMOVED = "membersRemoved"
_REACTIONS = ("reactionsAdded", "reactionsRemoved")
_MESSAGE_UPDATE_EVENTS = {
    "editMessage": ActivityTypes.message_update,
    "undeleteMessage": ActivityTypes.message_update,
    "softDeleteMessage": ActivityTypes.message_delete,
}

ActivityTypeSelect = str | Sequence[str]
MessageSelect = str | re.Pattern[str] | Sequence[str | re.Pattern[str]]


def _event_type(channel_data: object) -> str | None:
    """The ``eventType`` of a channel's data (Teams puts sub-events there)."""
    if isinstance(channel_data, Mapping):
        found = channel_data.get("eventType", channel_data.get("event_type"))
    else:
        found = getattr(channel_data, "event_type", None)
    return found if isinstance(found, str) else None


# The keywords AgentApplication takes by name, besides the fields of ApplicationOptions.
_OWN_KEYWORDS = ("options", "connection_manager", "authorization", "agent_name")


def _refuse_misspelt_options(kwargs: Mapping[str, object]) -> None:
    """Raise TypeError for a keyword that is a misspelling of one AgentApplication takes.

    ``**kwargs`` is there for the configuration sections (upper case, as
    ``load_configuration_from_env`` names them) and ``agent_name``; anything else is
    ignored, as upstream does. A lower-case keyword close to an option's name is a typo
    whose option would otherwise silently keep its default (``start_typing_timr=False``).
    """
    import difflib

    known = [*sorted(ApplicationOptions.field_names()), *_OWN_KEYWORDS]
    for name in kwargs:
        if name in known or name != name.lower():
            continue
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.8)
        if close:
            raise TypeError(
                f"AgentApplication() got an unexpected keyword argument {name!r}; "
                f"did you mean {close[0]!r}?"
            )


class AgentApplication(Generic[StateT]):
    """An agent made of routes: register handlers, and the application dispatches turns.

    Args:
        options: the application's options; when None they are built from the option
            keywords.
        connection_manager: the service connections (used for user sign-in).
        authorization: user sign-in (``Authorization``); needed for routes with
            ``auth_handlers`` and for :attr:`auth`.
        adapter, bot_app_id, storage, remove_recipient_mention, normalize_mentions,
            start_typing_timer, typing, long_running_messages, file_downloaders,
            turn_state_factory, authorization_handlers, proactive: the fields of
            :class:`ApplicationOptions` (see there); those given override the same fields
            of ``options``, the others keep its values (or the defaults).
        **kwargs: ``agent_name`` (the name agentic requests carry), and the configuration
            (``**load_configuration_from_env(os.environ)``: its ``AGENTAPPLICATION`` and
            ``CONNECTIONS`` sections); other keywords are ignored, except a lower-case
            one close to the name of a keyword above (a typo), which is a TypeError.

    Raises:
        ApplicationError: no storage was given; both ``authorization`` and
            ``connection_manager`` were given.
        TypeError: ``options`` is not an ``ApplicationOptions``, or its ``proactive``
            is not a ``ProactiveOptions``; a keyword is a misspelt option name.
    """

    def __init__(
        self,
        options: ApplicationOptions[StateT] | None = None,
        *,
        connection_manager: Connections | None = None,
        authorization: Authorization | None = None,
        adapter: ChannelAdapter | None = _UNSET,
        bot_app_id: str = _UNSET,
        storage: Storage | None = _UNSET,
        remove_recipient_mention: bool = _UNSET,
        normalize_mentions: bool = _UNSET,
        start_typing_timer: bool = _UNSET,
        typing: TypingOptions | None = _UNSET,
        long_running_messages: bool = _UNSET,
        file_downloaders: list[InputFileDownloader] = _UNSET,
        turn_state_factory: Callable[[], StateT] | None = _UNSET_FACTORY,
        authorization_handlers: dict[str, AuthHandler] | None = _UNSET,
        proactive: ProactiveOptions | None = _UNSET,
        **kwargs: Any,
    ) -> None:
        # The option keywords given; those left out keep the value of options (or the
        # default). Read by field name: a field added to ApplicationOptions without its
        # keyword here fails every construction (KeyError), not silently.
        arguments = locals()
        given = {
            name: arguments[name]
            for name in ApplicationOptions.field_names()
            if arguments[name] is not _UNSET
        }
        self._options = self._build_options(options, given, kwargs)
        storage = self._options.storage
        if storage is None:
            raise ApplicationError(
                "AgentApplication needs a storage for conversation and user state: pass "
                "storage=MemoryStorage() (or another Storage) when creating it"
            )
        if authorization is not None and connection_manager is not None:
            raise ApplicationError(
                "pass either authorization=... or connection_manager=... to "
                "AgentApplication, not both: the Authorization already has its connections"
            )
        self._storage: Storage = storage
        self._authorization: Authorization | None = authorization
        self._connection_manager: Connections | None = connection_manager
        # By default <state class>.with_storage(storage) itself, called once per turn; the
        # class is known at the first turn (see _first_default_state).
        self._turn_state_factory: Callable[[], StateT] = (
            self._options.turn_state_factory or self._first_default_state
        )
        self._routes: _RouteList[StateT] = _RouteList()
        self._before_turn: list[TurnHook[StateT]] = []
        self._after_turn: list[TurnHook[StateT]] = []
        self._error_handlers: list[ErrorHandler] = []
        # The adapter's on_turn_error before @app.error replaced it: it gets the
        # exceptions the error handlers themselves raise.
        self._adapter_turn_error: ErrorHandler | None = None
        self._sign_in_success: list[SignInHandler[StateT]] = []
        self._sign_in_failure: list[SignInHandler[StateT]] = []
        self._adaptive_card: AdaptiveCard[StateT] = AdaptiveCard(self)
        proactive = self._options.proactive
        self._proactive: Proactive[StateT] | None = (
            Proactive(self, proactive) if proactive is not None else None
        )
        # How typing indicators wait; tests replace it to drive time by hand.
        self._typing_sleep: Sleep | None = None
        # The name agentic requests carry as their AgentName header (protocol §12.4);
        # the adapter falls back to the class name.
        given_name = kwargs.get("agent_name")
        self.agent_name: str | None = given_name if isinstance(given_name, str) else None

    @staticmethod
    def _build_options(
        options: ApplicationOptions[StateT] | None,
        given: Mapping[str, Any],
        kwargs: Mapping[str, object],
    ) -> ApplicationOptions[StateT]:
        if kwargs:
            _refuse_misspelt_options(kwargs)
            logger.debug("AgentApplication ignores the keyword arguments %s", sorted(kwargs))
        if options is None:
            return ApplicationOptions(**given)
        if not isinstance(options, ApplicationOptions):
            raise TypeError(
                f"options must be an ApplicationOptions, got {type(options).__name__}; or "
                "pass the options as keyword arguments (storage=..., adapter=...)"
            )
        return dataclasses.replace(options, **given) if given else options

    # ------------------------------------------------------------------ properties

    @property
    def options(self) -> ApplicationOptions[StateT]:
        """The application's options."""
        return self._options

    @property
    def adapter(self) -> ChannelAdapter:
        """The adapter given in the options.

        Raises:
            ApplicationError: no adapter was configured.
        """
        if self._options.adapter is None:
            raise ApplicationError(
                "this AgentApplication has no adapter: pass adapter=CloudAdapter(...) "
                "(or another ChannelAdapter) when creating it"
            )
        return self._options.adapter

    @property
    def auth(self) -> Authorization:
        """User sign-in (the ``Authorization`` given as ``authorization=``).

        Raises:
            ApplicationError: no authorization was configured.
        """
        if self._authorization is None:
            raise ApplicationError(
                "this AgentApplication has no user authorization: pass "
                "authorization=Authorization(storage, connection_manager, **config) when "
                "creating it"
            )
        return self._authorization

    @property
    def connection_manager(self) -> Connections | None:
        """The connection manager given as ``connection_manager=``, if any."""
        return self._connection_manager

    @property
    def adaptive_card(self) -> AdaptiveCard[StateT]:
        """Routes for Adaptive Card actions and searches."""
        return self._adaptive_card

    @property
    def proactive(self) -> Proactive[StateT]:
        """Proactive messages: store conversations, send to them and continue them later.

        Raises:
            ApplicationError: proactive messaging was not turned on.
        """
        if self._proactive is None:
            raise ApplicationError(
                "this AgentApplication has no proactive messaging: pass "
                "proactive=ProactiveOptions() (from microsoft_agents.hosting.core.app) when "
                "creating it"
            )
        return self._proactive

    def _first_default_state(self) -> StateT:
        """The default state factory's first call: it settles the state class for good.

        The class is the application's type argument: ``AgentApplication[MyState](...)``
        builds ``MyState.with_storage(storage)`` for each turn, as does a subclass of
        ``AgentApplication[MyState]``; without one (or with ``TurnState``) it is
        ``TurnState``. Python sets the type argument on the instance only after
        ``__init__``, hence the first turn.

        Raises:
            ApplicationError: the state class cannot be built by ``with_storage``.
        """
        state_class = self._state_class()
        factory = functools.partial(state_class.with_storage, self._storage)
        try:
            state = factory()
        except TypeError as error:
            raise ApplicationError(
                f"AgentApplication[{state_class.__name__}] builds each turn's state with "
                f"{state_class.__name__}.with_storage(storage), which failed ({error}); pass "
                "turn_state_factory= (a function that returns a new state) when creating it"
            ) from error
        self._turn_state_factory = cast("Callable[[], StateT]", factory)
        return cast("StateT", state)

    def _state_class(self) -> type[TurnState]:
        """The ``TurnState`` class the application is parametrised with (else TurnState)."""
        aliases = [getattr(self, "__orig_class__", None)]
        for klass in type(self).__mro__:
            aliases.extend(klass.__dict__.get("__orig_bases__", ()))
        for alias in aliases:
            arguments = getattr(alias, "__args__", ())
            origin = getattr(alias, "__origin__", None)
            if not (isinstance(origin, type) and issubclass(origin, AgentApplication)):
                continue
            state_class = arguments[0] if arguments else None
            if isinstance(state_class, type) and issubclass(state_class, TurnState):
                return state_class
        return TurnState

    def set_turn_state_factory(self, factory: Callable[[], StateT]) -> None:
        """Build each turn's state with ``factory()`` instead of the default."""
        self._turn_state_factory = factory

    # ------------------------------------------------------------------ routes

    def add_route(
        self,
        selector: RouteSelector,
        handler: RouteHandler[StateT],
        is_invoke: bool = False,
        is_agentic: bool = False,
        rank: int = RouteRank.DEFAULT,
        auth_handlers: Sequence[str] | None = None,
    ) -> None:
        """Register ``handler`` for the activities ``selector`` accepts.

        Args:
            selector: ``selector(context) -> bool``; must not block or await.
            handler: ``async handler(context, state)``.
            is_invoke: the route answers ``invoke`` activities (tried first).
            is_agentic: the route only takes agentic requests (tried before the others).
            rank: its position among routes of the same kind, from ``RouteRank.FIRST``
                to ``RouteRank.LAST``; lower is tried first.
            auth_handlers: the ids of the sign-in handlers the user must complete
                before the handler runs.

        Raises:
            ApplicationError: ``auth_handlers`` were given but no authorization is
                configured, or ``rank`` is out of range.
        """
        handlers = tuple(auth_handlers or ())
        route: _Route[StateT] = _Route(
            selector=selector,
            handler=handler,
            is_invoke=is_invoke,
            is_agentic=is_agentic,
            rank=rank,
            auth_handlers=handlers,
        )
        if handlers and self._authorization is None:
            raise ApplicationError(
                f"route {route.name} asks for sign-in with auth_handlers={list(handlers)}, "
                "but this AgentApplication has no user authorization: pass "
                "authorization=Authorization(storage, connection_manager, **config) to "
                "AgentApplication, or remove auth_handlers from the route"
            )
        self._routes.add(route)

    def _register(
        self,
        selector: RouteSelector,
        *,
        is_invoke: bool,
        is_agentic: bool,
        rank: int,
        auth_handlers: Sequence[str] | None,
    ) -> Callable[[_RouteHandlerT], _RouteHandlerT]:
        def register(handler: _RouteHandlerT) -> _RouteHandlerT:
            self.add_route(selector, handler, is_invoke, is_agentic, rank, auth_handlers)
            return handler

        return register

    def activity(
        self,
        activity_type: ActivityTypeSelect,
        *,
        auth_handlers: list[str] | None = None,
        rank: int = RouteRank.DEFAULT,
        is_agentic: bool = False,
        is_invoke: bool = False,
    ) -> Callable[[_RouteHandlerT], _RouteHandlerT]:
        """Handle activities of a type (``"message"``, ``ActivityTypes.event``, ...).

        Args:
            activity_type: the type, or a list of types (any of them matches); compared
                exactly, case included ("Message" is not a message: A2011).
            auth_handlers: sign-in handlers the user must complete first.
            rank: the route's rank.
            is_agentic: only for agentic requests.
            is_invoke: mark the route as an invoke route (tried before the others).

        Returns:
            A decorator that registers ``async handler(context, state)`` and returns it.
        """
        candidates: list[object] = (
            list(activity_type)
            if isinstance(activity_type, Sequence) and not isinstance(activity_type, str)
            else [activity_type]
        )
        wanted: list[str] = []
        for item in candidates:
            if not isinstance(item, str) or not item:
                raise TypeError(
                    f"activity types must be non-empty strings (or ActivityTypes), got {item!r}"
                )
            wanted.append(item)

        exact = frozenset(str(t) for t in wanted)

        def selector(context: TurnContext) -> bool:
            return context.activity.type in exact

        return self._register(
            selector,
            is_invoke=is_invoke,
            is_agentic=is_agentic,
            rank=rank,
            auth_handlers=auth_handlers,
        )

    def message(
        self,
        select: MessageSelect,
        *,
        auth_handlers: list[str] | None = None,
        rank: int = RouteRank.DEFAULT,
        is_agentic: bool = False,
        is_invoke: bool = False,
    ) -> Callable[[_RouteHandlerT], _RouteHandlerT]:
        """Handle messages by their text.

        Args:
            select: a string the text must equal exactly (case-sensitive), a compiled
                regular expression the whole text must match (``re.fullmatch``; add
                ``re.IGNORECASE`` to ignore case), or a list of those (any matches). A
                message without text is matched as ``""``.
            auth_handlers: sign-in handlers the user must complete first.
            rank: the route's rank.
            is_agentic: only for agentic requests.
            is_invoke: mark the route as an invoke route (tried before the others).

        Returns:
            A decorator that registers ``async handler(context, state)`` and returns it.
        """
        candidates: list[object] = (
            list(select)
            if isinstance(select, Sequence) and not isinstance(select, str)
            else [select]
        )
        matchers: list[str | re.Pattern[str]] = []
        for matcher in candidates:
            if not isinstance(matcher, (str, re.Pattern)):
                raise TypeError(
                    "message() matches a string, a compiled regular expression "
                    f"(re.compile(...)) or a list of those, got {type(matcher).__name__}"
                )
            matchers.append(matcher)

        def selector(context: TurnContext) -> bool:
            activity = context.activity
            if activity.type != _MESSAGE:
                return False
            text = activity.text or ""
            for matcher in matchers:
                if isinstance(matcher, str):
                    if text == matcher:
                        return True
                elif matcher.fullmatch(text) is not None:
                    return True
            return False

        return self._register(
            selector,
            is_invoke=is_invoke,
            is_agentic=is_agentic,
            rank=rank,
            auth_handlers=auth_handlers,
        )

    def conversation_update(
        self,
        type: str,
        *,
        auth_handlers: list[str] | None = None,
        rank: int = RouteRank.DEFAULT,
        is_agentic: bool = False,
        is_invoke: bool = False,
    ) -> Callable[[_RouteHandlerT], _RouteHandlerT]:
        """Handle ``conversationUpdate`` activities of one kind.

        Args:
            type: ``"membersAdded"`` or ``"membersRemoved"`` (the activity lists at least
                one such member; the agent itself counts), or a channel event such as
                Teams' ``"channelCreated"`` or ``"teamRenamed"``, compared with the
                ``eventType`` of the activity's ``channelData``.
            auth_handlers: sign-in handlers the user must complete first.
            rank: the route's rank.
            is_agentic: only for agentic requests.
            is_invoke: mark the route as an invoke route (tried before the others).

        Returns:
            A decorator that registers ``async handler(context, state)`` and returns it.
        """
        if not isinstance(type, str) or not type:
            raise TypeError(
                "conversation_update() takes 'membersAdded', 'membersRemoved' or a channel "
                f"event type such as 'channelCreated', got {type!r}"
            )
        kind = str(type)

        def selector(context: TurnContext) -> bool:
            activity = context.activity
            if activity.type != _CONVERSATION_UPDATE:
                return False
            if kind == _MEMBERS_ADDED:
                return bool(activity.members_added)
            if kind == _MEMBERS_REMOVED:
                return bool(activity.members_removed)
            return _event_type(activity.channel_data) == kind

        return self._register(
            selector,
            is_invoke=is_invoke,
            is_agentic=is_agentic,
            rank=rank,
            auth_handlers=auth_handlers,
        )

    def message_reaction(
        self,
        type: str,
        *,
        auth_handlers: list[str] | None = None,
        rank: int = RouteRank.DEFAULT,
        is_agentic: bool = False,
        is_invoke: bool = False,
    ) -> Callable[[_RouteHandlerT], _RouteHandlerT]:
        """Handle reactions to messages (likes, hearts, ...).

        Args:
            type: ``"reactionsAdded"`` or ``"reactionsRemoved"``.
            auth_handlers: sign-in handlers the user must complete first.
            rank: the route's rank.
            is_agentic: only for agentic requests.
            is_invoke: mark the route as an invoke route (tried before the others).

        Returns:
            A decorator that registers ``async handler(context, state)`` and returns it.

        Raises:
            ApplicationError: ``type`` is neither of the two.
        """
        if type not in _REACTIONS:
            raise ApplicationError(
                f"message_reaction() takes 'reactionsAdded' or 'reactionsRemoved', got {type!r}"
            )
        added = type == "reactionsAdded"

        def selector(context: TurnContext) -> bool:
            activity = context.activity
            if activity.type != _MESSAGE_REACTION:
                return False
            return bool(activity.reactions_added if added else activity.reactions_removed)

        return self._register(
            selector,
            is_invoke=is_invoke,
            is_agentic=is_agentic,
            rank=rank,
            auth_handlers=auth_handlers,
        )

    def message_update(
        self,
        type: str,
        *,
        auth_handlers: list[str] | None = None,
        rank: int = RouteRank.DEFAULT,
        is_agentic: bool = False,
        is_invoke: bool = False,
    ) -> Callable[[_RouteHandlerT], _RouteHandlerT]:
        """Handle edited, undeleted or deleted messages (Teams).

        Args:
            type: ``"editMessage"`` or ``"undeleteMessage"`` (a ``messageUpdate``
                activity) or ``"softDeleteMessage"`` (a ``messageDelete`` activity),
                compared with the ``eventType`` of the activity's ``channelData``.
            auth_handlers: sign-in handlers the user must complete first.
            rank: the route's rank.
            is_agentic: only for agentic requests.
            is_invoke: mark the route as an invoke route (tried before the others).

        Returns:
            A decorator that registers ``async handler(context, state)`` and returns it.

        Raises:
            ApplicationError: ``type`` is none of the three.
        """
        activity_type = _MESSAGE_UPDATE_EVENTS.get(type)
        if activity_type is None:
            raise ApplicationError(
                "message_update() takes 'editMessage', 'undeleteMessage' or "
                f"'softDeleteMessage', got {type!r}"
            )
        kind = type

        def selector(context: TurnContext) -> bool:
            activity = context.activity
            if activity.type != activity_type:
                return False
            return _event_type(activity.channel_data) == kind

        return self._register(
            selector,
            is_invoke=is_invoke,
            is_agentic=is_agentic,
            rank=rank,
            auth_handlers=auth_handlers,
        )

    @overload
    def handoff(
        self,
        func: _HandoffHandlerT,
        *,
        auth_handlers: list[str] | None = None,
        rank: int = RouteRank.DEFAULT,
        is_agentic: bool = False,
    ) -> _HandoffHandlerT: ...
    @overload
    def handoff(
        self,
        func: None = None,
        *,
        auth_handlers: list[str] | None = None,
        rank: int = RouteRank.DEFAULT,
        is_agentic: bool = False,
    ) -> Callable[[_HandoffHandlerT], _HandoffHandlerT]: ...
    def handoff(
        self,
        func: HandoffHandler[StateT] | None = None,
        *,
        auth_handlers: list[str] | None = None,
        rank: int = RouteRank.DEFAULT,
        is_agentic: bool = False,
    ) -> HandoffHandler[StateT] | Callable[[_HandoffHandlerT], _HandoffHandlerT]:
        """Handle a conversation handed over to the agent (a ``handoff/action`` invoke).

        Works as ``@app.handoff``, ``@app.handoff(rank=...)`` and ``app.handoff(func)``.
        The handler is ``async handler(context, state, continuation)``, where
        ``continuation`` is the token the other agent sent in ``value.continuation``;
        afterwards the invoke is answered with status 200. An invoke without a string
        ``continuation`` is answered with status 400 and the handler does not run.
        """

        def selector(context: TurnContext) -> bool:
            activity = context.activity
            return activity.type == ActivityTypes.invoke and activity.name == _HANDOFF_INVOKE_NAME

        def register(handler: _HandoffHandlerT) -> _HandoffHandlerT:
            async def route(context: TurnContext, state: StateT) -> None:
                value = context.activity.value
                continuation = value.get("continuation") if isinstance(value, Mapping) else None
                if not isinstance(continuation, str):
                    logger.warning("handoff/action invoke without a continuation; answered 400")
                    await send_invoke_response(
                        context,
                        InvokeResponse(
                            status=400,
                            body={
                                "code": "BadRequest",
                                "message": "The handoff/action invoke needs a string "
                                "'continuation' in its value.",
                            },
                        ),
                    )
                    return
                await handler(context, state, continuation)
                await send_invoke_response(context, InvokeResponse(status=200))

            functools.update_wrapper(route, handler)  # errors and logs name the handler
            self.add_route(selector, route, True, is_agentic, rank, auth_handlers)
            return handler

        if func is not None:
            return register(func)
        return register

    # ------------------------------------------------------------------ hooks

    def before_turn(self, hook: _TurnHookT) -> _TurnHookT:
        """Run ``async hook(context, state) -> bool`` before routing, each turn.

        A hook returning False ends the turn: no route runs and the state is saved.
        Usable as ``@app.before_turn`` or ``app.before_turn(hook)``; returns the hook.
        """
        self._before_turn.append(hook)
        return hook

    def after_turn(self, hook: _TurnHookT) -> _TurnHookT:
        """Run ``async hook(context, state) -> bool`` after the route, each turn.

        The state is saved only when every hook returns True; the first returning False
        also skips the hooks after it. Usable as ``@app.after_turn``; returns the hook.
        """
        self._after_turn.append(hook)
        return hook

    def error(self, func: _ErrorHandlerT) -> _ErrorHandlerT:
        """Handle exceptions of a turn with ``async func(context, error)``.

        An exception raised by a route handler or a hook goes to the error handlers (in
        registration order); the turn then ends without saving its state. When the
        application has an adapter, the handlers also become its ``on_turn_error``, so
        exceptions raised by middleware reach them too. An exception is handled once: one
        raised by an error handler itself is logged and goes to the adapter's previous
        ``on_turn_error`` (``default_on_turn_error`` for a ``CloudAdapter``), or
        propagates when it had none; it never reaches the error handlers. Usable as
        ``@app.error``; returns ``func``.
        """
        self._error_handlers.append(func)
        adapter = self._options.adapter
        if adapter is not None and adapter.on_turn_error != self._on_adapter_turn_error:
            self._adapter_turn_error = adapter.on_turn_error
            adapter.on_turn_error = self._on_adapter_turn_error
        return func

    def on_sign_in_success(self, func: _SignInHandlerT) -> _SignInHandlerT:
        """Register ``async func(context, state, handler_id)`` for completed sign-ins.

        The user authorization (``Authorization``) calls it when a user finished signing
        in with the sign-in handler ``handler_id``. Usable as a decorator; returns
        ``func``.
        """
        self._sign_in_success.append(func)
        return func

    def on_sign_in_failure(self, func: _SignInHandlerT) -> _SignInHandlerT:
        """Register ``async func(context, state, handler_id)`` for failed sign-ins.

        The user authorization (``Authorization``) calls it when a sign-in failed (too
        many attempts, expired). Usable as a decorator; returns ``func``.
        """
        self._sign_in_failure.append(func)
        return func

    # ------------------------------------------------------------------ the turn

    async def on_turn(self, context: TurnContext) -> None:
        """Run one turn: the entry point the adapter calls (the ``Agent`` protocol).

        With ``long_running_messages`` the adapter is asked to answer the channel's
        request at once and to run the turn in the background (``run_detached``); an
        invoke or an ``expectReplies`` request, whose answer is the turn's outcome, still
        runs before the request is answered.

        Raises:
            Exception: what a handler or hook raised, when no ``@app.error`` handler is
                registered; what an ``@app.error`` handler raised.
        """
        if self._options.long_running_messages:
            await context.adapter.run_detached(context, lambda: self._on_turn(context))
            return
        await self._on_turn(context)

    async def _on_turn(self, context: TurnContext) -> None:
        typing = self._start_typing(context)
        failure: Exception | None = None
        try:
            await self._run_turn(context)
        except Exception as error:
            if not self._error_handlers:
                raise
            logger.error(
                "a handler raised %s in conversation %r; calling the @app.error handlers",
                type(error).__name__,
                context.activity.conversation.id if context.activity.conversation else None,
                exc_info=error,
            )
            await finish_turn_stream(context, failed=True)
            failure = await self._handle_error(context, error)
        finally:
            if typing is not None:
                await typing.stop()
        if failure is not None:
            # An error handler raised: on to the adapter, which does not hand it back.
            raise failure

    def _start_typing(self, context: TurnContext) -> TypingIndicator | None:
        activity = context.activity
        if (
            activity.delivery_mode in _ANSWERED_AT_ONCE
            or not self._options.start_typing_timer
            or activity.is_typing()
        ):
            # expectReplies requests get every reply at once: "typing" means nothing there.
            return None
        typing = TypingIndicator(
            context, typing_options=self._options.typing, _sleep=self._typing_sleep
        )
        typing.start()
        return typing

    async def _handle_error(self, context: TurnContext, error: Exception) -> Exception | None:
        """Run the ``@app.error`` handlers; returns what one of them raised (logged)."""
        handler: ErrorHandler | None = None
        try:
            for handler in self._error_handlers:
                await handler(context, error)
        except Exception as failure:
            logger.exception(
                "the @app.error handler %s raised %s while handling %s; it is not handled again",
                getattr(handler, "__qualname__", handler),
                type(failure).__name__,
                type(error).__name__,
            )
            # Marked for _on_adapter_turn_error, which the adapter calls with it next.
            context.turn_state[_FAILED_ERROR_HANDLER_KEY] = failure
            return failure
        return None

    async def _on_adapter_turn_error(self, context: TurnContext, error: Exception) -> None:
        """The adapter's ``on_turn_error`` once ``@app.error`` handlers are registered."""
        if context.turn_state.get(_FAILED_ERROR_HANDLER_KEY) is not error:
            failure = await self._handle_error(context, error)
            if failure is None:
                return
            error = failure
        # An error handler failed: what the adapter did before the handlers took over.
        fallback = self._adapter_turn_error
        if fallback is None:
            raise error
        await fallback(context, error)

    async def _run_turn(self, context: TurnContext) -> None:
        activity = context.activity
        options = self._options
        is_message = activity.type == _MESSAGE
        if (
            is_message
            and options.remove_recipient_mention
            and activity.text
            and activity.is_recipient_mentioned()
        ):
            activity.remove_recipient_mention()
        if is_message and options.normalize_mentions:
            _normalize_mentions(activity)

        state = self._turn_state_factory()
        await state.load(context, self._storage)
        state.temp.input = activity.text

        for hook in self._before_turn:
            if not await hook(context, state):
                await state.save(context)
                return

        if self._options.file_downloaders:
            files = []
            for downloader in self._options.file_downloaders:
                files.extend(await downloader.download_files(context))
            state.temp.input_files = files

        route = self._routes.find(context)
        if route is None:
            # An invoke nobody answers fails for the user (the channel gets 501); other
            # activities an agent leaves alone (typing, reactions, ...) are routine, and
            # channels such as Teams send many: a WARNING for each would flood the log.
            logger.log(
                logging.WARNING if activity.type == _INVOKE else logging.DEBUG,
                "no route matched the %s activity%s; register a handler for it (for an "
                "invoke the channel gets status 501)",
                activity.type,
                f" named {activity.name!r}" if activity.name else "",
            )
        else:
            if route.auth_handlers:
                await self._sign_in_for_route(context, state, route)
            await route.handler(context, state)

        for hook in self._after_turn:
            if not await hook(context, state):
                return
        await state.save(context)

    async def _sign_in_for_route(
        self, context: TurnContext, state: StateT, route: _Route[StateT]
    ) -> None:
        # The seam of user sign-in: the Authorization part of the SDK runs the sign-in
        # flow of route.auth_handlers here. Until it does, fail loudly rather than run a
        # handler that expects a signed-in user.
        raise ApplicationError(
            f"route {route.name} needs sign-in ({list(route.auth_handlers)}), which this "
            "version of AgentApplication cannot perform yet"
        )

    # ------------------------------------------------------------------ configuration

    @staticmethod
    def parse_env_vars_configuration(vars: Mapping[str, Any]) -> dict[str, Any]:
        """Deprecated: use ``load_configuration_from_env`` from ``microsoft_agents.activity``.

        Returns what ``load_configuration_from_env(vars)`` returns.
        """
        warnings.warn(
            "AgentApplication.parse_env_vars_configuration is deprecated; use "
            "load_configuration_from_env(os.environ) from microsoft_agents.activity",
            DeprecationWarning,
            stacklevel=2,
        )
        return load_configuration_from_env(vars)


def _normalize_mentions(activity: Activity) -> None:
    """Replace each mention's markup in ``activity.text`` with the mentioned name."""
    text = activity.text
    if not text:
        return
    for mention in activity.get_mentions():
        name = mention.mentioned.name if mention.mentioned is not None else None
        if mention.text and name:
            text = text.replace(mention.text, name)
    activity.text = text
