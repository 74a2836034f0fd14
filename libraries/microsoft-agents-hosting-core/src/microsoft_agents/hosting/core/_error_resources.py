"""Error messages with stable codes, for the errors hosting-core raises.

Every message here carries a numeric code (hosting errors use the range -63000 to
-63999) and renders with a help link, so a user who meets one in a log can look it up::

    from microsoft_agents.hosting.core import error_resources

    raise ValueError(error_resources.OutboundHostRefused.format(host="evil.example", reason="..."))

``str(message)`` renders the raw template with the code and link; ``message.format(...)``
fills the template first. The texts say what happened, the offending value, and what to
change.
"""

from __future__ import annotations

from typing import Any

__all__ = ["HELP_URL_BASE", "ErrorMessage", "ErrorResources", "error_resources"]

HELP_URL_BASE = "https://aka.ms/M365AgentsErrorCodes/#"
"""Prefix of the help link; the error code is appended."""


class ErrorMessage:
    """A message template paired with a stable error code.

    Args:
        message_template: a :meth:`str.format` template (``{name}`` or ``{0}`` fields).
        error_code: the numeric code shown to the user and used in the help link.
    """

    __slots__ = ("error_code", "message_template")

    def __init__(self, message_template: str, error_code: int) -> None:
        self.message_template = message_template
        self.error_code = error_code

    @property
    def help_url(self) -> str:
        """The link documenting this error."""
        return f"{HELP_URL_BASE}{self.error_code}"

    def _render(self, message: str) -> str:
        return f"{message}\n\nError Code: {self.error_code}\nHelp URL: {self.help_url}"

    def format(self, *args: Any, **kwargs: Any) -> str:
        """Fill the template and append the code and help link.

        Args:
            *args: positional values for the template.
            **kwargs: named values for the template.

        Returns:
            The rendered message.
        """
        return self._render(self.message_template.format(*args, **kwargs))

    def __str__(self) -> str:
        return self._render(self.message_template)

    def __repr__(self) -> str:
        return f"ErrorMessage({self.message_template!r}, {self.error_code})"


class ErrorResources:
    """The catalogue of hosting-core error messages (use the :data:`error_resources` instance)."""

    # Outbound calls (-63100 ...)
    OutboundHostRefused = ErrorMessage(
        "Outbound request to host '{host}' was refused before anything was sent: {reason}. "
        "Add the host to the allowed outbound hosts if it is a service you trust.",
        -63100,
    )
    ServiceCallFailed = ErrorMessage(
        "{method} {url} failed with HTTP status {status}{code_text} after {attempts} attempt(s).",
        -63101,
    )
    ServiceUnreachable = ErrorMessage(
        "{method} {url} got no response after {attempts} attempt(s): {error}. "
        "Check the service URL and the network.",
        -63102,
    )
    InvalidServiceUrl = ErrorMessage(
        "The service URL '{url}' is not an absolute http or https URL.",
        -63103,
    )
    TooManyRedirects = ErrorMessage(
        "{method} {url} was redirected more than {limit} times.",
        -63104,
    )
    InvalidRedirect = ErrorMessage(
        "{method} {url} answered {status} with a Location that is not a valid URL.",
        -63106,
    )
    ServiceUrlMismatch = ErrorMessage(
        "The service URL '{url}' does not match the serviceurl claim of the incoming token; "
        "the reply was not sent.",
        -63105,
    )


error_resources = ErrorResources()
"""The shared :class:`ErrorResources` instance."""
