"""jwt_authorization_middleware and jwt_authorization_decorator (protocol §4.2).

Tokens are signed with a key generated here; the OpenID metadata and key set are served
by aioresponses, so nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import warnings
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from aiohttp import web
from aioresponses import aioresponses
from cryptography.hazmat.primitives.asymmetric import rsa

from microsoft_agents.hosting.aiohttp import (
    create_app,
    jwt_authorization_decorator,
    jwt_authorization_middleware,
)
from microsoft_agents.hosting.aiohttp._app_keys import AGENT_CONFIGURATION_KEY
from microsoft_agents.hosting.core import AgentAuthConfiguration, ClaimsIdentity
from microsoft_agents.hosting.core.authorization import AuthenticationConstants

from .support import build_echo_app, post_expecting_continue

APP_ID = "9c6f9e2a-1b7d-4c1e-8f3a-2d5b6c7e8f90"
TENANT = "3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
BF_METADATA = AuthenticationConstants.BOT_FRAMEWORK_OPENID_METADATA_URL
BF_JWKS = "https://login.botframework.com/v1/.well-known/keys"
INVALID = {"error": "Invalid token or authentication failed."}

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _token(**overrides: Any) -> str:
    now = time.time()
    claims: dict[str, Any] = {
        "iss": "https://api.botframework.com",
        "aud": APP_ID,
        "exp": now + 3600,
        "nbf": now - 60,
        "serviceurl": "https://smba.trafficmanager.net/amer/",
    }
    claims.update(overrides)
    return jwt.encode(claims, KEY, algorithm="RS256", headers={"kid": "k1"})


def _configured(**settings: Any) -> AgentAuthConfiguration:
    return AgentAuthConfiguration(
        client_id=APP_ID, tenant_id=TENANT, client_secret="not-a-secret", **settings
    )


@pytest.fixture
def keys() -> Iterator[aioresponses]:
    jwk: dict[str, Any] = jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key(), as_dict=True)
    jwk.update({"kid": "k1", "use": "sig", "endorsements": ["msteams"]})
    with aioresponses(passthrough=["http://127.0.0.1"]) as mocked:
        mocked.get(BF_METADATA, payload={"jwks_uri": BF_JWKS}, repeat=True)
        mocked.get(BF_JWKS, payload={"keys": [jwk]}, repeat=True)
        yield mocked


async def _whoami(request: web.Request) -> web.Response:
    identity = request["claims_identity"]
    assert isinstance(identity, ClaimsIdentity)
    return web.json_response({"anonymous": not identity.claims, "aud": identity.claims.get("aud")})


def _app(configuration: AgentAuthConfiguration | None) -> web.Application:
    app = web.Application(middlewares=[jwt_authorization_middleware])
    if configuration is not None:
        app[AGENT_CONFIGURATION_KEY] = configuration
    app.router.add_get("/who", _whoami)
    return app


async def test_missing_configuration_is_500(make_client: Any) -> None:
    client = await make_client(_app(None))
    response = await client.get("/who")
    assert response.status == 500
    assert await response.json() == {"error": "Agent Authentication configuration not found"}


async def test_no_header_without_anonymous_is_401(make_client: Any) -> None:
    client = await make_client(_app(_configured()))
    response = await client.get("/who")
    assert response.status == 401
    assert await response.json() == {"error": "Authorization header not found"}


async def test_no_header_with_anonymous_allowed_passes_as_anonymous(make_client: Any) -> None:
    client = await make_client(_app(_configured(anonymous_allowed=True)))
    response = await client.get("/who")
    assert response.status == 200
    assert await response.json() == {"anonymous": True, "aud": None}


async def test_development_mode_passes_as_anonymous(make_client: Any) -> None:
    client = await make_client(_app(AgentAuthConfiguration()))
    response = await client.get("/who")
    assert response.status == 200
    assert (await response.json())["anonymous"] is True


@pytest.mark.parametrize(
    "header",
    ["Basic dXNlcjpwYXNz", "Bearer", "Bearer two tokens", "Bearer not-a-jwt"],
)
async def test_a_bad_header_is_401_with_the_generic_body(
    make_client: Any, header: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = await make_client(_app(_configured(anonymous_allowed=True)))
    with caplog.at_level(logging.DEBUG):
        response = await client.get("/who", headers={"Authorization": header})
    assert response.status == 401
    assert await response.json() == INVALID
    assert "Traceback" not in await response.text()
    if header.startswith("Bearer "):
        assert header.split(" ", 1)[1] not in caplog.text


async def test_a_refused_path_is_logged_escaped(
    make_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client = await make_client(_app(_configured()))
    with caplog.at_level(logging.INFO):
        response = await client.get("/x%0AINFO%20microsoft_agents:%20forged%20line")
    assert response.status == 401
    refusals = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert refusals == [
        "refused GET '/x\\nINFO microsoft_agents: forged line': no Authorization header"
    ]


@pytest.mark.parametrize("anonymous_allowed", [True, False])
async def test_a_token_of_bytes_that_are_not_text_is_401_not_500(
    make_client: Any, anonymous_allowed: bool, caplog: pytest.LogCaptureFixture
) -> None:
    # Raw bytes on the wire: aiohttp's client would not send a header that is not text.
    client = await make_client(_app(_configured(anonymous_allowed=anonymous_allowed)))
    reader, writer = await asyncio.open_connection("127.0.0.1", client.port)
    writer.write(
        b"GET /who HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \xe9\xff\r\n"
        b"Connection: close\r\n\r\n"
    )
    with caplog.at_level(logging.INFO):
        answer = await reader.read()
    writer.close()

    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 401 ")
    assert json.loads(body) == INVALID
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_a_valid_token_passes_with_its_claims(make_client: Any, keys: aioresponses) -> None:
    client = await make_client(_app(_configured()))
    response = await client.get("/who", headers={"Authorization": f"Bearer {_token()}"})
    assert response.status == 200
    assert await response.json() == {"anonymous": False, "aud": APP_ID}


@pytest.mark.parametrize(
    "claims",
    [{"aud": "someone-else"}, {"exp": 1000.0}, {"iss": "https://evil.example"}],
)
async def test_an_invalid_token_is_401_even_with_anonymous_allowed(
    make_client: Any, keys: aioresponses, claims: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    token = _token(**claims)
    client = await make_client(_app(_configured(anonymous_allowed=True)))
    with caplog.at_level(logging.DEBUG):
        response = await client.get("/who", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 401
    assert await response.json() == INVALID
    assert token not in caplog.text


async def test_a_token_signed_by_another_key_is_401(make_client: Any, keys: aioresponses) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(
        {"iss": "https://api.botframework.com", "aud": APP_ID, "exp": time.time() + 600},
        stranger,
        algorithm="RS256",
        headers={"kid": "k1"},
    )
    client = await make_client(_app(_configured()))
    response = await client.get("/who", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 401


class _IdentityAdapter:
    """An adapter that answers with the audience of the identity the request carries."""

    async def process(self, request: web.Request, agent: Any) -> web.Response:
        identity = request["claims_identity"]
        return web.json_response({"aud": identity.claims.get("aud"), "body": await request.json()})


@pytest.mark.parametrize("token_valid", [True, False])
async def test_a_token_is_checked_before_a_body_sent_after_100_continue(
    make_client: Any, keys: aioresponses, token_valid: bool
) -> None:
    app = create_app(build_echo_app(), adapter=_IdentityAdapter(), auth_configuration=_configured())
    client = await make_client(app)
    token = _token() if token_valid else _token(aud="someone-else")

    first, rest = await post_expecting_continue(
        client.port,
        {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        b'{"large": true}',
    )

    if token_valid:
        # The body, sent after the go-ahead, reaches the handler with the identity.
        assert first == b"HTTP/1.1 100 Continue\r\n\r\n"
        head, _, answer = rest.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 ")
        assert json.loads(answer) == {"aud": APP_ID, "body": {"large": True}}
    else:
        assert first.startswith(b"HTTP/1.1 401 ")
        assert json.loads(rest) == INVALID


async def test_the_string_app_key_of_the_samples_works(make_client: Any) -> None:
    app = web.Application(middlewares=[jwt_authorization_middleware])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        app["agent_configuration"] = _configured()
    app.router.add_get("/who", _whoami)
    client = await make_client(app)
    response = await client.get("/who")
    assert response.status == 401
    assert await response.json() == {"error": "Authorization header not found"}


async def test_the_decorator_guards_one_handler(make_client: Any, keys: aioresponses) -> None:
    app = web.Application()
    app[AGENT_CONFIGURATION_KEY] = _configured()

    async def public(request: web.Request) -> web.Response:
        return web.json_response({"public": True})

    app.router.add_get("/who", jwt_authorization_decorator(_whoami))
    app.router.add_get("/public", public)
    client = await make_client(app)

    assert (await client.get("/public")).status == 200
    refused = await client.get("/who")
    assert refused.status == 401
    assert await refused.json() == {"error": "Authorization header not found"}
    accepted = await client.get("/who", headers={"Authorization": f"Bearer {_token()}"})
    assert accepted.status == 200
    assert (await accepted.json())["aud"] == APP_ID


async def test_the_server_keeps_answering_after_refusals(make_client: Any) -> None:
    client = await make_client(_app(_configured(anonymous_allowed=True)))
    for header in ("Bearer x", "Negotiate y", "Bearer a.b.c"):
        assert (await client.get("/who", headers={"Authorization": header})).status == 401
    assert (await client.get("/who")).status == 200


@pytest.mark.parametrize("guard", ["middleware", "decorator"])
async def test_storing_the_identity_raises_no_aiohttp_key_warning(
    make_client: Any, keys: aioresponses, monkeypatch: pytest.MonkeyPatch, guard: str
) -> None:
    # aiohttp 3.14 warns once per process for each string key stored on a request: make
    # this request the process's first, then fail on any warning (as the suite does).
    from aiohttp.web_request import BaseRequest

    from microsoft_agents.hosting.aiohttp import _request

    monkeypatch.setattr(_request, "_keys_stored", set())
    if hasattr(BaseRequest, "_seen_str_keys"):
        monkeypatch.setattr(BaseRequest, "_seen_str_keys", set())
    if guard == "middleware":
        app = _app(_configured())
    else:
        app = web.Application()
        app[AGENT_CONFIGURATION_KEY] = _configured()
        app.router.add_get("/who", jwt_authorization_decorator(_whoami))
    client = await make_client(app)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        answers = [
            await client.get("/who", headers={"Authorization": f"Bearer {_token()}"})
            for _ in range(2)
        ]

    assert [answer.status for answer in answers] == [200, 200]
    assert [(await answer.json())["aud"] for answer in answers] == [APP_ID, APP_ID]
