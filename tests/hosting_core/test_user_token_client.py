"""UserTokenClient: every User Token service call on the wire (aioresponses, no network)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses
from yarl import URL

from microsoft_agents.activity import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    SignInResource,
    TokenExchangeRequest,
    TokenOrSignInResourceResponse,
    TokenResponse,
    TokenStatus,
)
from microsoft_agents.hosting.core import (
    ServiceError,
    UserTokenClient,
    UserTokenClientBase,
    get_product_info,
)
from microsoft_agents.hosting.core.connector import RetryPolicy

ENDPOINT = "https://europe.api.botframework.com"
BASE = ENDPOINT + "/"
TOKEN = "SECRET-APP-TOKEN"
APP_ID = "00000000-aaaa-bbbb-cccc-000000000001"

Call = Callable[[UserTokenClient], Awaitable[Any]]


def url(path: str) -> URL:
    return URL(BASE + path, encoded=True)


def incoming(channel_id: str = "msteams:COPILOT") -> Activity:
    return Activity(
        type="message",
        id="act-1",
        channel_id=channel_id,
        service_url="https://smba.trafficmanager.net/amer/",
        from_property=ChannelAccount(id="29:user", name="Ann"),
        recipient=ChannelAccount(id="28:app", name="Agent"),
        conversation=ConversationAccount(id="a:conv", tenant_id="t1"),
    )


def decode_state(state: str) -> Any:
    return json.loads(base64.b64decode(state))


EXPECTED_STATE = {
    "connectionName": "graph",
    "conversation": {
        "activityId": "act-1",
        "user": {"id": "29:user", "name": "Ann"},
        "bot": {"id": "28:app", "name": "Agent"},
        "conversation": {"id": "a:conv", "tenantId": "t1"},
        "channelId": "msteams",
        "serviceUrl": "https://smba.trafficmanager.net/amer/",
    },
    "msAppId": APP_ID,
}


@pytest.fixture
def mocked() -> Iterator[aioresponses]:
    with aioresponses() as m:
        yield m


@pytest.fixture
async def client() -> AsyncIterator[UserTokenClient]:
    tokens = UserTokenClient(ENDPOINT, TOKEN, app_id=APP_ID, retry=RetryPolicy(max_attempts=1))
    yield tokens
    await tokens.close()


def single_request(m: aioresponses) -> tuple[str, URL, Any]:
    assert len(m.requests) == 1, list(m.requests)
    (method, sent_url), calls = next(iter(m.requests.items()))
    assert len(calls) == 1
    return method, sent_url, calls[0]


TOKEN_WIRE = {
    "channelId": "msteams",
    "connectionName": "graph",
    "token": "user-tok",
    "expiration": "x",
}
TOKEN_PARSED = TokenResponse.model_validate(TOKEN_WIRE)

# (id, call, method, path, query (state checked separately when "<state>"), body, status,
#  answer, expected)
OPERATIONS: list[tuple[str, Call, str, str, dict[str, str], Any, int, Any, Any]] = [
    (
        "get_user_token",
        lambda c: c.get_user_token("29:user", "graph", "msteams:COPILOT"),
        "GET",
        "api/usertoken/GetToken",
        {"userId": "29:user", "connectionName": "graph", "channelId": "msteams"},
        None,
        200,
        TOKEN_WIRE,
        TOKEN_PARSED,
    ),
    (
        "get_user_token_with_code",
        lambda c: c.get_user_token("29:user", "graph", "webchat", "123456"),
        "GET",
        "api/usertoken/GetToken",
        {"userId": "29:user", "connectionName": "graph", "channelId": "webchat", "code": "123456"},
        None,
        200,
        TOKEN_WIRE,
        TOKEN_PARSED,
    ),
    (
        "sign_out_user",
        lambda c: c.sign_out_user("29:user", "graph", "msteams:COPILOT"),
        "DELETE",
        "api/usertoken/SignOut",
        {"userId": "29:user", "connectionName": "graph", "channelId": "msteams"},
        None,
        200,
        None,
        None,
    ),
    (
        "sign_out_user_every_connection",
        lambda c: c.sign_out_user("29:user"),
        "DELETE",
        "api/usertoken/SignOut",
        {"userId": "29:user"},
        None,
        204,
        None,
        None,
    ),
    (
        "get_token_status",
        lambda c: c.get_token_status("29:user", "msteams:COPILOT", "graph,github"),
        "GET",
        "api/usertoken/GetTokenStatus",
        {"userId": "29:user", "channelId": "msteams", "include": "graph,github"},
        None,
        200,
        [{"connectionName": "graph", "hasToken": True, "serviceProviderDisplayName": "AAD"}],
        [TokenStatus(connection_name="graph", has_token=True, service_provider_display_name="AAD")],
    ),
    (
        "get_aad_tokens",
        lambda c: c.get_aad_tokens(
            "29:user", "graph", ["https://graph.microsoft.com"], "msteams:COPILOT"
        ),
        "POST",
        "api/usertoken/GetAadTokens",
        {"userId": "29:user", "connectionName": "graph", "channelId": "msteams"},
        {"resourceUrls": ["https://graph.microsoft.com"]},
        200,
        {"https://graph.microsoft.com": TOKEN_WIRE},
        {"https://graph.microsoft.com": TOKEN_PARSED},
    ),
    (
        "exchange_token",
        lambda c: c.exchange_token(
            "29:user", "graph", "msteams:COPILOT", TokenExchangeRequest(token="sso-token")
        ),
        "POST",
        "api/usertoken/exchange",
        {"userId": "29:user", "connectionName": "graph", "channelId": "msteams"},
        {"token": "sso-token"},
        200,
        TOKEN_WIRE,
        TOKEN_PARSED,
    ),
    (
        "user_token.get_token_or_sign_in_resource",
        lambda c: c.user_token.get_token_or_sign_in_resource(
            "29:user", "graph", "msteams:X", "STATE", code="1", final_redirect="f", fwd_url="w"
        ),
        "GET",
        "api/usertoken/GetTokenOrSignInResource",
        {
            "userId": "29:user",
            "connectionName": "graph",
            "channelId": "msteams",
            "state": "STATE",
            "code": "1",
            "finalRedirect": "f",
            "fwdUrl": "w",
        },
        None,
        200,
        {"tokenResponse": TOKEN_WIRE},
        TokenOrSignInResourceResponse(token_response=TOKEN_PARSED),
    ),
    (
        "agent_sign_in.get_sign_in_resource",
        lambda c: c.agent_sign_in.get_sign_in_resource(
            "STATE", code_challenge="cc", emulator_url="http://localhost:1", final_redirect="f"
        ),
        "GET",
        "api/botsignin/getSignInResource",
        {
            "state": "STATE",
            "codeChallenge": "cc",
            "emulatorUrl": "http://localhost:1",
            "finalRedirect": "f",
        },
        None,
        200,
        {"signInLink": "https://token.botframework.com/s"},
        SignInResource(sign_in_link="https://token.botframework.com/s"),
    ),
]


@pytest.mark.parametrize(
    ("call", "method", "path", "query", "body", "status", "answer", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in OPERATIONS],
)
async def test_token_operation_wire_format_and_result(
    mocked: aioresponses,
    client: UserTokenClient,
    call: Call,
    method: str,
    path: str,
    query: dict[str, str],
    body: Any,
    status: int,
    answer: Any,
    expected: Any,
) -> None:
    mocked.add(url(path).with_query(query), method, status=status, payload=answer)

    result = await call(client)

    sent_method, sent_url, request = single_request(mocked)
    assert sent_method == method
    assert str(sent_url.with_query(None)) == str(url(path))
    assert dict(sent_url.query) == query
    data = request.kwargs.get("data")
    assert (None if data is None else json.loads(data)) == body
    headers = request.kwargs["headers"]
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["User-Agent"] == get_product_info()
    assert headers["Content-Type"] == "application/json"
    assert result == expected


async def test_get_token_404_gives_an_empty_falsy_token(
    mocked: aioresponses, client: UserTokenClient
) -> None:
    mocked.get(
        url("api/usertoken/GetToken").with_query(
            {"userId": "u", "connectionName": "graph", "channelId": "msteams"}
        ),
        status=404,
        payload={"error": {"code": "NotFound"}},
    )

    result = await client.get_user_token("u", "graph", "msteams")

    assert result == TokenResponse()
    assert not result


async def test_get_token_other_error_raises(mocked: aioresponses, client: UserTokenClient) -> None:
    mocked.get(
        url("api/usertoken/GetToken").with_query({"userId": "u", "connectionName": "graph"}),
        status=401,
        payload={"error": {"code": "Unauthorized", "message": "bad app token"}},
    )

    with pytest.raises(ServiceError) as caught:
        await client.user_token.get_token("u", "graph")

    assert caught.value.status == 401
    assert caught.value.code == "Unauthorized"
    assert "bad app token" in caught.value.body


async def test_get_token_or_sign_in_resource_404_is_an_empty_answer(
    mocked: aioresponses, client: UserTokenClient
) -> None:
    # The service's definition lists 404 among its answers (wire-notes.md).
    mocked.get(re.compile(r".*/api/usertoken/GetTokenOrSignInResource.*"), status=404)
    answer = await client.get_token_or_sign_in_resource("graph", incoming())
    assert answer.token_response is None
    assert answer.sign_in_resource is None


async def test_get_token_or_sign_in_resource_builds_the_state(
    mocked: aioresponses, client: UserTokenClient
) -> None:
    resource = {
        "signInLink": "https://token.botframework.com/api/oauth/signin?x=1",
        "tokenExchangeResource": {"id": "ter", "uri": "api://app", "providerId": "p"},
        "tokenPostResource": {"sasUrl": "https://post"},
    }
    # The state is checked after the call, so any query matches here.
    mocked.get(
        re.compile(r"^https://europe\.api\.botframework\.com/api/usertoken/.*"),
        payload={"signInResource": resource},
    )

    answer = await client.get_token_or_sign_in_resource("graph", incoming(), final_redirect="f")

    assert answer.token_response is None
    assert answer.sign_in_resource == SignInResource.model_validate(resource)
    (method, sent_url), calls = next(iter(mocked.requests.items()))
    assert method == "GET"
    assert sent_url.path == "/api/usertoken/GetTokenOrSignInResource"
    query = dict(sent_url.query)
    assert decode_state(query.pop("state")) == EXPECTED_STATE
    assert query == {
        "userId": "29:user",
        "connectionName": "graph",
        "channelId": "msteams",
        "finalRedirect": "f",
    }
    assert len(calls) == 1


async def test_get_sign_in_resource_builds_the_state(
    mocked: aioresponses, client: UserTokenClient
) -> None:
    mocked.get(
        re.compile(r"^https://europe\.api\.botframework\.com/api/botsignin/.*"),
        payload={"signInLink": "https://link"},
    )

    resource = await client.get_sign_in_resource("graph", incoming())

    assert resource == SignInResource(sign_in_link="https://link")
    (_, sent_url), _ = next(iter(mocked.requests.items()))
    assert sent_url.path == "/api/botsignin/getSignInResource"
    query = dict(sent_url.query)
    assert decode_state(query.pop("state")) == EXPECTED_STATE
    assert query == {}


@pytest.mark.parametrize(
    "call",
    [
        lambda c, a: c.get_token_or_sign_in_resource("graph", a),
        lambda c, a: c.get_sign_in_resource("graph", a),
    ],
    ids=["token-or-sign-in", "sign-in-resource"],
)
async def test_state_needs_an_app_id(
    mocked: aioresponses, call: Callable[[UserTokenClient, Activity], Awaitable[Any]]
) -> None:
    async with UserTokenClient(ENDPOINT, TOKEN) as no_app_id:
        with pytest.raises(ValueError, match="app_id"):
            await call(no_app_id, incoming())
    assert mocked.requests == {}


@pytest.mark.parametrize(
    ("activity", "match"),
    [
        (Activity(type="message", conversation=ConversationAccount(id="c")), "channelId"),
        (Activity(type="message", channel_id="msteams"), "conversation"),
        (
            Activity(
                type="message", channel_id="msteams", conversation=ConversationAccount(id="c")
            ),
            "from.id",
        ),
    ],
    ids=["no-channel", "no-conversation", "no-sender"],
)
async def test_token_or_sign_in_needs_a_complete_activity(
    mocked: aioresponses, client: UserTokenClient, activity: Activity, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        await client.get_token_or_sign_in_resource("graph", activity)
    assert mocked.requests == {}


async def test_exchange_failure_carries_the_body_text(
    mocked: aioresponses, client: UserTokenClient
) -> None:
    body = '{"error":{"code":"ConsentRequired","message":"Consent Required"}}'
    mocked.post(
        url("api/usertoken/exchange").with_query(
            {"userId": "u", "connectionName": "graph", "channelId": "msteams"}
        ),
        status=400,
        body=body,
    )

    with pytest.raises(ServiceError) as caught:
        await client.exchange_token(
            "u", "graph", "msteams", TokenExchangeRequest(token="SSO-SECRET")
        )

    assert caught.value.status == 400
    assert caught.value.code == "ConsentRequired"
    assert caught.value.body == body
    assert "Consent Required" in str(caught.value)
    assert "SSO-SECRET" not in str(caught.value)
    # What the reference SDK raises here, for handlers written against it.
    assert isinstance(caught.value, aiohttp.ClientResponseError)
    assert "Consent Required" in caught.value.message


async def test_sign_in_url_uses_the_bot_framework_path(
    mocked: aioresponses, client: UserTokenClient
) -> None:
    mocked.get(
        url("api/botsignin/GetSignInUrl").with_query({"state": "S", "finalRedirect": "f"}),
        body="https://token.botframework.com/api/oauth/signin?signin=abc",
        content_type="text/plain",
    )

    link = await client.agent_sign_in.get_sign_in_url("S", final_redirect="f")

    assert link == "https://token.botframework.com/api/oauth/signin?signin=abc"


async def test_sign_in_url_accepts_a_json_string(
    mocked: aioresponses, client: UserTokenClient
) -> None:
    mocked.get(url("api/botsignin/GetSignInUrl").with_query({"state": "S"}), body='"https://l"')

    assert await client.agent_sign_in.get_sign_in_url("S") == "https://l"


async def test_sign_in_calls_need_a_state(client: UserTokenClient) -> None:
    with pytest.raises(ValueError, match="state"):
        await client.agent_sign_in.get_sign_in_url("")


async def test_aad_tokens_of_the_wrong_shape_raise(
    mocked: aioresponses, client: UserTokenClient
) -> None:
    mocked.post(
        url("api/usertoken/GetAadTokens").with_query({"userId": "u", "connectionName": "g"}),
        payload=["not", "an", "object"],
    )

    with pytest.raises(ServiceError, match="object of tokens"):
        await client.user_token.get_aad_tokens("u", "g", ["r"])


async def test_anonymous_client_sends_no_authorization(mocked: aioresponses) -> None:
    mocked.get(url("api/usertoken/GetTokenStatus").with_query({"userId": "u"}), payload=[])
    async with UserTokenClient(ENDPOINT, "") as anonymous:
        assert await anonymous.get_token_status("u") == []
    _, _, request = single_request(mocked)
    assert "Authorization" not in request.kwargs["headers"]


async def test_client_shape_and_session_ownership(mocked: aioresponses) -> None:
    status_url = url("api/usertoken/GetTokenStatus").with_query({"userId": "u"})
    mocked.get(status_url, payload=[], repeat=True)
    async with aiohttp.ClientSession() as session:
        shared = UserTokenClient(ENDPOINT, TOKEN, app_id=APP_ID, session=session)
        await shared.get_token_status("u")
        await shared.get_token_status("u")
        assert shared._transport._session is session
        await shared.close()
        assert not session.closed

    owned = UserTokenClient(ENDPOINT, TOKEN)
    await owned.get_token_status("u")
    own_session = owned._transport._session
    assert own_session is not None
    await owned.close()
    assert own_session.closed

    assert isinstance(owned, UserTokenClientBase)
    assert owned.base_uri == BASE
    with pytest.raises(ValueError, match="token service"):
        UserTokenClient("", TOKEN)
