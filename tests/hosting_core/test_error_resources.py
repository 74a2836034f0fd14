"""ErrorMessage / error_resources: coded messages with a help link."""

from __future__ import annotations

from microsoft_agents.hosting.core import ErrorMessage, ErrorResources, error_resources


def test_str_renders_message_code_and_help_url() -> None:
    message = ErrorMessage("Something broke.", -63999)
    assert str(message) == (
        "Something broke.\n\nError Code: -63999\n"
        "Help URL: https://aka.ms/M365AgentsErrorCodes/#-63999"
    )
    assert message.help_url.endswith("#-63999")
    assert "-63999" in repr(message)


def test_format_fills_the_template() -> None:
    message = ErrorMessage("{0} failed: {reason}", -63001)
    assert message.format("send", reason="timeout").startswith(
        "send failed: timeout\n\nError Code: -63001"
    )


def test_catalogue_codes_are_unique_and_in_the_hosting_range() -> None:
    messages = [v for v in vars(ErrorResources).values() if isinstance(v, ErrorMessage)]
    assert len(messages) >= 5
    codes = [m.error_code for m in messages]
    assert len(set(codes)) == len(codes)
    assert all(-63999 <= code <= -63000 for code in codes)
    assert isinstance(error_resources, ErrorResources)
    assert error_resources.OutboundHostRefused.error_code == -63100
