"""Large and one-shot uploads behind a slow proxy: the header-only probe waits for the proxy's
redirect as long as the read timeout allows, so the body crosses the wire once, to the target;
and a proxy that never answers costs one read timeout, not two."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from _support.httpserver import Call, TestServer
from aisclient import Client
from aisclient.errors import AISTimeoutError
from aisclient.request import BytesBody, Request
from aisclient.retry import RetryPolicy
from aisclient.transport.retrying import RetryingTransport
from aisclient.transport.urllib3 import Urllib3Transport

SIZE = 3 * 1024 * 1024
DELAY = 2.5  # longer than the probe's old fixed 2 s wait, far below the 20 s read timeout


@pytest.fixture
def slow_proxy(local_cluster: Any) -> Iterator[Any]:
    local_cluster.faults.clear()
    yield local_cluster
    local_cluster.faults.clear()


def _proxy_puts(cluster: Any, bucket: str, name: str) -> int:
    """PUTs of the object that reached the proxy (a target's carry the proxy's ``pid``)."""
    path = f"/v1/objects/{bucket}/{name}"
    return sum(
        1
        for record in cluster.requests.snapshot()
        if record.method == "PUT" and record.path == path and "pid=" not in record.query
    )


def test_put_content_through_a_slow_proxy_sends_the_body_once(slow_proxy: Any) -> None:
    client = Client(slow_proxy.endpoint, env={})  # the default 20 s read timeout
    bucket = client.bucket(f"slow-{uuid.uuid4().hex[:10]}")
    bucket.create(exist_ok=True)
    data = os.urandom(SIZE)
    slow_proxy.faults.delay(r"/v1/objects/", DELAY, method="PUT", node="proxy")
    bucket.object("big").get_writer().put_content(data)
    assert bucket.object("big").get_reader().read_all() == data
    # The probe only: the proxy never got the body.
    assert _proxy_puts(slow_proxy, bucket.name, "big") == 1
    bucket.delete()


def test_put_iter_through_a_slow_proxy_succeeds(slow_proxy: Any) -> None:
    client = Client(slow_proxy.endpoint, env={})
    bucket = client.bucket(f"slow-{uuid.uuid4().hex[:10]}")
    bucket.create(exist_ok=True)
    data = os.urandom(SIZE)
    chunks = (data[i : i + 256 * 1024] for i in range(0, SIZE, 256 * 1024))
    slow_proxy.faults.delay(r"/v1/objects/", DELAY, method="PUT", node="proxy")
    bucket.object("stream").get_writer().put_iter(chunks)
    assert bucket.object("stream").get_reader().read_all() == data
    assert _proxy_puts(slow_proxy, bucket.name, "stream") == 1
    bucket.delete()


def test_an_unanswered_probe_fails_within_one_read_timeout() -> None:
    def never_answers(call: Call) -> None:
        call.body()  # ignores Expect: waits for a body the client rightly never sends

    with TestServer() as server:
        server.send_continue = False
        server.handler = never_answers
        config = Client(server.url, timeout=(2, 1.0), env={}).config
        transport = RetryingTransport(Urllib3Transport(config), RetryPolicy.never())
        request = Request(
            "PUT", ("objects", "b", "o"), body=BytesBody(os.urandom(SIZE)), probe_redirect=True
        )
        started = time.monotonic()
        with pytest.raises(AISTimeoutError) as info:
            transport.send(request)
        elapsed = time.monotonic() - started
        server.stop()
    assert info.value.phase == "read"
    assert [len(seen.body) for seen in server.seen] == [0]  # the body was never sent
    assert elapsed < 1.6  # one 1 s read timeout (it used to be the probe's, then the body's)
