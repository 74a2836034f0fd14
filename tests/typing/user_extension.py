"""An agent using the extension of the extension starter sample. Type-checked, not run.

``ExtensionAgent`` (``test_samples/extension_starter/app.py``) stands for a third-party
extension built on ``AgentApplication.add_route``: its state type follows the
application's, and its decorators return the handler they get with its own type (its
parameter names, its result), as the application's own decorators do. Handlers of the
wrong shape are refused. See README.md in this folder.
"""

from __future__ import annotations

from typing_extensions import assert_type

from microsoft_agents.hosting.core import (
    AgentApplication,
    MemoryStorage,
    TurnContext,
    TurnState,
)
from test_samples.extension_starter.app import (
    CustomEvent,
    CustomEventResult,
    ExtensionAgent,
    ExtensionEvent,
)

app = AgentApplication[TurnState](storage=MemoryStorage())
extension = ExtensionAgent[TurnState](app)
assert_type(extension.app, AgentApplication[TurnState])
# Without a subscript, the state type comes from the application.
assert_type(ExtensionAgent(app), ExtensionAgent[TurnState])


@extension.on_hello
async def greet(context: TurnContext, state: TurnState, event: ExtensionEvent) -> int:
    await context.send_activity(f"Hello {event.user_id}")
    return 1


@extension.on_agentic_hello
async def greet_agentic(context: TurnContext, state: TurnState, event: ExtensionEvent) -> None: ...


@extension.on_custom_event("customEvent")
@extension.on_custom_event("otherCustomEvent")
async def on_event(context: TurnContext, state: TurnState, event: CustomEvent) -> CustomEventResult:
    return CustomEventResult(event=event.name, user_id=event.user_id)


async def unit_test(ctx: TurnContext, st: TurnState, hello: ExtensionEvent) -> None:
    assert_type(await greet(ctx, st, hello), int)
    await greet_agentic(context=ctx, state=st, event=hello)  # the names are kept
    custom = CustomEvent(user_id="u", field=None, name="invoke/customEvent", value=None)
    assert_type(await on_event(ctx, st, custom), CustomEventResult)


# ---------------------------------------------------------------- refused


async def no_event(context: TurnContext, state: TurnState) -> None: ...


extension.on_hello(no_event)  # type: ignore[type-var]


async def wrong_result(context: TurnContext, state: TurnState, event: CustomEvent) -> str:
    return "done"


extension.on_custom_event("customEvent")(wrong_result)  # type: ignore[type-var]


class CounterState(TurnState):
    """A state type of the agent's own."""


counted = AgentApplication[CounterState](storage=MemoryStorage())
ExtensionAgent[TurnState](counted)  # type: ignore[arg-type]
assert_type(ExtensionAgent[CounterState](counted).app, AgentApplication[CounterState])
