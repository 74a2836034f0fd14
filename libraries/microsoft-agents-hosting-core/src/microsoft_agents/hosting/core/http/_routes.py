"""``ChannelServiceRoutes``: the agent-to-agent callback routes, for any web framework.

An agent that calls other agents gives them a ``serviceUrl`` on itself (for example
``https://my-agent.example/api/botresponse/``); the callee answers by calling the Bot
Connector API under it. This class provides one framework-neutral handler per route
(``async handler(request) -> HttpResponse``) and an ordered route table; a framework
package registers the table with its router, in order::

    routes = ChannelServiceRoutes(handler, base_url="/api/botresponse")
    for route in routes.routes:
        app.router.add_route(route.method, route.path, wrap(route.handler))

Order matters where templates overlap: ``POST .../activities/history`` comes before
``POST .../activities/{activity_id}``, so the history route is reachable (upstream
registered them the other way round). Both ``/v3/conversations`` and the base URL root
(upstream's mount point, kept for compatibility) accept create and list conversations.
:meth:`ChannelServiceRoutes.find` matches a method and path against the table the same
way, for frameworks without a router of their own.

Every handler answers 401 without a verified identity, 415 for a non-JSON
``Content-Type``, 400 for a malformed or invalid body (naming the field), and 200 with
the handler's result as JSON (models in wire form). A handler that does not support an
operation raises ``NotImplementedError`` (501), one that does not know the conversation,
activity or member raises ``LookupError`` such as ``KeyError`` (404), one that refuses the
caller raises ``PermissionError`` (401); any other exception is logged and answered with a
generic 500.

Query parameters (``continuationToken``, ``pageSize``) reach the handler when the
framework's request also has ``get_query_param(name)`` (the aiohttp one does). The two
attachment reads of the Connector API, ``GET /v3/attachments/{attachment_id}`` and ``.../views/
{view_id}``, call the handler's ``on_get_attachment_info(claims, attachment_id)`` and
``on_get_attachment(claims, attachment_id, view_id)`` (the bytes, answered as
``application/octet-stream``) when it has them, else answer 501.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from microsoft_agents.activity import (
    Activity,
    AttachmentData,
    ConversationParameters,
    Transcript,
)

from ._body import DEFAULT_MAX_BODY_BYTES, RequestRejected, parse_model, read_json_body
from ._channel_api import ChannelApiHandlerProtocol
from ._request import HttpRequestProtocol
from ._response import HttpResponse, HttpResponseFactory

if TYPE_CHECKING:
    from microsoft_agents.hosting.core.authorization import ClaimsIdentity

__all__ = ["ChannelServiceRoutes", "RouteHandlerFunc", "ServiceRoute"]

logger = logging.getLogger(__name__)

RouteHandlerFunc = Callable[[HttpRequestProtocol], Awaitable[HttpResponse]]
"""``async handler(request) -> HttpResponse``."""

_PARAM = re.compile(r"\{([a-z_]+)\}")


def _compile(template: str) -> re.Pattern[str]:
    pattern = ""
    position = 0
    for match in _PARAM.finditer(template):
        pattern += re.escape(template[position : match.start()])
        pattern += f"(?P<{match.group(1)}>[^/]+)"
        position = match.end()
    pattern += re.escape(template[position:])
    return re.compile(f"^{pattern}$")


@dataclass(frozen=True)
class ServiceRoute:
    """One route: a method, a path template (``{name}`` parameters) and its handler."""

    method: str
    path: str
    handler: RouteHandlerFunc
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_pattern", _compile(self.path))

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """The path parameters when ``method`` and ``path`` match this route, else None."""
        if method.upper() != self.method:
            return None
        found = self._pattern.match(path)
        return dict(found.groupdict()) if found is not None else None


class ChannelServiceRoutes:
    """Framework-neutral handlers for the Bot Connector calls of agents this one called.

    Args:
        handler: receives the calls (see :class:`ChannelApiHandlerProtocol`).
        base_url: the prefix of every route (``/api/botresponse``); no trailing ``/``.
        max_body_bytes: the largest request body accepted (413 above it).
    """

    def __init__(
        self,
        handler: ChannelApiHandlerProtocol,
        base_url: str = "",
        *,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        self.handler = handler
        self.base_url = base_url.rstrip("/")
        self.max_body_bytes = max_body_bytes
        conversation = "/v3/conversations/{conversation_id}"
        activity = conversation + "/activities/{activity_id}"
        member = conversation + "/members/{member_id}"
        table: list[tuple[str, str, RouteHandlerFunc]] = [
            # History before the {activity_id} routes, or it would never be reached.
            ("POST", conversation + "/activities/history", self.send_conversation_history),
            ("POST", conversation + "/activities", self.send_to_conversation),
            ("POST", activity, self.reply_to_activity),
            ("PUT", activity, self.update_activity),
            ("DELETE", activity, self.delete_activity),
            ("GET", activity + "/members", self.get_activity_members),
            ("GET", conversation + "/members", self.get_conversation_members),
            ("GET", member, self.get_conversation_member),
            ("DELETE", member, self.delete_conversation_member),
            ("GET", conversation + "/pagedmembers", self.get_conversation_paged_members),
            ("POST", conversation + "/attachments", self.upload_attachment),
            ("GET", "/v3/attachments/{attachment_id}", self.get_attachment_info),
            ("GET", "/v3/attachments/{attachment_id}/views/{view_id}", self.get_attachment),
            ("POST", "/v3/conversations", self.create_conversation),
            ("GET", "/v3/conversations", self.get_conversations),
            ("POST", "/", self.create_conversation),
            ("GET", "/", self.get_conversations),
        ]
        self._routes = tuple(
            ServiceRoute(method, self.base_url + path, func) for method, path, func in table
        )

    @property
    def routes(self) -> tuple[ServiceRoute, ...]:
        """The route table, in the order a router must try it."""
        return self._routes

    def find(self, method: str, path: str) -> tuple[ServiceRoute, dict[str, str]] | None:
        """The first route matching ``method`` and ``path``, with its path parameters."""
        for route in self._routes:
            params = route.match(method, path)
            if params is not None:
                return route, params
        return None

    # ------------------------------------------------------------------ plumbing

    async def _run(
        self,
        request: HttpRequestProtocol,
        call: Callable[[ClaimsIdentity], Awaitable[HttpResponse]],
    ) -> HttpResponse:
        claims = request.get_claims_identity()
        if claims is None:
            logger.warning("refused an agent callback without a verified identity")
            return HttpResponseFactory.unauthorized()
        try:
            return await call(claims)
        except RequestRejected as rejected:
            return rejected.response
        except PermissionError:
            logger.warning("an agent callback was refused by its handler", exc_info=True)
            return HttpResponseFactory.unauthorized()
        except NotImplementedError:
            return HttpResponseFactory.json({"error": "Not Implemented"}, status_code=501)
        except LookupError:
            return HttpResponseFactory.json({"error": "Not Found"}, status_code=404)
        except Exception:
            logger.exception("an agent callback handler failed")
            return HttpResponseFactory.internal_server_error()

    async def _body(self, request: HttpRequestProtocol) -> Any:
        return await read_json_body(request, self.max_body_bytes, require_json_content_type=True)

    @staticmethod
    def _result(value: Any, *, empty: Any = None) -> HttpResponse:
        return HttpResponseFactory.json(empty if value is None else value)

    # ------------------------------------------------------------------ handlers

    async def send_to_conversation(self, request: HttpRequestProtocol) -> HttpResponse:
        """``POST …/v3/conversations/{conversation_id}/activities``."""

        async def call(claims: ClaimsIdentity) -> HttpResponse:
            activity = parse_model(Activity, await self._body(request), "activity")
            result = await self.handler.on_send_to_conversation(
                claims, request.get_path_param("conversation_id"), activity
            )
            return self._result(result, empty={})

        return await self._run(request, call)

    async def reply_to_activity(self, request: HttpRequestProtocol) -> HttpResponse:
        """``POST …/activities/{activity_id}``."""

        async def call(claims: ClaimsIdentity) -> HttpResponse:
            activity = parse_model(Activity, await self._body(request), "activity")
            result = await self.handler.on_reply_to_activity(
                claims,
                request.get_path_param("conversation_id"),
                request.get_path_param("activity_id"),
                activity,
            )
            return self._result(result, empty={})

        return await self._run(request, call)

    async def update_activity(self, request: HttpRequestProtocol) -> HttpResponse:
        """``PUT …/activities/{activity_id}``."""

        async def call(claims: ClaimsIdentity) -> HttpResponse:
            activity = parse_model(Activity, await self._body(request), "activity")
            result = await self.handler.on_update_activity(
                claims,
                request.get_path_param("conversation_id"),
                request.get_path_param("activity_id"),
                activity,
            )
            return self._result(result, empty={})

        return await self._run(request, call)

    async def delete_activity(self, request: HttpRequestProtocol) -> HttpResponse:
        """``DELETE …/activities/{activity_id}`` (empty 200)."""

        async def call(claims: ClaimsIdentity) -> HttpResponse:
            await self.handler.on_delete_activity(
                claims,
                request.get_path_param("conversation_id"),
                request.get_path_param("activity_id"),
            )
            return HttpResponseFactory.ok()

        return await self._run(request, call)

    async def get_activity_members(self, request: HttpRequestProtocol) -> HttpResponse:
        """``GET …/activities/{activity_id}/members``."""

        async def call(claims: ClaimsIdentity) -> HttpResponse:
            result = await self.handler.on_get_activity_members(
                claims,
                request.get_path_param("conversation_id"),
                request.get_path_param("activity_id"),
            )
            return self._result(result, empty=[])

        return await self._run(request, call)

    async def create_conversation(self, request: HttpRequestProtocol) -> HttpResponse:
        """``POST …/v3/conversations`` (and the base URL root)."""

        async def call(claims: ClaimsIdentity) -> HttpResponse:
            parameters = parse_model(
                ConversationParameters, await self._body(request), "conversation parameters"
            )
            result = await self.handler.on_create_conversation(claims, parameters)
            return self._result(result, empty={})

        return await self._run(request, call)

    async def get_conversations(self, request: HttpRequestProtocol) -> HttpResponse:
        """``GET …/v3/conversations`` (and the base URL root)."""

        async def call(claims: ClaimsIdentity) -> HttpResponse:
            result = await self.handler.on_get_conversations(
                claims, None, _query_param(request, "continuationToken")
            )
            return self._result(result, empty={})

        return await self._run(request, call)

    async def get_conversation_members(self, request: HttpRequestProtocol) -> HttpResponse:
        """``GET …/members``."""

        async def call(claims: ClaimsIdentity) -> HttpResponse:
            result = await self.handler.on_get_conversation_members(
                claims, request.get_path_param("conversation_id")
            )
            return self._result(result, empty=[])

        return await self._run(request, call)

    async def get_conversation_member(self, request: HttpRequestProtocol) -> HttpResponse:
        """``GET …/members/{member_id}``."""

        async def call(claims: ClaimsIdentity) -> HttpResponse:
            result = await self.handler.on_get_conversation_member(
                claims,
                request.get_path_param("member_id"),
                request.get_path_param("conversation_id"),
            )
            return self._result(result, empty={})

        return await self._run(request, call)

    async def get_conversation_paged_members(self, request: HttpRequestProtocol) -> HttpResponse:
        """``GET …/pagedmembers``."""

        async def call(claims: ClaimsIdentity) -> HttpResponse:
            page_size = _query_param(request, "pageSize")
            if page_size is not None and not _is_int32(page_size):
                return HttpResponseFactory.bad_request(
                    f"pageSize must be a whole number from 0 to {_INT32_MAX}"
                )
            result = await self.handler.on_get_conversation_paged_members(
                claims,
                request.get_path_param("conversation_id"),
                None if page_size is None else int(page_size),
                _query_param(request, "continuationToken"),
            )
            return self._result(result, empty={})

        return await self._run(request, call)

    async def get_attachment_info(self, request: HttpRequestProtocol) -> HttpResponse:
        """``GET /v3/attachments/{attachment_id}`` (501 without ``on_get_attachment_info``)."""

        async def call(claims: ClaimsIdentity) -> HttpResponse:
            read = getattr(self.handler, "on_get_attachment_info", None)
            if read is None:
                raise NotImplementedError
            result = await read(claims, request.get_path_param("attachment_id"))
            return self._result(result, empty={})

        return await self._run(request, call)

    async def get_attachment(self, request: HttpRequestProtocol) -> HttpResponse:
        """``GET /v3/attachments/{attachment_id}/views/{view_id}``: the bytes (501 without
        ``on_get_attachment``)."""

        async def call(claims: ClaimsIdentity) -> HttpResponse:
            read = getattr(self.handler, "on_get_attachment", None)
            if read is None:
                raise NotImplementedError
            content = await read(
                claims, request.get_path_param("attachment_id"), request.get_path_param("view_id")
            )
            if content is None:
                raise LookupError(request.get_path_param("attachment_id"))
            return HttpResponse(200, bytes(content), content_type="application/octet-stream")

        return await self._run(request, call)

    async def delete_conversation_member(self, request: HttpRequestProtocol) -> HttpResponse:
        """``DELETE …/members/{member_id}`` (``{}`` when the handler returns nothing)."""

        async def call(claims: ClaimsIdentity) -> HttpResponse:
            await self.handler.on_delete_conversation_member(
                claims,
                request.get_path_param("conversation_id"),
                request.get_path_param("member_id"),
            )
            return HttpResponseFactory.json({})

        return await self._run(request, call)

    async def send_conversation_history(self, request: HttpRequestProtocol) -> HttpResponse:
        """``POST …/activities/history``."""

        async def call(claims: ClaimsIdentity) -> HttpResponse:
            transcript = parse_model(Transcript, await self._body(request), "transcript")
            result = await self.handler.on_send_conversation_history(
                claims, request.get_path_param("conversation_id"), transcript
            )
            return self._result(result, empty={})

        return await self._run(request, call)

    async def upload_attachment(self, request: HttpRequestProtocol) -> HttpResponse:
        """``POST …/attachments``."""

        async def call(claims: ClaimsIdentity) -> HttpResponse:
            upload = parse_model(AttachmentData, await self._body(request), "attachment")
            result = await self.handler.on_upload_attachment(
                claims, request.get_path_param("conversation_id"), upload
            )
            return self._result(result, empty={})

        return await self._run(request, call)


def _query_param(request: HttpRequestProtocol, name: str) -> str | None:
    """A query parameter of ``request``, when the framework's request gives them."""
    get = getattr(request, "get_query_param", None)
    return None if get is None else get(name)


_INT32_MAX = 2**31 - 1


def _is_int32(text: str) -> bool:
    """``text`` is a non-negative int32 in ASCII digits (``"²"`` and ``"٣"`` are digits too)."""
    return text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= _INT32_MAX
