"""Shared fixtures: a mocked channel (the real test server comes from tests/conftest.py).

The server under test is a real ``TestServer`` reached over loopback by a ``TestClient``
(``make_client``); the agent's outbound replies go to a fake Teams ``serviceUrl`` that
aioresponses answers (loopback traffic passes through to the real server).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aioresponses import aioresponses


@pytest.fixture
def channel() -> Iterator[aioresponses]:
    """aioresponses playing the channel; loopback requests reach the real test server."""
    with aioresponses(passthrough=["http://127.0.0.1"]) as mocked:
        yield mocked
