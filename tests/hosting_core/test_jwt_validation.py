"""The inbound JWT matrix: every way a token can be wrong, and the ways it can be right.

Keys are generated here; the OpenID metadata and key sets are served by aioresponses, and
time comes from a fake clock, so nothing touches the network or sleeps.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from aioresponses import aioresponses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from yarl import URL

from microsoft_agents.hosting.core import AuthenticationError
from microsoft_agents.hosting.core.authorization import (
    AgentAuthConfiguration,
    AuthenticationConstants,
    ClaimsIdentity,
)
from microsoft_agents.hosting.core.authorization._claims_identity import endorsement_refusal
from microsoft_agents.hosting.core.authorization.jwt import JwtTokenValidator, _authorize_request

APP_ID = "9c6f9e2a-1b7d-4c1e-8f3a-2d5b6c7e8f90"
OTHER_APP_ID = "0a1b2c3d-0000-4000-8000-000000000099"
TENANT = "3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
OTHER_TENANT = "77777777-7777-4777-8777-777777777777"
NOW = 1_800_000_000.0

BF_ISSUER = "https://api.botframework.com"
BF_METADATA = AuthenticationConstants.BOT_FRAMEWORK_OPENID_METADATA_URL
BF_JWKS = "https://login.botframework.com/v1/.well-known/keys"
V2_ISSUER = f"https://login.microsoftonline.com/{TENANT}/v2.0"
V2_METADATA = f"https://login.microsoftonline.com/{TENANT}/v2.0/.well-known/openid-configuration"
V1_ISSUER = f"https://sts.windows.net/{TENANT}/"
V1_METADATA = f"https://login.microsoftonline.com/{TENANT}/.well-known/openid-configuration"
ENTRA_JWKS = f"https://login.microsoftonline.com/{TENANT}/discovery/v2.0/keys"


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


KEY = _new_key()
ROTATED_KEY = _new_key()
STRANGER_KEY = _new_key()


def _jwk(key: rsa.RSAPrivateKey, kid: str, endorsements: list[str] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    data.update({"kid": kid, "use": "sig"})
    if endorsements is not None:
        data["endorsements"] = endorsements
    return data


def _sign(claims: dict[str, Any], *, key: rsa.RSAPrivateKey = KEY, kid: str = "k1") -> str:
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _bf_claims(**overrides: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "iss": BF_ISSUER,
        "aud": APP_ID,
        "exp": NOW + 3600,
        "nbf": NOW - 60,
        "serviceurl": "https://smba.trafficmanager.net/amer/",
    }
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


def _v2_claims(**overrides: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "iss": V2_ISSUER,
        "aud": APP_ID,
        "azp": OTHER_APP_ID,
        "ver": "2.0",
        "tid": TENANT,
        "exp": NOW + 3600,
        "iat": NOW - 60,
    }
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


class FakeClock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _config(**settings: Any) -> AgentAuthConfiguration:
    base: dict[str, Any] = {"CLIENTID": APP_ID, "CLIENTSECRET": "s3cret", "TENANTID": TENANT}
    base.update(settings)
    return AgentAuthConfiguration(**base)


def _serve(
    mocked: aioresponses,
    metadata_url: str,
    jwks_url: str,
    *key_sets: list[dict[str, Any]],
) -> None:
    mocked.get(metadata_url, payload={"jwks_uri": jwks_url}, repeat=True)
    for keys in key_sets:
        mocked.get(jwks_url, payload={"keys": keys})


def _calls(mocked: aioresponses, url: str) -> int:
    return len(mocked.requests.get(("GET", URL(url)), []))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def mocked() -> Iterator[aioresponses]:
    with aioresponses() as m:
        yield m


@pytest.fixture
def validator(clock: FakeClock) -> JwtTokenValidator:
    return JwtTokenValidator(_config(), clock=clock)


@pytest.fixture
def bot_framework_keys(mocked: aioresponses) -> aioresponses:
    _serve(mocked, BF_METADATA, BF_JWKS, [_jwk(KEY, "k1", ["msteams", "webchat"])])
    return mocked


@pytest.fixture
def entra_keys(mocked: aioresponses) -> aioresponses:
    _serve(mocked, V2_METADATA, ENTRA_JWKS, [_jwk(KEY, "k1")])
    _serve(mocked, V1_METADATA, ENTRA_JWKS, [_jwk(KEY, "k1")])
    return mocked


async def _rejected(validator: JwtTokenValidator, token: str, **kwargs: Any) -> str:
    with pytest.raises(AuthenticationError) as caught:
        await validator.validate_token(token, **kwargs)
    message = str(caught.value)
    assert token not in message
    return message


# ---------------------------------------------------------------------- accepted tokens


async def test_valid_bot_framework_token_is_accepted_with_its_claims(
    validator: JwtTokenValidator, bot_framework_keys: aioresponses
) -> None:
    token = _sign(_bf_claims())

    identity = await validator.validate_token(token)

    assert identity.claims["aud"] == APP_ID
    assert identity.claims["serviceurl"] == "https://smba.trafficmanager.net/amer/"
    assert identity.security_token == token
    assert identity.authentication_type == "Bearer"
    assert identity.is_authenticated
    assert not identity.allow_anonymous
    assert _calls(bot_framework_keys, BF_METADATA) == 1
    assert _calls(bot_framework_keys, BF_JWKS) == 1


async def test_signing_keys_are_cached_between_tokens(
    validator: JwtTokenValidator, bot_framework_keys: aioresponses
) -> None:
    await validator.validate_token(_sign(_bf_claims()))
    await validator.validate_token(_sign(_bf_claims(serviceurl="https://other/")))

    assert _calls(bot_framework_keys, BF_JWKS) == 1


async def test_signing_keys_are_fetched_again_after_the_cache_ttl(
    clock: FakeClock, mocked: aioresponses
) -> None:
    _serve(mocked, BF_METADATA, BF_JWKS, [_jwk(KEY, "k1")], [_jwk(KEY, "k1")])
    validator = JwtTokenValidator(_config(), clock=clock, key_cache_ttl=600)
    await validator.validate_token(_sign(_bf_claims()))

    clock.now += 601
    await validator.validate_token(_sign(_bf_claims(exp=clock.now + 60)))

    assert _calls(mocked, BF_JWKS) == 2


async def test_audience_matches_the_client_id_ignoring_case(
    validator: JwtTokenValidator, bot_framework_keys: aioresponses
) -> None:
    identity = await validator.validate_token(_sign(_bf_claims(aud=APP_ID.upper())))

    assert identity.get_app_id() == APP_ID.upper()


async def test_entra_v2_token_of_the_configured_tenant_is_accepted(
    validator: JwtTokenValidator, entra_keys: aioresponses
) -> None:
    identity = await validator.validate_token(_sign(_v2_claims()))

    assert identity.is_agent_claim()
    assert identity.get_token_audience() == f"app://{OTHER_APP_ID}"
    assert _calls(entra_keys, V2_METADATA) == 1


async def test_entra_v1_token_of_the_configured_tenant_is_accepted(
    validator: JwtTokenValidator, entra_keys: aioresponses
) -> None:
    claims = _v2_claims(iss=V1_ISSUER, ver="1.0", appid=OTHER_APP_ID, azp=None)

    identity = await validator.validate_token(_sign(claims))

    assert identity.get_outgoing_app_id() == OTHER_APP_ID
    assert _calls(entra_keys, V1_METADATA) == 1


async def test_multi_tenant_registration_accepts_another_tenants_entra_issuer(
    clock: FakeClock, mocked: aioresponses
) -> None:
    common_metadata = (
        "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration"
    )
    _serve(mocked, common_metadata, ENTRA_JWKS, [_jwk(KEY, "k1")])
    validator = JwtTokenValidator(_config(TENANTID="common"), clock=clock)
    issuer = f"https://login.microsoftonline.com/{OTHER_TENANT}/v2.0"

    identity = await validator.validate_token(_sign(_v2_claims(iss=issuer, tid=OTHER_TENANT)))

    assert identity.claims["tid"] == OTHER_TENANT


async def test_token_for_another_configured_connection_is_accepted(
    clock: FakeClock, bot_framework_keys: aioresponses
) -> None:
    service = _config()
    blueprint = _config(CLIENTID=OTHER_APP_ID)
    service._set_peer_configurations([service, blueprint])
    validator = JwtTokenValidator(service, clock=clock)

    identity = await validator.validate_token(_sign(_bf_claims(aud=OTHER_APP_ID)))

    assert identity.get_app_id() == OTHER_APP_ID


async def test_expiry_within_the_clock_skew_is_accepted(
    validator: JwtTokenValidator, bot_framework_keys: aioresponses
) -> None:
    await validator.validate_token(_sign(_bf_claims(exp=NOW - 299, nbf=NOW + 299)))


# ---------------------------------------------------------------------- lifetime


async def test_expired_token_is_rejected(
    validator: JwtTokenValidator, bot_framework_keys: aioresponses
) -> None:
    message = await _rejected(validator, _sign(_bf_claims(exp=NOW - 301)))

    assert "expired" in message


async def test_token_without_exp_is_rejected(
    validator: JwtTokenValidator, bot_framework_keys: aioresponses
) -> None:
    message = await _rejected(validator, _sign(_bf_claims(exp=None)))

    assert "exp" in message


async def test_token_with_non_numeric_exp_is_rejected(
    validator: JwtTokenValidator, bot_framework_keys: aioresponses
) -> None:
    await _rejected(validator, _sign(_bf_claims(exp="tomorrow")))


async def test_token_not_yet_valid_is_rejected(
    validator: JwtTokenValidator, bot_framework_keys: aioresponses
) -> None:
    message = await _rejected(validator, _sign(_bf_claims(nbf=NOW + 301)))

    assert "nbf" in message


async def test_token_issued_in_the_future_is_rejected(
    validator: JwtTokenValidator, bot_framework_keys: aioresponses
) -> None:
    await _rejected(validator, _sign(_bf_claims(iat=NOW + 301)))


def test_clock_skew_above_five_minutes_is_refused() -> None:
    with pytest.raises(ValueError, match="clock_skew"):
        JwtTokenValidator(_config(), clock_skew=301)


async def test_smaller_clock_skew_is_honoured(
    clock: FakeClock, bot_framework_keys: aioresponses
) -> None:
    validator = JwtTokenValidator(_config(), clock=clock, clock_skew=30)

    await _rejected(validator, _sign(_bf_claims(exp=NOW - 31)))


# ---------------------------------------------------------------------- audience / issuer


async def test_wrong_audience_is_rejected(
    validator: JwtTokenValidator, bot_framework_keys: aioresponses
) -> None:
    message = await _rejected(validator, _sign(_bf_claims(aud=OTHER_APP_ID)))

    assert "audience" in message


async def test_array_audience_is_rejected_even_when_it_contains_the_client_id(
    validator: JwtTokenValidator, bot_framework_keys: aioresponses
) -> None:
    await _rejected(validator, _sign(_bf_claims(aud=[APP_ID])))


async def test_token_without_audience_is_rejected(
    validator: JwtTokenValidator, bot_framework_keys: aioresponses
) -> None:
    await _rejected(validator, _sign(_bf_claims(aud=None)))


async def test_wrong_issuer_is_rejected_without_fetching_keys(
    validator: JwtTokenValidator, mocked: aioresponses
) -> None:
    message = await _rejected(validator, _sign(_bf_claims(iss="https://issuer.example.com")))

    assert "issuer" in message
    assert not mocked.requests


async def test_entra_issuer_of_another_tenant_is_rejected_for_a_single_tenant_registration(
    validator: JwtTokenValidator, entra_keys: aioresponses
) -> None:
    issuer = f"https://login.microsoftonline.com/{OTHER_TENANT}/v2.0"

    message = await _rejected(validator, _sign(_v2_claims(iss=issuer, tid=OTHER_TENANT)))

    assert "not allowed" in message


async def test_issuer_allow_list_can_be_replaced_by_configuration(
    clock: FakeClock, bot_framework_keys: aioresponses
) -> None:
    validator = JwtTokenValidator(_config(ISSUERS=V2_ISSUER), clock=clock)

    await _rejected(validator, _sign(_bf_claims()))


async def test_first_party_issuer_is_always_allowed(
    validator: JwtTokenValidator, entra_keys: aioresponses
) -> None:
    first_party = AuthenticationConstants.BOT_FRAMEWORK_FIRST_PARTY_TENANT
    claims = _v2_claims(iss=f"https://sts.windows.net/{first_party}/", tid=first_party)

    await validator.validate_token(_sign(claims))


async def test_tid_not_matching_the_issuers_tenant_is_rejected(
    clock: FakeClock, entra_keys: aioresponses
) -> None:
    # Even with the issuer allow-list off, the tenant binding holds.
    validator = JwtTokenValidator(_config(VALIDATE_ISSUER="false"), clock=clock)

    message = await _rejected(validator, _sign(_v2_claims(tid=OTHER_TENANT)))

    assert "tid" in message


# ---------------------------------------------------------------------- algorithm / signature


async def test_alg_none_is_rejected_without_fetching_keys(
    validator: JwtTokenValidator, mocked: aioresponses
) -> None:
    header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": "k1"}).encode())
    payload = _b64(json.dumps(_bf_claims()).encode())

    message = await _rejected(validator, f"{header}.{payload}.")

    assert "algorithm" in message
    assert not mocked.requests


async def test_hs256_signed_with_the_public_key_is_rejected(
    validator: JwtTokenValidator, bot_framework_keys: aioresponses
) -> None:
    public_pem = KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "k1"}).encode())
    payload = _b64(json.dumps(_bf_claims()).encode())
    signature = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()

    message = await _rejected(validator, f"{header}.{payload}.{_b64(signature)}")

    assert "HS256" in message


async def test_tampered_payload_is_rejected(
    validator: JwtTokenValidator, bot_framework_keys: aioresponses
) -> None:
    header, _, signature = _sign(_bf_claims()).split(".")
    forged = _b64(json.dumps(_bf_claims(serviceurl="https://attacker.example/")).encode())

    message = await _rejected(validator, f"{header}.{forged}.{signature}")

    assert "signature" in message


async def test_token_signed_by_an_unknown_key_with_a_known_kid_is_rejected(
    validator: JwtTokenValidator, bot_framework_keys: aioresponses
) -> None:
    await _rejected(validator, _sign(_bf_claims(), key=STRANGER_KEY))


async def test_token_without_kid_is_rejected(
    validator: JwtTokenValidator, mocked: aioresponses
) -> None:
    token = jwt.encode(_bf_claims(), KEY, algorithm="RS256")

    message = await _rejected(validator, token)

    assert "kid" in message


# "\udce9": how aiohttp hands over a header byte that is not UTF-8 (surrogate escape).
@pytest.mark.parametrize("token", ["", "not-a-jwt", "a.b.c", "\udce9", "é.é.é"])
async def test_garbage_is_rejected(validator: JwtTokenValidator, token: str) -> None:
    with pytest.raises(AuthenticationError):
        await validator.validate_token(token)


# ---------------------------------------------------------------------- key rotation


async def test_unknown_kid_refetches_the_keys_once_and_accepts_the_rotated_key(
    validator: JwtTokenValidator, mocked: aioresponses
) -> None:
    _serve(
        mocked,
        BF_METADATA,
        BF_JWKS,
        [_jwk(KEY, "k1")],
        [_jwk(KEY, "k1"), _jwk(ROTATED_KEY, "k2")],
    )
    await validator.validate_token(_sign(_bf_claims()))

    identity = await validator.validate_token(_sign(_bf_claims(), key=ROTATED_KEY, kid="k2"))

    assert identity.claims["aud"] == APP_ID
    assert _calls(mocked, BF_METADATA) == 2
    assert _calls(mocked, BF_JWKS) == 2


async def test_an_unknown_kid_is_logged_escaped(
    validator: JwtTokenValidator, mocked: aioresponses, caplog: pytest.LogCaptureFixture
) -> None:
    _serve(mocked, BF_METADATA, BF_JWKS, [_jwk(KEY, "k1")], [_jwk(KEY, "k1")])
    await validator.validate_token(_sign(_bf_claims()))
    forged = "zz\nERROR microsoft_agents.security: forged line"

    with caplog.at_level(logging.INFO):
        await _rejected(validator, _sign(_bf_claims(), key=STRANGER_KEY, kid=forged))

    # The kid comes from an unverified token: it cannot start a log line of its own.
    assert "zz\\nERROR" in caplog.text
    assert all("\n" not in record.getMessage() for record in caplog.records)


async def test_second_unknown_kid_within_the_refresh_interval_does_not_refetch(
    clock: FakeClock, mocked: aioresponses
) -> None:
    _serve(mocked, BF_METADATA, BF_JWKS, [_jwk(KEY, "k1")], [_jwk(KEY, "k1")])
    validator = JwtTokenValidator(_config(), clock=clock, min_refresh_interval=60)
    await validator.validate_token(_sign(_bf_claims()))
    clock.now += 61

    first = await _rejected(validator, _sign(_bf_claims(), key=STRANGER_KEY, kid="x1"))
    clock.now += 30
    await _rejected(validator, _sign(_bf_claims(), key=STRANGER_KEY, kid="x2"))

    assert "unknown" in first
    assert _calls(mocked, BF_JWKS) == 2


async def test_unknown_kid_after_the_refresh_interval_refetches_again(
    clock: FakeClock, mocked: aioresponses
) -> None:
    _serve(
        mocked,
        BF_METADATA,
        BF_JWKS,
        [_jwk(KEY, "k1")],
        [_jwk(KEY, "k1")],
        [_jwk(KEY, "k1"), _jwk(ROTATED_KEY, "k2")],
    )
    validator = JwtTokenValidator(_config(), clock=clock, min_refresh_interval=60)
    await validator.validate_token(_sign(_bf_claims()))
    clock.now += 61
    await _rejected(validator, _sign(_bf_claims(), key=ROTATED_KEY, kid="k2"))

    clock.now += 61
    await validator.validate_token(_sign(_bf_claims(exp=clock.now + 60), key=ROTATED_KEY, kid="k2"))

    assert _calls(mocked, BF_JWKS) == 3


async def test_key_fetch_failure_is_an_authentication_error(
    validator: JwtTokenValidator, mocked: aioresponses
) -> None:
    mocked.get(BF_METADATA, status=503)

    message = await _rejected(validator, _sign(_bf_claims()))

    assert "could not be fetched" in message


async def test_metadata_with_a_non_https_jwks_uri_is_not_used(
    validator: JwtTokenValidator, mocked: aioresponses
) -> None:
    mocked.get(BF_METADATA, payload={"jwks_uri": "http://keys.example/"})

    await _rejected(validator, _sign(_bf_claims()))


async def test_failed_refresh_keeps_the_cached_keys(clock: FakeClock, mocked: aioresponses) -> None:
    _serve(mocked, BF_METADATA, BF_JWKS, [_jwk(KEY, "k1")])
    mocked.get(BF_JWKS, status=500)
    validator = JwtTokenValidator(_config(), clock=clock, key_cache_ttl=600)
    await validator.validate_token(_sign(_bf_claims()))
    clock.now += 601

    await validator.validate_token(_sign(_bf_claims(exp=clock.now + 60)))


# ---------------------------------------------------------------------- endorsements


async def test_key_endorsing_the_channel_is_accepted(
    validator: JwtTokenValidator, bot_framework_keys: aioresponses
) -> None:
    await validator.validate_token(_sign(_bf_claims()), channel_id="msteams")


async def test_sub_channel_is_checked_against_its_base_channel_endorsement(
    validator: JwtTokenValidator, bot_framework_keys: aioresponses
) -> None:
    await validator.validate_token(_sign(_bf_claims()), channel_id="msteams:COPILOT")


async def test_key_not_endorsing_the_channel_is_rejected(
    validator: JwtTokenValidator, bot_framework_keys: aioresponses
) -> None:
    message = await _rejected(validator, _sign(_bf_claims()), channel_id="slack")

    assert "endorse" in message


async def test_bot_framework_key_without_endorsements_is_rejected_for_a_known_channel(
    validator: JwtTokenValidator, mocked: aioresponses
) -> None:
    _serve(mocked, BF_METADATA, BF_JWKS, [_jwk(KEY, "k1")])

    await _rejected(validator, _sign(_bf_claims()), channel_id="msteams")


async def test_without_the_channel_the_identity_carries_what_the_key_endorses(
    validator: JwtTokenValidator, bot_framework_keys: aioresponses
) -> None:
    # The HTTP adapter checks the channel once the body is parsed (the JWT middleware runs
    # before that): the identity keeps the endorsements for it.
    identity = await validator.validate_token(_sign(_bf_claims()))

    assert identity._endorsements is not None
    assert endorsement_refusal(identity._endorsements, "msteams:COPILOT") is None
    assert "does not endorse channel 'slack'" in str(
        endorsement_refusal(identity._endorsements, "slack")
    )


async def test_entra_keys_need_no_endorsement(
    validator: JwtTokenValidator, entra_keys: aioresponses
) -> None:
    await validator.validate_token(_sign(_v2_claims()), channel_id="msteams")
    assert (await validator.validate_token(_sign(_v2_claims())))._endorsements is None


# ---------------------------------------------------------------------- claims_validator hook


async def test_claims_validator_can_reject_a_valid_token(
    clock: FakeClock, bot_framework_keys: aioresponses
) -> None:
    def only_teams(claims: dict[str, Any]) -> None:
        if "teams" not in claims.get("serviceurl", ""):
            raise ValueError("serviceurl is not a Teams one")

    validator = JwtTokenValidator(_config(), clock=clock, claims_validator=only_teams)

    message = await _rejected(validator, _sign(_bf_claims()))

    assert "claims validator" in message


async def test_async_claims_validator_accepts_and_sees_the_verified_claims(
    clock: FakeClock, bot_framework_keys: aioresponses
) -> None:
    seen: list[dict[str, Any]] = []

    async def record(claims: dict[str, Any]) -> None:
        seen.append(claims)

    validator = JwtTokenValidator(_config(), clock=clock, claims_validator=record)

    await validator.validate_token(_sign(_bf_claims()))

    assert seen[0]["aud"] == APP_ID


async def test_claims_validator_cannot_switch_built_in_checks_off(
    clock: FakeClock, bot_framework_keys: aioresponses
) -> None:
    calls: list[dict[str, Any]] = []
    validator = JwtTokenValidator(_config(), clock=clock, claims_validator=calls.append)

    await _rejected(validator, _sign(_bf_claims(exp=NOW - 3600)))

    assert calls == []


async def test_claims_validator_authentication_error_passes_through(
    clock: FakeClock, bot_framework_keys: aioresponses
) -> None:
    def refuse(claims: dict[str, Any]) -> None:
        raise AuthenticationError("caller not on the list")

    validator = JwtTokenValidator(_config(), clock=clock, claims_validator=refuse)

    assert await _rejected(validator, _sign(_bf_claims())) == "caller not on the list"


# ---------------------------------------------------------------------- Authorization header


async def test_missing_authorization_header_with_a_configured_client_id_is_rejected(
    validator: JwtTokenValidator,
) -> None:
    with pytest.raises(AuthenticationError, match="Authorization header not found"):
        await _authorize_request(None, validator.configuration, validator)


async def test_missing_authorization_header_without_a_client_id_is_anonymous() -> None:
    config = AgentAuthConfiguration()

    identity = await _authorize_request(None, config)

    assert isinstance(identity, ClaimsIdentity)
    assert identity.allow_anonymous
    assert identity.claims == {}


async def test_missing_header_with_anonymous_explicitly_allowed_is_anonymous() -> None:
    identity = await _authorize_request(None, _config(ANONYMOUS_ALLOWED="true"))

    assert identity.allow_anonymous


async def test_missing_header_in_development_mode_with_anonymous_turned_off_is_rejected() -> None:
    with pytest.raises(AuthenticationError):
        await _authorize_request(None, AgentAuthConfiguration(ANONYMOUS_ALLOWED="false"))


async def test_present_token_is_validated_even_when_anonymous_is_allowed(
    clock: FakeClock, bot_framework_keys: aioresponses
) -> None:
    config = _config(ANONYMOUS_ALLOWED="true")
    validator = JwtTokenValidator(config, clock=clock)

    with pytest.raises(AuthenticationError):
        await _authorize_request(f"Bearer {_sign(_bf_claims(exp=NOW - 3600))}", config, validator)


async def test_present_token_in_development_mode_is_rejected(clock: FakeClock) -> None:
    config = AgentAuthConfiguration()
    validator = JwtTokenValidator(config, clock=clock)

    with pytest.raises(AuthenticationError):
        await _authorize_request(f"Bearer {_sign(_bf_claims())}", config, validator)


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
async def test_bearer_scheme_is_case_insensitive_and_trailing_whitespace_tolerated(
    validator: JwtTokenValidator, bot_framework_keys: aioresponses, scheme: str
) -> None:
    header = f"{scheme} {_sign(_bf_claims())} \t"

    identity = await _authorize_request(header, validator.configuration, validator)

    assert identity.claims["aud"] == APP_ID


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer  two-spaces",
        "Bearer a b",
        " Bearer x",
        "Bearer \udce9",
        "Bearer eyJ\u00e9.x.y",
    ],
)
async def test_malformed_authorization_header_is_rejected(
    validator: JwtTokenValidator, header: str
) -> None:
    with pytest.raises(AuthenticationError):
        await _authorize_request(header, validator.configuration, validator)


async def test_channel_id_reaches_the_endorsement_check(
    validator: JwtTokenValidator, bot_framework_keys: aioresponses
) -> None:
    header = f"Bearer {_sign(_bf_claims())}"

    with pytest.raises(AuthenticationError, match="endorse"):
        await _authorize_request(header, validator.configuration, validator, channel_id="slack")


async def test_default_validator_is_kept_per_configuration(
    bot_framework_keys: aioresponses,
) -> None:
    config = _config()
    header = f"Bearer {_sign(_bf_claims(exp=4_000_000_000, nbf=None))}"

    await _authorize_request(header, config)
    await _authorize_request(header, config)

    assert _calls(bot_framework_keys, BF_JWKS) == 1


async def test_refusals_never_log_the_token(
    validator: JwtTokenValidator,
    bot_framework_keys: aioresponses,
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = _sign(_bf_claims(aud=OTHER_APP_ID))
    caplog.set_level(logging.DEBUG)

    with pytest.raises(AuthenticationError):
        await _authorize_request(f"Bearer {token}", validator.configuration, validator)

    assert caplog.records
    assert token not in caplog.text
    assert token.split(".")[2] not in caplog.text


def test_anonymous_claims_are_empty(validator: JwtTokenValidator) -> None:
    identity = validator.get_anonymous_claims()

    assert identity.claims == {}
    assert identity.allow_anonymous
