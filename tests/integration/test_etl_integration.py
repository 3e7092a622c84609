"""ETL against clusters without Kubernetes: every call fails with a clear, typed 501.

Neither test cluster runs on Kubernetes (the real aisnode is built without ``-tags etl``), so
what can be checked is the error mapping, and that an object read with an ETL fails while the
plain object stays readable.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from aisclient import Client
from aisclient.errors import APIRequestError
from aisclient.etl import Etl, list_etls
from aisclient.etl_config import ETLConfig
from aisclient.ops import object as obj_ops
from aisclient.ops._common import action_body
from aisclient.provider import BucketRef
from aisclient.request import BytesBody, Request


def assert_unsupported(call: Callable[[], object]) -> None:
    with pytest.raises(APIRequestError) as info:
        call()
    assert info.value.status_code == 501, info.value.message
    assert info.value.tcode == "ErrUnsupp"
    assert "ETL" in info.value.detail


@pytest.fixture
def etl(client: Client) -> Etl:
    return client.etl(f"etl-{uuid.uuid4().hex[:8]}")


def test_init_is_unsupported(etl: Etl) -> None:
    assert_unsupported(lambda: etl.init("aistorage/transformer_md5:latest", init_timeout="10s"))
    assert_unsupported(lambda: etl.init_spec("apiVersion: v1\nkind: Pod\n"))


@pytest.mark.parametrize("call", ["view", "logs", "start", "stop", "delete", "health", "metrics"])
def test_other_calls_are_unsupported(etl: Etl, call: str) -> None:
    assert_unsupported(getattr(etl, call))


def test_list_is_unsupported(client: Client) -> None:
    assert_unsupported(lambda: list_etls(client))


def test_context_manager_swallows_the_errors(etl: Etl) -> None:
    with etl as handle:
        assert handle is etl  # exit sends stop and delete, both 501, both ignored


@pytest.fixture
def plain_object(client: Client) -> Iterator[tuple[BucketRef, str]]:
    ref = BucketRef(f"etl-{uuid.uuid4().hex[:10]}")
    client.send(
        Request("POST", ("buckets", ref.name), query=ref.query, body=action_body("create-bck"))
    )
    put = Request(
        "PUT",
        ("objects", ref.name, "obj"),
        query=ref.query,
        body=BytesBody(b"raw"),
        probe_redirect=True,
    )
    client.send(put).close()
    yield ref, "obj"
    client.send(
        Request("DELETE", ("buckets", ref.name), query=ref.query, body=action_body("destroy-bck"))
    ).close()


def test_inline_transform_is_unsupported_and_the_object_stays_readable(
    client: Client, etl: Etl, plain_object: tuple[BucketRef, str]
) -> None:
    ref, name = plain_object
    transformed = obj_ops.get_object(ref, name, etl=ETLConfig(etl, {"k": "v"}))
    assert transformed.query_value("etl_name") == etl.name
    assert_unsupported(lambda: client.send(transformed).content)
    assert client.send(obj_ops.get_object(ref, name)).content == b"raw"
