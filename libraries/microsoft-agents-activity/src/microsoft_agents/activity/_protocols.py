"""The shapes of a turn context and a channel adapter, for code below the hosting layer.

``microsoft_agents.hosting.core`` implements ``TurnContext`` and ``ChannelAdapter``; this
package cannot import them (dependencies only point inward). Code that needs to accept
either without depending on hosting-core types its parameters with these protocols::

    async def greet(context: TurnContextProtocol) -> None:
        await context.send_activity("Hello!")

Both are ``runtime_checkable``, so ``isinstance(obj, TurnContextProtocol)`` tells whether
``obj`` has every member. That check looks at names only, not at signatures.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from microsoft_agents.activity._accounts import ConversationReference, ResourceResponse
    from microsoft_agents.activity._activity import Activity, ConversationParameters

__all__ = ["ChannelAdapterProtocol", "TurnContextProtocol"]

# Interceptors receive (context, argument, next) and their exact types belong to
# hosting-core, so they are left open here.
_Handler = Callable[..., Awaitable[Any]]


@runtime_checkable
class TurnContextProtocol(Protocol):
    """What a handler can do with the turn it is processing.

    Members mirror ``microsoft_agents.hosting.core.TurnContext``: the incoming
    :class:`~microsoft_agents.activity.Activity`, the adapter that delivered it, a per-turn
    state bag, and the calls that send, update and delete activities in the conversation.
    """

    @property
    def adapter(self) -> ChannelAdapterProtocol:
        """The adapter that is running this turn."""
        ...

    @property
    def activity(self) -> Activity:
        """The incoming activity."""
        ...

    @property
    def responded(self) -> bool:
        """Whether anything other than a trace has been sent during this turn."""
        ...

    @property
    def turn_state(self) -> dict[str, Any]:
        """Values shared for the length of this turn (clients, identity, invoke response)."""
        ...

    async def send_activity(
        self,
        activity_or_text: Activity | str,
        speak: str | None = None,
        input_hint: str | None = None,
    ) -> ResourceResponse:
        """Send one activity, or a message with the given text, to the conversation.

        Args:
            activity_or_text: the activity, or text for a ``message`` activity.
            speak: text to speak, when ``activity_or_text`` is text.
            input_hint: the input hint, when ``activity_or_text`` is text.

        Returns:
            The channel's response for the activity (empty when it gave none).
        """
        ...

    async def send_activities(self, activities: list[Activity]) -> list[ResourceResponse]:
        """Send several activities in order and return one response per activity."""
        ...

    async def update_activity(self, activity: Activity) -> ResourceResponse | None:
        """Replace an activity sent earlier; ``activity.id`` names it."""
        ...

    async def delete_activity(self, id_or_reference: str | ConversationReference) -> None:
        """Delete an activity sent earlier, given its id or a reference to it."""
        ...

    async def send_trace_activity(
        self,
        name: str,
        value: object = None,
        value_type: str | None = None,
        label: str | None = None,
    ) -> ResourceResponse | None:
        """Send a ``trace`` activity (shown by the Emulator, dropped by other channels)."""
        ...

    def on_send_activities(self, handler: _Handler) -> TurnContextProtocol:
        """Register ``async handler(context, activities, next)`` around every send."""
        ...

    def on_update_activity(self, handler: _Handler) -> TurnContextProtocol:
        """Register ``async handler(context, activity, next)`` around every update."""
        ...

    def on_delete_activity(self, handler: _Handler) -> TurnContextProtocol:
        """Register ``async handler(context, reference, next)`` around every delete."""
        ...


_TurnCallback = Callable[[TurnContextProtocol], Awaitable[None]]


@runtime_checkable
class ChannelAdapterProtocol(Protocol):
    """What a channel adapter offers: outbound calls, proactive turns and a middleware pipeline.

    Members mirror ``microsoft_agents.hosting.core.ChannelAdapter``. Parameters typed
    ``Any`` take hosting-core objects (``ClaimsIdentity``, ``Middleware``) that this
    package does not know.
    """

    on_turn_error: Callable[[TurnContextProtocol, Exception], Awaitable[None]] | None
    """Called with the context and the exception when a turn fails; ``None`` re-raises."""

    async def send_activities(
        self, context: TurnContextProtocol, activities: list[Activity]
    ) -> list[ResourceResponse]:
        """Deliver activities to the channel; one response per activity."""
        ...

    async def update_activity(
        self, context: TurnContextProtocol, activity: Activity
    ) -> ResourceResponse | None:
        """Replace an activity the agent sent earlier."""
        ...

    async def delete_activity(
        self, context: TurnContextProtocol, reference: ConversationReference
    ) -> None:
        """Delete the activity ``reference.activity_id`` names."""
        ...

    async def continue_conversation(
        self,
        agent_app_id: str,
        continuation_activity: Activity,
        callback: _TurnCallback,
    ) -> None:
        """Run ``callback`` in a new turn of an existing conversation (a proactive message)."""
        ...

    async def continue_conversation_with_claims(
        self,
        claims_identity: Any,
        continuation_activity: Activity,
        callback: _TurnCallback,
        audience: str | None = None,
    ) -> None:
        """Like :meth:`continue_conversation`, acting as the given identity."""
        ...

    async def create_conversation(
        self,
        agent_app_id: str,
        channel_id: str,
        service_url: str,
        audience: str,
        conversation_parameters: ConversationParameters,
        callback: _TurnCallback,
    ) -> None:
        """Start a conversation on the channel, then run ``callback`` in its first turn."""
        ...

    async def run_pipeline(
        self, context: TurnContextProtocol, callback: _TurnCallback | None = None
    ) -> None:
        """Run the middleware, then ``callback``; failures go to :attr:`on_turn_error`."""
        ...

    def use(self, middleware: Any) -> ChannelAdapterProtocol:
        """Add ``middleware`` to the end of the pipeline and return the adapter."""
        ...
