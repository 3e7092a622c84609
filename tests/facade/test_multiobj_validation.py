"""Object groups: empty names, ETL names and copy options are checked before any request."""

from __future__ import annotations

import pytest

from aisclient import Client
from aisclient.multiobj import ObjectNames
from aisclient.ops import multiobj as ops
from aisclient.provider import BucketRef
from aisclient.transport.mock import StubTransport


def test_empty_object_names_are_rejected(client: Client, stub: StubTransport) -> None:
    with pytest.raises(ValueError, match="object names must not be empty"):
        client.bucket("b").objects(obj_names=[""])
    with pytest.raises(ValueError, match="object names must not be empty"):
        ObjectNames(["a", ""])
    with pytest.raises(ValueError, match="empty object name"):
        ops.delete_objects(BucketRef("b"), {"objnames": ["a", ""]})
    stub.assert_done()


@pytest.mark.parametrize("name", ["X Y", "ab", "UPPER-etl", "-lead-etl", ""])
def test_transform_and_inspect_check_etl_names(
    client: Client, stub: StubTransport, name: str
) -> None:
    group = client.bucket("b").objects(obj_names=["a"])
    with pytest.raises(ValueError, match="ETL name"):
        group.transform(client.bucket("d"), name)
    with pytest.raises(ValueError, match="ETL name"):
        group.inspect(name)
    with pytest.raises(ValueError, match="ETL name"):
        group.transform(client.bucket("d"), "good-etl", etl_pipeline=[name])
    stub.assert_done()


def test_copy_options_are_checked(client: Client, stub: StubTransport) -> None:
    group = client.bucket("b", "aws").objects(obj_names=["a"])
    with pytest.raises(TypeError, match="ext must map"):
        group.transform(client.bucket("d"), "good-etl", ext="x")
    with pytest.raises(ValueError, match="num_workers"):
        group.prefetch(num_workers=-2)
    with pytest.raises(TypeError, match="to_bck must be a Bucket"):
        group.copy("d")
    stub.assert_done()
    # -1 means "serial" in the API: allowed and sent.
    request = ops.prefetch_objects(BucketRef("b", "aws"), {"objnames": ["a"]}, num_workers=-1)
    assert request.json["value"]["num-workers"] == -1
