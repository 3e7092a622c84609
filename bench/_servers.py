"""The server the benchmarks talk to: a real aisnode when available, else a LocalCluster."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator


@contextlib.contextmanager
def benchmark_cluster() -> Iterator[tuple[str, str]]:
    """Yield ``(endpoint, description)`` of a running cluster on 127.0.0.1."""
    endpoint = os.environ.get("AIS_ENDPOINT")
    if endpoint:
        yield endpoint, f"AIS_ENDPOINT ({endpoint})"
        return
    from aisclient.testing.real import RealCluster, aisnode_binary

    if aisnode_binary() is not None:
        with RealCluster() as cluster:
            yield cluster.endpoint, "real aisnode (1 proxy + 1 target) on 127.0.0.1"
        return
    from aisclient.testing.local import LocalCluster

    with LocalCluster(targets=1) as local:
        yield local.endpoint, "embedded LocalCluster (Python server: slower than aisnode)"
