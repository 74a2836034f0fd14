"""The echo, state-counter and cards scenarios of spec/samples.md, run through the test kit.

The agents are in ``sample_agents.py``, written with the public API as a user would; these
tests talk to them like a user in a chat and check what the user would see.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationAccount,
    Mention,
    RoleTypes,
)
from microsoft_agents.hosting.core import MemoryStorage, default_on_turn_error
from microsoft_agents.hosting.core.storage import (
    ConsoleTranscriptLogger,
    StoreItem,
    TranscriptLoggerMiddleware,
)
from microsoft_agents.hosting.core.testing import AgentTester, TestAdapter, TurnResult

from .sample_agents import (
    CARD_COMMANDS,
    CARDS_WELCOME,
    ECHO_WELCOME,
    QUICKSTART_WELCOME,
    CounterError,
    create_cards_agent,
    create_counter_agent,
    create_echo_agent,
    create_quickstart_agent,
)

# --------------------------------------------------------------------------- S1: echo


def echo_tester(
    channel_id: str = "webchat", *, quickstart: bool = False
) -> tuple[AgentTester, io.StringIO]:
    """The echo sample on an adapter with a console transcript (written to a buffer)."""
    transcript = io.StringIO()
    adapter = TestAdapter()
    adapter.use(TranscriptLoggerMiddleware(ConsoleTranscriptLogger(transcript)))
    app = create_quickstart_agent(adapter) if quickstart else create_echo_agent(adapter)
    return AgentTester(app, adapter=adapter, channel_id=channel_id), transcript


def transcript_lines(transcript: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in transcript.getvalue().splitlines()]


async def test_echo_welcomes_a_new_conversation() -> None:
    tester, _ = echo_tester()

    result = await tester.members_added()

    assert result.texts == [ECHO_WELCOME]


async def test_echo_welcome_fires_when_only_the_agent_joins() -> None:
    tester, _ = echo_tester()

    result = await tester.members_added(tester.agent_account)

    assert result.texts == [ECHO_WELCOME]


async def test_echo_help_shows_the_welcome_text() -> None:
    tester, _ = echo_tester()

    result = await tester.send("/help")

    assert result.text == ECHO_WELCOME


async def test_echo_help_command_is_case_sensitive() -> None:
    tester, _ = echo_tester()

    result = await tester.send("/HELP")

    assert result.text == "you said: /HELP"


async def test_echo_repeats_what_the_user_said() -> None:
    tester, _ = echo_tester()

    first = await tester.send("hi there")
    second = await tester.send("how are you?")

    assert first.text == "you said: hi there"
    assert second.text == "you said: how are you?"


async def test_a_quick_echo_sends_no_typing_indicator() -> None:
    tester, _ = echo_tester()

    result = await tester.send("hi")

    assert [reply.type for reply in result] == [ActivityTypes.message]


async def test_echo_strips_the_agents_mention_before_echoing() -> None:
    tester, _ = echo_tester("msteams")
    mention = Mention(mentioned=tester.agent_account, text="<at>Agent</at>")

    result = await tester.send(
        Activity(type=ActivityTypes.message, text="<at>Agent</at> what's up", entities=[mention])
    )

    assert result.text == "you said: what's up"


async def test_echo_keeps_mentions_of_other_people() -> None:
    tester, _ = echo_tester("msteams")
    other = ChannelAccount(id="user-2", name="Ann", role=RoleTypes.user)
    mention = Mention(mentioned=other, text="<at>Ann</at>")

    result = await tester.send(
        Activity(type=ActivityTypes.message, text="say hi to <at>Ann</at>", entities=[mention])
    )

    assert result.text == "you said: say hi to <at>Ann</at>"


async def test_echo_transcript_prints_each_incoming_and_outgoing_activity() -> None:
    tester, transcript = echo_tester()

    await tester.members_added()
    await tester.send("hi")

    lines = transcript_lines(transcript)
    assert [(line["type"], line["from"]["id"], line.get("text")) for line in lines] == [
        ("conversationUpdate", "user-1", None),
        ("message", "agent-1", ECHO_WELCOME),
        ("message", "user-1", "hi"),
        ("message", "agent-1", "you said: hi"),
    ]
    # the agent's replies are logged with the id the channel gave them, as replies
    assert lines[3]["id"] == "sent-2"
    assert lines[3]["replyToId"] == lines[2]["id"]
    assert all(line["channelId"] == "webchat" for line in lines)


async def test_quickstart_welcomes_once_when_agent_and_user_join() -> None:
    tester, _ = echo_tester(quickstart=True)

    result = await tester.members_added(tester.agent_account, tester.user)

    assert result.texts == [QUICKSTART_WELCOME]


async def test_quickstart_answers_hello() -> None:
    tester, _ = echo_tester(quickstart=True)

    result = await tester.send("hello")

    assert result.text == "Hello!"


@pytest.mark.parametrize("text", ["Hello", "hello there", " hello"])
async def test_quickstart_hello_route_matches_the_whole_text_exactly(text: str) -> None:
    tester, _ = echo_tester(quickstart=True)

    result = await tester.send(text)

    assert result.text == f"you said: {text}"


async def test_quickstart_echoes_anything_else() -> None:
    tester, _ = echo_tester(quickstart=True)

    result = await tester.send("hi")

    assert result.text is not None
    assert "hi" in result.text
    assert result.text == "you said: hi"


async def test_quickstart_help_shows_its_own_welcome() -> None:
    tester, _ = echo_tester(quickstart=True)

    result = await tester.send("/help")

    assert result.text == QUICKSTART_WELCOME


async def test_echo_runs_with_the_agent_tester_fixture(
    agent_tester: Callable[..., AgentTester],
) -> None:
    adapter = TestAdapter()
    tester = agent_tester(create_echo_agent(adapter), adapter=adapter, channel_id="emulator")

    result = await tester.send("ping")

    assert result.text == "you said: ping"
    assert result.messages[0].channel_id == "emulator"


# --------------------------------------------------------------------------- state counter


class StoredDocument(StoreItem):
    """Reads a stored state document back as the JSON it is."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def store_item_to_json(self) -> dict[str, Any]:
        return self.data

    @staticmethod
    def from_json_to_store_item(json_data: dict[str, Any]) -> StoredDocument:
        return StoredDocument(json_data)


async def stored(storage: MemoryStorage, *keys: str) -> dict[str, dict[str, Any]]:
    """The documents under ``keys``, without their e_tags."""
    items = await storage.read(list(keys), target_cls=StoredDocument)
    return {
        key: {name: value for name, value in item.data.items() if name != "e_tag"}
        for key, item in items.items()
    }


def counter_tester(
    storage: MemoryStorage,
    conversation_id: str = "conversation-1",
    *,
    user_id: str = "user-1",
    channel_id: str = "webchat",
) -> AgentTester:
    return AgentTester(
        create_counter_agent(storage),
        adapter=TestAdapter(on_turn_error=default_on_turn_error),
        channel_id=channel_id,
        conversation=ConversationAccount(id=conversation_id),
        user=ChannelAccount(id=user_id, name=user_id, role=RoleTypes.user),
    )


async def texts_of(tester: AgentTester, *messages: str) -> list[str | None]:
    results: list[TurnResult] = [await tester.send(message) for message in messages]
    return [result.text for result in results]


async def test_counter_counts_the_turns_of_a_conversation() -> None:
    tester = counter_tester(MemoryStorage())

    assert await texts_of(tester, "a", "b", "c") == ["Turn 1", "Turn 2", "Turn 3"]


async def test_counter_starts_again_at_one_in_another_conversation() -> None:
    storage = MemoryStorage()
    first = counter_tester(storage, "conversation-1")
    second = counter_tester(storage, "conversation-2")

    assert await texts_of(first, "a", "b") == ["Turn 1", "Turn 2"]
    assert await texts_of(second, "a") == ["Turn 1"]
    assert await texts_of(first, "c") == ["Turn 3"]


async def test_counter_counts_a_users_messages_across_conversations() -> None:
    storage = MemoryStorage()
    await texts_of(counter_tester(storage, "conversation-1"), "a", "b")

    result = await counter_tester(storage, "conversation-2").send("stats")

    assert result.text == "Turn 1; you sent 3 messages in all"


async def test_counter_keeps_each_users_count_apart() -> None:
    storage = MemoryStorage()
    await texts_of(counter_tester(storage, user_id="ann"), "a", "b")

    result = await counter_tester(storage, user_id="bob").send("stats")

    # same conversation (its count goes on), but Bob's own count starts at one
    assert result.text == "Turn 3; you sent 1 messages in all"


async def test_counter_state_is_stored_under_the_documented_keys() -> None:
    storage = MemoryStorage()
    await texts_of(counter_tester(storage, "conversation-1"), "a", "b")
    await texts_of(counter_tester(storage, "conversation-2"), "a")

    assert await stored(
        storage,
        "webchat/conversations/conversation-1",
        "webchat/conversations/conversation-2",
        "webchat/users/user-1",
    ) == {
        "webchat/conversations/conversation-1": {"turn_count": 2},
        "webchat/conversations/conversation-2": {"turn_count": 1},
        "webchat/users/user-1": {"message_count": 3},
    }


async def test_counter_state_is_kept_per_channel() -> None:
    storage = MemoryStorage()
    await texts_of(counter_tester(storage, channel_id="webchat"), "a", "b")

    assert await texts_of(counter_tester(storage, channel_id="msteams"), "a") == ["Turn 1"]
    assert await stored(storage, "msteams/conversations/conversation-1") == {
        "msteams/conversations/conversation-1": {"turn_count": 1}
    }


async def test_a_turn_that_raises_does_not_save_the_count() -> None:
    storage = MemoryStorage()
    tester = counter_tester(storage)
    await texts_of(tester, "a")
    before = await stored(storage, "webchat/conversations/conversation-1", "webchat/users/user-1")

    failed = await tester.send("fail")

    # the user gets a neutral apology, never the exception's text
    assert failed.text == "The agent encountered an error or bug."
    assert "asked to fail" not in json.dumps([reply.text for reply in failed])
    assert (
        await stored(storage, "webchat/conversations/conversation-1", "webchat/users/user-1")
        == before
    )
    assert await texts_of(tester, "b") == ["Turn 2"]


async def test_a_turn_that_raises_without_an_error_handler_reaches_the_caller() -> None:
    storage = MemoryStorage()
    tester = AgentTester(create_counter_agent(storage), channel_id="webchat")

    with pytest.raises(CounterError, match="asked to fail"):
        await tester.send("fail")

    assert await stored(storage, "webchat/conversations/conversation-1") == {}


# --------------------------------------------------------------------------- S3: cards

PACKAGES = (
    "aiohttp",
    "aiohttp-cors",
    "aiosqlite",
    "httpx",
    "microsoft-agents-activity",
    "microsoft-agents-hosting-core",
    "pydantic",
    "requests",
)


async def search_packages(text: str) -> Sequence[str]:
    """A fake package index: the names in PACKAGES that contain ``text``."""
    needle = text.strip().lower()
    return [name for name in PACKAGES if needle in name]


def cards_tester(channel_id: str = "webchat") -> AgentTester:
    return AgentTester(create_cards_agent(search_packages), channel_id=channel_id)


def only_attachment(result: TurnResult) -> Any:
    """The single attachment of the single message the agent sent."""
    (message,) = result.messages
    assert message.attachments is not None
    (attachment,) = message.attachments
    return attachment


def execute_value(verb: str) -> dict[str, Any]:
    return {"action": {"type": "Action.Execute", "verb": verb, "data": {}}, "trigger": "manual"}


def search_value(text: str, *, top: int | None = None, skip: int = 0) -> dict[str, Any]:
    options: dict[str, Any] = {"skip": skip}
    if top is not None:
        options["top"] = top
    return {
        "kind": "search",
        "queryText": text,
        "queryOptions": options,
        "dataset": "pypipackages",
    }


async def test_cards_welcome_shows_the_command_card() -> None:
    result = await cards_tester().members_added()

    welcome, card = result.messages
    assert welcome.text == CARDS_WELCOME
    assert card.attachments is not None
    (attachment,) = card.attachments
    assert attachment.content_type == "application/vnd.microsoft.card.hero"
    assert attachment.content["title"] == "Types of cards"
    buttons = attachment.content["buttons"]
    assert [(b["type"], b["title"], b["value"]) for b in buttons] == [
        ("imBack", command, command) for command in CARD_COMMANDS
    ]
    assert [b["value"] for b in buttons] == [
        "static_submit",
        "dynamic_search",
        "action_execute",
        "hero",
        "thumbnail",
        "audio",
        "video",
        "animation",
        "receipt",
    ]


@pytest.mark.parametrize(
    ("command", "content_type"),
    [
        ("hero", "application/vnd.microsoft.card.hero"),
        ("thumbnail", "application/vnd.microsoft.card.thumbnail"),
        ("audio", "application/vnd.microsoft.card.audio"),
        ("video", "application/vnd.microsoft.card.video"),
        ("animation", "application/vnd.microsoft.card.animation"),
        ("receipt", "application/vnd.microsoft.card.receipt"),
        ("static_submit", "application/vnd.microsoft.card.adaptive"),
    ],
)
@pytest.mark.parametrize("typed", ["{}", "{} ", "  {}", "{upper}", "{title}"])
async def test_cards_command_sends_its_card(command: str, content_type: str, typed: str) -> None:
    text = typed.format(command, upper=command.upper(), title=command.title())

    result = await cards_tester().send(text)

    assert only_attachment(result).content_type == content_type


async def test_cards_receipt_card_shows_the_order() -> None:
    content = only_attachment(await cards_tester().send("receipt")).content

    assert content["title"] == "John Doe"
    assert [(f["key"], f["value"]) for f in content["facts"]] == [
        ("Order Number", "1234"),
        ("Payment", "VISA"),
    ]
    assert [item["title"] for item in content["items"]] == ["Data Transfer", "App Service"]
    assert content["total"] == "$90.95"


async def test_cards_static_submit_card_is_an_adaptive_card_that_submits_its_verb() -> None:
    content = only_attachment(await cards_tester().send("static_submit")).content

    assert content["type"] == "AdaptiveCard"
    assert content["actions"] == [
        {"type": "Action.Submit", "title": "Submit", "data": {"verb": "StaticSubmit"}}
    ]


@pytest.mark.parametrize("channel_id", ["webchat", "emulator"])
@pytest.mark.parametrize("command", ["dynamic_search", "action_execute", " Action_Execute "])
async def test_cards_teams_only_commands_are_refused_elsewhere(
    channel_id: str, command: str
) -> None:
    result = await cards_tester(channel_id).send(command)

    assert result.text == f"Only Teams supports `{command.strip().lower()}`."


async def test_cards_dynamic_search_card_on_teams_queries_the_package_dataset() -> None:
    content = only_attachment(await cards_tester("msteams").send("dynamic_search")).content

    (choice_set,) = [item for item in content["body"] if item["type"] == "Input.ChoiceSet"]
    assert choice_set["choices.data"] == {"type": "Data.Query", "dataset": "pypipackages"}


async def test_cards_action_execute_card_on_teams_offers_the_three_verbs() -> None:
    attachment = only_attachment(await cards_tester("msteams").send("action_execute"))

    assert attachment.content_type == "application/vnd.microsoft.card.adaptive"
    verbs = [action["verb"] for action in attachment.content["actions"]]
    assert verbs == ["refresh", "signin", "signout"]


@pytest.mark.parametrize("text", ["what can you do?", "", "heroes"])
async def test_cards_anything_else_shows_the_command_card_again(text: str) -> None:
    attachment = only_attachment(await cards_tester().send(text))

    assert attachment.content_type == "application/vnd.microsoft.card.hero"
    assert attachment.content["title"] == "Types of cards"


async def test_cards_static_submit_echoes_the_chosen_option() -> None:
    result = await cards_tester().send(
        Activity(
            type=ActivityTypes.message, value={"verb": "StaticSubmit", "choiceSelect": "green"}
        )
    )

    assert result.text == "Statically selected option: green"


async def test_cards_dynamic_submit_echoes_the_chosen_package() -> None:
    result = await cards_tester("msteams").send(
        {"type": "message", "value": {"verb": "DynamicSubmit", "choiceSelect": "httpx"}}
    )

    assert result.text == "Dynamically selected option: httpx"


async def test_cards_a_submit_with_an_unknown_verb_shows_the_command_card() -> None:
    result = await cards_tester().send(
        Activity(type=ActivityTypes.message, value={"verb": "Other", "choiceSelect": "x"})
    )

    assert only_attachment(result).content["title"] == "Types of cards"


async def test_cards_refresh_answers_the_invoke_with_a_new_card() -> None:
    result = await cards_tester("msteams").invoke("adaptiveCard/action", execute_value("refresh"))

    assert result.replies == []
    assert result.invoke_response is not None
    assert result.invoke_response.status == 200
    body = result.invoke_response.body
    assert isinstance(body, dict)
    assert set(body) == {"statusCode", "type", "value"}
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert isinstance(body["value"], str)
    card = json.loads(body["value"])
    assert card["type"] == "AdaptiveCard"
    assert card["body"][0]["text"] == "Refreshed"


async def test_cards_signin_verb_says_so_and_answers_with_a_card() -> None:
    result = await cards_tester("msteams").invoke("adaptiveCard/action", execute_value("signin"))

    assert result.text == "Action.Execute sign-in handler called."
    assert result.invoke_response is not None
    assert result.invoke_response.status == 200
    body = result.invoke_response.body
    assert isinstance(body, dict)
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert json.loads(body["value"])["body"][0]["text"] == "Signed in"


async def test_cards_signout_verb_says_so_and_answers_200() -> None:
    result = await cards_tester("msteams").invoke("adaptiveCard/action", execute_value("signout"))

    assert result.text == "Action.Execute sign-out handler called."
    assert result.invoke_response is not None
    assert result.invoke_response.status == 200
    assert result.invoke_response.body == {"statusCode": 200}


async def test_cards_search_lists_matching_packages() -> None:
    result = await cards_tester("msteams").invoke("application/search", search_value("aio"))

    assert result.replies == []
    assert result.invoke_response is not None
    assert result.invoke_response.status == 200
    assert result.invoke_response.body == {
        "statusCode": 200,
        "type": "application/vnd.microsoft.search.searchResponse",
        "value": {
            "results": [
                {"title": "aiohttp", "value": "aiohttp"},
                {"title": "aiohttp-cors", "value": "aiohttp-cors"},
                {"title": "aiosqlite", "value": "aiosqlite"},
            ]
        },
    }


async def test_cards_search_pages_with_skip_and_top() -> None:
    result = await cards_tester("msteams").invoke(
        "application/search", search_value("microsoft", top=1, skip=1)
    )

    assert result.invoke_response is not None
    body = result.invoke_response.body
    assert isinstance(body, dict)
    assert body["value"]["results"] == [
        {"title": "microsoft-agents-hosting-core", "value": "microsoft-agents-hosting-core"}
    ]


async def test_cards_search_with_no_match_answers_an_empty_list() -> None:
    result = await cards_tester("msteams").invoke("application/search", search_value("zzz"))

    assert result.invoke_response is not None
    assert result.invoke_response.status == 200
    body = result.invoke_response.body
    assert isinstance(body, dict)
    assert body["value"] == {"results": []}


async def test_cards_search_of_another_dataset_goes_unanswered() -> None:
    value = {**search_value("aio"), "dataset": "npmpackages"}

    result = await cards_tester("msteams").invoke("application/search", value)

    # no route answers it: the agent sends nothing, so the channel gets 501
    assert result.replies == []
    assert result.invoke_response is None
    assert result.status == 501


async def test_cards_agent_sends_no_typing_indicator() -> None:
    result = await cards_tester().send("hero")

    assert result.of_type(ActivityTypes.typing) == []
