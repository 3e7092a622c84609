"""Buckets of samples for the PyTorch tests, on both clusters (LocalCluster and aisnode).

Filled once per module and cluster; a test that changes a bucket makes its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("torch", reason="the torch extra is not installed")

from _helpers_torch import fill, make_client

from aisclient import Client


@pytest.fixture(scope="module")
def samples(cluster_endpoint: str) -> Iterator[tuple[Client, Any, dict[str, bytes]]]:
    """``(client, bucket, {name: content})``: 40 small objects under ``img/``."""
    client = make_client(cluster_endpoint)
    bucket, expected = fill(client)
    yield client, bucket, expected
    bucket.delete(missing_ok=True)
