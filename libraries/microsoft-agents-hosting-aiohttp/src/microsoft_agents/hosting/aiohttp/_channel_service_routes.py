"""``channel_service_route_table``: the agent-to-agent callback routes on aiohttp.

When this agent calls another agent, it gives the callee a ``serviceUrl`` on itself
(``https://my-agent.example/api/botresponse/``); the callee then answers by calling the
Bot Connector API under that URL. This function mounts those routes, handled by your
:class:`~microsoft_agents.hosting.core.ChannelApiHandlerProtocol`::

    app = web.Application(middlewares=[jwt_authorization_middleware])
    app.router.add_routes(channel_service_route_table(handler, "/api/botresponse"))

The routes, their order (``…/activities/history`` before ``…/activities/{activity_id}``,
so the history route is reachable) and their answers come from
:class:`~microsoft_agents.hosting.core.ChannelServiceRoutes`: 200 with the handler's result
as JSON (an empty 200 for a deleted activity), 401 without a verified identity (install
the JWT middleware), 415 for a non-JSON body, 400 for an invalid one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from microsoft_agents.hosting.core import ChannelApiHandlerProtocol, ChannelServiceRoutes
from microsoft_agents.hosting.core.http import RouteHandlerFunc

from ._request import AiohttpRequest

__all__ = ["channel_service_route_table"]


def _aiohttp_handler(
    core_handler: RouteHandlerFunc, max_body_bytes: int
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        wrapped = AiohttpRequest(request, max_body_bytes=max_body_bytes)
        return wrapped.respond(await core_handler(wrapped))

    return handle


def channel_service_route_table(
    handler: ChannelApiHandlerProtocol, base_url: str = ""
) -> web.RouteTableDef:
    """The Bot Connector callback routes under ``base_url``, handled by ``handler``.

    Args:
        handler: receives the calls of the agents this one called.
        base_url: the prefix of every route (``/api/botresponse``).

    Returns:
        A route table for ``app.router.add_routes``, in the order it must be tried.
    """
    core_routes = ChannelServiceRoutes(handler, base_url)
    table = web.RouteTableDef()
    for route in core_routes.routes:
        table.route(route.method, route.path)(
            _aiohttp_handler(route.handler, core_routes.max_body_bytes)
        )
    return table
