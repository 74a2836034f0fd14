"""Shared fixtures: an echo agent, a real aiohttp server on 127.0.0.1, a mocked channel.

The server under test is a real ``TestServer`` reached over loopback by a ``TestClient``;
the agent's outbound replies go to a fake Teams ``serviceUrl`` that aioresponses answers
(loopback traffic passes through to the real server).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from aioresponses import aioresponses

ClientFactory = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]


@pytest.fixture
def channel() -> Iterator[aioresponses]:
    """aioresponses playing the channel; loopback requests reach the real test server."""
    with aioresponses(passthrough=["http://127.0.0.1"]) as mocked:
        yield mocked


@pytest.fixture
async def make_client() -> AsyncIterator[ClientFactory]:
    """Start an application on 127.0.0.1 and return a client for it (closed afterwards)."""
    clients: list[TestClient[web.Request, web.Application]] = []

    async def factory(app: web.Application) -> TestClient[web.Request, web.Application]:
        client = TestClient(TestServer(app, host="127.0.0.1"))
        await client.start_server()
        clients.append(client)
        return client

    yield factory
    for client in clients:
        await client.close()
