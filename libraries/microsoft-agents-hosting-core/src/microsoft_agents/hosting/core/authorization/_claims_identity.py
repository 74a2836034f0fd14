"""Who sent a request: the claims of the token that came with it.

A :class:`ClaimsIdentity` is created for every incoming request once its bearer token has
been validated (or, in anonymous mode, empty). The adapter reads it to decide which token
to attach to the replies:

* a token from a **channel** (Teams, Bot Service, Copilot Studio) means replies go to the
  Bot Framework audience ``https://api.botframework.com``;
* a token from **another agent** (an agent-to-agent call, see :meth:`ClaimsIdentity.is_agent_claim`)
  means replies go back to that agent, audience ``app://<its app id>``.

Example::

    identity = ClaimsIdentity({"aud": "my-app-id", "appid": "caller-id", "ver": "1.0"})
    identity.get_app_id()          # "my-app-id": the agent the token was issued for
    identity.get_outgoing_app_id() # "caller-id": who asked for the token
    identity.get_token_audience()  # "app://caller-id"
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._constants import AuthenticationConstants

__all__ = ["ClaimsIdentity", "endorsement_refusal"]

_C = AuthenticationConstants


def _text(value: object) -> str | None:
    """A claim value when it is a non-empty string, else ``None``."""
    return value if isinstance(value, str) and value else None


class ClaimsIdentity:
    """The validated claims of a request, or an anonymous identity with none.

    Args:
        claims: the token's claims (copied). ``None`` or empty gives an anonymous identity.
        is_authenticated: deprecated; whether the identity is authenticated. When omitted
            it is ``bool(claims)``.
        authentication_type: how the identity was established (``"Bearer"`` for a
            validated token, ``"anonymous"`` or ``None`` for none).
        security_token: the raw token the claims came from. Kept for user-authorization
            flows that forward it (on-behalf-of); never logged.
    """

    __slots__ = (
        "_endorsements",
        "_is_authenticated",
        "authentication_type",
        "claims",
        "security_token",
    )

    def __init__(
        self,
        claims: Mapping[str, Any] | None = None,
        is_authenticated: bool | None = None,
        authentication_type: str | None = None,
        security_token: str | None = None,
    ) -> None:
        self.claims: dict[str, Any] = dict(claims) if claims else {}
        self._is_authenticated = is_authenticated
        self.authentication_type = authentication_type
        self.security_token = security_token
        # The channels the token's signing key endorses, when it is a Bot Framework key
        # and the channel was not known at validation (see refuses_channel).
        self._endorsements: frozenset[str] | None = None

    def __repr__(self) -> str:
        # Claims and token stay out of reprs: they end up in logs.
        return (
            f"ClaimsIdentity(app_id={self.get_app_id()!r}, "
            f"authentication_type={self.authentication_type!r}, "
            f"anonymous={self.allow_anonymous})"
        )

    @property
    def is_authenticated(self) -> bool:
        """Deprecated: ``True`` when the identity has claims (or was built as authenticated)."""
        if self._is_authenticated is not None:
            return self._is_authenticated
        return bool(self.claims)

    @property
    def allow_anonymous(self) -> bool:
        """``True`` for the anonymous identity: no claims and no (or an anonymous) type."""
        kind = (self.authentication_type or "").strip().lower()
        return not self.claims and kind in ("", _C.ANONYMOUS_AUTH_TYPE)

    @property
    def name(self) -> str | None:
        """Who the identity is, for display: the ``name`` claim (user tokens), else the
        calling app's id; None for the anonymous identity."""
        return _text(self.claims.get("name")) or self.get_outgoing_app_id() or self.get_app_id()

    def get_claim_value(self, claim_type: str) -> Any:
        """The value of one claim.

        Args:
            claim_type: the claim name, e.g. ``"aud"``.

        Returns:
            The claim's value, or ``None`` when the token did not carry it.
        """
        return self.claims.get(claim_type)

    def get_app_id(self) -> str | None:
        """The app id the token was issued for: ``aud``, else ``appid``."""
        return _text(self.claims.get(_C.AUDIENCE_CLAIM)) or _text(self.claims.get(_C.APP_ID_CLAIM))

    def get_outgoing_app_id(self) -> str | None:
        """The app id of the caller: ``appid`` for v1 tokens (or no ``ver``), ``azp`` for v2."""
        version = self.claims.get(_C.VERSION_CLAIM)
        if version is None or str(version) in ("", "1.0"):
            return _text(self.claims.get(_C.APP_ID_CLAIM))
        if str(version) == "2.0":
            return _text(self.claims.get(_C.AUTHORIZED_PARTY_CLAIM))
        return None

    def is_agent_claim(self) -> bool:
        """Whether the caller is another agent (an agent-to-agent call).

        That is the case when the token has a ``ver`` claim, its audience is not the
        Bot Framework token issuer, and the caller's app id (``appid``/``azp``) is present
        and differs from the audience (an app does not call itself through a channel).
        """
        if self.claims.get(_C.VERSION_CLAIM) in (None, ""):
            return False
        audience = _text(self.claims.get(_C.AUDIENCE_CLAIM))
        if audience is None or audience.lower() == _C.BOT_FRAMEWORK_TOKEN_ISSUER:
            return False
        caller = self.get_outgoing_app_id()
        return caller is not None and caller.lower() != audience.lower()

    def get_token_audience(self) -> str:
        """The audience of the token to attach to replies.

        Returns:
            ``app://<caller app id>`` for agent claims, else ``https://api.botframework.com``.
        """
        if self.is_agent_claim():
            return f"{_C.AGENT_AUDIENCE_PREFIX}{self.get_outgoing_app_id()}"
        return _C.BOT_FRAMEWORK_SCOPE

    def get_token_scope(self) -> list[str]:
        """The scopes to request for replies.

        Returns:
            ``["<caller app id>/.default"]`` for agent claims, else
            ``["https://api.botframework.com/.default"]``.
        """
        if self.is_agent_claim():
            return [f"{self.get_outgoing_app_id()}{_C.DEFAULT_SCOPE_SUFFIX}"]
        return [_C.BOT_FRAMEWORK_DEFAULT_SCOPE]


def endorsement_refusal(endorsed: frozenset[str], channel_id: str) -> str | None:
    """Why a Bot Framework signing key that endorses ``endorsed`` may not speak for
    ``channel_id`` (a key issued for one channel cannot bring another's activities), or
    None when it may. A sub-channel (``msteams:COPILOT``) is endorsed by its base channel.

    Args:
        endorsed: the key's ``endorsements``, lower-cased.
        channel_id: the activity's ``channelId``.
    """
    wanted = channel_id.strip().lower()
    if wanted in endorsed or wanted.split(":", 1)[0].strip() in endorsed:
        return None
    return f"its signing key does not endorse channel {channel_id!r}"
