"""The typing indicator: "the agent is writing..." while a handler works.

``AgentApplication`` wraps each turn in a :class:`TypingIndicator`. It waits a short
initial delay first, so a handler that answers quickly sends no ``typing`` activity at all
(and costs no extra request); after that it sends one every interval until the handler
sends its first message, or the turn ends::

    initial delay (0.5 s) -> typing -> interval (10 s) -> typing -> ... -> message

The indicator stops *before* a ``message`` (or a streamed chunk, an activity with a
``streaminfo`` entity) is sent, and waits for a typing activity that is already on its way,
so the user never sees "typing" after the answer. Each turn has its own indicator.

The timings come from :class:`TypingOptions`; channels can have their own
(:class:`TypingChannelStrategy`), and ``pva-studio`` (Copilot Studio's test canvas) always
has a faster one (0.25 s, then every 1 s) unless you give it another.

Used on its own::

    async with TypingIndicator(context):
        answer = await slow_model_call()
    await context.send_activity(answer)
"""

from __future__ import annotations

import asyncio
import functools
import logging
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType

from microsoft_agents.activity import Activity, ActivityTypes
from microsoft_agents.hosting.core._turn_context import SendObserver, TurnContext, send_typing

__all__ = ["TypingChannelStrategy", "TypingIndicator", "TypingOptions"]

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
"""How the indicator waits: ``await sleep(seconds)`` (``asyncio.sleep`` by default)."""

_PVA_STUDIO = "pva-studio"


@dataclass(frozen=True)
class TypingChannelStrategy:
    """The typing timings of one channel.

    Attributes:
        initial_delay_ms: how long a turn runs before the first ``typing`` is sent.
        interval_ms: the time between two ``typing`` activities.
    """

    initial_delay_ms: int = 500
    interval_ms: int = 10000

    def __post_init__(self) -> None:
        _check_ms("initial_delay_ms", self.initial_delay_ms, allow_zero=True)
        _check_ms("interval_ms", self.interval_ms, allow_zero=False)


@dataclass
class TypingOptions:
    """The timings of the typing indicator.

    Attributes:
        initial_delay_ms: how long a turn runs before the first ``typing`` is sent
            (a handler that answers sooner sends none).
        interval_ms: the time between two ``typing`` activities.
        channel_strategies: timings for particular channels, by channel id (the full id
            such as ``"msteams:COPILOT"`` or the base channel ``"msteams"``). A
            ``"pva-studio"`` entry (0.25 s, then every 1 s) is added unless given.
    """

    initial_delay_ms: int = 500
    interval_ms: int = 10000
    channel_strategies: dict[str, TypingChannelStrategy] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_ms("initial_delay_ms", self.initial_delay_ms, allow_zero=True)
        _check_ms("interval_ms", self.interval_ms, allow_zero=False)
        self.channel_strategies = dict(self.channel_strategies)
        self.channel_strategies.setdefault(
            _PVA_STUDIO, TypingChannelStrategy(initial_delay_ms=250, interval_ms=1000)
        )

    def strategy_for(self, channel_id: str | None) -> TypingChannelStrategy:
        """The timings for ``channel_id``: its own strategy, else the defaults."""
        if channel_id:
            found = self.channel_strategies.get(str(channel_id))
            if found is None:
                base = str(channel_id).partition(":")[0]
                found = self.channel_strategies.get(base)
            if found is not None:
                return found
        return _strategy(self.initial_delay_ms, self.interval_ms)


def _weak_observer(indicator: TypingIndicator) -> SendObserver:
    """The indicator's send observer, holding the indicator weakly.

    The context keeps its observers; a strong reference back to the indicator (which
    holds the context) would make each turn a reference cycle that only the garbage
    collector can free, with the whole turn's objects waiting for it.
    """
    ref = weakref.ref(indicator)

    async def on_send(activities: list[Activity]) -> None:
        alive = ref()
        if alive is not None:
            await alive._on_send(activities)

    return on_send


@functools.lru_cache(maxsize=64)
def _strategy(initial_delay_ms: int, interval_ms: int) -> TypingChannelStrategy:
    return TypingChannelStrategy(initial_delay_ms=initial_delay_ms, interval_ms=interval_ms)


@functools.lru_cache(maxsize=1)
def _default_options() -> TypingOptions:
    """The default timings, built once (options are not changed after creation)."""
    return TypingOptions()


def _check_ms(name: str, value: int, *, allow_zero: bool) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"typing {name} must be an int number of milliseconds, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        bound = "0 or more" if allow_zero else "more than 0"
        raise ValueError(f"typing {name} must be {bound} milliseconds, got {value}")


def _ends_typing(activity: Activity) -> bool:
    """Whether sending ``activity`` means the user no longer needs "typing"."""
    if activity.type == ActivityTypes.message:
        return True
    return any((entity.type or "").lower() == "streaminfo" for entity in activity.entities or ())


class TypingIndicator:
    """Sends ``typing`` activities while a turn works, until its first message.

    One indicator serves one turn: create a new one per turn (``AgentApplication`` does).

    Args:
        context: the turn to show typing in.
        interval_seconds: the time between two ``typing`` activities; overrides the
            interval of ``typing_options``.
        typing_options: the timings (defaults: first after 0.5 s, then every 10 s).

    Raises:
        ValueError: ``interval_seconds`` is not more than 0.
    """

    def __init__(
        self,
        context: TurnContext,
        interval_seconds: float | None = None,
        typing_options: TypingOptions | None = None,
        *,
        _sleep: Sleep | None = None,
    ) -> None:
        if interval_seconds is not None and not interval_seconds > 0:
            raise ValueError(
                f"interval_seconds must be more than 0, got {interval_seconds!r}; leave it "
                "out to use the interval of the typing options"
            )
        strategy = (typing_options or _default_options()).strategy_for(context.activity.channel_id)
        self._context = context
        self._initial_delay = strategy.initial_delay_ms / 1000
        self._interval = (
            interval_seconds if interval_seconds is not None else strategy.interval_ms / 1000
        )
        # With the real clock, the initial delay is a timer (call_later): most turns answer
        # before it fires, and cancelling a timer costs far less than a task.
        self._timer_clock = _sleep is None
        self._sleep: Sleep = _sleep if _sleep is not None else asyncio.sleep
        self._task: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._stopped = False
        self._sending = False
        self._hooked = False

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`stop` (or the first message)."""
        started = self._task is not None or self._timer is not None
        return started and not self._stopped

    def start(self) -> None:
        """Start showing typing; must be called while the event loop runs.

        Calling it again while running does nothing. An indicator that was stopped cannot
        be restarted (the turn has answered); create a new one. Nothing is sent for an
        ``expectReplies`` request: its replies all arrive at once in the HTTP answer.
        """
        if self._task is not None or self._timer is not None or self._stopped:
            return
        if self._context.activity.delivery_mode == "expectReplies":
            return
        if not self._hooked:
            self._context._observe_sends(_weak_observer(self))
            self._hooked = True
        loop = asyncio.get_running_loop()
        if self._timer_clock:
            self._timer = loop.call_later(self._initial_delay, self._first_due)
        else:
            self._task = loop.create_task(self._run())

    def _first_due(self) -> None:
        self._timer = None
        if not self._stopped:
            self._task = asyncio.get_running_loop().create_task(self._run(initial=False))

    async def stop(self) -> None:
        """Stop sending typing; waits for a ``typing`` activity already being sent."""
        self._stopped = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        task = self._task
        if task is None:
            return
        if not self._sending:
            # Only waiting between sends: nothing is lost by cancelling the wait.
            task.cancel()
        await asyncio.wait({task})

    async def __aenter__(self) -> TypingIndicator:
        self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    async def _on_send(self, activities: list[Activity]) -> None:
        if not self._stopped and any(_ends_typing(a) for a in activities):
            await self.stop()

    def _halted(self) -> bool:
        # A method rather than the attribute, so type checkers do not assume the flag
        # cannot change while the loop awaits.
        return self._stopped

    async def _run(self, *, initial: bool = True) -> None:
        if initial:
            await self._sleep(self._initial_delay)
        while not self._halted():
            self._sending = True
            try:
                await self._send_typing()
            finally:
                self._sending = False
            if self._halted():
                return
            await self._sleep(self._interval)

    async def _send_typing(self) -> None:
        context = self._context
        try:
            await send_typing(context)
        except Exception:  # noqa: BLE001 - a failed typing must not fail the turn; logged
            logger.warning(
                "could not send a typing activity to conversation %r; the turn goes on",
                context.activity.conversation.id if context.activity.conversation else None,
                exc_info=True,
            )
