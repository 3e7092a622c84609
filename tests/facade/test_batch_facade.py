"""``Batch`` through offline transports: construction, add() rules, get() decoding, files."""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

import pytest

from aisclient import Client
from aisclient.batch import (
    Batch,
    BatchArchiveError,
    IncompleteBatchError,
    MossIn,
    MossOut,
    MultipartDecodeError,
)
from aisclient.enums import Colocation
from aisclient.errors import ErrObjNotFound
from aisclient.provider import BucketRef
from aisclient.request import Request
from aisclient.transport.base import BytesResponse
from aisclient.transport.mock import MockTransport, StubTransport

BOUNDARY = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab"


def make_tar(members: list[tuple[str, bytes]], gz: bool = False) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz" if gz else "w") as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def make_zip(members: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members:
            archive.writestr(name, data)
    return out.getvalue()


def multipart_body(meta: Mapping[str, object], archive: bytes) -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n'.encode()
        + json.dumps(meta).encode()
        + b"\n\r\n"
        + f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="archive"; '
        'filename="get-batch[x]"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        + archive
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


class Server:
    """Answers every request with one canned response and keeps the requests."""

    def __init__(self, response: BytesResponse) -> None:
        self.response = response
        self.requests: list[Request] = []

    def __call__(self, request: Request) -> BytesResponse:
        self.requests.append(request)
        return self.response


def client_for(response: BytesResponse) -> tuple[Client, Server]:
    server = Server(response)
    return Client("http://ais.invalid:8080", transport=MockTransport(server)), server


def tar_response(members: list[tuple[str, bytes]], gz: bool = False) -> BytesResponse:
    ctype = "application/gzip" if gz else "application/x-tar"
    return BytesResponse(200, make_tar(members, gz), {"Content-Type": ctype})


OFFLINE = Client("http://ais.invalid:8080", transport=StubTransport())
BCK = OFFLINE.bucket("b1")


# -- construction -------------------------------------------------------------------------


def test_client_factory_sends_nothing_and_keeps_arguments() -> None:
    stub = StubTransport()
    client = Client("http://ais.invalid:8080", transport=stub)
    batch = client.batch(["a", "b"], bucket=client.bucket("b1"), output_format=".tgz")
    assert len(batch) == 2 and repr(batch) == "Batch(objects=2, format=.tgz)"
    assert batch.requests_list == [
        MossIn("a", bck="b1", provider="ais"),
        MossIn("b", bck="b1", provider="ais"),
    ]
    stub.assert_done()


def test_objects_forms() -> None:
    obj = OFFLINE.bucket("other", "aws").object("x/y")
    assert [e.obj_name for e in Batch(OFFLINE, "one", bucket=BCK).requests_list] == ["one"]
    only_obj = Batch(OFFLINE, obj).requests_list
    assert only_obj == [MossIn("x/y", bck="other", provider="aws")]
    mixed = Batch(OFFLINE, [obj, BCK.object("z")]).requests_list
    assert [(e.bck, e.obj_name) for e in mixed] == [("other", "x/y"), ("b1", "z")]
    with pytest.raises(ValueError, match="needs a bucket"):
        Batch(OFFLINE, ["a"])
    with pytest.raises(ValueError, match="names or Objects"):
        Batch(OFFLINE, [42], bucket=BCK)
    with pytest.raises(ValueError, match="output_format"):
        Batch(OFFLINE, bucket=BCK, output_format="tar")
    with pytest.raises(NotImplementedError):
        Batch(OFFLINE, bucket=BCK, colocation=Colocation.TARGET_AND_SHARD_AWARE)
    with pytest.raises(ValueError, match="colocation"):
        Batch(OFFLINE, bucket=BCK, colocation=5)


def test_add_rules() -> None:
    batch = Batch(OFFLINE, bucket=BCK)
    assert batch.add("a", opaque=b"\x00\x01", archpath="in/f", start=3, length=-1) is batch
    assert batch.requests_list[0] == MossIn(
        "a", bck="b1", provider="ais", opaque="AAE=", archpath="in/f", start=3, length=-1
    )
    batch.add("c", bck="cloud", provider="s3")
    assert batch.requests_list[1] == MossIn("c", bck="cloud", provider="aws")
    with pytest.raises(ValueError, match="together"):
        batch.add("d", bck="x")
    with pytest.raises(ValueError, match="together"):
        batch.add("d", provider="ais")
    with pytest.raises(ValueError, match="object name, not an Object"):
        batch.add(BCK.object("o"), bck="x", provider="ais")
    with pytest.raises(ValueError, match="needs a length"):
        batch.add("e", start=4)
    with pytest.raises(ValueError, match="length must be"):
        batch.add("e", length=-5)
    with pytest.raises(ValueError, match="Object or an object name"):
        batch.add(BCK)
    assert len(batch) == 2  # failed adds leave the batch as it was
    assert batch.clear() is batch and len(batch) == 0


def test_get_without_entries_sends_nothing() -> None:
    stub = StubTransport()
    with pytest.raises(ValueError, match="at least one entry"):
        Batch(Client("http://h:1", transport=stub), bucket=BCK).get()
    stub.assert_done()


def test_tar_buffer_size_rules() -> None:
    batch = Batch(OFFLINE, "a", bucket=BCK)
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="tar_buffer_size"):
            batch.get(tar_buffer_size=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="raw"):
        batch.get(raw=True, tar_buffer_size=1024)
    with pytest.raises(ValueError, match="zip"):
        Batch(OFFLINE, "a", bucket=BCK, output_format=".zip").get(tar_buffer_size=1024)


# -- get(): streaming ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [".tar", ".tgz", ".tar.gz", ".zip"])
def test_streaming_results_pair_with_request_order(fmt: str) -> None:
    members = [("b1/a", b"AAA"), ("__404__/b1/gone", b""), ("b1/s.tar/in/f", b"F"), ("b1/e", b"")]
    if fmt == ".zip":
        response = BytesResponse(200, make_zip(members), {"Content-Type": "application/zip"})
    else:
        response = tar_response(members, gz=fmt != ".tar")
    client, server = client_for(response)
    batch = Batch(client, bucket=BCK, output_format=fmt)
    batch.add("a", opaque=b"op").add("gone").add("s.tar", archpath="in/f").add("e")
    results = list(batch.get())
    assert [(out, data) for out, data in results] == [
        (MossOut("a", "", "b1", "ais", b"op", None, 3), b"AAA"),
        (MossOut("gone", "", "b1", "ais", None, "Batch entry failed on the server", 0), b""),
        (MossOut("s.tar", "in/f", "b1", "ais", None, None, 1), b"F"),
        (MossOut("e", "", "b1", "ais", None, None, 0), b""),  # an empty object is not missing
    ]
    (request,) = server.requests
    assert request.path == ("ml", "moss", "b1") and request.stream
    assert request.json["mime"] == fmt and request.json["strm"] is True
    assert len(batch) == 0  # cleared after sending
    assert response.closed


def test_get_sends_at_once_but_reads_lazily() -> None:
    response = tar_response([("b1/a", b"1"), ("b1/b", b"2")])
    client, server = client_for(response)
    results = Batch(client, ["a", "b"], bucket=BCK).get(clear_batch=False)
    assert len(server.requests) == 1
    assert response._pos == 0  # nothing read yet
    first = next(results)
    assert first[1] == b"1"
    results.close()
    assert response.closed


def test_clear_batch_false_keeps_entries() -> None:
    client, _ = client_for(tar_response([("b1/a", b"1")]))
    batch = Batch(client, ["a"], bucket=BCK)
    list(batch.get(clear_batch=False))
    assert len(batch) == 1


@pytest.mark.parametrize("streaming", [True, False])
def test_adding_before_the_lazy_results_are_read_keeps_the_pairing(streaming: bool) -> None:
    # With clear_batch=False the batch keeps its entries; adding more before reading the
    # results of a get() must not change which entries those results pair with.
    archive = make_tar([("b1/a", b"1"), ("b1/b", b"2")])
    if streaming:
        response = BytesResponse(200, archive, {"Content-Type": "application/x-tar"})
    else:
        meta = {"out": [{"objname": "a", "size": 1}, {"objname": "b", "size": 1}]}
        body = multipart_body(meta, archive)
        response = BytesResponse(
            200, body, {"Content-Type": f"multipart/mixed; boundary={BOUNDARY}"}
        )
    client, server = client_for(response)
    batch = Batch(client, ["a", "b"], bucket=BCK, streaming_get=streaming)
    results = batch.get(clear_batch=False)
    batch.add("c")
    batch.request.add(MossIn("d", bck="b1", provider="ais"))
    assert [(out.obj_name, data) for out, data in results] == [("a", b"1"), ("b", b"2")]
    assert [e["objname"] for e in server.requests[0].json["in"]] == ["a", "b"]
    assert [e.obj_name for e in batch.requests_list] == ["a", "b", "c", "d"]


def test_only_obj_name_missing_detection() -> None:
    client, _ = client_for(tar_response([("__404__/a", b""), ("__404__/b1/b", b"")]))
    batch = Batch(client, ["a", "b"], bucket=BCK, only_obj_name=True)
    results = batch.get()
    assert next(results)[0].err_msg == "Batch entry failed on the server"
    # Under only_obj_name "__404__/b1/b" is neither entry "b" nor its missing marker: the
    # answer does not match the request.
    with pytest.raises(BatchArchiveError, match="does not match the request"):
        next(results)


def test_archive_ending_early_raises_incomplete() -> None:
    client, _ = client_for(tar_response([("b1/a", b"1")]))
    batch = Batch(client, ["a", "missing", "c"], bucket=BCK, cont_on_err=False)
    results = batch.get()
    assert next(results)[1] == b"1"
    with pytest.raises(IncompleteBatchError) as info:
        next(results)
    assert info.value.index == 1 and info.value.expected == 3
    assert "ais://b1/missing" in str(info.value) and "cont_on_err=True" in str(info.value)


def test_more_members_than_entries_is_an_error() -> None:
    client, _ = client_for(tar_response([("b1/a", b"1"), ("b1/extra", b"2")]))
    with pytest.raises(BatchArchiveError, match="missing batch metadata"):
        list(Batch(client, ["a"], bucket=BCK).get())


def test_corrupt_stream_raises_runtime_error() -> None:
    data = make_tar([("b1/a", b"x" * 4000)])[:900]
    client, _ = client_for(BytesResponse(200, data, {"Content-Type": "application/x-tar"}))
    with pytest.raises(RuntimeError, match="Failed to read tar"):
        list(Batch(client, ["a"], bucket=BCK).get())


def test_http_error_is_mapped_and_keeps_the_entries() -> None:
    body = {"message": "t[x]: ais://b1/zzz does not exist", "status": 404}
    client, _ = client_for(BytesResponse.of_json(body, 404))
    batch = Batch(client, ["zzz"], bucket=BCK, cont_on_err=False, streaming_get=False)
    with pytest.raises(ErrObjNotFound):
        batch.get()
    assert len(batch) == 1


def test_raw_returns_the_open_response() -> None:
    response = tar_response([("b1/a", b"1")])
    client, _ = client_for(response)
    raw = Batch(client, ["a"], bucket=BCK).get(raw=True)
    assert raw is response and not response.closed


# -- get(): multipart ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [".tar", ".zip"])
def test_multipart_results_come_from_server_metadata(fmt: str) -> None:
    members = [("b1/a", b"AAA\r\n"), ("__404__/b1/gone", b"")]
    archive = make_zip(members) if fmt == ".zip" else make_tar(members)
    meta = {
        "uuid": "gbt-1",
        "out": [
            {"objname": "a", "bucket": "b1", "provider": "ais", "opaque": "b3A=", "size": 5},
            {"objname": "gone", "bucket": "b1", "provider": "ais", "err_msg": "nope", "size": 0},
        ],
    }
    response = BytesResponse(
        200,
        multipart_body(meta, archive),
        {"Content-Type": f"multipart/mixed; boundary={BOUNDARY}"},
    )
    client, server = client_for(response)
    batch = Batch(client, ["a", "gone"], bucket=BCK, output_format=fmt, streaming_get=False)
    assert list(batch.get()) == [
        (MossOut("a", None, "b1", "ais", b"op", None, 5), b"AAA\r\n"),
        (MossOut("gone", None, "b1", "ais", None, "nope", 0), b""),
    ]
    assert server.requests[0].json["strm"] is False


def test_multipart_needs_a_multipart_content_type() -> None:
    client, _ = client_for(tar_response([("b1/a", b"1")]))
    results = Batch(client, ["a"], bucket=BCK, streaming_get=False).get()
    with pytest.raises(MultipartDecodeError, match="multipart"):
        next(results)


def test_multipart_with_bad_metadata() -> None:
    response = BytesResponse(
        200,
        multipart_body({"out": "oops"}, make_tar([])),
        {"Content-Type": f"multipart/mixed; boundary={BOUNDARY}"},
    )
    client, _ = client_for(response)
    with pytest.raises(MultipartDecodeError, match="metadata"):
        list(Batch(client, ["a"], bucket=BCK, streaming_get=False).get())


# -- get_to_file ----------------------------------------------------------------------------


def test_get_to_file_streaming(tmp_path: Path) -> None:
    data = make_tar([("b1/a", b"1" * 3000)])
    client, _ = client_for(BytesResponse(200, data, {"Content-Type": "application/x-tar"}))
    target = tmp_path / "out.tar"
    assert Batch(client, ["a"], bucket=BCK).get_to_file(target) is None
    assert target.read_bytes() == data
    assert not (tmp_path / "out.tar.part").exists()


def test_get_to_file_multipart_writes_only_the_archive(tmp_path: Path) -> None:
    archive = make_zip([("b1/a", b"zz")])
    meta = {"uuid": "u", "out": [{"objname": "a", "bucket": "b1", "provider": "ais", "size": 2}]}
    response = BytesResponse(
        200,
        multipart_body(meta, archive),
        {"Content-Type": f"multipart/mixed; boundary={BOUNDARY}"},
    )
    client, _ = client_for(response)
    target = tmp_path / "out.zip"
    batch = Batch(client, ["a"], bucket=BCK, output_format=".zip", streaming_get=False)
    resp = batch.get_to_file(str(target))
    assert resp is not None and resp.uuid == "u" and resp.out[0].size == 2
    assert target.read_bytes() == archive


def test_get_to_file_leaves_nothing_on_failure(tmp_path: Path) -> None:
    client, _ = client_for(BytesResponse(200, b"garbage", {"Content-Type": "text/plain"}))
    target = tmp_path / "out.tar"
    with pytest.raises(MultipartDecodeError):
        Batch(client, ["a"], bucket=BCK, streaming_get=False).get_to_file(target)
    assert list(tmp_path.iterdir()) == []


def test_namespaced_bucket_ref_accepted_as_default_bucket() -> None:
    batch = Batch(OFFLINE, ["a"], bucket=BucketRef("b2", "gcp"))
    assert batch.requests_list == [MossIn("a", bck="b2", provider="gcp")]


@pytest.mark.parametrize("streaming", [True, False])
def test_body_is_read_to_the_end_so_the_connection_can_be_reused(streaming: bool) -> None:
    archive = make_tar([("b1/a", b"1")]) + b"\0" * 4096  # padding after the end of the tar
    if streaming:
        response = BytesResponse(200, archive, {"Content-Type": "application/x-tar"})
    else:
        meta = {"out": [{"objname": "a", "bucket": "b1", "provider": "ais", "size": 1}]}
        response = BytesResponse(
            200,
            multipart_body(meta, archive) + b"epilogue",
            {"Content-Type": f"multipart/mixed; boundary={BOUNDARY}"},
        )
    client, _ = client_for(response)
    assert [
        data for _, data in Batch(client, ["a"], bucket=BCK, streaming_get=streaming).get()
    ] == [b"1"]
    assert response._pos == len(response._body) and response.closed
