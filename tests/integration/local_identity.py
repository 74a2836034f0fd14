"""Local stand-ins for the identity services an authenticated agent talks to.

* :class:`FakeEntra` and :class:`LocalEntraTransport`: Entra ID's discovery, metadata and
  token endpoints on 127.0.0.1, and an MSAL ``http_client`` that sends MSAL's
  ``https://login.microsoftonline.com`` requests there (MSAL accepts only https
  authorities, so what is local is the transport).
* :class:`LocalTls` and :class:`LocalResolver`: a certificate for real host names
  (``login.botframework.com``, ``smba.trafficmanager.net``) and an aiohttp resolver that
  sends those names to servers on 127.0.0.1, so the agent's own code (JWT key fetching,
  connector calls, host allow-list) runs unchanged against local servers.
* :class:`BotFrameworkIssuer`: the Bot Framework's OpenID metadata and signing keys, and
  the tokens a channel would send with each activity.

MSAL is synchronous: MsalAuth runs it in a worker thread, and MSAL may also fetch the
OpenID configuration when its application object is created. :class:`ThreadedServer`
therefore runs an aiohttp application on its own event loop in its own thread.
"""

from __future__ import annotations

import asyncio
import datetime
import socket
import ssl
import tempfile
import threading
import time
import urllib.error
import urllib.request
import warnings
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import aiohttp
import jwt
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from microsoft_agents.hosting.aiohttp import create_app
from microsoft_agents.hosting.core import Agent, AgentAuthConfiguration, JwtTokenValidator

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


# ---------------------------------------------------------------------- TLS for real names


class LocalTls:
    """A self-signed certificate for ``hosts``, with the server and client SSL contexts.

    The client context trusts only this certificate, so a request that reached a real
    Microsoft server instead of the local one would fail its TLS handshake.
    """

    def __init__(self, hosts: list[str]) -> None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])])
        now = datetime.datetime.now(datetime.timezone.utc)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in hosts]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        self.certificate_pem = certificate.public_bytes(serialization.Encoding.PEM)
        key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        with tempfile.TemporaryDirectory() as folder:
            cert_file = Path(folder, "cert.pem")
            key_file = Path(folder, "key.pem")
            cert_file.write_bytes(self.certificate_pem)
            key_file.write_bytes(key_pem)
            self.server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.server_context.load_cert_chain(cert_file, key_file)
        self.client_context = ssl.create_default_context(
            cadata=self.certificate_pem.decode("ascii")
        )


class LocalResolver(AbstractResolver):
    """Resolves the given host names to 127.0.0.1 and a port; refuses every other name."""

    def __init__(self, ports: Mapping[str, int]) -> None:
        self._ports = dict(ports)

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if host not in self._ports:
            raise OSError(f"{host} is not a local test host: nothing leaves 127.0.0.1")
        return [
            {
                "hostname": host,
                "host": "127.0.0.1",
                "port": self._ports[host],
                "family": socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        """Nothing to release."""


async def serve_tls(app: web.Application, tls: LocalTls) -> tuple[web.AppRunner, int]:
    """Serve ``app`` over https on 127.0.0.1 (port chosen by the OS)."""
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=tls.server_context)
    await site.start()
    port: int = runner.addresses[0][1]
    return runner, port


# ---------------------------------------------------------------------- the Bot Framework


BOT_FRAMEWORK_LOGIN_HOST = "login.botframework.com"
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
BOT_FRAMEWORK_METADATA_PATH = "/v1/.well-known/openidconfiguration"
BOT_FRAMEWORK_KEYS_PATH = "/v1/.well-known/keys"


@dataclass
class BotFrameworkIssuer:
    """The Bot Framework's token metadata and signing keys, and the tokens it signs.

    Attributes:
        endorsements: the channels the signing key may speak for.
        hits: requests received, by path.
    """

    endorsements: list[str] = field(default_factory=lambda: ["msteams", "webchat"])
    hits: Counter[str] = field(default_factory=Counter)
    kid: str = "local-bot-framework-key"
    _key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    def application(self) -> web.Application:
        app = web.Application()
        app.router.add_get(BOT_FRAMEWORK_METADATA_PATH, self._metadata)
        app.router.add_get(BOT_FRAMEWORK_KEYS_PATH, self._keys)
        return app

    async def _metadata(self, request: web.Request) -> web.Response:
        self.hits[request.path] += 1
        return web.json_response(
            {
                "issuer": BOT_FRAMEWORK_ISSUER,
                "jwks_uri": f"https://{BOT_FRAMEWORK_LOGIN_HOST}{BOT_FRAMEWORK_KEYS_PATH}",
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        )

    async def _keys(self, request: web.Request) -> web.Response:
        self.hits[request.path] += 1
        jwk: dict[str, Any] = jwt.algorithms.RSAAlgorithm.to_jwk(
            self._key.public_key(), as_dict=True
        )
        jwk.update({"kid": self.kid, "use": "sig", "endorsements": self.endorsements})
        return web.json_response({"keys": [jwk]})

    def token(self, audience: str, service_url: str, **claims: Any) -> str:
        """A token as a channel sends it with an activity for the agent ``audience``."""
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": BOT_FRAMEWORK_ISSUER,
            "aud": audience,
            "serviceurl": service_url,
            "nbf": now - 60,
            "exp": now + 3600,
        }
        body.update(claims)
        return jwt.encode(body, self._key, algorithm="RS256", headers={"kid": self.kid})


def validating_app(
    agent: Agent, configuration: AgentAuthConfiguration, session: aiohttp.ClientSession
) -> web.Application:
    """``create_app`` for ``agent``, its tokens validated against ``configuration`` with the
    signing keys fetched through ``session`` (whose resolver sends the Bot Framework's
    login host to a local :class:`BotFrameworkIssuer`)."""
    app = create_app(agent, auth_configuration=configuration)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", web.NotAppKeyWarning)  # the samples' string key
        app["jwt_validator"] = JwtTokenValidator(configuration, session=session)
    return app
