"""Fixtures of the ``ais://`` filesystem tests: a filesystem per cluster and a fresh bucket."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

pytest.importorskip("fsspec")

from aisclient.fsspec import AISFileSystem
from aisclient.retry import RetryPolicy

QUICK_RETRIES = RetryPolicy(backoff_factor=0.05, network_wait_min=0.05, network_wait_max=0.2)


@pytest.fixture
def ais_fs(cluster_endpoint: str) -> AISFileSystem:
    """A filesystem on the cluster under test (LocalCluster or real aisnode), not shared with
    other tests through fsspec's instance cache."""
    return AISFileSystem(
        cluster_endpoint, retry=QUICK_RETRIES, timeout=(3, 60), skip_instance_cache=True
    )


@pytest.fixture
def fs_bucket(ais_fs: AISFileSystem) -> Iterator[str]:
    """A fresh bucket's name, destroyed with its objects after the test."""
    name = f"fs-{uuid.uuid4().hex[:12]}"
    ais_fs.mkdir(name)
    yield name
    ais_fs.client.bucket(name).delete(missing_ok=True)
