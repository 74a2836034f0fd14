"""Invoke payloads and answers, user tokens and the sign-in state."""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

import pytest
from pydantic import ValidationError

from microsoft_agents.activity import (
    Activity,
    AdaptiveCardInvokeAction,
    AdaptiveCardInvokeResponse,
    AdaptiveCardInvokeValue,
    AdaptiveCardSearchInvokeValue,
    ConversationReference,
    InvokeResponse,
    MediaEventValue,
    SearchInvokeValue,
    SignInResource,
    TokenExchangeInvokeRequest,
    TokenExchangeInvokeResponse,
    TokenExchangeRequest,
    TokenExchangeState,
    TokenOrSignInResourceResponse,
    TokenPostResource,
    TokenRequest,
    TokenResponse,
    TokenStatus,
)
from microsoft_agents.activity.teams import (
    AppBasedLinkQuery,
    MessagingExtensionQuery,
    SigninStateVerificationQuery,
    TabRequest,
)

from .conftest import load_fixture, wire

APP_ID = "e3cb1c84-14e3-419c-b39c-1c06097b55fd"


def _unsigned_jwt(claims: dict[str, Any]) -> str:
    def segment(data: dict[str, Any]) -> str:
        raw = json.dumps(data).encode("utf-8")
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    return f"{segment({'alg': 'RS256', 'typ': 'JWT'})}.{segment(claims)}.c2lnbmF0dXJl"


# ---------------------------------------------------------------------- invoke values


def test_adaptive_card_action_invoke_from_teams_parses() -> None:
    payload = load_fixture("teamsnet--invoke--1.json")
    activity = Activity.model_validate(payload)
    assert activity.name == "adaptiveCard/action"

    value = AdaptiveCardInvokeValue.model_validate(activity.value)

    assert value.action.type == "Action.Execute"
    assert value.action.data == {"feedback": "test invokes"}
    assert value.action.verb is None
    assert value.trigger == "manual"
    assert value.authentication is None
    # Keys the model does not declare (the action's title) survive a round trip.
    assert wire(value) == payload["value"]


def test_adaptive_card_action_with_sso_token_and_magic_code() -> None:
    value = AdaptiveCardInvokeValue.model_validate(
        {
            "action": {"type": "Action.Execute", "id": "approve", "verb": "approve"},
            "authentication": {
                "id": "f8d3e1a2",
                "connectionName": "graph",
                "token": "eyJhbGciOi.sso.token",
            },
            "state": "482913",
        }
    )

    assert value.action.verb == "approve"
    assert value.action.data == {}
    assert isinstance(value.authentication, TokenExchangeInvokeRequest)
    assert value.authentication.connection_name == "graph"
    assert value.state == "482913"


def test_adaptive_card_action_requires_the_action() -> None:
    with pytest.raises(ValidationError, match="action"):
        AdaptiveCardInvokeValue.model_validate({"trigger": "manual"})


def test_invoke_action_data_defaults_to_empty_and_stays_off_the_wire() -> None:
    action = AdaptiveCardInvokeAction(type="Action.Execute", verb="refresh")

    assert action.data == {}
    assert wire(action) == {"type": "Action.Execute", "verb": "refresh"}


def test_search_invoke_value() -> None:
    payload = {
        "kind": "search",
        "queryText": "ber",
        "queryOptions": {"skip": 0, "top": 15},
        "dataset": "cities",
    }

    value = AdaptiveCardSearchInvokeValue.model_validate(payload)

    assert isinstance(value, SearchInvokeValue)
    assert (value.kind, value.query_text, value.dataset) == ("search", "ber", "cities")
    assert (value.query_options.skip, value.query_options.top) == (0, 15)
    assert wire(value) == payload


def test_search_invoke_value_requires_query_text() -> None:
    with pytest.raises(ValidationError, match="queryText"):
        SearchInvokeValue.model_validate({"kind": "search", "queryOptions": {"top": 5}})


def test_media_event_value() -> None:
    value = MediaEventValue.model_validate({"cardValue": {"videoId": 7}})

    assert value.card_value == {"videoId": 7}


# ---------------------------------------------------------------------- invoke answers


@pytest.mark.parametrize(
    ("status", "ok"),
    [(200, True), (204, True), (299, True), (199, False), (300, False), (412, False)],
)
def test_invoke_response_success_is_2xx(status: int, ok: bool) -> None:
    assert InvokeResponse(status=status).is_successful_status_code() is ok


def test_invoke_response_activity_carries_status_and_body_in_value() -> None:
    body = AdaptiveCardInvokeResponse(
        status_code=400,
        type="application/vnd.microsoft.error",
        value={"code": "BadRequest", "message": "Missing verb"},
    )
    activity = Activity(type="invokeResponse", value=InvokeResponse(status=200, body=body))

    assert activity.to_wire(exclude_none=True) == {
        "type": "invokeResponse",
        "value": {
            "status": 200,
            "body": {
                "statusCode": 400,
                "type": "application/vnd.microsoft.error",
                "value": {"code": "BadRequest", "message": "Missing verb"},
            },
        },
    }


def test_invoke_response_parses_from_wire() -> None:
    response = InvokeResponse.model_validate({"status": 501})

    assert response.status == 501
    assert response.body is None
    assert not response.is_successful_status_code()


# ---------------------------------------------------------------------- token responses


def test_token_response_from_the_token_service() -> None:
    response = TokenResponse.model_validate(
        {
            "channelId": "msteams",
            "connectionName": "graph",
            "token": "eyJ0eXAiOiJKV1QifQ.e30.sig",
            "expiration": "2026-03-01T10:15:00.0000000+00:00",
        }
    )

    assert response
    assert response.connection_name == "graph"
    assert response.expiration == "2026-03-01T10:15:00.0000000+00:00"


@pytest.mark.parametrize("token", [None, ""])
def test_token_response_without_a_token_is_falsy(token: str | None) -> None:
    assert not TokenResponse(connection_name="graph", token=token)


def test_token_or_sign_in_resource_with_a_sign_in_link() -> None:
    payload = {
        "signInResource": {
            "signInLink": "https://token.botframework.com/api/oauth/signin?signin=893cf4",
            "tokenExchangeResource": {
                "id": "fc67c7b5",
                "uri": "api://botid-e3cb1c84",
                "providerId": "30dd229c",
            },
            "tokenPostResource": {"sasUrl": "https://token.botframework.com/api/sas/postToken"},
        }
    }

    answer = TokenOrSignInResourceResponse.model_validate(payload)

    assert answer.token_response is None
    assert isinstance(answer.sign_in_resource, SignInResource)
    assert answer.sign_in_resource.token_exchange_resource is not None
    assert answer.sign_in_resource.token_exchange_resource.uri == "api://botid-e3cb1c84"
    assert wire(answer) == payload


def test_token_status_list() -> None:
    statuses = [
        TokenStatus.model_validate(item)
        for item in [
            {
                "channelId": "msteams",
                "connectionName": "graph",
                "hasToken": True,
                "serviceProviderDisplayName": "Azure Active Directory v2",
            },
            {"channelId": "msteams", "connectionName": "github", "hasToken": False},
        ]
    ]

    assert [(s.connection_name, s.has_token) for s in statuses] == [
        ("graph", True),
        ("github", False),
    ]
    assert statuses[0].service_provider_display_name == "Azure Active Directory v2"


def test_small_token_service_bodies_use_wire_names() -> None:
    assert wire(TokenExchangeRequest(token="sso-token")) == {"token": "sso-token"}
    assert wire(TokenRequest(provider="aad", settings={"scopes": ["User.Read"]})) == {
        "provider": "aad",
        "settings": {"scopes": ["User.Read"]},
    }
    assert wire(
        TokenExchangeInvokeResponse(
            id="f8d3e1a2",
            connection_name="graph",
            failure_detail="The Agent is unable to exchange token. Proceed with regular login.",
        )
    ) == {
        "id": "f8d3e1a2",
        "connectionName": "graph",
        "failureDetail": "The Agent is unable to exchange token. Proceed with regular login.",
    }


# ---------------------------------------------------------------------- is_exchangeable


def test_v1_token_issued_to_this_app_for_this_app_is_exchangeable() -> None:
    token = _unsigned_jwt({"ver": "1.0", "aud": APP_ID, "appid": APP_ID, "tid": "t"})

    assert TokenResponse(token=token).is_exchangeable()


def test_v2_token_with_audience_list_containing_the_app_is_exchangeable() -> None:
    token = _unsigned_jwt(
        {"ver": "2.0", "aud": ["https://graph.microsoft.com", APP_ID], "azp": APP_ID}
    )

    assert TokenResponse(token=token).is_exchangeable()


@pytest.mark.parametrize(
    "audience",
    [f"api://{APP_ID}", [f"api://{APP_ID}"], ["https://graph.microsoft.com", f"api://{APP_ID}"]],
)
def test_token_whose_audience_contains_the_app_id_is_exchangeable(audience: Any) -> None:
    """api-surface 2.8: exchangeable when ``aud`` contains the app id (``api://<id>``)."""
    token = _unsigned_jwt({"ver": "1.0", "aud": audience, "appid": APP_ID})

    assert TokenResponse(token=token).is_exchangeable()


def test_token_for_another_audience_is_not_exchangeable() -> None:
    token = _unsigned_jwt({"ver": "2.0", "aud": "https://graph.microsoft.com", "azp": APP_ID})

    assert not TokenResponse(token=token).is_exchangeable()


def test_user_identity_token_is_not_exchangeable() -> None:
    token = _unsigned_jwt({"aud": APP_ID, "appid": APP_ID, "idtyp": "user"})

    assert not TokenResponse(token=token).is_exchangeable()


def test_token_without_an_app_id_claim_is_not_exchangeable() -> None:
    token = _unsigned_jwt({"aud": APP_ID})

    assert not TokenResponse(token=token).is_exchangeable()


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        "a.b",
        "eyJhbGciOiJub25lIn0.%%%%.sig",
        "eyJhbGciOiJub25lIn0.bm90IGpzb24.sig",  # "not json"
        "eyJhbGciOiJub25lIn0.WzEsMl0.sig",  # [1,2]
        "eyJhbGciOiJub25lIn0._w.sig",  # not UTF-8
    ],
)
def test_malformed_token_is_not_exchangeable_and_is_not_logged(
    token: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="microsoft_agents.activity")

    assert TokenResponse(connection_name="graph", token=token).is_exchangeable() is False
    assert caplog.records, "a malformed token is reported at debug level"
    assert all(token not in record.getMessage() for record in caplog.records)


def test_missing_token_is_not_exchangeable() -> None:
    assert TokenResponse(connection_name="graph").is_exchangeable() is False


# ---------------------------------------------------------------------- sign-in state


def _reference() -> ConversationReference:
    return ConversationReference.model_validate(
        {
            "activityId": "1712345678901",
            "user": {"id": "29:1a2b3c", "name": "Ann Example"},
            "bot": {"id": "28:app-id-123", "name": "Helper Agent"},
            "conversation": {"id": "a:1Xb2", "tenantId": "72f988bf"},
            "channelId": "msteams",
            "serviceUrl": "https://smba.trafficmanager.net/emea/",
        }
    )


def test_token_exchange_state_writes_agent_url_as_bot_url() -> None:
    state = TokenExchangeState(
        connection_name="graph",
        conversation=_reference(),
        agent_url="https://agent.contoso.example/api/messages",
        ms_app_id=APP_ID,
    )

    dumped = wire(state)

    assert dumped["bot_url"] == "https://agent.contoso.example/api/messages"
    assert "agentUrl" not in dumped
    assert "agent_url" not in dumped
    assert dumped["msAppId"] == APP_ID


@pytest.mark.parametrize("key", ["bot_url", "agent_url", "agentUrl"])
def test_token_exchange_state_reads_every_spelling_of_the_agent_url(key: str) -> None:
    state = TokenExchangeState.model_validate(
        {"conversation": {"conversation": {"id": "a:1"}}, key: "https://agent.example/"}
    )

    assert state.agent_url == "https://agent.example/"


def test_encoded_state_decodes_back_to_the_wire_json_without_nulls() -> None:
    state = TokenExchangeState(
        connection_name="graph",
        conversation=_reference(),
        relates_to=None,
        ms_app_id=APP_ID,
    )

    decoded = json.loads(base64.b64decode(state.get_encoded_state()))

    assert decoded == {
        "connectionName": "graph",
        "conversation": {
            "activityId": "1712345678901",
            "user": {"id": "29:1a2b3c", "name": "Ann Example"},
            "bot": {"id": "28:app-id-123", "name": "Helper Agent"},
            "conversation": {"id": "a:1Xb2", "tenantId": "72f988bf"},
            "channelId": "msteams",
            "serviceUrl": "https://smba.trafficmanager.net/emea/",
        },
        "msAppId": APP_ID,
    }
    restored = TokenExchangeState.model_validate(decoded)
    assert restored.conversation == state.conversation
    assert restored.get_encoded_state() == state.get_encoded_state()


def test_token_exchange_state_requires_the_conversation() -> None:
    with pytest.raises(ValidationError, match="conversation"):
        TokenExchangeState.model_validate({"connectionName": "graph"})


# ---------------------------------------------------------------------- secrets in repr


@pytest.mark.parametrize(
    "model",
    [
        TokenResponse(connection_name="graph", token="SECRETTOKEN"),
        TokenExchangeRequest(uri="api://x", token="SECRETTOKEN"),
        TokenExchangeInvokeRequest(id="1", connection_name="graph", token="SECRETTOKEN"),
        TokenPostResource(sas_url="https://x.blob.core.windows.net/t?sig=SECRETTOKEN"),
        AdaptiveCardInvokeValue(
            action=AdaptiveCardInvokeAction(type="Action.Execute"), state="SECRETTOKEN"
        ),
        SigninStateVerificationQuery(state="SECRETTOKEN"),
        MessagingExtensionQuery(command_id="search", state="SECRETTOKEN"),
        AppBasedLinkQuery(url="https://contoso.example", state="SECRETTOKEN"),
        TabRequest(state="SECRETTOKEN"),
    ],
    ids=lambda model: type(model).__name__,
)
def test_tokens_and_magic_codes_stay_out_of_repr_but_on_the_wire(model: Any) -> None:
    assert "SECRETTOKEN" not in repr(model)
    assert "SECRETTOKEN" not in str(model)
    assert "SECRETTOKEN" in json.dumps(wire(model))


def test_token_response_repr_still_shows_the_connection() -> None:
    assert "graph" in repr(TokenResponse(connection_name="graph", token="SECRETTOKEN"))
