"""Fakes shared by the channel-service adapter, HTTP core and outbound-security tests.

A token provider that records every request for a token, a ``Connections`` that hands it
out, and an ``HttpRequestProtocol`` request built from a dict or raw bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import (
    AgentAuthConfiguration,
    ClaimsIdentity,
    RestChannelServiceClientFactory,
)
from microsoft_agents.hosting.core.connector import RetryPolicy

APP_ID = "00000000-0000-0000-0000-0000000000aa"
TOKEN = "SECRET-BEARER-TOKEN-do-not-leak"
SERVICE_URL = "https://smba.trafficmanager.net/amer/"
NO_RETRY = RetryPolicy(max_attempts=1)


class FakeTokenProvider:
    """Gives out :data:`TOKEN` and records what it was asked for."""

    def __init__(self, configuration: AgentAuthConfiguration | None = None) -> None:
        self._configuration = configuration or AgentAuthConfiguration()
        self.requests: list[tuple[str, list[str]]] = []
        self.agentic_requests: list[tuple[str, ...]] = []

    @property
    def configuration(self) -> AgentAuthConfiguration:
        return self._configuration

    async def get_access_token(
        self, resource_url: str, scopes: list[str], force_refresh: bool = False
    ) -> str:
        self.requests.append((resource_url, list(scopes)))
        return TOKEN

    async def acquire_token_on_behalf_of(self, scopes: list[str], user_assertion: str) -> str:
        raise AssertionError("not used")

    async def get_agentic_application_token(self, tenant_id: str, instance_id: str) -> str:
        self.agentic_requests.append(("application", tenant_id, instance_id))
        return TOKEN

    async def get_agentic_instance_token(self, tenant_id: str, instance_id: str) -> tuple[str, str]:
        self.agentic_requests.append(("instance", tenant_id, instance_id))
        return TOKEN, "app-token"

    async def get_agentic_user_token(
        self, tenant_id: str, instance_id: str, user_id: str, scopes: list[str]
    ) -> str:
        self.agentic_requests.append(("user", tenant_id, instance_id, user_id, *scopes))
        return TOKEN

    @property
    def asked(self) -> int:
        return len(self.requests) + len(self.agentic_requests)


class FakeConnections:
    """A ``Connections`` with one connection whose provider is a :class:`FakeTokenProvider`."""

    def __init__(self, client_id: str | None = APP_ID, anonymous_allowed: bool = False) -> None:
        if client_id is None:
            self.configuration = AgentAuthConfiguration()  # development mode
        else:
            self.configuration = AgentAuthConfiguration(
                client_id=client_id,
                tenant_id="tenant-1",
                client_secret="not-a-real-secret",
                anonymous_allowed=anonymous_allowed,
            )
        self.provider = FakeTokenProvider(self.configuration)
        self.lookups: list[str] = []

    def get_connection(self, connection_name: str | None) -> FakeTokenProvider:
        return self.provider

    def get_default_connection(self) -> FakeTokenProvider:
        return self.provider

    def get_token_provider(
        self, claims_identity: ClaimsIdentity, service_url: str
    ) -> FakeTokenProvider:
        self.lookups.append(service_url)
        return self.provider

    def get_token_provider_from_activity(
        self, claims_identity: ClaimsIdentity, activity: Activity
    ) -> FakeTokenProvider:
        self.lookups.append(f"activity:{activity.service_url}")
        return self.provider

    def get_default_connection_configuration(self) -> AgentAuthConfiguration:
        return self.configuration


def make_factory(
    connections: FakeConnections | None = None, **kwargs: Any
) -> RestChannelServiceClientFactory:
    kwargs.setdefault("retry", NO_RETRY)
    return RestChannelServiceClientFactory(connections or FakeConnections(), **kwargs)


def channel_claims(service_url: str | None = SERVICE_URL) -> ClaimsIdentity:
    """The claims of a Bot Framework channel token, with the ``serviceurl`` claim."""
    claims: dict[str, Any] = {
        "aud": APP_ID,
        "iss": "https://api.botframework.com",
    }
    if service_url is not None:
        claims["serviceurl"] = service_url
    return ClaimsIdentity(claims, authentication_type="Bearer", security_token=TOKEN)


def incoming(**overrides: Any) -> dict[str, Any]:
    """A message from a user on msteams, as wire JSON."""
    payload: dict[str, Any] = {
        "type": "message",
        "id": "m1",
        "channelId": "msteams",
        "serviceUrl": SERVICE_URL,
        "from": {"id": "29:user", "name": "Ann"},
        "recipient": {"id": "28:agent", "name": "Agent"},
        "conversation": {"id": "a:conv1"},
        "text": "hi",
    }
    payload.update(overrides)
    return {key: value for key, value in payload.items() if value is not None}


class FakeRequest:
    """An :class:`HttpRequestProtocol` request."""

    def __init__(
        self,
        body: Mapping[str, Any] | bytes | str | None = None,
        *,
        method: str = "POST",
        headers: Mapping[str, str] | None = None,
        claims: ClaimsIdentity | None = None,
        path_params: Mapping[str, str] | None = None,
    ) -> None:
        if isinstance(body, Mapping):
            raw = json.dumps(body).encode()
        elif isinstance(body, str):
            raw = body.encode()
        else:
            raw = body or b""
        self._raw = raw
        self.method = method
        self.headers: dict[str, str] = dict(
            headers if headers is not None else {"Content-Type": "application/json"}
        )
        self._claims = claims
        self._params = dict(path_params or {})

    async def json(self) -> Any:
        return json.loads(self._raw)

    async def body(self) -> bytes:
        return self._raw

    def get_claims_identity(self) -> ClaimsIdentity | None:
        return self._claims

    def get_path_param(self, name: str) -> str:
        return self._params[name]
