"""``ApplicationOptions``, and the input files an application can download for a turn.

Options are usually given as keywords to ``AgentApplication`` itself::

    app = AgentApplication[TurnState](storage=MemoryStorage(), adapter=adapter)

which is the same as passing ``options=ApplicationOptions(storage=..., adapter=...)``.

An :class:`InputFileDownloader` fetches the files a user attached to a message (for
example from Teams); each turn, the application runs its downloaders and puts what they
return in ``state.temp.input_files``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Generic

from microsoft_agents.hosting.core._channel_adapter import ChannelAdapter
from microsoft_agents.hosting.core._turn_context import TurnContext

from ._routes import StateT
from ._typing import TypingOptions

if TYPE_CHECKING:
    from microsoft_agents.hosting.core.storage import Storage

    from .oauth.authorization import AuthHandler
    from .proactive import ProactiveOptions

__all__ = ["ApplicationOptions", "InputFile", "InputFileDownloader"]


@dataclass
class InputFile:
    """A file the user sent with an activity, downloaded.

    Attributes:
        content: the file's bytes.
        content_type: its media type (``"image/png"``).
        content_url: where it was downloaded from, if it came from a URL.
    """

    content: bytes
    content_type: str
    content_url: str | None = None


class InputFileDownloader(ABC):
    """Downloads the files attached to the incoming activity.

    Give instances to ``ApplicationOptions.file_downloaders``; what they return for a turn
    is in ``state.temp.input_files`` before the route handler runs.
    """

    @abstractmethod
    async def download_files(self, context: TurnContext) -> list[InputFile]:
        """The files attached to ``context.activity`` (an empty list when there are none)."""


@dataclass
class ApplicationOptions(Generic[StateT]):
    """How an ``AgentApplication`` behaves.

    Attributes:
        adapter: the adapter that runs the application (``CloudAdapter``); needed for
            ``app.adapter`` and for ``@app.error`` to also cover middleware errors.
        bot_app_id: the agent's app (client) id.
        storage: where conversation and user state are kept (required), for example
            ``MemoryStorage()``.
        remove_recipient_mention: remove the @-mention of the agent from the text of
            incoming messages before routing (``"<at>Agent</at> hi"`` becomes ``"hi"``).
        normalize_mentions: in the text of incoming messages, replace each remaining
            mention tag (Teams writes ``<at>Megan Bowen</at>``) with the plain name, so
            handlers see ``"ask Megan Bowen"`` whatever the channel's markup.
        start_typing_timer: show a typing indicator while a turn runs (see
            ``TypingIndicator``).
        typing: the timings of the typing indicator.
        long_running_messages: answer the channel's HTTP request as soon as an activity
            arrives and run the turn in the background, replying to the conversation when
            it is done (for handlers that take longer than the channel waits, about 15 s).
            Invokes and ``expectReplies`` requests still run before the answer. The
            background turns are awaited at shutdown (``CloudAdapter.drain``). The
            adapter's middleware wraps only the part before the answer (its send hooks
            on the context still see every reply).
        file_downloaders: run each turn to fill ``state.temp.input_files``.
        turn_state_factory: builds the turn state of each turn (default:
            ``TurnState.with_storage(storage)``).
        authorization_handlers: the user sign-in handlers, by id (used by
            ``Authorization``).
        proactive: turns on ``app.proactive`` (proactive messages) with these options,
            e.g. ``ProactiveOptions()``; None leaves it off.
    """

    adapter: ChannelAdapter | None = None
    bot_app_id: str = ""
    storage: Storage | None = None
    remove_recipient_mention: bool = True
    normalize_mentions: bool = False
    start_typing_timer: bool = True
    typing: TypingOptions | None = None
    long_running_messages: bool = False
    file_downloaders: list[InputFileDownloader] = field(default_factory=list)
    turn_state_factory: Callable[[], StateT] | None = None
    authorization_handlers: dict[str, AuthHandler] | None = None
    proactive: ProactiveOptions | None = None

    @classmethod
    def field_names(cls) -> frozenset[str]:
        """The names of the options (the keywords ``AgentApplication`` accepts for them)."""
        return frozenset(f.name for f in fields(cls))
