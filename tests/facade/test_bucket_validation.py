"""Bad bucket-call arguments fail with a TypeError/ValueError naming them, sending nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from aisclient import Client
from aisclient.enums import ListObjectFlag
from aisclient.ops import bucket as ops
from aisclient.ops.copy import CopyOptions, EtlStage
from aisclient.provider import BucketRef
from aisclient.transport.base import BytesResponse
from aisclient.transport.mock import StubTransport

Call = Callable[[Any], object]


BAD_CALLS: list[tuple[str, Call, type[Exception], str]] = [
    ("copy to a str", lambda b: b.copy("dst"), TypeError, "to_bck must be a Bucket"),
    ("transform to a str", lambda b: b.transform("my-etl", "dst"), TypeError, "to_bck"),
    ("flags of ints", lambda b: b.list_objects(flags=[1]), TypeError, "ListObjectFlag"),
    ("flags as str", lambda b: b.list_objects(flags="x"), TypeError, "flags must be a list"),
    (
        "one flag, not a list",
        lambda b: b.list_objects(flags=ListObjectFlag.CACHED),
        TypeError,
        "flags must be a list",
    ),
    ("page_size float", lambda b: b.list_objects(page_size=1.5), TypeError, "page_size"),
    ("page_size str", lambda b: b.list_objects(page_size="10"), TypeError, "page_size"),
    ("page_size None", lambda b: b.list_objects(page_size=None), TypeError, "page_size"),
    ("page_size < 0", lambda b: b.list_objects(page_size=-1), ValueError, "page_size"),
    ("prefix int", lambda b: b.list_objects(prefix=5), TypeError, "prefix"),
    ("props int", lambda b: b.list_objects(props=5), TypeError, "props"),
    ("iter page_size", lambda b: next(b.list_objects_iter(page_size="10")), TypeError, "page_size"),
    ("list_archive('')", lambda b: b.list_archive(""), ValueError, "archive_obj_name"),
    ("list_archive(None)", lambda b: b.list_archive(None), ValueError, "archive_obj_name"),
    (
        "names_per_chunk < 0",
        lambda b: b.create_inventory(names_per_chunk=-1),
        ValueError,
        "names_per_chunk",
    ),
    ("inventory prefix", lambda b: b.create_inventory(prefix=1), TypeError, "prefix"),
    ("summary uuid int", lambda b: b.summary(uuid=5), TypeError, "uuid"),
    ("info presence 99", lambda b: b.info(flt_presence=99), ValueError, "flt_presence"),
    ("info presence str", lambda b: b.info(flt_presence="x"), TypeError, "flt_presence"),
]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [case[1:] for case in BAD_CALLS],
    ids=[case[0] for case in BAD_CALLS],
)
def test_bad_arguments_raise_before_any_request(
    client: Client, stub: StubTransport, call: Call, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        call(client.bucket("src"))
    stub.assert_done()


def test_copy_workers_and_ext_are_checked(client: Client, stub: StubTransport) -> None:
    src, dst = client.bucket("src"), client.bucket("dst")
    with pytest.raises(ValueError, match="num_workers must be -1"):
        src.copy(dst, num_workers=-2)
    with pytest.raises(TypeError, match="num_workers must be an int"):
        src.copy(dst, num_workers="4")
    with pytest.raises(TypeError, match=r"ext must map source extensions.*\{'jpg': 'png'\}"):
        src.copy(dst, ext="x")
    with pytest.raises(TypeError, match="ext must map"):
        src.transform("my-etl", dst, ext={"jpg": 1})
    stub.assert_done()


def test_serial_workers_and_an_ext_map_are_sent() -> None:
    # -1 is the API's "serial" value (not an error); ext goes out as given.
    value = ops.copy_bucket(
        BucketRef("s"), BucketRef("d"), CopyOptions(num_workers=-1, ext={"a": "b"})
    ).json
    assert value["value"]["num-workers"] == -1 and value["value"]["ext"] == {"a": "b"}


@pytest.mark.parametrize("name", ["X Y", "ab", "Upper-case", "trailing-", "", "x" * 33])
def test_transform_and_inspect_check_etl_names(
    client: Client, stub: StubTransport, name: str
) -> None:
    src, dst = client.bucket("src"), client.bucket("dst")
    with pytest.raises(ValueError, match="ETL name"):
        src.transform(name, dst)
    with pytest.raises(ValueError, match="ETL name"):
        src.inspect(name)
    with pytest.raises(ValueError, match="ETL name"):
        src.transform("good-etl", dst, etl_pipeline=["good-two", name])
    stub.assert_done()


def test_transform_timeout_and_pipeline_shape(client: Client, stub: StubTransport) -> None:
    src, dst = client.bucket("src"), client.bucket("dst")
    with pytest.raises(ValueError, match="timeout"):
        src.transform("my-etl", dst, timeout=5)
    with pytest.raises(TypeError, match="etl_pipeline"):
        src.transform("my-etl", dst, etl_pipeline="other-etl")
    stub.assert_done()


def test_valid_calls_still_send(client: Client, stub: StubTransport) -> None:
    src, dst = client.bucket("src"), client.bucket("dst")
    stub.expect(
        ops.transform_bucket(src.ref, dst.ref, EtlStage("my-etl", pipeline=["next-etl"])),
        BytesResponse(200, b"job-1"),
    )
    assert src.transform("my-etl", dst, etl_pipeline=["next-etl"]) == "job-1"
    stub.expect(ops.copy_bucket(src.ref, dst.ref), BytesResponse(200, b"job-2"))
    assert src.copy(dst.ref) == "job-2"  # a BucketRef works too
    stub.expect(ops.list_objects(src.ref, flags=0), BytesResponse.of_json({"entries": []}))
    assert src.list_objects(flags=[]).entries == []
    stub.assert_done()
