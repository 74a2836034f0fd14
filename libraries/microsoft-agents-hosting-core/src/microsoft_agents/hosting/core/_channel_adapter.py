"""``ChannelAdapter``: connects an agent to a channel.

An adapter turns what a channel sends into a :class:`TurnContext`, runs its middleware
pipeline and then the agent (:meth:`ChannelAdapter.run_pipeline`), and carries the agent's
replies back to the channel (:meth:`send_activities`, :meth:`update_activity`,
:meth:`delete_activity`). Concrete adapters (the HTTP one in hosting-aiohttp, the in-process
one in :mod:`microsoft_agents.hosting.core.testing`) implement those three.

An exception escaping the agent goes to :attr:`ChannelAdapter.on_turn_error` when one is set
(``AgentApplication`` sets its ``@app.error`` handler there); otherwise it propagates.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from microsoft_agents.activity import (
    Activity,
    ConversationParameters,
    ConversationReference,
    ResourceResponse,
)

from ._errors import AdapterError
from ._middleware import Middleware, MiddlewareSet, TurnCallback
from ._turn_context import INVOKE_RESPONSE_KEY, TurnContext

if TYPE_CHECKING:
    from .authorization import ClaimsIdentity

__all__ = ["DETACHED_KEY", "ChannelAdapter", "OnTurnErrorHandler", "is_detached"]

logger = logging.getLogger(__name__)

OnTurnErrorHandler = Callable[[TurnContext, Exception], Awaitable[None]]
"""``async handler(context, error)``: called when a turn raised."""


# The adapter's own class, which use() returns (CloudAdapter().use(m) is a CloudAdapter).
_AdapterT = TypeVar("_AdapterT", bound="ChannelAdapter")

DETACHED_KEY = "microsoft_agents.turn_detached"
"""``turn_state`` key set on a turn whose work continues after the channel was answered."""


def is_detached(context: TurnContext) -> bool:
    """Whether the rest of this turn runs in the background (see ``run_detached``)."""
    return bool(context.turn_state.get(DETACHED_KEY))


async def _finish_stream(
    context: TurnContext, *, failed: bool = False, cancelled: bool = False
) -> None:
    """Leave a streamed answer of the turn in a final state (nothing to do without one)."""
    if context._streaming_response is None:
        return
    # Imported here: the streaming module lives in the app package, which imports this one.
    from .app.streaming._streaming_response import finish_turn_stream

    try:
        await finish_turn_stream(context, failed=failed, cancelled=cancelled)
    finally:
        # The turn is over: the response lets go of its context, so the two do not keep
        # each other alive in a reference cycle.
        context._streaming_response._detach()


class ChannelAdapter(ABC):
    """Base of the adapters that connect agents to channels."""

    AGENT_IDENTITY_KEY = "AgentIdentity"
    USER_TOKEN_CLIENT_KEY = "UserTokenClient"
    INVOKE_RESPONSE_KEY = INVOKE_RESPONSE_KEY
    OAUTH_SCOPE_KEY = "Microsoft.Agents.Builder.ChannelAdapter.OAuthScope"

    def __init__(self, *, on_turn_error: OnTurnErrorHandler | None = None) -> None:
        self.on_turn_error: OnTurnErrorHandler | None = on_turn_error
        self.middleware_set = MiddlewareSet()

    def use(self: _AdapterT, middleware: Middleware) -> _AdapterT:
        """Add middleware that runs around every turn; returns self for chaining."""
        self.middleware_set.use(middleware)
        return self

    # ------------------------------------------------------------------ to the channel

    @abstractmethod
    async def send_activities(
        self, context: TurnContext, activities: Sequence[Activity]
    ) -> list[ResourceResponse]:
        """Deliver ``activities`` to the channel; one receipt per activity, in order."""

    @abstractmethod
    async def update_activity(
        self, context: TurnContext, activity: Activity
    ) -> ResourceResponse | None:
        """Replace an activity sent earlier."""

    @abstractmethod
    async def delete_activity(self, context: TurnContext, reference: ConversationReference) -> None:
        """Delete an activity sent earlier."""

    # ------------------------------------------------------------------ running turns

    async def run_pipeline(
        self, context: TurnContext, callback: TurnCallback | None = None
    ) -> None:
        """Run the middleware, then ``callback`` (the agent), for one turn.

        An exception from either goes to :attr:`on_turn_error` when it is set, and is
        re-raised otherwise. A streamed answer the turn left open is ended (closed with
        ``streamResult`` ``error`` or ``cancelled`` when the turn failed or was cancelled)
        before ``on_turn_error`` runs.
        """

        middleware_set = self.middleware_set
        if not len(middleware_set) and callback is not None:
            # No middleware: the agent is the whole pipeline.
            await self._run_guarded(context, callback(context))
            return
        await self._run_guarded(
            context, middleware_set.receive_activity_with_status(context, callback)
        )

    async def _run_guarded(self, context: TurnContext, work: Awaitable[None]) -> None:
        """Await ``work`` for ``context`` with the turn's error handling (see run_pipeline)."""
        try:
            await work
            # A stream the agent left open is ended here, inside the turn: a failure to
            # send its final message is the turn's failure. (The usual turn streamed
            # nothing: no coroutine to end a stream.)
            if context._streaming_response is not None and not is_detached(context):
                await _finish_stream(context)
        except asyncio.CancelledError:
            await _finish_stream(context, cancelled=True)
            raise
        except Exception as error:
            await _finish_stream(context, failed=True)
            if self.on_turn_error is None:
                raise
            logger.debug("turn raised %s; handing it to on_turn_error", type(error).__name__)
            await self.on_turn_error(context, error)

    async def run_detached(self, context: TurnContext, work: Callable[[], Awaitable[None]]) -> None:
        """Let the rest of a turn run after the channel has been answered.

        ``AgentApplication`` calls this for ``long_running_messages``: an adapter that
        answers over HTTP acknowledges the request at once and runs ``work`` as a
        tracked background task, replying to the conversation when it is done (see
        ``ChannelServiceAdapter``). This base implementation, for adapters with nothing
        to acknowledge (tests, in-process adapters), simply runs ``work`` now.

        Args:
            context: the turn.
            work: the rest of the turn.
        """
        await work()

    async def continue_conversation(
        self,
        agent_app_id: str,
        continuation_activity: Activity | ConversationReference,
        callback: TurnCallback,
    ) -> None:
        """Run ``callback`` in a proactive turn of an existing conversation.

        Args:
            agent_app_id: the agent's app id (used by adapters that authenticate).
            continuation_activity: the activity of the proactive turn, or the stored
                reference of the conversation (its continuation activity is used).
            callback: the code to run, usually ``agent.on_turn``.
        """
        if isinstance(continuation_activity, ConversationReference):
            activity = continuation_activity.get_continuation_activity()
        else:
            activity = continuation_activity
        context = TurnContext(self, activity)
        await self.run_pipeline(context, callback)

    async def continue_conversation_with_claims(
        self,
        claims_identity: ClaimsIdentity,
        continuation_activity: Activity,
        callback: TurnCallback,
        audience: str | None = None,
    ) -> None:
        """Run a proactive turn on behalf of the given identity.

        Raises:
            AdapterError: this adapter does not support it.
        """
        raise AdapterError(
            f"{type(self).__name__} does not support continue_conversation_with_claims; "
            "use continue_conversation or an adapter connected to a channel service"
        )

    async def create_conversation(
        self,
        agent_app_id: str,
        channel_id: str,
        service_url: str,
        audience: str,
        conversation_parameters: ConversationParameters,
        callback: TurnCallback,
    ) -> None:
        """Start a new conversation on the channel and run ``callback`` in it.

        Raises:
            AdapterError: this adapter does not support it.
        """
        raise AdapterError(
            f"{type(self).__name__} cannot create conversations; use an adapter connected "
            "to a channel service (CloudAdapter)"
        )
