"""MsalAuth: credentials per auth type, caching, single flight, OBO, agentic flows, errors.

MSAL's application classes are replaced by fakes in ``_msal_auth``'s namespace; a few
tests run the real MSAL classes with a fake ``http_client`` so that nothing leaves the
machine either way.
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import json
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from msal import TokenCache
from msal.exceptions import MsalError

from microsoft_agents.authentication.msal import MsalAuth, _msal_auth
from microsoft_agents.authentication.msal._credentials import TokenAcquisitionError
from microsoft_agents.hosting.core import AuthConfigurationError, HostingError
from microsoft_agents.hosting.core.authorization import (
    AccessTokenProviderBase,
    AgentAuthConfiguration,
)

TENANT = "11111111-1111-1111-1111-111111111111"
OTHER_TENANT = "22222222-2222-2222-2222-222222222222"
CLIENT = "00000000-0000-0000-0000-000000000001"
INSTANCE = "33333333-3333-3333-3333-333333333333"
BF = "https://api.botframework.com"
BF_SCOPE = "https://api.botframework.com/.default"


# ---------------------------------------------------------------------------- fakes


@dataclass
class Service:
    """What the fake token endpoint saw, shared by every fake built in one test."""

    now: float = 1_000.0
    lifetime: float = 3600.0
    calls: list[dict[str, Any]] = field(default_factory=list)
    apps: list[FakeConfidentialApp] = field(default_factory=list)
    identities: list[FakeManagedIdentityClient] = field(default_factory=list)
    gate: threading.Event | None = None
    on_enter: Callable[[], object] | None = None
    fail_with: dict[str, Any] | None = None

    def issue(self, **request: Any) -> dict[str, Any]:
        if self.on_enter is not None:
            self.on_enter()
        if self.gate is not None:
            assert self.gate.wait(timeout=10)
        self.calls.append(request)
        if self.fail_with is not None:
            return dict(self.fail_with)
        return {
            "access_token": f"token-{len(self.calls)}",
            "expires_in": self.lifetime,
            "token_type": "Bearer",
        }


class FakeConfidentialApp:
    service: Service

    def __init__(self, client_id: str, **kwargs: Any) -> None:
        self.client_id = client_id
        self.kwargs = kwargs
        self.token_cache: TokenCache = kwargs["token_cache"]
        self._fmi_cache: dict[tuple[Any, ...], str] = {}
        self._expiry: dict[str, float] = {}  # by token, on the service's clock
        self.service.apps.append(self)

    def _assertion(self) -> str | None:
        credential = self.kwargs.get("client_credential")
        if isinstance(credential, dict) and callable(credential.get("client_assertion")):
            return str(credential["client_assertion"]())
        return None

    def _fresh(self, token: str | None) -> bool:
        return token is not None and self._expiry.get(token, 0) - self.service.now > 300

    def acquire_token_for_client(
        self, scopes: list[str], claims_challenge: str | None = None, fmi_path: str | None = None
    ) -> dict[str, Any]:
        # Like MSAL: answer from the (real) token cache until close to expiry.
        if fmi_path is None:
            for entry in self.token_cache.search(
                TokenCache.CredentialType.ACCESS_TOKEN,
                target=scopes,
                query={"client_id": self.client_id},
            ):
                if self._fresh(entry["secret"]):
                    return {"access_token": entry["secret"], "token_source": "cache"}
        elif self._fresh(self._fmi_cache.get((tuple(scopes), fmi_path))):
            return {"access_token": self._fmi_cache[(tuple(scopes), fmi_path)]}
        result = self.service.issue(
            grant="client_credentials",
            client_id=self.client_id,
            scopes=list(scopes),
            fmi_path=fmi_path,
            assertion=self._assertion(),
        )
        if "access_token" in result:
            token = result["access_token"]
            self._expiry[token] = self.service.now + result["expires_in"]
            if fmi_path is None:
                self.token_cache.add(
                    {
                        "client_id": self.client_id,
                        "scope": list(scopes),
                        "token_endpoint": f"{self.kwargs['authority']}/oauth2/v2.0/token",
                        "response": dict(result),
                        "params": {},
                        "data": {},
                    }
                )
            else:
                self._fmi_cache[(tuple(scopes), fmi_path)] = token
        return result

    def acquire_token_on_behalf_of(self, user_assertion: str, scopes: list[str]) -> dict[str, Any]:
        return self.service.issue(
            grant="obo", client_id=self.client_id, scopes=list(scopes), user=user_assertion
        )

    def acquire_token_by_user_federated_identity_credential(
        self,
        scopes: list[str],
        assertion: str,
        username: str | None = None,
        user_object_id: str | None = None,
    ) -> dict[str, Any]:
        return self.service.issue(
            grant="user_fic",
            client_id=self.client_id,
            scopes=list(scopes),
            user_fic=assertion,
            username=username,
            user_object_id=user_object_id,
            assertion=self._assertion(),
        )


class FakeManagedIdentityClient:
    service: Service

    def __init__(self, managed_identity: Any, *, http_client: Any, token_cache: Any) -> None:
        self.managed_identity = managed_identity
        self.http_client = http_client
        self.token_cache = token_cache
        self.asked: list[str] = []
        self.service.identities.append(self)

    def acquire_token_for_client(self, *, resource: str) -> dict[str, Any]:
        self.asked.append(resource)
        # The real client's cache: the token for a resource until close to expiry.
        for entry in self.token_cache.search(
            self.token_cache.CredentialType.ACCESS_TOKEN, target=[resource]
        ):
            return {"access_token": entry["secret"], "token_source": "cache"}
        result = self.service.issue(grant="managed_identity", resource=resource)
        self.token_cache.add(
            {
                "client_id": "mi",
                "scope": [resource],
                "token_endpoint": "https://mi.local/managed_identity",
                "response": dict(result),
                "params": {},
                "data": {},
            }
        )
        return result


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch) -> Service:
    shared = Service()
    app_class = type("App", (FakeConfidentialApp,), {"service": shared})
    identity_class = type("Identity", (FakeManagedIdentityClient,), {"service": shared})
    monkeypatch.setattr(_msal_auth, "ConfidentialClientApplication", app_class)
    monkeypatch.setattr(_msal_auth, "ManagedIdentityClient", identity_class)
    return shared


def config(**settings: Any) -> AgentAuthConfiguration:
    base: dict[str, Any] = {"CLIENTID": CLIENT, "TENANTID": TENANT}
    base.update(settings)
    return AgentAuthConfiguration(**{k: v for k, v in base.items() if v is not None})


def secret_auth(**settings: Any) -> MsalAuth:
    return MsalAuth(config(CLIENTSECRET="the-secret", **settings), http_client=object())


# ---------------------------------------------------------------------------- certificates


@dataclass
class CertFiles:
    pem: Path
    pfx: Path
    key_only: Path
    certificate: x509.Certificate

    @property
    def sha1(self) -> str:
        return self.certificate.fingerprint(hashes.SHA1()).hex().upper()


@pytest.fixture(scope="module")
def cert_files(tmp_path_factory: pytest.TempPathFactory) -> CertFiles:
    folder = tmp_path_factory.mktemp("certs")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "agent.test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    cert_pem = certificate.public_bytes(serialization.Encoding.PEM)
    pem = folder / "agent.pem"
    pem.write_bytes(key_pem + cert_pem)
    key_only = folder / "key-only.pem"
    key_only.write_bytes(key_pem)
    pfx = folder / "agent.pfx"
    pfx.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"agent", key, certificate, None, serialization.NoEncryption()
        )
    )
    return CertFiles(pem=pem, pfx=pfx, key_only=key_only, certificate=certificate)


# ---------------------------------------------------------------------------- construction


def test_msal_auth_is_an_access_token_provider() -> None:
    auth = MsalAuth(config(CLIENTSECRET="s"))
    assert isinstance(auth, AccessTokenProviderBase)
    assert auth.configuration.CLIENT_ID == CLIENT
    assert "s" not in repr(auth).replace("MsalAuth", "").replace("ClientSecret", "")


async def test_client_secret_builds_a_confidential_client(service: Service) -> None:
    http = object()
    auth = MsalAuth(config(CLIENTSECRET="the-secret", AZUREREGION="westus"), http_client=http)
    assert service.apps == []  # built on first use, in a worker thread
    assert await auth.get_access_token(BF, []) == "token-1"
    (app,) = service.apps
    assert app.client_id == CLIENT
    assert app.kwargs["client_credential"] == "the-secret"
    assert app.kwargs["authority"] == f"https://login.microsoftonline.com/{TENANT}"
    assert app.kwargs["azure_region"] == "westus"
    assert app.kwargs["http_client"] is http
    assert service.calls[0]["scopes"] == [BF_SCOPE]


async def test_custom_authority_is_used_as_is(service: Service) -> None:
    auth = secret_auth(AUTHORITY=f"https://login.microsoftonline.us/{TENANT}/", TENANTID=None)
    await auth.get_access_token(BF, [])
    assert service.apps[0].kwargs["authority"] == f"https://login.microsoftonline.us/{TENANT}"
    assert service.apps[0].kwargs["azure_region"] is None


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"TENANTID": "common"}, "https://login.microsoftonline.com/botframework.com"),
        (
            {"TENANTID": None, "AUTHORITY": "https://login.microsoftonline.com/organizations/"},
            "https://login.microsoftonline.com/botframework.com",
        ),
        (
            {"TENANTID": None, "AUTHORITY": "https://login.microsoftonline.us/common"},
            "https://login.microsoftonline.us/MicrosoftServices.onmicrosoft.com",
        ),
    ],
)
async def test_multi_tenant_client_credentials_come_from_the_bot_framework_tenant(
    service: Service,
    caplog: pytest.LogCaptureFixture,
    settings: dict[str, Any],
    expected: str,
) -> None:
    caplog.set_level(logging.INFO, logger=_msal_auth.__name__)
    auth = secret_auth(**settings)
    await auth.get_access_token(BF, [])
    await auth.get_access_token("https://graph.microsoft.com", [])
    assert [app.kwargs["authority"] for app in service.apps] == [expected]
    announcements = [r for r in caplog.records if "Bot Framework tenant" in r.getMessage()]
    assert len(announcements) == 1
    assert announcements[0].levelno == logging.INFO


async def test_multi_tenant_on_behalf_of_keeps_the_configured_authority(service: Service) -> None:
    auth = secret_auth(TENANTID="common")
    await auth.acquire_token_on_behalf_of(["https://graph.microsoft.com/.default"], "user-jwt")
    assert service.apps[0].kwargs["authority"] == "https://login.microsoftonline.com/common"


async def test_pem_certificate_sends_key_and_sha1_thumbprint(
    service: Service, cert_files: CertFiles
) -> None:
    auth = MsalAuth(config(AUTHTYPE="certificate", CERTPFXFILE=str(cert_files.pem)))
    await auth.get_access_token(BF, [])
    credential = service.apps[0].kwargs["client_credential"]
    assert set(credential) == {"private_key", "thumbprint"}
    assert credential["private_key"].startswith("-----BEGIN PRIVATE KEY-----")
    assert credential["thumbprint"] == cert_files.sha1


async def test_subject_name_certificate_sends_the_public_certificate(
    service: Service, cert_files: CertFiles
) -> None:
    auth = MsalAuth(config(AUTHTYPE="CertificateSubjectName", CERTPFXFILE=str(cert_files.pem)))
    await auth.get_access_token(BF, [])
    credential = service.apps[0].kwargs["client_credential"]
    assert credential["thumbprint"] == cert_files.sha1
    assert credential["public_certificate"].startswith("-----BEGIN CERTIFICATE-----")
    x509.load_pem_x509_certificate(credential["public_certificate"].encode())


async def test_pfx_certificate_is_passed_by_path(service: Service, cert_files: CertFiles) -> None:
    auth = MsalAuth(config(AUTHTYPE="certificate", CERTPFXFILE=str(cert_files.pfx)))
    await auth.get_access_token(BF, [])
    assert service.apps[0].kwargs["client_credential"] == {
        "private_key_pfx_path": str(cert_files.pfx)
    }
    sni = MsalAuth(config(AUTHTYPE="CertificateSubjectName", CERTPFXFILE=str(cert_files.pfx)))
    await sni.get_access_token(BF, [])
    assert service.apps[1].kwargs["client_credential"]["public_certificate"] is True


@pytest.mark.parametrize(
    ("auth_type", "expected"),
    [("UserManagedIdentity", {"ManagedIdentityIdType": "ClientId", "Id": CLIENT})],
)
async def test_user_managed_identity_asks_for_the_resource(
    service: Service, auth_type: str, expected: dict[str, Any]
) -> None:
    http = object()
    auth = MsalAuth(config(AUTHTYPE=auth_type, TENANTID=None), http_client=http)
    assert await auth.get_access_token(BF, [BF_SCOPE]) == "token-1"
    (identity,) = service.identities
    assert dict(identity.managed_identity) == expected
    assert identity.http_client is http
    assert identity.asked == [BF]
    assert service.apps == []


async def test_system_managed_identity(service: Service) -> None:
    auth = MsalAuth(config(AUTHTYPE="SystemManagedIdentity", TENANTID=None))
    assert await auth.get_access_token("https://graph.microsoft.com", []) == "token-1"
    (identity,) = service.identities
    assert dict(identity.managed_identity)["ManagedIdentityIdType"] == "SystemAssigned"
    assert identity.http_client is not None  # MSAL's own requests session by default
    assert service.calls == [
        {"grant": "managed_identity", "resource": "https://graph.microsoft.com"}
    ]


async def test_managed_identity_cache_and_force_refresh(service: Service) -> None:
    auth = MsalAuth(config(AUTHTYPE="UserManagedIdentity"), http_client=object())
    assert await auth.get_access_token(BF, []) == "token-1"
    assert await auth.get_access_token(BF, []) == "token-1"
    assert len(service.calls) == 1
    assert await auth.get_access_token(BF, [], force_refresh=True) == "token-2"
    assert await auth.get_access_token(BF, []) == "token-2"


async def test_federated_credentials_ask_the_managed_identity_each_time(service: Service) -> None:
    auth = MsalAuth(
        config(AUTHTYPE="FederatedCredentials", FEDERATEDCLIENTID="fic-id"), http_client=object()
    )
    (identity,) = service.identities
    assert dict(identity.managed_identity) == {"ManagedIdentityIdType": "ClientId", "Id": "fic-id"}
    assert await auth.get_access_token(BF, []) == "token-2"
    assert service.calls[0] == {
        "grant": "managed_identity",
        "resource": "api://AzureADTokenExchange",
    }
    assert service.calls[1]["assertion"] == "token-1"
    await auth.get_access_token("https://graph.microsoft.com", [])
    # The managed identity is asked again (it answers from its own cache here).
    assert identity.asked == ["api://AzureADTokenExchange"] * 2
    assert service.calls[2]["assertion"] == "token-1"


async def test_workload_identity_reads_the_token_file_when_it_changes(
    service: Service, tmp_path: Path
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("assertion-one\n")
    auth = MsalAuth(config(AUTHTYPE="WorkloadIdentity", FEDERATEDTOKENFILE=str(token_file)))
    await auth.get_access_token(BF, [])
    assert service.calls[-1]["assertion"] == "assertion-one"
    token_file.write_text("assertion-number-two")
    await auth.get_access_token("https://graph.microsoft.com", [])
    assert service.calls[-1]["assertion"] == "assertion-number-two"


# ---------------------------------------------------------------------------- misconfiguration


def test_missing_certificate_file_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(AuthConfigurationError, match="CERTPFXFILE") as raised:
        MsalAuth(config(AUTHTYPE="certificate", CERTPFXFILE=str(tmp_path / "missing.pem")))
    assert raised.value.setting == "CERTPFXFILE"


def test_subject_name_without_certificate_names_the_setting() -> None:
    with pytest.raises(AuthConfigurationError) as raised:
        MsalAuth(config(AUTHTYPE="CertificateSubjectName"))
    assert raised.value.setting == "CERTPFXFILE"


@pytest.mark.parametrize("content", [b"not a certificate", b"-----BEGIN NOTHING-----"])
def test_unparsable_certificate_names_the_setting(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.pem"
    path.write_bytes(content)
    with pytest.raises(AuthConfigurationError) as raised:
        MsalAuth(config(AUTHTYPE="certificate", CERTPFXFILE=str(path)))
    assert raised.value.setting == "CERTPFXFILE"


def test_pem_without_certificate_names_the_setting(cert_files: CertFiles) -> None:
    with pytest.raises(AuthConfigurationError, match="no PEM certificate") as raised:
        MsalAuth(config(AUTHTYPE="certificate", CERTPFXFILE=str(cert_files.key_only)))
    assert raised.value.setting == "CERTPFXFILE"


def test_missing_token_file_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(AuthConfigurationError) as raised:
        MsalAuth(config(AUTHTYPE="WorkloadIdentity", FEDERATEDTOKENFILE=str(tmp_path / "none")))
    assert raised.value.setting == "FEDERATEDTOKENFILE"


def test_sidecar_is_refused_at_construction() -> None:
    with pytest.raises(AuthConfigurationError, match="EntraAuthSideCar") as raised:
        MsalAuth(config(AUTHTYPE="EntraAuthSideCar"))
    assert raised.value.setting == "AUTHTYPE"


def test_development_configuration_needs_a_client_id() -> None:
    with pytest.raises(AuthConfigurationError) as raised:
        MsalAuth(AgentAuthConfiguration())
    assert raised.value.setting == "CLIENTID"


def test_errors_never_carry_the_secret(tmp_path: Path) -> None:
    with pytest.raises(AuthConfigurationError) as raised:
        MsalAuth(
            config(
                AUTHTYPE="certificate",
                CLIENTSECRET="super-secret-value",
                CERTPFXFILE=str(tmp_path / "x"),
            )
        )
    assert "super-secret-value" not in str(raised.value)


# ---------------------------------------------------------------------------- scopes


async def test_resource_url_needs_scheme_and_host(service: Service) -> None:
    auth = secret_auth()
    for bad in ["api.botframework.com", "/relative", "", "https://"]:
        with pytest.raises(ValueError, match="scheme"):
            await auth.get_access_token(bad, [])
    assert service.calls == []


async def test_caller_scopes_win(service: Service) -> None:
    auth = secret_auth(SCOPES="https://configured/.default")
    await auth.get_access_token(BF, ["a/.default", "b/.default"])
    assert service.calls[0]["scopes"] == ["a/.default", "b/.default"]


async def test_configured_scopes_replace_instance(service: Service) -> None:
    auth = secret_auth(SCOPES="{instance}/.default")
    await auth.get_access_token("https://graph.microsoft.com/v1.0/me", [])
    assert service.calls[0]["scopes"] == ["https://graph.microsoft.com/.default"]


async def test_scope_strings_are_split_not_iterated(service: Service) -> None:
    """protocol §18 row 13: a SCOPES string is split, never iterated per character."""
    auth = secret_auth(SCOPES="https://a/.default https://b/.default")
    await auth.get_access_token(BF, [])
    assert service.calls[0]["scopes"] == ["https://a/.default", "https://b/.default"]
    await auth.get_access_token(BF, "x/.default,y/.default")  # type: ignore[arg-type]
    assert service.calls[1]["scopes"] == ["x/.default", "y/.default"]


async def test_default_scope_is_resource_dot_default(service: Service) -> None:
    auth = secret_auth()
    await auth.get_access_token(f"{BF}/", [])
    assert [call["scopes"] for call in service.calls] == [[BF_SCOPE]]


async def test_another_agents_audience_is_asked_for_by_its_app_id(service: Service) -> None:
    """protocol §14.1: audience app://<id>, scope <id>/.default."""
    await secret_auth().get_access_token(f"app://{INSTANCE}", [])
    await secret_auth(SCOPES="{instance}/.default").get_access_token(f"APP://{INSTANCE}/", [])
    assert [call["scopes"] for call in service.calls] == [[f"{INSTANCE}/.default"]] * 2


async def test_a_managed_identity_asks_for_another_agent_by_its_app_id(service: Service) -> None:
    auth = MsalAuth(config(AUTHTYPE="UserManagedIdentity"), http_client=object())
    await auth.get_access_token(f"app://{INSTANCE}", [])
    assert service.identities[0].asked == [INSTANCE]


# ---------------------------------------------------------------------------- caching


async def test_tokens_are_reused_until_near_expiry(service: Service) -> None:
    auth = secret_auth()
    assert await auth.get_access_token(BF, []) == "token-1"
    assert await auth.get_access_token(BF, []) == "token-1"
    assert len(service.calls) == 1
    assert len(service.apps) == 1  # one MSAL application for the provider's lifetime
    service.now += 3600 - 60  # within MSAL's refresh margin
    assert await auth.get_access_token(BF, []) == "token-2"
    assert len(service.apps) == 1


async def test_force_refresh_bypasses_the_cache(service: Service) -> None:
    auth = secret_auth()
    await auth.get_access_token(BF, [])
    assert await auth.get_access_token(BF, [], force_refresh=True) == "token-2"
    assert await auth.get_access_token(BF, []) == "token-2"


async def test_fifty_concurrent_requests_share_one_acquisition(service: Service) -> None:
    auth = secret_auth()
    loop = asyncio.get_running_loop()
    entered = asyncio.Event()
    service.gate = threading.Event()
    service.on_enter = lambda: loop.call_soon_threadsafe(entered.set)

    tasks = [asyncio.ensure_future(auth.get_access_token(BF, [])) for _ in range(50)]
    await entered.wait()
    # Every task has run up to its wait on the shared acquisition by now: they were all
    # ready before the worker thread could report back.
    assert sum(not task.done() for task in tasks) == 50
    service.gate.set()
    tokens = await asyncio.gather(*tasks)
    assert tokens == ["token-1"] * 50
    assert len(service.calls) == 1
    assert auth._in_flight == {}


async def test_a_failure_reaches_every_waiter_and_is_not_cached(service: Service) -> None:
    auth = secret_auth()
    loop = asyncio.get_running_loop()
    entered = asyncio.Event()
    service.gate = threading.Event()
    service.on_enter = lambda: loop.call_soon_threadsafe(entered.set)
    service.fail_with = {
        "error": "invalid_client",
        "error_description": "AADSTS7000215: Invalid client secret provided.",
    }
    tasks = [asyncio.ensure_future(auth.get_access_token(BF, [])) for _ in range(5)]
    await entered.wait()
    service.gate.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert len(service.calls) == 1
    for result in results:
        assert isinstance(result, ValueError)
        assert "invalid_client" in str(result)
        assert "AADSTS7000215" in str(result)
        assert "the-secret" not in str(result)
    service.gate = None
    service.on_enter = None
    service.fail_with = None
    assert await auth.get_access_token(BF, []) == "token-2"


async def test_entra_out_of_reach_is_a_token_acquisition_error(service: Service) -> None:
    auth = secret_auth()
    refused = ConnectionError("connection refused by login.microsoftonline.com")

    def unreachable(**request: Any) -> dict[str, Any]:
        raise refused  # what MSAL's HTTP client (requests) raises is an OSError too

    service.issue = unreachable  # type: ignore[method-assign]
    with pytest.raises(TokenAcquisitionError, match="could not be reached") as caught:
        await auth.get_access_token(BF, [])
    assert isinstance(caught.value, HostingError)
    assert caught.value.__cause__ is refused


async def test_confidential_clients_get_a_bounded_timeout(service: Service) -> None:
    await secret_auth().get_access_token(BF, [])
    await MsalAuth(config(CLIENTSECRET="s"), timeout=2.5).get_access_token(BF, [])
    assert [app.kwargs["timeout"] for app in service.apps] == [_msal_auth.DEFAULT_TIMEOUT, 2.5]
    assert 10 <= _msal_auth.DEFAULT_TIMEOUT <= 30


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf"), True, "10"])
def test_timeout_must_be_a_positive_number(timeout: Any) -> None:
    with pytest.raises(ValueError, match="timeout"):
        MsalAuth(config(CLIENTSECRET="s"), timeout=timeout)


async def test_programming_errors_are_not_turned_into_token_errors(service: Service) -> None:
    def broken(**request: Any) -> dict[str, Any]:
        raise TypeError("a bug")

    service.issue = broken  # type: ignore[method-assign]
    with pytest.raises(TypeError, match="a bug"):
        await secret_auth().get_access_token(BF, [])


# ---------------------------------------------------------------------------- OBO


async def test_on_behalf_of_passes_assertion_and_scopes(service: Service) -> None:
    auth = secret_auth()
    token = await auth.acquire_token_on_behalf_of(
        ["https://graph.microsoft.com/.default"], "user-jwt"
    )
    assert token == "token-1"
    assert service.calls == [
        {
            "grant": "obo",
            "client_id": CLIENT,
            "scopes": ["https://graph.microsoft.com/.default"],
            "user": "user-jwt",
        }
    ]


async def test_on_behalf_of_with_managed_identity_is_not_implemented(service: Service) -> None:
    auth = MsalAuth(config(AUTHTYPE="SystemManagedIdentity"), http_client=object())
    with pytest.raises(NotImplementedError, match="managed identity"):
        await auth.acquire_token_on_behalf_of(["x/.default"], "user-jwt")


async def test_on_behalf_of_needs_scopes_and_assertion(service: Service) -> None:
    auth = secret_auth()
    with pytest.raises(ValueError, match="scope"):
        await auth.acquire_token_on_behalf_of([], "user-jwt")
    with pytest.raises(ValueError, match="user_assertion"):
        await auth.acquire_token_on_behalf_of(["x/.default"], "")


# ---------------------------------------------------------------------------- agentic


async def test_agentic_application_token_uses_the_fmi_path(service: Service) -> None:
    auth = secret_auth(AUTHORITY=f"https://login.microsoftonline.com/{TENANT}")
    token = await auth.get_agentic_application_token(OTHER_TENANT, INSTANCE)
    assert token == "token-1"
    (app,) = service.apps
    assert app.client_id == CLIENT
    assert app.kwargs["authority"] == f"https://login.microsoftonline.com/{OTHER_TENANT}"
    assert service.calls[0]["scopes"] == ["api://AzureADTokenExchange/.default"]
    assert service.calls[0]["fmi_path"] == INSTANCE
    # Cached per tenant and instance.
    assert await auth.get_agentic_application_token(OTHER_TENANT, INSTANCE) == "token-1"
    assert len(service.apps) == 1


async def test_agentic_common_authority_takes_the_request_tenant(service: Service) -> None:
    auth = secret_auth(AUTHORITY="https://login.microsoftonline.com/common", TENANTID=None)
    await auth.get_agentic_application_token(OTHER_TENANT, INSTANCE)
    assert (
        service.apps[0].kwargs["authority"] == f"https://login.microsoftonline.com/{OTHER_TENANT}"
    )


async def test_agentic_instance_and_user_tokens(service: Service) -> None:
    auth = secret_auth()
    instance_token, app_token = await auth.get_agentic_instance_token(TENANT, INSTANCE)
    assert (instance_token, app_token) == ("token-2", "token-1")
    blueprint, instance_app = service.apps
    assert blueprint.client_id == CLIENT
    assert instance_app.client_id == INSTANCE
    assert instance_app.kwargs["token_cache"] is blueprint.kwargs["token_cache"]
    assert instance_app.kwargs["authority"] == f"https://login.microsoftonline.com/{TENANT}"
    # The instance's client assertion is the blueprint's FMI token.
    assert service.calls[1]["client_id"] == INSTANCE
    assert service.calls[1]["assertion"] == "token-1"
    assert service.calls[1]["scopes"] == ["api://AzureADTokenExchange/.default"]

    user_token = await auth.get_agentic_user_token(
        TENANT, INSTANCE, "44444444-4444-4444-4444-444444444444", ["https://graph/.default"]
    )
    assert user_token == "token-3"
    last = service.calls[-1]
    assert last["grant"] == "user_fic"
    assert last["client_id"] == INSTANCE
    assert last["user_fic"] == "token-2"
    assert last["user_object_id"] == "44444444-4444-4444-4444-444444444444"
    assert last["username"] is None
    assert last["scopes"] == ["https://graph/.default"]
    assert len(service.apps) == 2

    await auth.get_agentic_user_token(TENANT, INSTANCE, "agent@contoso.com", ["s/.default"])
    assert service.calls[-1]["username"] == "agent@contoso.com"


async def test_agentic_user_tokens_are_reused_until_shortly_before_they_expire(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    monkeypatch.setattr(_msal_auth, "_clock", lambda: now[0])
    auth = secret_auth()
    user = "44444444-4444-4444-4444-444444444444"

    first = await auth.get_agentic_user_token(TENANT, INSTANCE, user, ["https://graph/.default"])
    again = await auth.get_agentic_user_token(TENANT, INSTANCE, user, ["https://graph/.default"])
    other = await auth.get_agentic_user_token(TENANT, INSTANCE, user, ["s/.default"])
    grants = [call["grant"] for call in service.calls]
    assert again == first
    assert other != first
    assert grants.count("user_fic") == 2  # one per scope set, not one per call

    now[0] += service.lifetime - 299  # within five minutes of its expiry: asked again
    renewed = await auth.get_agentic_user_token(TENANT, INSTANCE, user, ["https://graph/.default"])
    assert renewed != first
    assert [call["grant"] for call in service.calls].count("user_fic") == 3


async def test_agentic_with_plain_managed_identity_is_not_implemented(service: Service) -> None:
    auth = MsalAuth(config(AUTHTYPE="UserManagedIdentity"), http_client=object())
    with pytest.raises(NotImplementedError, match="FMI"):
        await auth.get_agentic_application_token(TENANT, INSTANCE)


async def test_identity_proxy_manager_uses_the_idpm_resource(service: Service) -> None:
    auth = MsalAuth(
        config(AUTHTYPE="IdentityProxyManager", IDPMRESOURCE="api://proxy/.default"),
        http_client=object(),
    )
    assert await auth.get_agentic_application_token(TENANT, INSTANCE) == "token-1"
    assert service.identities[0].asked == ["api://proxy"]
    default = MsalAuth(config(AUTHTYPE="IdentityProxyManager"), http_client=object())
    await default.get_agentic_application_token(TENANT, INSTANCE)
    assert service.identities[1].asked == ["api://AzureAdTokenExchange"]


async def test_agentic_calls_validate_their_arguments(service: Service) -> None:
    auth = secret_auth()
    with pytest.raises(ValueError, match="instance"):
        await auth.get_agentic_application_token(TENANT, "")
    with pytest.raises(ValueError, match="user id"):
        await auth.get_agentic_user_token(TENANT, INSTANCE, "", ["s"])
    with pytest.raises(ValueError, match="scope"):
        await auth.get_agentic_user_token(TENANT, INSTANCE, "user", [])


# ---------------------------------------------------------------------------- real MSAL


class FakeResponse:
    def __init__(self, status_code: int, body: dict[str, Any]) -> None:
        self.status_code = status_code
        self.text = json.dumps(body)
        self.headers: dict[str, str] = {"Content-Type": "application/json"}

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise RuntimeError(f"HTTP {self.status_code}")


class FakeEntra:
    """Plays Entra's metadata and token endpoints for the real MSAL classes."""

    def __init__(self) -> None:
        self.token_requests: list[dict[str, list[Any]]] = []

    def get(self, url: str, **_: Any) -> FakeResponse:
        if "openid-configuration" in url:
            base = f"https://login.microsoftonline.com/{TENANT}"
            return FakeResponse(
                200,
                {
                    "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                    "token_endpoint": f"{base}/oauth2/v2.0/token",
                    "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                    "issuer": f"{base}/v2.0",
                },
            )
        return FakeResponse(404, {"error": "not_found"})

    def post(self, url: str, data: Any = None, **_: Any) -> FakeResponse:
        fields = parse_qs(data) if isinstance(data, str) else {k: [v] for k, v in data.items()}
        self.token_requests.append(fields)
        return FakeResponse(
            200,
            {
                "access_token": f"real-{len(self.token_requests)}",
                "expires_in": 3600,
                "token_type": "Bearer",
            },
        )

    def close(self) -> None:
        pass


@pytest.fixture
def entra() -> FakeEntra:
    return FakeEntra()


async def test_real_msal_caches_and_force_refreshes(entra: FakeEntra) -> None:
    auth = MsalAuth(config(CLIENTSECRET="the-secret"), http_client=entra)
    assert await auth.get_access_token(BF, []) == "real-1"
    assert await auth.get_access_token(BF, []) == "real-1"
    assert len(entra.token_requests) == 1
    request = entra.token_requests[0]
    assert request["grant_type"] == ["client_credentials"]
    assert request["client_id"] == [CLIENT]
    assert request["scope"] == [BF_SCOPE]
    assert await auth.get_access_token(BF, [], force_refresh=True) == "real-2"
    assert len(entra.token_requests) == 2


async def test_real_msal_workload_identity_reads_the_new_file(
    entra: FakeEntra, tmp_path: Path
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("first-assertion")
    auth = MsalAuth(
        config(AUTHTYPE="WorkloadIdentity", FEDERATEDTOKENFILE=str(token_file)),
        http_client=entra,
    )
    await auth.get_access_token(BF, [])
    token_file.write_text("second-assertion-longer")
    await auth.get_access_token(BF, [], force_refresh=True)
    assertions = [request["client_assertion"] for request in entra.token_requests]
    assert assertions == [["first-assertion"], ["second-assertion-longer"]]


async def test_real_msal_certificate_signs_an_assertion(
    entra: FakeEntra, cert_files: CertFiles
) -> None:
    auth = MsalAuth(
        config(AUTHTYPE="CertificateSubjectName", CERTPFXFILE=str(cert_files.pem)),
        http_client=entra,
    )
    assert await auth.get_access_token(BF, []) == "real-1"
    (request,) = entra.token_requests
    assert request["client_assertion_type"] == [
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    ]
    assertion = request["client_assertion"][0]
    text = assertion.decode() if isinstance(assertion, bytes) else assertion
    encoded_header = text.split(".")[0]
    header = json.loads(base64.urlsafe_b64decode(encoded_header + "=" * (-len(encoded_header) % 4)))
    assert header["alg"] == "RS256"
    thumbprint = base64.urlsafe_b64decode(header["x5t"] + "=" * (-len(header["x5t"]) % 4))
    assert thumbprint.hex().upper() == cert_files.sha1
    assert header["x5c"]  # subject name / issuer: the certificate travels with the assertion


async def test_a_stalled_entra_is_a_token_acquisition_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The real MSAL application with its own requests session: every call times out."""
    timeouts: list[object] = []

    def stalled(adapter: Any, request: Any, **kwargs: Any) -> Any:
        timeouts.append(kwargs.get("timeout"))
        raise requests.exceptions.ReadTimeout("read timed out")

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", stalled)
    auth = MsalAuth(config(CLIENTSECRET="the-secret"), timeout=0.5)
    with pytest.raises(TokenAcquisitionError, match=r"did not answer within 0\.5 s") as caught:
        await auth.get_access_token(BF, [])
    assert isinstance(caught.value.__cause__, requests.exceptions.Timeout)
    assert timeouts
    assert set(timeouts) == {0.5}
    assert "the-secret" not in str(caught.value)


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A managed identity endpoint on 127.0.0.1 that takes connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/msi/token"


async def test_a_stalled_managed_identity_endpoint_is_a_token_acquisition_error(
    monkeypatch: pytest.MonkeyPatch, silent_endpoint: str
) -> None:
    """The managed identity's own requests session times out too (App Service endpoint)."""
    for name in ("IDENTITY_SERVER_THUMBPRINT", "MSI_ENDPOINT", "MSI_SECRET", "IMDS_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("IDENTITY_ENDPOINT", silent_endpoint)
    monkeypatch.setenv("IDENTITY_HEADER", "header")
    auth = MsalAuth(config(AUTHTYPE="UserManagedIdentity"), timeout=0.2)
    with pytest.raises(TokenAcquisitionError, match=r"did not answer within 0\.2 s") as caught:
        await asyncio.wait_for(auth.get_access_token(BF, []), timeout=10)
    assert isinstance(caught.value.__cause__, requests.exceptions.Timeout)


def _failing_entra(response: FakeResponse, *, on: str) -> FakeEntra:
    entra = FakeEntra()
    if on == "get":
        entra.get = lambda url, **_: response  # type: ignore[method-assign]
    else:
        entra.post = lambda url, data=None, **_: response  # type: ignore[method-assign]
    return entra


async def test_a_tenant_that_does_not_exist_is_a_token_acquisition_error() -> None:
    answer = FakeResponse(400, {"error": "invalid_tenant", "error_description": "AADSTS90002"})
    auth = MsalAuth(config(CLIENTSECRET="the-secret"), http_client=_failing_entra(answer, on="get"))
    with pytest.raises(TokenAcquisitionError, match="TENANTID") as caught:
        await auth.get_access_token(BF, [])
    assert isinstance(caught.value, HostingError)
    assert "Unable to get authority configuration" in str(caught.value)
    assert type(caught.value.__cause__) is ValueError


async def test_a_5xx_without_json_is_a_token_acquisition_error() -> None:
    answer = FakeResponse(503, {})
    answer.text = "<html>Service Unavailable</html>"
    auth = MsalAuth(
        config(CLIENTSECRET="the-secret"), http_client=_failing_entra(answer, on="post")
    )
    with pytest.raises(TokenAcquisitionError, match="availability") as caught:
        await auth.get_access_token(BF, [])
    assert isinstance(caught.value.__cause__, MsalError)
    assert "the-secret" not in str(caught.value)


async def test_a_token_answer_that_is_not_json_is_a_token_acquisition_error() -> None:
    answer = FakeResponse(200, {})
    answer.text = "<html>a proxy's page</html>"
    auth = MsalAuth(config(CLIENTSECRET="s"), http_client=_failing_entra(answer, on="post"))
    with pytest.raises(TokenAcquisitionError, match="not JSON") as caught:
        await auth.get_access_token(BF, [])
    assert isinstance(caught.value.__cause__, json.JSONDecodeError)
