"""An adapter that keeps everything in memory, for tests."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import ClassVar

from microsoft_agents.activity import Activity, ConversationReference, ResourceResponse
from microsoft_agents.hosting.core._channel_adapter import ChannelAdapter, OnTurnErrorHandler
from microsoft_agents.hosting.core._middleware import TurnCallback
from microsoft_agents.hosting.core._turn_context import TurnContext

__all__ = ["TestAdapter"]


class TestAdapter(ChannelAdapter):
    """Records what the agent sends instead of posting it to a channel.

    Attributes:
        sent: every activity delivered through :meth:`send_activities`, in order.
        updated: every activity passed to :meth:`update_activity`.
        deleted: every reference passed to :meth:`delete_activity`.
    """

    __test__: ClassVar[bool] = False  # not a pytest test class

    def __init__(self, *, on_turn_error: OnTurnErrorHandler | None = None) -> None:
        super().__init__(on_turn_error=on_turn_error)
        self.sent: list[Activity] = []
        self.updated: list[Activity] = []
        self.deleted: list[ConversationReference] = []
        self._ids = itertools.count(1)

    async def send_activities(
        self, context: TurnContext, activities: Sequence[Activity]
    ) -> list[ResourceResponse]:
        """Record the activities; each gets a fresh id, as a channel would give it."""
        receipts = []
        for activity in activities:
            activity_id = f"sent-{next(self._ids)}"
            recorded = activity.model_copy(deep=True)
            recorded.id = activity_id
            self.sent.append(recorded)
            receipts.append(ResourceResponse(id=activity_id))
        return receipts

    async def update_activity(
        self, context: TurnContext, activity: Activity
    ) -> ResourceResponse | None:
        """Record the update."""
        self.updated.append(activity.model_copy(deep=True))
        return ResourceResponse(id=activity.id)

    async def delete_activity(self, context: TurnContext, reference: ConversationReference) -> None:
        """Record the deletion."""
        self.deleted.append(reference.model_copy(deep=True))

    async def process_activity(
        self, activity: Activity, callback: TurnCallback, identity: object = None
    ) -> TurnContext:
        """Run one turn for ``activity``; returns its context once everything finished."""
        context = TurnContext(self, activity, identity)
        await self.run_pipeline(context, callback)
        return context
