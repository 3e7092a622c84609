"""A process forked while another thread is building the transport's pool (a DataLoader
starting workers while a prefetch thread makes its first request) must not hang: the child
gets its own lock and its own pool, whatever the parent's threads were doing."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from _support.httpserver import TestServer
from aisclient.config import resolve_config
from aisclient.request import Request
from aisclient.token import CallableToken
from aisclient.transport import _urllib3_io
from aisclient.transport.urllib3 import Urllib3Transport

FORKS = 12
BUILD_TIME = 0.3  # how long the first request holds the pool lock (loading urllib3 can)
CHILD_LIMIT = 10.0  # a child that has not finished by then is hung


@pytest.fixture
def server() -> Iterator[TestServer]:
    with TestServer() as srv:
        srv.reply_with(200, "pong")
        yield srv


@pytest.fixture
def slow_pool_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """Widen the window in which a thread holds the lock: the pool takes a while to build."""
    build = _urllib3_io.Connections.__init__

    def slow(self: Any, *args: Any, **kwargs: Any) -> None:
        time.sleep(BUILD_TIME)
        build(self, *args, **kwargs)

    monkeypatch.setattr(_urllib3_io.Connections, "__init__", slow)


def _fork_during_first_request(endpoint: str) -> int:
    """Fork while a thread is inside the transport's first request; return the child's pid.

    The child makes a request of its own and exits 0 when it got the answer.
    """
    transport = Urllib3Transport(resolve_config(endpoint, timeout=(2, 5), env={}))
    first = threading.Thread(target=lambda: transport.send(Request("GET", ("daemon",))).close())
    first.start()
    time.sleep(BUILD_TIME / 3)  # the thread now holds the lock, building the pool
    pid = os.fork()
    if pid == 0:  # the child: only this thread exists here
        code = 1
        try:
            signal.alarm(int(CHILD_LIMIT) + 5)  # never outlive the test run, even if hung
            response = transport.send(Request("GET", ("daemon",)))
            code = 0 if response.content == b"pong" else 2
        finally:
            os._exit(code)
    first.join()
    return pid


def _wait(pid: int, deadline: float) -> int | None:
    """The child's exit status, or ``None`` if it is still running at ``deadline``."""
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return None


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_no_child_hangs_when_forked_during_the_first_request(
    server: TestServer, slow_pool_build: None
) -> None:
    pids = [_fork_during_first_request(server.url) for _ in range(FORKS)]
    deadline = time.monotonic() + CHILD_LIMIT  # one limit for all: they run side by side
    codes = [_wait(pid, deadline) for pid in pids]
    hung = codes.count(None) + codes.count(-signal.SIGALRM)
    assert hung == 0, f"{hung} of {FORKS} forked children hung: {codes}"
    assert codes == [0] * FORKS  # and every child got its answer


def _fork_during_first_token_fetch() -> int:
    """Fork while a thread is inside a slow token function; the child asks for the token."""

    def slow_token() -> str:
        time.sleep(BUILD_TIME)
        return "fetched-token"

    provider = CallableToken(slow_token)
    first = threading.Thread(target=provider.token)
    first.start()
    time.sleep(BUILD_TIME / 3)  # the thread now holds the provider's lock, fetching
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            signal.alarm(int(CHILD_LIMIT) + 5)
            code = 0 if provider.token() == "fetched-token" else 2
        finally:
            os._exit(code)
    first.join()
    return pid


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_no_child_hangs_when_forked_during_a_token_fetch() -> None:
    pids = [_fork_during_first_token_fetch() for _ in range(4)]
    deadline = time.monotonic() + CHILD_LIMIT
    codes = [_wait(pid, deadline) for pid in pids]
    assert codes == [0] * len(pids), f"children: {codes} (None: hung)"
