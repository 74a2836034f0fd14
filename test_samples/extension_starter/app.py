"""The extension starter: an extension built on ``AgentApplication.add_route``, and its agent.

The first half of this file is the extension, what a third party would publish as a
package of its own; the second half is the agent that uses it.

**The extension.** ``ExtensionAgent`` adds its own decorators to an application without
subclassing it: it keeps the application it is given and registers each handler with
``app.add_route(selector, route, ...)``, where ``selector(context) -> bool`` decides which
activities the route takes and ``route`` is an ``async route(context, state)`` (a
``RouteHandler``) that the extension wraps around the user's handler. The wrapper reads
what the extension knows about the activity (an :class:`ExtensionEvent`: the sender's id
and the custom channel's ``channelData.customField``) and passes it to the handler as a
third argument; for an invoke it also sends the answer the channel waits for. It offers:

* ``on_hello``: a message whose text contains ``hello`` (any case), on any channel;
* ``on_agentic_hello``: the same for agentic requests (the recipient is an agent instance
  or an agentic user): an agentic route (``is_agentic=True``) ranked ``RouteRank.FIRST``,
  so it comes before the application's other agentic routes, even those registered
  earlier;
* ``on_custom_event(event)``: an ``invoke`` named ``invoke/<event>`` from the custom
  channel ``mycustomchannel`` (``is_invoke=True``). The handler returns a
  :class:`CustomEventResult`, which the extension sends back as the JSON body of an HTTP
  200.

The decorators return the function they decorate, unchanged and with its own type, so
they stack and also work as plain calls (``EXTENSION.on_hello(greet)``).

**The agent** builds one, ``EXTENSION = ExtensionAgent[TurnState](AGENT_APP)``, and
answers:

* a message containing ``hello``: ``Hello event detected! User ID: <from.id>, Field:
  <channelData.customField, or "none">``;
* the same in an agentic request (the recipient's ``role`` is ``agenticAppInstance`` or
  ``agenticUser``): ``Agentic hello event detected! User ID: ..., Agent instance: <the
  recipient's agenticAppId>, Field: ...``;
* an ``invoke`` named ``invoke/customEvent`` or ``invoke/otherCustomEvent`` from
  ``mycustomchannel``: the message ``Custom event triggered <name>``, and HTTP 200 with
  ``{"event": "<name>", "userId": ..., "field": ...}`` (one handler, two stacked
  ``@EXTENSION.on_custom_event(...)``);
* any other message: ``You said: <text>``, or ``Agentic request, you said: <text>`` in an
  agentic request (the agent's own routes). Any other invoke matches no route: the
  channel gets HTTP 501.

The agent's own routes are registered before the extension's, and still come after them
where it matters: the echo has ``rank=RouteRank.LAST``, and the agentic hello route's
``RouteRank.FIRST`` puts it ahead of the agentic echo.

Run it with ``python test_samples/extension_starter/app.py`` inside the ``samples``
hatch environment (``hatch run samples:extension-starter``). It listens on
``http://127.0.0.1:3978/api/messages`` (``PORT`` changes the port) in anonymous
development mode, like the quick start.

Importing this module starts nothing; it only builds ``AGENT_APP`` (and its ``ADAPTER``
and ``EXTENSION``), so tests can drive the agent directly.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

from microsoft_agents.activity import Activity, ActivityTypes, InvokeResponse
from microsoft_agents.hosting.aiohttp import CloudAdapter, start_server
from microsoft_agents.hosting.core import (
    AgentApplication,
    MemoryStorage,
    RouteHandler,
    RouteRank,
    TurnContext,
    TurnState,
)

# ====================================================================== the extension
# As a package of its own, this half would need microsoft_agents.activity,
# microsoft_agents.hosting.core and pydantic, and nothing of the agent below.

CHANNEL_ID = "mycustomchannel"
"""The ``channelId`` of the custom channel, the only one whose invokes the extension takes."""

FIELD_KEY = "customField"
"""The ``channelData`` entry in which the custom channel sends its own field."""

INVOKE_PREFIX = "invoke/"
"""What the names of the custom channel's invokes start with."""

StateT = TypeVar("StateT", bound=TurnState)


@dataclass(frozen=True)
class ExtensionEvent:
    """What the extension reads from the incoming activity and hands to the handler.

    Attributes:
        user_id: the id of the sender (``from.id``).
        field: the ``channelData`` entry :data:`FIELD_KEY` (a string), ``None`` when the
            activity has none (activities of other channels, usually).
    """

    user_id: str | None
    field: str | None

    @classmethod
    def from_activity(cls, activity: Activity) -> ExtensionEvent:
        """Read the event of ``activity``."""
        return cls(user_id=_user_id(activity), field=_field(activity))


@dataclass(frozen=True)
class CustomEvent(ExtensionEvent):
    """An invoke of the custom channel.

    Attributes:
        name: the invoke's name, such as ``invoke/customEvent``.
        value: the invoke's ``value``, as the channel sent it (``None`` without one).
    """

    name: str
    value: Any


class CustomEventResult(BaseModel):
    """The answer to a custom invoke: the JSON body of the HTTP 200 the channel gets.

    Written with the wire names (``userId``), fields left ``None`` omitted.
    """

    event: str
    user_id: str | None = Field(default=None, serialization_alias="userId")
    field: str | None = None


HelloHandler = Callable[[TurnContext, StateT, ExtensionEvent], Awaitable[object]]
"""``async handler(context, state, event)`` for a hello message (its result is ignored)."""

CustomEventHandler = Callable[[TurnContext, StateT, CustomEvent], Awaitable[CustomEventResult]]
"""``async handler(context, state, event) -> CustomEventResult`` for a custom invoke."""

# The decorators hand back the very function they get, typed as it is written (its
# parameter names, its result) rather than as the alias it fits. A TypeVar bound cannot
# mention StateT, hence Any for the state.
_HelloHandlerT = TypeVar("_HelloHandlerT", bound=HelloHandler[Any])
_CustomEventHandlerT = TypeVar("_CustomEventHandlerT", bound=CustomEventHandler[Any])


def _user_id(activity: Activity) -> str | None:
    sender = activity.from_property
    return sender.id if sender is not None else None


def _field(activity: Activity) -> str | None:
    data = activity.channel_data
    found = data.get(FIELD_KEY) if isinstance(data, dict) else None
    return found if isinstance(found, str) else None


def _is_hello(context: TurnContext) -> bool:
    activity = context.activity
    return activity.type == ActivityTypes.message and "hello" in (activity.text or "").lower()


class ExtensionAgent(Generic[StateT]):
    """Hello messages and the custom channel's invokes, as decorators on an application.

    Build one per application, with the application's state type:
    ``ExtensionAgent[TurnState](AGENT_APP)``. Routes are registered when a handler is
    decorated, and tried by the application like its own: invokes first, then agentic
    routes, then by rank, then in registration order.
    """

    def __init__(self, app: AgentApplication[StateT]) -> None:
        self._app = app

    @property
    def app(self) -> AgentApplication[StateT]:
        """The application the routes are registered on."""
        return self._app

    def on_hello(self, handler: _HelloHandlerT) -> _HelloHandlerT:
        """Handle a message whose text contains ``hello`` (any case).

        The route has the default rank. It takes agentic requests too, those that no
        agentic route takes first (such as the one of :meth:`on_agentic_hello`).
        """
        self._app.add_route(_is_hello, self._hello_route(handler))
        return handler

    def on_agentic_hello(self, handler: _HelloHandlerT) -> _HelloHandlerT:
        """Handle a message containing ``hello`` in an agentic request.

        Registered with ``is_agentic=True`` (only agentic requests) and
        ``rank=RouteRank.FIRST``: among the application's agentic routes, this one is
        tried first, whenever the others were registered.
        """
        self._app.add_route(
            _is_hello, self._hello_route(handler), is_agentic=True, rank=RouteRank.FIRST
        )
        return handler

    def on_custom_event(self, event: str) -> Callable[[_CustomEventHandlerT], _CustomEventHandlerT]:
        """Handle the custom channel's invoke named ``invoke/<event>``.

        Args:
            event: the name without its prefix, such as ``customEvent``.

        Returns:
            A decorator registering ``async handler(context, state, event) ->
            CustomEventResult``. The extension answers the invoke with HTTP 200 and the
            result as its JSON body. The same invoke from another channel is left to
            the application's other routes.
        """
        if not event:
            raise ValueError("on_custom_event needs the event's name, such as 'customEvent'")
        name = f"{INVOKE_PREFIX}{event}"

        def selector(context: TurnContext) -> bool:
            activity = context.activity
            return (
                activity.type == ActivityTypes.invoke
                and activity.name == name
                and activity.channel_id == CHANNEL_ID
            )

        def register(handler: _CustomEventHandlerT) -> _CustomEventHandlerT:
            async def route(context: TurnContext, state: StateT) -> None:
                activity = context.activity
                custom = CustomEvent(
                    user_id=_user_id(activity),
                    field=_field(activity),
                    name=name,
                    value=activity.value,
                )
                result = await handler(context, state, custom)
                body = result.model_dump(mode="json", by_alias=True, exclude_none=True)
                await context.send_activity(
                    Activity(
                        type=ActivityTypes.invoke_response,
                        value=InvokeResponse(status=200, body=body),
                    )
                )

            functools.update_wrapper(route, handler)  # logs and errors name the handler
            self._app.add_route(selector, route, is_invoke=True)
            return handler

        return register

    def _hello_route(self, handler: HelloHandler[Any]) -> RouteHandler[StateT]:
        async def route(context: TurnContext, state: StateT) -> None:
            await handler(context, state, ExtensionEvent.from_activity(context.activity))

        functools.update_wrapper(route, handler)
        return route


# ====================================================================== the agent

ADAPTER = CloudAdapter()
AGENT_APP = AgentApplication[TurnState](storage=MemoryStorage(), adapter=ADAPTER)
EXTENSION = ExtensionAgent[TurnState](AGENT_APP)


# The agent's own routes, registered first.


@AGENT_APP.activity("message", is_agentic=True)
async def on_agentic_message(context: TurnContext, _: TurnState) -> None:
    await context.send_activity(f"Agentic request, you said: {context.activity.text}")


# A catch-all: last of the routes, whenever the others are registered.
@AGENT_APP.activity("message", rank=RouteRank.LAST)
async def on_message(context: TurnContext, _: TurnState) -> None:
    await context.send_activity(f"You said: {context.activity.text}")


# The extension's routes.


@EXTENSION.on_hello
async def on_hello(context: TurnContext, _: TurnState, event: ExtensionEvent) -> None:
    await context.send_activity(
        f"Hello event detected! User ID: {event.user_id}, Field: {event.field or 'none'}"
    )


@EXTENSION.on_agentic_hello
async def on_agentic_hello(context: TurnContext, _: TurnState, event: ExtensionEvent) -> None:
    instance = context.activity.get_agentic_instance_id()
    await context.send_activity(
        f"Agentic hello event detected! User ID: {event.user_id}, "
        f"Agent instance: {instance}, Field: {event.field or 'none'}"
    )


@EXTENSION.on_custom_event("customEvent")
@EXTENSION.on_custom_event("otherCustomEvent")
async def on_custom_event(
    context: TurnContext, _: TurnState, event: CustomEvent
) -> CustomEventResult:
    await context.send_activity(f"Custom event triggered {event.name}")
    return CustomEventResult(event=event.name, user_id=event.user_id, field=event.field)


if __name__ == "__main__":
    port = os.environ.get("PORT", "3978")
    print(
        f"Extension starter on http://127.0.0.1:{port}/api/messages (Ctrl+C stops it)",
        flush=True,
    )
    start_server(AGENT_APP)
