"""``app.proactive``: store a conversation, then send to it and continue it from outside a turn.

api-surface §3.7 and §3.6 (``ApplicationOptions.proactive``), protocol §16 (the stored
shape under ``proactive/conversations/{id}``). Turns run through a real
``ChannelServiceAdapter``; the channel's Connector API is mocked with aioresponses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from aioresponses import CallbackResult, aioresponses
from yarl import URL

from microsoft_agents.activity import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
    TokenResponse,
)
from microsoft_agents.hosting.core import (
    AgentApplication,
    ApplicationError,
    Authorization,
    ChannelServiceAdapter,
    ClaimsIdentity,
    MemoryStorage,
    MessageFactory,
    ServiceError,
    StoreItem,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.app import ApplicationOptions
from microsoft_agents.hosting.core.app.proactive import (
    Conversation,
    ConversationBuilder,
    ConversationReferenceBuilder,
    CreateConversationOptions,
    Proactive,
    ProactiveOptions,
)
from microsoft_agents.hosting.core.testing import TestAdapter

from .channel_fakes import (
    APP_ID,
    SERVICE_URL,
    TOKEN,
    FakeConnections,
    channel_claims,
    incoming,
)

CONVERSATION_ID = "a:conv1"
KEY = f"proactive/conversations/{CONVERSATION_ID}"
ACTIVITIES = SERVICE_URL + "v3/conversations/a%3Aconv1/activities"
BOT_FRAMEWORK = "https://api.botframework.com"


# ---------------------------------------------------------------------- helpers


class Raw(StoreItem):
    """A stored document as it is, to look at the JSON a storage holds."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def store_item_to_json(self) -> dict[str, Any]:
        return dict(self.data)

    @staticmethod
    def from_json_to_store_item(json_data: dict[str, Any]) -> Raw:
        return Raw(json_data)


class FakeSignIn:
    """Stands in for a sign-in ``Authorization``: a token per handler id, or none."""

    def __init__(self, tokens: dict[str, str]) -> None:
        self.tokens = tokens
        self.asked: list[tuple[str | None, str | None]] = []

    async def get_token(
        self, context: TurnContext, auth_handler_id: str | None = None
    ) -> TokenResponse:
        conversation = context.activity.conversation
        self.asked.append((conversation.id if conversation else None, auth_handler_id))
        return TokenResponse(token=self.tokens.get(auth_handler_id or ""))


class Channel:
    """The channel's Connector API, mocked: records every activity posted, in order."""

    def __init__(self, mock: aioresponses) -> None:
        self.mock = mock
        self.sent: list[tuple[str, dict[str, str], Any]] = []
        mock.post(
            re.compile(re.escape(SERVICE_URL) + r"v3/conversations/.+"),
            callback=self._answer,
            repeat=True,
        )

    def _answer(self, url: URL, **kwargs: Any) -> CallbackResult:
        data = kwargs.get("data")
        body = None if data is None else json.loads(data)
        self.sent.append((str(url), dict(kwargs.get("headers") or {}), body))
        return CallbackResult(payload={"id": f"sent-{len(self.sent)}"})

    @property
    def texts(self) -> list[str]:
        return [body["text"] for _, _, body in self.sent]

    @property
    def bodies(self) -> list[Any]:
        return [body for _, _, body in self.sent]


def message(text: str, **overrides: Any) -> Activity:
    overrides.setdefault("conversation", {"id": CONVERSATION_ID})
    return Activity.model_validate(incoming(text=text, **overrides))


@pytest.fixture
def channel() -> Iterator[Channel]:
    with aioresponses() as m:
        yield Channel(m)


@pytest.fixture
def storage() -> MemoryStorage:
    return MemoryStorage()


def make_app(
    adapter: ChannelServiceAdapter,
    storage: MemoryStorage,
    proactive: ProactiveOptions | None = None,
    **kwargs: Any,
) -> AgentApplication[TurnState]:
    app = AgentApplication[TurnState](
        storage=storage,
        adapter=adapter,
        start_typing_timer=False,
        proactive=proactive or ProactiveOptions(),
        **kwargs,
    )

    @app.message("-s")
    async def store(context: TurnContext, state: TurnState) -> None:
        conversation = await app.proactive.store_conversation(context)
        await context.send_activity(f"Conversation stored: {conversation.id}")

    @app.message("show")
    async def show(context: TurnContext, state: TurnState) -> None:
        note = state.conversation.get_value("note", lambda: None)
        seen = state.user.get_value("seen", lambda: False)
        await context.send_activity(f"note={note} seen={seen}")

    return app


@pytest.fixture
def app(adapter: ChannelServiceAdapter, storage: MemoryStorage) -> AgentApplication[TurnState]:
    return make_app(adapter, storage)


async def user_says(
    adapter: ChannelServiceAdapter, app: AgentApplication[TurnState], text: str, **overrides: Any
) -> None:
    claims = channel_claims()
    claims.claims.update({"tid": "tenant-1", "exp": 1_900_000_000, "nbf": 1_800_000_000})
    await adapter.process_activity(claims, message(text, **overrides), app.on_turn)


# ---------------------------------------------------------------------- exports and wiring


def test_the_package_exports_its_six_names_sorted() -> None:
    from microsoft_agents.hosting.core import app as app_package
    from microsoft_agents.hosting.core.app import proactive

    names = [
        "Conversation",
        "ConversationBuilder",
        "ConversationReferenceBuilder",
        "CreateConversationOptions",
        "Proactive",
        "ProactiveOptions",
    ]
    assert proactive.__all__ == names
    namespace: dict[str, object] = {}
    exec("from microsoft_agents.hosting.core.app.proactive import *", namespace)
    assert set(names) <= set(namespace)
    for name in names:
        assert name in app_package.__all__
        assert getattr(app_package, name) is getattr(proactive, name)
    assert list(app_package.__all__) == sorted(app_package.__all__)


def test_proactive_options_defaults_and_the_application_option() -> None:
    assert ProactiveOptions() == ProactiveOptions(
        storage=None, fail_on_unsigned_in_connections=True
    )
    assert ApplicationOptions().proactive is None


def test_app_proactive_without_options_raises_application_error() -> None:
    app = AgentApplication[TurnState](storage=MemoryStorage())
    with pytest.raises(ApplicationError, match=r"proactive=ProactiveOptions\(\)"):
        _ = app.proactive


def test_app_proactive_with_options_given_either_way() -> None:
    by_keyword = AgentApplication[TurnState](storage=MemoryStorage(), proactive=ProactiveOptions())
    by_options = AgentApplication[TurnState](
        ApplicationOptions(storage=MemoryStorage(), proactive=ProactiveOptions())
    )
    assert isinstance(by_keyword.proactive, Proactive)
    assert isinstance(by_options.proactive, Proactive)
    assert by_keyword.proactive is by_keyword.proactive


def test_a_proactive_option_of_the_wrong_type_is_refused() -> None:
    with pytest.raises(TypeError, match="ProactiveOptions"):
        AgentApplication[TurnState](storage=MemoryStorage(), proactive={"storage": None})


# ---------------------------------------------------------------------- Conversation


def reference(**overrides: Any) -> ConversationReference:
    values: dict[str, Any] = {
        "activity_id": "m1",
        "user": ChannelAccount(id="29:user", name="Ann"),
        "agent": ChannelAccount(id="28:agent", name="Agent"),
        "conversation": ConversationAccount(id=CONVERSATION_ID, tenant_id="tenant-1"),
        "channel_id": "msteams",
        "service_url": SERVICE_URL,
        "locale": "en-US",
    }
    values.update(overrides)
    return ConversationReference(**values)


def test_claims_from_identity_keeps_only_the_subset_of_string_claims() -> None:
    identity = ClaimsIdentity(
        {
            "aud": APP_ID,
            "azp": "caller",
            "appid": "caller",
            "idtyp": "app",
            "ver": "2.0",
            "iss": "https://login.microsoftonline.com/t/v2.0",
            "tid": "tenant-1",
            "exp": 1_900_000_000,
            "serviceurl": SERVICE_URL,
            "name": "someone",
            "roles": ["x"],
        },
        security_token=TOKEN,
    )
    assert Conversation.claims_from_identity(identity) == {
        "aud": APP_ID,
        "azp": "caller",
        "appid": "caller",
        "idtyp": "app",
        "ver": "2.0",
        "iss": "https://login.microsoftonline.com/t/v2.0",
        "tid": "tenant-1",
    }
    conversation = Conversation(identity, reference())
    assert conversation.claims == Conversation.claims_from_identity(identity)
    assert TOKEN not in json.dumps(conversation.store_item_to_json())


def test_identity_from_claims() -> None:
    identity = Conversation.identity_from_claims({"aud": APP_ID, "appid": APP_ID})
    assert identity.claims == {"aud": APP_ID, "appid": APP_ID}
    assert identity.get_app_id() == APP_ID
    assert Conversation.identity_from_claims({}).allow_anonymous
    assert Conversation({"aud": APP_ID}, reference()).identity.get_app_id() == APP_ID


def test_a_conversation_serialises_to_the_stored_shape_and_back() -> None:
    conversation = Conversation({"aud": APP_ID, "iss": BOT_FRAMEWORK}, reference())
    data = conversation.store_item_to_json()
    assert data == {
        "claims": {"aud": APP_ID, "iss": BOT_FRAMEWORK},
        "conversation_reference": {
            "activityId": "m1",
            "user": {"id": "29:user", "name": "Ann"},
            "bot": {"id": "28:agent", "name": "Agent"},
            "conversation": {"id": CONVERSATION_ID, "tenantId": "tenant-1"},
            "channelId": "msteams",
            "serviceUrl": SERVICE_URL,
            "locale": "en-US",
        },
    }
    json.dumps(data)  # JSON-compatible as it is
    # What other SDKs and storages add next to it (e-tags, telemetry) is ignored.
    again = Conversation.from_json_to_store_item({**data, "e_tag": "1", "_span_context": None})
    assert again == conversation
    assert again.id == CONVERSATION_ID


def test_a_stored_document_without_a_reference_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="conversation_reference"):
        Conversation.from_json_to_store_item({"claims": {}})


def test_a_conversation_takes_claims_and_a_reference_only() -> None:
    with pytest.raises(TypeError, match="ClaimsIdentity"):
        Conversation(["aud"], reference())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="ConversationReference"):
        Conversation({}, {"conversation": {"id": "c"}})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "missing"),
    [
        ({"conversation": ConversationAccount(id="")}, "conversation id"),
        ({"service_url": None}, "service URL"),
        ({"channel_id": None}, "channel id"),
    ],
)
def test_validate_names_what_is_missing(overrides: dict[str, Any], missing: str) -> None:
    conversation = Conversation({}, reference(**overrides))
    with pytest.raises(ValueError, match=missing):
        conversation.validate()


def test_validate_accepts_a_complete_conversation_and_repr_hides_the_claims() -> None:
    conversation = Conversation({"aud": "secret-looking-app-id"}, reference())
    conversation.validate()
    assert "secret-looking-app-id" not in repr(conversation)
    assert CONVERSATION_ID in repr(conversation)


async def test_from_turn_context_without_an_identity_has_no_claims() -> None:
    adapter = TestAdapter()
    captured: list[Conversation] = []

    async def agent(context: TurnContext) -> None:
        captured.append(Conversation.from_turn_context(context))

    await adapter.process_activity(message("hi"), agent)
    (conversation,) = captured
    assert conversation.claims == {}
    assert conversation.conversation_reference.user == ChannelAccount(id="29:user", name="Ann")
    assert conversation.conversation_reference.agent == ChannelAccount(id="28:agent", name="Agent")


# ---------------------------------------------------------------------- storing


async def test_store_in_a_turn_writes_the_protocol_shape_under_its_key(
    app: AgentApplication[TurnState],
    adapter: ChannelServiceAdapter,
    storage: MemoryStorage,
    channel: Channel,
) -> None:
    await user_says(adapter, app, "-s")

    (reply,) = channel.bodies
    assert reply["text"] == f"Conversation stored: {CONVERSATION_ID}"
    stored = (await storage.read([KEY], target_cls=Raw))[KEY].data
    assert stored["claims"] == {"aud": APP_ID, "iss": BOT_FRAMEWORK, "tid": "tenant-1"}
    assert stored["conversation_reference"] == {
        "activityId": "m1",
        "user": {"id": "29:user", "name": "Ann"},
        "bot": {"id": "28:agent", "name": "Agent"},
        "conversation": {"id": CONVERSATION_ID},
        "channelId": "msteams",
        "serviceUrl": SERVICE_URL,
    }
    found = await app.proactive.get_conversation(CONVERSATION_ID)
    assert found is not None
    assert found.claims == stored["claims"]


async def test_the_options_storage_is_used_instead_of_the_apps(
    adapter: ChannelServiceAdapter, storage: MemoryStorage, channel: Channel
) -> None:
    own = MemoryStorage()
    app = make_app(adapter, storage, ProactiveOptions(storage=own))
    assert app.proactive.storage is own

    await user_says(adapter, app, "-s")

    assert await own.read([KEY], target_cls=Raw)
    assert not await storage.read([KEY], target_cls=Raw)


async def test_storing_an_incomplete_conversation_is_refused(
    app: AgentApplication[TurnState], storage: MemoryStorage
) -> None:
    with pytest.raises(ValueError, match="service URL"):
        await app.proactive.store_conversation(Conversation({}, reference(service_url=None)))
    assert not await storage.read([KEY], target_cls=Raw)


async def test_store_get_and_delete_a_conversation(app: AgentApplication[TurnState]) -> None:
    proactive = app.proactive
    conversation = Conversation({"aud": APP_ID}, reference())

    assert await proactive.store_conversation(conversation) is conversation
    assert await proactive.get_conversation(CONVERSATION_ID) == conversation
    # Storing again replaces it (the last write wins, no e-tag conflict).
    changed = Conversation({"aud": APP_ID}, reference(locale="de-DE"))
    await proactive.store_conversation(changed)
    await proactive.store_conversation(conversation)
    assert await proactive.get_conversation(CONVERSATION_ID) == conversation

    await proactive.delete_conversation(CONVERSATION_ID)
    assert await proactive.get_conversation(CONVERSATION_ID) is None
    await proactive.delete_conversation(CONVERSATION_ID)  # not stored: nothing happens
    assert await proactive.get_conversation("never-stored") is None
    with pytest.raises(ValueError, match="non-empty"):
        await proactive.get_conversation("")
    assert Proactive.storage_key("x:1") == "proactive/conversations/x:1"


# ---------------------------------------------------------------------- send_activity


async def test_a_proactive_send_reaches_the_stored_conversation(
    app: AgentApplication[TurnState],
    adapter: ChannelServiceAdapter,
    connections: FakeConnections,
    channel: Channel,
) -> None:
    await user_says(adapter, app, "-s")
    connections.provider.requests.clear()

    receipt = await app.proactive.send_activity(
        adapter, CONVERSATION_ID, MessageFactory.text("Your report is ready.")
    )

    assert receipt is not None
    assert receipt.id == "sent-2"  # the id the channel gave (its second activity)
    _, (url, headers, body) = channel.sent
    assert re.fullmatch(re.escape(ACTIVITIES) + r"/[0-9a-f-]{36}", url)
    assert body["type"] == "message"
    assert body["text"] == "Your report is ready."
    assert body["conversation"] == {"id": CONVERSATION_ID}
    assert body["from"] == {"id": "28:agent", "name": "Agent"}
    assert body["recipient"] == {"id": "29:user", "name": "Ann"}
    assert body["channelId"] == "msteams"
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    # A channel conversation: every token is for the Bot Framework.
    assert connections.provider.requests
    assert all(
        request == (BOT_FRAMEWORK, [f"{BOT_FRAMEWORK}/.default"])
        for request in connections.provider.requests
    )


async def test_send_takes_a_conversation_object_and_plain_text(
    app: AgentApplication[TurnState], adapter: ChannelServiceAdapter, channel: Channel
) -> None:
    conversation = Conversation({"aud": APP_ID, "appid": APP_ID}, reference())

    await app.proactive.send_activity(adapter, conversation, "ping")

    ((url, _, body),) = channel.sent
    assert url.startswith(ACTIVITIES + "/")
    assert body["text"] == "ping"
    assert await app.proactive.get_conversation(CONVERSATION_ID) is None  # not stored


async def test_sending_to_an_unknown_id_is_a_key_error_and_sends_nothing(
    app: AgentApplication[TurnState], adapter: ChannelServiceAdapter, channel: Channel
) -> None:
    with pytest.raises(KeyError, match="nobody-stored-this"):
        await app.proactive.send_activity(adapter, "nobody-stored-this", "hi")
    with pytest.raises(KeyError, match="nobody-stored-this"):
        await app.proactive.continue_conversation(adapter, "nobody-stored-this", _never)
    assert channel.sent == []


async def _never(context: TurnContext, state: TurnState) -> None:
    raise AssertionError("the handler must not run")


async def test_a_refused_send_is_raised_to_the_caller_not_to_the_error_handler(
    app: AgentApplication[TurnState], adapter: ChannelServiceAdapter
) -> None:
    handled: list[Exception] = []

    @app.error
    async def on_error(context: TurnContext, error: Exception) -> None:
        handled.append(error)

    await app.proactive.store_conversation(Conversation({"aud": APP_ID}, reference()))
    with aioresponses() as m:
        m.post(
            re.compile(re.escape(ACTIVITIES) + ".*"),
            status=403,
            payload={"error": {"code": "BotNotInConversationRoster", "message": "no"}},
        )
        with pytest.raises(ServiceError) as raised:
            await app.proactive.send_activity(adapter, CONVERSATION_ID, "hi")
    assert raised.value.status == 403
    assert raised.value.code == "BotNotInConversationRoster"
    assert handled == []


# ---------------------------------------------------------------------- continue_conversation


async def test_state_written_in_a_proactive_turn_is_there_in_the_next_turn(
    app: AgentApplication[TurnState], adapter: ChannelServiceAdapter, channel: Channel
) -> None:
    await user_says(adapter, app, "-s")
    seen: list[Activity] = []

    async def note(context: TurnContext, state: TurnState) -> None:
        seen.append(context.activity)
        state.conversation.set_value("note", "written proactively")
        state.user.set_value("seen", True)
        await context.send_activity("noted")

    await app.proactive.continue_conversation(adapter, CONVERSATION_ID, note)
    await user_says(adapter, app, "show")

    (event,) = seen
    assert (event.type, event.name) == ("event", "ContinueConversation")
    assert event.conversation is not None
    assert event.conversation.id == CONVERSATION_ID
    assert channel.texts == [
        f"Conversation stored: {CONVERSATION_ID}",
        "noted",
        "note=written proactively seen=True",
    ]


async def test_the_continuation_activity_carries_what_the_handler_needs(
    app: AgentApplication[TurnState], adapter: ChannelServiceAdapter, channel: Channel
) -> None:
    conversation = Conversation({"aud": APP_ID}, reference())
    await app.proactive.store_conversation(conversation)

    async def echo(context: TurnContext, state: TurnState) -> None:
        await context.send_activity(f"You said: {context.activity.value['text']}")

    continuation = conversation.conversation_reference.get_continuation_activity()
    continuation.value = {"text": "hello"}
    await app.proactive.continue_conversation(
        adapter, CONVERSATION_ID, echo, continuation_activity=continuation
    )
    # An activity without a conversation is addressed through the stored reference.
    bare = Activity(type="event", name="nightly", value={"text": "again"})
    await app.proactive.continue_conversation(
        adapter, conversation, echo, continuation_activity=bare
    )

    assert channel.texts == ["You said: hello", "You said: again"]
    assert all(body["conversation"]["id"] == CONVERSATION_ID for body in channel.bodies)
    assert all(body["recipient"]["id"] == "29:user" for body in channel.bodies)
    assert bare.conversation is None  # the caller's activity is left alone


async def test_a_failing_handler_goes_to_the_error_handler_and_saves_no_state(
    app: AgentApplication[TurnState],
    adapter: ChannelServiceAdapter,
    channel: Channel,
) -> None:
    await app.proactive.store_conversation(Conversation({"aud": APP_ID}, reference()))

    async def broken(context: TurnContext, state: TurnState) -> None:
        state.conversation.set_value("note", "lost")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):  # no on_turn_error: raised to the caller
        await app.proactive.continue_conversation(adapter, CONVERSATION_ID, broken)

    handled: list[Exception] = []

    @app.error
    async def on_error(context: TurnContext, error: Exception) -> None:
        handled.append(error)

    await app.proactive.continue_conversation(adapter, CONVERSATION_ID, broken)
    assert [str(error) for error in handled] == ["boom"]

    await user_says(adapter, app, "show")
    assert channel.texts == ["note=None seen=False"]


# ---------------------------------------------------------------------- token handlers


async def test_token_handlers_need_an_authorization(
    app: AgentApplication[TurnState], adapter: ChannelServiceAdapter, channel: Channel
) -> None:
    await app.proactive.store_conversation(Conversation({"aud": APP_ID}, reference()))
    with pytest.raises(ApplicationError, match="authorization"):
        await app.proactive.continue_conversation(
            adapter, CONVERSATION_ID, _never, token_handlers=["ME"]
        )
    assert channel.sent == []


async def test_a_user_not_signed_in_stops_the_turn_with_runtime_error(
    adapter: ChannelServiceAdapter, storage: MemoryStorage, channel: Channel
) -> None:
    sign_in = FakeSignIn({"GRAPH": "graph-token"})
    app = make_app(adapter, storage, authorization=sign_in)
    handled: list[Exception] = []

    @app.error
    async def on_error(context: TurnContext, error: Exception) -> None:
        handled.append(error)

    await app.proactive.store_conversation(Conversation({"aud": APP_ID}, reference()))
    with pytest.raises(RuntimeError, match="not signed in to ME") as raised:
        await app.proactive.continue_conversation(
            adapter, CONVERSATION_ID, _never, token_handlers=["GRAPH", "ME"]
        )

    assert "fail_on_unsigned_in_connections=False" in str(raised.value)
    assert "graph-token" not in str(raised.value)
    assert sign_in.asked == [(CONVERSATION_ID, "GRAPH"), (CONVERSATION_ID, "ME")]
    assert handled == []  # the caller gets it, the chat gets no error message
    assert channel.sent == []


async def test_signed_in_users_and_the_lenient_option_run_the_handler(
    adapter: ChannelServiceAdapter, storage: MemoryStorage, channel: Channel
) -> None:
    async def greet(context: TurnContext, state: TurnState) -> None:
        await context.send_activity("with tokens")

    signed_in = make_app(adapter, storage, authorization=FakeSignIn({"ME": "t"}))
    await signed_in.proactive.store_conversation(Conversation({"aud": APP_ID}, reference()))
    await signed_in.proactive.continue_conversation(
        adapter, CONVERSATION_ID, greet, token_handlers=["ME"]
    )

    lenient = make_app(
        adapter,
        storage,
        ProactiveOptions(fail_on_unsigned_in_connections=False),
        authorization=FakeSignIn({}),
    )
    await lenient.proactive.continue_conversation(
        adapter, CONVERSATION_ID, greet, token_handlers=["ME"]
    )

    assert channel.texts == ["with tokens", "with tokens"]


async def test_with_todays_authorization_an_unknown_handler_is_raised_to_the_caller(
    adapter: ChannelServiceAdapter, storage: MemoryStorage, channel: Channel
) -> None:
    app = make_app(adapter, storage, authorization=Authorization(storage, None))
    await app.proactive.store_conversation(Conversation({"aud": APP_ID}, reference()))
    with pytest.raises(ApplicationError, match="no sign-in handler ME"):
        await app.proactive.continue_conversation(
            adapter, CONVERSATION_ID, _never, token_handlers=["ME"]
        )
    assert channel.sent == []


# ---------------------------------------------------------------------- create_conversation


async def test_create_conversation_runs_the_handler_stores_it_and_it_can_be_continued(
    app: AgentApplication[TurnState], adapter: ChannelServiceAdapter, channel: Channel
) -> None:
    create_url = URL(SERVICE_URL + "v3/conversations", encoded=True)
    channel.mock.post(
        create_url,
        payload={"id": "new-conv", "activityId": "first", "serviceUrl": SERVICE_URL},
    )
    identity = ClaimsIdentity({"aud": APP_ID, "appid": APP_ID, "exp": 1})
    options = CreateConversationOptions(
        identity,
        channel_id="msteams",
        service_url=SERVICE_URL,
        parameters=ConversationParameters(
            agent=ChannelAccount(id="28:agent"),
            members=[ChannelAccount(id="29:user")],
            tenant_id="tenant-1",
        ),
        store_conversation=True,
    )

    async def welcome(context: TurnContext, state: TurnState) -> None:
        state.conversation.set_value("note", "welcomed")
        await context.send_activity("Welcome!")

    conversation = await app.proactive.create_conversation(adapter, options, welcome)
    await app.proactive.send_activity(adapter, "new-conv", "later")
    await adapter.process_activity(
        channel_claims(), message("show", conversation={"id": "new-conv"}), app.on_turn
    )

    assert conversation.id == "new-conv"
    assert conversation.claims == {"aud": APP_ID, "appid": APP_ID}
    assert conversation.conversation_reference.user == ChannelAccount(id="29:user")
    assert await app.proactive.get_conversation("new-conv") == conversation
    (create,) = channel.mock.requests[("POST", create_url)]
    assert json.loads(create.kwargs["data"])["members"] == [{"id": "29:user"}]
    assert [(url.rsplit("/", 1)[0], body["text"]) for url, _, body in channel.sent] == [
        (SERVICE_URL + "v3/conversations/new-conv/activities", "Welcome!"),
        (SERVICE_URL + "v3/conversations/new-conv/activities", "later"),
        (SERVICE_URL + "v3/conversations/new-conv/activities", "note=welcomed seen=False"),
    ]
    assert channel.bodies[0]["recipient"] == {"id": "29:user"}


async def test_create_conversation_needs_a_channel_and_a_service_url(
    app: AgentApplication[TurnState], adapter: ChannelServiceAdapter, channel: Channel
) -> None:
    identity = ClaimsIdentity({"aud": APP_ID})
    with pytest.raises(ValueError, match="channel_id"):
        await app.proactive.create_conversation(
            adapter, CreateConversationOptions(identity, service_url=SERVICE_URL)
        )
    with pytest.raises(ValueError, match="service_url"):
        await app.proactive.create_conversation(
            adapter, CreateConversationOptions(identity, channel_id="msteams")
        )
    assert channel.sent == []


async def test_create_conversation_without_a_handler_or_storing(
    app: AgentApplication[TurnState], adapter: ChannelServiceAdapter
) -> None:
    with aioresponses() as m:
        m.post(URL(SERVICE_URL + "v3/conversations", encoded=True), payload={"id": "group-1"})
        conversation = await app.proactive.create_conversation(
            adapter,
            CreateConversationOptions(
                ClaimsIdentity({"aud": APP_ID}),
                channel_id="msteams",
                service_url=SERVICE_URL,
                parameters=ConversationParameters(
                    is_group=True, members=[ChannelAccount(id="a"), ChannelAccount(id="b")]
                ),
            ),
        )
    assert conversation.id == "group-1"
    assert conversation.conversation_reference.user is None  # several members: no one user
    assert await app.proactive.get_conversation("group-1") is None


# ---------------------------------------------------------------------- builders


def test_the_reference_builder_builds_a_reference_fluently() -> None:
    built = (
        ConversationReferenceBuilder.create("28:agent", "msteams")
        .with_conversation(CONVERSATION_ID, tenant_id="tenant-1")
        .with_user("29:user", "Ann")
        .with_service_url(SERVICE_URL)
        .with_locale("en-US")
        .with_activity_id("m1")
        .build()
    )
    assert built.model_dump(by_alias=True, exclude_none=True) == reference(
        agent=ChannelAccount(id="28:agent")
    ).model_dump(by_alias=True, exclude_none=True)


def test_the_reference_builder_needs_a_channel_and_a_conversation() -> None:
    with pytest.raises(ValueError, match="channel id"):
        ConversationReferenceBuilder.create("28:agent", "")
    with pytest.raises(ValueError, match="with_conversation"):
        ConversationReferenceBuilder.create("28:agent", "msteams").build()


async def test_a_built_conversation_can_be_sent_to(
    app: AgentApplication[TurnState], adapter: ChannelServiceAdapter, channel: Channel
) -> None:
    conversation = (
        ConversationBuilder.create(APP_ID, "msteams")
        .with_agent("28:agent", "Agent")
        .with_conversation(CONVERSATION_ID)
        .with_user("29:user")
        .with_service_url(SERVICE_URL)
        .build()
    )
    assert conversation.claims == {"aud": APP_ID, "appid": APP_ID}

    await app.proactive.send_activity(adapter, conversation, "built")

    ((url, _, body),) = channel.sent
    assert url.startswith(ACTIVITIES + "/")
    assert body["from"] == {"id": "28:agent", "name": "Agent"}
    assert body["recipient"] == {"id": "29:user"}


def test_the_conversation_builder_validates_and_takes_claims_or_a_reference() -> None:
    with pytest.raises(ValueError, match="service URL"):
        ConversationBuilder.create(APP_ID, "msteams").with_conversation("c").build()

    anonymous = (
        ConversationBuilder.create("", "webchat", SERVICE_URL).with_conversation("c").build()
    )
    assert anonymous.claims == {}
    assert anonymous.conversation_reference.agent is None

    identity = ClaimsIdentity({"aud": APP_ID, "tid": "tenant-1", "exp": 5})
    copied = (
        ConversationBuilder.create(APP_ID, "msteams")
        .with_reference(reference())
        .with_claims(identity)
        .build()
    )
    assert copied == Conversation({"aud": APP_ID, "tid": "tenant-1"}, reference())
