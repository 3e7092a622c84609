"""The exact requests the object builders produce, checked against the wire spec (section 3)."""

from __future__ import annotations

import pytest

from aisclient.archive_config import ArchiveConfig, BlobDownloadConfig
from aisclient.enums import ArchiveMode
from aisclient.etl_config import ETLConfig
from aisclient.ops import object as ops
from aisclient.provider import BucketRef, Namespace
from aisclient.request import BytesBody, FileBody, IterBody, render_url

BCK = BucketRef("bck")
BASE = "http://proxy:8080"


class FakeEtl:
    def __init__(self, name: str, pipeline: list[str]) -> None:
        self.name = name
        self.pipeline = pipeline


def test_get_object_plain_is_streamed_and_lean() -> None:
    request = ops.get_object(BCK, "dir/file.bin")
    assert request.method == "GET"
    assert request.path == ("objects", "bck", "dir/file.bin")
    assert request.query == (("provider", "ais"),)
    assert request.headers == ()
    assert request.body is None
    assert request.stream and request.idempotent
    assert render_url(BASE, request) == "http://proxy:8080/v1/objects/bck/dir/file.bin?provider=ais"


def test_get_object_with_range_latest_archive_etl() -> None:
    request = ops.get_object(
        BCK,
        "a.tar",
        latest=True,
        archive=ArchiveConfig(regex="^img", mode=ArchiveMode.REGEXP),
        etl=ETLConfig("etl-one", {"k": 1}),
    )
    assert request.query == (
        ("provider", "ais"),
        ("latest-ver", "true"),
        ("archregx", "^img"),
        ("archmode", "regexp"),
        ("etl_name", "etl-one"),
        ("etl_args", '{"k":1}'),
    )
    ranged = ops.get_object(BCK, "o", byte_range="bytes=0-499")
    assert ranged.headers == (("Range", "bytes=0-499"),)


def test_get_object_blob_headers() -> None:
    request = ops.get_object(BCK, "o", blob=BlobDownloadConfig("4mb", "3"))
    assert request.headers == (
        ("Ais-Blob-Download", "true"),
        ("Ais-Blob-Chunk", "4mb"),
        ("Ais-Blob-Workers", "3"),
    )
    assert ops.get_object(BCK, "o", blob=BlobDownloadConfig()).headers == (
        ("Ais-Blob-Download", "true"),
    )


def test_archive_config_validation_and_archpath() -> None:
    assert ArchiveConfig(archpath="x/y.jpg").query_pairs() == (("archpath", "x/y.jpg"),)
    with pytest.raises(ValueError):
        ArchiveConfig(mode=ArchiveMode.PREFIX)
    with pytest.raises(ValueError):
        ArchiveConfig(regex="a")
    with pytest.raises(ValueError):
        ArchiveConfig(archpath="p", regex="a", mode=ArchiveMode.SUFFIX)


def test_etl_config_query_pairs() -> None:
    assert ETLConfig("etl-one1").query_pairs() == (("etl_name", "etl-one1"),)
    assert ETLConfig("etl-one1", "raw text").query_pairs() == (
        ("etl_name", "etl-one1"),
        ("etl_args", "raw text"),
    )
    chained = ETLConfig(FakeEtl("first-etl", ["second-etl", "third-etl"]), {"a": 1, "b": "x"})
    assert chained.query_pairs() == (
        ("etl_name", "first-etl"),
        ("etl_pipeline", "second-etl,third-etl"),
        ("etl_args", '{"a":1,"b":"x"}'),
    )
    # An Etl value always carries etl_pipeline, even when empty.
    assert ETLConfig(FakeEtl("solo-etl", [])).query_pairs() == (
        ("etl_name", "solo-etl"),
        ("etl_pipeline", ""),
    )
    params: dict[str, str] = {"provider": "ais"}
    ETLConfig("etl-one1", {"k": "v"}).update_qparams(params)
    assert params == {"provider": "ais", "etl_name": "etl-one1", "etl_args": '{"k":"v"}'}


def test_head_object_props_and_flags() -> None:
    assert ops.head_object(BCK, "o").query == (("provider", "ais"), ("props", "name,size"))
    assert ops.head_object(BCK, "o", "").query_value("props") == "name,size"
    request = ops.head_object(BCK, "dir/", ops.PROPS_FULL, presence=2, latest=True)
    assert request.method == "HEAD"
    assert request.query == (
        ("provider", "ais"),
        ("props", "checksum,atime,version,copies,custom,location"),
        ("presence", "2"),
        ("latest-ver", "true"),
    )


def test_put_object_bytes_probes_redirect() -> None:
    request = ops.put_object(BCK, "o", BytesBody(b"data"))
    assert request.method == "PUT"
    assert request.probe_redirect
    assert request.body == BytesBody(b"data")
    assert request.headers == ()


def test_put_object_checksum_custom_md_skip_vc() -> None:
    request = ops.put_object(
        BCK,
        "o",
        FileBody("/etc/hostname"),
        checksum_type="md5",
        checksum_value="abc",
        custom_metadata={"k1": "v1", "k2": "v=2"},
        skip_vc=True,
    )
    assert request.query == (("provider", "ais"), ("skip_vc", "true"))
    assert request.headers == (
        ("Ais-Checksum-Type", "md5"),
        ("Ais-Checksum-Value", "abc"),
        ("Ais-Custom-Md", "k1=v1"),
        ("Ais-Custom-Md", "k2=v=2"),
    )
    with pytest.raises(ValueError, match="both"):
        ops.put_object(BCK, "o", BytesBody(b""), checksum_type="md5")
    with pytest.raises(ValueError):
        ops.put_object(BCK, "o", BytesBody(b""), custom_metadata={"a=b": "c"})


def test_iter_body_put_is_not_replayable() -> None:
    request = ops.put_object(BCK, "o", IterBody(iter([b"a"])))
    assert not request.replayable


@pytest.mark.parametrize(
    "name",
    ["", "dir/", "a/./b", "./a", "a/..", "../x", "~/home", ".", "..", "a//b", "/lead", "a\x00b"],
)
def test_write_names_that_ais_refuses_fail_before_sending(name: str) -> None:
    with pytest.raises(ValueError):
        ops.put_object(BCK, name, BytesBody(b""))
    with pytest.raises(ValueError):
        ops.append_object(BCK, name, b"x")
    with pytest.raises(ValueError):
        ops.mpt_create(BCK, name)


@pytest.mark.parametrize("name", ["a..b", "..x", "x/.hidden", "a/~/b", "dot.", "~x", "a/b"])
def test_write_names_that_ais_accepts(name: str) -> None:
    assert ops.put_object(BCK, name, BytesBody(b"")).path[-1] == name


def test_append_and_flush() -> None:
    first = ops.append_object(BCK, "o", b"abc")
    assert first.query == (("provider", "ais"), ("append_type", "append"), ("append_handle", ""))
    assert first.body == BytesBody(b"abc")
    assert not first.idempotent
    assert first.probe_redirect
    flush = ops.append_object(
        BCK, "o", b"", "t1|/w|xxhash|AAA", flush=True, checksum_type="xxhash", checksum_value="9"
    )
    assert flush.query == (
        ("provider", "ais"),
        ("append_type", "flush"),
        ("append_handle", "t1|/w|xxhash|AAA"),
    )
    assert flush.body is None
    assert not flush.idempotent
    assert flush.header("Ais-Checksum-Value") == "9"
    assert "append_handle=t1%7C%2Fw%7Cxxhash%7CAAA" in render_url(BASE, flush)
    with pytest.raises(ValueError):
        ops.append_object(BCK, "o", b"", "", flush=True)
    with pytest.raises(ValueError):
        ops.append_object(BCK, "o", b"late data", "h", flush=True)


def test_delete_and_evict_object() -> None:
    delete = ops.delete_object(BCK, "o")
    assert (delete.method, delete.body) == ("DELETE", None)
    evict = ops.evict_object(BucketRef("c", "aws"), "d/o")
    assert evict.method == "DELETE"
    assert evict.path == ("objects", "c", "d/o")
    assert evict.json == {"action": "evict-listrange", "name": "c/d/o", "value": None}


def test_copy_object_always_sends_latest_and_sync() -> None:
    request = ops.copy_object(BCK, "src/o", "ais/@#/dst/new/name.bin")
    assert request.method == "PUT"
    assert request.query == (
        ("provider", "ais"),
        ("object_to", "ais/@#/dst/new/name.bin"),
        ("latest-ver", "false"),
        ("synchronize", "false"),
    )
    assert request.body is None
    with_etl = ops.copy_object(
        BCK, "o", "ais/@#/d/o", latest=True, sync=True, etl=ETLConfig("etl-one1")
    )
    assert with_etl.query[2:] == (
        ("latest-ver", "true"),
        ("synchronize", "true"),
        ("etl_name", "etl-one1"),
    )
    assert "object_to=ais%2F%40%23%2Fd%2Fo" in render_url(BASE, with_etl)


def test_rename_object() -> None:
    request = ops.rename_object(BCK, "old", "new/name")
    assert request.method == "POST"
    assert request.json == {"action": "rename-obj", "name": "new/name", "value": None}
    with pytest.raises(ValueError):
        ops.rename_object(BCK, "o", "o")
    with pytest.raises(ValueError):
        ops.rename_object(BCK, "o", "bad/")


def test_set_custom_props() -> None:
    request = ops.set_custom_props(BCK, "o", {"k": "v", "n": "1"})
    assert request.method == "PATCH"
    assert request.query == (("provider", "ais"),)
    assert request.json == {"action": "", "name": "", "value": {"k": "v", "n": "1"}}
    replace = ops.set_custom_props(BCK, "o", {"k": "v"}, replace_existing=True)
    assert replace.query == (("provider", "ais"), ("set-new-custom", "true"))
    with pytest.raises(ValueError):
        ops.set_custom_props(BCK, "o", {"": "v"})


def test_promote_body() -> None:
    request = ops.promote(BCK, "/var/lib/ais/promote/d", "prefix/", recursive=True)
    assert request.path == ("objects", "bck")
    assert request.json == {
        "action": "promote",
        "name": "/var/lib/ais/promote/d",
        "value": {
            "tid": "",
            "src": "/var/lib/ais/promote/d",
            "obj": "prefix/",
            "rcr": True,
            "ovw": False,
            "dls": False,
            "notshr": False,
        },
    }


def test_blob_download_and_prefetch() -> None:
    remote = BucketRef("c", "aws")
    blob = ops.blob_download(remote, "big", chunk_size=1 << 20, num_workers=4, latest=True)
    assert blob.method == "POST"
    assert blob.path == ("objects", "c")
    assert blob.json == {
        "action": "blob-download",
        "name": "big",
        "value": {"latest-ver": True, "chunk-size": 1 << 20, "num-workers": 4},
    }
    assert ops.blob_download(remote, "b").json["value"] == {"latest-ver": False}
    prefetch = ops.prefetch_objects(remote, ["o"], blob_threshold=5 << 20)
    assert prefetch.path == ("buckets", "c")
    assert prefetch.json == {
        "action": "prefetch-listrange",
        "name": "",
        "value": {"objnames": ["o"], "coer": False, "latest-ver": False, "blob-threshold": 5 << 20},
    }


def test_multipart_builders() -> None:
    create = ops.mpt_create(BCK, "big")
    assert create.method == "POST"
    assert create.json == {"action": "mpt-upload", "name": "", "value": None}
    part = ops.mpt_put_part(BCK, "big", "up1", 2, BytesBody(b"p"))
    assert part.method == "PUT"
    assert part.query == (("provider", "ais"), ("uploadId", "up1"), ("partNumber", "2"))
    assert part.probe_redirect
    complete = ops.mpt_complete(BCK, "big", "up1", [1, 2])
    assert complete.query == (("provider", "ais"), ("uploadId", "up1"))
    assert complete.json == {
        "action": "mpt-complete",
        "name": "",
        "value": [{"part-number": 1, "etag": ""}, {"part-number": 2, "etag": ""}],
    }
    abort = ops.mpt_abort(BCK, "big", "up1")
    assert abort.method == "DELETE"
    assert abort.json == {"action": "mpt-abort", "name": "", "value": None}


def test_namespace_rides_on_every_object_request() -> None:
    ref = BucketRef("b", "ais", Namespace("u", "n"))
    for request in (
        ops.get_object(ref, "o"),
        ops.head_object(ref, "o"),
        ops.delete_object(ref, "o"),
        ops.put_object(ref, "o", BytesBody(b"")),
    ):
        assert request.query[:2] == (("provider", "ais"), ("namespace", "@u#n"))


def test_check_lock_is_a_safe_post() -> None:
    request = ops.check_lock(BCK, "o")
    assert request.method == "POST"
    assert request.idempotent
    assert request.json == {"action": "check-lock", "name": "", "value": None}
