"""An agent written the way the READMEs write one. Type-checked (mypy --strict), not run.

Covers the application's decorators (each returns the function it decorates, with its own
type), its typed options, ``app.auth``, an application without a subscript, the JWT
decorator and ``adapter.use(...)`` chaining. See README.md in this folder.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from aiohttp import web
from typing_extensions import assert_type

from microsoft_agents.activity import (
    AdaptiveCardInvokeResponse,
    ResourceResponse,
    load_configuration_from_env,
)
from microsoft_agents.hosting.aiohttp import (
    CloudAdapter,
    jwt_authorization_decorator,
    start_agent_process,
)
from microsoft_agents.hosting.core import (
    Agent,
    AgentApplication,
    Authorization,
    Connections,
    MemoryStorage,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core._middleware import NextDelegate
from microsoft_agents.hosting.core.app import ApplicationOptions, Query, TypingOptions
from microsoft_agents.hosting.core.app.adaptive_card.models import (
    AdaptiveCardSearchParams,
    AdaptiveCardSearchResult,
)

storage = MemoryStorage()
adapter = CloudAdapter()
app = AgentApplication[TurnState](storage=storage, adapter=adapter)

# ---------------------------------------------------------------- decorators keep the type


@app.conversation_update("membersAdded")
async def welcome(context: TurnContext, state: TurnState) -> None:
    await context.send_activity("Welcome!")


@app.message(re.compile(r"/help"))
async def show_help(context: TurnContext, state: TurnState) -> ResourceResponse:
    # A handler may return something (here the receipt); the application ignores it.
    return await context.send_activity("Send me anything and I echo it.")


@app.activity("message")
async def on_message(context: TurnContext, state: TurnState) -> None:
    await context.send_activity(f"You said: {context.activity.text}")


@app.message("x")
@app.message("y")
async def stacked(context: TurnContext, state: TurnState) -> int:
    return 1


@app.message_reaction("reactionsAdded")
async def on_reaction(context: TurnContext, state: TurnState) -> None: ...


@app.message_update("editMessage")
async def on_edit(context: TurnContext, state: TurnState) -> None: ...


@app.handoff
async def on_handoff(context: TurnContext, state: TurnState, continuation: str) -> None: ...


@app.handoff(rank=10)
async def on_ranked_handoff(context: TurnContext, state: TurnState, continuation: str) -> str:
    return continuation


@app.before_turn
async def before(context: TurnContext, state: TurnState) -> bool:
    return True


@app.after_turn
async def after(context: TurnContext, state: TurnState) -> bool:
    return True


@app.error
async def on_error(context: TurnContext, error: Exception) -> None:
    await context.send_activity("Sorry, something went wrong.")


@app.on_sign_in_success
async def signed_in(context: TurnContext, state: TurnState, handler_id: str | None) -> None: ...


@app.adaptive_card.action_execute("approve")
async def approve(
    context: TurnContext, state: TurnState, data: dict[str, Any]
) -> AdaptiveCardInvokeResponse:
    return AdaptiveCardInvokeResponse(
        status_code=200, type="application/vnd.microsoft.card.adaptive"
    )


@app.adaptive_card.action_submit("save")
async def save(context: TurnContext, state: TurnState, data: dict[str, Any]) -> ResourceResponse:
    return await context.send_activity("saved")


@app.adaptive_card.search("people")
async def people(
    context: TurnContext, state: TurnState, query: Query[AdaptiveCardSearchParams]
) -> list[AdaptiveCardSearchResult]:
    return [AdaptiveCardSearchResult(title="Megan", value="megan")]


async def _help(context: TurnContext, _: TurnState) -> None: ...


# Decorators double as plain calls.
registered = app.conversation_update("membersAdded")(_help)


async def unit_test(ctx: TurnContext, st: TurnState) -> None:
    await on_message(context=ctx, state=st)  # keyword call, as in a unit test
    assert_type(await show_help(ctx, st), ResourceResponse)
    assert_type(await stacked(ctx, st), int)
    task = asyncio.create_task(on_message(ctx, st))  # needs a coroutine
    await task
    await asyncio.wait_for(welcome(ctx, st), 1)
    await on_handoff(ctx, st, continuation="token")
    assert_type(await on_ranked_handoff(ctx, st, "token"), str)
    assert_type(await before(ctx, st), bool)
    assert_type(await after(context=ctx, state=st), bool)
    await on_error(ctx, error=ValueError())
    await signed_in(ctx, st, handler_id=None)
    assert_type(await approve(ctx, st, {}), AdaptiveCardInvokeResponse)
    assert_type(await save(ctx, st, data={}), ResourceResponse)
    query = Query(count=5, skip=0, parameters=AdaptiveCardSearchParams(query_text="me"))
    assert_type(await people(ctx, st, query), list[AdaptiveCardSearchResult])
    await registered(context=ctx, _=st)


def run_once(ctx: TurnContext, st: TurnState) -> None:
    asyncio.run(on_message(ctx, st))
    asyncio.run(on_error(ctx, ValueError()))


# Still refused: a handler of the wrong shape.
@app.activity("message")  # type: ignore[type-var]
async def missing_state(context: TurnContext) -> None: ...


@app.error  # type: ignore[type-var]
async def error_without_exception(context: TurnContext) -> None: ...


@app.adaptive_card.search("people")  # type: ignore[type-var]
async def wrong_results(
    context: TurnContext, state: TurnState, query: Query[AdaptiveCardSearchParams]
) -> list[str]:
    return []


# ---------------------------------------------------------------- the options are typed

configured = AgentApplication[TurnState](
    storage=storage,
    adapter=adapter,
    bot_app_id="00000000-0000-0000-0000-000000000000",
    remove_recipient_mention=False,
    normalize_mentions=True,
    start_typing_timer=False,
    typing=TypingOptions(interval_ms=5000),
    long_running_messages=False,
    file_downloaders=[],
    turn_state_factory=lambda: TurnState.with_storage(storage),
    authorization_handlers=None,
    proactive=None,
    agent_name="echo",
    **load_configuration_from_env({}),
)
from_options = AgentApplication[TurnState](ApplicationOptions(storage=storage), adapter=adapter)
AgentApplication[TurnState](storage="not a storage")  # type: ignore[arg-type]
AgentApplication[TurnState](storage=storage, adapter=42)  # type: ignore[arg-type]
AgentApplication[TurnState](storage=storage, start_typing_timer="yes")  # type: ignore[arg-type]
AgentApplication[TurnState](storage=storage, authorization=object())  # type: ignore[arg-type]
AgentApplication[TurnState](storage=storage, connection_manager=42)  # type: ignore[arg-type]

# ---------------------------------------------------------------- sign-in and connections


def with_sign_in(connections: Connections) -> AgentApplication[TurnState]:
    authorization = Authorization(storage, connections, **load_configuration_from_env({}))
    signed = AgentApplication[TurnState](storage=storage, authorization=authorization)
    assert_type(signed.auth, Authorization)
    assert_type(signed.auth.connection_manager, Connections)
    assert_type(signed.connection_manager, Connections | None)
    return signed


Authorization("not a storage", None)  # type: ignore[arg-type]

# ---------------------------------------------------------------- no subscript needed

plain = AgentApplication(storage=MemoryStorage())
assert_type(plain, AgentApplication[TurnState])
assert_type(ApplicationOptions(storage=storage), ApplicationOptions[TurnState])


@plain.activity("message")
async def plain_echo(context: TurnContext, state: TurnState) -> None: ...


class CounterState(TurnState):
    @property
    def count(self) -> int:
        return self.conversation.get_value("count", lambda: 0)


counting = AgentApplication(
    storage=storage, turn_state_factory=lambda: CounterState.with_storage(storage)
)
assert_type(counting, AgentApplication[CounterState])


@counting.activity("message")
async def count_messages(context: TurnContext, state: CounterState) -> None:
    await context.send_activity(f"message #{state.count + 1}")


@counting.activity("typing")
async def base_state_handler(context: TurnContext, state: TurnState) -> None: ...


# ---------------------------------------------------------------- JWT decorator


@jwt_authorization_decorator
async def whoami(request: web.Request) -> web.Response:
    return web.Response(text="hello")


@jwt_authorization_decorator
async def events(request: web.Request) -> web.StreamResponse:
    return web.StreamResponse()


async def call_routes(request: web.Request) -> web.Response:
    assert_type(await events(request), web.StreamResponse)
    return await whoami(request)


web_app = web.Application()
web_app.router.add_get("/whoami", whoami)
web_app.router.add_get("/events", events)

# ---------------------------------------------------------------- middleware chaining


class Timing:
    async def on_turn(self, context: TurnContext, logic: NextDelegate) -> None:
        await logic()


chained = CloudAdapter().use(Timing()).use(Timing())
assert_type(chained, CloudAdapter)
process = chained.process

# ---------------------------------------------------------------- the README's messages route


async def messages(req: web.Request) -> web.Response:
    # The package README's handler, annotated as it is there.
    return await start_agent_process(req, app, adapter)


class OwnAdapter:
    """An adapter of one's own: start_agent_process gives back what its process answers."""

    async def process(self, request: web.Request, agent: Agent) -> web.StreamResponse | None:
        return web.StreamResponse()


async def own_messages(req: web.Request) -> web.StreamResponse:
    answer = await start_agent_process(req, app, OwnAdapter())
    assert_type(answer, web.StreamResponse | None)
    return answer or web.Response(status=202)


web_app.router.add_post("/api/messages", messages)
