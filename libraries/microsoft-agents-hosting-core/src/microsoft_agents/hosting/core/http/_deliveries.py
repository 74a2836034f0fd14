"""Recognising an activity delivered twice, so that its turn runs once.

Channels retry a POST they got no answer to in time (Teams and Bot Service after about 15
seconds), and networks repeat requests. The activity then arrives again with the same
``id`` in the same conversation. :class:`RecentDeliveries` remembers the activities of the
last few minutes by (channel, conversation id, activity id) and, for those whose HTTP
answer is the turn's outcome (invokes, ``expectReplies``), that answer, so a repeat gets
the same answer instead of a second run (A2033 allows receivers to de-duplicate by id).

Only activities with an ``id`` are tracked. The table is bounded in time (``window``) and
size (``capacity``); the oldest finished entries go first. A channel retries when its
request got no answer in time, that is while the first turn is still running: an activity
whose turn has not ended is never dropped for room (only when its window is over), so its
repeats are recognised whatever the load. A repeat after the turn ended (an answer lost
on the way) is recognised while the entry is among the last ``capacity`` finished ones
(and, for an answer kept, while it is among the last ``MAX_KEPT_ANSWERS`` answers and
``MAX_KEPT_ANSWER_BYTES`` bytes). Entries are small (about 300 bytes: the key's hash and
the activity id, not the conversation id).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

from microsoft_agents.activity import Activity

from ._response import HttpResponse

__all__ = [
    "DEFAULT_CAPACITY",
    "DEFAULT_DUPLICATE_WINDOW",
    "DELIVERY_KEY",
    "MAX_KEPT_ANSWERS",
    "MAX_KEPT_ANSWER_BYTES",
    "Delivery",
    "RecentDeliveries",
    "delivery_key",
]

DEFAULT_DUPLICATE_WINDOW = 300.0
"""Seconds an activity id is remembered (well beyond any channel's retry delay)."""

DEFAULT_CAPACITY = 1024
"""The most finished activities remembered at once (those still running come on top)."""

MAX_KEPT_ANSWERS = 256
"""The most answers (of invokes and ``expectReplies`` requests) kept for repeats."""

MAX_KEPT_ANSWER_BYTES = 8 * 1024 * 1024
"""The most bytes of answer bodies kept for repeats, all answers together."""

DeliveryKey = tuple[str, str, str]

DELIVERY_KEY = "microsoft_agents.delivery"
"""``turn_state`` key of the turn's :class:`Delivery` (when repeats are tracked): a turn
that goes on in the background after its answer keeps its delivery from being dropped."""


def _size(answer: HttpResponse | None) -> int:
    body = answer.body if answer is not None else None
    return len(body) if type(body) is bytes else 0


def delivery_key(activity: Activity) -> DeliveryKey | None:
    """What identifies one delivery of ``activity``, or None when it has no id."""
    activity_id, conversation = activity.id, activity.conversation
    if not activity_id or conversation is None:
        return None
    conversation_id = conversation.id
    if not conversation_id:
        return None
    # (a ChannelId hashes and compares as the plain string it is)
    return (activity.channel_id or "", conversation_id, activity_id)


# Where the table keeps a key: its hash (string hashes are salted per process, so slots
# are not predictable from outside). The builtin itself: this runs for every activity.
_slot: Callable[[DeliveryKey], int] = hash


class Delivery:
    """One activity seen recently.

    Attributes:
        expires: when it is forgotten (clock seconds).
        keep_answer: whether a repeat must get the turn's HTTP answer (invokes,
            ``expectReplies``); otherwise a repeat is simply acknowledged.
        answer: that answer once the turn is over (with its body encoded, to stay small).
        slot: the hash of its key, under which the table holds it.
        activity_id: the activity's id, which a lookup also compares (two keys with the
            same hash are then never taken for each other).
        in_background: the turn was answered but goes on in the background (a
            long-running turn); until it ends, the delivery counts as running.
    """

    __slots__ = (
        "_waiters",
        "activity_id",
        "answer",
        "done",
        "expires",
        "in_background",
        "keep_answer",
        "slot",
    )

    def __init__(
        self, expires: float, keep_answer: bool, slot: int = 0, activity_id: str = ""
    ) -> None:
        self.expires = expires
        self.keep_answer = keep_answer
        self.slot = slot
        self.activity_id = activity_id
        self.answer: HttpResponse | None = None
        self.done = False
        self.in_background = False
        self._waiters: list[asyncio.Future[HttpResponse]] | None = None

    def hold_while(self, task: asyncio.Task[None]) -> None:
        """Count the delivery as running until ``task`` (its turn's background part) ends."""
        self.in_background = True
        task.add_done_callback(self._background_ended)

    def _background_ended(self, _: asyncio.Task[None]) -> None:
        self.in_background = False

    async def wait_for_answer(self) -> HttpResponse:
        """The turn's answer, waiting for it while the turn still runs."""
        if self.answer is not None:
            return self.answer
        future: asyncio.Future[HttpResponse] = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(future)
        return await asyncio.shield(future)


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
        capacity: int = DEFAULT_CAPACITY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not window > 0:
            raise ValueError(f"the duplicate window must be more than 0 seconds, got {window}")
        self._window = window
        self._capacity = capacity
        self._clock = clock
        # By the hash of the key: the table keeps no reference to the key's strings (a
        # conversation id is often 100-300 characters), only the activity id to compare.
        self._entries: dict[int, Delivery] = {}
        # The answers kept, oldest first: only the most recent ones stay in memory.
        self._answers: deque[Delivery] = deque()
        self._answer_bytes = 0  # the size of the bodies of the answers kept
        # Arrival order is expiry order (every entry lives for the same window). A deque:
        # deleting from the front of a dict again and again makes its iteration slow.
        self._order: deque[Delivery] = deque()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: DeliveryKey) -> Delivery | None:
        """The earlier delivery under ``key``, if it is still remembered.

        A delivery whose kept answer was dropped to save memory is no longer remembered: a
        repeat that late runs again.
        """
        found = self._entries.get(_slot(key))
        if found is None or found.activity_id != key[2]:
            return None
        return found if self._still_remembered(found) else None

    def arrive(self, key: DeliveryKey, *, keep_answer: bool) -> tuple[Delivery, bool]:
        """Note a delivery of ``key``, in one lookup.

        Returns:
            ``(earlier, True)`` when ``key`` is a repeat of a delivery still remembered
            (see :meth:`get`); otherwise ``(new, False)``, the delivery now remembered (as
            :meth:`add` does; ``keep_answer`` for activities answered in the body).
        """
        slot = _slot(key)
        found = self._entries.get(slot)
        if found is not None and found.activity_id == key[2] and self._still_remembered(found):
            return found, True
        return self._insert(slot, key[2], keep_answer), False

    def add(self, key: DeliveryKey, *, keep_answer: bool) -> Delivery:
        """Remember a first delivery; ``keep_answer`` for activities answered in the body."""
        return self._insert(_slot(key), key[2], keep_answer)

    def settle(self, delivery: Delivery, answer: HttpResponse, *, ran: bool = True) -> None:
        """Record the turn's answer and hand it to the repeats waiting for it.

        At most :data:`MAX_KEPT_ANSWERS` answers are kept. ``ran=False`` says the turn did
        not run (refused, or failed outside the agent): the delivery is then forgotten, so
        that a retry runs it.
        """
        delivery.done = True
        if delivery.keep_answer:
            body = answer.body
            if body is not None and type(body) is not bytes:
                # Encoded once, to stay small; a bytes body already is as small as it gets.
                answer = HttpResponse(
                    answer.status_code,
                    answer.body_bytes(),
                    headers=answer.headers,
                    content_type=answer.content_type,
                )
            delivery.answer = answer
            kept = self._answers
            kept.append(delivery)
            self._answer_bytes += _size(answer)
            # expectReplies answers can be large: bounded by bytes too, not only count.
            while kept and (
                len(kept) > MAX_KEPT_ANSWERS or self._answer_bytes > MAX_KEPT_ANSWER_BYTES
            ):
                dropped = kept.popleft()
                self._answer_bytes -= _size(dropped.answer)
                dropped.answer = None
        if not ran and self._entries.get(delivery.slot) is delivery:
            del self._entries[delivery.slot]
        waiters = delivery._waiters
        if waiters is not None:
            delivery._waiters = None
            for future in waiters:
                if not future.done():
                    future.set_result(answer)

    def forget(self, key: DeliveryKey) -> None:
        """Forget ``key`` (its turn did not run: a retry should run it)."""
        slot = _slot(key)
        found = self._entries.get(slot)
        if found is not None and found.activity_id == key[2]:
            del self._entries[slot]

    def _still_remembered(self, found: Delivery) -> bool:
        if found.expires <= self._clock():
            self._evict()
            return False
        if found.keep_answer and found.answer is None and found.done:
            del self._entries[found.slot]
            return False
        return True

    def _insert(self, slot: int, activity_id: str, keep_answer: bool) -> Delivery:
        now = self._clock()
        delivery = Delivery(now + self._window, keep_answer, slot, activity_id)
        self._entries[slot] = delivery
        order = self._order
        order.append(delivery)
        if len(order) > self._capacity or order[0].expires <= now:
            self._evict(now)
        return delivery

    def _evict(self, now: float | None = None) -> None:
        entries, order = self._entries, self._order
        if now is None:
            now = self._clock()
        kept = 0  # running turns put back, each seen once per call
        while len(order) > kept:
            delivery = order[0]
            if delivery.expires > now and len(order) - kept <= self._capacity:
                return
            order.popleft()
            if (not delivery.done or delivery.in_background) and delivery.expires > now:
                # Its turn still runs: a channel's retry must find it. Back of the line
                # (room is made from the finished ones).
                order.append(delivery)
                kept += 1
                continue
            if entries.get(delivery.slot) is delivery:  # not replaced or forgotten since
                del entries[delivery.slot]
