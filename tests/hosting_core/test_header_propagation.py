"""Header propagation: providers per turn (contextvars), the agentic headers."""

from __future__ import annotations

import asyncio
import contextvars
import logging

import pytest

from microsoft_agents.activity import Activity, ChannelAccount
from microsoft_agents.hosting.core import (
    AgenticHeaderProvider,
    HeaderPropagationContext,
    HeaderValueProvider,
)
from microsoft_agents.hosting.core.header_propagation import AGENT_REGISTRAR


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
