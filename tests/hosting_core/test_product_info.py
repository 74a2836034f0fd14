"""The SDK version in the ``User-Agent`` of outbound calls is the installed one.

protocol.md §18 row 18: the reference SDK looked its version up under a distribution name
that does not exist, so every request said ``unknown``. The expected value here comes
from the installed ``microsoft-agents-hosting-core`` distribution, not from the function
under test.
"""

from __future__ import annotations

import importlib.metadata

from aioresponses import aioresponses
from yarl import URL

from microsoft_agents.hosting.core import get_product_info
from microsoft_agents.hosting.core.connector import HttpTransport

BASE = "https://smba.trafficmanager.net/amer/"
ACTIVITIES = BASE + "v3/conversations/c1/activities"


async def _no_wait(seconds: float) -> None:
    raise AssertionError(f"no retry expected, asked to wait {seconds} s")


async def test_the_user_agent_names_the_installed_hosting_core_version() -> None:
    installed = importlib.metadata.version("microsoft-agents-hosting-core")
    get_product_info.cache_clear()  # computed now, from the module as it is
    with aioresponses() as mocked:
        mocked.post(ACTIVITIES, status=201, payload={"id": "a1"})
        async with HttpTransport(BASE, token="t", sleep=_no_wait) as transport:
            await transport.request(
                "POST", "v3/conversations/c1/activities", json={"type": "message"}
            )
        (call,) = mocked.requests[("POST", URL(ACTIVITIES))]

    product, _, _ = call.kwargs["headers"]["User-Agent"].partition(" ")
    assert product == f"agents-sdk-py/{installed}"
    assert installed != "unknown"
