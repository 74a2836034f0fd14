"""Header propagation: providers per turn (contextvars), the agentic headers, and the
headers an agentic turn really sends through ``ChannelServiceAdapter`` (aioresponses)."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import re
from collections.abc import Awaitable, Callable

import pytest
from aioresponses import aioresponses

from microsoft_agents.activity import Activity, ChannelAccount
from microsoft_agents.hosting.core import (
    AgentApplication,
    AgenticHeaderProvider,
    ChannelServiceAdapter,
    HeaderPropagationContext,
    HeaderValueProvider,
    MemoryStorage,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.header_propagation import AGENT_REGISTRAR

from .channel_fakes import channel_claims, incoming, make_factory


class Fixed(HeaderValueProvider):
    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers

    def get_headers(self) -> dict[str, str]:
        return self.headers


class Broken(HeaderValueProvider):
    def get_headers(self) -> dict[str, str]:
        raise RuntimeError("provider bug")


def _agentic(role: str = "agenticAppInstance", channel: str = "msteams") -> Activity:
    return Activity(
        type="message",
        channel_id=channel,
        recipient=ChannelAccount(id="r1", role=role, agentic_app_id="app-123"),
    )


def _in_fresh_context() -> contextvars.Context:
    context = contextvars.copy_context()
    context.run(HeaderPropagationContext.reset)
    return context


def test_register_collect_and_reset() -> None:
    def body() -> None:
        first, second = Fixed({"A": "1", "B": "1"}), Fixed({"B": "2"})
        HeaderPropagationContext.register(first)
        HeaderPropagationContext.register(second)
        assert HeaderPropagationContext.providers() == [first, second]
        assert HeaderPropagationContext.collect_headers() == {"A": "1", "B": "2"}
        HeaderPropagationContext.reset()
        assert HeaderPropagationContext.providers() == []
        assert HeaderPropagationContext.collect_headers() == {}

    _in_fresh_context().run(body)


def test_crlf_is_stripped_and_sensitive_headers_are_never_propagated() -> None:
    def body() -> None:
        HeaderPropagationContext.register(
            Fixed({"X-A": "a\r\nInjected: yes", "Authorization": "Bearer x", "Host": "evil"})
        )
        assert HeaderPropagationContext.collect_headers() == {"X-A": "aInjected: yes"}

    _in_fresh_context().run(body)


def test_a_failing_provider_is_skipped_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    def body() -> None:
        HeaderPropagationContext.register(Broken())
        HeaderPropagationContext.register(Fixed({"X": "1"}))
        assert HeaderPropagationContext.collect_headers() == {"X": "1"}

    with caplog.at_level(logging.WARNING):
        _in_fresh_context().run(body)
    assert "Broken" in caplog.text


async def test_concurrent_turns_never_share_providers() -> None:
    both_registered = asyncio.Event()
    seen: dict[str, dict[str, str]] = {}
    ready = 0

    async def turn(name: str) -> None:
        nonlocal ready
        HeaderPropagationContext.reset()
        HeaderPropagationContext.register(Fixed({"X-Turn": name}))
        ready += 1
        if ready == 2:
            both_registered.set()
        await both_registered.wait()
        seen[name] = HeaderPropagationContext.collect_headers()

    await asyncio.gather(turn("one"), turn("two"))
    assert seen == {"one": {"X-Turn": "one"}, "two": {"X-Turn": "two"}}
    # Nothing leaked back into the test's own context.
    assert all(
        provider.get_headers().get("X-Turn") is None
        for provider in HeaderPropagationContext.providers()
    )


async def test_registrations_in_a_child_task_do_not_leak_to_the_parent() -> None:
    HeaderPropagationContext.reset()
    HeaderPropagationContext.register(Fixed({"Parent": "1"}))

    async def child() -> dict[str, str]:
        HeaderPropagationContext.register(Fixed({"Child": "1"}))
        return HeaderPropagationContext.collect_headers()

    assert await asyncio.create_task(child()) == {"Parent": "1", "Child": "1"}
    assert HeaderPropagationContext.collect_headers() == {"Parent": "1"}
    HeaderPropagationContext.reset()


def test_agentic_headers() -> None:
    headers = AgenticHeaderProvider(_agentic(), agent_name="Helper").get_headers()
    assert headers == {
        "AgentRegistrar": AGENT_REGISTRAR,
        "AgentID": "app-123",
        "AgentName": "Helper",
        "Agent-Referrer": "msteams",
    }
    assert AGENT_REGISTRAR == "A365"


def test_agentic_user_role_counts_and_name_is_optional() -> None:
    headers = AgenticHeaderProvider(_agentic(role="agenticUser")).get_headers()
    assert headers["AgentRegistrar"] == "A365"
    assert "AgentName" not in headers


def test_agentic_header_values_have_crlf_stripped() -> None:
    headers = AgenticHeaderProvider(_agentic(), agent_name="Help\r\nX-Evil: 1").get_headers()
    assert headers["AgentName"] == "HelpX-Evil: 1"


def test_non_agentic_requests_get_no_headers() -> None:
    activity = Activity(type="message", channel_id="msteams", recipient=ChannelAccount(id="bot"))
    assert AgenticHeaderProvider(activity, agent_name="Helper").get_headers() == {}
    assert AgenticHeaderProvider(Activity(type="message")).get_headers() == {}


# --------------------------------------------- what an agentic turn sends (protocol §12.4)


async def _agentic_turn_headers(
    callback: Callable[[TurnContext], Awaitable[None]], *, proactive: bool = False
) -> dict[str, str]:
    """Run an agentic turn (incoming or proactive) through ``ChannelServiceAdapter`` whose
    agent replies once, and return the headers of the reply the connector posted."""
    inbound = incoming(
        conversation={"id": "conv-1"},
        recipient={
            "id": "agent-user",
            "role": "agenticUser",
            "agenticAppId": "instance-1",
            "agenticUserId": "user-1",
            "tenantId": "tenant-1",
        },
    )
    factory = make_factory()
    try:
        with aioresponses() as mocked:
            mocked.post(re.compile(r"https://.*"), payload={"id": "r1"}, repeat=True)
            adapter = ChannelServiceAdapter(factory)
            activity = Activity.model_validate(inbound)
            if proactive:
                await adapter.continue_conversation_with_claims(
                    channel_claims(), activity, callback
                )
            else:
                await adapter.process_activity(channel_claims(), activity, callback)
            ((call,),) = mocked.requests.values()
    finally:
        await factory.close()
    return dict(call.kwargs["headers"])


async def test_an_agentic_turn_of_an_agent_application_names_the_application() -> None:
    app = AgentApplication[TurnState](storage=MemoryStorage())

    @app.activity("message")
    async def reply(context: TurnContext, state: TurnState) -> None:
        await context.send_activity("hi")

    headers = await _agentic_turn_headers(app.on_turn)

    assert headers["AgentRegistrar"] == "A365"
    assert headers["AgentID"] == "instance-1"
    assert headers["AgentName"] == "AgentApplication"
    assert headers["Agent-Referrer"] == "msteams"


async def test_an_agent_application_given_a_name_sends_it() -> None:
    # AgentApplication(agent_name=...), as the reference API names the agent.
    app = AgentApplication[TurnState](storage=MemoryStorage(), agent_name="Help Desk")

    @app.activity("message")
    async def reply(context: TurnContext, state: TurnState) -> None:
        await context.send_activity("hi")

    assert (await _agentic_turn_headers(app.on_turn))["AgentName"] == "Help Desk"


class _HelpDesk:
    def __init__(self, agent_name: object = None) -> None:
        if agent_name is not None:
            self.agent_name = agent_name

    async def on_turn(self, context: TurnContext) -> None:
        await context.send_activity("hi")


@pytest.mark.parametrize(
    ("agent_name", "expected"),
    [
        (None, "_HelpDesk"),  # no name given: the agent's class name
        ("Help Desk", "Help Desk"),
        ("Help\r\nX-Evil: 1 <Desk>", "HelpX-Evil 1 Desk"),  # kept: letters, digits, " ._-"
        ("\r\n<>", "_HelpDesk"),  # nothing left: the class name
        (42, "_HelpDesk"),  # not a string: ignored
    ],
)
async def test_an_agentic_turn_names_the_agent_it_runs(agent_name: object, expected: str) -> None:
    headers = await _agentic_turn_headers(_HelpDesk(agent_name).on_turn)
    assert headers["AgentName"] == expected


async def test_a_plain_function_agent_has_no_name_to_send() -> None:
    async def agent(context: TurnContext) -> None:
        await context.send_activity("hi")

    headers = await _agentic_turn_headers(agent)

    assert "AgentName" not in headers
    assert headers["AgentID"] == "instance-1"


async def test_a_proactive_agentic_turn_names_the_agent_too() -> None:
    headers = await _agentic_turn_headers(_HelpDesk("Help Desk").on_turn, proactive=True)
    assert headers["AgentName"] == "Help Desk"
    assert headers["AgentRegistrar"] == "A365"
