"""Every example of the seed README (``seed_examples.py``) runs as written.

Each test executes one example's code unchanged, in a namespace that holds only the names
the example uses without defining them (the README assumes them from earlier examples:
``config``, ``auth_config``, ``your_agent``, ``MemoryStorage``, ...). Where an example
blocks on ``run_app``, that call is replaced by one that keeps the application, which the
test then serves on 127.0.0.1 and talks to.

One example needs a package that does not exist yet and is not run: "Teams Integration"
(``microsoft_agents.hosting.teams``).
"""

from __future__ import annotations

import contextlib
import itertools
import sys
import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from microsoft_agents.activity import Activity, ResourceResponse, load_configuration_from_env
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import (
    AgentApplication,
    AgentAuthConfiguration,
    ClaimsIdentity,
    JwtTokenValidator,
    MemoryStorage,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.testing import TestAdapter

from .local_identity import (
    BOT_FRAMEWORK_LOGIN_HOST,
    BotFrameworkIssuer,
    LocalResolver,
    LocalTls,
    ThreadedServer,
    serve_tls,
)
from .seed_examples import EXAMPLES

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "test_samples"
APP_ID = "5e1c7f3a-9b2d-4c6e-8f1a-3b5d7e9f1c2a"
TENANT = "2d4f6a8c-1e3b-4d5f-8a7c-9e1b3d5f7a9c"
ENV_AUTHENTICATED = {
    "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": APP_ID,
    "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET": "seed-readme-secret",
    "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID": TENANT,
}
ENV_SETTINGS = {key.rsplit("__", 1)[1]: value for key, value in ENV_AUTHENTICATED.items()}
ENV_ANONYMOUS = {"CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED": "true"}
_ids = itertools.count(1)


def run(title: str, **names: Any) -> dict[str, Any]:
    """Execute the example ``title`` with ``names`` predefined; returns its namespace.

    aiohttp's ``NotAppKeyWarning`` (the examples use string keys such as
    ``app["agent_configuration"]``, as the SDK's samples do) is only advice, so it is
    not turned into an error here.
    """
    namespace: dict[str, Any] = {"__name__": f"seed_example_{next(_ids)}", **names}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        exec(compile(EXAMPLES[title], f"<seed README: {title}>", "exec"), namespace)
    return namespace


def put(app: web.Application, key: str, value: Any) -> None:
    """``app[key] = value`` with a string key, as the examples and samples do."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        app[key] = value


def message(**fields: Any) -> dict[str, Any]:
    """A message asking for its replies in the HTTP response (no channel to post to)."""
    activity: dict[str, Any] = {
        "type": "message",
        "id": f"m-{next(_ids)}",
        "channelId": "emulator",
        "deliveryMode": "expectReplies",
        "from": {"id": "user-1", "name": "User"},
        "recipient": {"id": "agent-1", "name": "Agent"},
        "conversation": {"id": "conversation-1"},
        "text": "hi",
    }
    activity.update(fields)
    return activity


def texts(body: dict[str, Any]) -> list[str]:
    return [a.get("text") for a in body["activities"] if a["type"] == "message"]


@pytest.fixture
def captured_run_app(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Replaces ``aiohttp.web.run_app``: the application is kept instead of served."""
    seen: dict[str, Any] = {}

    def keep(app: web.Application, **kwargs: Any) -> None:
        seen["app"] = app
        seen.update(kwargs)

    monkeypatch.setattr(web, "run_app", keep)
    return seen


@pytest.fixture
async def bot_framework() -> AsyncIterator[tuple[BotFrameworkIssuer, aiohttp.ClientSession]]:
    """The Bot Framework's keys on 127.0.0.1, and a session that reaches them by name."""
    issuer = BotFrameworkIssuer(endorsements=["emulator", "msteams"])
    tls = LocalTls([BOT_FRAMEWORK_LOGIN_HOST])
    runner, port = await serve_tls(issuer.application(), tls)
    connector = aiohttp.TCPConnector(
        resolver=LocalResolver({BOT_FRAMEWORK_LOGIN_HOST: port}), ssl=tls.client_context
    )
    session = aiohttp.ClientSession(connector=connector)
    try:
        yield issuer, session
    finally:
        await session.close()
        await runner.cleanup()


# ---------------------------------------------------------------------- Quick Start


async def test_basic_agent_server_with_authentication(
    captured_run_app: dict[str, Any],
    make_client: Any,
    bot_framework: tuple[BotFrameworkIssuer, aiohttp.ClientSession],
) -> None:
    config = load_configuration_from_env(ENV_AUTHENTICATED)
    auth_config = AgentAuthConfiguration(**config["CONNECTIONS"]["SERVICE_CONNECTION"]["SETTINGS"])
    names = run("Basic Agent Server", config=config, auth_config=auth_config)
    assert (captured_run_app["host"], captured_run_app["port"]) == ("localhost", 3978)
    app: web.Application = captured_run_app["app"]
    assert app["agent_app"] is names["agent_app"]
    issuer, session = bot_framework
    put(app, "jwt_validator", JwtTokenValidator(auth_config, session=session))
    client = await make_client(app)

    refused = await client.post("/api/messages", json=message())
    assert refused.status == 401
    assert await refused.json() == {"error": "Authorization header not found"}
    forged = await client.post(
        "/api/messages", json=message(), headers={"Authorization": "Bearer not-a-token"}
    )
    assert forged.status == 401

    token = issuer.token(APP_ID, "https://smba.trafficmanager.net/amer/")
    accepted = await client.post(
        "/api/messages", json=message(), headers={"Authorization": f"Bearer {token}"}
    )
    assert accepted.status == 200
    assert await accepted.json() == {"activities": []}  # the example registers no handler
    await names["adapter"].close()


async def test_basic_agent_server_in_anonymous_mode(
    captured_run_app: dict[str, Any], make_client: Any
) -> None:
    config = load_configuration_from_env(ENV_ANONYMOUS)
    names = run(
        "Basic Agent Server",
        config=config,
        auth_config=AgentAuthConfiguration(ANONYMOUS_ALLOWED=True),
    )
    client = await make_client(captured_run_app["app"])
    response = await client.post("/api/messages", json=message())
    assert response.status == 200
    await names["adapter"].close()


async def test_simple_echo_agent(
    captured_run_app: dict[str, Any], make_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(SAMPLES))  # where `shared` (the sample helper) lives
    monkeypatch.delitem(sys.modules, "shared", raising=False)
    run("Simple Echo Agent", MemoryStorage=MemoryStorage)
    adapter = captured_run_app["app"]["adapter"]
    closes: list[float | None] = []
    close = adapter.close

    async def spy(timeout: float | None = 10.0) -> None:
        closes.append(timeout)
        await close(timeout)

    monkeypatch.setattr(adapter, "close", spy)
    client = await make_client(captured_run_app["app"])
    response = await client.post("/api/messages", json=message(text="ping"))
    assert response.status == 200
    assert texts(await response.json()) == ["You said: ping"]
    assert (await client.get("/api/messages")).status == 200
    await client.close()  # the server's shutdown closes the adapter
    assert len(closes) == 1


# ---------------------------------------------------------------------- Core Components


class FailingAgent:
    async def on_turn(self, context: TurnContext) -> None:
        raise RuntimeError("the agent broke")


async def test_cloud_adapter_with_a_custom_error_handler(
    make_client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    connection_manager = MsalConnectionManager(**load_configuration_from_env(ENV_ANONYMOUS))
    names = run("CloudAdapter", connection_manager=connection_manager, your_agent=FailingAgent())
    app = web.Application()
    app.router.add_post("/api/messages", names["handle_messages"])
    client = await make_client(app)
    response = await client.post("/api/messages", json=message())
    assert response.status == 200
    assert texts(await response.json()) == ["Sorry, something went wrong."]
    assert "Error: the agent broke" in capsys.readouterr().out
    await names["adapter"].close()


async def test_jwt_authorization_middleware_and_decorator(make_client: Any) -> None:
    names = run("JWT Authorization Middleware", Application=web.Application, Response=web.Response)
    app: web.Application = names["app"]
    put(app, "agent_configuration", AgentAuthConfiguration(ANONYMOUS_ALLOWED=True))
    app.router.add_get("/hello", names["protected_endpoint"])
    client = await make_client(app)
    assert await (await client.get("/hello")).text() == "Hello None"  # anonymous caller

    guarded = web.Application()
    put(guarded, "agent_configuration", AgentAuthConfiguration(**ENV_SETTINGS))
    guarded.router.add_get("/hello", names["protected_endpoint"])
    refused = await (await make_client(guarded)).get("/hello")
    assert refused.status == 401


class Relay:
    """A ChannelApiHandlerProtocol that records what the called agent sent back."""

    def __init__(self) -> None:
        self.received: list[tuple[str, Activity]] = []

    async def on_send_to_conversation(
        self, claims: ClaimsIdentity, conversation_id: str, activity: Activity
    ) -> ResourceResponse:
        self.received.append((conversation_id, activity))
        return ResourceResponse(id="relayed-1")

    async def on_reply_to_activity(
        self, claims: ClaimsIdentity, conversation_id: str, activity_id: str, activity: Activity
    ) -> ResourceResponse:
        self.received.append((conversation_id, activity))
        return ResourceResponse(id="relayed-2")

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("on_"):
            raise AttributeError(name)

        async def unsupported(*args: Any, **kwargs: Any) -> None:
            raise NotImplementedError(name)

        return unsupported


async def test_channel_service_routing(make_client: Any) -> None:
    relay = Relay()
    app = web.Application()
    run("Channel Service Routing", app=app, your_agent=relay)
    put(app, "agent_configuration", AgentAuthConfiguration(ANONYMOUS_ALLOWED=True))
    from microsoft_agents.hosting.aiohttp import jwt_authorization_middleware

    app.middlewares.append(jwt_authorization_middleware)
    client = await make_client(app)
    reply = {"type": "message", "text": "from the other agent", "conversation": {"id": "c7"}}
    response = await client.post("/api/botresponse/v3/conversations/c7/activities", json=reply)
    assert response.status == 200
    assert await response.json() == {"id": "relayed-1"}
    assert [(c, a.text) for c, a in relay.received] == [("c7", "from the other agent")]


# ---------------------------------------------------------------------- Authentication


def test_full_setup_with_authentication(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key, value in ENV_AUTHENTICATED.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)  # load_dotenv() finds no .env here: the variables count
    names = run("Full Setup with Authentication", MemoryStorage=MemoryStorage, TurnState=TurnState)
    agent_app = names["agent_app"]
    assert agent_app.auth is names["authorization"]
    assert agent_app.adapter is names["adapter"]
    assert names["adapter"].channel_service_client_factory.auth_configured
    configuration = names["connection_manager"].get_default_connection_configuration()
    assert configuration.CLIENT_ID == APP_ID


# ---------------------------------------------------------------------- Advanced Features


async def test_streaming_responses() -> None:
    names = run("Streaming Responses", TurnContext=TurnContext)
    assert names["response"].citations[0].appearance.name == "Reference"
    adapter = TestAdapter()
    context = TurnContext(adapter, Activity.model_validate(message(deliveryMode=None)))
    await names["stream_response"](context)
    assert [a.text for a in adapter.sent] == ["Starting stream..."]


async def test_custom_middleware(make_client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from microsoft_agents.hosting.aiohttp import jwt_authorization_middleware

    names = run(
        "Custom Middleware",
        Application=web.Application,
        jwt_authorization_middleware=jwt_authorization_middleware,
    )
    app: web.Application = names["app"]
    agent = AgentApplication[TurnState](storage=MemoryStorage(), adapter=CloudAdapter())
    from microsoft_agents.hosting.aiohttp import start_agent_process

    async def messages(request: web.Request) -> web.StreamResponse:
        answer = await start_agent_process(request, agent, agent.adapter)
        assert answer is not None
        return answer

    app.router.add_post("/api/messages", messages)
    put(app, "agent_configuration", AgentAuthConfiguration(ANONYMOUS_ALLOWED=True))
    client = await make_client(app)
    await client.post("/api/messages", json=message())
    out = capsys.readouterr().out
    assert "Incoming request: POST /api/messages" in out
    assert "Response status: 200" in out
    await agent.adapter.close()


async def test_error_handling(make_client: Any) -> None:
    adapter = CloudAdapter()
    names = run("Error Handling", adapter=adapter, TurnContext=TurnContext)
    assert adapter.on_turn_error is names["custom_error_handler"]
    agent = AgentApplication[TurnState](storage=MemoryStorage(), adapter=adapter)

    @agent.message("forbidden")
    async def forbidden(context: TurnContext, state: TurnState) -> None:
        raise PermissionError("not for you")

    @agent.message("broken")
    async def broken(context: TurnContext, state: TurnState) -> None:
        raise ValueError("bad state")

    from microsoft_agents.hosting.aiohttp import create_app

    client = await make_client(create_app(agent))
    denied = await (await client.post("/api/messages", json=message(text="forbidden"))).json()
    assert texts(denied) == ["You don't have permission for this action"]
    failed = await (await client.post("/api/messages", json=message(text="broken"))).json()
    assert texts(failed) == ["An unexpected error occurred"]
    traces = [a for a in failed["activities"] if a["type"] == "trace"]
    assert [(t["name"], t["value"], t["valueType"], t["label"]) for t in traces] == [
        ("Error", "bad state", "error", "OnTurnError")
    ]


# ---------------------------------------------------------------------- Integration Patterns


async def test_multi_agent_systems(make_client: Any) -> None:
    from microsoft_agents.hosting.aiohttp import channel_service_route_table
    from microsoft_agents.hosting.core import HttpAgentChannelFactory

    first, second = Relay(), Relay()
    app = web.Application(middlewares=[])
    names = run(
        "Multi-Agent Systems",
        app=app,
        agent1=first,
        agent2=second,
        channel_service_route_table=channel_service_route_table,
    )
    assert isinstance(names["channel_factory"], HttpAgentChannelFactory)
    from microsoft_agents.hosting.aiohttp import jwt_authorization_middleware

    app.middlewares.append(jwt_authorization_middleware)
    put(app, "agent_configuration", AgentAuthConfiguration(ANONYMOUS_ALLOWED=True))
    client = await make_client(app)
    reply = {"type": "message", "text": "to two", "conversation": {"id": "c2"}}
    response = await client.post("/api/agent2/v3/conversations/c2/activities/x1", json=reply)
    assert response.status == 200
    assert [(c, a.text) for c, a in second.received] == [("c2", "to two")]
    assert first.received == []


@pytest.mark.parametrize(("environment", "authenticated"), [("development", False), ("", True)])
def test_development_vs_production(
    monkeypatch: pytest.MonkeyPatch, environment: str, authenticated: bool
) -> None:
    monkeypatch.setenv("ENVIRONMENT", environment)
    connection_manager = MsalConnectionManager(**load_configuration_from_env(ENV_AUTHENTICATED))
    import os

    names = run(
        "Development vs Production",
        os=os,
        CloudAdapter=CloudAdapter,
        connection_manager=connection_manager,
    )
    factory = names["adapter"].channel_service_client_factory
    assert factory.auth_configured is authenticated


# ---------------------------------------------------------------------- Testing Your Agent


@contextlib.contextmanager
def _quickstart_on_a_thread() -> Iterator[int]:
    from microsoft_agents.hosting.aiohttp import create_app

    agent = AgentApplication[TurnState](storage=MemoryStorage(), adapter=CloudAdapter())

    @agent.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        await context.send_activity(f"You said: {context.activity.text}")

    with ThreadedServer(create_app(agent)) as server:
        yield server.port


def test_testing_your_agent(capsys: pytest.CaptureFixture[str]) -> None:
    """The example posts an activity without a serviceUrl: the agent says 400, not 500.

    It is run against a server on a free port (the one change: the port in its URL).
    """
    with _quickstart_on_a_thread() as port:
        code = EXAMPLES["Testing Your Agent"].replace("localhost:3978", f"127.0.0.1:{port}")
        namespace: dict[str, Any] = {"__name__": "seed_testing_your_agent"}
        exec(compile(code, "<seed README: Testing Your Agent>", "exec"), namespace)
    assert capsys.readouterr().out.splitlines() == ["Status: 400"]


def test_every_example_is_run_or_named_as_not_yet_runnable() -> None:
    runnable = {
        "Basic Agent Server",
        "Simple Echo Agent",
        "CloudAdapter",
        "JWT Authorization Middleware",
        "Channel Service Routing",
        "Full Setup with Authentication",
        "Streaming Responses",
        "Custom Middleware",
        "Error Handling",
        "Development vs Production",
        "Multi-Agent Systems",
        "Testing Your Agent",
    }
    later = {"Teams Integration"}
    assert set(EXAMPLES) == runnable | later
