"""``Authorization`` and ``AuthHandler``: user sign-in for an ``AgentApplication``.

An agent that acts for its users (reads their mail, opens their pull requests) needs a
token of each user. ``Authorization`` holds the sign-in *handlers* of the application, one
per identity provider, read from the configuration::

    AGENTAPPLICATION__USERAUTHORIZATION__HANDLERS__GRAPH__SETTINGS__AZUREBOTOAUTHCONNECTIONNAME=graph

and is given to the application together with its storage and connections::

    authorization = Authorization(storage, connection_manager, **config)
    app = AgentApplication[TurnState](
        storage=storage, adapter=adapter, authorization=authorization, **config
    )

**This version runs applications without sign-in handlers only.** An ``Authorization``
built from a configuration that declares none (the quick start, every agent that acts as
itself) works as above and has nothing to do. The sign-in flows themselves (the OAuth card,
magic codes, Teams single sign-on, on-behalf-of exchange, agentic users) are not in this
release: a configuration that declares handlers is refused when the ``Authorization`` is
created, with a message naming them, rather than failing on a user's first message.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from microsoft_agents.activity import ConfigurationError, TokenResponse
from microsoft_agents.activity.config._coercion import coerce_bool
from microsoft_agents.hosting.core._errors import ApplicationError, AuthConfigurationError
from microsoft_agents.hosting.core._turn_context import TurnContext

if TYPE_CHECKING:
    from microsoft_agents.hosting.core.authorization import Connections
    from microsoft_agents.hosting.core.storage import Storage

__all__ = ["AuthHandler", "Authorization"]

logger = logging.getLogger(__name__)

SignInHook = Callable[[TurnContext, Any, "str | None"], Awaitable[None]]

_HANDLER_TYPES = {"userauthorization", "agenticuserauthorization", "connectoruserauthorization"}
_AUTO_SIGN_IN_SETTING = "AGENTAPPLICATION__USERAUTHORIZATION__AUTO_SIGN_IN"


class AuthHandler:
    """One sign-in handler: which OAuth connection, which scopes, which kind of sign-in.

    Accepts the snake_case keywords below and the upper-case keys of the configuration
    (``AZUREBOTOAUTHCONNECTIONNAME``, ``OBOCONNECTIONNAME``, ``TYPE``, ``SCOPES``, ...).

    Args:
        name: the handler id (``"GRAPH"``).
        title: the title of the sign-in card.
        text: the text of the sign-in card.
        abs_oauth_connection_name: the OAuth connection of the Azure Bot resource.
        obo_connection_name: the connection used for on-behalf-of exchanges.
        auth_type: ``UserAuthorization`` (default), ``AgenticUserAuthorization`` or
            ``ConnectorUserAuthorization``; compared ignoring case.
        scopes: the scopes to exchange for (a list, or a space-separated string).

    Raises:
        AuthConfigurationError: ``auth_type`` is not one of the known types.
    """

    def __init__(
        self,
        name: str = "",
        title: str = "",
        text: str = "",
        abs_oauth_connection_name: str = "",
        obo_connection_name: str = "",
        auth_type: str = "",
        scopes: list[str] | str | None = None,
        **kwargs: Any,
    ) -> None:
        self.name = kwargs.pop("NAME", name)
        self.title = kwargs.pop("TITLE", title)
        self.text = kwargs.pop("TEXT", text)
        self.abs_oauth_connection_name = kwargs.pop(
            "AZUREBOTOAUTHCONNECTIONNAME", abs_oauth_connection_name
        )
        self.obo_connection_name = kwargs.pop("OBOCONNECTIONNAME", obo_connection_name)
        kind = str(kwargs.pop("TYPE", auth_type) or "UserAuthorization")
        if kind.lower() not in _HANDLER_TYPES:
            raise AuthConfigurationError(
                f"sign-in handler {self.name!r} has TYPE {kind!r}; use UserAuthorization, "
                "AgenticUserAuthorization or ConnectorUserAuthorization",
                setting="TYPE",
            )
        self.auth_type = kind.lower()
        raw_scopes = kwargs.pop("SCOPES", scopes)
        self.scopes: list[str] = (
            raw_scopes.split() if isinstance(raw_scopes, str) else list(raw_scopes or [])
        )
        self.alt_blueprint_name: str | None = kwargs.pop("ALT_BLUEPRINT_NAME", None)
        self.extra: dict[str, Any] = kwargs

    def __repr__(self) -> str:
        return f"AuthHandler(name={self.name!r}, auth_type={self.auth_type!r})"

    @classmethod
    def from_settings(cls, handler_id: str, section: Mapping[str, Any]) -> AuthHandler:
        """A handler from its configuration section (``HANDLERS__<ID>__...``)."""
        settings = dict(section.get("SETTINGS") or {})
        if "TYPE" in section and "TYPE" not in settings:
            settings["TYPE"] = section["TYPE"]
        settings.setdefault("NAME", handler_id)
        return cls(**settings)


def _handlers_from_config(config: Mapping[str, Any]) -> dict[str, AuthHandler]:
    application = config.get("AGENTAPPLICATION") or {}
    user_authorization = application.get("USERAUTHORIZATION") or {}
    sections = user_authorization.get("HANDLERS") or {}
    return {
        handler_id: AuthHandler.from_settings(handler_id, section or {})
        for handler_id, section in sections.items()
    }


def _auto_sign_in_from_config(config: Mapping[str, Any]) -> bool:
    application = config.get("AGENTAPPLICATION") or {}
    value = (application.get("USERAUTHORIZATION") or {}).get("AUTO_SIGN_IN")
    try:  # "false" is off (protocol §18); a word that is neither is an error, not "off"
        return coerce_bool(value, default=False, setting=_AUTO_SIGN_IN_SETTING)
    except ConfigurationError as error:
        raise AuthConfigurationError(str(error), setting=_AUTO_SIGN_IN_SETTING) from error


class Authorization:
    """The user sign-in of an ``AgentApplication`` (see the module docs for what runs).

    Args:
        storage: where sign-in state is kept.
        connection_manager: the service connections (used for token exchanges).
        auth_handlers: the handlers by id; when omitted they are read from
            ``AGENTAPPLICATION.USERAUTHORIZATION.HANDLERS`` of the configuration keywords.
        auto_sign_in: sign the user in with the default handler on every message.
        use_cache: keep tokens in turn state between calls of one turn.
        **kwargs: the configuration (``**load_configuration_from_env(os.environ)``).

    Raises:
        AuthConfigurationError: sign-in handlers are configured (not supported by this
            version), or a handler's settings are invalid.
    """

    def __init__(
        self,
        storage: Storage,
        connection_manager: Connections,
        auth_handlers: Mapping[str, AuthHandler] | None = None,
        auto_sign_in: bool | None = None,
        use_cache: bool = False,
        **kwargs: Any,
    ) -> None:
        handlers = dict(auth_handlers or {}) or _handlers_from_config(kwargs)
        if handlers:
            raise AuthConfigurationError(
                "user sign-in handlers are configured "
                f"({', '.join(sorted(handlers))}), but this version of the SDK cannot run "
                "user sign-in flows yet. Remove AGENTAPPLICATION__USERAUTHORIZATION__"
                "HANDLERS__... from the configuration (and auth_handlers=... from the "
                "routes); agents that act as themselves need none.",
                setting="AGENTAPPLICATION__USERAUTHORIZATION__HANDLERS",
            )
        self._storage = storage
        self._connection_manager = connection_manager
        self._handlers: dict[str, AuthHandler] = handlers
        self.auto_sign_in = (
            _auto_sign_in_from_config(kwargs) if auto_sign_in is None else auto_sign_in
        )
        self.use_cache = use_cache
        self._sign_in_success: list[SignInHook] = []
        self._sign_in_failure: list[SignInHook] = []

    @property
    def connection_manager(self) -> Connections:
        """The connections given at creation."""
        return self._connection_manager

    @property
    def handlers(self) -> dict[str, AuthHandler]:
        """The sign-in handlers, by id (empty in this version)."""
        return dict(self._handlers)

    def _unknown(self, auth_handler_id: str | None) -> ApplicationError:
        wanted = auth_handler_id or "(the default handler)"
        return ApplicationError(
            f"no sign-in handler {wanted} is configured: this application has no user "
            "sign-in handlers"
        )

    async def get_token(
        self, context: TurnContext, auth_handler_id: str | None = None
    ) -> TokenResponse:
        """The user's token from a handler.

        Raises:
            ApplicationError: no such handler is configured.
        """
        raise self._unknown(auth_handler_id)

    async def exchange_token(
        self,
        context: TurnContext,
        scopes: list[str] | None = None,
        auth_handler_id: str | None = None,
        exchange_connection: str | None = None,
    ) -> TokenResponse:
        """The user's token from a handler, exchanged for ``scopes``.

        Raises:
            ApplicationError: no such handler is configured.
        """
        raise self._unknown(auth_handler_id)

    async def sign_out(self, context: TurnContext, auth_handler_id: str | None = None) -> None:
        """Sign the user out of a handler.

        Raises:
            ApplicationError: no such handler is configured.
        """
        raise self._unknown(auth_handler_id)

    def on_sign_in_success(self, handler: SignInHook) -> SignInHook:
        """Register ``async handler(context, state, handler_id)`` for completed sign-ins."""
        self._sign_in_success.append(handler)
        return handler

    def on_sign_in_failure(self, handler: SignInHook) -> SignInHook:
        """Register ``async handler(context, state, handler_id)`` for failed sign-ins."""
        self._sign_in_failure.append(handler)
        return handler
