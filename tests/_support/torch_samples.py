"""Helpers of the PyTorch tests: filled buckets and a request-counting transport."""

from __future__ import annotations

import uuid
from typing import Any

from aisclient import Client
from aisclient.request import Request
from aisclient.retry import RetryPolicy
from aisclient.transport.base import Response, Transport

COUNT = 40


def content_of(index: int) -> bytes:
    return f"sample {index:03d} ".encode() * (index + 1)


def make_client(endpoint: str, transport: Transport | None = None) -> Client:
    policy = RetryPolicy(backoff_factor=0.05, network_wait_min=0.05, network_wait_max=0.2)
    return Client(endpoint, retry_config=policy, timeout=(3, 60), transport=transport)


def fill(client: Client, count: int = COUNT, prefix: str = "img/") -> tuple[Any, dict[str, bytes]]:
    """A new bucket with ``count`` objects; returns it and ``{name: content}``."""
    bucket = client.bucket(f"pt-{uuid.uuid4().hex[:10]}").create()
    expected = {f"{prefix}{i:03d}.bin": content_of(i) for i in range(count)}
    for name, content in expected.items():
        bucket.object(name).get_writer().put_content(content)
    return bucket, expected


class CountingTransport:
    """Passes every request on, and remembers ``(method, first path segments, endpoint)``
    (the endpoint is set for a request sent straight to a target)."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.seen: list[tuple[str, tuple[str, ...], str | None]] = []

    def send(self, request: Request) -> Response:
        self.seen.append((request.method, request.path[:2], request.endpoint))
        return self.inner.send(request)

    def count(self, method: str, *path: str, direct: bool | None = None) -> int:
        """Requests of ``method`` under ``path``; ``direct``: only those sent to a target
        (True) or to the proxy (False)."""
        return sum(
            1
            for m, p, endpoint in self.seen
            if m == method
            and p[: len(path)] == path
            and (direct is None or direct == (endpoint is not None))
        )
