"""Provider/BucketRef call shapes of the official SDK: ``is_remote()`` and the namespace arg."""

from __future__ import annotations

import pytest

from aisclient import Client
from aisclient.errors import InvalidBckProvider
from aisclient.ops import multiobj as multiobj_ops
from aisclient.provider import BucketRef, Namespace, Provider
from aisclient.transport.mock import StubTransport


def offline() -> Client:
    return Client("http://ais.invalid:8080", transport=StubTransport())


def test_is_remote_is_a_method_like_the_sdk() -> None:
    assert callable(Provider.AIS.is_remote)
    assert Provider.AIS.is_remote() is False
    for provider in (Provider.AMAZON, Provider.GOOGLE, Provider.AZURE, Provider.OCI):
        assert provider.is_remote() is True


def test_bucket_ref_is_remote_counts_remote_ais_namespaces() -> None:
    assert BucketRef("b").is_remote() is False
    assert BucketRef("b", namespace=Namespace(name="only-a-name")).is_remote() is False
    assert BucketRef("b", namespace=Namespace(uuid="cluster-2")).is_remote() is True
    assert BucketRef("b", "gcp").is_remote() is True


def test_remote_checks_still_tell_ais_from_cloud_buckets() -> None:
    selection = {"objnames": ["a"]}
    with pytest.raises(InvalidBckProvider):
        multiobj_ops.evict_objects(BucketRef("b"), selection)
    assert multiobj_ops.evict_objects(BucketRef("b", "aws"), selection).method == "DELETE"
    client = offline()
    with pytest.raises(InvalidBckProvider):
        client.bucket("b").evict()
    with pytest.raises(InvalidBckProvider):
        client.bucket("b").objects(obj_names=["a"]).prefetch()
    with pytest.raises(NotImplementedError):
        client.bucket("b", "aws").list_objects(start_after="x")


def test_namespace_argument_takes_a_namespace_or_its_path() -> None:
    client = offline()
    ns = Namespace("uuid-1", "ns")
    assert client.bucket("b", namespace=ns).namespace == ns
    assert client.bucket("b", namespace="@uuid-1#ns").namespace == ns
    assert client.bucket("b", namespace="@#ns").namespace == Namespace("", "ns")
    assert BucketRef("b", namespace="@uuid-1#ns").query[-1] == ("namespace", "@uuid-1#ns")
    with pytest.raises(ValueError, match="namespace 'ns' must be a Namespace"):
        client.bucket("b", namespace="ns")
    with pytest.raises(TypeError, match="namespace must be a Namespace"):
        client.bucket("b", namespace=5)  # type: ignore[arg-type]
