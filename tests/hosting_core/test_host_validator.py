"""OutboundHostValidator and same_service_url: where a request (and a token) may go."""

from __future__ import annotations

import pytest

from microsoft_agents.hosting.core import OutboundHostValidator, OutboundRequestRefusedError
from microsoft_agents.hosting.core._outbound import DEFAULT_MICROSOFT_HOSTS, same_service_url


@pytest.fixture
def enabled() -> OutboundHostValidator:
    return OutboundHostValidator(enabled=True)


@pytest.mark.parametrize(
    "url",
    [
        "https://smba.trafficmanager.net/amer/",
        "https://smba.trafficmanager.net/teams/v3/conversations",
        "https://directline.botframework.com/",
        "https://x.botframework.com/",
        "https://BOTFRAMEWORK.COM/",
        "https://api.botframework.azure.us/",
        "https://graph.microsoft.com/v1.0/me",
        "https://contoso.sharepoint.com/sites/a",
        "https://store.blob.core.windows.net/c/b",
        "https://login.microsoftonline.com/common/",
        "https://canary.teams.microsoft.com/",
        "https://x.svc.ms/",
        "https://smba.trafficmanager.net./amer/",
    ],
)
def test_default_microsoft_hosts_are_allowed(enabled: OutboundHostValidator, url: str) -> None:
    assert enabled.is_allowed(url)
    enabled.check(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://evil-botframework.com/",
        "https://botframework.com.evil.example/",
        "https://evil.example/",
        "https://notsharepoint.com/",
        "https://127.0.0.1/",
    ],
)
def test_other_hosts_are_refused_on_a_dot_boundary(
    enabled: OutboundHostValidator, url: str
) -> None:
    assert not enabled.is_allowed(url)
    with pytest.raises(OutboundRequestRefusedError) as caught:
        enabled.check(url)
    assert caught.value.reason == "the host is not in the allowed outbound hosts"


def test_only_https_outside_loopback(enabled: OutboundHostValidator) -> None:
    with pytest.raises(OutboundRequestRefusedError) as caught:
        enabled.check("http://smba.trafficmanager.net/amer/")
    assert "https" in caught.value.reason
    assert caught.value.url == "http://smba.trafficmanager.net/amer/"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:3978/",
        "http://[::1]:3978/",
        "http://localhost:3978/api",
        "https://localhost/",
    ],
)
def test_loopback_only_with_allow_loopback_http(url: str) -> None:
    assert OutboundHostValidator(enabled=True, allow_loopback_http=True).is_allowed(url)
    assert not OutboundHostValidator(enabled=True).is_allowed(url)


def test_loopback_flag_does_not_open_http_elsewhere() -> None:
    validator = OutboundHostValidator(enabled=True, allow_loopback_http=True)
    assert not validator.is_allowed("http://smba.trafficmanager.net/")
    assert not validator.is_allowed("http://10.0.0.1/")


def test_custom_hosts_extend_or_replace_the_defaults() -> None:
    extended = OutboundHostValidator(enabled=True, hosts=["contoso.example", "*.fabrikam.example"])
    assert extended.is_allowed("https://api.contoso.example/")
    assert extended.is_allowed("https://contoso.example/")
    assert extended.is_allowed("https://x.fabrikam.example/")
    assert extended.is_allowed("https://smba.trafficmanager.net/")
    assert not extended.is_allowed("https://evilcontoso.example/")

    only = OutboundHostValidator(
        enabled=True, hosts=["Contoso.Example."], include_default_microsoft_hosts=False
    )
    assert only.hosts == ("contoso.example",)
    assert only.is_allowed("https://contoso.example/")
    assert not only.is_allowed("https://smba.trafficmanager.net/")


def test_default_host_list() -> None:
    assert OutboundHostValidator().hosts == DEFAULT_MICROSOFT_HOSTS
    assert "login.botframework.com" in DEFAULT_MICROSOFT_HOSTS


@pytest.mark.parametrize(
    "url", ["https://evil.example/", "http://evil.example/", "http://127.0.0.1:3978/"]
)
def test_disabled_validator_allows_http_and_https(url: str) -> None:
    validator = OutboundHostValidator()
    assert validator.enabled is False
    assert validator.is_allowed(url)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://smba.trafficmanager.net/",
        "gopher://x/",
        "/relative",
        "",
        "https://",
    ],
)
def test_non_web_and_malformed_urls_are_always_refused(url: str) -> None:
    for validator in (OutboundHostValidator(), OutboundHostValidator(enabled=True)):
        assert not validator.is_allowed(url)
        with pytest.raises(OutboundRequestRefusedError):
            validator.check(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://x@smba.trafficmanager.net/amer/",
        "https://smba.trafficmanager.net@evil.example/",
        "https://user:secret-password@smba.trafficmanager.net/",
        "http://u:secret-password@127.0.0.1:9000/",
    ],
)
def test_urls_with_a_user_name_or_password_are_always_refused(url: str) -> None:
    """They would reach the host next to the bearer token, and cannot go with one."""
    validators = (
        OutboundHostValidator(),
        OutboundHostValidator(enabled=True, allow_loopback_http=True),
        OutboundHostValidator(enabled=True).for_agent_callbacks(),
    )
    for validator in validators:
        assert validator.refusal_reason(url) == "the URL carries a user name or password"
        with pytest.raises(OutboundRequestRefusedError) as caught:
            validator.check(url)
        assert "secret" not in str(caught.value)
        assert "secret" not in caught.value.url


def test_refusal_message_names_host_and_reason_and_drops_the_query() -> None:
    validator = OutboundHostValidator(enabled=True)
    with pytest.raises(OutboundRequestRefusedError) as caught:
        validator.check("https://evil.example/a?code=secret")
    assert "evil.example" in str(caught.value)
    assert "Error Code: -63100" in str(caught.value)
    assert caught.value.url == "https://evil.example/a"
    assert "secret" not in str(caught.value)


def test_repr_is_informative() -> None:
    assert "enabled=True" in repr(OutboundHostValidator(enabled=True))


@pytest.mark.parametrize(
    ("url", "claim", "same"),
    [
        ("https://smba.trafficmanager.net/amer/", "https://smba.trafficmanager.net/amer/", True),
        ("https://SMBA.trafficmanager.net/amer/", "https://smba.trafficmanager.net/emea", True),
        ("HTTPS://smba.trafficmanager.net", "https://smba.trafficmanager.net:443/", True),
        ("https://smba.trafficmanager.net./", "https://smba.trafficmanager.net/", True),
        ("http://smba.trafficmanager.net/", "https://smba.trafficmanager.net/", False),
        ("https://evil.example/", "https://smba.trafficmanager.net/", False),
        ("https://smba.trafficmanager.net:8443/", "https://smba.trafficmanager.net/", False),
        (
            "https://smba.trafficmanager.net@evil.example/",
            "https://smba.trafficmanager.net/",
            False,
        ),
        ("", "https://smba.trafficmanager.net/", False),
        ("https://smba.trafficmanager.net/", None, False),
        ("/relative", "/relative", False),
    ],
)
def test_same_service_url(url: str, claim: str | None, same: bool) -> None:
    assert same_service_url(url, claim) is same
