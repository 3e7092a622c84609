"""Get-Batch builders: the exact request and entry validation."""

from __future__ import annotations

import pytest

from aisclient.enums import Colocation
from aisclient.models.batch import (
    MossIn,
    MossReq,
    decode_moss_resp,
    decode_opaque,
    encode_opaque,
    moss_req_wire,
)
from aisclient.ops import batch as ops
from aisclient.provider import BucketRef, Namespace, Provider
from aisclient.request import JsonBody, Request

BCK = BucketRef("bck1")


def test_request_matches_spec_example() -> None:
    req = ops.new_request(colocation=Colocation.TARGET_AWARE).extend(
        [
            ops.make_entry("a.txt", BCK),
            ops.make_entry("x.tar", BCK, opaque=b"hi", archpath="d/f.jpg", start=5, length=10),
        ]
    )
    request = ops.get_batch(req, BCK)
    assert request == Request(
        "GET",
        ("ml", "moss", "bck1"),
        query=(("provider", "ais"), ("coloc", "1")),
        body=JsonBody.of(
            {
                "in": [
                    {"objname": "a.txt", "bucket": "bck1", "provider": "ais"},
                    {
                        "objname": "x.tar",
                        "bucket": "bck1",
                        "provider": "ais",
                        "opaque": "aGk=",
                        "archpath": "d/f.jpg",
                        "start": 5,
                        "length": 10,
                    },
                ],
                "mime": ".tar",
                "coer": True,
                "onob": False,
                "strm": True,
                "coloc": 1,
            }
        ),
        stream=True,
        idempotent=True,
    )
    assert request.header("Content-Type") is None  # the JSON body supplies application/json
    assert request.body is not None and request.body.content_type == "application/json"


def test_without_default_bucket_the_path_is_bare_and_flags_are_always_sent() -> None:
    req = ops.new_request(
        output_format=".ZIP", cont_on_err=False, only_obj_name=True, streaming_get=False
    ).add(ops.make_entry("o", BucketRef("b", "aws")))
    request = ops.get_batch(req)
    assert request.path == ("ml", "moss")
    assert request.query == ()
    assert request.json == {
        "in": [{"objname": "o", "bucket": "b", "provider": "aws"}],
        "mime": ".zip",
        "coer": False,
        "onob": True,
        "strm": False,
    }


def test_namespaced_default_bucket_sends_namespace_and_entry_uname() -> None:
    ns_bck = BucketRef("b", Provider.AIS, Namespace("uuid1", "ns"))
    req = ops.new_request().add(ops.make_entry("dir/o", ns_bck))
    request = ops.get_batch(req, ns_bck)
    assert request.query == (("provider", "ais"), ("namespace", "@uuid1#ns"))
    assert request.json["in"][0]["uname"] == "ais/@uuid1#ns/b/dir/o"


def test_empty_request_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one entry"):
        ops.get_batch(ops.new_request(), BCK)


@pytest.mark.parametrize("fmt", [".tar", ".tgz", ".tar.gz", ".zip", ".TAR", ".Tar.Gz"])
def test_supported_formats(fmt: str) -> None:
    assert ops.normalize_output_format(fmt) == fmt.lower()


@pytest.mark.parametrize("fmt", ["tar", "tgz", ".tar.lz4", "zip", "", ".rar", "application/x-tar"])
def test_unsupported_formats(fmt: str) -> None:
    with pytest.raises(ValueError, match="output_format"):
        ops.normalize_output_format(fmt)


def test_colocation_levels() -> None:
    assert ops.validate_colocation(Colocation.NONE) == 0
    assert ops.validate_colocation(1) == 1
    with pytest.raises(NotImplementedError):
        ops.validate_colocation(Colocation.TARGET_AND_SHARD_AWARE)
    for bad in (-1, 3, 7):
        with pytest.raises(ValueError, match="colocation"):
            ops.validate_colocation(bad)
    with pytest.raises(TypeError):
        ops.validate_colocation("1")  # type: ignore[arg-type]
    assert "coloc" not in moss_req_wire(MossReq(colocation=None))


@pytest.mark.parametrize(
    ("start", "length", "expected"),
    [
        (None, None, (None, None)),
        (0, 0, (None, None)),
        (0, 10, (None, 10)),
        (5, 10, (5, 10)),
        (5, -1, (5, -1)),
        (None, -1, (None, -1)),
    ],
)
def test_valid_ranges(start: int | None, length: int | None, expected: tuple[object, ...]) -> None:
    assert ops.validate_range(start, length) == expected


@pytest.mark.parametrize(
    ("start", "length", "message"),
    [
        (-1, 5, "start must be >= 0"),
        (0, -2, "length must be"),
        (5, None, "needs a length"),
        (5, 0, "needs a length"),
    ],
)
def test_invalid_ranges(start: int, length: int | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ops.validate_range(start, length)


def test_range_types() -> None:
    with pytest.raises(TypeError):
        ops.validate_range(True, 5)
    with pytest.raises(TypeError):
        ops.validate_range(1.5, 5)  # type: ignore[arg-type]


def test_entry_validation() -> None:
    with pytest.raises(ValueError, match="empty"):
        ops.make_entry("", BCK)
    with pytest.raises(TypeError):
        ops.make_entry(b"x", BCK)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="opaque"):
        ops.make_entry("x", BCK, opaque="text")  # type: ignore[arg-type]
    assert ops.make_entry("x", BCK, archpath="").archpath is None
    assert ops.make_entry("x", BCK, opaque=b"").opaque is None


def test_member_names() -> None:
    entry = MossIn("x.tar", bck="b1", provider="ais", archpath="/d/f.jpg")
    assert ops.member_name(entry, False) == "b1/x.tar/d/f.jpg"
    assert ops.member_name(entry, True) == "x.tar/d/f.jpg"
    assert ops.missing_member_names(entry, False) == {
        "__404__/b1/x.tar",
        "__404__/b1/x.tar/d/f.jpg",
        "__404__/b1/x.tar//d/f.jpg",
    }
    plain = MossIn("o", bck="b1", provider="ais")
    assert ops.missing_member_names(plain, True) == {"__404__/o"}


def test_opaque_encoding() -> None:
    assert encode_opaque(b"hi") == "aGk="
    assert decode_opaque("aGk=") == b"hi"
    assert decode_opaque("-_8=") == b"\xfb\xff"  # URL-safe alphabet accepted too
    assert decode_opaque("not base64!") is None
    assert decode_opaque("") is None
    assert decode_opaque(None) is None


def test_decode_moss_resp_from_spec_example() -> None:
    doc = {
        "uuid": "gbt-1",
        "out": [
            {"objname": "a.txt", "bucket": "b1", "provider": "ais", "size": 1234},
            {
                "objname": "x.tar",
                "archpath": "d/f.jpg",
                "bucket": "b1",
                "provider": "ais",
                "opaque": "aGk=",
                "size": "10",
            },
            {"objname": "gone", "bucket": "b1", "provider": "ais", "err_msg": "not found"},
        ],
    }
    resp = decode_moss_resp(doc)
    assert resp.uuid == "gbt-1"
    assert [o.obj_name for o in resp.out] == ["a.txt", "x.tar", "gone"]
    assert resp.out[1].archpath == "d/f.jpg" and resp.out[1].opaque == b"hi"
    assert resp.out[1].size == 10
    assert resp.out[0].archpath is None and resp.out[0].err_msg is None
    assert resp.out[2].missing and resp.out[2].size == 0
    with pytest.raises(ValueError):
        decode_moss_resp([])
