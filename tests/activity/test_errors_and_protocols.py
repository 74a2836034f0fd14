"""Tests for microsoft_agents.activity.errors and the two runtime-checkable Protocols."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

import microsoft_agents.activity as activity_package
from microsoft_agents.activity import (
    Activity,
    ChannelAdapterProtocol,
    ConversationParameters,
    ConversationReference,
    ResourceResponse,
    TurnContextProtocol,
    _protocols,
    errors,
)
from microsoft_agents.activity.errors import (
    ActivityError,
    ActivityStateError,
    ConfigurationError,
    ErrorMessage,
    InvalidChannelIdError,
    activity_errors,
    configuration_errors,
)

# --- errors ---------------------------------------------------------------------------


def test_errors_package_exports() -> None:
    assert errors.__all__ == [
        "ActivityError",
        "ActivityStateError",
        "ConfigurationError",
        "ErrorMessage",
        "InvalidChannelIdError",
        "activity_errors",
        "configuration_errors",
    ]


def test_exception_classes_are_the_root_package_ones() -> None:
    assert ActivityError is activity_package.ActivityError
    assert ConfigurationError is activity_package.ConfigurationError
    assert InvalidChannelIdError is activity_package.InvalidChannelIdError
    assert ActivityStateError is activity_package.ActivityStateError
    assert issubclass(ConfigurationError, ValueError)


def test_error_message_format_fills_fields_and_appends_the_code() -> None:
    message = ErrorMessage("{setting} must be a number, got {value!r}", "CFG9999")
    assert message.format(setting="PORT", value="eighty") == (
        "PORT must be a number, got 'eighty' [CFG9999]"
    )


def test_error_message_format_appends_the_help_link() -> None:
    message = ErrorMessage("bad {thing}", "ACT9999", help_link="https://aka.ms/example")
    assert message.format(thing="card") == "bad card [ACT9999] See https://aka.ms/example"


def test_error_message_missing_field_raises_key_error() -> None:
    with pytest.raises(KeyError, match="setting"):
        ErrorMessage("{setting} is wrong", "CFG9999").format()


def test_error_message_is_frozen_and_comparable() -> None:
    message = ErrorMessage("text", "CODE1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        message.code = "CODE2"  # type: ignore[misc]
    assert message == ErrorMessage("text", "CODE1")
    assert hash(message) == hash(ErrorMessage("text", "CODE1"))
    assert str(message) == "text [CODE1]"


def _constants(namespace: Any) -> dict[str, ErrorMessage]:
    return {name: getattr(namespace, name) for name in namespace.__all__}


def test_error_codes_are_unique_and_namespaces_hold_error_messages() -> None:
    everything = {**_constants(activity_errors), **_constants(configuration_errors)}
    assert all(isinstance(value, ErrorMessage) for value in everything.values())
    codes = [value.code for value in everything.values()]
    assert len(codes) == len(set(codes))
    assert all(m.code.startswith("ACT") for m in _constants(activity_errors).values())
    assert all(m.code.startswith("CFG") for m in _constants(configuration_errors).values())


def test_namespaces_hold_the_required_messages() -> None:
    assert {
        "INVALID_CHANNEL_ID",
        "CHANNEL_ID_WHOLE_AND_PARTS",
        "INVALID_ADAPTIVE_CARD_JSON",
    } <= set(activity_errors.__all__)
    assert {
        "UNKNOWN_LOG_LEVEL",
        "LEAF_AND_PREFIX",
        "BAD_BOOLEAN",
        "BAD_INTEGER",
        "BAD_FLOAT",
    } <= set(configuration_errors.__all__)


def test_activity_messages_format() -> None:
    assert activity_errors.INVALID_CHANNEL_ID.format(value="") == (
        "'' is not a channel id; use a non-empty channel name such as 'msteams' [ACT0001]"
    )
    text = activity_errors.INVALID_ADAPTIVE_CARD_JSON.format(error="Expecting value: line 1")
    assert text.startswith("AdaptiveCardCard.content is not valid JSON (Expecting value: line 1)")


def test_configuration_messages_format() -> None:
    text = configuration_errors.LEAF_AND_PREFIX.format(leaf="A__B", nested="A__B__C")
    assert text.startswith("A__B and A__B__C are both set")
    assert text.endswith("[CFG0002]")


# --- protocols ------------------------------------------------------------------------

ErrorHandler = Callable[[TurnContextProtocol, Exception], Awaitable[None]]


class FakeAdapter:
    """Implements every member of ChannelAdapterProtocol, recording calls."""

    def __init__(self) -> None:
        self.on_turn_error: ErrorHandler | None = None
        self.sent: list[Activity] = []
        self.middleware: list[Any] = []

    async def send_activities(
        self, context: TurnContextProtocol, activities: list[Activity]
    ) -> list[ResourceResponse]:
        self.sent.extend(activities)
        return [ResourceResponse(id=str(index)) for index, _ in enumerate(activities)]

    async def update_activity(
        self, context: TurnContextProtocol, activity: Activity
    ) -> ResourceResponse | None:
        return ResourceResponse(id=activity.id)

    async def delete_activity(
        self, context: TurnContextProtocol, reference: ConversationReference
    ) -> None:
        return None

    async def continue_conversation(
        self,
        agent_app_id: str,
        continuation_activity: Activity,
        callback: Callable[[TurnContextProtocol], Awaitable[None]],
    ) -> None:
        return None

    async def continue_conversation_with_claims(
        self,
        claims_identity: Any,
        continuation_activity: Activity,
        callback: Callable[[TurnContextProtocol], Awaitable[None]],
        audience: str | None = None,
    ) -> None:
        return None

    async def create_conversation(
        self,
        agent_app_id: str,
        channel_id: str,
        service_url: str,
        audience: str,
        conversation_parameters: ConversationParameters,
        callback: Callable[[TurnContextProtocol], Awaitable[None]],
    ) -> None:
        return None

    async def run_pipeline(
        self,
        context: TurnContextProtocol,
        callback: Callable[[TurnContextProtocol], Awaitable[None]] | None = None,
    ) -> None:
        if callback is not None:
            await callback(context)

    def use(self, middleware: Any) -> FakeAdapter:
        self.middleware.append(middleware)
        return self


class FakeContext:
    """Implements every member of TurnContextProtocol on top of FakeAdapter."""

    def __init__(self, adapter: FakeAdapter, activity: Activity) -> None:
        self._adapter = adapter
        self._activity = activity
        self._responded = False
        self._turn_state: dict[str, Any] = {}

    @property
    def adapter(self) -> FakeAdapter:
        return self._adapter

    @property
    def activity(self) -> Activity:
        return self._activity

    @property
    def responded(self) -> bool:
        return self._responded

    @property
    def turn_state(self) -> dict[str, Any]:
        return self._turn_state

    async def send_activity(
        self,
        activity_or_text: Activity | str,
        speak: str | None = None,
        input_hint: str | None = None,
    ) -> ResourceResponse:
        if isinstance(activity_or_text, str):
            activity_or_text = Activity(type="message", text=activity_or_text)
        responses = await self.send_activities([activity_or_text])
        return responses[0]

    async def send_activities(self, activities: list[Activity]) -> list[ResourceResponse]:
        self._responded = True
        return await self._adapter.send_activities(self, activities)

    async def update_activity(self, activity: Activity) -> ResourceResponse | None:
        return await self._adapter.update_activity(self, activity)

    async def delete_activity(self, id_or_reference: str | ConversationReference) -> None:
        return None

    async def send_trace_activity(
        self,
        name: str,
        value: object = None,
        value_type: str | None = None,
        label: str | None = None,
    ) -> ResourceResponse | None:
        return None

    def on_send_activities(self, handler: Callable[..., Awaitable[Any]]) -> FakeContext:
        return self

    def on_update_activity(self, handler: Callable[..., Awaitable[Any]]) -> FakeContext:
        return self

    def on_delete_activity(self, handler: Callable[..., Awaitable[Any]]) -> FakeContext:
        return self


def test_protocols_module_exports() -> None:
    assert _protocols.__all__ == ["ChannelAdapterProtocol", "TurnContextProtocol"]
    assert activity_package.TurnContextProtocol is _protocols.TurnContextProtocol
    assert activity_package.ChannelAdapterProtocol is _protocols.ChannelAdapterProtocol


def test_fake_adapter_satisfies_channel_adapter_protocol() -> None:
    adapter: ChannelAdapterProtocol = FakeAdapter()  # mypy checks the signatures here
    assert isinstance(adapter, ChannelAdapterProtocol)
    other: object = FakeAdapter()
    assert not isinstance(other, TurnContextProtocol)


def test_fake_context_satisfies_turn_context_protocol() -> None:
    context: TurnContextProtocol = FakeContext(FakeAdapter(), Activity(type="message"))
    assert isinstance(context, TurnContextProtocol)
    assert isinstance(context.adapter, ChannelAdapterProtocol)


async def test_code_typed_against_the_protocols_can_run_a_turn() -> None:
    adapter = FakeAdapter()
    seen: list[str | None] = []

    async def handler(context: TurnContextProtocol) -> None:
        seen.append(context.activity.text)
        await context.send_activity("pong")

    context = FakeContext(adapter, Activity(type="message", text="ping"))
    await adapter.run_pipeline(context, handler)
    assert seen == ["ping"]
    assert [activity.text for activity in adapter.sent] == ["pong"]
    assert context.responded is True


class AdapterWithoutUse(FakeAdapter):
    use = None  # type: ignore[assignment]


class ContextWithoutTraces:
    """Everything a turn context has except send_trace_activity."""

    adapter = None
    activity = None
    responded = False
    turn_state: dict[str, Any] = {}

    async def send_activity(self, *args: Any) -> None: ...
    async def send_activities(self, *args: Any) -> None: ...
    async def update_activity(self, *args: Any) -> None: ...
    async def delete_activity(self, *args: Any) -> None: ...
    def on_send_activities(self, *args: Any) -> None: ...
    def on_update_activity(self, *args: Any) -> None: ...
    def on_delete_activity(self, *args: Any) -> None: ...


def test_object_missing_a_member_does_not_satisfy_the_protocols() -> None:
    assert not isinstance(AdapterWithoutUse(), ChannelAdapterProtocol)
    assert not isinstance(ContextWithoutTraces(), TurnContextProtocol)
    assert not isinstance(object(), TurnContextProtocol)


def test_adapter_without_on_turn_error_attribute_does_not_satisfy_the_protocol() -> None:
    adapter = FakeAdapter()
    del adapter.on_turn_error
    assert not isinstance(adapter, ChannelAdapterProtocol)
