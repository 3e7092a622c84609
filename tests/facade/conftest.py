"""Fixtures of the facade tests: a client whose transport is a StubTransport, so every request
must match a queued expectation (an unexpected request fails the test)."""

from __future__ import annotations

import pytest

from aisclient import Client
from aisclient.transport import StubTransport


@pytest.fixture
def stub() -> StubTransport:
    return StubTransport()


@pytest.fixture
def client(stub: StubTransport) -> Client:
    return Client("http://proxy:8080", transport=stub)
