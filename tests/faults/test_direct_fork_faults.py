"""A child forked while another thread of the parent fetches the cluster map for direct reads
(holding the direct-read lock) can still use the client: it does not hang on that lock."""

from __future__ import annotations

import json
import os
import signal
import threading
import time

import pytest

from aisclient import Client
from aisclient.request import Request
from aisclient.transport.base import BytesResponse, Response
from aisclient.transport.mock import MockTransport

SMAP = {
    "tmap": {"t1": {"daemon_id": "t1", "public_net": {"direct_url": "http://t1.invalid:1"}}},
    "pmap": {},
    "version": 1,
}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_child_forked_during_a_map_fetch_does_not_hang() -> None:
    parent = os.getpid()
    fetching, release = threading.Event(), threading.Event()

    def answer(request: Request) -> Response:
        if os.getpid() == parent:
            fetching.set()
            release.wait(10)  # the parent's fetch holds the lock across the fork
        return BytesResponse(200, json.dumps(SMAP))

    client = Client("http://proxy.invalid:8080", transport=MockTransport(answer), env={})
    fetcher = threading.Thread(target=client.get_smap, daemon=True)
    fetcher.start()
    assert fetching.wait(10)
    pid = os.fork()
    if pid == 0:  # the child: exit 0 only if the map can be fetched here
        try:
            client.get_smap(force_update=True)
            os._exit(0)
        except BaseException:
            os._exit(1)
    release.set()
    fetcher.join(10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    pytest.fail("the forked child hung on the direct-read lock")
