"""Multi-object request builders: the exact wire format of the AIS wire protocol"""

from __future__ import annotations

import pytest

from aisclient.errors import InvalidBckProvider
from aisclient.ops import multiobj as ops
from aisclient.ops.copy import CopyOptions, EtlStage
from aisclient.provider import BucketRef, Namespace, Provider
from aisclient.request import render_url
from aisclient.session import decode_job_ids

SRC = BucketRef("src")
DST = BucketRef("dst")
NAMES = {"objnames": ["a.jpg"]}
TEMPLATE = {"template": "shard-{001..999}.tar"}


def test_delete_by_names() -> None:
    req = ops.delete_objects(SRC, {"objnames": ["a", "b"]})
    assert req.method == "DELETE"
    assert render_url("http://h:8080", req) == "http://h:8080/v1/buckets/src?provider=ais"
    assert req.json == {"action": "delete-listrange", "name": "", "value": {"objnames": ["a", "b"]}}
    assert req.idempotent is False


def test_delete_by_template_with_namespace() -> None:
    bucket = BucketRef("src", Provider.AIS, Namespace("uuid1", "ns"))
    req = ops.delete_objects(bucket, TEMPLATE)
    assert req.query == (("provider", "ais"), ("namespace", "@uuid1#ns"))
    assert req.json["value"] == {"template": "shard-{001..999}.tar"}


def test_evict_needs_a_remote_bucket() -> None:
    with pytest.raises(InvalidBckProvider, match="needs a remote bucket"):
        ops.evict_objects(SRC, NAMES)
    req = ops.evict_objects(BucketRef("cloud", "aws"), NAMES)
    assert req.method == "DELETE" and req.query == (("provider", "aws"),)
    assert req.json == {"action": "evict-listrange", "name": "", "value": {"objnames": ["a.jpg"]}}


def test_remote_ais_bucket_counts_as_remote() -> None:
    remote = BucketRef("r", Provider.AIS, Namespace("Xuuid", ""))
    assert ops.evict_objects(remote, NAMES).json["action"] == "evict-listrange"


def test_prefetch_spec_example() -> None:
    req = ops.prefetch_objects(BucketRef("b", "gcp"), TEMPLATE)
    assert req.method == "POST" and req.path == ("buckets", "b")
    assert req.json == {
        "action": "prefetch-listrange",
        "name": "",
        "value": {"template": "shard-{001..999}.tar", "coer": False, "latest-ver": False},
    }


def test_prefetch_optional_fields() -> None:
    req = ops.prefetch_objects(
        BucketRef("b", "s3"),
        NAMES,
        blob_threshold=4 << 20,
        num_workers=-1,
        latest=True,
        continue_on_error=True,
    )
    assert req.json["value"] == {
        "objnames": ["a.jpg"],
        "coer": True,
        "latest-ver": True,
        "blob-threshold": 4 << 20,
        "num-workers": -1,
    }


def test_prefetch_validation() -> None:
    with pytest.raises(InvalidBckProvider):
        ops.prefetch_objects(SRC, NAMES)
    with pytest.raises(ValueError, match="blob_threshold"):
        ops.prefetch_objects(BucketRef("b", "aws"), NAMES, blob_threshold=-1)
    with pytest.raises(ValueError, match="num_workers"):
        ops.prefetch_objects(BucketRef("b", "aws"), NAMES, num_workers=-2)


def test_copy_spec_example() -> None:
    req = ops.copy_objects(SRC, NAMES, DST, CopyOptions(prepend="cp/"))
    assert req.method == "POST" and req.path == ("buckets", "src")
    assert req.query == (("provider", "ais"),)  # no bck_to: the destination is in the body
    assert req.json == {
        "action": "copy-listrange",
        "name": "",
        "value": {
            "objnames": ["a.jpg"],
            "prefix": "",
            "prepend": "cp/",
            "dry_run": False,
            "force": False,
            "latest-ver": False,
            "synchronize": False,
            "tobck": {"name": "dst", "provider": "ais", "namespace": None},
            "coer": False,
        },
    }
    assert req.idempotent is False


def test_copy_all_options() -> None:
    req = ops.copy_objects(
        SRC,
        TEMPLATE,
        BucketRef("d", "ais", Namespace("u", "n")),
        CopyOptions(
            prefix="p/",
            continue_on_error=True,
            dry_run=True,
            force=True,
            latest=True,
            sync=True,
            num_workers=4,
        ),
    )
    value = req.json["value"]
    assert value["prefix"] == "p/"
    assert value["tobck"] == {
        "name": "d",
        "provider": "ais",
        "namespace": {"uuid": "u", "name": "n"},
    }
    assert value["coer"] and value["dry_run"] and value["force"]
    assert value["latest-ver"] and value["synchronize"]
    assert value["num-workers"] == 4


def test_copy_prepend_with_sync_is_rejected_before_sending() -> None:
    with pytest.raises(ValueError, match="prepend"):
        ops.copy_objects(SRC, NAMES, DST, CopyOptions(prepend="x/", sync=True))


def test_transform_fields() -> None:
    req = ops.transform_objects(
        SRC,
        NAMES,
        DST,
        EtlStage("my-etl", pipeline=["second-etl"]),
        CopyOptions(ext={"jpg": "png"}),
    )
    value = req.json["value"]
    assert req.json["action"] == "etl-listrange"
    assert value["id"] == "my-etl"
    assert value["request_timeout"] == "5m"
    assert value["pipeline"] == ["second-etl"]
    assert value["ext"] == {"jpg": "png"}
    assert value["tobck"]["name"] == "dst"
    assert (
        ops.transform_objects(SRC, NAMES, DST, EtlStage("etl-one1", timeout="30s")).json["value"][
            "pipeline"
        ]
        is None
    )
    with pytest.raises(ValueError, match="ETL name"):
        ops.transform_objects(SRC, NAMES, DST, EtlStage(""))


def test_archive_spec_example() -> None:
    req = ops.archive_objects(SRC, {"template": "img-{0000..0099}.jpg"}, "shard-0.tar", to_bck=DST)
    assert req.method == "PUT" and req.path == ("buckets", "src")
    assert req.json == {
        "action": "archive",
        "name": "",
        "value": {
            "template": "img-{0000..0099}.jpg",
            "archname": "shard-0.tar",
            "isbn": False,
            "aate": False,
            "coer": False,
            "tobck": {"name": "dst", "provider": "ais", "namespace": None},
        },
    }
    assert req.idempotent is False


def test_archive_defaults_to_the_source_bucket_and_sends_mime() -> None:
    req = ops.archive_objects(
        SRC,
        NAMES,
        "out.tgz",
        mime="tgz",
        include_source_name=True,
        allow_append=True,
        continue_on_err=True,
    )
    value = req.json["value"]
    assert value["tobck"] == {"name": "src", "provider": "ais", "namespace": None}
    assert value["mime"] == ".tgz"
    assert value["isbn"] and value["aate"] and value["coer"]


@pytest.mark.parametrize(
    ("name", "mime", "problem"),
    [
        ("shard", "", "must end with an archive extension"),
        ("shard.gz", "", "must end with an archive extension"),
        ("shard.TAR", "", "must end with an archive extension"),
        ("shard.tar", "zip", "does not match"),
        ("shard.tar.gz", "tgz", "does not match"),
        ("shard.tar", "rar", "unsupported archive format"),
        ("", "", "non-empty"),
    ],
)
def test_archive_name_and_mime_checks(name: str, mime: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        ops.archive_objects(SRC, NAMES, name, mime=mime)


@pytest.mark.parametrize(
    ("mime", "expected"),
    [
        ("tar", ".tar"),
        (".tar", ".tar"),
        ("application/x-tar", ".tar"),
        ("TGZ", ".tgz"),
        ("tar.gz", ".tar.gz"),
        (".tar.lz4", ".tar.lz4"),
        ("application/zip", ".zip"),
        ("", ""),
    ],
)
def test_normalize_mime(mime: str, expected: str) -> None:
    assert ops.normalize_mime(mime) == expected


@pytest.mark.parametrize(
    "selection",
    [{}, {"objnames": []}, {"objnames": ["a"], "template": "b"}, {"objnames": "abc"}],
)
def test_bad_selections(selection: dict[str, object]) -> None:
    with pytest.raises((ValueError, TypeError)):
        ops.delete_objects(SRC, selection)


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("tco-abc", ["tco-abc"]),
        ("id1,id2", ["id1", "id2"]),
        (" id1 , id2\n", ["id1", "id2"]),
        ('"id1"', ["id1"]),
        ("", []),
    ],
)
def test_decode_job_ids(text: str, ids: list[str]) -> None:
    assert decode_job_ids(text) == ids
