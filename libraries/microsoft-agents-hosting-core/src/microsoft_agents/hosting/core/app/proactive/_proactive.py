"""``Proactive``: the ``app.proactive`` helper that stores, continues and creates conversations.

Turned on with ``ApplicationOptions.proactive``; every operation goes through an adapter
that can run proactive turns (``CloudAdapter`` / ``ChannelServiceAdapter``).

Errors, and who sees them:

* a handler given to :meth:`Proactive.continue_conversation` (or to
  :meth:`Proactive.create_conversation`) runs as a turn: what it raises goes to the
  adapter's ``on_turn_error`` when one is set (``CloudAdapter`` has one by default), and is
  raised to the caller otherwise; the turn's state is then not saved;
* everything decided before the handler runs (the conversation is unknown or
  incomplete, the user is not signed in) and the failure of :meth:`Proactive.send_activity`
  to deliver its activity are raised to the caller, never handed to ``on_turn_error``: the
  caller (a notification endpoint, a scheduler) is the one who can act on them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Generic, Protocol

from microsoft_agents.activity import Activity, ConversationParameters, ResourceResponse
from microsoft_agents.hosting.core._errors import AdapterError, ApplicationError
from microsoft_agents.hosting.core.app._routes import RouteHandler, StateT

from ._conversation import Conversation
from ._options import CreateConversationOptions, ProactiveOptions

if TYPE_CHECKING:
    from microsoft_agents.activity import TokenResponse
    from microsoft_agents.hosting.core._channel_adapter import ChannelAdapter
    from microsoft_agents.hosting.core._turn_context import TurnContext
    from microsoft_agents.hosting.core.app._agent_application import AgentApplication
    from microsoft_agents.hosting.core.storage import Storage

__all__ = ["KEY_PREFIX", "Proactive"]

logger = logging.getLogger(__name__)

KEY_PREFIX = "proactive/conversations/"
"""Stored conversations are under ``proactive/conversations/<conversation id>``."""


class _TokenSource(Protocol):
    """The part of ``Authorization`` the sign-in check of a proactive turn uses."""

    async def get_token(
        self, context: TurnContext, auth_handler_id: str | None = None
    ) -> TokenResponse: ...


def _check_id(conversation_id: object) -> str:
    if not isinstance(conversation_id, str) or not conversation_id:
        raise ValueError(f"a conversation id must be a non-empty string, got {conversation_id!r}")
    return conversation_id


class Proactive(Generic[StateT]):
    """Proactive messaging for an ``AgentApplication``: use it as ``app.proactive``.

    Store the conversation while the user talks to the agent, then come back to it later
    (from a timer, a web hook, another conversation)::

        @app.message("/subscribe")
        async def subscribe(context: TurnContext, state: TurnState) -> None:
            conversation = await app.proactive.store_conversation(context)
            await context.send_activity(f"Subscribed ({conversation.id}).")

        # later, outside any turn:
        await app.proactive.send_activity(adapter, conversation_id, "Build finished.")

        async def report(context: TurnContext, state: TurnState) -> None:
            runs = state.conversation.get_value("runs", lambda: 0) + 1
            state.conversation.set_value("runs", runs)
            await context.send_activity(f"Run #{runs} finished.")

        await app.proactive.continue_conversation(adapter, conversation_id, report)

    Args:
        app: the application whose storage, turn state and sign-in are used.
        options: where conversations are stored, and the sign-in policy.
    """

    def __init__(self, app: AgentApplication[StateT], options: ProactiveOptions) -> None:
        if not isinstance(options, ProactiveOptions):
            raise TypeError(
                "the proactive option takes a ProactiveOptions (proactive=ProactiveOptions()), "
                f"got {type(options).__name__}"
            )
        self._app = app
        self._options = options

    @property
    def options(self) -> ProactiveOptions:
        """The options given to the application."""
        return self._options

    @property
    def storage(self) -> Storage:
        """Where conversations are stored: the options' storage, else the application's."""
        return self._options.storage or self._app._storage

    @staticmethod
    def storage_key(conversation_id: str) -> str:
        """``proactive/conversations/<conversation_id>``, the key of a stored conversation.

        Raises:
            ValueError: ``conversation_id`` is empty.
        """
        return KEY_PREFIX + _check_id(conversation_id)

    # ------------------------------------------------------------------ storing

    async def store_conversation(
        self, context_or_conversation: TurnContext | Conversation
    ) -> Conversation:
        """Store a conversation so that it can be continued later by its id.

        A conversation stored again replaces the earlier one (the last write wins).

        Args:
            context_or_conversation: a turn (its conversation is taken with
                ``Conversation.from_turn_context``) or a ``Conversation``.

        Returns:
            The conversation stored; ``conversation.id`` is the id to continue it with.

        Raises:
            ValueError: the conversation lacks its id, channel or service URL.
            StorageError: the storage failed.
        """
        conversation = (
            context_or_conversation
            if isinstance(context_or_conversation, Conversation)
            else Conversation.from_turn_context(context_or_conversation)
        )
        conversation.validate()
        key = self.storage_key(_check_id(conversation.id))
        await self.storage.write({key: conversation})
        logger.debug("stored the conversation %r for proactive messages", conversation.id)
        return conversation

    async def get_conversation(self, conversation_id: str) -> Conversation | None:
        """The stored conversation with this id, or None when none is stored.

        Raises:
            ValueError: ``conversation_id`` is empty.
            StorageError: the storage failed.
        """
        key = self.storage_key(conversation_id)
        found = await self.storage.read([key], target_cls=Conversation)
        return found.get(key)

    async def delete_conversation(self, conversation_id: str) -> None:
        """Forget a stored conversation (nothing happens when none is stored).

        Raises:
            ValueError: ``conversation_id`` is empty.
            StorageError: the storage failed.
        """
        await self.storage.delete([self.storage_key(conversation_id)])
        logger.debug("deleted the stored conversation %r", conversation_id)

    async def _resolve(self, conversation_id_or_conversation: str | Conversation) -> Conversation:
        if isinstance(conversation_id_or_conversation, Conversation):
            conversation = conversation_id_or_conversation
        else:
            conversation_id = _check_id(conversation_id_or_conversation)
            found = await self.get_conversation(conversation_id)
            if found is None:
                raise KeyError(
                    f"no conversation {conversation_id!r} is stored for proactive messages; "
                    "store it first with app.proactive.store_conversation(context) in a turn "
                    "of that conversation"
                )
            conversation = found
        conversation.validate()
        return conversation

    # ------------------------------------------------------------------ proactive turns

    async def send_activity(
        self,
        adapter: ChannelAdapter,
        conversation_id_or_conversation: str | Conversation,
        activity: Activity | str,
    ) -> ResourceResponse | None:
        """Send one activity to a conversation, outside any turn of it.

        The activity is sent from a proactive turn the adapter runs with the
        conversation's claims (``continue_conversation_with_claims``), so it is addressed
        like a reply: from the agent, to the stored user, in the stored conversation.

        Args:
            adapter: the adapter that reaches the channel (``CloudAdapter``).
            conversation_id_or_conversation: the id of a stored conversation, or the
                conversation itself.
            activity: the activity, or the text of a message.

        Returns:
            The channel's receipt (its ``id`` is the new activity's id); None when a
            send interceptor dropped the activity.

        Raises:
            KeyError: no conversation with that id is stored.
            ValueError: the conversation lacks its id, channel or service URL.
            ServiceError: the channel refused the activity (raised here, not given to
                ``on_turn_error``).
        """
        conversation = await self._resolve(conversation_id_or_conversation)
        receipts: list[ResourceResponse | None] = []
        failures: list[Exception] = []

        async def deliver(context: TurnContext) -> None:
            try:
                receipts.append(await context.send_activity(activity))
            except Exception as error:  # noqa: BLE001 - raised to the caller below
                failures.append(error)

        await adapter.continue_conversation_with_claims(
            conversation.identity,
            conversation.conversation_reference.get_continuation_activity(),
            deliver,
        )
        if failures:
            raise failures[0]
        if not receipts:
            raise AdapterError(
                f"{type(adapter).__name__}.continue_conversation_with_claims returned "
                "without running the turn, so nothing was sent"
            )
        return receipts[0]

    async def continue_conversation(
        self,
        adapter: ChannelAdapter,
        conversation_id_or_conversation: str | Conversation,
        handler: RouteHandler[StateT],
        *,
        continuation_activity: Activity | None = None,
        token_handlers: Sequence[str] | None = None,
    ) -> None:
        """Run ``handler(context, state)`` in a proactive turn of a conversation.

        The turn acts with the conversation's claims; its state is the application's
        turn state, loaded before the handler runs and saved after it returns (as in a
        turn the user started, so values set here are there in the user's next turn).

        Args:
            adapter: the adapter that reaches the channel (``CloudAdapter``).
            conversation_id_or_conversation: the id of a stored conversation, or the
                conversation itself.
            handler: ``async handler(context, state)``.
            continuation_activity: the activity of the turn (``context.activity``); by
                default the conversation's ``ContinueConversation`` event. Build it with
                ``conversation.conversation_reference.get_continuation_activity()`` to
                keep the addressing (one without a conversation is addressed through the
                stored reference), and put in its ``value`` what the handler needs.
            token_handlers: the ids of sign-in handlers the user must be signed in to:
                each is checked with ``app.auth.get_token(context, handler_id)`` before
                the handler runs. A missing token raises ``RuntimeError`` (the handler
                does not run), or with ``fail_on_unsigned_in_connections=False`` is
                logged and the handler runs without it. The handler gets the tokens
                itself, with ``app.auth.get_token``.

        Raises:
            KeyError: no conversation with that id is stored.
            ValueError: the conversation lacks its id, channel or service URL.
            ApplicationError: ``token_handlers`` were given but the application has no
                ``authorization``, or names a handler it does not have.
            RuntimeError: the user is not signed in to one of ``token_handlers`` (with
                ``fail_on_unsigned_in_connections``).
            Exception: what the handler raised, when the adapter has no
                ``on_turn_error``.
        """
        handler_ids = list(token_handlers or ())
        source = self._token_source() if handler_ids else None
        conversation = await self._resolve(conversation_id_or_conversation)
        activity = self._continuation(conversation, continuation_activity)
        refused: list[Exception] = []

        async def turn(context: TurnContext) -> None:
            if source is not None:
                try:
                    await self._check_sign_in(context, source, handler_ids)
                except Exception as error:  # noqa: BLE001 - raised to the caller below
                    refused.append(error)
                    return
            await self._run_handler(context, handler)

        await adapter.continue_conversation_with_claims(conversation.identity, activity, turn)
        if refused:
            raise refused[0]

    async def create_conversation(
        self,
        adapter: ChannelAdapter,
        options: CreateConversationOptions,
        handler: RouteHandler[StateT] | None = None,
    ) -> Conversation:
        """Start a new conversation on a channel (``POST v3/conversations``).

        The adapter runs a turn in the new conversation on an ``event`` named
        ``CreateConversation``; ``handler(context, state)``, if given, runs in it with the
        application's turn state (loaded and saved as in any turn). When the parameters
        name exactly one member and the channel's answer names no sender, that member is
        the conversation's user: replies go to them, and their user state is used. (With
        several members there is no user, so a handler's state cannot be loaded:
        ``StateError``.)

        Args:
            adapter: the adapter that reaches the channel (``CloudAdapter``).
            options: the identity, channel, service URL, parameters and whether to store
                the conversation.
            handler: ``async handler(context, state)``, run in the new conversation.

        Returns:
            The new conversation (stored when ``options.store_conversation``).

        Raises:
            ValueError: ``options`` lack the channel id or the service URL.
            ServiceError: the channel refused to create the conversation.
            Exception: what the handler raised, when the adapter has no
                ``on_turn_error``.
        """
        if not options.channel_id:
            raise ValueError("CreateConversationOptions needs the channel_id ('msteams', ...)")
        if not options.service_url:
            raise ValueError(
                "CreateConversationOptions needs the channel's service_url (the serviceUrl "
                "of an activity the channel sent, for example)"
            )
        parameters = options.parameters or ConversationParameters()
        members = parameters.members or []
        created: list[Conversation] = []

        async def turn(context: TurnContext) -> None:
            activity = context.activity
            if activity.from_property is None and len(members) == 1:
                activity.from_property = members[0].model_copy()
            conversation = Conversation(options.identity, activity.get_conversation_reference())
            created.append(conversation)
            if options.store_conversation:
                await self.store_conversation(conversation)
            if handler is not None:
                await self._run_handler(context, handler)

        await adapter.create_conversation(
            options.identity.get_app_id() or "",
            options.channel_id,
            options.service_url,
            options.audience or "",
            parameters,
            turn,
        )
        if not created:
            raise AdapterError(
                f"{type(adapter).__name__}.create_conversation returned without running the "
                "turn of the new conversation"
            )
        logger.info("created the conversation %r on %r", created[0].id, options.channel_id)
        return created[0]

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _continuation(conversation: Conversation, given: Activity | None) -> Activity:
        reference = conversation.conversation_reference
        if given is None:
            return reference.get_continuation_activity()
        if given.conversation is None:
            return given.model_copy().apply_conversation_reference(reference, is_incoming=True)
        return given

    async def _run_handler(self, context: TurnContext, handler: RouteHandler[StateT]) -> None:
        app = self._app
        state = app._turn_state_factory()
        await state.load(context, app._storage)
        await handler(context, state)
        await state.save(context)

    def _token_source(self) -> _TokenSource:
        authorization = self._app._authorization
        get_token = getattr(authorization, "get_token", None)
        if authorization is None or get_token is None:
            raise ApplicationError(
                "continue_conversation(..., token_handlers=...) needs user sign-in, but "
                "this AgentApplication has no authorization: pass "
                "authorization=Authorization(storage, connection_manager, **config) to it, "
                "or leave token_handlers out"
            )
        return authorization

    async def _check_sign_in(
        self, context: TurnContext, source: _TokenSource, handler_ids: list[str]
    ) -> None:
        missing = [
            handler_id
            for handler_id in handler_ids
            if not await source.get_token(context, handler_id)
        ]
        if not missing:
            return
        conversation = context.activity.conversation
        conversation_id = conversation.id if conversation is not None else None
        if self._options.fail_on_unsigned_in_connections:
            raise RuntimeError(
                f"the user of conversation {conversation_id!r} is not signed in to "
                f"{', '.join(missing)}: sign them in first (a route with "
                f"auth_handlers={missing!r}), or set ProactiveOptions("
                "fail_on_unsigned_in_connections=False) to run the handler without the token"
            )
        logger.info(
            "proactive turn in conversation %r: the user is not signed in to %s; running "
            "the handler without that token",
            conversation_id,
            ", ".join(missing),
        )
