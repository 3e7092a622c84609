"""Object, ObjectWriter, ObjectFileWriter and MultipartUpload through a StubTransport: the
exact requests each call sends and what it returns."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from _support.stubs import capture
from aisclient import Client
from aisclient.errors import ErrObjNotFound, InvalidBckProvider
from aisclient.etl_config import ETLConfig
from aisclient.models.object import ObjectProps
from aisclient.ops import object as ops
from aisclient.provider import BucketRef
from aisclient.request import BytesBody, FileBody, IterBody, Request
from aisclient.transport.base import BytesResponse
from aisclient.transport.mock import StubTransport

BCK = BucketRef("b")


def test_factories_send_nothing(client: Client, stub: StubTransport) -> None:
    obj = client.bucket("b").object("o")
    obj.get_writer()
    obj.multipart_upload()
    obj.get_reader()
    stub.assert_done()


def test_identity_and_urls(client: Client) -> None:
    obj = client.bucket("b", "s3").object("dir/a b?#.bin")
    assert obj.name == "dir/a b?#.bin"
    assert obj.bucket_name == "b"
    assert obj.bucket_provider.value == "aws"
    assert obj.query_params == {"provider": "aws"}
    assert obj.uname == "aws/@#/b/dir/a b?#.bin"
    assert obj.get_semantic_url() == "aws://b/dir/a b?#.bin"
    assert obj.get_url() == "http://proxy:8080/v1/objects/b/dir/a%20b%3F%23.bin?provider=aws"
    assert obj.get_url(archpath="x/y", etl=ETLConfig("etl-one1", {"k": "v"})) == (
        "http://proxy:8080/v1/objects/b/dir/a%20b%3F%23.bin?provider=aws&archpath=x%2Fy"
        "&etl_name=etl-one1&etl_args=%7B%22k%22%3A%22v%22%7D"
    )


def test_head_decodes_props_and_caches(client: Client, stub: StubTransport) -> None:
    headers = {
        "Content-Length": "42",
        "Ais-Checksum-Type": "xxhash2",
        "Ais-Checksum-Value": "abc",
        "Ais-Version": "7",
        "Ais-Atime": "1795595614514563770",
        "Ais-Present": "true",
    }
    stub.expect(ops.head_object(BCK, "o"), BytesResponse(200, b"", headers))
    obj = client.bucket("b").object("o")
    assert obj.props_cached is None
    props = obj.head()
    assert (props.size, props.checksum_type, props.checksum_value) == (42, "xxhash2", "abc")
    assert (props.obj_version, props.access_time, props.present) == (
        "7",
        "1795595614514563770",
        True,
    )
    # v2 HEAD does not name the object; the handle fills in what it knows
    assert (props.name, props.bucket_name, props.bucket_provider) == ("o", "b", "ais")
    assert obj.props_cached is props
    stub.expect(ops.head_object(BCK, "o", ops.PROPS_FULL), BytesResponse(200, b"", headers))
    assert obj.props.size == 42
    stub.assert_done()


def test_head_error_comes_from_hdr_error(client: Client, stub: StubTransport) -> None:
    hdr = '{"tcode":"ErrNotFound","message":"t[x]: ais://b/o does not exist","status":404}'
    stub.expect(ops.head_object(BCK, "o"), BytesResponse(404, b"", {"Hdr-Error": hdr}))
    with pytest.raises(ErrObjNotFound):
        client.bucket("b").object("o").head()
    stub.expect(ops.head_object(BCK, "o"), BytesResponse(404, b"", {"Hdr-Error": hdr}))
    assert client.bucket("b").object("o").exists() is False


def test_put_content_file_and_iter(client: Client, stub: StubTransport, tmp_path: Path) -> None:
    obj = client.bucket("b").object("o")
    stub.expect(ops.put_object(BCK, "o", BytesBody(b"abc")), 200)
    assert obj.get_writer().put_content(b"abc").status == 200
    path = tmp_path / "f.bin"
    path.write_bytes(b"file data")
    stub.expect(ops.put_object(BCK, "o", FileBody(str(path))), 200)
    obj.get_writer().put_file(path)
    seen: list[Request] = []
    stub.expect(capture(seen), 200)
    obj.get_writer().put_iter(iter([b"a", b"b"]), size=2, custom_metadata={"k": "v"})
    assert isinstance(seen[0].body, IterBody) and seen[0].body.length == 2
    assert seen[0].header("Ais-Custom-Md") == "k=v"
    stub.assert_done()
    with pytest.raises(ValueError):
        obj.get_writer().put_file(tmp_path)  # a directory
    with pytest.raises(TypeError):
        obj.get_writer().put_content("text")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        obj.get_writer().put_iter(b"bytes")  # type: ignore[arg-type]


def test_put_file_is_streamed_from_disk(
    client: Client, stub: StubTransport, tmp_path: Path
) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(3 << 20))
    seen: list[Request] = []
    stub.expect(capture(seen), 200)
    client.bucket("b").object("big").get_writer().put_file(str(path))
    body = seen[0].body
    assert isinstance(body, FileBody) and body.path == str(path)
    assert seen[0].probe_redirect
    assert max(len(chunk) for chunk in body.chunks()) <= 1 << 20


def test_append_content_returns_handles_and_flush_sends_no_data(
    client: Client, stub: StubTransport
) -> None:
    writer = client.bucket("b").object("o").get_writer()
    stub.expect(
        ops.append_object(BCK, "o", b"one"), BytesResponse(200, b"", {"Ais-Append-Handle": "h1"})
    )
    assert writer.append_content(b"one") == "h1"
    # content passed with flush=True is appended first, then an empty flush is sent
    stub.expect(
        ops.append_object(BCK, "o", b"two", "h1"),
        BytesResponse(200, b"", {"Ais-Append-Handle": "h2"}),
    )
    flush = ops.append_object(BCK, "o", b"", "h2", flush=True)
    stub.expect(lambda r: r == flush, 200)
    assert writer.append_content(b"two", handle="h1", flush=True) == ""
    stub.assert_done()
    with pytest.raises(ValueError):
        writer.append_content(b"", flush=True)


def test_set_custom_props(client: Client, stub: StubTransport) -> None:
    stub.expect(ops.set_custom_props(BCK, "o", {"a": "1"}, True), 200)
    client.bucket("b").object("o").get_writer().set_custom_props({"a": "1"}, replace_existing=True)
    stub.assert_done()


def test_file_writer_modes(client: Client, stub: StubTransport) -> None:
    writer = client.bucket("b").object("o").get_writer()
    stub.expect(ops.put_object(BCK, "o", BytesBody(b"")), 200)  # "w" truncates at once
    fw = writer.as_file("w")
    stub.expect(
        ops.append_object(BCK, "o", b"ab"), BytesResponse(200, b"", {"Ais-Append-Handle": "h1"})
    )
    stub.expect(
        ops.append_object(BCK, "o", b"cd", "h1"),
        BytesResponse(200, b"", {"Ais-Append-Handle": "h2"}),
    )
    stub.expect(ops.append_object(BCK, "o", b"", "h2", flush=True), 200)
    with fw:
        assert fw.write(b"ab") == 2
        assert fw.write(memoryview(b"cd")) == 2
        assert fw.write(b"") == 0  # nothing sent
    assert fw.closed
    fw.close()  # idempotent, sends nothing
    stub.assert_done()
    with pytest.raises(ValueError):
        fw.write(b"x")
    with pytest.raises(ValueError):
        writer.as_file("r")
    # "a" mode sends nothing until written; flush without writes sends nothing
    fa = writer.as_file()
    fa.flush()
    fa.close()
    stub.assert_done()


def test_copy_rename_delete_promote(client: Client, stub: StubTransport) -> None:
    src = client.bucket("b").object("o")
    dst = client.bucket("d", "gcp").object("n/o")
    stub.expect(ops.copy_object(BCK, "o", "gcp/@#/d/n/o", latest=True), 200)
    assert src.copy(dst, latest=True).status == 200
    stub.expect(ops.delete_object(BCK, "o"), 200)
    src.delete()
    stub.expect(ops.promote(BCK, "/p/f", "o", overwrite_dest=True), BytesResponse(200, b""))
    assert src.promote("/p/f", overwrite_dest=True) == ""
    stub.expect(ops.rename_object(BCK, "o", "o2"), 200)
    src.rename("o2")
    assert src.name == "o2"
    stub.assert_done()


def test_remote_only_operations_check_provider_first(client: Client, stub: StubTransport) -> None:
    obj = client.bucket("b").object("o")
    for call in (obj.evict, obj.prefetch, obj.blob_download):
        with pytest.raises(InvalidBckProvider):
            call()
    stub.assert_done()
    remote = client.bucket("c", "aws").object("o")
    ref = BucketRef("c", "aws")
    stub.expect(ops.evict_object(ref, "o"), 200)
    remote.evict()
    stub.expect(ops.prefetch_objects(ref, ["o"], latest=True), BytesResponse(200, b"job1"))
    assert remote.prefetch(latest=True) == "job1"
    stub.expect(ops.blob_download(ref, "o", num_workers=2), BytesResponse(200, b"job2"))
    assert remote.blob_download(num_workers=2) == "job2"
    stub.assert_done()


def test_multipart_upload_flow(client: Client, stub: StubTransport) -> None:
    upload = client.bucket("b").object("big").multipart_upload()
    assert upload.upload_id is None
    with pytest.raises(ValueError):
        upload.add_part(1)
    stub.expect(ops.mpt_create(BCK, "big"), BytesResponse(200, b"up-123"))
    assert upload.create() is upload
    assert upload.upload_id == "up-123"
    stub.expect(ops.mpt_put_part(BCK, "big", "up-123", 2, BytesBody(b"B")), 200)
    upload.add_part(2).put_content(b"B")
    stub.expect(ops.mpt_put_part(BCK, "big", "up-123", 1, BytesBody(b"A")), 200)
    upload.upload_part(1, b"A")
    assert upload.parts == [2, 1]
    stub.expect(ops.mpt_complete(BCK, "big", "up-123", [2, 1]), 200)
    upload.complete()
    stub.expect(ops.mpt_abort(BCK, "big", "up-123"), 200)
    upload.abort()
    stub.assert_done()
    for bad in (0, -1, True, 1.5):
        with pytest.raises(ValueError):
            upload.add_part(bad)  # type: ignore[arg-type]


def test_object_props_from_plain_dict_and_custom_md() -> None:
    props = ObjectProps(
        {
            "Ais-Custom-Md": "k2=v,2, k1=v1",
            "Ais-Mirror-Paths": "[/mp1,/mp2]",
            "Ais-Mirror-Copies": "2",
            "Ais-Ec-Data": "2",
            "Ais-Ec-Parity": "1",
            "Ais-Ec-Replicated": "true",
            "ETag": '"v1-abc"',
            "Ais-Chunks-Count": "3",
            "Ais-Chunks-Max-Chunk-Size": "1024",
            "Ais-Name": "n",
            "Content-Length": "bogus",
        }
    )
    assert props.custom_metadata == {"k2": "v,2", "k1": "v1"}
    assert props.mirror_paths == ["/mp1", "/mp2"]
    assert props.mirror_copies == 2
    assert props.ec is not None and (props.ec.data_slices, props.ec.parity_slices) == (2, 1)
    assert props.ec.is_ec_copy
    assert props.etag == "v1-abc"
    assert props.chunks is not None and props.chunks.chunk_count == 3
    assert props.name == "n"
    assert props.size == 0
    assert props.present is False
    empty = ObjectProps({})
    assert (empty.ec, empty.chunks, empty.custom_metadata, empty.mirror_paths) == (
        None,
        None,
        {},
        [],
    )


def test_repeated_custom_md_lines_keep_commas() -> None:
    from urllib3._collections import HTTPHeaderDict

    headers = HTTPHeaderDict()
    headers.add("Ais-Custom-Md", "a=x, y=z")
    headers.add("Ais-Custom-Md", "b=2")
    assert ObjectProps(headers).custom_metadata == {"a": "x, y=z", "b": "2"}


def test_put_iter_with_a_wrong_size_fails_fast(client: Client, stub: StubTransport) -> None:
    seen: list[Request] = []
    stub.expect(capture(seen), 200)
    stub.expect(capture(seen), 200)
    writer = client.bucket("b").object("o").get_writer()
    writer.put_iter([b"abc", b"de"], size=4)
    writer.put_iter([b"abc"], size=4)
    for request in seen:
        assert isinstance(request.body, IterBody) and request.body.length == 4
    with pytest.raises(ValueError, match="more than"):
        list(seen[0].body.source)  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="3 bytes"):
        list(seen[1].body.source)  # type: ignore[union-attr]


def test_file_writer_enter_truncates_again_only_after_writes(
    client: Client, stub: StubTransport
) -> None:
    writer = client.bucket("b").object("o").get_writer()
    stub.expect(ops.put_object(BCK, "o", BytesBody(b"")), 200)
    fw = writer.as_file("w")
    stub.expect(
        ops.append_object(BCK, "o", b"x"), BytesResponse(200, b"", {"Ais-Append-Handle": "h"})
    )
    fw.write(b"x")
    stub.expect(ops.put_object(BCK, "o", BytesBody(b"")), 200)  # truncated again
    stub.expect(
        ops.append_object(BCK, "o", b"y"), BytesResponse(200, b"", {"Ais-Append-Handle": "h2"})
    )
    stub.expect(ops.append_object(BCK, "o", b"", "h2", flush=True), 200)
    with fw:
        fw.write(b"y")
    stub.assert_done()


def test_iter_from_an_offset(client: Client, stub: StubTransport) -> None:
    stub.expect(
        lambda r: r.header("Range") == "bytes=6-",
        BytesResponse(206, b"world", {"Content-Range": "bytes 6-10/11"}),
    )
    reader = client.bucket("b").object("o").get_reader(chunk_size=2)
    assert list(reader.iter_from(6)) == [b"wo", b"rl", b"d"]
    stub.assert_done()
