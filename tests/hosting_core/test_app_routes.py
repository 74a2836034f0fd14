"""AgentApplication routes: which handler answers which activity, and in what order."""

from __future__ import annotations

import logging
import re

import pytest

from microsoft_agents.activity import ActivityTypes, ChannelAccount, RoleTypes
from microsoft_agents.hosting.core import AgentApplication, MemoryStorage, TurnContext
from microsoft_agents.hosting.core.app import RouteRank
from microsoft_agents.hosting.core.app.state import TurnState
from microsoft_agents.hosting.core.testing import AgentTester


def _app() -> AgentApplication[TurnState]:
    return AgentApplication[TurnState](storage=MemoryStorage(), start_typing_timer=False)


def _replier(text: str):  # type: ignore[no-untyped-def]
    async def handler(context: TurnContext, state: TurnState) -> None:
        await context.send_activity(text)

    handler.__qualname__ = f"reply_{text}"
    return handler


# ---------------------------------------------------------------------- precedence


async def test_routes_are_tried_invoke_first_then_in_registration_order() -> None:
    """§18 row 2: A, B, C(invoke), D, E(invoke), F of equal rank are tried C, E, A, B, D, F."""
    app = _app()
    tried: list[str] = []

    def selector_named(name: str):  # type: ignore[no-untyped-def]
        def selector(context: TurnContext) -> bool:
            tried.append(name)
            return False

        return selector

    for name, is_invoke in [
        ("A", False),
        ("B", False),
        ("C", True),
        ("D", False),
        ("E", True),
        ("F", False),
    ]:
        app.add_route(selector_named(name), _replier(name), is_invoke=is_invoke)

    result = await AgentTester(app).send("hi")

    assert tried == ["C", "E", "A", "B", "D", "F"]
    assert result.replies == []


async def test_the_first_matching_route_answers_and_the_others_are_skipped() -> None:
    app = _app()
    app.message("hi")(_replier("first"))
    app.activity("message")(_replier("second"))

    result = await AgentTester(app).send("hi")

    assert result.texts == ["first"]


async def test_a_lower_rank_wins_over_registration_order() -> None:
    app = _app()
    app.activity("message")(_replier("default rank"))
    app.activity("message", rank=RouteRank.FIRST)(_replier("first rank"))
    app.activity("message", rank=RouteRank.LAST)(_replier("last rank"))

    result = await AgentTester(app).send("hi")

    assert result.texts == ["first rank"]


async def test_an_agentic_route_wins_for_agentic_requests_only() -> None:
    app = _app()
    app.activity("message")(_replier("plain"))
    app.activity("message", is_agentic=True)(_replier("agentic"))
    agentic = ChannelAccount(id="agent-1", name="Agent", role=RoleTypes.agentic_identity)

    plain_result = await AgentTester(app).send("hi")
    agentic_result = await AgentTester(app, agent_account=agentic).send("hi")

    assert plain_result.texts == ["plain"]
    assert agentic_result.texts == ["agentic"]


def test_a_rank_out_of_range_is_refused() -> None:
    app = _app()
    with pytest.raises(Exception, match=r"RouteRank\.LAST \(65535\)"):
        app.activity("message", rank=70000)(_replier("x"))


async def test_no_matching_route_logs_a_warning_and_gives_no_invoke_answer(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = _app()
    app.message("hello")(_replier("hello"))

    with caplog.at_level(logging.WARNING):
        result = await AgentTester(app).invoke("custom/unknown", {"a": 1})

    assert result.replies == []
    assert result.invoke_response is None
    assert "no route matched the invoke activity named 'custom/unknown'" in caplog.text


async def test_other_unrouted_activities_are_not_warned_about(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Teams sends typing, reactions and more that an agent may leave alone: no flood."""
    app = _app()
    app.message("hello")(_replier("hello"))

    with caplog.at_level(logging.DEBUG):
        await AgentTester(app).send({"type": "typing"})

    unrouted = [r for r in caplog.records if "no route matched" in r.getMessage()]
    assert [r.levelno for r in unrouted] == [logging.DEBUG]


# ---------------------------------------------------------------------- message()


async def test_a_string_matches_the_exact_text_only() -> None:
    app = _app()
    app.message("/help")(_replier("help"))
    app.activity("message")(_replier("echo"))
    tester = AgentTester(app)

    assert (await tester.send("/help")).texts == ["help"]
    assert (await tester.send("/HELP")).texts == ["echo"]
    assert (await tester.send("/help me")).texts == ["echo"]


async def test_a_regex_must_match_the_whole_text() -> None:
    app = _app()
    app.message(re.compile(r"hel+o", re.IGNORECASE))(_replier("Hello!"))
    app.activity("message")(_replier("echo"))
    tester = AgentTester(app)

    assert (await tester.send("HELLLO")).texts == ["Hello!"]
    assert (await tester.send("hello there")).texts == ["echo"]
    assert (await tester.send("oh hello")).texts == ["echo"]


async def test_a_list_matches_any_of_its_strings_and_patterns() -> None:
    app = _app()
    app.message(["/start", re.compile(r"/go\d")])(_replier("go"))
    app.activity("message")(_replier("echo"))
    tester = AgentTester(app)

    assert (await tester.send("/start")).texts == ["go"]
    assert (await tester.send("/go7")).texts == ["go"]
    assert (await tester.send("/go")).texts == ["echo"]


async def test_a_message_without_text_matches_the_empty_string() -> None:
    app = _app()
    app.message("")(_replier("empty"))

    result = await AgentTester(app).send({"type": "message", "value": {"k": "v"}})

    assert result.texts == ["empty"]


def test_message_refuses_what_is_neither_text_nor_pattern() -> None:
    app = _app()
    with pytest.raises(TypeError, match="compiled regular expression"):
        app.message(42)  # type: ignore[arg-type]


async def test_activity_accepts_a_list_of_types() -> None:
    app = _app()
    app.activity(["event", "typing"])(_replier("seen"))
    tester = AgentTester(app)

    assert (await tester.event("ping")).texts == ["seen"]
    assert (await tester.send({"type": "typing"})).texts == ["seen"]
    assert (await tester.send("hi")).texts == []


async def test_A2011_an_activity_route_matches_the_type_exactly() -> None:
    """A2011: "Message" is not routed to the ``message`` handler (types are case-sensitive)."""
    app = _app()
    app.activity("message")(_replier("message"))
    app.activity(ActivityTypes.event)(_replier("event"))
    tester = AgentTester(app)

    assert (await tester.send({"type": "message", "text": "hi"})).texts == ["message"]
    assert (await tester.send({"type": "Message", "text": "hi"})).texts == []
    assert (await tester.send({"type": "EVENT", "name": "x"})).texts == []
    assert (await tester.event("ping")).texts == ["event"]


async def test_every_route_decorator_takes_the_reference_keywords() -> None:
    # The reference API passes rank=, is_agentic= and is_invoke= on to add_route.
    app = _app()
    app.message("hi")(_replier("first"))
    app.message("hi", is_invoke=True, rank=RouteRank.LAST)(_replier("invoke route"))
    app.conversation_update("membersAdded", is_invoke=False, rank=RouteRank.FIRST)(_replier("c"))
    app.message_reaction("reactionsAdded", is_invoke=False)(_replier("r"))
    app.message_update("editMessage", is_invoke=False)(_replier("u"))
    app.adaptive_card.action_submit("go", is_invoke=False)(_replier("s"))

    # Invoke routes are tried first, whatever their rank and registration order.
    assert (await AgentTester(app).send("hi")).texts == ["invoke route"]


async def test_the_registration_methods_take_func_as_the_reference_names_it() -> None:
    app = _app()
    seen: list[str] = []

    async def on_error(context: TurnContext, error: Exception) -> None:
        seen.append(f"error: {error}")

    async def signed_in(context: TurnContext, state: TurnState, handler_id: str | None) -> None:
        seen.append("signed in")

    assert app.error(func=on_error) is on_error
    assert app.on_sign_in_success(func=signed_in) is signed_in
    assert app.on_sign_in_failure(func=signed_in) is signed_in

    @app.message("boom")
    async def boom(context: TurnContext, state: TurnState) -> None:
        raise RuntimeError("broken")

    await AgentTester(app).send("boom")
    assert seen == ["error: broken"]


# ---------------------------------------------------------------------- decorator forms


async def test_decorators_return_the_function_so_they_stack_and_work_as_plain_calls() -> None:
    app = _app()

    @app.conversation_update("membersAdded")
    @app.message("/help")
    async def welcome(context: TurnContext, state: TurnState) -> None:
        await context.send_activity("Welcome!")

    async def later(context: TurnContext, state: TurnState) -> None:
        await context.send_activity("later")

    assert app.message("/later")(later) is later
    tester = AgentTester(app)

    assert (await tester.members_added()).texts == ["Welcome!"]
    assert (await tester.send("/help")).texts == ["Welcome!"]
    assert (await tester.send("/later")).texts == ["later"]
    assert welcome.__name__ == "welcome"


# ---------------------------------------------------------------------- conversation_update


async def test_members_added_and_removed_need_a_non_empty_list() -> None:
    app = _app()
    app.conversation_update("membersAdded")(_replier("added"))
    app.conversation_update("membersRemoved")(_replier("removed"))
    tester = AgentTester(app)

    assert (await tester.members_added()).texts == ["added"]
    assert (await tester.members_removed()).texts == ["removed"]
    assert (await tester.send({"type": "conversationUpdate", "membersAdded": []})).texts == []


async def test_a_teams_channel_event_is_matched_by_its_event_type() -> None:
    """§18 row 1: channelData is a dict; upstream raised TypeError on every such update."""
    app = _app()
    app.conversation_update("channelCreated")(_replier("channel created"))
    app.conversation_update("teamRenamed")(_replier("team renamed"))
    app.conversation_update("membersAdded")(_replier("added"))
    tester = AgentTester(app, channel_id="msteams")

    created = await tester.send(
        {"type": "conversationUpdate", "channelData": {"eventType": "channelCreated"}}
    )
    renamed = await tester.send(
        {"type": "conversationUpdate", "channelData": {"event_type": "teamRenamed"}}
    )
    members = await tester.send(
        {
            "type": "conversationUpdate",
            "membersAdded": [{"id": "user-2"}],
            "channelData": {"tenant": {"id": "t1"}},
        }
    )
    other = await tester.send(
        {"type": "conversationUpdate", "channelData": {"eventType": "channelDeleted"}}
    )

    assert created.texts == ["channel created"]
    assert renamed.texts == ["team renamed"]
    assert members.texts == ["added"]
    assert other.texts == []


# ---------------------------------------------------------------------- reactions and updates


async def test_message_reaction_routes_by_added_or_removed() -> None:
    app = _app()
    app.message_reaction("reactionsAdded")(_replier("thanks"))
    app.message_reaction("reactionsRemoved")(_replier("oh"))
    tester = AgentTester(app)

    added = await tester.send({"type": "messageReaction", "reactionsAdded": [{"type": "like"}]})
    removed = await tester.send(
        {"type": "messageReaction", "reactionsRemoved": [{"type": "heart"}]}
    )

    assert added.texts == ["thanks"]
    assert removed.texts == ["oh"]


def test_message_reaction_refuses_an_unknown_kind() -> None:
    with pytest.raises(Exception, match="'reactionsAdded' or 'reactionsRemoved'"):
        _app().message_reaction("liked")


async def test_message_update_routes_by_the_teams_event_type() -> None:
    app = _app()
    app.message_update("editMessage")(_replier("edited"))
    app.message_update("undeleteMessage")(_replier("undeleted"))
    app.message_update("softDeleteMessage")(_replier("deleted"))
    tester = AgentTester(app, channel_id="msteams")

    def update(activity_type: str, event: str) -> dict[str, object]:
        return {"type": activity_type, "channelData": {"eventType": event}}

    assert (await tester.send(update("messageUpdate", "editMessage"))).texts == ["edited"]
    assert (await tester.send(update("messageUpdate", "undeleteMessage"))).texts == ["undeleted"]
    assert (await tester.send(update("messageDelete", "softDeleteMessage"))).texts == ["deleted"]
    # the event type must come with the right activity type
    assert (await tester.send(update("messageDelete", "editMessage"))).texts == []


def test_message_update_refuses_an_unknown_kind() -> None:
    with pytest.raises(Exception, match="'softDeleteMessage'"):
        _app().message_update("deleteMessage")


# ---------------------------------------------------------------------- handoff


async def test_handoff_passes_the_continuation_and_answers_200() -> None:
    app = _app()
    received: list[str] = []

    @app.handoff
    async def on_handoff(context: TurnContext, state: TurnState, continuation: str) -> None:
        received.append(continuation)
        await context.send_activity("Taking over from here.")

    result = await AgentTester(app).invoke("handoff/action", {"continuation": "token-7"})

    assert received == ["token-7"]
    assert result.texts == ["Taking over from here."]
    assert result.invoke_response is not None
    assert result.invoke_response.status == 200
    assert result.invoke_response.body is None


async def test_handoff_works_as_a_decorator_factory_and_rejects_a_missing_continuation() -> None:
    app = _app()
    received: list[str] = []

    @app.handoff()
    async def on_handoff(context: TurnContext, state: TurnState, continuation: str) -> None:
        received.append(continuation)

    result = await AgentTester(app).invoke("handoff/action", {})

    assert received == []
    assert result.invoke_response is not None
    assert result.invoke_response.status == 400
    assert result.invoke_response.body["code"] == "BadRequest"


# ---------------------------------------------------------------------- exports


def test_the_app_package_exports_only_names_that_exist() -> None:
    """§18 row 19: upstream's __all__ listed a missing name, so `import *` failed."""
    namespace: dict[str, object] = {}
    exec("from microsoft_agents.hosting.core.app import *", namespace)

    from microsoft_agents.hosting.core import app as app_package

    assert set(app_package.__all__) <= set(namespace)
    assert {"AgentApplication", "ApplicationOptions", "TypingIndicator", "Query"} <= set(namespace)


def test_route_rank_and_selector_are_importable_from_the_root_but_not_star_exported() -> None:
    import microsoft_agents.hosting.core as core

    assert [int(rank) for rank in core.RouteRank] == [0, 32767, 65535]
    assert core.RouteSelector is not None
    assert "RouteRank" not in core.__all__
    assert "RouteSelector" not in core.__all__
    for name in (
        "AgentApplication",
        "ApplicationOptions",
        "InputFile",
        "InputFileDownloader",
        "Query",
        "RouteHandler",
        "TypingIndicator",
    ):
        assert name in core.__all__
