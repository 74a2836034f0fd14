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

import asyncio
import json
import logging
import threading
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from aiohttp import web

from microsoft_agents.activity import load_configuration_from_env
from microsoft_agents.authentication.msal import MsalAuth, MsalConnectionManager
from microsoft_agents.hosting.core.authorization import AgentAuthConfiguration

TENANT = "7a1c2e3f-4b5d-4e6f-8a9b-0c1d2e3f4a5b"
CLIENT_ID = "c0ffee00-1234-4abc-8def-0123456789ab"
CLIENT_SECRET = "local-test-secret~4Jq"
AUTHORITY_HOST = "login.microsoftonline.com"
BOT_FRAMEWORK = "https://api.botframework.com"
BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"

DISCOVERY_PATH = "/common/discovery/instance"
OPENID_PATH = f"/{TENANT}/v2.0/.well-known/openid-configuration"
TOKEN_PATH = f"/{TENANT}/oauth2/v2.0/token"

TIMEOUT = 10.0


# ---------------------------------------------------------------------- the fake Entra ID


@dataclass
class FakeEntra:
    """Entra ID's discovery, metadata and token endpoints for one tenant."""

    expires_in: int = 3600
    hits: Counter[str] = field(default_factory=Counter)
    token_forms: list[dict[str, str]] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)

    def application(self) -> web.Application:
        app = web.Application(middlewares=[self._record])
        app.router.add_get(DISCOVERY_PATH, self._instance_discovery)
        app.router.add_get(OPENID_PATH, self._openid_configuration)
        app.router.add_post(TOKEN_PATH, self._token)
        return app

    @web.middleware
    async def _record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.hits[request.path] += 1
        if request.path not in {DISCOVERY_PATH, OPENID_PATH, TOKEN_PATH}:
            self.unexpected.append(f"{request.method} {request.path_qs}")
        response: web.StreamResponse = await handler(request)
        return response

    async def _instance_discovery(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "tenant_discovery_endpoint": f"https://{AUTHORITY_HOST}{OPENID_PATH}",
                "api-version": "1.1",
                "metadata": [
                    {
                        "preferred_network": AUTHORITY_HOST,
                        "preferred_cache": "login.windows.net",
                        "aliases": [AUTHORITY_HOST, "login.windows.net", "sts.windows.net"],
                    }
                ],
            }
        )

    async def _openid_configuration(self, request: web.Request) -> web.Response:
        base = f"https://{AUTHORITY_HOST}/{TENANT}"
        return web.json_response(
            {
                "issuer": f"{base}/v2.0",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "jwks_uri": f"https://{AUTHORITY_HOST}/{TENANT}/discovery/v2.0/keys",
                "response_types_supported": ["code", "id_token", "token"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "tenant_region_scope": "NA",
            }
        )

    async def _token(self, request: web.Request) -> web.Response:
        form = {key: str(value) for key, value in (await request.post()).items()}
        self.token_forms.append(form)
        return web.json_response(
            {
                "token_type": "Bearer",
                "expires_in": self.expires_in,
                "ext_expires_in": self.expires_in,
                "access_token": f"local-access-token-{len(self.token_forms)}",
            }
        )

    @property
    def token_requests(self) -> int:
        return self.hits[TOKEN_PATH]


class ThreadedServer:
    """Runs an aiohttp application on 127.0.0.1 (random port) in a thread of its own."""

    def __init__(self, app: web.Application) -> None:
        self._app = app
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def _start(self) -> int:
        self._runner = web.AppRunner(self._app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port: int = self._runner.addresses[0][1]
        return port

    def __enter__(self) -> ThreadedServer:
        self._thread.start()
        self.port = asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(TIMEOUT)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            cleanup = asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop)
            cleanup.result(TIMEOUT)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(TIMEOUT)
        self._loop.close()


# ---------------------------------------------------------------------- MSAL's http_client


@dataclass
class LocalResponse:
    """What MSAL reads from a response: status, body text, headers, raise_for_status()."""

    status_code: int
    text: str
    headers: dict[str, str]

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise RuntimeError(f"HTTP {self.status_code} from the local Entra stand-in")


class LocalEntraTransport:
    """An MSAL ``http_client`` sending ``https://login.microsoftonline.com`` to 127.0.0.1.

    Any other host is refused, so a request that would leave the machine fails the test.
    Proxies from the environment are ignored: the traffic goes straight to the loopback.
    """

    def __init__(self, port: int) -> None:
        self._origin = f"http://127.0.0.1:{port}"
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self.calls: list[str] = []

    def _local_url(self, url: str, params: Mapping[str, Any] | None) -> str:
        parts = urlsplit(url)
        if parts.scheme != "https" or parts.netloc != AUTHORITY_HOST:
            raise AssertionError(f"MSAL tried to reach {url}, outside the local stand-in")
        query = "&".join(q for q in (parts.query, urlencode(params or {})) if q)
        return f"{self._origin}{parts.path}" + (f"?{query}" if query else "")

    def _send(self, request: urllib.request.Request) -> LocalResponse:
        self.calls.append(f"{request.get_method()} {urlsplit(request.full_url).path}")
        try:
            with self._opener.open(request, timeout=TIMEOUT) as response:
                return LocalResponse(
                    response.status, response.read().decode(), dict(response.headers.items())
                )
        except urllib.error.HTTPError as error:
            with error:
                return LocalResponse(error.code, error.read().decode(), dict(error.headers.items()))

    def get(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> LocalResponse:
        request = urllib.request.Request(
            self._local_url(url, params), headers=dict(headers or {}), method="GET"
        )
        return self._send(request)

    def post(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | str | bytes | None = None,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> LocalResponse:
        if isinstance(data, Mapping):
            body = urlencode(data).encode()
        elif isinstance(data, str):
            body = data.encode()
        else:
            body = data or b""
        request_headers = {"Content-Type": "application/x-www-form-urlencoded"}
        request_headers.update(headers or {})
        request = urllib.request.Request(
            self._local_url(url, params), data=body, headers=request_headers, method="POST"
        )
        return self._send(request)

    def close(self) -> None:
        """Nothing to release: every request closes its own connection."""


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
