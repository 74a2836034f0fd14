"""Fixtures of the hosting-core tests that drive a ``ChannelServiceAdapter``: fake token
connections, a real client factory on them (closed after the test), the adapter."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from microsoft_agents.hosting.core import ChannelServiceAdapter, RestChannelServiceClientFactory

from .channel_fakes import FakeConnections, make_factory


@pytest.fixture
def connections() -> FakeConnections:
    return FakeConnections()


@pytest.fixture
async def factory(connections: FakeConnections) -> AsyncIterator[RestChannelServiceClientFactory]:
    made = make_factory(connections)
    yield made
    await made.close()


@pytest.fixture
def adapter(factory: RestChannelServiceClientFactory) -> ChannelServiceAdapter:
    return ChannelServiceAdapter(factory)
