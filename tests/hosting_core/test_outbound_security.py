"""The bearer token never leaves for a host that is not allowed, or for another serviceUrl.

A reply, a proactive send and an attachment download aimed at a host outside the allow-list,
or at a serviceUrl other than the ``serviceurl`` claim of the token that brought the
activity, are refused before anything is sent: aioresponses records no request, the token
provider is never asked for a token, and the token appears nowhere in the log.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from aioresponses import aioresponses

from microsoft_agents.activity import Activity, ChannelAccount, ConversationAccount
from microsoft_agents.hosting.core import (
    ChannelServiceAdapter,
    ClaimsIdentity,
    ConnectorClientBase,
    HttpAdapterBase,
    OutboundHostValidator,
    OutboundRequestRefusedError,
    RestChannelServiceClientFactory,
    TurnContext,
)

from .channel_fakes import (
    APP_ID,
    SERVICE_URL,
    TOKEN,
    FakeConnections,
    FakeRequest,
    channel_claims,
    incoming,
    make_factory,
)

EVIL = "https://attacker.example/api/"
# An allowed host (botframework.com suffix) that is not the token's serviceurl claim.
OTHER_ALLOWED = "https://webchat.botframework.com/"


@pytest.fixture
def mocked() -> Iterator[aioresponses]:
    with aioresponses() as m:
        yield m


def assert_nothing_leaked(
    mocked: aioresponses, connections: FakeConnections, caplog: pytest.LogCaptureFixture
) -> None:
    assert dict(mocked.requests) == {}
    assert connections.provider.asked == 0
    assert TOKEN not in caplog.text


def refusals(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "refused" in r.getMessage()]


async def never_runs(context: TurnContext) -> None:
    raise AssertionError("the turn must not run when its replies cannot be delivered")


# ---------------------------------------------------------------------------- defaults


def test_the_validator_is_on_whenever_a_client_id_is_configured() -> None:
    assert RestChannelServiceClientFactory(FakeConnections()).host_validator.enabled


def test_development_mode_replies_only_to_this_machine() -> None:
    """Anyone may post in development mode, so replies must not reach other hosts (SSRF)."""
    development = RestChannelServiceClientFactory(FakeConnections(client_id=None))
    validator = development.host_validator
    assert validator.enabled
    assert validator.is_allowed("http://localhost:3978/")
    assert validator.is_allowed("http://127.0.0.1:56789/v3/conversations/c/activities")
    assert not validator.is_allowed("https://smba.trafficmanager.net/amer/")
    assert not validator.is_allowed("http://169.254.169.254/latest/meta-data/")


def test_loopback_http_is_refused_once_auth_is_configured() -> None:
    validator = RestChannelServiceClientFactory(FakeConnections()).host_validator
    assert not validator.is_allowed("http://localhost:3978/")
    relaxed = RestChannelServiceClientFactory(
        FakeConnections(anonymous_allowed=True)
    ).host_validator
    assert relaxed.is_allowed("http://localhost:3978/")
    assert not relaxed.is_allowed("http://attacker.example/")


# ---------------------------------------------------------------------------- replies


@pytest.mark.parametrize("service_url", [EVIL, "http://smba.trafficmanager.net/amer/"])
async def test_a_reply_to_a_host_that_is_not_allowed_sends_no_token(
    factory: RestChannelServiceClientFactory,
    connections: FakeConnections,
    mocked: aioresponses,
    caplog: pytest.LogCaptureFixture,
    service_url: str,
) -> None:
    adapter = ChannelServiceAdapter(factory)
    activity = Activity.model_validate(incoming(serviceUrl=service_url))
    with caplog.at_level(logging.DEBUG), pytest.raises(OutboundRequestRefusedError):
        await adapter.process_activity(channel_claims(None), activity, never_runs)
    assert_nothing_leaked(mocked, connections, caplog)
    assert refusals(caplog)


async def test_a_reply_to_a_service_url_other_than_the_claim_sends_no_token(
    factory: RestChannelServiceClientFactory,
    connections: FakeConnections,
    mocked: aioresponses,
    caplog: pytest.LogCaptureFixture,
) -> None:
    adapter = ChannelServiceAdapter(factory)
    activity = Activity.model_validate(incoming(serviceUrl=OTHER_ALLOWED))
    with caplog.at_level(logging.DEBUG), pytest.raises(OutboundRequestRefusedError) as refused:
        await adapter.process_activity(channel_claims(SERVICE_URL), activity, never_runs)
    assert "serviceUrl" in refused.value.reason
    assert_nothing_leaked(mocked, connections, caplog)
    assert refusals(caplog)


@pytest.mark.parametrize(
    ("service_url", "claim", "error"),
    [
        (EVIL, None, "Service URL is not allowed by the host validator."),
        (
            OTHER_ALLOWED,
            SERVICE_URL,
            "Service URL does not match the serviceurl claim of the token.",
        ),
    ],
)
async def test_the_http_endpoint_answers_401_and_sends_nothing(
    factory: RestChannelServiceClientFactory,
    connections: FakeConnections,
    mocked: aioresponses,
    caplog: pytest.LogCaptureFixture,
    service_url: str,
    claim: str | None,
    error: str,
) -> None:
    adapter = HttpAdapterBase(channel_service_client_factory=factory)
    request = FakeRequest(incoming(serviceUrl=service_url), claims=channel_claims(claim))

    class Agent:
        on_turn = staticmethod(never_runs)

    with caplog.at_level(logging.DEBUG):
        response = await adapter.process_request(request, Agent())
    assert (response.status_code, json.loads(response.body_bytes())) == (401, {"error": error})
    assert_nothing_leaked(mocked, connections, caplog)


async def test_with_the_validator_disabled_a_claim_mismatch_is_only_a_warning(
    connections: FakeConnections, mocked: aioresponses, caplog: pytest.LogCaptureFixture
) -> None:
    factory = make_factory(connections, host_validator=OutboundHostValidator(enabled=False))
    adapter = HttpAdapterBase(channel_service_client_factory=factory)
    request = FakeRequest(incoming(serviceUrl=OTHER_ALLOWED), claims=channel_claims(SERVICE_URL))

    class Agent:
        async def on_turn(self, context: TurnContext) -> None:
            return None

    with caplog.at_level(logging.WARNING):
        response = await adapter.process_request(request, Agent())
    await factory.close()
    assert response.status_code == 202
    assert any("serviceurl claim" in r.getMessage() for r in caplog.records)


# ---------------------------------------------------------------------------- proactive


@pytest.mark.parametrize("service_url", [EVIL, "https://smba.trafficmanager.net.attacker.example/"])
async def test_a_proactive_send_to_a_host_that_is_not_allowed_sends_no_token(
    factory: RestChannelServiceClientFactory,
    connections: FakeConnections,
    mocked: aioresponses,
    caplog: pytest.LogCaptureFixture,
    service_url: str,
) -> None:
    """A7560: a reference's serviceUrl is never trusted as it is, stored or not.

    Whatever a stored reference says, the request of a proactive turn passes the host
    allow-list like a reply, so a reference changed in the storage gets no token sent.
    """
    adapter = ChannelServiceAdapter(factory)
    event = Activity(
        type="event",
        name="ContinueConversation",
        service_url=service_url,
        channel_id="msteams",
        conversation=ConversationAccount(id="conv1"),
        recipient=ChannelAccount(id="28:agent"),
    )
    with caplog.at_level(logging.DEBUG), pytest.raises(OutboundRequestRefusedError):
        await adapter.continue_conversation(APP_ID, event, never_runs)
    assert_nothing_leaked(mocked, connections, caplog)


async def test_a_proactive_send_with_claims_for_another_service_url_sends_no_token(
    factory: RestChannelServiceClientFactory,
    connections: FakeConnections,
    mocked: aioresponses,
    caplog: pytest.LogCaptureFixture,
) -> None:
    adapter = ChannelServiceAdapter(factory)
    event = Activity.model_validate(incoming(type="event", serviceUrl=OTHER_ALLOWED))
    with caplog.at_level(logging.DEBUG), pytest.raises(OutboundRequestRefusedError):
        await adapter.continue_conversation_with_claims(
            channel_claims(SERVICE_URL), event, never_runs
        )
    assert_nothing_leaked(mocked, connections, caplog)


async def test_create_conversation_on_a_host_that_is_not_allowed_sends_no_token(
    factory: RestChannelServiceClientFactory,
    connections: FakeConnections,
    mocked: aioresponses,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from microsoft_agents.activity import ConversationParameters

    adapter = ChannelServiceAdapter(factory)
    with caplog.at_level(logging.DEBUG), pytest.raises(OutboundRequestRefusedError):
        await adapter.create_conversation(
            APP_ID,
            "msteams",
            EVIL,
            "https://api.botframework.com",
            ConversationParameters(),
            never_runs,
        )
    assert_nothing_leaked(mocked, connections, caplog)


# ---------------------------------------------------------------------------- attachments


async def test_an_attachment_download_from_a_host_that_is_not_allowed_sends_no_token(
    factory: RestChannelServiceClientFactory,
    connections: FakeConnections,
    mocked: aioresponses,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The download would use the turn's connector client: refused before it exists."""
    adapter = ChannelServiceAdapter(factory)
    downloads: list[Any] = []

    async def download(context: TurnContext) -> None:
        client = context.services.get(ConnectorClientBase)  # type: ignore[type-abstract]
        assert client is not None
        downloads.append(await client.attachments.get_attachment("att1", "original"))

    activity = Activity.model_validate(incoming(serviceUrl=EVIL))
    with caplog.at_level(logging.DEBUG), pytest.raises(OutboundRequestRefusedError):
        await adapter.process_activity(channel_claims(None), activity, download)
    assert downloads == []
    assert_nothing_leaked(mocked, connections, caplog)


async def test_a_client_for_an_allowed_host_still_refuses_other_hosts(
    factory: RestChannelServiceClientFactory,
    connections: FakeConnections,
    mocked: aioresponses,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The factory's validator travels with every client it makes (checked per request)."""
    adapter = ChannelServiceAdapter(factory)
    context = TurnContext(adapter, Activity.model_validate(incoming()))
    client = await factory.create_connector_client(
        context, channel_claims(), SERVICE_URL, "https://api.botframework.com"
    )
    validator = factory.host_validator
    assert validator.is_allowed(client.base_uri)
    with pytest.raises(OutboundRequestRefusedError):
        await factory.create_connector_client(
            context, ClaimsIdentity({"aud": APP_ID}), EVIL, "https://api.botframework.com"
        )
    await client.close()
    assert dict(mocked.requests) == {}
    assert connections.provider.asked == 1  # only for the allowed host
    assert TOKEN not in caplog.text


# ---------------------------------------------------------------------------- agent callers

CALLER = "00000000-0000-0000-0000-0000000000cc"
CALLBACK = "https://root.contoso.example/api/botresponse/"


def agent_claims() -> ClaimsIdentity:
    """The claims of a token another agent sent: ``appid`` is the caller, ``aud`` is us."""
    claims = {
        "ver": "1.0",
        "aud": APP_ID,
        "appid": CALLER,
        "iss": "https://sts.windows.net/tenant-1/",
    }
    return ClaimsIdentity(claims, authentication_type="Bearer", security_token=TOKEN)


def test_agent_callbacks_may_be_on_any_https_host_but_loopback() -> None:
    validator = RestChannelServiceClientFactory(FakeConnections()).host_validator
    callbacks = validator.for_agent_callbacks()
    assert not validator.is_allowed(CALLBACK)
    assert callbacks.is_allowed(CALLBACK)
    assert callbacks.is_allowed(SERVICE_URL)
    assert not callbacks.is_allowed("http://root.contoso.example/api/botresponse/")
    assert not callbacks.is_allowed("https://127.0.0.1:8443/api/botresponse/")
    assert not callbacks.is_allowed("https://localhost/api/botresponse/")
    assert not callbacks.is_allowed("ftp://root.contoso.example/")
    assert callbacks is validator.for_agent_callbacks()
    assert "agent callbacks" in repr(callbacks)
    disabled = OutboundHostValidator(enabled=False)
    assert disabled.for_agent_callbacks() is disabled


def test_agent_callbacks_follow_the_loopback_setting() -> None:
    validator = OutboundHostValidator(enabled=True)
    callbacks = validator.for_agent_callbacks()
    assert not callbacks.is_allowed("http://localhost:3978/api/botresponse/")
    validator.allow_loopback_http = True
    assert callbacks.is_allowed("http://localhost:3978/api/botresponse/")


async def test_a_reply_to_an_agent_caller_goes_to_its_callback_with_its_token(
    factory: RestChannelServiceClientFactory,
    connections: FakeConnections,
    mocked: aioresponses,
) -> None:
    """The skill answers the root on the root's own host, with a token for the root."""
    mocked.post(re.compile(re.escape(CALLBACK) + ".*"), payload={"id": "r1"})
    adapter = HttpAdapterBase(channel_service_client_factory=factory)
    request = FakeRequest(incoming(serviceUrl=CALLBACK), claims=agent_claims())

    class Agent:
        @staticmethod
        async def on_turn(context: TurnContext) -> None:
            await context.send_activity("from the skill")

    response = await adapter.process_request(request, Agent())

    assert response.status_code == 202
    [(method, url)] = list(mocked.requests)
    assert (method, str(url)) == ("POST", f"{CALLBACK}v3/conversations/a%3Aconv1/activities/m1")
    [call] = mocked.requests[(method, url)]
    assert call.kwargs["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert connections.provider.requests == [(f"app://{CALLER}", [f"{CALLER}/.default"])]


async def test_a_bot_framework_token_never_goes_to_an_agent_callers_host(
    factory: RestChannelServiceClientFactory,
    connections: FakeConnections,
    mocked: aioresponses,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Only a token for the caller itself may go to the caller's callback host: a handler
    acting for an agent that asks for a Bot Framework token (to relay to a channel, say)
    keeps the allow-list, whatever serviceUrl the caller made it use."""
    context = TurnContext(ChannelServiceAdapter(factory), Activity.model_validate(incoming()))
    with caplog.at_level(logging.DEBUG), pytest.raises(OutboundRequestRefusedError):
        await factory.create_connector_client(
            context, agent_claims(), CALLBACK, "https://api.botframework.com"
        )
    assert_nothing_leaked(mocked, connections, caplog)
    with pytest.raises(OutboundRequestRefusedError):
        await factory.create_connector_client(
            context,
            agent_claims(),
            CALLBACK,
            f"app://{CALLER}",
            scopes=["https://api.botframework.com/.default"],
        )
    assert connections.provider.requests == []
    # The caller's own token: allowed.
    await factory.create_connector_client(context, agent_claims(), CALLBACK, f"app://{CALLER}")
    assert connections.provider.requests == [(f"app://{CALLER}", [f"{CALLER}/.default"])]


async def test_a_channel_token_does_not_open_the_callback_hosts(
    factory: RestChannelServiceClientFactory,
    connections: FakeConnections,
    mocked: aioresponses,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Only an agent's token makes a non-Microsoft host acceptable, for that turn only."""
    adapter = HttpAdapterBase(channel_service_client_factory=factory)
    # An agent turn first, so that the permissive validator exists and clients are cached.
    await factory.create_connector_client(
        TurnContext(ChannelServiceAdapter(factory), Activity.model_validate(incoming())),
        agent_claims(),
        CALLBACK,
        f"app://{CALLER}",
    )
    connections.provider.requests.clear()
    request = FakeRequest(incoming(serviceUrl=CALLBACK), claims=channel_claims(None))

    class Agent:
        on_turn = staticmethod(never_runs)

    with caplog.at_level(logging.DEBUG):
        response = await adapter.process_request(request, Agent())
    assert response.status_code == 401
    assert_nothing_leaked(mocked, connections, caplog)
    with pytest.raises(OutboundRequestRefusedError):
        await factory.create_connector_client(
            TurnContext(ChannelServiceAdapter(factory), Activity.model_validate(incoming())),
            channel_claims(None),
            CALLBACK,
            "https://api.botframework.com",
        )
