"""An adapter that keeps everything in memory, for tests."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from microsoft_agents.activity import Activity, ConversationReference, ResourceResponse
from microsoft_agents.hosting.core._channel_adapter import ChannelAdapter, OnTurnErrorHandler
from microsoft_agents.hosting.core._middleware import TurnCallback
from microsoft_agents.hosting.core._turn_context import TurnContext

if TYPE_CHECKING:
    from microsoft_agents.hosting.core.authorization import ClaimsIdentity

__all__ = ["TestAdapter"]

_T = TypeVar("_T")

# The turns being recorded in the running task (and the tasks it starts): for each log of
# an adapter (by id), the list that gets this turn's share of it. Several turns run at
# once in different tasks, each seeing only its own recording.
_RECORDING: ContextVar[Mapping[int, list[Any]] | None] = ContextVar(
    "microsoft_agents_test_recording", default=None
)


class _Log(list[_T]):
    """A list that also gives each new item to the turn being recorded, if any."""

    def _file(self, items: Iterable[_T]) -> None:
        recording = _RECORDING.get()
        if recording is not None:
            share = recording.get(id(self))
            if share is not None:
                share.extend(items)

    def append(self, item: _T) -> None:
        super().append(item)
        self._file((item,))

    def extend(self, items: Iterable[_T]) -> None:
        added = list(items)
        super().extend(added)
        self._file(added)


@dataclass
class _TurnRecord:
    """What an adapter recorded for one turn (see :meth:`TestAdapter._record_turn`).

    Attributes:
        sent: the activities delivered in the turn.
        updated: the activities the turn replaced.
        deleted: the references of the activities the turn deleted.
    """

    sent: list[Activity] = field(default_factory=list)
    updated: list[Activity] = field(default_factory=list)
    deleted: list[ConversationReference] = field(default_factory=list)


class TestAdapter(ChannelAdapter):
    """Records what the agent sends instead of posting it to a channel.

    Attributes:
        sent: every activity delivered through :meth:`send_activities`, in order.
        updated: every activity passed to :meth:`update_activity`.
        deleted: every reference passed to :meth:`delete_activity`.

    A subclass may add to the three lists itself (``self.sent.append(...)``); what it adds
    during a turn still counts as that turn's (``AgentTester`` results).
    """

    __test__: ClassVar[bool] = False  # not a pytest test class

    def __init__(self, *, on_turn_error: OnTurnErrorHandler | None = None) -> None:
        super().__init__(on_turn_error=on_turn_error)
        self.sent: list[Activity] = _Log()
        self.updated: list[Activity] = _Log()
        self.deleted: list[ConversationReference] = _Log()
        self._ids = itertools.count(1)

    @contextlib.contextmanager
    def _record_turn(self) -> Iterator[_TurnRecord]:
        """Collect what this adapter records inside the block (``AgentTester.send``).

        Only what the current task (and the tasks it starts) sends is collected: turns
        that run at the same time in other tasks, each in its own block, do not see each
        other's activities.
        """
        record = _TurnRecord()
        shares: dict[int, list[Any]] = {
            id(self.sent): record.sent,
            id(self.updated): record.updated,
            id(self.deleted): record.deleted,
        }
        outer = _RECORDING.get()
        token = _RECORDING.set({**outer, **shares} if outer else shares)
        try:
            yield record
        finally:
            _RECORDING.reset(token)

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
        self, activity: Activity, callback: TurnCallback, identity: ClaimsIdentity | None = None
    ) -> TurnContext:
        """Run one turn for ``activity``; returns its context once everything finished."""
        context = TurnContext(self, activity, identity)
        await self.run_pipeline(context, callback)
        return context
