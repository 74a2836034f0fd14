"""The cards agent: every kind of card, and the three ways a card calls an agent back.

Type a command and the agent sends that card:

* ``static_submit``: an Adaptive Card with a fixed choice set; its ``Action.Submit``
  arrives as a message whose ``value`` carries the card's data (verb ``StaticSubmit``),
  answered by an ``@AGENT_APP.adaptive_card.action_submit`` route;
* ``dynamic_search`` (Teams only): a choice set whose choices come from the agent while
  the user types (``Data.Query`` on the dataset ``pypipackages``): each keystroke is an
  ``application/search`` invoke answered by an ``@AGENT_APP.adaptive_card.search`` route.
  The names come from ``resources/packages.txt``, shipped with the sample: nothing is asked
  of PyPI;
* ``action_execute`` (Teams only): a Universal Actions card whose buttons are
  ``Action.Execute`` verbs (``refresh``, ``signin``, ``signout``), each an
  ``adaptiveCard/action`` invoke answered by an ``@AGENT_APP.adaptive_card.action_execute``
  route, which may return the card to show next;
* ``hero``, ``thumbnail``, ``audio``, ``video``, ``animation``, ``receipt``: the
  activity-protocol cards, built from their models (``HeroCard(...).to_attachment()``).

Anything else gets the list of commands again (a hero card of buttons that type them).
The Adaptive Cards are JSON files in ``resources/``, sent as they are.

The application is built with ``start_typing_timer=False`` (no typing indicator: every
answer is immediate) and ``remove_recipient_mention=False`` (texts arrive as typed).

Run it with ``python test_samples/cards/app.py`` inside the ``samples`` hatch environment
(``hatch run samples:cards``). It listens on ``http://127.0.0.1:3978/api/messages``
(``PORT`` changes the port) in anonymous development mode, like the quick start.

Importing this module starts nothing; it only builds ``AGENT_APP`` (and its ``ADAPTER``),
so tests can drive the agent directly.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
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
from microsoft_agents.hosting.aiohttp import CloudAdapter, start_server
from microsoft_agents.hosting.core import (
    AgentApplication,
    MemoryStorage,
    MessageFactory,
    Query,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.app.adaptive_card.models import (
    AdaptiveCardSearchParams,
    AdaptiveCardSearchResult,
)

RESOURCES = Path(__file__).resolve().parent / "resources"

WELCOME = "Hello and welcome! This sample demonstrates Adaptive Cards and activity-protocol cards."
COMMANDS = (
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
TEAMS_ONLY = ("dynamic_search", "action_execute")
PACKAGE_DATASET = "pypipackages"

# The images and media of the cards below are placeholders: point them at your own files.
MEDIA = "https://example.com/"


# ---------------------------------------------------------------------- the bundled data


def read_card(name: str) -> str:
    """The JSON text of the Adaptive Card ``resources/<name>.json``."""
    return (RESOURCES / f"{name}.json").read_text(encoding="utf-8")


def read_packages() -> tuple[str, ...]:
    """The package names of ``resources/packages.txt``, in file order."""
    lines = (RESOURCES / "packages.txt").read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


PACKAGES = read_packages()


def find_packages(text: str) -> list[str]:
    """The names that contain ``text`` (any case): those that start with it come first."""
    needle = text.strip().lower()
    starting = [name for name in PACKAGES if name.startswith(needle)]
    containing = [name for name in PACKAGES if needle in name and name not in starting]
    return starting + containing


def action_execute_card(status: str) -> str:
    """The ``action_execute`` card (JSON text) with ``status`` in its first line."""
    card: dict[str, Any] = json.loads(read_card("action_execute"))
    for element in card["body"]:
        if element.get("id") == "status":
            element["text"] = status
    return json.dumps(card)


# ---------------------------------------------------------------------- the cards


def command_card() -> Attachment:
    """A hero card listing the commands as buttons that type them (``imBack``)."""
    return HeroCard(
        title="Types of cards",
        text="Pick a card to see it, or type its name.",
        buttons=[
            CardAction(type=ActionTypes.im_back, title=command, value=command)
            for command in COMMANDS
        ],
    ).to_attachment()


def hero_card() -> Attachment:
    return HeroCard(
        title="Microsoft 365 Agents SDK",
        subtitle="Build agents for Teams, Copilot and more",
        text="A hero card: a large image, a title, some text and buttons.",
        images=[CardImage(url=f"{MEDIA}images/agents.png", alt="Agents")],
        buttons=[
            CardAction(
                type=ActionTypes.open_url,
                title="Get started",
                value="https://learn.microsoft.com/microsoft-365/agents-sdk/",
            )
        ],
    ).to_attachment()


def thumbnail_card() -> Attachment:
    return ThumbnailCard(
        title="Thumbnail card",
        text="A small image next to the text.",
        images=[CardImage(url=f"{MEDIA}images/thumbnail.png", alt="Thumbnail")],
        buttons=[CardAction(type=ActionTypes.open_url, title="More", value=MEDIA)],
    ).to_attachment()


def audio_card() -> Attachment:
    return AudioCard(
        title="I am your father",
        subtitle="Star Wars: Episode V - The Empire Strikes Back",
        text="An audio card plays a sound.",
        image=ThumbnailUrl(url=f"{MEDIA}images/empire.png"),
        media=[MediaUrl(url=f"{MEDIA}media/father.wav")],
        buttons=[CardAction(type=ActionTypes.open_url, title="Read more", value=MEDIA)],
    ).to_attachment()


def video_card() -> Attachment:
    return VideoCard(
        title="Big Buck Bunny",
        subtitle="by the Blender Institute",
        text="A video card plays a video.",
        image=ThumbnailUrl(url=f"{MEDIA}images/bunny.png"),
        media=[MediaUrl(url=f"{MEDIA}media/bunny.mp4")],
        buttons=[CardAction(type=ActionTypes.open_url, title="Learn more", value=MEDIA)],
    ).to_attachment()


def animation_card() -> Attachment:
    return AnimationCard(
        title="Animation card",
        text="An animation card plays an animated GIF or a short video.",
        image=ThumbnailUrl(url=f"{MEDIA}images/animation.png"),
        media=[MediaUrl(url=f"{MEDIA}media/animation.gif")],
    ).to_attachment()


def receipt_card() -> Attachment:
    return ReceiptCard(
        title="John Doe",
        facts=[Fact(key="Order Number", value="1234"), Fact(key="Payment", value="VISA")],
        items=[
            ReceiptItem(
                title="Data Transfer",
                price="$38.45",
                quantity="368",
                image=CardImage(url=f"{MEDIA}images/traffic-manager.png"),
            ),
            ReceiptItem(
                title="App Service",
                price="$45.00",
                quantity="720",
                image=CardImage(url=f"{MEDIA}images/app-service.png"),
            ),
        ],
        tax="$7.50",
        total="$90.95",
        buttons=[CardAction(type=ActionTypes.open_url, title="More information", value=MEDIA)],
    ).to_attachment()


CARDS: dict[str, Callable[[], Attachment]] = {
    "static_submit": lambda: AdaptiveCardCard(content=read_card("static_submit")).to_attachment(),
    "dynamic_search": lambda: AdaptiveCardCard(content=read_card("dynamic_search")).to_attachment(),
    "action_execute": lambda: AdaptiveCardCard(
        content=action_execute_card("Card ready")
    ).to_attachment(),
    "hero": hero_card,
    "thumbnail": thumbnail_card,
    "audio": audio_card,
    "video": video_card,
    "animation": animation_card,
    "receipt": receipt_card,
}


# ---------------------------------------------------------------------- the agent

ADAPTER = CloudAdapter()
AGENT_APP = AgentApplication[TurnState](
    storage=MemoryStorage(),
    adapter=ADAPTER,
    start_typing_timer=False,
    remove_recipient_mention=False,
)


async def send_command_card(context: TurnContext) -> None:
    await context.send_activity(MessageFactory.attachment(command_card()))


@AGENT_APP.conversation_update("membersAdded")
async def on_members_added(context: TurnContext, state: TurnState) -> None:
    # The channel also reports the agent itself joining; greet only when someone else came.
    agent_id = context.activity.recipient.id if context.activity.recipient else None
    if any(member.id != agent_id for member in context.activity.members_added or []):
        await context.send_activity(WELCOME)
        await send_command_card(context)


# Action.Submit: a message without text whose value is the card's data plus the inputs.
@AGENT_APP.adaptive_card.action_submit("StaticSubmit")
async def on_static_submit(context: TurnContext, state: TurnState, data: dict[str, Any]) -> None:
    await context.send_activity(f"Statically selected option: {data.get('choiceSelect')}")


@AGENT_APP.adaptive_card.action_submit("DynamicSubmit")
async def on_dynamic_submit(context: TurnContext, state: TurnState, data: dict[str, Any]) -> None:
    await context.send_activity(f"Dynamically selected option: {data.get('choiceSelect')}")


# Action.Execute: an invoke; the response tells the channel which card to show now.
@AGENT_APP.adaptive_card.action_execute("refresh")
async def on_refresh(
    context: TurnContext, state: TurnState, data: dict[str, Any]
) -> AdaptiveCardInvokeResponse:
    return AdaptiveCardInvokeResponse(
        status_code=200, type=ContentTypes.adaptive_card, value=action_execute_card("Refreshed")
    )


@AGENT_APP.adaptive_card.action_execute("signin")
async def on_sign_in(
    context: TurnContext, state: TurnState, data: dict[str, Any]
) -> AdaptiveCardInvokeResponse:
    await context.send_activity("Action.Execute sign-in handler called.")
    return AdaptiveCardInvokeResponse(
        status_code=200, type=ContentTypes.adaptive_card, value=action_execute_card("Signed in")
    )


@AGENT_APP.adaptive_card.action_execute("signout")
async def on_sign_out(context: TurnContext, state: TurnState, data: dict[str, Any]) -> None:
    # Returning nothing answers the invoke with {"statusCode": 200}: the card stays.
    await context.send_activity("Action.Execute sign-out handler called.")


# Data.Query: the type-ahead of the dynamic choice set, one page of results per call.
@AGENT_APP.adaptive_card.search(PACKAGE_DATASET)
async def on_search(
    context: TurnContext, state: TurnState, query: Query[AdaptiveCardSearchParams]
) -> list[AdaptiveCardSearchResult]:
    names = find_packages(query.parameters.query_text)
    page = names[query.skip : query.skip + query.count]
    return [AdaptiveCardSearchResult(title=name, value=name) for name in page]


@AGENT_APP.activity("message")
async def on_message(context: TurnContext, state: TurnState) -> None:
    command = (context.activity.text or "").strip().lower()
    on_teams = ChannelId.get_channel(context.activity.channel_id) == Channels.ms_teams
    if command in TEAMS_ONLY and not on_teams:
        await context.send_activity(f"Only Teams supports `{command}`.")
        return
    build = CARDS.get(command)
    if build is None:
        await send_command_card(context)
        return
    await context.send_activity(MessageFactory.attachment(build()))


if __name__ == "__main__":
    port = os.environ.get("PORT", "3978")
    print(f"Cards agent on http://127.0.0.1:{port}/api/messages (Ctrl+C stops it)", flush=True)
    start_server(AGENT_APP)
