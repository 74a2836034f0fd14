"""The framework-neutral part of the web layer's JWT check (protocol §4.2).

A web integration (aiohttp middleware, a FastAPI dependency) reads the ``Authorization``
header, calls :func:`_authorize_request`, stores the returned identity with the request
and answers 401 when it raises :class:`~microsoft_agents.hosting.core.AuthenticationError`.
The mapping from failure to HTTP body is the integration's; this module only decides.
"""

from __future__ import annotations

import logging
import re
import weakref

from microsoft_agents.hosting.core._errors import AuthenticationError
from microsoft_agents.hosting.core.authorization._claims_identity import ClaimsIdentity
from microsoft_agents.hosting.core.authorization._configuration import AgentAuthConfiguration

from ._validator import JwtTokenValidator

__all__ = ["_authorize_request"]

logger = logging.getLogger(__name__)

# One scheme, one space, one token: trailing whitespace is tolerated (it is stripped
# first). The token has the characters RFC 6750 allows (a JWT is base64url and dots);
# anything else, such as bytes that are not text, is refused here, before any decoding.
_BEARER = re.compile(r"^([A-Za-z]+) ([A-Za-z0-9\-._~+/]+=*)$")

# Validators made for configurations that came without one, so that key caches survive
# between requests. Weak keys: a dropped configuration frees its validator.
_validators: weakref.WeakKeyDictionary[AgentAuthConfiguration, JwtTokenValidator] = (
    weakref.WeakKeyDictionary()
)


def _validator_for(configuration: AgentAuthConfiguration) -> JwtTokenValidator:
    validator = _validators.get(configuration)
    if validator is None:
        validator = JwtTokenValidator(configuration)
        _validators[configuration] = validator
    return validator


async def _authorize_request(
    authorization_header: str | None,
    configuration: AgentAuthConfiguration,
    validator: JwtTokenValidator | None = None,
    *,
    channel_id: str | None = None,
) -> ClaimsIdentity:
    """Decide who sent a request from its ``Authorization`` header.

    Args:
        authorization_header: the header's value, ``None`` when the request has none.
        configuration: the agent's configuration (``SERVICE_CONNECTION``).
        validator: the validator to use; by default one kept per configuration.
        channel_id: the activity's ``channelId`` when already known (enables the
            Bot Framework endorsement check).

    Returns:
        The anonymous identity (no claims) for a request without header when
        ``configuration.ANONYMOUS_ALLOWED`` is on; otherwise the validated token's identity.

    Raises:
        AuthenticationError: no header and anonymous requests are not allowed
            (``"Authorization header not found"``), a header that is not
            ``Bearer <token>``, or a token that fails validation. A token that is present
            is always validated, anonymous mode or not.
    """
    if authorization_header is None:
        if configuration.ANONYMOUS_ALLOWED:
            return ClaimsIdentity()
        raise AuthenticationError("Authorization header not found")
    match = _BEARER.match(authorization_header.rstrip())
    if match is None or match.group(1).lower() != "bearer":
        raise AuthenticationError("Authorization header is not 'Bearer <token>'")
    checker = validator or _validator_for(configuration)
    try:
        return await checker.validate_token(match.group(2), channel_id=channel_id)
    except AuthenticationError as error:
        logger.info("Refused a request: %s", error)
        raise
