"""Inbound token validation, and the contract between it and the hosting layer.

:class:`JwtTokenValidator` checks the bearer token of each incoming request (the rules
are listed in :mod:`._validator`'s docstring) and :func:`_authorize_request` is the part
of the web middleware that does not depend on a web framework::

    identity = await _authorize_request(
        request.headers.get("Authorization"), app["agent_configuration"]
    )

Anonymous requests: the rule
----------------------------
A request **without** an ``Authorization`` header is accepted as anonymous (an empty
:class:`~microsoft_agents.hosting.core.authorization.ClaimsIdentity`) only when the
configuration's ``ANONYMOUS_ALLOWED`` is on. That happens in two ways, both logged with a
warning when the configuration is built (at start-up, not per request):

1. **Explicit opt-in**: ``ANONYMOUS_ALLOWED=true`` on a configured connection. Tokens
   that do come are validated against its ``CLIENTID`` as usual.
2. **Development mode**: no identity is configured at all (no ``CLIENTID`` and no
   credential setting; see
   :attr:`AgentAuthConfiguration.DEVELOPMENT_MODE
   <microsoft_agents.hosting.core.authorization.AgentAuthConfiguration.DEVELOPMENT_MODE>`),
   e.g. the quick-start with an empty environment. ``ANONYMOUS_ALLOWED=false`` turns it
   off. Every token is refused in this mode (no client id can match its audience).

A request **with** an ``Authorization`` header is always validated, whatever the mode;
an invalid token is a 401 even when anonymous requests are allowed.

Contract for the hosting layer (adapters, web integrations)
------------------------------------------------------------
* Answer 401 whenever :func:`_authorize_request` raises
  :class:`~microsoft_agents.hosting.core.AuthenticationError`; log the message, never
  return it to the caller, never log the header.
* An anonymous identity (``identity.allow_anonymous``) gets **no outbound token**: use
  :class:`~microsoft_agents.hosting.core.authorization.AnonymousTokenProvider` (the
  connection manager already hands it out for development-mode connections).
* When the configuration is in ``DEVELOPMENT_MODE``, outbound calls (replies to the
  activity's ``serviceUrl``) may go **only to loopback hosts** (``localhost``,
  ``127.0.0.0/8``, ``::1``) over http or https: that is where the Emulator and the
  playground listen, and it keeps an unauthenticated agent from being used to reach
  other hosts. Anonymous requests under an explicit opt-in carry no token either, and
  the outbound host rules of an authenticated agent still apply to their serviceUrl.
* Pass the activity's ``channelId`` as ``channel_id`` when the body has been read before
  authorization, so Bot Framework keys are checked for endorsing that channel.
"""

from ._authorize import _authorize_request
from ._validator import ClaimsValidator, JwtTokenValidator

__all__ = ["ClaimsValidator", "JwtTokenValidator", "_authorize_request"]
