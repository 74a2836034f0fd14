"""A real MsalAuth gets client-credentials tokens from a local stand-in for Entra ID.

MSAL only accepts ``https`` authorities, so the authority stays
``https://login.microsoftonline.com/<tenant>``; what is local is the transport. MSAL lets
an application bring its own HTTP client (``http_client=``): :class:`LocalEntraTransport`
below is one, built on ``urllib``, that sends every ``login.microsoftonline.com`` request to
an aiohttp server on 127.0.0.1 instead. That server (:class:`FakeEntra`) answers the three
endpoints a client-credentials flow can touch (instance discovery, the tenant's OpenID
configuration, the token endpoint), records every request, and hands out numbered tokens.

MSAL is synchronous: MsalAuth runs it in a worker thread, and MSAL may also fetch the
OpenID configuration when its application object is created. The server therefore runs
on its own event loop in its own thread, so it answers whichever thread MSAL calls from,
without depending on the test's loop being free.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from microsoft_agents.activity import load_configuration_from_env
from microsoft_agents.authentication.msal import MsalAuth, MsalConnectionManager
from microsoft_agents.hosting.core.authorization import AgentAuthConfiguration

from .local_identity import (
    AUTHORITY_HOST,
    BOT_FRAMEWORK,
    BOT_FRAMEWORK_SCOPE,
    CLIENT_ID,
    CLIENT_SECRET,
    DISCOVERY_PATH,
    OPENID_PATH,
    TENANT,
    FakeEntra,
    LocalEntraTransport,
    ThreadedServer,
)

# ---------------------------------------------------------------------- fixtures


@pytest.fixture
def entra() -> FakeEntra:
    return FakeEntra()


@pytest.fixture
def transport(entra: FakeEntra) -> Iterator[LocalEntraTransport]:
    with ThreadedServer(entra.application()) as server:
        yield LocalEntraTransport(server.port)
    assert entra.unexpected == []


def _configuration() -> AgentAuthConfiguration:
    return AgentAuthConfiguration(
        AUTHTYPE="ClientSecret",
        CLIENTID=CLIENT_ID,
        CLIENTSECRET=CLIENT_SECRET,
        TENANTID=TENANT,
    )


# ---------------------------------------------------------------------- tests


async def test_client_credentials_token_comes_from_the_token_endpoint(
    entra: FakeEntra, transport: LocalEntraTransport
) -> None:
    auth = MsalAuth(_configuration(), http_client=transport)

    token = await auth.get_access_token(BOT_FRAMEWORK, [BOT_FRAMEWORK_SCOPE])

    assert token == "local-access-token-1"
    assert entra.token_requests == 1
    assert entra.hits[OPENID_PATH] >= 1
    form = entra.token_forms[0]
    assert form["grant_type"] == "client_credentials"
    assert form["client_id"] == CLIENT_ID
    assert form["client_secret"] == CLIENT_SECRET
    assert form["scope"].split() == [BOT_FRAMEWORK_SCOPE]


async def test_second_call_reuses_the_cached_token(
    entra: FakeEntra, transport: LocalEntraTransport
) -> None:
    auth = MsalAuth(_configuration(), http_client=transport)

    first = await auth.get_access_token(BOT_FRAMEWORK, [BOT_FRAMEWORK_SCOPE])
    metadata_fetches = entra.hits[OPENID_PATH]
    second = await auth.get_access_token(BOT_FRAMEWORK, [BOT_FRAMEWORK_SCOPE])

    assert second == first
    assert entra.token_requests == 1
    assert entra.hits[OPENID_PATH] == metadata_fetches


async def test_force_refresh_requests_a_new_token(
    entra: FakeEntra, transport: LocalEntraTransport
) -> None:
    auth = MsalAuth(_configuration(), http_client=transport)

    first = await auth.get_access_token(BOT_FRAMEWORK, [BOT_FRAMEWORK_SCOPE])
    refreshed = await auth.get_access_token(
        BOT_FRAMEWORK, [BOT_FRAMEWORK_SCOPE], force_refresh=True
    )
    cached = await auth.get_access_token(BOT_FRAMEWORK, [BOT_FRAMEWORK_SCOPE])

    assert (first, refreshed, cached) == (
        "local-access-token-1",
        "local-access-token-2",
        "local-access-token-2",
    )
    assert entra.token_requests == 2


async def test_a_token_near_expiry_is_not_reused(
    entra: FakeEntra, transport: LocalEntraTransport
) -> None:
    # MSAL treats a token with less than five minutes left as expired.
    entra.expires_in = 60
    auth = MsalAuth(_configuration(), http_client=transport)

    first = await auth.get_access_token(BOT_FRAMEWORK, [BOT_FRAMEWORK_SCOPE])
    second = await auth.get_access_token(BOT_FRAMEWORK, [BOT_FRAMEWORK_SCOPE])

    assert (first, second) == ("local-access-token-1", "local-access-token-2")
    assert entra.token_requests == 2


async def test_another_scope_is_another_token(
    entra: FakeEntra, transport: LocalEntraTransport
) -> None:
    auth = MsalAuth(_configuration(), http_client=transport)
    other_scope = "api://c0ffee00-aaaa-4bbb-8ccc-000000000001/.default"

    await auth.get_access_token(BOT_FRAMEWORK, [BOT_FRAMEWORK_SCOPE])
    other = await auth.get_access_token("api://c0ffee00-aaaa-4bbb-8ccc-000000000001", [other_scope])

    assert other == "local-access-token-2"
    assert [form["scope"].split() for form in entra.token_forms] == [
        [BOT_FRAMEWORK_SCOPE],
        [other_scope],
    ]


async def test_connection_manager_from_the_environment_routes_msal_through_the_transport(
    entra: FakeEntra, transport: LocalEntraTransport, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="microsoft_agents")
    env = {
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__AUTHTYPE": "ClientSecret",
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": CLIENT_ID,
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTSECRET": CLIENT_SECRET,
        "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__TENANTID": TENANT,
    }
    manager = MsalConnectionManager(**load_configuration_from_env(env), http_client=transport)
    provider = manager.get_default_connection()

    tokens = [await provider.get_access_token(BOT_FRAMEWORK, [BOT_FRAMEWORK_SCOPE]) for _ in "ab"]

    assert tokens == ["local-access-token-1"] * 2
    assert entra.token_requests == 1
    assert entra.token_forms[0]["client_id"] == CLIENT_ID
    assert any(call.startswith("POST ") for call in transport.calls)
    ours = "\n".join(
        record.getMessage() for record in caplog.records if record.name.startswith("microsoft")
    )
    assert CLIENT_SECRET not in ours
    assert "local-access-token" not in ours


def test_the_stand_in_answers_discovery_like_entra(
    entra: FakeEntra, transport: LocalEntraTransport
) -> None:
    response = transport.get(
        f"https://{AUTHORITY_HOST}{DISCOVERY_PATH}",
        params={"api-version": "1.1", "authorization_endpoint": "x"},
    )

    response.raise_for_status()
    assert json.loads(response.text)["tenant_discovery_endpoint"].endswith(OPENID_PATH)
    assert entra.hits[DISCOVERY_PATH] == 1
