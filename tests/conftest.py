"""Fixtures every test folder may use, and the test suite's one compatibility shim."""

from __future__ import annotations

import inspect
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

import aiohttp
import aioresponses.core
import pytest
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer


class _SentRequest:
    """What a ``ClientResponse`` asks of the writer of a request already sent."""

    output_size = 0


class _MockedClientResponse(ClientResponse):
    """A ``ClientResponse`` that aioresponses can build on aiohttp 3.14 and later.

    aiohttp 3.14 added a required ``stream_writer`` argument, which aioresponses 0.7.9
    does not pass; a mocked response was never written, so an empty writer stands in.
    """

    def __init__(self, *args: Any, stream_writer: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, stream_writer=stream_writer or _SentRequest(), **kwargs)


if "stream_writer" in inspect.signature(ClientResponse.__init__).parameters:
    # The whole suite runs on the newest aiohttp too (what users install): only the
    # mocked responses' constructor differs.
    aioresponses.core.ClientResponse = _MockedClientResponse  # type: ignore[misc]


def pytest_report_header() -> str:
    """Which aiohttp line this run tests (the suite runs on two)."""
    return f"aiohttp {aiohttp.__version__}"


BENCH_DIR = Path(__file__).resolve().parent.parent / "bench"

ClientFactory = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]


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


class BenchRunner(Protocol):
    """Runs a script of bench/ with this interpreter; its exit code and output."""

    def __call__(
        self, script: str, *args: str, env: dict[str, str] | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]: ...


@pytest.fixture
def run_bench() -> BenchRunner:
    """The benchmarks' smoke tests run each script as a user would (figures never asserted)."""

    def run(
        script: str, *args: str, env: dict[str, str] | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(BENCH_DIR / script), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env=env,
        )

    return run
