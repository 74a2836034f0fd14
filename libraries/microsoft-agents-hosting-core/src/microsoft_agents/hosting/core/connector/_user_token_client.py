"""The User Token service client: the user's OAuth tokens, sign-in links and SSO.

An agent that acts for a user (reads their mail, calls an API as them) keeps no
credentials of its own: the Azure Bot's OAuth *connections* hold them, and the User Token
service (``https://api.botframework.com`` by default) hands out the user's token per
connection. :class:`UserTokenClient` is how the sign-in flow talks to it::

    async with UserTokenClient(endpoint, token, app_id=app_id) as tokens:
        answer = await tokens.get_token_or_sign_in_resource("graph", activity)
        if answer.token_response:
            ...  # signed in: answer.token_response.token
        else:
            link = answer.sign_in_resource.sign_in_link  # put it on an OAuth card

The flat methods are what the sign-in flow calls; they take the activity or the plain ids
and build the service's parameters. The two operation groups map one-to-one onto the
service's endpoints, for callers that need the raw calls:

* :attr:`UserTokenClient.user_token`: ``api/usertoken/...`` (GetToken, GetAadTokens,
  SignOut, GetTokenStatus, exchange, GetTokenOrSignInResource);
* :attr:`UserTokenClient.agent_sign_in`: ``api/botsignin/...`` (GetSignInUrl,
  getSignInResource).

Rules worth knowing:

* ``channelId`` parameters always carry the base channel (``msteams``, never
  ``msteams:COPILOT``);
* "no token" is not an error: GetToken's 404 gives an empty (falsy) ``TokenResponse``;
* the sign-in ``state`` is the base64 JSON of a ``TokenExchangeState`` naming the
  connection, the conversation (base channel) and this agent's app id, so the client
  needs ``app_id`` for the calls that build it;
* a failed token exchange raises :class:`~microsoft_agents.hosting.core.ServiceError`
  whose message and ``body`` carry the service's answer (the sign-in flow looks for
  "Consent Required" there).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp

from microsoft_agents.activity import (
    Activity,
    ChannelId,
    SignInResource,
    TokenExchangeRequest,
    TokenExchangeState,
    TokenOrSignInResourceResponse,
    TokenResponse,
    TokenStatus,
)
from microsoft_agents.hosting.core._errors import ServiceError
from microsoft_agents.hosting.core._outbound import OutboundHostValidator

from ._bases import UserTokenClientBase
from ._connector_client import _model_json, _ModelT, _OperationGroup
from ._transport import HttpTransport, RetryPolicy, ServiceResponseError, TokenSource

__all__ = ["AgentSignInOperations", "UserTokenClient", "UserTokenOperations"]

logger = logging.getLogger(__name__)

_OK = (200,)
_ANY_2XX = frozenset(range(200, 300))
_GET_TOKEN_OK = (200, 404)
_SIGN_OUT_OK = (200, 204)


def _base_channel(channel_id: str | None) -> str | None:
    """The channel without its sub-channel (``msteams:COPILOT`` -> ``msteams``)."""
    return ChannelId.get_channel(channel_id) if channel_id else None


class UserTokenOperations(_OperationGroup):
    """``api/usertoken/...``: the user's tokens per OAuth connection."""

    async def _get_or_empty(
        self, model: type[_ModelT], path: str, params: dict[str, str | None]
    ) -> _ModelT:
        """GET ``path``; a 404 (nothing for this user and connection) is an empty ``model``."""
        response = await self._request("GET", path, params=params, ok=_GET_TOKEN_OK)
        if response.status == 404:
            logger.debug(
                "GET %s answered 404: nothing for connection %s", path, params.get("connectionName")
            )
            return model()
        return self._parse(model, "GET", path, response)

    async def get_token(
        self,
        user_id: str,
        connection_name: str,
        channel_id: str | None = None,
        code: str | None = None,
    ) -> TokenResponse:
        """The user's token for a connection.

        Args:
            user_id: the user's channel id (``activity.from.id``).
            connection_name: the OAuth connection.
            channel_id: the channel (sent as its base channel).
            code: the magic code the user typed, or the state of a ``signin/verifyState``.

        Returns:
            The token; an empty ``TokenResponse`` (falsy) when the user has none (404).
        """
        params = {
            "userId": user_id,
            "connectionName": connection_name,
            "channelId": _base_channel(channel_id),
            "code": code,
        }
        return await self._get_or_empty(TokenResponse, "api/usertoken/GetToken", params)

    async def get_aad_tokens(
        self,
        user_id: str,
        connection_name: str,
        resource_urls: list[str],
        channel_id: str | None = None,
    ) -> dict[str, TokenResponse]:
        """Tokens for several Entra resources at once.

        Args:
            user_id: the user's channel id.
            connection_name: the OAuth connection (an Entra one).
            resource_urls: the resources to get tokens for.
            channel_id: the channel (sent as its base channel).

        Returns:
            A token per resource URL.
        """
        params = {
            "userId": user_id,
            "connectionName": connection_name,
            "channelId": _base_channel(channel_id),
        }
        path = "api/usertoken/GetAadTokens"
        body = {"resourceUrls": list(resource_urls)}
        response = await self._request("POST", path, params=params, json=body, ok=_OK)
        data = self._json("POST", path, response)
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise self._malformed(
                "POST", path, response, "an object of tokens", TypeError(type(data).__name__)
            )
        try:
            return {url: TokenResponse.model_validate(token) for url, token in data.items()}
        except ValueError as exc:
            raise self._malformed("POST", path, response, "an object of tokens", exc) from exc

    async def sign_out(
        self,
        user_id: str,
        connection_name: str | None = None,
        channel_id: str | None = None,
    ) -> None:
        """Revoke the user's token.

        Args:
            user_id: the user's channel id.
            connection_name: the OAuth connection; ``None`` signs out of every one.
            channel_id: the channel (sent as its base channel).
        """
        params = {
            "userId": user_id,
            "connectionName": connection_name,
            "channelId": _base_channel(channel_id),
        }
        await self._request("DELETE", "api/usertoken/SignOut", params=params, ok=_SIGN_OUT_OK)

    async def get_token_status(
        self,
        user_id: str,
        channel_id: str | None = None,
        include: str | None = None,
    ) -> list[TokenStatus]:
        """Whether the user has a token, for each connection.

        Args:
            user_id: the user's channel id.
            channel_id: the channel (sent as its base channel).
            include: a comma-separated filter of connection names.

        Returns:
            One status per connection.
        """
        params = {"userId": user_id, "channelId": _base_channel(channel_id), "include": include}
        return await self._call_list(
            TokenStatus, "GET", "api/usertoken/GetTokenStatus", params=params
        )

    async def exchange_token(
        self,
        user_id: str,
        connection_name: str,
        channel_id: str | None,
        body: TokenExchangeRequest,
    ) -> TokenResponse:
        """Exchange a channel's SSO token (or a resource URI) for the connection's token.

        Args:
            user_id: the user's channel id.
            connection_name: the OAuth connection.
            channel_id: the channel (sent as its base channel).
            body: the SSO token or URI to exchange.

        Returns:
            The connection's token.

        Raises:
            ServiceError: the service refused; the message and ``body`` hold its answer.
        """
        params = {
            "userId": user_id,
            "connectionName": connection_name,
            "channelId": _base_channel(channel_id),
        }
        path = "api/usertoken/exchange"
        try:
            response = await self._request(
                "POST", path, params=params, json=_model_json(body), ok=_ANY_2XX
            )
        except ServiceError as exc:
            if exc.status == 0:
                raise
            raise ServiceResponseError(
                f"Token exchange for connection '{connection_name}' failed with status "
                f"{exc.status}: {exc.body}",
                status=exc.status,
                method=exc.method,
                url=exc.url,
                code=exc.code,
                body=exc.body,
            ) from exc
        return self._parse(TokenResponse, "POST", path, response)

    async def get_token_or_sign_in_resource(
        self,
        user_id: str,
        connection_name: str,
        channel_id: str | None,
        state: str,
        code: str | None = None,
        final_redirect: str | None = None,
        fwd_url: str | None = None,
    ) -> TokenOrSignInResourceResponse:
        """The user's token, or the resource to sign them in.

        Args:
            user_id: the user's channel id.
            connection_name: the OAuth connection.
            channel_id: the channel (sent as its base channel).
            state: the encoded ``TokenExchangeState``.
            code: a magic code, if the user typed one.
            final_redirect: where the browser goes after sign-in.
            fwd_url: a forward URL for the sign-in page.

        Returns:
            ``token_response`` when signed in, else ``sign_in_resource``; neither (an
            empty response) when the service answers 404.
        """
        params = {
            "userId": user_id,
            "connectionName": connection_name,
            "channelId": _base_channel(channel_id),
            "state": state,
            "code": code,
            "finalRedirect": final_redirect,
            "fwdUrl": fwd_url,
        }
        return await self._get_or_empty(
            TokenOrSignInResourceResponse, "api/usertoken/GetTokenOrSignInResource", params
        )


class AgentSignInOperations(_OperationGroup):
    """``api/botsignin/...``: sign-in links for a connection."""

    async def get_sign_in_url(
        self,
        state: str,
        code_challenge: str | None = None,
        emulator_url: str | None = None,
        final_redirect: str | None = None,
    ) -> str:
        """The sign-in link for an encoded ``TokenExchangeState``.

        Uses the Bot Framework path ``api/botsignin/GetSignInUrl``.

        Args:
            state: the encoded ``TokenExchangeState``.
            code_challenge: a PKCE code challenge, if used.
            emulator_url: the Emulator's URL, when testing with it.
            final_redirect: where the browser goes after sign-in.

        Returns:
            The URL to open.
        """
        path = "api/botsignin/GetSignInUrl"
        params = self._sign_in_params(state, code_challenge, emulator_url, final_redirect)
        response = await self._request("GET", path, params=params, ok=_OK)
        text = response.text().strip()
        if text.startswith('"'):
            # Some deployments answer with a JSON string rather than plain text.
            try:
                decoded: Any = json.loads(text)
            except ValueError:
                decoded = None
            if isinstance(decoded, str):
                return decoded
        return text

    async def get_sign_in_resource(
        self,
        state: str,
        code_challenge: str | None = None,
        emulator_url: str | None = None,
        final_redirect: str | None = None,
    ) -> SignInResource:
        """The sign-in link and SSO resources for an encoded ``TokenExchangeState``.

        Args:
            state: the encoded ``TokenExchangeState``.
            code_challenge: a PKCE code challenge, if used.
            emulator_url: the Emulator's URL, when testing with it.
            final_redirect: where the browser goes after sign-in.

        Returns:
            The link to put on an OAuth card, with the token-exchange and post resources.
        """
        params = self._sign_in_params(state, code_challenge, emulator_url, final_redirect)
        return await self._call(
            SignInResource, "GET", "api/botsignin/getSignInResource", params=params
        )

    @staticmethod
    def _sign_in_params(
        state: str,
        code_challenge: str | None,
        emulator_url: str | None,
        final_redirect: str | None,
    ) -> dict[str, str | int | None]:
        if not state:
            raise ValueError("the sign-in state must be a non-empty encoded TokenExchangeState")
        return {
            "state": state,
            "codeChallenge": code_challenge,
            "emulatorUrl": emulator_url,
            "finalRedirect": final_redirect,
        }


class UserTokenClient(UserTokenClientBase):
    """A client of the User Token service.

    One ``aiohttp.ClientSession`` serves every call. A session passed in is used and left
    open; otherwise the client creates one and :meth:`close` closes it.

    Args:
        endpoint: the token service URL (``https://api.botframework.com`` or a regional
            one); a trailing ``/`` is added and its path is kept.
        token: the app token for the token service (or an ``async`` function giving it,
            called at the first call); empty for anonymous development, in which case no
            ``Authorization`` header is sent.
        app_id: this agent's app (client) id; needed to build the sign-in ``state``.
        session: a session to share; not closed by this client.
        retry: the timeout and retry policy of every call.
        host_validator: refuses calls to hosts that are not allowed.
    """

    def __init__(
        self,
        endpoint: str,
        token: str | TokenSource,
        *,
        app_id: str | None = None,
        session: aiohttp.ClientSession | None = None,
        retry: RetryPolicy | None = None,
        host_validator: OutboundHostValidator | None = None,
    ) -> None:
        if not endpoint:
            raise ValueError("UserTokenClient needs the token service URL, got an empty endpoint")
        self.app_id = app_id
        self._transport = HttpTransport(
            endpoint,
            token=token or None,
            session=session,
            retry=retry,
            host_validator=host_validator,
        )
        self._user_token = UserTokenOperations(self._transport)
        self._agent_sign_in = AgentSignInOperations(self._transport)

    @property
    def base_uri(self) -> str:
        """The token service URL every call is relative to (always ends with ``/``)."""
        return self._transport.base_url

    @property
    def user_token(self) -> UserTokenOperations:
        """The ``api/usertoken`` operations."""
        return self._user_token

    @property
    def agent_sign_in(self) -> AgentSignInOperations:
        """The ``api/botsignin`` operations."""
        return self._agent_sign_in

    async def close(self) -> None:
        """Close the HTTP session if this client created it."""
        await self._transport.close()

    # ------------------------------------------------------------------ flat calls

    async def get_user_token(
        self,
        user_id: str,
        connection_name: str,
        channel_id: str,
        magic_code: str | None = None,
    ) -> TokenResponse:
        """The user's token for a connection.

        Args:
            user_id: the user's channel id (``activity.from.id``).
            connection_name: the OAuth connection.
            channel_id: the channel (sent as its base channel).
            magic_code: the code the user typed, if any.

        Returns:
            The token; an empty ``TokenResponse`` (falsy) when the user has none.
        """
        return await self._user_token.get_token(user_id, connection_name, channel_id, magic_code)

    async def get_token_or_sign_in_resource(
        self,
        connection_name: str,
        activity: Activity,
        code: str | None = None,
        final_redirect: str | None = None,
        fwd_url: str | None = None,
    ) -> TokenOrSignInResourceResponse:
        """The token of the activity's sender, or the resource to sign them in.

        Args:
            connection_name: the OAuth connection.
            activity: the incoming activity (its sender, channel and conversation).
            code: a magic code, if the user typed one.
            final_redirect: where the browser goes after sign-in.
            fwd_url: a forward URL for the sign-in page.

        Returns:
            ``token_response`` when signed in, else ``sign_in_resource``.

        Raises:
            ValueError: no ``app_id`` was given to the client, or the activity has no
                sender id, channel or conversation.
        """
        state = self._sign_in_state(connection_name, activity)
        user_id = activity.from_property.id if activity.from_property is not None else None
        if not user_id:
            raise ValueError(
                "get_token_or_sign_in_resource needs the activity's sender ('from.id'); "
                "pass the incoming activity of the turn"
            )
        return await self._user_token.get_token_or_sign_in_resource(
            user_id,
            connection_name,
            activity.channel_id,
            state,
            code=code,
            final_redirect=final_redirect,
            fwd_url=fwd_url,
        )

    async def get_sign_in_resource(
        self,
        connection_name: str,
        activity: Activity,
        final_redirect: str | None = None,
    ) -> SignInResource:
        """The sign-in link and SSO resources for the activity's sender.

        Args:
            connection_name: the OAuth connection.
            activity: the incoming activity (its channel and conversation).
            final_redirect: where the browser goes after sign-in.

        Returns:
            The link to put on an OAuth card, with the token-exchange and post resources.

        Raises:
            ValueError: no ``app_id`` was given to the client, or the activity has no
                channel or conversation.
        """
        state = self._sign_in_state(connection_name, activity)
        return await self._agent_sign_in.get_sign_in_resource(state, final_redirect=final_redirect)

    async def sign_out_user(
        self,
        user_id: str,
        connection_name: str | None = None,
        channel_id: str | None = None,
    ) -> None:
        """Revoke the user's token for a connection (every connection when ``None``).

        Args:
            user_id: the user's channel id.
            connection_name: the OAuth connection.
            channel_id: the channel (sent as its base channel).
        """
        await self._user_token.sign_out(user_id, connection_name, channel_id)

    async def get_token_status(
        self,
        user_id: str,
        channel_id: str | None = None,
        include: str | None = None,
    ) -> list[TokenStatus]:
        """Whether the user has a token, for each connection.

        Args:
            user_id: the user's channel id.
            channel_id: the channel (sent as its base channel).
            include: a comma-separated filter of connection names.

        Returns:
            One status per connection.
        """
        return await self._user_token.get_token_status(user_id, channel_id, include)

    async def get_aad_tokens(
        self,
        user_id: str,
        connection_name: str,
        resource_urls: list[str],
        channel_id: str | None = None,
    ) -> dict[str, TokenResponse]:
        """Tokens for several Entra resources at once, keyed by resource URL.

        Args:
            user_id: the user's channel id.
            connection_name: the OAuth connection.
            resource_urls: the resources.
            channel_id: the channel (sent as its base channel).

        Returns:
            A token per resource URL.
        """
        return await self._user_token.get_aad_tokens(
            user_id, connection_name, resource_urls, channel_id
        )

    async def exchange_token(
        self,
        user_id: str,
        connection_name: str,
        channel_id: str,
        exchange_request: TokenExchangeRequest,
    ) -> TokenResponse:
        """Exchange a channel's SSO token (or a resource URI) for the connection's token.

        Args:
            user_id: the user's channel id.
            connection_name: the OAuth connection.
            channel_id: the channel (sent as its base channel).
            exchange_request: the SSO token or URI.

        Returns:
            The connection's token.

        Raises:
            ServiceError: the service refused; the message and ``body`` hold its answer.
        """
        return await self._user_token.exchange_token(
            user_id, connection_name, channel_id, exchange_request
        )

    # ------------------------------------------------------------------ helpers

    def _sign_in_state(self, connection_name: str, activity: Activity) -> str:
        """The encoded ``TokenExchangeState`` for a connection and an incoming activity."""
        if not self.app_id:
            raise ValueError(
                "the sign-in state names the agent's app id, and this UserTokenClient has "
                "none: create it with app_id=<the agent's client id> (the adapter's factory "
                "does this from the incoming token's 'aud' claim)"
            )
        if not activity.channel_id:
            raise ValueError(
                "the sign-in state needs the activity's 'channelId'; pass the incoming "
                "activity of the turn"
            )
        if activity.conversation is None:
            raise ValueError(
                "the sign-in state needs the activity's 'conversation'; pass the incoming "
                "activity of the turn"
            )
        reference = activity.get_conversation_reference(force_base_channel=True)
        state = TokenExchangeState(
            connection_name=connection_name,
            conversation=reference,
            relates_to=activity.relates_to,
            ms_app_id=self.app_id,
        )
        return state.get_encoded_state()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(endpoint={self.base_uri!r}, app_id={self.app_id!r})"
