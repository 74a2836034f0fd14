"""AgentApplication: construction rules and the turn pipeline (state, hooks, errors)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from microsoft_agents.activity import (
    ChannelAccount,
    Mention,
    load_configuration_from_env,
)
from microsoft_agents.hosting.core import (
    AgentApplication,
    ApplicationError,
    ApplicationOptions,
    InputFile,
    InputFileDownloader,
    MemoryStorage,
    TurnContext,
)
from microsoft_agents.hosting.core._middleware import NextDelegate
from microsoft_agents.hosting.core.app.state import TurnState
from microsoft_agents.hosting.core.testing import AgentTester, TestAdapter

from .storage_conformance import RawDocument


def _app(**options: Any) -> AgentApplication[TurnState]:
    options.setdefault("storage", MemoryStorage())
    options.setdefault("start_typing_timer", False)
    return AgentApplication[TurnState](**options)


def _counter(app: AgentApplication[TurnState]) -> None:
    @app.activity("message")
    async def count(context: TurnContext, state: TurnState) -> None:
        value = state.conversation.get_value("count", lambda: 0) + 1
        state.conversation.set_value("count", value)
        await context.send_activity(f"count {value}")


# ---------------------------------------------------------------------- construction


async def test_the_seed_simple_echo_agent_form_constructs_and_answers() -> None:
    """The seed README's form: storage and adapter, no connection manager, no authorization."""
    adapter = TestAdapter()
    agent_app = AgentApplication[TurnState](storage=MemoryStorage(), adapter=adapter)

    @agent_app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        await context.send_activity(f"You said: {context.activity.text}")

    result = await AgentTester(agent_app, adapter=adapter).send("hi")

    assert result.texts == ["You said: hi"]
    assert agent_app.adapter is adapter
    assert agent_app.connection_manager is None


async def test_two_turns_of_one_conversation_at_once_both_answer_and_both_changes_stay() -> None:
    """Two people writing in a group chat at once: no turn fails on the state's e-tag."""
    adapter = TestAdapter()
    storage = MemoryStorage()
    agent_app = _app(adapter=adapter, storage=storage)
    arrived: list[str] = []
    release = asyncio.Event()
    errors: list[Exception] = []

    @agent_app.activity("message")
    async def note(context: TurnContext, state: TurnState) -> None:
        text = context.activity.text or ""
        state.conversation.set_value(f"from_{text}", True)
        arrived.append(text)
        if len(arrived) == 2:
            release.set()
        await release.wait()  # both turns have read the state before either saves
        await context.send_activity(f"noted {text}")

    @agent_app.error
    async def on_error(context: TurnContext, error: Exception) -> None:
        errors.append(error)

    tester = AgentTester(agent_app, adapter=adapter)
    first, second = await asyncio.gather(tester.send("ann"), tester.send("bob"))

    assert errors == []
    assert (first.texts, second.texts) == (["noted ann"], ["noted bob"])
    conversation = first.activity.conversation
    assert conversation is not None
    key = f"{first.activity.channel_id}/conversations/{conversation.id}"
    stored = await storage.read([key], target_cls=RawDocument)
    assert {k: v for k, v in stored[key].data.items() if k != "e_tag"} == {
        "from_ann": True,
        "from_bob": True,
    }


def test_configuration_sections_are_ignored_and_agentapplication_settings_not_read() -> None:
    """protocol §15.5: AGENTAPPLICATION__STARTTYPINGTIMER is not an option source."""
    config = load_configuration_from_env(
        {
            "AGENTAPPLICATION__STARTTYPINGTIMER": "false",
            "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": "app-id",
        }
    )

    app = AgentApplication[TurnState](storage=MemoryStorage(), **config)

    assert app.options.start_typing_timer is True
    assert app.options.remove_recipient_mention is True


def test_options_object_and_keywords_combine() -> None:
    storage = MemoryStorage()
    app = AgentApplication[TurnState](
        ApplicationOptions(storage=storage, bot_app_id="app-1"), start_typing_timer=False
    )

    assert app.options.storage is storage
    assert app.options.bot_app_id == "app-1"
    assert app.options.start_typing_timer is False


@pytest.mark.parametrize(
    ("keyword", "meant"),
    [
        ("start_typing_timr", "start_typing_timer"),
        ("long_running_message", "long_running_messages"),
        ("remove_recipient_mentions", "remove_recipient_mention"),
        ("authorisation", "authorization"),
    ],
)
def test_a_misspelt_option_keyword_is_a_type_error_naming_the_option(
    keyword: str, meant: str
) -> None:
    # Ignored, the option would silently keep its default.
    with pytest.raises(TypeError, match=rf"{keyword!r}; did you mean {meant!r}\?"):
        AgentApplication[TurnState](storage=MemoryStorage(), **{keyword: False})


def test_other_unknown_keywords_are_still_ignored() -> None:
    """Upstream ignores them; configuration sections in any case pass as they are."""
    app = AgentApplication[TurnState](
        storage=MemoryStorage(),
        startTypingTimer=False,
        STARTTYPINGTIMER=False,
        something_else=1,
        agent_name="Helper",
    )

    assert app.options.start_typing_timer is True
    assert app.agent_name == "Helper"


def test_storage_is_required() -> None:
    with pytest.raises(ApplicationError, match=r"storage=MemoryStorage\(\)"):
        AgentApplication[TurnState](adapter=TestAdapter())


async def test_long_running_messages_run_inline_on_an_adapter_without_http() -> None:
    """§18 row 4: supported; an adapter with no request to answer early runs the turn now."""
    app = AgentApplication[TurnState](storage=MemoryStorage(), long_running_messages=True)

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        await context.send_activity(f"done: {context.activity.text}")

    result = await AgentTester(app).send("work")
    assert result.texts == ["done: work"]


def test_authorization_and_connection_manager_together_are_rejected() -> None:
    with pytest.raises(ApplicationError, match="not both"):
        AgentApplication[TurnState](
            storage=MemoryStorage(), authorization=object(), connection_manager=object()
        )


def test_a_wrong_options_object_is_rejected() -> None:
    with pytest.raises(TypeError, match="options must be an ApplicationOptions"):
        AgentApplication[TurnState]({"storage": MemoryStorage()})  # type: ignore[arg-type]


def test_adapter_and_auth_properties_explain_what_is_missing() -> None:
    app = _app()

    with pytest.raises(ApplicationError, match=r"adapter=CloudAdapter\(\.\.\.\)"):
        _ = app.adapter
    with pytest.raises(ApplicationError, match="authorization=Authorization"):
        _ = app.auth


def test_auth_handlers_without_authorization_fail_at_registration() -> None:
    app = _app()

    async def profile(context: TurnContext, state: TurnState) -> None:
        await context.send_activity("profile")

    with pytest.raises(ApplicationError, match=r"route .*profile.*auth_handlers=\['GRAPH'\]"):
        app.message("/me", auth_handlers=["GRAPH"])(profile)
    with pytest.raises(ApplicationError, match=r"route .*\.profile asks for sign-in"):
        app.adaptive_card.action_execute("refresh", auth_handlers=["GRAPH"])(profile)  # type: ignore[arg-type]


def test_authorization_is_kept_and_sign_in_handlers_are_stored() -> None:
    authorization = object()
    app = AgentApplication[TurnState](storage=MemoryStorage(), authorization=authorization)

    async def signed_in(context: TurnContext, state: TurnState, handler_id: str | None) -> None:
        return None

    assert app.on_sign_in_success(signed_in) is signed_in
    assert app.on_sign_in_failure(signed_in) is signed_in
    assert app.auth is authorization


async def test_a_route_needing_sign_in_never_runs_without_it() -> None:
    """User sign-in is a later part of the SDK: until then such a route fails loudly."""
    app = AgentApplication[TurnState](
        storage=MemoryStorage(), authorization=object(), start_typing_timer=False
    )
    ran: list[str] = []
    errors: list[Exception] = []

    @app.message("/me", auth_handlers=["GRAPH"])
    async def profile(context: TurnContext, state: TurnState) -> None:
        ran.append("profile")

    @app.error
    async def on_error(context: TurnContext, error: Exception) -> None:
        errors.append(error)

    await AgentTester(app).send("/me")

    assert ran == []
    assert [type(e) for e in errors] == [ApplicationError]
    assert "needs sign-in (['GRAPH'])" in str(errors[0])


def test_parse_env_vars_configuration_is_deprecated() -> None:
    env = {"CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": "app-id"}

    with pytest.deprecated_call(match="load_configuration_from_env"):
        parsed = AgentApplication.parse_env_vars_configuration(env)

    assert parsed == load_configuration_from_env(env)


# ---------------------------------------------------------------------- state


async def test_state_is_loaded_and_saved_each_turn() -> None:
    app = _app()
    _counter(app)
    tester = AgentTester(app)

    assert (await tester.send("a")).texts == ["count 1"]
    assert (await tester.send("b")).texts == ["count 2"]


async def test_a_custom_turn_state_factory_is_used() -> None:
    class MyState(TurnState):
        pass

    storage = MemoryStorage()
    app = AgentApplication[MyState](
        storage=storage,
        start_typing_timer=False,
        turn_state_factory=lambda: MyState.with_storage(storage),
    )
    seen: list[str] = []

    @app.activity("message")
    async def handler(context: TurnContext, state: MyState) -> None:
        seen.append(type(state).__name__)

    await AgentTester(app).send("hi")
    app.set_turn_state_factory(lambda: MyState.with_storage(storage))
    await AgentTester(app).send("hi")

    assert seen == ["MyState", "MyState"]


class CounterState(TurnState):
    """A state class of the application's own, with a helper of its own."""

    def bump(self) -> int:
        count = int(self.get_value("ConversationState.count", lambda: 0)) + 1
        self.set_value("ConversationState.count", count)
        return count


async def test_the_type_argument_is_the_state_class_of_every_turn() -> None:
    """``AgentApplication[CounterState](storage=...)`` gives handlers a CounterState."""
    app = AgentApplication[CounterState](storage=MemoryStorage(), start_typing_timer=False)

    @app.activity("message")
    async def count(context: TurnContext, state: CounterState) -> None:
        await context.send_activity(f"{type(state).__name__} {state.bump()}")

    tester = AgentTester(app)
    assert (await tester.send("a")).texts == ["CounterState 1"]
    assert (await tester.send("b")).texts == ["CounterState 2"]


async def test_a_subclass_of_a_parametrised_application_uses_its_state_class() -> None:
    class CounterApp(AgentApplication[CounterState]):
        pass

    app = CounterApp(storage=MemoryStorage(), start_typing_timer=False)

    @app.activity("message")
    async def count(context: TurnContext, state: CounterState) -> None:
        await context.send_activity(f"{type(state).__name__} {state.bump()}")

    assert (await AgentTester(app).send("a")).texts == ["CounterState 1"]


async def test_a_state_class_with_storage_cannot_build_asks_for_a_factory() -> None:
    class NeedsMore(TurnState):
        def __init__(self, required: str) -> None:
            super().__init__()

    app = AgentApplication[NeedsMore](storage=MemoryStorage(), start_typing_timer=False)

    @app.activity("message")
    async def never(context: TurnContext, state: NeedsMore) -> None:
        raise AssertionError("no state, no turn")

    errors: list[Exception] = []

    @app.error
    async def on_error(context: TurnContext, error: Exception) -> None:
        errors.append(error)

    await AgentTester(app).send("a")
    [error] = errors
    assert isinstance(error, ApplicationError)
    assert "turn_state_factory=" in str(error)
    assert "NeedsMore.with_storage(storage)" in str(error)


async def test_temp_input_is_the_text_after_the_mention_was_removed() -> None:
    app = _app()

    @app.activity("message")
    async def echo(context: TurnContext, state: TurnState) -> None:
        await context.send_activity(f"[{state.temp.input}] [{context.activity.text}]")

    agent = ChannelAccount(id="agent-1", name="Agent")
    mention = Mention(mentioned=agent, text="<at>Agent</at>")

    result = await AgentTester(app, agent_account=agent).send(
        "<at>Agent</at> hi", entities=[mention]
    )

    assert result.texts == ["[hi] [hi]"]


async def test_the_mention_is_kept_when_remove_recipient_mention_is_off() -> None:
    app = _app(remove_recipient_mention=False)

    @app.activity("message")
    async def echo(context: TurnContext, state: TurnState) -> None:
        await context.send_activity(f"[{context.activity.text}]")

    agent = ChannelAccount(id="agent-1", name="Agent")
    mention = Mention(mentioned=agent, text="<at>Agent</at>")

    result = await AgentTester(app, agent_account=agent).send(
        "<at>Agent</at> hi", entities=[mention]
    )

    assert result.texts == ["[<at>Agent</at> hi]"]


async def test_file_downloaders_fill_temp_input_files() -> None:
    class Downloader(InputFileDownloader):
        async def download_files(self, context: TurnContext) -> list[InputFile]:
            return [InputFile(content=b"abc", content_type="text/plain", content_url="u")]

    app = _app(file_downloaders=[Downloader(), Downloader()])

    @app.activity("message")
    async def files(context: TurnContext, state: TurnState) -> None:
        sizes = [len(f.content) for f in state.temp.input_files]
        await context.send_activity(f"files {sizes}")

    assert (await AgentTester(app).send("x")).texts == ["files [3, 3]"]


# ---------------------------------------------------------------------- hooks


async def test_before_turn_returning_false_skips_the_route_but_saves_state() -> None:
    app = _app()
    _counter(app)
    blocked = {"on": True}

    @app.before_turn
    async def gate(context: TurnContext, state: TurnState) -> bool:
        if blocked["on"]:
            state.conversation.set_value("count", 10)
            await context.send_activity("blocked")
            return False
        return True

    tester = AgentTester(app)
    first = await tester.send("a")
    blocked["on"] = False
    second = await tester.send("b")

    assert first.texts == ["blocked"]
    assert second.texts == ["count 11"]


async def test_after_turn_returning_false_skips_the_save() -> None:
    app = _app()
    _counter(app)
    answers = [False, True, True]
    calls: list[str] = []

    @app.after_turn
    async def first_hook(context: TurnContext, state: TurnState) -> bool:
        calls.append("first")
        return answers.pop(0)

    @app.after_turn
    async def second_hook(context: TurnContext, state: TurnState) -> bool:
        calls.append("second")
        return True

    tester = AgentTester(app)
    texts = [(await tester.send(t)).texts for t in ("a", "b", "c")]

    assert texts == [["count 1"], ["count 1"], ["count 2"]]
    assert calls == ["first", "first", "second", "first", "second"]


# ---------------------------------------------------------------------- errors


async def test_the_error_handler_gets_the_turns_context_and_the_exception() -> None:
    app = _app()
    seen: list[tuple[TurnContext, Exception]] = []
    boom = ValueError("boom")

    @app.activity("message")
    async def fails(context: TurnContext, state: TurnState) -> None:
        raise boom

    @app.error
    async def on_error(context: TurnContext, error: Exception) -> None:
        seen.append((context, error))
        await context.send_activity("Sorry, something went wrong.")

    result = await AgentTester(app).send("hi")

    assert result.texts == ["Sorry, something went wrong."]
    ((context, error),) = seen
    assert error is boom
    assert context.activity is result.activity


async def test_state_is_not_saved_for_a_turn_that_raised() -> None:
    app = _app()
    fail = {"on": True}

    @app.activity("message")
    async def count(context: TurnContext, state: TurnState) -> None:
        value = state.conversation.get_value("count", lambda: 0) + 1
        state.conversation.set_value("count", value)
        if fail["on"]:
            raise RuntimeError("handler failed")
        await context.send_activity(f"count {value}")

    @app.error
    async def on_error(context: TurnContext, error: Exception) -> None:
        await context.send_activity("error")

    tester = AgentTester(app)
    assert (await tester.send("a")).texts == ["error"]
    fail["on"] = False
    assert (await tester.send("b")).texts == ["count 1"]


async def test_errors_in_hooks_reach_the_error_handler_too() -> None:
    app = _app()
    errors: list[str] = []

    @app.before_turn
    async def broken(context: TurnContext, state: TurnState) -> bool:
        raise KeyError("missing")

    @app.error
    async def on_error(context: TurnContext, error: Exception) -> None:
        errors.append(type(error).__name__)

    await AgentTester(app).send("hi")

    assert errors == ["KeyError"]


async def test_without_an_error_handler_the_exception_reaches_the_adapter() -> None:
    app = _app()
    boom = RuntimeError("boom")
    seen: list[tuple[str | None, Exception]] = []

    @app.activity("message")
    async def fails(context: TurnContext, state: TurnState) -> None:
        raise boom

    async def on_turn_error(context: TurnContext, error: Exception) -> None:
        seen.append((context.activity.text, error))
        await context.send_activity("adapter handled it")

    tester = AgentTester(app, adapter=TestAdapter(on_turn_error=on_turn_error))
    result = await tester.send("hi")

    assert seen == [("hi", boom)]
    assert result.texts == ["adapter handled it"]


async def test_without_any_handler_the_exception_propagates() -> None:
    app = _app()

    @app.activity("message")
    async def fails(context: TurnContext, state: TurnState) -> None:
        raise RuntimeError("nobody handles this")

    with pytest.raises(RuntimeError, match="nobody handles this"):
        await AgentTester(app).send("hi")


def _adapter_with_failing_middleware() -> TestAdapter:
    """A test adapter whose middleware raises LookupError before the application runs."""

    class Broken:
        async def on_turn(self, context: TurnContext, logic: NextDelegate) -> None:
            raise LookupError("middleware failed")

    return TestAdapter().use(Broken())


async def test_app_error_becomes_the_adapters_on_turn_error_for_middleware_errors() -> None:
    adapter = _adapter_with_failing_middleware()
    app = _app(adapter=adapter)
    errors: list[Exception] = []

    @app.error
    async def on_error(context: TurnContext, error: Exception) -> None:
        errors.append(error)
        await context.send_activity("handled")

    result = await AgentTester(app, adapter=adapter).send("hi")

    assert [type(e) for e in errors] == [LookupError]
    assert result.texts == ["handled"]


class _ErrorHandlerFailedError(Exception):
    pass


def _failing_error_handler(app: AgentApplication[TurnState], seen: list[Exception]) -> None:
    @app.activity("message")
    async def fails(context: TurnContext, state: TurnState) -> None:
        raise RuntimeError("handler failed")

    @app.error
    async def on_error(context: TurnContext, error: Exception) -> None:
        seen.append(error)
        raise _ErrorHandlerFailedError("the error handler failed too")


async def test_an_exception_raised_by_an_error_handler_is_not_handled_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """api-surface §3.5 step 10: handled once; without an adapter fallback it propagates."""
    adapter = TestAdapter()
    app = _app(adapter=adapter)
    seen: list[Exception] = []
    _failing_error_handler(app, seen)

    with pytest.raises(_ErrorHandlerFailedError):
        await AgentTester(app, adapter=adapter).send("hi")

    assert [type(e) for e in seen] == [RuntimeError]
    assert "raised _ErrorHandlerFailedError while handling RuntimeError" in caplog.text


async def test_an_error_handlers_exception_goes_to_the_adapters_own_on_turn_error() -> None:
    """The adapter's previous on_turn_error (its default behaviour) gets it, once."""
    fallback: list[Exception] = []

    async def adapter_default(context: TurnContext, error: Exception) -> None:
        fallback.append(error)
        await context.send_activity("adapter default")

    adapter = TestAdapter(on_turn_error=adapter_default)
    app = _app(adapter=adapter)
    seen: list[Exception] = []
    _failing_error_handler(app, seen)

    @app.error  # a second handler: registering it must not wrap the wrapper
    async def never(context: TurnContext, error: Exception) -> None:
        raise AssertionError("not reached: the first handler raised")

    result = await AgentTester(app, adapter=adapter).send("hi")

    assert [type(e) for e in seen] == [RuntimeError]
    assert [type(e) for e in fallback] == [_ErrorHandlerFailedError]
    assert result.texts == ["adapter default"]


async def test_a_failing_error_handler_for_a_middleware_error_runs_once() -> None:
    adapter = _adapter_with_failing_middleware()
    app = _app(adapter=adapter)
    seen: list[Exception] = []
    _failing_error_handler(app, seen)

    with pytest.raises(_ErrorHandlerFailedError):
        await AgentTester(app, adapter=adapter).send("hi")

    assert [type(e) for e in seen] == [LookupError]


async def test_mentions_are_stripped_and_normalized_before_routing() -> None:
    """The agent's own mention goes; another person's mention becomes their plain name."""
    app = AgentApplication[TurnState](
        storage=MemoryStorage(), normalize_mentions=True, start_typing_timer=False
    )
    seen: list[str | None] = []

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        seen.append(context.activity.text)

    megan = ChannelAccount(id="29:megan", name="Megan Bowen")
    tester = AgentTester(app, channel_id="msteams")
    await tester.send(
        "<at>Agent</at> ask <at>Megan Bowen</at> about it",
        entities=[
            Mention(mentioned=tester.agent_account, text="<at>Agent</at>"),
            Mention(mentioned=megan, text="<at>Megan Bowen</at>"),
        ],
    )

    assert seen == ["ask Megan Bowen about it"]
