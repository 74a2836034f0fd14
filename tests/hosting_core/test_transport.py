"""HttpTransport: URLs, headers, host checks, retries and errors (no network: aioresponses)."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses
from yarl import URL

from microsoft_agents.hosting.core import (
    AdapterError,
    HeaderPropagationContext,
    HeaderValueProvider,
    OutboundHostValidator,
    OutboundRequestRefusedError,
    ServiceError,
    get_product_info,
)
from microsoft_agents.hosting.core.connector import HttpTransport, RetryPolicy, ServiceResponse
from microsoft_agents.hosting.core.connector._transport import parse_retry_after

BASE = "https://smba.trafficmanager.net/amer/"
ACTIVITIES = BASE + "v3/conversations/c1/activities"
TOKEN = "SECRET-TOKEN-abc123"
LOGGER = "microsoft_agents.hosting.core.connector._transport"


class RecordingSleep:
    """An injected sleep that records each wait instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def mocked() -> Iterator[aioresponses]:
    with aioresponses() as m:
        yield m


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


def _calls(m: aioresponses, method: str, url: str) -> list[Any]:
    return list(m.requests.get((method, URL(url)), []))


def _total_calls(m: aioresponses) -> int:
    return sum(len(calls) for calls in m.requests.values())


def _transport(sleep: RecordingSleep, **kwargs: Any) -> HttpTransport:
    kwargs.setdefault("token", TOKEN)
    kwargs.setdefault("random", lambda: 0.5)
    return HttpTransport(BASE, sleep=sleep, **kwargs)


def _connector_error() -> aiohttp.ClientConnectorError:
    key = SimpleNamespace(host="smba.trafficmanager.net", port=443, ssl=True)
    return aiohttp.ClientConnectorError(key, OSError(111, "Connection refused"))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- URLs


@pytest.mark.parametrize(
    ("base", "path", "expected"),
    [
        ("https://x.example/amer/", "v3/conversations", "https://x.example/amer/v3/conversations"),
        ("https://x.example/amer", "v3/conversations", "https://x.example/amer/v3/conversations"),
        ("https://x.example/amer/", "/v3/conversations", "https://x.example/amer/v3/conversations"),
        ("https://x.example", "v3/conversations", "https://x.example/v3/conversations"),
        (
            "https://x.example/",
            "v3/conversations/a%3Ab%3Bmessageid%3D1/activities",
            "https://x.example/v3/conversations/a%3Ab%3Bmessageid%3D1/activities",
        ),
    ],
)
def test_url_building_keeps_the_service_url_path(base: str, path: str, expected: str) -> None:
    transport = HttpTransport(base)
    assert transport.base_url.endswith("/")
    assert str(transport.url_for(path)) == expected


def test_none_params_are_dropped_and_others_stringified() -> None:
    url = HttpTransport(BASE).url_for(
        "v3/x", {"pageSize": 5, "continuationToken": None, "a": "b c"}
    )
    assert url.query == {"pageSize": "5", "a": "b c"}


def test_an_absolute_url_path_is_used_as_is() -> None:
    url = HttpTransport(BASE).url_for("https://other.botframework.com/v3/attachments/1")
    assert str(url) == "https://other.botframework.com/v3/attachments/1"


@pytest.mark.parametrize("base", ["", "not a url", "/relative/", "ftp://x.example/"])
def test_a_base_url_that_is_not_absolute_http_is_rejected(base: str) -> None:
    with pytest.raises(ValueError, match="not an absolute http or https URL"):
        HttpTransport(base)


# ---------------------------------------------------------------------------- headers


async def test_standard_headers_and_bearer_token(
    mocked: aioresponses, sleep: RecordingSleep
) -> None:
    mocked.post(ACTIVITIES, status=201, payload={"id": "a1"})
    async with _transport(sleep) as transport:
        response = await transport.request(
            "POST", "v3/conversations/c1/activities", json={"type": "message"}
        )
    assert response.status == 201
    assert response.json() == {"id": "a1"}
    (call,) = _calls(mocked, "POST", ACTIVITIES)
    headers = call.kwargs["headers"]
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["Accept"] == "application/json"
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == get_product_info()
    assert call.kwargs["data"] == b'{"type": "message"}'


@pytest.mark.parametrize("token", [None, "", "x"])
async def test_no_authorization_header_without_a_token(
    mocked: aioresponses, sleep: RecordingSleep, token: str | None
) -> None:
    mocked.get(BASE + "v3/conversations", status=200, payload={})
    async with _transport(sleep, token=token) as transport:
        await transport.request("GET", "v3/conversations")
    (call,) = _calls(mocked, "GET", BASE + "v3/conversations")
    assert "Authorization" not in call.kwargs["headers"]


async def test_custom_user_agent_and_extra_headers(
    mocked: aioresponses, sleep: RecordingSleep
) -> None:
    mocked.get(BASE + "v3/x", status=200)
    async with _transport(sleep, user_agent="my-agent/1.0", headers={"X-Extra": "1"}) as transport:
        await transport.request("GET", "v3/x", headers={"X-Per-Call": "2"})
    (call,) = _calls(mocked, "GET", BASE + "v3/x")
    headers = call.kwargs["headers"]
    assert headers["User-Agent"] == "my-agent/1.0"
    assert headers["X-Extra"] == "1"
    assert headers["X-Per-Call"] == "2"


class _Provider(HeaderValueProvider):
    def __init__(self, headers: dict[str, str]) -> None:
        self._headers = headers

    def get_headers(self) -> dict[str, str]:
        return self._headers


async def test_propagated_headers_are_added_unless_the_request_sets_them(
    mocked: aioresponses, sleep: RecordingSleep
) -> None:
    mocked.get(BASE + "v3/x", status=200)
    HeaderPropagationContext.reset()
    HeaderPropagationContext.register(
        _Provider(
            {
                "AgentRegistrar": "A365",
                "x-ms-conversation-id": "from-provider",
                "Authorization": "Bearer stolen",
            }
        )
    )
    try:
        async with _transport(sleep) as transport:
            await transport.request("GET", "v3/x", headers={"X-MS-Conversation-Id": "explicit"})
    finally:
        HeaderPropagationContext.reset()
    (call,) = _calls(mocked, "GET", BASE + "v3/x")
    headers = call.kwargs["headers"]
    assert headers["AgentRegistrar"] == "A365"
    assert headers["X-MS-Conversation-Id"] == "explicit"
    assert "x-ms-conversation-id" not in headers
    assert headers["Authorization"] == f"Bearer {TOKEN}"


# ---------------------------------------------------------------------------- retries


async def test_post_429_with_retry_after_is_replayed_once_after_the_delay(
    mocked: aioresponses, sleep: RecordingSleep
) -> None:
    mocked.post(ACTIVITIES, status=429, headers={"Retry-After": "1"})
    mocked.post(ACTIVITIES, status=201, payload={"id": "a1"})
    async with _transport(sleep) as transport:
        response = await transport.request("POST", "v3/conversations/c1/activities", json={})
    assert response.json() == {"id": "a1"}
    assert len(_calls(mocked, "POST", ACTIVITIES)) == 2
    assert sleep.waits == [1.0]


async def test_503_then_success(mocked: aioresponses, sleep: RecordingSleep) -> None:
    mocked.get(BASE + "v3/x", status=503)
    mocked.get(BASE + "v3/x", status=200, payload={"ok": True})
    async with _transport(sleep, random=lambda: 0.5) as transport:
        response = await transport.request("GET", "v3/x")
    assert response.json() == {"ok": True}
    assert sleep.waits == [0.25]  # 0.5 (jitter) * base_delay 0.5 * 2**0


async def test_gives_up_after_max_attempts_with_status_code_and_body(
    mocked: aioresponses, sleep: RecordingSleep
) -> None:
    body = '{"error": {"code": "ServiceUnavailable", "message": "try later"}}'
    mocked.get(BASE + "v3/x", status=503, body=body, repeat=True)
    async with _transport(sleep, retry=RetryPolicy(max_attempts=3)) as transport:
        with pytest.raises(ServiceError) as caught:
            await transport.request("GET", "v3/x")
    error = caught.value
    assert len(_calls(mocked, "GET", BASE + "v3/x")) == 3
    assert len(sleep.waits) == 2
    assert error.status == 503
    assert error.code == "ServiceUnavailable"
    assert error.body == body
    assert error.method == "GET"
    assert error.url == BASE + "v3/x"
    assert "Error Code:" in str(error)


async def test_an_error_answer_is_also_the_aiohttp_error_the_reference_sdk_raises(
    mocked: aioresponses, sleep: RecordingSleep
) -> None:
    body = '{"error": {"code": "ContentStreamNotAllowed", "message": "stopped"}}'
    mocked.post(ACTIVITIES, status=403, body=body)
    async with _transport(sleep) as transport:
        with pytest.raises(aiohttp.ClientResponseError) as caught:
            await transport.request("POST", "v3/conversations/c1/activities", json={})

    error = caught.value
    assert isinstance(error, ServiceError)
    assert error.status == 403
    assert error.code == "ContentStreamNotAllowed"  # the service's code, not the status
    assert str(error) == error.message
    assert "ContentStreamNotAllowed" in error.message
    assert str(error.request_info.url) == ACTIVITIES
    assert error.request_info.method == "POST"


async def test_backoff_is_exponential_with_jitter_and_capped(
    mocked: aioresponses, sleep: RecordingSleep
) -> None:
    mocked.get(BASE + "v3/x", status=503, repeat=True)
    policy = RetryPolicy(max_attempts=6, base_delay=1.0, max_delay=4.0, budget=100.0)
    async with _transport(sleep, retry=policy, random=lambda: 0.5) as transport:
        with pytest.raises(ServiceError):
            await transport.request("GET", "v3/x")
    assert sleep.waits == [0.5, 1.0, 2.0, 2.0, 2.0]


async def test_post_502_is_not_replayed(mocked: aioresponses, sleep: RecordingSleep) -> None:
    mocked.post(ACTIVITIES, status=502, repeat=True)
    async with _transport(sleep) as transport:
        with pytest.raises(ServiceError) as caught:
            await transport.request("POST", "v3/conversations/c1/activities", json={})
    assert caught.value.status == 502
    assert len(_calls(mocked, "POST", ACTIVITIES)) == 1
    assert sleep.waits == []


@pytest.mark.parametrize("status", [502, 504])
async def test_get_502_and_504_are_replayed(
    mocked: aioresponses, sleep: RecordingSleep, status: int
) -> None:
    mocked.get(BASE + "v3/x", status=status)
    mocked.get(BASE + "v3/x", status=200)
    async with _transport(sleep) as transport:
        response = await transport.request("GET", "v3/x")
    assert response.status == 200
    assert len(_calls(mocked, "GET", BASE + "v3/x")) == 2


async def test_put_504_is_replayed_delete_too(mocked: aioresponses, sleep: RecordingSleep) -> None:
    url = ACTIVITIES + "/a1"
    mocked.put(url, status=504)
    mocked.put(url, status=200)
    mocked.delete(url, status=502)
    mocked.delete(url, status=204)
    async with _transport(sleep) as transport:
        await transport.request("PUT", "v3/conversations/c1/activities/a1", json={})
        await transport.request("DELETE", "v3/conversations/c1/activities/a1")
    assert len(_calls(mocked, "PUT", url)) == 2
    assert len(_calls(mocked, "DELETE", url)) == 2


async def test_connection_error_before_send_is_retried_for_post(
    mocked: aioresponses, sleep: RecordingSleep
) -> None:
    mocked.post(ACTIVITIES, exception=_connector_error())
    mocked.post(ACTIVITIES, status=201, payload={"id": "a1"})
    async with _transport(sleep) as transport:
        response = await transport.request("POST", "v3/conversations/c1/activities", json={})
    assert response.status == 201
    assert len(_calls(mocked, "POST", ACTIVITIES)) == 2


@pytest.mark.parametrize(
    "exception", [aiohttp.ServerDisconnectedError(), aiohttp.SocketTimeoutError("read")]
)
async def test_ambiguous_failure_after_send_is_not_replayed_for_post(
    mocked: aioresponses, sleep: RecordingSleep, exception: Exception
) -> None:
    mocked.post(ACTIVITIES, exception=exception)
    mocked.post(ACTIVITIES, status=201)
    async with _transport(sleep) as transport:
        with pytest.raises(ServiceError) as caught:
            await transport.request("POST", "v3/conversations/c1/activities", json={})
    assert caught.value.status == 0
    assert caught.value.__cause__ is exception
    assert len(_calls(mocked, "POST", ACTIVITIES)) == 1


async def test_read_timeout_is_replayed_for_get(
    mocked: aioresponses, sleep: RecordingSleep
) -> None:
    mocked.get(BASE + "v3/x", exception=TimeoutError())
    mocked.get(BASE + "v3/x", status=200)
    async with _transport(sleep) as transport:
        assert (await transport.request("GET", "v3/x")).status == 200
    assert len(_calls(mocked, "GET", BASE + "v3/x")) == 2


async def test_connection_failures_give_up_with_status_zero(
    mocked: aioresponses, sleep: RecordingSleep
) -> None:
    mocked.get(BASE + "v3/x", exception=_connector_error(), repeat=True)
    async with _transport(sleep, retry=RetryPolicy(max_attempts=2)) as transport:
        with pytest.raises(ServiceError) as caught:
            await transport.request("GET", "v3/x")
    assert caught.value.status == 0
    assert caught.value.body == ""
    assert len(_calls(mocked, "GET", BASE + "v3/x")) == 2


async def test_a_non_retryable_status_fails_at_once(
    mocked: aioresponses, sleep: RecordingSleep
) -> None:
    mocked.get(BASE + "v3/x", status=404, body="not json", repeat=True)
    async with _transport(sleep) as transport:
        with pytest.raises(ServiceError) as caught:
            await transport.request("GET", "v3/x")
    assert (caught.value.status, caught.value.code, caught.value.body) == (404, None, "not json")
    assert len(_calls(mocked, "GET", BASE + "v3/x")) == 1


async def test_ok_statuses_are_configurable(mocked: aioresponses, sleep: RecordingSleep) -> None:
    mocked.get(BASE + "v3/x", status=404)
    async with _transport(sleep) as transport:
        response = await transport.request("GET", "v3/x", ok=(200, 404))
    assert response.status == 404
    assert response.json() is None
    assert response.text() == ""


async def test_the_budget_bounds_the_total_wait(
    mocked: aioresponses, sleep: RecordingSleep
) -> None:
    mocked.get(BASE + "v3/x", status=503, repeat=True)
    policy = RetryPolicy(max_attempts=10, base_delay=4.0, max_delay=8.0, budget=10.0)
    async with _transport(sleep, retry=policy, random=lambda: 0.999) as transport:
        with pytest.raises(ServiceError):
            await transport.request("GET", "v3/x")
    assert sum(sleep.waits) <= policy.budget
    assert sum(sleep.waits) == pytest.approx(policy.budget)
    assert len(_calls(mocked, "GET", BASE + "v3/x")) == len(sleep.waits) + 1


async def test_a_retry_after_beyond_the_budget_gives_up_immediately(
    mocked: aioresponses, sleep: RecordingSleep
) -> None:
    mocked.post(ACTIVITIES, status=429, headers={"Retry-After": "60"}, repeat=True)
    async with _transport(sleep, retry=RetryPolicy(budget=5.0)) as transport:
        with pytest.raises(ServiceError) as caught:
            await transport.request("POST", "v3/conversations/c1/activities", json={})
    assert caught.value.status == 429
    assert sleep.waits == []
    assert len(_calls(mocked, "POST", ACTIVITIES)) == 1
    # The caller learns when it may call again.
    assert caught.value.retry_after == 60
    assert "The service asked to wait 60 s before calling again." in str(caught.value)
    assert isinstance(caught.value, aiohttp.ClientResponseError)
    assert caught.value.headers is not None
    assert caught.value.headers["Retry-After"] == "60"


async def test_retries_are_logged_without_query_or_token(
    mocked: aioresponses, sleep: RecordingSleep, caplog: pytest.LogCaptureFixture
) -> None:
    url = BASE + "api/usertoken/GetToken?code=magic-123"
    mocked.get(url, status=503)
    mocked.get(url, status=200)
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    async with _transport(sleep) as transport:
        await transport.request("GET", "api/usertoken/GetToken", params={"code": "magic-123"})
    retries = [r for r in caplog.records if r.levelno == logging.INFO and "Retrying" in r.message]
    assert len(retries) == 1
    assert "GET" in retries[0].message
    assert "503" in retries[0].message
    assert BASE + "api/usertoken/GetToken" in retries[0].message
    assert "magic-123" not in caplog.text
    assert TOKEN not in caplog.text


def test_retry_after_parsing() -> None:
    now = datetime.datetime(2024, 5, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
    assert parse_retry_after("1") == 1.0
    assert parse_retry_after(" 2.5 ") == 2.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after("Wed, 01 May 2024 12:00:07 GMT", now=now) == 7.0
    assert parse_retry_after("Wed, 01 May 2024 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("") is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("nan") is None


async def test_retry_after_as_http_date_is_honoured(
    mocked: aioresponses, sleep: RecordingSleep
) -> None:
    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=3)
    mocked.get(
        BASE + "v3/x",
        status=503,
        headers={"Retry-After": when.strftime("%a, %d %b %Y %H:%M:%S GMT")},
    )
    mocked.get(BASE + "v3/x", status=200)
    async with _transport(sleep) as transport:
        await transport.request("GET", "v3/x")
    assert len(sleep.waits) == 1
    assert 0.0 <= sleep.waits[0] <= 3.0


def test_retry_policy_validation() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="negative"):
        RetryPolicy(budget=-1)
    with pytest.raises(ValueError, match="timeout"):
        RetryPolicy(timeout=0)


# ---------------------------------------------------------------------------- host checks


async def test_refused_host_sends_nothing_and_never_logs_the_token(
    mocked: aioresponses, sleep: RecordingSleep, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    validator = OutboundHostValidator(enabled=True)
    transport = HttpTransport(
        "https://attacker.example/", token=TOKEN, host_validator=validator, sleep=sleep
    )
    async with transport:
        with pytest.raises(OutboundRequestRefusedError) as caught:
            await transport.request("POST", "v3/conversations/c1/activities", json={})
    assert mocked.requests == {}
    assert caught.value.reason
    assert caught.value.url == "https://attacker.example/v3/conversations/c1/activities"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("attacker.example" in r.getMessage() for r in warnings)
    assert TOKEN not in caplog.text
    assert TOKEN not in str(caught.value)


async def test_http_is_refused_by_an_enabled_validator(
    mocked: aioresponses, sleep: RecordingSleep
) -> None:
    transport = HttpTransport(
        "http://smba.trafficmanager.net/amer/",
        token=TOKEN,
        host_validator=OutboundHostValidator(enabled=True),
        sleep=sleep,
    )
    async with transport:
        with pytest.raises(OutboundRequestRefusedError):
            await transport.request("GET", "v3/x")
    assert mocked.requests == {}


async def test_an_absolute_path_to_another_host_is_checked(
    mocked: aioresponses, sleep: RecordingSleep
) -> None:
    transport = _transport(sleep, host_validator=OutboundHostValidator(enabled=True))
    async with transport:
        with pytest.raises(OutboundRequestRefusedError):
            await transport.request("GET", "https://evil.example/steal")
    assert mocked.requests == {}


async def test_a_redirect_to_a_refused_host_is_not_followed(
    mocked: aioresponses, sleep: RecordingSleep
) -> None:
    url = BASE + "v3/attachments/1/views/original"
    mocked.get(url, status=302, headers={"Location": "https://evil.example/grab"})
    transport = _transport(sleep, host_validator=OutboundHostValidator(enabled=True))
    async with transport:
        with pytest.raises(OutboundRequestRefusedError):
            await transport.request("GET", "v3/attachments/1/views/original")
    assert _total_calls(mocked) == 1


async def test_a_redirect_to_another_allowed_origin_drops_the_token(
    mocked: aioresponses, sleep: RecordingSleep
) -> None:
    url = BASE + "v3/attachments/1/views/original"
    blob = "https://store.blob.core.windows.net/a/1"
    mocked.get(url, status=302, headers={"Location": blob})
    mocked.get(blob, status=200, body=b"bytes")
    transport = _transport(sleep, host_validator=OutboundHostValidator(enabled=True))
    async with transport:
        response = await transport.request("GET", "v3/attachments/1/views/original")
    assert response.body == b"bytes"
    (first,) = _calls(mocked, "GET", url)
    (second,) = _calls(mocked, "GET", blob)
    assert first.kwargs["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert "Authorization" not in second.kwargs["headers"]


async def test_a_same_origin_redirect_keeps_the_token_and_303_turns_post_into_get(
    mocked: aioresponses, sleep: RecordingSleep
) -> None:
    mocked.post(ACTIVITIES, status=303, headers={"Location": "/amer/v3/done"})
    mocked.get(BASE + "v3/done", status=200)
    async with _transport(sleep) as transport:
        response = await transport.request("POST", "v3/conversations/c1/activities", json={})
    assert response.status == 200
    (second,) = _calls(mocked, "GET", BASE + "v3/done")
    assert second.kwargs["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert second.kwargs["data"] is None


async def test_a_redirect_to_a_location_that_is_no_url_is_a_service_error(
    mocked: aioresponses, sleep: RecordingSleep
) -> None:
    mocked.get(BASE + "v3/x", status=302, headers={"Location": "http://[::1"})
    async with _transport(sleep) as transport:
        with pytest.raises(ServiceError, match="Location that is not a valid URL") as caught:
            await transport.request("GET", "v3/x")
    assert caught.value.status == 302


async def test_redirects_can_be_disabled(mocked: aioresponses, sleep: RecordingSleep) -> None:
    mocked.get(BASE + "v3/x", status=302, headers={"Location": "https://evil.example/"})
    async with _transport(sleep) as transport:
        response = await transport.request("GET", "v3/x", ok=(302,), allow_redirects=False)
    assert response.headers["Location"] == "https://evil.example/"
    assert _total_calls(mocked) == 1


async def test_non_http_schemes_are_refused_even_without_a_validator(
    mocked: aioresponses, sleep: RecordingSleep
) -> None:
    async with _transport(sleep) as transport:
        with pytest.raises(OutboundRequestRefusedError):
            await transport.request("GET", "file:///etc/passwd")
    assert mocked.requests == {}


# ---------------------------------------------------------------------------- sessions


async def test_a_borrowed_session_is_not_closed(
    mocked: aioresponses, sleep: RecordingSleep
) -> None:
    mocked.get(BASE + "v3/x", status=200)
    async with aiohttp.ClientSession() as session:
        transport = _transport(sleep, session=session)
        await transport.request("GET", "v3/x")
        await transport.close()
        assert not session.closed


async def test_a_closed_transport_sends_nothing_more(
    mocked: aioresponses, sleep: RecordingSleep
) -> None:
    mocked.get(BASE + "v3/x", status=200, repeat=True)
    transport = _transport(sleep)
    await transport.request("GET", "v3/x")
    await transport.close()
    with pytest.raises(AdapterError, match="was closed"):
        await transport.request("GET", "v3/x")
    assert transport._session is None  # no new session was opened behind the close
    assert _total_calls(mocked) == 1


async def test_close_without_use_is_harmless(sleep: RecordingSleep) -> None:
    transport = _transport(sleep)
    await transport.close()
    await transport.close()


async def test_json_and_data_together_are_rejected(mocked: aioresponses) -> None:
    async with HttpTransport(BASE) as transport:
        with pytest.raises(ValueError, match="either json or data"):
            await transport.request("POST", "v3/x", json={}, data=b"{}")
    assert mocked.requests == {}


def test_service_response_helpers() -> None:
    response = ServiceResponse(status=200, headers={}, body='{"a": "é"}'.encode())
    assert response.json() == {"a": "é"}
    assert response.text() == '{"a": "é"}'
    assert ServiceResponse(status=204, headers={}, body=b"  ").json() is None
