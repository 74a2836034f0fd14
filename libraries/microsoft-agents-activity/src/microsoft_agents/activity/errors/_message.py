"""``ErrorMessage``: one error text with a stable code.

Each message this package can raise is declared once, as a constant, with a code that
stays the same when the wording changes. Search a log for the code, not the text::

    >>> BAD = ErrorMessage("{setting} must be a number, got {value!r}", "CFG0000")
    >>> BAD.format(setting="PORT", value="eighty")
    "PORT must be a number, got 'eighty' [CFG0000]"
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ErrorMessage"]


@dataclass(frozen=True, slots=True)
class ErrorMessage:
    """A message template together with its error code and an optional help link.

    Attributes:
        template: the text, with ``str.format`` fields such as ``{setting}`` or
            ``{value!r}`` for the details of one occurrence.
        code: a short, stable identifier of this kind of error (``"CFG0001"``).
        help_link: where to read more, or ``None``.
    """

    template: str
    code: str
    help_link: str | None = None

    def format(self, **kwargs: object) -> str:
        """Fill in the template and append the code (and the help link, if any).

        Args:
            **kwargs: a value for every field the template names.

        Returns:
            The finished message, for example ``"... got 'x' [CFG0003]"``.

        Raises:
            KeyError: the template names a field that was not passed.
        """
        text = f"{self.template.format(**kwargs)} [{self.code}]"
        if self.help_link:
            text = f"{text} See {self.help_link}"
        return text

    def __str__(self) -> str:
        return f"{self.template} [{self.code}]"
