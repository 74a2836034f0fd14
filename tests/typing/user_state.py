"""Turn state, services and identities as handlers use them. Type-checked, not run.

Covers values read with a default (typed by the default), ``state.temp.input_files``,
``context.services`` with the abstract client classes as keys, ``context.identity`` and
proactive turns with a ``ClaimsIdentity``. See README.md in this folder.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from typing_extensions import assert_type

from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import (
    ChannelAdapter,
    ChannelServiceAdapter,
    ClaimsIdentity,
    ConnectorClientBase,
    ConversationState,
    InputFile,
    TurnContext,
    TurnState,
    UserTokenClientBase,
)
from microsoft_agents.hosting.core.app import State


class Profile(BaseModel):
    name: str = ""


# ---------------------------------------------------------------- values with defaults


async def on_message(context: TurnContext, state: TurnState) -> None:
    count = state.conversation.get_value("count", lambda: 0) + 1
    assert_type(count, int)
    state.conversation.set_value("count", count)
    assert_type(state.get_value("ConversationState.count", lambda: 0), int)
    assert_type(state.user.get_value("language", lambda: "en"), str)
    assert_type(state.temp.get_value("draft", lambda: ""), str)
    assert_type(state.get_value("temp.draft", lambda: ""), str)
    tags = state.conversation.get_value("tags", lambda: list[str]())
    tags.append("new")
    assert_type(tags, list[str])
    # Without a default (or a target class) the value is whatever was stored.
    assert_type(state.conversation.get_value("count"), Any)
    assert_type(state.get_value("UserState.language"), Any)
    # target_cls still decides the type when given.
    assert_type(state.user.get_value("profile", Profile, target_cls=Profile), Profile)
    assert_type(state.user.get_value("profile", target_cls=Profile), Profile | None)
    assert_type(state.get_value("UserState.profile", target_cls=Profile), Profile | None)
    for file in state.temp.input_files:
        assert_type(file, InputFile)
        assert_type(file.content, bytes)
    state.temp.input_files = [InputFile(content=b"", content_type="text/plain")]
    state.temp.input_files = ["not a file"]  # type: ignore[list-item]


async def accessors(context: TurnContext, conversation: ConversationState) -> None:
    counter = conversation.create_property("count")
    assert_type(await counter.get(context, lambda: 0), int)
    assert_type(await counter.get(context, 0), int)
    assert_type(await counter.get(context, Profile), Profile)  # a class is a factory
    assert_type(await counter.get(context), Any)
    assert_type(await counter.get(context, target_cls=int), int | None)
    assert_type(await counter.get(context, 0, target_cls=int), int)
    await counter.set(context, 1)


async def dict_state_accessor(context: TurnContext, prefs: State) -> None:
    language = prefs.create_property("language")
    assert_type(await language.get(context, lambda: "en"), str)
    assert_type(await language.get(context, "en"), str)


# ---------------------------------------------------------------- services and identity


async def services(context: TurnContext) -> None:
    connector = context.services.get(ConnectorClientBase)
    assert_type(connector, ConnectorClientBase | None)
    assert_type(context.services.get(UserTokenClientBase), UserTokenClientBase | None)
    if connector is not None:
        context.services.set(ConnectorClientBase, connector)
        assert_type(context.services.get(ConnectorClientBase, connector), ConnectorClientBase)
    assert_type(context.services.get(Profile), Profile | None)
    assert context.services.has(ConnectorClientBase)
    identity = context.identity
    assert_type(identity, ClaimsIdentity | None)
    if identity is not None:
        assert_type(identity.get_app_id(), str | None)


async def proactive(
    adapter: ChannelServiceAdapter,
    base: ChannelAdapter,
    identity: ClaimsIdentity,
    activity: Activity,
) -> None:
    async def turn(context: TurnContext) -> None:
        await context.send_activity("a proactive hello")

    await adapter.continue_conversation_with_claims(identity, activity, turn)
    await base.continue_conversation_with_claims(identity, activity, turn)
    await adapter.continue_conversation_with_claims({"aud": "x"}, activity, turn)  # type: ignore[arg-type]
    TurnContext(adapter, activity, identity)
    TurnContext(adapter, activity, identity={"aud": "x"})  # type: ignore[arg-type]
