"""A real aisnode cluster over HTTPS that also requires client certificates (mutual TLS).

Every object and Get-Batch scenario of ``test_objects_integration`` and
``test_batch_integration`` runs here again, against this cluster, with certificate
verification on (a private CA passed as ``ca_cert``). The tests below check the TLS settings
themselves: a missing CA, ``skip_verify``, ``AIS_CLIENT_CA``, and a missing client certificate.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from aisclient import Client
from aisclient.errors import AISConnectionError
from aisclient.retry import RetryPolicy
from aisclient.testing.real import RealCluster, aisnode_binary
from integration.test_batch_integration import *  # noqa: F403  (the scenarios, collected here again)
from integration.test_objects_integration import *  # noqa: F403

QUICK = RetryPolicy(backoff_factor=0.05, network_wait_min=0.05, network_wait_max=0.2)
pytestmark = pytest.mark.real


@pytest.fixture(scope="module")
def https_cluster() -> Iterator[RealCluster]:
    if aisnode_binary() is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but there is no aisnode binary")
        pytest.skip("no aisnode binary (run `.ci/install-aisnode`)")
    with RealCluster(https=True, client_cert_required=True, promote_dir=True) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def cluster_endpoint(https_cluster: RealCluster) -> str:
    """Overrides the shared fixture: the scenarios above run against the HTTPS cluster only."""
    return https_cluster.endpoint


@pytest.fixture
def client(https_cluster: RealCluster) -> Client:
    return https_cluster.client(retry_config=QUICK, timeout=(3, 60), env={})


def test_endpoint_is_https(https_cluster: RealCluster, client: Client) -> None:
    assert https_cluster.endpoint.startswith("https://127.0.0.1:")
    assert client.config.tls.ca_cert == https_cluster.ca_cert
    assert not client.config.tls.skip_verify
    assert client.cluster().is_ready()


def test_unknown_ca_is_refused_with_a_typed_error(https_cluster: RealCluster) -> None:
    bare = Client(
        https_cluster.endpoint, client_cert=https_cluster.client_cert, env={}, retry_config=QUICK
    )
    with pytest.raises(AISConnectionError) as caught:
        bare.cluster().list_buckets()
    assert "certificate" in str(caught.value).lower()
    assert https_cluster.endpoint in str(caught.value)


def test_skip_verify_trusts_any_server_certificate(https_cluster: RealCluster) -> None:
    trusting = Client(
        https_cluster.endpoint, skip_verify=True, client_cert=https_cluster.client_cert, env={}
    )
    with pytest.warns(UserWarning, match="insecure"):
        assert trusting.cluster().is_ready()


def test_ca_and_client_certificate_from_the_environment(https_cluster: RealCluster) -> None:
    assert https_cluster.ca_cert is not None and https_cluster.client_cert is not None
    cert, key = https_cluster.client_cert
    env = {"AIS_ENDPOINT": https_cluster.endpoint, "AIS_CLIENT_CA": https_cluster.ca_cert,
           "AIS_CRT": cert, "AIS_CRT_KEY": key}  # fmt: skip
    assert Client(env=env).cluster().is_ready()


def test_missing_client_certificate_is_refused(https_cluster: RealCluster) -> None:
    no_cert = Client(
        https_cluster.endpoint, ca_cert=https_cluster.ca_cert, env={}, retry_config=QUICK
    )
    with pytest.raises(AISConnectionError):
        no_cert.cluster().list_buckets()
