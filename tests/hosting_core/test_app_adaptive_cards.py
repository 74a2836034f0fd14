"""Adaptive Card routes: Action.Execute, Action.Submit and Data.Query search (protocol §9)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from microsoft_agents.activity import AdaptiveCardInvokeResponse, ContentTypes
from microsoft_agents.hosting.core import AgentApplication, MemoryStorage, TurnContext
from microsoft_agents.hosting.core.app.adaptive_card.models import (
    AdaptiveCardSearchParams,
    AdaptiveCardSearchResult,
    Query,
)
from microsoft_agents.hosting.core.app.state import TurnState
from microsoft_agents.hosting.core.testing import AgentTester


def _app() -> AgentApplication[TurnState]:
    return AgentApplication[TurnState](
        storage=MemoryStorage(), start_typing_timer=False, remove_recipient_mention=False
    )


def _execute(verb: str, data: dict[str, Any] | None = None, **action: Any) -> dict[str, Any]:
    return {
        "action": {"type": "Action.Execute", "verb": verb, "data": data or {}, **action},
        "trigger": "manual",
    }


# ---------------------------------------------------------------------- Action.Execute


async def test_action_execute_answers_200_with_the_handlers_card() -> None:
    app = _app()
    received: list[dict[str, Any]] = []

    @app.adaptive_card.action_execute("refresh")
    async def refresh(
        context: TurnContext, state: TurnState, data: dict[str, Any]
    ) -> AdaptiveCardInvokeResponse:
        received.append(data)
        return AdaptiveCardInvokeResponse(
            status_code=200, type=ContentTypes.adaptive_card, value='{"type":"AdaptiveCard"}'
        )

    result = await AgentTester(app, channel_id="msteams").invoke(
        "adaptiveCard/action", _execute("refresh", {"id": 7})
    )

    assert received == [{"id": 7}]
    assert result.invoke_response is not None
    assert result.invoke_response.status == 200
    assert result.invoke_response.body == {
        "statusCode": 200,
        "type": "application/vnd.microsoft.card.adaptive",
        "value": '{"type":"AdaptiveCard"}',
    }


async def test_action_execute_without_a_response_answers_status_code_200() -> None:
    app = _app()

    @app.adaptive_card.action_execute(re.compile(r"^sign(in|out)$"))
    async def sign(context: TurnContext, state: TurnState, data: dict[str, Any]) -> None:
        await context.send_activity("Action.Execute sign-out handler called.")

    result = await AgentTester(app).invoke("adaptiveCard/action", _execute("signout"))

    assert result.texts == ["Action.Execute sign-out handler called."]
    assert result.invoke_response is not None
    assert result.invoke_response.status == 200
    assert result.invoke_response.body == {"statusCode": 200}


async def test_action_execute_routes_by_verb() -> None:
    app = _app()

    async def reply(context: TurnContext, state: TurnState, data: dict[str, Any]) -> None:
        await context.send_activity(f"verb {context.activity.value['action']['verb']}")

    app.adaptive_card.action_execute("approve")(reply)
    tester = AgentTester(app)

    matched = await tester.invoke("adaptiveCard/action", _execute("approve"))
    other = await tester.invoke("adaptiveCard/action", _execute("reject"))

    assert matched.texts == ["verb approve"]
    assert other.replies == []
    assert other.invoke_response is None


async def test_action_execute_answers_501_for_another_action_type() -> None:
    app = _app()
    calls: list[str] = []

    @app.adaptive_card.action_execute("save")
    async def save(context: TurnContext, state: TurnState, data: dict[str, Any]) -> None:
        calls.append("save")

    value = {"action": {"type": "Action.Submit", "verb": "save"}}
    result = await AgentTester(app).invoke("adaptiveCard/action", value)

    assert calls == []
    assert result.invoke_response is not None
    assert result.invoke_response.status == 200
    body = result.invoke_response.body
    assert body["statusCode"] == 501
    assert body["type"] == "application/vnd.microsoft.error"
    assert body["value"]["code"] == "NotSupported"
    assert "Action.Submit" in body["value"]["message"]


async def test_action_execute_answers_400_for_a_malformed_value() -> None:
    """§18 row 16: the error value is a {"code", "message"} dict, not an exception object."""
    app = _app()

    @app.adaptive_card.action_execute("save")
    async def save(context: TurnContext, state: TurnState, data: dict[str, Any]) -> None:
        raise AssertionError("must not run")

    result = await AgentTester(app).invoke("adaptiveCard/action", {"action": {"verb": "save"}})

    assert result.invoke_response is not None
    assert result.invoke_response.status == 200
    body = result.invoke_response.body
    assert set(body) == {"statusCode", "type", "value"}
    assert body["statusCode"] == 400
    assert body["type"] == "application/vnd.microsoft.error"
    assert body["value"]["code"] == "BadRequest"
    assert isinstance(body["value"]["message"], str)


def test_a_verb_of_the_wrong_type_is_refused() -> None:
    with pytest.raises(TypeError, match="compiled regular expression"):
        _app().adaptive_card.action_execute(3)  # type: ignore[arg-type]


# ---------------------------------------------------------------------- Action.Submit


async def test_action_submit_routes_a_text_less_message_by_its_verb() -> None:
    app = _app()

    @app.adaptive_card.action_submit("StaticSubmit")
    async def static(context: TurnContext, state: TurnState, data: dict[str, Any]) -> None:
        await context.send_activity(f"Statically selected option: {data['choiceSelect']}")

    @app.activity("message")
    async def fallback(context: TurnContext, state: TurnState) -> None:
        await context.send_activity("fallback")

    tester = AgentTester(app)
    submitted = await tester.send(
        {"type": "message", "value": {"verb": "StaticSubmit", "choiceSelect": "2"}}
    )
    with_text = await tester.send(
        {"type": "message", "text": "hi", "value": {"verb": "StaticSubmit"}}
    )
    other_verb = await tester.send({"type": "message", "value": {"verb": "DynamicSubmit"}})

    assert submitted.texts == ["Statically selected option: 2"]
    assert submitted.invoke_response is None
    assert with_text.texts == ["fallback"]
    assert other_verb.texts == ["fallback"]


async def test_action_submit_can_filter_on_another_field() -> None:
    app = _app()

    @app.adaptive_card.action_submit(re.compile("^del"), submit_filter="command")
    async def delete(context: TurnContext, state: TurnState, data: dict[str, Any]) -> None:
        await context.send_activity(f"deleting {data['item']}")

    result = await AgentTester(app).send(
        {"type": "message", "value": {"command": "delete", "item": "x"}}
    )

    assert result.texts == ["deleting x"]


# ---------------------------------------------------------------------- search


_SEARCH = {
    "kind": "search",
    "queryText": "agen",
    "queryOptions": {"skip": 5, "top": 15},
    "dataset": "pypipackages",
}


async def test_search_answers_with_the_results_as_a_search_response() -> None:
    app = _app()
    queries: list[Query[AdaptiveCardSearchParams]] = []

    @app.adaptive_card.search("pypipackages")
    async def search(
        context: TurnContext, state: TurnState, query: Query[AdaptiveCardSearchParams]
    ) -> list[AdaptiveCardSearchResult]:
        queries.append(query)
        return [
            AdaptiveCardSearchResult(title="agents", value="agents-1.0"),
            AdaptiveCardSearchResult(title="agentx", value="agentx-2.0"),
        ]

    result = await AgentTester(app, channel_id="msteams").invoke("application/search", _SEARCH)

    ((query,),) = [queries]
    assert (query.count, query.skip) == (15, 5)
    assert query.parameters == AdaptiveCardSearchParams(query_text="agen", dataset="pypipackages")
    assert result.invoke_response is not None
    assert result.invoke_response.status == 200
    assert result.invoke_response.body == {
        "statusCode": 200,
        "type": "application/vnd.microsoft.search.searchResponse",
        "value": {
            "results": [
                {"title": "agents", "value": "agents-1.0"},
                {"title": "agentx", "value": "agentx-2.0"},
            ]
        },
    }


async def test_search_defaults_the_page_and_ignores_other_datasets() -> None:
    app = _app()
    pages: list[tuple[int, int]] = []

    @app.adaptive_card.search(re.compile("^pypi"))
    async def search(
        context: TurnContext, state: TurnState, query: Query[AdaptiveCardSearchParams]
    ) -> list[AdaptiveCardSearchResult]:
        pages.append((query.count, query.skip))
        return []

    tester = AgentTester(app)
    no_page = await tester.invoke(
        "application/search",
        {"kind": "search", "queryText": "a", "queryOptions": {}, "dataset": "pypipackages"},
    )
    other = await tester.invoke("application/search", {**_SEARCH, "dataset": "npm"})

    assert pages == [(25, 0)]
    assert no_page.invoke_response is not None
    assert no_page.invoke_response.body["value"] == {"results": []}
    assert other.invoke_response is None


async def test_search_answers_400_for_a_malformed_value() -> None:
    app = _app()

    @app.adaptive_card.search("pypipackages")
    async def search(
        context: TurnContext, state: TurnState, query: Query[AdaptiveCardSearchParams]
    ) -> list[AdaptiveCardSearchResult]:
        raise AssertionError("must not run")

    result = await AgentTester(app).invoke("application/search", {"dataset": "pypipackages"})

    assert result.invoke_response is not None
    assert result.invoke_response.status == 400
    body = result.invoke_response.body
    assert body["statusCode"] == 400
    assert body["type"] == "application/vnd.microsoft.error"
    assert body["value"]["code"] == "BadRequest"


async def test_card_invoke_routes_are_tried_before_message_routes() -> None:
    app = _app()
    order: list[str] = []

    @app.activity("invoke")
    async def any_invoke(context: TurnContext, state: TurnState) -> None:
        order.append("generic")

    @app.adaptive_card.action_execute("go")
    async def go(context: TurnContext, state: TurnState, data: dict[str, Any]) -> None:
        order.append("card")

    await AgentTester(app).invoke("adaptiveCard/action", _execute("go"))

    assert order == ["card"]
