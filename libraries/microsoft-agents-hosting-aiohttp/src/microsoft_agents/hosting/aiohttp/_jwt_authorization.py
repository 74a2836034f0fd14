"""Checking the bearer token of every request: ``jwt_authorization_middleware``.

Channels (Teams, Azure Bot Service, other agents) sign each request with a JWT in the
``Authorization: Bearer <token>`` header. The middleware validates it against the
``AgentAuthConfiguration`` stored on the application and keeps the caller's
``ClaimsIdentity`` at ``request["claims_identity"]``, where ``CloudAdapter`` and the
agent-to-agent routes read it::

    app = web.Application(middlewares=[jwt_authorization_middleware])
    app["agent_configuration"] = connection_manager.get_default_connection_configuration()

Answers (protocol §4.2), always JSON, never with the reason for the refusal (that goes to
the log; the token never does):

* no configuration on the application: 500 ``{"error": "Agent Authentication
  configuration not found"}``;
* no ``Authorization`` header while anonymous requests are not allowed: 401
  ``{"error": "Authorization header not found"}``;
* a header that is not ``Bearer <token>``, or a token that fails validation: 401
  ``{"error": "Invalid token or authentication failed."}``, even when anonymous requests
  are allowed;
* no header while ``ANONYMOUS_ALLOWED`` is on (development mode): the request goes on
  with an anonymous identity (``ClaimsIdentity()``, no claims).

The middleware guards every route of its application, except the few routes marked as
public by this package (the ``/health`` route of ``create_app``). To guard single
handlers instead, decorate them with :func:`jwt_authorization_decorator`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, overload

from aiohttp import web
from microsoft_agents.hosting.core import AgentAuthConfiguration, AuthenticationError
from microsoft_agents.hosting.core.authorization import ClaimsIdentity

from ._app_keys import AGENT_CONFIGURATION, AGENT_CONFIGURATION_KEY, JWT_VALIDATOR_KEY, lookup
from ._request import CLAIMS_IDENTITY_KEY, set_claims_identity

__all__ = [
    "allow_anonymous",
    "authenticate_request",
    "jwt_authorization_decorator",
    "jwt_authorization_middleware",
]

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_HandlerT = TypeVar("_HandlerT", bound=Callable[..., Any])
# A handler answering with a web.Response: guarded, it still answers with one (a refusal
# is a web.Response too), so the decorator can return it with its own type.
_ResponseHandlerT = TypeVar(
    "_ResponseHandlerT", bound=Callable[[web.Request], Awaitable[web.Response]]
)

_PUBLIC_MARKER = "_microsoft_agents_public_route"
_CONFIGURATION_NOT_FOUND = "Agent Authentication configuration not found"
_HEADER_NOT_FOUND = "Authorization header not found"
_INVALID_TOKEN = "Invalid token or authentication failed."


def allow_anonymous(handler: _HandlerT) -> _HandlerT:
    """Mark a route handler as public: the JWT middleware lets it through untouched.

    Only for routes that reveal nothing and do nothing (a health probe).

    Args:
        handler: the route handler.

    Returns:
        The same handler, marked.
    """
    setattr(handler, _PUBLIC_MARKER, True)
    return handler


def _is_public(request: web.Request) -> bool:
    route_handler = request.match_info.route.handler
    return bool(getattr(route_handler, _PUBLIC_MARKER, False))


def _error(status: int, message: str) -> web.Response:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return web.json_response({"error": message}, status=status, headers=headers)


def _anonymous(request: web.Request) -> ClaimsIdentity | None:
    """The anonymous identity, when the request has no token and the configuration
    allows that (no validation to await); None otherwise."""
    if "Authorization" in request.headers:
        return None
    configuration = lookup(request, AGENT_CONFIGURATION_KEY, AGENT_CONFIGURATION)
    if isinstance(configuration, AgentAuthConfiguration) and configuration.ANONYMOUS_ALLOWED:
        return ClaimsIdentity()
    return None


async def _check_token(request: web.Request) -> web.Response | None:
    """Validate the bearer token and keep the caller's identity on ``request``; the error
    response to answer with, or None."""
    configuration = lookup(request, AGENT_CONFIGURATION_KEY, AGENT_CONFIGURATION)
    if not isinstance(configuration, AgentAuthConfiguration):
        logger.error(
            "no AgentAuthConfiguration is stored on the aiohttp application (found %s); set "
            'app["agent_configuration"] before serving requests',
            type(configuration).__name__,
        )
        return _error(500, _CONFIGURATION_NOT_FOUND)
    header = request.headers.get("Authorization")  # (no token with anonymous allowed: _anonymous)
    # Loaded here: PyJWT and cryptography are needed only once a token is to be checked.
    from microsoft_agents.hosting.core.authorization.jwt import (
        JwtTokenValidator,
        _authorize_request,
    )

    validator = lookup(request, JWT_VALIDATOR_KEY, "jwt_validator")
    if not isinstance(validator, JwtTokenValidator):
        validator = None  # the core keeps one validator per configuration
    try:
        identity = await _authorize_request(header, configuration, validator)
    except AuthenticationError:
        if header is None:
            logger.info("refused %s %r: no Authorization header", request.method, request.path)
            return _error(401, _HEADER_NOT_FOUND)
        logger.info("refused %s %r: invalid bearer token", request.method, request.path)
        return _error(401, _INVALID_TOKEN)
    except Exception:
        # Anything else (a key set that cannot be fetched, ...) is our problem, not the
        # caller's; the details stay in the log.
        logger.exception("token validation failed unexpectedly for %r", request.path)
        return _error(500, "Internal Server Error")
    set_claims_identity(request, identity)
    return None


@web.middleware
async def jwt_authorization_middleware(
    request: web.Request, handler: Handler
) -> web.StreamResponse:
    """aiohttp middleware: validate the bearer token of every request (see module docs).

    Args:
        request: the incoming request.
        handler: the next handler.

    Returns:
        The handler's response, or a JSON 401/500 when the request is refused.
    """
    if not _needs_no_token_check(request, True):
        refusal = await _check_token(request)
        if refusal is not None:
            return refusal
    return await handler(request)


async def authenticate_request(request: web.Request) -> web.Response | None:
    """What the middleware checks, for a request whose body has not been sent yet.

    The ``Expect: 100-continue`` handler of ``create_app`` runs this, so that a refused
    client is not invited to send its body; the middleware then finds the identity kept
    on the request and does not check again.

    Args:
        request: the request (its headers are all that is read).

    Returns:
        The refusal to answer with (401, or 500 without a configuration), or None.
    """
    if _needs_no_token_check(request, True):
        return None
    return await _check_token(request)


def _needs_no_token_check(request: web.Request, public_routes: bool) -> bool:
    """True for a public route (when ``public_routes``), a request verified already, or
    one without a token where anonymous requests are allowed (its identity is then set).

    Synchronous: the usual request (development mode, or checked before its body) costs
    no coroutine.
    """
    if (public_routes and _is_public(request)) or isinstance(
        request.get(CLAIMS_IDENTITY_KEY), ClaimsIdentity
    ):
        return True
    anonymous = _anonymous(request)
    if anonymous is None:
        return False
    set_claims_identity(request, anonymous)
    return True


@overload
def jwt_authorization_decorator(func: _ResponseHandlerT) -> _ResponseHandlerT: ...
@overload
def jwt_authorization_decorator(func: Handler) -> Handler: ...
def jwt_authorization_decorator(func: Handler) -> Handler:
    """Validate the bearer token before one handler runs (the middleware, for one route).

    A request the middleware already authenticated is not checked twice.

    Args:
        func: the route handler ``async func(request)``.

    Returns:
        The guarded handler. It is typed as ``func`` when that answers with a
        ``web.Response`` (a refusal is one too); another handler (``-> web.StreamResponse``,
        ``-> web.FileResponse``) gives a ``Handler``, which may answer with either.
    """

    @functools.wraps(func)
    async def guarded(request: web.Request) -> web.StreamResponse:
        if not _needs_no_token_check(request, False):
            refusal = await _check_token(request)
            if refusal is not None:
                return refusal
        return await func(request)

    return guarded
