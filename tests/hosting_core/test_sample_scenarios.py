"""The echo, state-counter and cards scenarios of spec/samples.md, run through the test kit.

The echo agents are in ``sample_agents.py``; the state counter and cards agents are the
runnable samples ``test_samples/state_counter/app.py`` and ``test_samples/cards/app.py``,
imported afresh for each test (a new ``AGENT_APP``, so a new storage). These tests talk to
them like a user in a chat and check what the user would see.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import pytest

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationAccount,
    Mention,
    ResourceResponse,
    RoleTypes,
)
from microsoft_agents.hosting.core import MemoryStorage, TurnContext, default_on_turn_error
from microsoft_agents.hosting.core.storage import (
    ConsoleTranscriptLogger,
    StoreItem,
    TranscriptLoggerMiddleware,
)
from microsoft_agents.hosting.core.testing import AgentTester, TestAdapter, TurnResult

from .sample_agents import (
    ECHO_WELCOME,
    QUICKSTART_WELCOME,
    create_echo_agent,
    create_quickstart_agent,
    load_sample,
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


class DeliveryError(Exception):
    """What :class:`UndeliverableAdapter` raises instead of sending."""


class UndeliverableAdapter(TestAdapter):
    """A test adapter whose next ``failures`` sends fail, as if the channel were down."""

    def __init__(self, *, on_turn_error: Any = None) -> None:
        super().__init__(on_turn_error=on_turn_error)
        self.failures = 0

    async def send_activities(
        self, context: TurnContext, activities: Sequence[Activity]
    ) -> list[ResourceResponse]:
        if self.failures:
            self.failures -= 1
            raise DeliveryError("channel unreachable at https://test.example/")
        return await super().send_activities(context, activities)


@pytest.fixture
def counter(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """A fresh import of test_samples/state_counter/app.py (so an empty storage)."""
    return load_sample("state_counter", monkeypatch)


CounterTester = Callable[..., AgentTester]


@pytest.fixture
def counter_tester(counter: ModuleType) -> CounterTester:
    """Testers of the one counter agent, each in a conversation, for a user, on a channel."""

    def make(
        conversation_id: str = "conversation-1",
        *,
        user_id: str = "user-1",
        channel_id: str = "webchat",
        adapter: TestAdapter | None = None,
    ) -> AgentTester:
        return AgentTester(
            counter.AGENT_APP,
            adapter=adapter or TestAdapter(on_turn_error=default_on_turn_error),
            channel_id=channel_id,
            conversation=ConversationAccount(id=conversation_id),
            user=ChannelAccount(id=user_id, name=user_id, role=RoleTypes.user),
        )

    return make


async def texts_of(tester: AgentTester, *messages: str) -> list[str | None]:
    results: list[TurnResult] = [await tester.send(message) for message in messages]
    return [result.text for result in results]


def numbered(*texts: str, first: int = 1) -> list[str | None]:
    return [
        f"Message {number} in this conversation: {text}"
        for number, text in enumerate(texts, start=first)
    ]


async def test_counter_welcomes_a_user_who_joins(counter_tester: CounterTester) -> None:
    tester = counter_tester()

    result = await tester.members_added()

    assert result.texts == [
        "Welcome to the state counter! I count the messages of this conversation. "
        "Send /reset to start again from zero, /stats to see the counts."
    ]


async def test_counter_does_not_welcome_itself(counter_tester: CounterTester) -> None:
    tester = counter_tester()

    result = await tester.members_added(tester.agent_account)

    assert result.replies == []


async def test_counter_counts_the_turns_of_a_conversation(counter_tester: CounterTester) -> None:
    tester = counter_tester()

    assert await texts_of(tester, "a", "b", "c") == numbered("a", "b", "c")


async def test_counter_starts_again_at_one_in_another_conversation(
    counter_tester: CounterTester,
) -> None:
    first = counter_tester("conversation-1")
    second = counter_tester("conversation-2")

    assert await texts_of(first, "a", "b") == numbered("a", "b")
    assert await texts_of(second, "a") == numbered("a")
    assert await texts_of(first, "c") == numbered("c", first=3)


async def test_counter_reset_starts_the_conversation_again_at_one(
    counter_tester: CounterTester,
) -> None:
    tester = counter_tester()
    await texts_of(tester, "a", "b")

    reset = await tester.send("/reset")

    assert reset.text == "The count of this conversation is back to zero."
    assert await texts_of(tester, "c") == numbered("c")


@pytest.mark.parametrize("command", ["/RESET", " /Reset "])
async def test_counter_reset_ignores_case_and_spaces(
    counter_tester: CounterTester, command: str
) -> None:
    tester = counter_tester()
    await texts_of(tester, "a")

    assert await texts_of(tester, command, "b") == [
        "The count of this conversation is back to zero.",
        *numbered("b"),
    ]


async def test_counter_reset_leaves_other_conversations_alone(
    counter_tester: CounterTester,
) -> None:
    first = counter_tester("conversation-1")
    second = counter_tester("conversation-2")
    await texts_of(first, "a", "b")
    await texts_of(second, "a")

    await first.send("/reset")

    assert await texts_of(second, "b") == numbered("b", first=2)


async def test_counter_reset_only_text_that_is_the_command(
    counter_tester: CounterTester,
) -> None:
    tester = counter_tester()

    assert await texts_of(tester, "please /reset", "/resetting") == numbered(
        "please /reset", "/resetting"
    )


async def test_counter_stats_tells_both_counts_and_is_not_counted(
    counter_tester: CounterTester,
) -> None:
    tester = counter_tester()
    await texts_of(tester, "a", "b")

    assert await texts_of(tester, "/stats", "/STATS ", "c") == [
        "This conversation: 2 messages. You sent 2 messages in all conversations.",
        "This conversation: 2 messages. You sent 2 messages in all conversations.",
        *numbered("c", first=3),
    ]


async def test_counter_counts_a_users_messages_across_conversations(
    counter_tester: CounterTester,
) -> None:
    await texts_of(counter_tester("conversation-1"), "a", "b")
    other = counter_tester("conversation-2")
    await texts_of(other, "c")

    result = await other.send("/stats")

    assert result.text == "This conversation: 1 message. You sent 3 messages in all conversations."


async def test_counter_keeps_each_users_count_apart(counter_tester: CounterTester) -> None:
    await texts_of(counter_tester(user_id="ann"), "a", "b")

    result = await counter_tester(user_id="bob").send("/stats")

    # same conversation (its count goes on), but Bob has sent nothing yet
    assert result.text == "This conversation: 2 messages. You sent 0 messages in all conversations."


async def test_counter_state_is_stored_under_the_documented_keys(
    counter: ModuleType, counter_tester: CounterTester
) -> None:
    await texts_of(counter_tester("conversation-1"), "a", "b")
    await texts_of(counter_tester("conversation-2"), "a")

    assert await stored(
        counter.STORAGE,
        "webchat/conversations/conversation-1",
        "webchat/conversations/conversation-2",
        "webchat/users/user-1",
    ) == {
        "webchat/conversations/conversation-1": {"message_count": 2},
        "webchat/conversations/conversation-2": {"message_count": 1},
        "webchat/users/user-1": {"messages_sent": 3},
    }


async def test_counter_reset_removes_the_count_from_storage(
    counter: ModuleType, counter_tester: CounterTester
) -> None:
    tester = counter_tester()
    await texts_of(tester, "a", "b", "/reset")

    assert await stored(
        counter.STORAGE, "webchat/conversations/conversation-1", "webchat/users/user-1"
    ) == {
        "webchat/conversations/conversation-1": {},
        "webchat/users/user-1": {"messages_sent": 2},
    }


async def test_counter_state_is_kept_per_channel(
    counter: ModuleType, counter_tester: CounterTester
) -> None:
    await texts_of(counter_tester(channel_id="webchat"), "a", "b")

    assert await texts_of(counter_tester(channel_id="msteams"), "a") == numbered("a")
    assert await stored(counter.STORAGE, "msteams/conversations/conversation-1") == {
        "msteams/conversations/conversation-1": {"message_count": 1}
    }


async def test_a_turn_whose_reply_cannot_be_delivered_does_not_save_the_count(
    counter: ModuleType, counter_tester: CounterTester
) -> None:
    adapter = UndeliverableAdapter(on_turn_error=default_on_turn_error)
    tester = counter_tester(adapter=adapter)
    await texts_of(tester, "a")
    keys = ("webchat/conversations/conversation-1", "webchat/users/user-1")
    before = await stored(counter.STORAGE, *keys)

    adapter.failures = 1  # the reply to "lost" fails; the apology that follows gets through
    failed = await tester.send("lost")

    # the user gets a neutral apology, never the exception's text
    assert failed.text == "The agent encountered an error or bug."
    assert "unreachable" not in json.dumps([reply.text for reply in failed])
    assert await stored(counter.STORAGE, *keys) == before
    assert await texts_of(tester, "b") == numbered("b", first=2)


async def test_a_turn_that_raises_without_an_error_handler_reaches_the_caller(
    counter: ModuleType, counter_tester: CounterTester
) -> None:
    adapter = UndeliverableAdapter()
    adapter.failures = 1
    tester = counter_tester(adapter=adapter)

    with pytest.raises(DeliveryError, match="unreachable"):
        await tester.send("lost")

    assert await stored(counter.STORAGE, "webchat/conversations/conversation-1") == {}


# --------------------------------------------------------------------------- S3: cards

CARD_COMMANDS = [
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
CARDS_WELCOME = (
    "Hello and welcome! This sample demonstrates Adaptive Cards and activity-protocol cards."
)

CardsTester = Callable[..., AgentTester]


@pytest.fixture
def cards(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """A fresh import of test_samples/cards/app.py."""
    return load_sample("cards", monkeypatch)


@pytest.fixture
def cards_tester(cards: ModuleType) -> CardsTester:
    def make(channel_id: str = "webchat") -> AgentTester:
        return AgentTester(cards.AGENT_APP, channel_id=channel_id)

    return make


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


def results(*names: str) -> list[dict[str, str]]:
    return [{"title": name, "value": name} for name in names]


async def test_cards_welcome_shows_the_command_card(cards_tester: CardsTester) -> None:
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


async def test_cards_does_not_welcome_itself(cards_tester: CardsTester) -> None:
    tester = cards_tester()

    result = await tester.members_added(tester.agent_account)

    assert result.replies == []


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
async def test_cards_command_sends_its_card(
    cards_tester: CardsTester, command: str, content_type: str, typed: str
) -> None:
    text = typed.format(command, upper=command.upper(), title=command.title())

    result = await cards_tester().send(text)

    assert only_attachment(result).content_type == content_type


@pytest.mark.parametrize("command", ["audio", "video", "animation"])
async def test_cards_media_cards_carry_their_media(cards_tester: CardsTester, command: str) -> None:
    content = only_attachment(await cards_tester().send(command)).content

    assert content["title"]
    assert len(content["media"]) == 1
    assert content["media"][0]["url"].startswith("https://")


async def test_cards_receipt_card_shows_the_order(cards_tester: CardsTester) -> None:
    content = only_attachment(await cards_tester().send("receipt")).content

    assert content["title"] == "John Doe"
    assert [(f["key"], f["value"]) for f in content["facts"]] == [
        ("Order Number", "1234"),
        ("Payment", "VISA"),
    ]
    assert [item["title"] for item in content["items"]] == ["Data Transfer", "App Service"]
    assert content["tax"] == "$7.50"
    assert content["total"] == "$90.95"


async def test_cards_static_submit_card_is_an_adaptive_card_that_submits_its_verb(
    cards_tester: CardsTester,
) -> None:
    content = only_attachment(await cards_tester().send("static_submit")).content

    assert content["type"] == "AdaptiveCard"
    assert content["actions"] == [
        {"type": "Action.Submit", "title": "Submit", "data": {"verb": "StaticSubmit"}}
    ]
    (choice_set,) = [item for item in content["body"] if item["type"] == "Input.ChoiceSet"]
    assert choice_set["id"] == "choiceSelect"
    assert [choice["value"] for choice in choice_set["choices"]] == ["red", "green", "blue"]


@pytest.mark.parametrize("channel_id", ["webchat", "emulator"])
@pytest.mark.parametrize("command", ["dynamic_search", "action_execute", " Action_Execute "])
async def test_cards_teams_only_commands_are_refused_elsewhere(
    cards_tester: CardsTester, channel_id: str, command: str
) -> None:
    result = await cards_tester(channel_id).send(command)

    assert result.text == f"Only Teams supports `{command.strip().lower()}`."


async def test_cards_dynamic_search_card_on_teams_queries_the_package_dataset(
    cards_tester: CardsTester,
) -> None:
    attachment = only_attachment(await cards_tester("msteams").send("dynamic_search"))

    assert attachment.content_type == "application/vnd.microsoft.card.adaptive"
    content = attachment.content
    (choice_set,) = [item for item in content["body"] if item["type"] == "Input.ChoiceSet"]
    assert choice_set["choices.data"] == {"type": "Data.Query", "dataset": "pypipackages"}
    assert content["actions"][0]["data"] == {"verb": "DynamicSubmit"}


async def test_cards_action_execute_card_on_teams_offers_the_three_verbs(
    cards_tester: CardsTester,
) -> None:
    attachment = only_attachment(await cards_tester("msteams").send("action_execute"))

    assert attachment.content_type == "application/vnd.microsoft.card.adaptive"
    assert attachment.content["body"][0]["text"] == "Card ready"
    verbs = [action["verb"] for action in attachment.content["actions"]]
    assert verbs == ["refresh", "signin", "signout"]


@pytest.mark.parametrize("text", ["what can you do?", "", "heroes"])
async def test_cards_anything_else_shows_the_command_card_again(
    cards_tester: CardsTester, text: str
) -> None:
    attachment = only_attachment(await cards_tester().send(text))

    assert attachment.content_type == "application/vnd.microsoft.card.hero"
    assert attachment.content["title"] == "Types of cards"


async def test_cards_static_submit_echoes_the_chosen_option(cards_tester: CardsTester) -> None:
    result = await cards_tester().send(
        Activity(
            type=ActivityTypes.message, value={"verb": "StaticSubmit", "choiceSelect": "green"}
        )
    )

    assert result.text == "Statically selected option: green"


async def test_cards_dynamic_submit_echoes_the_chosen_package(cards_tester: CardsTester) -> None:
    result = await cards_tester("msteams").send(
        {"type": "message", "value": {"verb": "DynamicSubmit", "choiceSelect": "httpx"}}
    )

    assert result.text == "Dynamically selected option: httpx"


async def test_cards_a_submit_with_an_unknown_verb_shows_the_command_card(
    cards_tester: CardsTester,
) -> None:
    result = await cards_tester().send(
        Activity(type=ActivityTypes.message, value={"verb": "Other", "choiceSelect": "x"})
    )

    assert only_attachment(result).content["title"] == "Types of cards"


async def test_cards_refresh_answers_the_invoke_with_a_new_card(
    cards_tester: CardsTester,
) -> None:
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
    assert [action["verb"] for action in card["actions"]] == ["refresh", "signin", "signout"]


async def test_cards_signin_verb_says_so_and_answers_with_a_card(
    cards_tester: CardsTester,
) -> None:
    result = await cards_tester("msteams").invoke("adaptiveCard/action", execute_value("signin"))

    assert result.text == "Action.Execute sign-in handler called."
    assert result.invoke_response is not None
    assert result.invoke_response.status == 200
    body = result.invoke_response.body
    assert isinstance(body, dict)
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert json.loads(body["value"])["body"][0]["text"] == "Signed in"


async def test_cards_signout_verb_says_so_and_answers_200(cards_tester: CardsTester) -> None:
    result = await cards_tester("msteams").invoke("adaptiveCard/action", execute_value("signout"))

    assert result.text == "Action.Execute sign-out handler called."
    assert result.invoke_response is not None
    assert result.invoke_response.status == 200
    assert result.invoke_response.body == {"statusCode": 200}


async def test_cards_search_lists_matching_packages_those_starting_with_the_text_first(
    cards_tester: CardsTester,
) -> None:
    result = await cards_tester("msteams").invoke("application/search", search_value("aio"))

    assert result.replies == []
    assert result.invoke_response is not None
    assert result.invoke_response.status == 200
    assert result.invoke_response.body == {
        "statusCode": 200,
        "type": "application/vnd.microsoft.search.searchResponse",
        "value": {
            "results": results(
                "aiohttp", "aiohttp-cors", "aiosqlite", "microsoft-agents-hosting-aiohttp"
            )
        },
    }


async def test_cards_search_ignores_case_and_spaces(cards_tester: CardsTester) -> None:
    result = await cards_tester("msteams").invoke("application/search", search_value(" PyTest"))

    assert result.invoke_response is not None
    body = result.invoke_response.body
    assert isinstance(body, dict)
    assert body["value"]["results"] == results("pytest", "pytest-asyncio")


async def test_cards_search_pages_with_skip_and_top(cards_tester: CardsTester) -> None:
    result = await cards_tester("msteams").invoke(
        "application/search", search_value("microsoft", top=2, skip=2)
    )

    assert result.invoke_response is not None
    body = result.invoke_response.body
    assert isinstance(body, dict)
    assert body["value"]["results"] == results(
        "microsoft-agents-hosting-aiohttp", "microsoft-agents-hosting-core"
    )


async def test_cards_search_with_no_match_answers_an_empty_list(
    cards_tester: CardsTester,
) -> None:
    result = await cards_tester("msteams").invoke("application/search", search_value("zzz"))

    assert result.invoke_response is not None
    assert result.invoke_response.status == 200
    body = result.invoke_response.body
    assert isinstance(body, dict)
    assert body["value"] == {"results": []}


async def test_cards_search_of_another_dataset_goes_unanswered(cards_tester: CardsTester) -> None:
    value = {**search_value("aio"), "dataset": "npmpackages"}

    result = await cards_tester("msteams").invoke("application/search", value)

    # no route answers it: the agent sends nothing, so the channel gets 501
    assert result.replies == []
    assert result.invoke_response is None
    assert result.status == 501


async def test_cards_agent_sends_no_typing_indicator(cards_tester: CardsTester) -> None:
    result = await cards_tester().send("hero")

    assert result.of_type(ActivityTypes.typing) == []
