"""User tokens and the OAuth sign-in flow.

An agent that acts for a user asks the User Token service for a token per OAuth connection
(an Azure Bot "connection name"). The service answers with a :class:`TokenResponse` when the
user is signed in, or a :class:`SignInResource` (inside a
:class:`TokenOrSignInResourceResponse`) whose link the agent puts on an OAuth card::

    >>> answer = TokenOrSignInResourceResponse.model_validate(
    ...     {"tokenResponse": {"connectionName": "graph", "token": "eyJ..."}})
    >>> bool(answer.token_response)
    True

A ``TokenResponse`` is truthy only when it holds a token. Single sign-on goes through a
token exchange: the channel sends a :class:`TokenExchangeInvokeRequest` and the agent posts
a :class:`TokenExchangeRequest` to the service. The sign-in ``state`` parameter is a
:class:`TokenExchangeState` encoded with :meth:`TokenExchangeState.get_encoded_state`.

Tokens and signed URLs are left out of a model's ``repr``, so a model that is logged or
printed does not give them away; they are still attributes and on the wire as usual.
"""

import base64
import binascii
import json
import logging
from typing import Any

from pydantic import AliasChoices, Field

from ._accounts import ConversationReference
from ._model import AgentsModel

__all__ = [
    "SignInResource",
    "TokenExchangeInvokeRequest",
    "TokenExchangeInvokeResponse",
    "TokenExchangeRequest",
    "TokenExchangeResource",
    "TokenExchangeState",
    "TokenOrSignInResourceResponse",
    "TokenPostResource",
    "TokenRequest",
    "TokenResponse",
    "TokenStatus",
]

logger = logging.getLogger(__name__)


def _decode_jwt_claims(token: str) -> dict[str, Any]:
    """Read the claims of a JWT without checking its signature.

    Raises:
        ValueError: the token is not three dot-separated parts whose middle one is a
            base64url-encoded JSON object.
    """
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError(f"a JWT has 3 dot-separated parts, this token has {len(parts)}")
    payload = parts[1]
    padded = payload + "=" * (-len(payload) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded.encode("ascii"))
    except binascii.Error as exc:
        raise ValueError(f"the JWT payload is not base64url: {exc}") from exc
    claims = json.loads(raw)
    if not isinstance(claims, dict):
        raise ValueError(f"the JWT payload is a JSON {type(claims).__name__}, not an object")
    return claims


class TokenResponse(AgentsModel):
    """A user token for one OAuth connection, as the User Token service returns it.

    The model is truthy when it carries a non-empty ``token``, so ``if response:`` reads
    as "is the user signed in".
    """

    channel_id: str | None = None
    connection_name: str | None = None
    token: str | None = Field(default=None, repr=False)
    expiration: str | None = None

    def __bool__(self) -> bool:
        return bool(self.token)

    def is_exchangeable(self) -> bool:
        """Whether this token can be exchanged on-behalf-of the user (OBO).

        The token's claims are read without verifying its signature: that is the token
        service's job, this only decides whether to try. A token is exchangeable when it
        is not a user-identity token (``idtyp`` is not ``user``) and its audience
        (``aud``, a string or a list of them) contains the id of the app it was issued to
        (``appid`` in v1 tokens, ``azp`` in v2 tokens): ``app1`` and ``api://app1`` both
        name the app ``app1``.

        Returns:
            ``False`` as well when there is no token or it is not a readable JWT.
        """
        if not self.token:
            return False
        try:
            claims = _decode_jwt_claims(self.token)
        except ValueError as exc:
            # ``exc`` describes the shape only; the token itself is never logged.
            logger.debug(
                "Token for connection %r is not a readable JWT, not exchangeable: %s",
                self.connection_name,
                exc,
            )
            return False
        if claims.get("idtyp") == "user":
            return False
        app_id = claims.get("appid") or claims.get("azp")
        if not isinstance(app_id, str) or not app_id:
            return False
        # The audience names the app, bare or inside a URI ("api://<app id>").
        audience = claims.get("aud")
        if isinstance(audience, str):
            return app_id in audience
        if isinstance(audience, list):
            return any(isinstance(aud, str) and app_id in aud for aud in audience)
        return False


class TokenRequest(AgentsModel):
    """A request for a token from a given provider, with provider-specific settings."""

    provider: str | None = None
    settings: dict[str, Any] | None = None


class TokenStatus(AgentsModel):
    """Whether the user has a token for one connection (``GetTokenStatus``)."""

    channel_id: str | None = None
    connection_name: str | None = None
    has_token: bool | None = None
    service_provider_display_name: str | None = None


class TokenExchangeRequest(AgentsModel):
    """The body of the token service's ``exchange`` call: a resource URI or an SSO token."""

    uri: str | None = None
    token: str | None = Field(default=None, repr=False)


class TokenExchangeState(AgentsModel):
    """What the sign-in ``state`` parameter carries: the connection and the conversation.

    The agent URL is the attribute ``agent_url``; its JSON key stays ``bot_url`` (the name
    the token service knows). Parsing accepts ``agent_url``, ``bot_url`` and ``agentUrl``.
    """

    connection_name: str | None = None
    conversation: ConversationReference
    relates_to: ConversationReference | None = None
    agent_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("agent_url", "bot_url", "agentUrl"),
        serialization_alias="bot_url",
    )
    ms_app_id: str | None = None

    def get_encoded_state(self) -> str:
        """The state as the token service expects it: base64 of its JSON.

        The JSON uses the wire names and leaves out unset and ``None`` fields.
        """
        text = self.model_dump_json(by_alias=True, exclude_unset=True, exclude_none=True)
        return base64.b64encode(text.encode("utf-8")).decode("ascii")


class TokenExchangeInvokeRequest(AgentsModel):
    """The ``value`` of a ``signin/tokenExchange`` invoke: an SSO token from the channel."""

    id: str | None = None
    connection_name: str | None = None
    token: str | None = Field(default=None, repr=False)
    properties: dict[str, Any] | None = None


class TokenExchangeInvokeResponse(AgentsModel):
    """The body an agent answers a ``signin/tokenExchange`` invoke with."""

    id: str | None = None
    connection_name: str | None = None
    failure_detail: str | None = None
    properties: dict[str, Any] | None = None


# Cards built by some .NET components spell the keys of the two resources below in
# PascalCase ("Id", "SasUrl"); they are read as well, and written back in camelCase.


class TokenExchangeResource(AgentsModel):
    """Where a channel can exchange its own SSO token for one of this connection."""

    id: str | None = Field(default=None, validation_alias=AliasChoices("id", "Id"))
    uri: str | None = Field(default=None, validation_alias=AliasChoices("uri", "Uri"))
    provider_id: str | None = Field(
        default=None, validation_alias=AliasChoices("provider_id", "providerId", "ProviderId")
    )


class TokenPostResource(AgentsModel):
    """A signed URL a channel can post a token to directly."""

    sas_url: str | None = Field(
        default=None, validation_alias=AliasChoices("sas_url", "sasUrl", "SasUrl"), repr=False
    )


class SignInResource(AgentsModel):
    """What an agent needs to offer sign-in: the link and the SSO/post resources."""

    sign_in_link: str | None = None
    token_exchange_resource: TokenExchangeResource | None = None
    token_post_resource: TokenPostResource | None = None


class TokenOrSignInResourceResponse(AgentsModel):
    """The answer to ``GetTokenOrSignInResource``: a token, or how to sign in."""

    token_response: TokenResponse | None = None
    sign_in_resource: SignInResource | None = None
