"""Shared fixtures: the two clusters every integration scenario runs against.

``cluster`` is parametrised over the embedded LocalCluster and a real aisnode cluster. The
real one is, in order: ``AIS_ENDPOINT`` when set, else an aisnode this session starts from
the cached binary (``python -m aisclient.testing.real install`` puts it there). In CI
(``CI`` set) a missing real cluster is an error, not a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from aisclient import Client
from aisclient.testing.protocol import ClusterLike, ExternalCluster

_SKIP_HINT = (
    "real-cluster tests skipped: no aisnode binary found. Enable them with "
    "`.venv/bin/python -m aisclient.testing.real install` (needs Go), or point AIS_ENDPOINT "
    "at a running cluster."
)


@pytest.fixture(scope="session")
def local_cluster() -> Iterator[ClusterLike]:
    from aisclient.testing.local import LocalCluster

    with LocalCluster(targets=2) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def real_cluster() -> Iterator[ClusterLike]:
    endpoint = os.environ.get("AIS_ENDPOINT")
    cluster: ClusterLike
    if endpoint:
        cluster = ExternalCluster(endpoint)
    else:
        from aisclient.testing.real import RealCluster, aisnode_binary

        if aisnode_binary() is None:
            if os.environ.get("CI"):
                pytest.fail("CI must run the real-cluster tests, but no aisnode binary was found")
            pytest.skip(_SKIP_HINT)
        # The promote scenario needs the server's promote root.
        cluster = RealCluster(promote_dir=True)
    with cluster:
        yield cluster


@pytest.fixture(scope="session", params=["local", "real"])
def cluster_endpoint(request: pytest.FixtureRequest) -> str:
    """The proxy URL of a running cluster: LocalCluster or real aisnode."""
    cluster: ClusterLike = request.getfixturevalue(f"{request.param}_cluster")
    return cluster.endpoint


@pytest.fixture
def client(cluster_endpoint: str) -> Client:
    """A client for the cluster under test, with quick retries so failures surface fast."""
    from aisclient.retry import RetryPolicy

    policy = RetryPolicy(backoff_factor=0.05, network_wait_min=0.05, network_wait_max=0.2)
    return Client(cluster_endpoint, retry_config=policy, timeout=(3, 60))


@pytest.fixture
def bucket_name() -> str:
    return f"t-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def bucket(client: Client, bucket_name: str) -> Iterator[Any]:
    """A fresh ais:// bucket, destroyed (with its objects) after the test."""
    bck = client.bucket(bucket_name)
    bck.create()
    yield bck
    bck.delete(missing_ok=True)


def pytest_report_header(config: pytest.Config) -> str:
    if os.environ.get("AIS_ENDPOINT"):
        return f"real cluster: AIS_ENDPOINT={os.environ['AIS_ENDPOINT']}"
    try:
        from aisclient.testing.real import aisnode_binary

        binary = aisnode_binary()
    except ImportError:
        binary = None
    return f"real cluster: {binary}" if binary else _SKIP_HINT


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Tag each report of an integration test with the cluster it ran against."""
    outcome = yield
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "cluster_endpoint" in callspec.params:
        outcome.get_result().user_properties.append(
            ("cluster", callspec.params["cluster_endpoint"])
        )  # type: ignore[attr-defined]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say plainly how many integration tests ran against each cluster (for the CI log)."""
    counts: dict[str, dict[str, int]] = {"local": {}, "real": {}}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            cluster = dict(getattr(report, "user_properties", ())).get("cluster")
            if cluster in counts and (report.when == "call" or outcome != "passed"):
                counts[cluster][outcome] = counts[cluster].get(outcome, 0) + 1
    if not any(counts.values()):
        return
    terminalreporter.section("integration tests by cluster")
    for which, label in (("local", "LocalCluster"), ("real", "real aisnode")):
        tally = counts[which]
        text = ", ".join(f"{n} {outcome}" for outcome, n in sorted(tally.items())) or "none ran"
        terminalreporter.write_line(f"{label}: {text}")
