"""ActivityHandler: dispatch by activity type, sub-events, and invoke answers."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    AdaptiveCardInvokeValue,
    AdaptiveCardSearchInvokeValue,
    ChannelAccount,
    InvokeResponse,
    MessageReaction,
)
from microsoft_agents.hosting.core import (
    ActivityHandler,
    Agent,
    AgentApplication,
    MemoryStorage,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.testing import AgentTester, TestAdapter


class Recorder(ActivityHandler):
    """Answers every hook with a message naming it, so a test sees what was called."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    async def _saw(self, context: TurnContext, hook: str, detail: Any = None) -> None:
        self.calls.append((hook, detail))
        await context.send_activity(hook)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await self._saw(turn_context, "message", turn_context.activity.text)

    async def on_message_update_activity(self, turn_context: TurnContext) -> None:
        await self._saw(turn_context, "message_update")

    async def on_message_delete_activity(self, turn_context: TurnContext) -> None:
        await self._saw(turn_context, "message_delete")

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        await self._saw(turn_context, "members_added", [m.id for m in members_added])

    async def on_members_removed_activity(
        self, members_removed: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        await self._saw(turn_context, "members_removed", [m.id for m in members_removed])

    async def on_reactions_added(
        self, message_reactions: list[MessageReaction], turn_context: TurnContext
    ) -> None:
        await self._saw(turn_context, "reactions_added", [r.type for r in message_reactions])

    async def on_reactions_removed(
        self, message_reactions: list[MessageReaction], turn_context: TurnContext
    ) -> None:
        await self._saw(turn_context, "reactions_removed", [r.type for r in message_reactions])

    async def on_token_response_event(self, turn_context: TurnContext) -> None:
        await self._saw(turn_context, "token_response_event", turn_context.activity.value)

    async def on_event(self, turn_context: TurnContext) -> None:
        await self._saw(turn_context, "event", turn_context.activity.name)

    async def on_end_of_conversation_activity(self, turn_context: TurnContext) -> None:
        await self._saw(turn_context, "end_of_conversation")

    async def on_typing_activity(self, turn_context: TurnContext) -> None:
        await self._saw(turn_context, "typing")

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self._saw(turn_context, "installation_update_add", turn_context.activity.action)

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        await self._saw(turn_context, "installation_update_remove", turn_context.activity.action)

    async def on_command_activity(self, turn_context: TurnContext) -> None:
        await self._saw(turn_context, "command", turn_context.activity.name)

    async def on_command_result_activity(self, turn_context: TurnContext) -> None:
        await self._saw(turn_context, "command_result", turn_context.activity.name)

    async def on_handoff_activity(self, turn_context: TurnContext) -> None:
        await self._saw(turn_context, "handoff")

    async def on_unrecognized_activity_type(self, turn_context: TurnContext) -> None:
        await self._saw(turn_context, "unrecognized", turn_context.activity.type)


# ---------------------------------------------------------------------- dispatch by type


def test_an_activity_handler_is_an_agent() -> None:
    assert isinstance(ActivityHandler(), Agent)


async def test_a_message_reaches_on_message_activity() -> None:
    agent = Recorder()
    result = await AgentTester(agent).send("hi")
    assert result.texts == ["message"]
    assert agent.calls == [("message", "hi")]


@pytest.mark.parametrize(
    ("activity_type", "hook"),
    [
        ("messageUpdate", "message_update"),
        ("messageDelete", "message_delete"),
        ("endOfConversation", "end_of_conversation"),
        ("typing", "typing"),
        ("command", "command"),
        ("commandResult", "command_result"),
        ("handoff", "handoff"),
    ],
)
async def test_each_activity_type_reaches_its_method(activity_type: str, hook: str) -> None:
    agent = Recorder()
    result = await AgentTester(agent).send({"type": activity_type, "name": "x"})
    assert result.texts == [hook]


@pytest.mark.parametrize("activity_type", ["contactRelationUpdate", "deleteUserData"])
async def test_types_without_an_override_fall_back_to_unrecognized(activity_type: str) -> None:
    agent = Recorder()
    result = await AgentTester(agent).send({"type": activity_type})
    assert result.texts == ["unrecognized"]
    assert agent.calls == [("unrecognized", activity_type)]


async def test_A2006_A2014_an_unknown_type_is_ignored_quietly() -> None:
    """A2006, A2014: an unknown type reaches no handler and raises nothing."""
    result = await AgentTester(ActivityHandler()).send({"type": "somethingNew", "text": "x"})
    assert result.replies == []
    assert result.invoke_response is None


async def test_a_trace_of_an_unknown_name_is_disregarded_A6152() -> None:
    """A6152: a trace whose name nobody knows gets no answer, no error, no state."""
    trace = {"type": "trace", "name": "SomeoneElses.Trace", "value": {"x": 1}}
    handler_result = await AgentTester(ActivityHandler()).send(trace)

    app = AgentApplication[TurnState](storage=MemoryStorage())
    seen: list[str] = []

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        seen.append("message")

    @app.activity("event")
    async def on_event(context: TurnContext, state: TurnState) -> None:
        seen.append("event")

    app_result = await AgentTester(app).send(trace)

    for result in (handler_result, app_result):
        assert result.replies == []
        assert result.invoke_response is None
        assert result.status == 202
    assert seen == []


async def test_an_unknown_type_reaches_on_unrecognized_activity_type() -> None:
    agent = Recorder()
    result = await AgentTester(agent).send({"type": "somethingNew"})
    assert agent.calls == [("unrecognized", "somethingNew")]
    assert result.texts == ["unrecognized"]


async def test_A2011_a_type_in_the_wrong_case_is_not_a_message() -> None:
    """A2011: "Message" is not routed to the message handler."""
    agent = Recorder()
    await AgentTester(agent).send({"type": "Message", "text": "hi"})
    assert agent.calls == [("unrecognized", "Message")]


async def test_every_default_method_does_nothing() -> None:
    tester = AgentTester(ActivityHandler())
    results = [
        await tester.send("hi"),
        await tester.members_added(),
        await tester.members_removed(),
        await tester.event("tokens/response", {"token": "t"}),
        await tester.event("custom"),
        await tester.send({"type": "messageReaction", "reactionsAdded": [{"type": "like"}]}),
        await tester.send({"type": "installationUpdate", "action": "add"}),
        await tester.send({"type": "typing"}),
    ]
    assert all(result.replies == [] for result in results)


# ---------------------------------------------------------------------- validation


async def test_on_turn_refuses_a_missing_context() -> None:
    with pytest.raises(TypeError, match="needs the turn's TurnContext"):
        await ActivityHandler().on_turn(None)  # type: ignore[arg-type]


async def test_on_turn_refuses_a_context_without_activity() -> None:
    context = SimpleNamespace(activity=None)
    with pytest.raises(ValueError, match="without an activity"):
        await ActivityHandler().on_turn(context)  # type: ignore[arg-type]


async def test_on_turn_refuses_an_activity_without_type() -> None:
    activity = Activity(type="message")
    activity.type = ""
    context = TurnContext(TestAdapter(), activity)
    with pytest.raises(ValueError, match="without a type"):
        await ActivityHandler().on_turn(context)


async def test_exceptions_from_handlers_propagate() -> None:
    class Failing(ActivityHandler):
        async def on_message_activity(self, turn_context: TurnContext) -> None:
            raise RuntimeError("handler failed")

    with pytest.raises(RuntimeError, match="handler failed"):
        await AgentTester(Failing()).send("hi")


async def test_exceptions_from_handlers_reach_on_turn_error() -> None:
    class Failing(ActivityHandler):
        async def on_message_activity(self, turn_context: TurnContext) -> None:
            raise RuntimeError("handler failed")

    seen: list[tuple[str | None, str]] = []

    async def on_error(context: TurnContext, error: Exception) -> None:
        seen.append((context.activity.text, str(error)))

    await AgentTester(Failing(), adapter=TestAdapter(on_turn_error=on_error)).send("hi")
    assert seen == [("hi", "handler failed")]


# ---------------------------------------------------------------------- conversation updates


async def test_members_added_are_passed_to_on_members_added_activity() -> None:
    agent = Recorder()
    tester = AgentTester(agent)
    result = await tester.members_added(ChannelAccount(id="u1"), ChannelAccount(id="u2"))
    assert result.texts == ["members_added"]
    assert agent.calls == [("members_added", ["u1", "u2"])]


async def test_members_removed_are_passed_to_on_members_removed_activity() -> None:
    agent = Recorder()
    result = await AgentTester(agent).members_removed(ChannelAccount(id="u1"))
    assert result.texts == ["members_removed"]
    assert agent.calls == [("members_removed", ["u1"])]


async def test_added_and_removed_in_one_update_reach_both_in_that_order() -> None:
    agent = Recorder()
    result = await AgentTester(agent).send(
        {
            "type": "conversationUpdate",
            "membersAdded": [{"id": "a"}],
            "membersRemoved": [{"id": "r"}],
        }
    )
    assert result.texts == ["members_added", "members_removed"]
    assert agent.calls == [("members_added", ["a"]), ("members_removed", ["r"])]


async def test_an_update_with_empty_member_lists_calls_neither() -> None:
    agent = Recorder()
    result = await AgentTester(agent).send(
        {"type": "conversationUpdate", "membersAdded": [], "topicName": "renamed"}
    )
    assert result.replies == []
    assert agent.calls == []


async def test_overriding_on_conversation_update_activity_sees_the_whole_activity() -> None:
    class Updates(Recorder):
        async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
            await turn_context.send_activity(f"topic: {turn_context.activity.topic_name}")

    agent = Updates()
    result = await AgentTester(agent).send(
        {"type": "conversationUpdate", "topicName": "plans", "membersAdded": [{"id": "a"}]}
    )
    assert result.texts == ["topic: plans"]
    assert agent.calls == []


# ---------------------------------------------------------------------- reactions


async def test_reactions_added_reach_on_reactions_added() -> None:
    agent = Recorder()
    result = await AgentTester(agent).send(
        {"type": "messageReaction", "replyToId": "m1", "reactionsAdded": [{"type": "like"}]}
    )
    assert result.texts == ["reactions_added"]
    assert agent.calls == [("reactions_added", ["like"])]


async def test_reactions_removed_reach_on_reactions_removed() -> None:
    agent = Recorder()
    result = await AgentTester(agent).send(
        {"type": "messageReaction", "reactionsRemoved": [{"type": "heart"}]}
    )
    assert result.texts == ["reactions_removed"]
    assert agent.calls == [("reactions_removed", ["heart"])]


async def test_added_and_removed_reactions_reach_both() -> None:
    agent = Recorder()
    result = await AgentTester(agent).send(
        {
            "type": "messageReaction",
            "reactionsAdded": [{"type": "like"}],
            "reactionsRemoved": [{"type": "heart"}],
        }
    )
    assert result.texts == ["reactions_added", "reactions_removed"]


# ---------------------------------------------------------------------- installation update


@pytest.mark.parametrize(
    ("action", "hook"),
    [
        ("add", "installation_update_add"),
        ("add-upgrade", "installation_update_add"),
        ("remove", "installation_update_remove"),
        ("remove-upgrade", "installation_update_remove"),
    ],
)
async def test_installation_update_actions(action: str, hook: str) -> None:
    agent = Recorder()
    result = await AgentTester(agent).send({"type": "installationUpdate", "action": action})
    assert result.texts == [hook]
    assert agent.calls == [(hook, action)]


@pytest.mark.parametrize("action", ["Add", "upgrade", None])
async def test_installation_update_with_another_action_calls_neither(action: str | None) -> None:
    agent = Recorder()
    result = await AgentTester(agent).send({"type": "installationUpdate", "action": action})
    assert result.replies == []
    assert agent.calls == []


# ---------------------------------------------------------------------- events


async def test_the_token_response_event_reaches_on_token_response_event() -> None:
    agent = Recorder()
    result = await AgentTester(agent).event("tokens/response", {"token": "abc"})
    assert result.texts == ["token_response_event"]
    assert agent.calls == [("token_response_event", {"token": "abc"})]


async def test_other_events_reach_on_event() -> None:
    agent = Recorder()
    result = await AgentTester(agent).event("ContinueConversation")
    assert result.texts == ["event"]
    assert agent.calls == [("event", "ContinueConversation")]


async def test_A5002_an_unknown_event_name_is_disregarded() -> None:
    """A5002: unknown event name -> no error, no reply."""
    result = await AgentTester(ActivityHandler()).event("some/unknownEvent", {"x": 1})
    assert result.replies == []
    assert result.invoke_response is None


# ---------------------------------------------------------------------- invokes

CARD = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "Done"}]}


class CardAgent(ActivityHandler):
    def __init__(self) -> None:
        self.values: list[AdaptiveCardInvokeValue] = []

    async def on_adaptive_card_invoke(
        self, turn_context: TurnContext, invoke_value: AdaptiveCardInvokeValue
    ) -> AdaptiveCardInvokeResponse:
        self.values.append(invoke_value)
        return AdaptiveCardInvokeResponse(
            status_code=200, type="application/vnd.microsoft.card.adaptive", value=CARD
        )


async def test_adaptive_card_action_is_answered_with_the_handlers_response() -> None:
    agent = CardAgent()
    result = await AgentTester(agent).invoke(
        "adaptiveCard/action",
        {"action": {"type": "Action.Execute", "verb": "approve", "data": {"id": 7}}},
    )

    assert result.invoke_response is not None
    assert result.invoke_response.to_wire() == {
        "status": 200,
        "body": {
            "statusCode": 200,
            "type": "application/vnd.microsoft.card.adaptive",
            "value": CARD,
        },
    }
    assert result.replies == []  # the answer goes back in the HTTP response, not as a post
    (value,) = agent.values
    assert value.action.verb == "approve"
    assert value.action.data == {"id": 7}


async def test_adaptive_card_action_body_leaves_out_unset_fields() -> None:
    class Minimal(ActivityHandler):
        async def on_adaptive_card_invoke(
            self, turn_context: TurnContext, invoke_value: AdaptiveCardInvokeValue
        ) -> AdaptiveCardInvokeResponse:
            return AdaptiveCardInvokeResponse(status_code=200)

    result = await AgentTester(Minimal()).invoke(
        "adaptiveCard/action", {"action": {"type": "Action.Execute"}}
    )
    assert result.invoke_response == InvokeResponse(status=200, body={"statusCode": 200})


@pytest.mark.parametrize(
    ("value", "message_part"),
    [
        (None, "has no value"),
        ({}, "has no 'action'"),
        ({"action": None}, "has no 'action'"),
        ({"action": {"verb": "approve"}}, "action.type: Field required"),
        ("not an object", "not valid"),
    ],
)
async def test_a_bad_adaptive_card_value_is_answered_400(value: Any, message_part: str) -> None:
    """§18 row 16: the error body is a JSON dict {"code", "message"}, never an exception."""
    agent = CardAgent()
    result = await AgentTester(agent).invoke("adaptiveCard/action", value)

    response = result.invoke_response
    assert response is not None
    assert response.status == 400
    body = response.body
    assert isinstance(body, dict)
    assert body["statusCode"] == 400
    assert body["type"] == "application/vnd.microsoft.error"
    assert body["value"]["code"] == "BadRequest"
    assert message_part in body["value"]["message"]
    assert set(body["value"]) == {"code", "message"}
    json.dumps(body)  # plain JSON all the way down
    assert agent.values == []


async def test_an_action_other_than_execute_is_answered_400_not_supported() -> None:
    """api-surface §3.4: a non-Execute action is a bad request (400), with a NotSupported
    error body (§18 row 16). The 501 of protocol §9 is app.adaptive_card's, not this."""
    agent = CardAgent()
    result = await AgentTester(agent).invoke(
        "adaptiveCard/action", {"action": {"type": "Action.Submit", "data": {}}}
    )

    assert result.invoke_response is not None
    assert result.invoke_response.to_wire() == {
        "status": 400,
        "body": {
            "statusCode": 400,
            "type": "application/vnd.microsoft.error",
            "value": {
                "code": "NotSupported",
                "message": "The action type 'Action.Submit' is not supported; only "
                "'Action.Execute' raises adaptiveCard/action invokes",
            },
        },
    }
    assert agent.values == []


async def test_adaptive_card_action_without_an_override_is_answered_501() -> None:
    result = await AgentTester(ActivityHandler()).invoke(
        "adaptiveCard/action", {"action": {"type": "Action.Execute", "verb": "v"}}
    )
    assert result.invoke_response == InvokeResponse(status=501)


@pytest.mark.parametrize("name", ["signin/verifyState", "signin/tokenExchange"])
async def test_sign_in_invokes_are_answered_200_after_on_sign_in_invoke(name: str) -> None:
    seen: list[Any] = []

    class SignIn(ActivityHandler):
        async def on_sign_in_invoke(self, turn_context: TurnContext) -> None:
            seen.append(turn_context.activity.value)

    result = await AgentTester(SignIn()).invoke(name, {"state": "123456"})
    assert result.invoke_response is not None
    assert result.invoke_response.to_wire() == {"status": 200}
    assert seen == [{"state": "123456"}]


@pytest.mark.parametrize("name", ["signin/verifyState", "signin/tokenExchange"])
async def test_sign_in_invokes_without_an_override_are_answered_501(name: str) -> None:
    result = await AgentTester(ActivityHandler()).invoke(name, {"state": "1"})
    assert result.invoke_response == InvokeResponse(status=501)


async def test_A5402_an_unknown_invoke_name_is_answered_501_without_error() -> None:
    """A5402: an unknown invoke is disregarded (no handler error) and answered 501."""
    result = await AgentTester(ActivityHandler()).invoke("some/unknownInvoke", {"a": 1})
    assert result.invoke_response is not None
    assert result.invoke_response.to_wire() == {"status": 501}
    assert result.replies == []


SEARCH_VALUE = {
    "kind": "search",
    "queryText": "py",
    "queryOptions": {"skip": 0, "top": 5},
    "dataset": "packages",
}


async def test_search_invoke_is_answered_with_the_handlers_response() -> None:
    seen: list[AdaptiveCardSearchInvokeValue] = []

    class Search(ActivityHandler):
        async def on_search_invoke(
            self, turn_context: TurnContext, search_value: AdaptiveCardSearchInvokeValue
        ) -> AdaptiveCardInvokeResponse:
            seen.append(search_value)
            return AdaptiveCardInvokeResponse(
                status_code=200,
                type="application/vnd.microsoft.search.searchResponse",
                value={"results": [{"title": "pydantic", "value": "pydantic"}]},
            )

    result = await AgentTester(Search()).invoke("application/search", SEARCH_VALUE)

    assert result.invoke_response is not None
    assert result.invoke_response.to_wire() == {
        "status": 200,
        "body": {
            "statusCode": 200,
            "type": "application/vnd.microsoft.search.searchResponse",
            "value": {"results": [{"title": "pydantic", "value": "pydantic"}]},
        },
    }
    (value,) = seen
    assert (value.query_text, value.dataset, value.query_options.top) == ("py", "packages", 5)


@pytest.mark.parametrize("value", [None, {"kind": "search"}, ["py"]])
async def test_a_bad_search_value_is_answered_400(value: Any) -> None:
    """§18 row 16: the error body is a JSON dict, never an exception."""
    result = await AgentTester(ActivityHandler()).invoke("application/search", value)
    response = result.invoke_response
    assert response is not None
    assert response.status == 400
    assert response.body["statusCode"] == 400
    assert response.body["type"] == "application/vnd.microsoft.error"
    assert response.body["value"]["code"] == "BadRequest"
    json.dumps(response.body)


async def test_search_without_an_override_is_answered_501() -> None:
    result = await AgentTester(ActivityHandler()).invoke("application/search", SEARCH_VALUE)
    assert result.invoke_response == InvokeResponse(status=501)


async def test_an_overridden_on_invoke_activity_answer_is_sent() -> None:
    class Custom(ActivityHandler):
        async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse | None:
            return InvokeResponse(status=200, body={"echo": turn_context.activity.value})

    result = await AgentTester(Custom()).invoke("my/invoke", {"n": 1})
    assert result.invoke_response == InvokeResponse(status=200, body={"echo": {"n": 1}})


async def test_returning_none_from_on_invoke_activity_sends_no_answer() -> None:
    class Silent(ActivityHandler):
        async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse | None:
            return None

    result = await AgentTester(Silent()).invoke("my/invoke")
    assert result.invoke_response is None


async def test_an_answer_sent_through_the_context_is_kept_under_the_one_key() -> None:
    """§18 row 3: one key; an answer the handler already sent is not overwritten."""

    class SendsItsOwn(ActivityHandler):
        async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse | None:
            await turn_context.send_activity(
                Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=202))
            )
            return InvokeResponse(status=200)

    result = await AgentTester(SendsItsOwn()).invoke("my/invoke")
    assert result.invoke_response == InvokeResponse(status=202)
    assert result.replies == []


async def test_the_invoke_response_activity_carries_the_answer_as_json() -> None:
    """api-surface §3.4: the value is the response dumped by alias without None, so an
    on_send_activities interceptor reads it as a dict."""
    seen: list[Any] = []

    class Answering(ActivityHandler):
        async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse | None:
            async def inspect(
                context: TurnContext, activities: list[Activity], next_send: Any
            ) -> Any:
                seen.extend((a.type, a.value["status"], a.value) for a in activities)
                return await next_send()

            turn_context.on_send_activities(inspect)
            return InvokeResponse(
                status=200,
                body=AdaptiveCardInvokeResponse(status_code=200, type="t", value=None),
            )

    result = await AgentTester(Answering()).invoke("my/invoke")

    wire = {"status": 200, "body": {"statusCode": 200, "type": "t"}}
    assert seen == [("invokeResponse", 200, wire)]
    assert result.invoke_response == InvokeResponse(
        status=200, body={"statusCode": 200, "type": "t"}
    )
    assert result.status == 200
