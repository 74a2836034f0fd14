"""Recognising an activity delivered twice, so that its turn runs once.

Channels retry a POST they got no answer to in time (Teams and Bot Service after about 15
seconds), and networks repeat requests. The activity then arrives again with the same
``id`` in the same conversation. :class:`RecentDeliveries` remembers the activities of the
last few minutes by (channel, conversation id, activity id) and, for those whose HTTP
answer is the turn's outcome (invokes, ``expectReplies``), that answer, so a repeat gets
the same answer instead of a second run (A2033 allows receivers to de-duplicate by id).

Only activities with an ``id`` are tracked. The table is bounded in time (``window``) and
size (``capacity``); the oldest entries go first.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable

from microsoft_agents.activity import Activity

from ._response import HttpResponse

__all__ = ["DEFAULT_DUPLICATE_WINDOW", "Delivery", "RecentDeliveries", "delivery_key"]

DEFAULT_DUPLICATE_WINDOW = 300.0
"""Seconds an activity id is remembered (well beyond any channel's retry delay)."""

DeliveryKey = tuple[str, str, str]


def delivery_key(activity: Activity) -> DeliveryKey | None:
    """What identifies one delivery of ``activity``, or None when it has no id."""
    if not activity.id or activity.conversation is None or not activity.conversation.id:
        return None
    return (str(activity.channel_id or ""), activity.conversation.id, activity.id)


class Delivery:
    """One activity seen recently.

    Attributes:
        expires: when it is forgotten (clock seconds).
        answer: the HTTP answer of its turn, for activities whose answer a repeat must
            get too; None for the others (a repeat is simply acknowledged).
    """

    __slots__ = ("answer", "expires")

    def __init__(self, expires: float, answer: asyncio.Future[HttpResponse] | None) -> None:
        self.expires = expires
        self.answer = answer


class RecentDeliveries:
    """The activities delivered in the last ``window`` seconds.

    Args:
        window: seconds an activity is remembered.
        capacity: the most activities remembered at once.
        clock: the time source (``time.monotonic``).
    """

    def __init__(
        self,
        window: float = DEFAULT_DUPLICATE_WINDOW,
        *,
        capacity: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not window > 0:
            raise ValueError(f"the duplicate window must be more than 0 seconds, got {window}")
        self._window = window
        self._capacity = capacity
        self._clock = clock
        self._entries: OrderedDict[DeliveryKey, Delivery] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: DeliveryKey) -> Delivery | None:
        """The earlier delivery under ``key``, if it is still remembered."""
        self._evict()
        return self._entries.get(key)

    def add(self, key: DeliveryKey, *, keep_answer: bool) -> Delivery:
        """Remember a first delivery; ``keep_answer`` for activities answered in the body."""
        answer: asyncio.Future[HttpResponse] | None = None
        if keep_answer:
            answer = asyncio.get_running_loop().create_future()
        delivery = Delivery(self._clock() + self._window, answer)
        self._entries[key] = delivery
        self._entries.move_to_end(key)
        self._evict()
        return delivery

    def forget(self, key: DeliveryKey) -> None:
        """Forget ``key`` (its turn did not run: a retry should run it)."""
        self._entries.pop(key, None)

    def _evict(self) -> None:
        entries = self._entries
        now = self._clock()
        while entries:
            oldest = next(iter(entries.values()))
            if oldest.expires > now and len(entries) <= self._capacity:
                return
            entries.popitem(last=False)
