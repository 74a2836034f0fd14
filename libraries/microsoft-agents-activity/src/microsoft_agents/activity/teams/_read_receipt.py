"""Read receipts: how far a user has read a one-on-one chat with the agent.

Teams sends an ``application/vnd.microsoft.readReceipt`` event when the user reads the chat
(if the app asked for it). Its ``value`` is a :class:`ReadReceiptInfo` holding the id of the
last message read. Teams message ids grow with time, so a message was read when its id is
not greater than that one::

    >>> receipt = ReadReceiptInfo.model_validate({"lastReadMessageId": "1692206589131"})
    >>> receipt.is_message_read("1692206500000"), receipt.read("1692206600000")
    (True, False)
"""

from collections.abc import Callable
from typing import Any, ClassVar, overload

from microsoft_agents.activity._model import AgentsModel

__all__ = ["ReadReceiptInfo"]


def _is_read(compare_message_id: str, last_read_message_id: str | None) -> bool:
    """Compare two Teams message ids as numbers; ids that are not numbers are unread."""
    if not compare_message_id or not last_read_message_id:
        return False
    try:
        return int(compare_message_id) <= int(last_read_message_id)
    except ValueError:
        return False


class _MessageReadCheck:
    """``is_message_read`` on the class takes both ids; on an instance, only the one to check."""

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> Callable[[str, str | None], bool]: ...

    @overload
    def __get__(self, instance: "ReadReceiptInfo", owner: type[Any]) -> Callable[[str], bool]: ...

    def __get__(
        self, instance: "ReadReceiptInfo | None", owner: type[Any]
    ) -> Callable[[str, str | None], bool] | Callable[[str], bool]:
        if instance is None:
            return _is_read
        return instance.read


class ReadReceiptInfo(AgentsModel):
    """The ``value`` of a read receipt event.

    ``is_message_read`` works both ways: ``receipt.is_message_read(message_id)`` checks
    against this receipt, ``ReadReceiptInfo.is_message_read(message_id, last_read_id)``
    compares two ids without a receipt.
    """

    last_read_message_id: str | None = None

    is_message_read: ClassVar[_MessageReadCheck] = _MessageReadCheck()

    def read(self, compare_message_id: str) -> bool:
        """Whether the message with id ``compare_message_id`` has been read.

        Args:
            compare_message_id: the Teams id of a message the agent sent.

        Returns:
            ``True`` if its id is numerically at most :attr:`last_read_message_id`;
            ``False`` otherwise, or when either id is missing or not a number.
        """
        return _is_read(compare_message_id, self.last_read_message_id)
