"""The sample agents of spec/samples.md, written the way a user writes them.

Each ``create_*`` function builds one sample with the public API only, exactly as its
module would at import time (the tests need a fresh application, and so a fresh storage,
per test). What the samples do, and what a user sees, is checked in
``test_sample_scenarios.py``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from microsoft_agents.activity import (
    ActionTypes,
    AdaptiveCardCard,
    AdaptiveCardInvokeResponse,
    AnimationCard,
    Attachment,
    AudioCard,
    CardAction,
    CardImage,
    ChannelId,
    Channels,
    ContentTypes,
    Fact,
    HeroCard,
    MediaUrl,
    ReceiptCard,
    ReceiptItem,
    ThumbnailCard,
    ThumbnailUrl,
    VideoCard,
)
from microsoft_agents.hosting.core import (
    AgentApplication,
    CardFactory,
    ChannelAdapter,
    MemoryStorage,
    MessageFactory,
    Storage,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.app.adaptive_card.models import (
    AdaptiveCardSearchParams,
    AdaptiveCardSearchResult,
    Query,
)

# --------------------------------------------------------------------------- S1: echo

ECHO_WELCOME = (
    "Welcome to the Echo Agent sample 🚀. Type /help for help or send a message to see the "
    "echo feature in action."
)
QUICKSTART_WELCOME = (
    "Welcome to the empty agent! This agent is designed to be a starting point for your own "
    "agent development."
)


def create_echo_agent(adapter: ChannelAdapter) -> AgentApplication[TurnState]:
    """S1, ``app_style/empty_agent.py``: welcome, ``/help`` and echo."""
    app = AgentApplication[TurnState](storage=MemoryStorage(), adapter=adapter)

    async def _help(context: TurnContext, _: TurnState) -> None:
        await context.send_activity(ECHO_WELCOME)

    app.conversation_update("membersAdded")(_help)
    app.message("/help")(_help)

    @app.activity("message")
    async def on_message(context: TurnContext, _: TurnState) -> None:
        await context.send_activity(f"you said: {context.activity.text}")

    return app


def create_quickstart_agent(adapter: ChannelAdapter) -> AgentApplication[TurnState]:
    """The dev/integration "quickstart": the echo agent plus a ``hello`` route."""
    app = AgentApplication[TurnState](storage=MemoryStorage(), adapter=adapter)

    async def _help(context: TurnContext, _: TurnState) -> None:
        await context.send_activity(QUICKSTART_WELCOME)

    app.conversation_update("membersAdded")(_help)
    app.message("/help")(_help)

    @app.message(re.compile(r"^hello$"))
    async def on_hello(context: TurnContext, _: TurnState) -> None:
        await context.send_activity("Hello!")

    @app.activity("message")
    async def on_message(context: TurnContext, _: TurnState) -> None:
        await context.send_activity(f"you said: {context.activity.text}")

    return app


# --------------------------------------------------------------------------- state counter


class CounterError(Exception):
    """What the counter agent raises when asked to ``fail``."""


def create_counter_agent(storage: Storage) -> AgentApplication[TurnState]:
    """Counts the messages of each conversation and of each user, between turns.

    The reply is the conversation's count (``Turn 1``, ``Turn 2``, ...); ``stats`` also
    tells the user's own count. ``fail`` counts and then raises, so nothing is saved.
    """
    app = AgentApplication[TurnState](storage=storage)

    @app.activity("message")
    async def count(context: TurnContext, state: TurnState) -> None:
        turn = state.conversation.get_value("turn_count", lambda: 0) + 1
        state.conversation.set_value("turn_count", turn)
        sent = state.user.get_value("message_count", lambda: 0) + 1
        state.user.set_value("message_count", sent)

        text = (context.activity.text or "").strip().lower()
        if text == "fail":
            raise CounterError("asked to fail after counting")
        if text == "stats":
            await context.send_activity(f"Turn {turn}; you sent {sent} messages in all")
            return
        await context.send_activity(f"Turn {turn}")

    return app


# --------------------------------------------------------------------------- S3: cards

CARDS_WELCOME = (
    "Hello and welcome! This sample demonstrates Adaptive Cards and activity-protocol cards."
)
CARD_COMMANDS = (
    "static_submit",
    "dynamic_search",
    "action_execute",
    "hero",
    "thumbnail",
    "audio",
    "video",
    "animation",
    "receipt",
)
TEAMS_ONLY_COMMANDS = ("dynamic_search", "action_execute")
PACKAGE_DATASET = "pypipackages"

# A card as the sample keeps it: the JSON text of a .json file next to the agent.
STATIC_SUBMIT_CARD = json.dumps(
    {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": [
            {"type": "TextBlock", "text": "Pick a colour", "weight": "Bolder"},
            {
                "type": "Input.ChoiceSet",
                "id": "choiceSelect",
                "style": "filtered",
                "choices": [
                    {"title": "Red", "value": "red"},
                    {"title": "Green", "value": "green"},
                    {"title": "Blue", "value": "blue"},
                ],
            },
        ],
        "actions": [{"type": "Action.Submit", "title": "Submit", "data": {"verb": "StaticSubmit"}}],
    }
)


def dynamic_search_card() -> dict[str, Any]:
    """A choice set whose choices come from the agent's ``pypipackages`` search."""
    return {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [
            {"type": "TextBlock", "text": "Find a Python package", "weight": "Bolder"},
            {
                "type": "Input.ChoiceSet",
                "id": "choiceSelect",
                "style": "filtered",
                "choices": [],
                "choices.data": {"type": "Data.Query", "dataset": PACKAGE_DATASET},
            },
        ],
        "actions": [
            {"type": "Action.Submit", "title": "Submit", "data": {"verb": "DynamicSubmit"}}
        ],
    }


def action_execute_card(status: str) -> dict[str, Any]:
    """A Universal Actions card: refresh it, or sign in and out."""
    return {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "TextBlock", "text": status, "wrap": True}],
        "actions": [
            {"type": "Action.Execute", "title": "Refresh", "verb": "refresh", "data": {}},
            {"type": "Action.Execute", "title": "Sign in", "verb": "signin", "data": {}},
            {"type": "Action.Execute", "title": "Sign out", "verb": "signout", "data": {}},
        ],
    }


def command_card() -> Attachment:
    """The hero card that lists the commands as buttons that type them."""
    card = HeroCard(
        title="Types of cards",
        text="Pick a card to see it",
        buttons=[
            CardAction(type=ActionTypes.im_back, title=command, value=command)
            for command in CARD_COMMANDS
        ],
    )
    return CardFactory.hero_card(card)


def hero_card() -> Attachment:
    return CardFactory.hero_card(
        HeroCard(
            title="Microsoft 365 Agents SDK",
            subtitle="Build agents for Teams, Copilot and more",
            images=[CardImage(url="https://example.com/images/agents.png", alt="Agents")],
            buttons=[
                CardAction(
                    type=ActionTypes.open_url,
                    title="Get started",
                    value="https://learn.microsoft.com/microsoft-365/agents-sdk/",
                )
            ],
        )
    )


def thumbnail_card() -> Attachment:
    return CardFactory.thumbnail_card(
        ThumbnailCard(
            title="Thumbnail card",
            text="A small image next to the text.",
            images=[CardImage(url="https://example.com/images/thumbnail.png")],
            buttons=[
                CardAction(type=ActionTypes.open_url, title="More", value="https://example.com")
            ],
        )
    )


def audio_card() -> Attachment:
    return CardFactory.audio_card(
        AudioCard(
            title="I am your father",
            subtitle="Star Wars: Episode V",
            image=ThumbnailUrl(url="https://example.com/images/vader.png"),
            media=[MediaUrl(url="https://example.com/media/father.wav")],
        )
    )


def video_card() -> Attachment:
    return CardFactory.video_card(
        VideoCard(
            title="Big Buck Bunny",
            image=ThumbnailUrl(url="https://example.com/images/bunny.png"),
            media=[MediaUrl(url="https://example.com/media/bunny.mp4")],
        )
    )


def animation_card() -> Attachment:
    return CardFactory.animation_card(
        AnimationCard(title="Animation card", media=[MediaUrl(url="https://example.com/a.gif")])
    )


def receipt_card() -> Attachment:
    return CardFactory.receipt_card(
        ReceiptCard(
            title="John Doe",
            facts=[Fact(key="Order Number", value="1234"), Fact(key="Payment", value="VISA")],
            items=[
                ReceiptItem(title="Data Transfer", price="$38.45", quantity="368"),
                ReceiptItem(title="App Service", price="$45.00", quantity="720"),
            ],
            tax="$7.50",
            total="$90.95",
        )
    )


CARD_BUILDERS: dict[str, Callable[[], Attachment]] = {
    "static_submit": lambda: AdaptiveCardCard(content=STATIC_SUBMIT_CARD).to_attachment(),
    "dynamic_search": lambda: CardFactory.adaptive_card(dynamic_search_card()),
    "action_execute": lambda: CardFactory.adaptive_card(action_execute_card("Card ready")),
    "hero": hero_card,
    "thumbnail": thumbnail_card,
    "audio": audio_card,
    "video": video_card,
    "animation": animation_card,
    "receipt": receipt_card,
}

PackageSearch = Callable[[str], Awaitable[Sequence[str]]]
"""``async search(text) -> names``: the package index the search card asks."""


def create_cards_agent(search_packages: PackageSearch) -> AgentApplication[TurnState]:
    """S3, ``cards/``: every kind of card, and the three ways cards call an agent back.

    Args:
        search_packages: finds package names for the dynamic choice set (the sample asks
            PyPI; tests give it a fixed list).
    """
    app = AgentApplication[TurnState](
        storage=MemoryStorage(), start_typing_timer=False, remove_recipient_mention=False
    )

    async def send_command_card(context: TurnContext) -> None:
        await context.send_activity(MessageFactory.attachment(command_card()))

    @app.conversation_update("membersAdded")
    async def welcome(context: TurnContext, state: TurnState) -> None:
        await context.send_activity(CARDS_WELCOME)
        await send_command_card(context)

    @app.adaptive_card.action_submit("StaticSubmit")
    async def static_submit(context: TurnContext, state: TurnState, data: dict[str, Any]) -> None:
        await context.send_activity(f"Statically selected option: {data.get('choiceSelect')}")

    @app.adaptive_card.action_submit("DynamicSubmit")
    async def dynamic_submit(context: TurnContext, state: TurnState, data: dict[str, Any]) -> None:
        await context.send_activity(f"Dynamically selected option: {data.get('choiceSelect')}")

    @app.adaptive_card.action_execute("refresh")
    async def refresh(
        context: TurnContext, state: TurnState, data: dict[str, Any]
    ) -> AdaptiveCardInvokeResponse:
        card = action_execute_card("Refreshed")
        return AdaptiveCardInvokeResponse(
            status_code=200, type=ContentTypes.adaptive_card, value=json.dumps(card)
        )

    @app.adaptive_card.action_execute("signin")
    async def sign_in(
        context: TurnContext, state: TurnState, data: dict[str, Any]
    ) -> AdaptiveCardInvokeResponse:
        await context.send_activity("Action.Execute sign-in handler called.")
        card = action_execute_card("Signed in")
        return AdaptiveCardInvokeResponse(
            status_code=200, type=ContentTypes.adaptive_card, value=json.dumps(card)
        )

    @app.adaptive_card.action_execute("signout")
    async def sign_out(context: TurnContext, state: TurnState, data: dict[str, Any]) -> None:
        await context.send_activity("Action.Execute sign-out handler called.")

    @app.adaptive_card.search(PACKAGE_DATASET)
    async def search(
        context: TurnContext, state: TurnState, query: Query[AdaptiveCardSearchParams]
    ) -> list[AdaptiveCardSearchResult]:
        names = await search_packages(query.parameters.query_text)
        page = names[query.skip : query.skip + query.count]
        return [AdaptiveCardSearchResult(title=name, value=name) for name in page]

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        command = (context.activity.text or "").strip().lower()
        on_teams = ChannelId.get_channel(context.activity.channel_id) == Channels.ms_teams
        if command in TEAMS_ONLY_COMMANDS and not on_teams:
            await context.send_activity(f"Only Teams supports `{command}`.")
            return
        build = CARD_BUILDERS.get(command)
        if build is None:
            await send_command_card(context)
            return
        await context.send_activity(MessageFactory.attachment(build()))

    return app
