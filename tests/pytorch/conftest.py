"""Buckets of samples for the PyTorch tests, on both clusters (LocalCluster and aisnode).

Filled once per module and cluster; a test that changes a bucket makes its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

if not os.environ.get("CI"):  # in CI a missing torch is a failure at the import below, not a skip
    pytest.importorskip("torch", reason="the torch extra is not installed")
import torch  # noqa: F401

from _support.torch_samples import fill, make_client
from aisclient import Client


@pytest.fixture(scope="module")
def samples(cluster_endpoint: str) -> Iterator[tuple[Client, Any, dict[str, bytes]]]:
    """``(client, bucket, {name: content})``: 40 small objects under ``img/``."""
    client = make_client(cluster_endpoint)
    bucket, expected = fill(client)
    yield client, bucket, expected
    bucket.delete(missing_ok=True)
