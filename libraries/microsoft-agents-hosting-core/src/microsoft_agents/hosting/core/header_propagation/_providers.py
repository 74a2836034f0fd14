"""Headers that follow a turn onto every outgoing service call.

Some channels want to know, on each call an agent makes back to them, which agent is
calling. A :class:`HeaderValueProvider` produces such headers; the providers registered
with :class:`HeaderPropagationContext` for the current turn are asked for their headers
whenever the connector or token clients send a request, and those headers are added
unless the request sets the same header itself.

The registrations live in a :class:`contextvars.ContextVar`, so two turns processed
concurrently (each in its own task) never see each other's providers::

    HeaderPropagationContext.reset()
    HeaderPropagationContext.register(AgenticHeaderProvider(activity, agent_name="Helper"))
    ...
    headers = HeaderPropagationContext.collect_headers()

:class:`AgenticHeaderProvider` is the built-in provider for agentic requests (the
recipient is an agent instance or agent user): it emits ``AgentRegistrar: A365``,
``AgentID``, ``AgentName`` and ``Agent-Referrer``.
"""

from __future__ import annotations

import contextvars
import logging
from abc import ABC, abstractmethod

from microsoft_agents.activity import Activity

__all__ = [
    "AGENT_REGISTRAR",
    "AgenticHeaderProvider",
    "HeaderPropagationContext",
    "HeaderValueProvider",
]

logger = logging.getLogger(__name__)

AGENT_REGISTRAR = "A365"
"""The value of the ``AgentRegistrar`` header sent with agentic requests."""

_NEVER_PROPAGATED = frozenset({"authorization", "host", "content-length"})


def _clean(value: str) -> str:
    """Remove CR and LF so a value can never start a new header line."""
    return value.replace("\r", "").replace("\n", "")


class HeaderValueProvider(ABC):
    """Produces headers to add to outgoing service requests of the current turn."""

    @abstractmethod
    def get_headers(self) -> dict[str, str]:
        """Return the headers to add (an empty dict for none)."""


_providers: contextvars.ContextVar[tuple[HeaderValueProvider, ...]] = contextvars.ContextVar(
    "microsoft_agents_header_providers", default=()
)


class HeaderPropagationContext:
    """The header providers registered for the current turn (per asyncio task context).

    All methods are class methods: there is one registry, scoped by
    :mod:`contextvars`. A task started while providers are registered inherits a copy of
    them; registrations made inside the task do not leak back to its parent.
    """

    @classmethod
    def reset(cls) -> None:
        """Forget every provider registered in the current context."""
        if _providers.get():  # nothing to forget on the usual turn: no context change
            _providers.set(())

    @classmethod
    def register(cls, provider: HeaderValueProvider) -> None:
        """Add a provider for the current context.

        Args:
            provider: asked for headers each time a request is sent.
        """
        _providers.set((*_providers.get(), provider))

    @classmethod
    def providers(cls) -> list[HeaderValueProvider]:
        """The providers registered in the current context, in registration order."""
        return list(_providers.get())

    @classmethod
    def collect_headers(cls) -> dict[str, str]:
        """Merge the headers of every registered provider.

        A later provider wins over an earlier one for the same header. CR and LF are
        stripped from names and values; ``Authorization``, ``Host`` and
        ``Content-Length`` are never propagated. A provider that raises is skipped (and
        logged).

        Returns:
            The headers to add to an outgoing request.
        """
        merged: dict[str, str] = {}
        for provider in _providers.get():
            try:
                headers = provider.get_headers()
            except Exception:  # noqa: BLE001 - a failing provider must not fail the call; logged
                logger.warning(
                    "Header provider %s failed; its headers are skipped",
                    type(provider).__name__,
                    exc_info=True,
                )
                continue
            for name, value in headers.items():
                clean_name = _clean(str(name)).strip()
                if not clean_name or clean_name.lower() in _NEVER_PROPAGATED:
                    continue
                merged[clean_name] = _clean(str(value))
        return merged


class AgenticHeaderProvider(HeaderValueProvider):
    """Identifies the calling agent on requests made for an agentic activity.

    Args:
        activity: the incoming activity of the turn.
        agent_name: the agent's display name, sent as ``AgentName`` when given.
    """

    def __init__(self, activity: Activity, agent_name: str | None = None) -> None:
        self._activity = activity
        self._agent_name = agent_name

    def get_headers(self) -> dict[str, str]:
        """The agentic headers, or an empty dict when the activity is not agentic."""
        activity = self._activity
        if not activity.is_agentic_request():
            return {}
        headers = {"AgentRegistrar": AGENT_REGISTRAR}
        app_id = activity.recipient.agentic_app_id if activity.recipient else None
        if app_id:
            headers["AgentID"] = _clean(app_id)
        if self._agent_name:
            headers["AgentName"] = _clean(self._agent_name)
        if activity.channel_id:
            headers["Agent-Referrer"] = _clean(str(activity.channel_id))
        return headers
