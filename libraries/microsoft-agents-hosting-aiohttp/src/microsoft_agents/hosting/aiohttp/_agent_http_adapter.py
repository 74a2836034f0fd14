"""``AgentHttpAdapter``: what a route handler needs from an adapter.

:func:`~microsoft_agents.hosting.aiohttp.start_agent_process` accepts any object with an
``async process(request, agent)`` method, not only
:class:`~microsoft_agents.hosting.aiohttp.CloudAdapter`; a test double or an adapter of
your own fits as long as it has this shape::

    class RecordingAdapter:
        async def process(self, request: web.Request, agent: Agent) -> web.Response:
            seen.append(await request.json())
            return web.Response(status=202)
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from aiohttp import web
from microsoft_agents.hosting.core import Agent

__all__ = ["AgentHttpAdapter"]


@runtime_checkable
class AgentHttpAdapter(Protocol):
    """An adapter that answers one aiohttp request by running a turn of ``agent``."""

    async def process(self, request: web.Request, agent: Agent) -> web.StreamResponse | None:
        """Process ``request`` with ``agent`` and return the HTTP answer."""
        ...
