"""Get-Batch pairs archive members with the requested entries by position; a server (or a
proxy in between) that answers members in another order, or other members, must not hand
one object's bytes out as another's (a raw server on 127.0.0.1)."""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from _support.httpserver import TestServer
from aisclient import Client
from aisclient.batch import BatchArchiveError, BatchEntryError


@pytest.fixture
def server() -> Iterator[TestServer]:
    with TestServer() as srv:
        yield srv


def tar_of(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def multipart_of(archive: bytes, names: list[str]) -> tuple[bytes, str]:
    meta = {"out": [{"objname": n, "bucket": "b1", "provider": "ais", "size": 1} for n in names]}
    parts = [
        b"--XYZ\r\nContent-Type: application/json\r\n\r\n" + json.dumps(meta).encode(),
        b"\r\n--XYZ\r\nContent-Type: application/x-tar\r\n\r\n" + archive,
        b"\r\n--XYZ--\r\n",
    ]
    return b"".join(parts), "multipart/mixed; boundary=XYZ"


SWAPPED = [("b1/b", b"B"), ("b1/a", b"A")]
OTHER = [("b1/a", b"A"), ("b1/zzz", b"Z")]


@pytest.mark.parametrize("members", [SWAPPED, OTHER], ids=["swapped", "other"])
@pytest.mark.parametrize("streaming", [True, False], ids=["streaming", "multipart"])
def test_members_that_do_not_match_the_request_raise(
    server: TestServer, members: list[tuple[str, bytes]], streaming: bool
) -> None:
    archive = tar_of(members)
    if streaming:
        server.reply_with(200, archive, **{"Content-Type": "application/x-tar"})
    else:
        body, content_type = multipart_of(archive, ["a", "b"])
        server.reply_with(200, body, **{"Content-Type": content_type})
    client = Client(server.url, env={})
    batch = client.batch(["a", "b"], bucket=client.bucket("b1"), streaming_get=streaming)
    received: dict[str, bytes] = {}
    with pytest.raises(BatchArchiveError, match="does not match the request"):
        for out, content in batch.get():
            received[out.obj_name] = content
    assert all(received[name] == name.upper().encode() for name in received)


def test_members_in_request_order_are_paired(server: TestServer) -> None:
    server.reply_with(
        200, tar_of([("b1/a", b"A"), ("b1/b", b"B")]), **{"Content-Type": "application/x-tar"}
    )
    client = Client(server.url, env={})
    pairs = [
        (out.obj_name, data)
        for out, data in client.batch(["a", "b"], bucket=client.bucket("b1")).get()
    ]
    assert pairs == [("a", b"A"), ("b", b"B")]


def archive_of(fmt: str, members: list[tuple[str, bytes]]) -> bytes:
    """``members`` as an archive in a Get-Batch output format (empty members included)."""
    buffer = io.BytesIO()
    if fmt == ".zip":
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, data in members:
                archive.writestr(name, data)
        return buffer.getvalue()
    with tarfile.open(fileobj=buffer, mode="w:gz" if fmt == ".tgz" else "w") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


# What aisnode on several targets streams for a missing object even without cont_on_err.
PLACEHOLDER = [("b1/a", b"A"), ("__404__/b1/gone", b""), ("b1/c", b"C")]


def reply_placeholder(server: TestServer, fmt: str, streaming: bool, err_msg: str = "") -> None:
    archive = archive_of(fmt, PLACEHOLDER)
    if streaming:
        server.reply_with(200, archive, **{"Content-Type": "application/octet-stream"})
        return
    out = [{"objname": n, "bucket": "b1", "provider": "ais", "size": 1} for n in ["a", "gone", "c"]]
    if err_msg:
        out[1].update(err_msg=err_msg, size=0)
    meta = json.dumps({"out": out}).encode()
    body = (
        b"--XYZ\r\nContent-Type: application/json\r\n\r\n"
        + meta
        + b"\r\n--XYZ\r\nContent-Type: application/octet-stream\r\n\r\n"
        + archive
        + b"\r\n--XYZ--\r\n"
    )
    server.reply_with(200, body, **{"Content-Type": "multipart/mixed; boundary=XYZ"})


@pytest.mark.parametrize("fmt", [".tar", ".tgz", ".zip"])
@pytest.mark.parametrize("streaming", [True, False], ids=["streaming", "multipart"])
def test_a_placeholder_without_cont_on_err_raises_naming_the_object(
    server: TestServer, fmt: str, streaming: bool
) -> None:
    reply_placeholder(server, fmt, streaming, err_msg="b1/gone does not exist")
    client = Client(server.url, env={})
    batch = client.batch(
        ["a", "gone", "c"],
        bucket=client.bucket("b1"),
        output_format=fmt,
        cont_on_err=False,
        streaming_get=streaming,
    )
    received = []
    with pytest.raises(BatchEntryError) as info:
        for out, content in batch.get():
            received.append((out.obj_name, content))
    assert received == [("a", b"A")]
    assert info.value.index == 1 and info.value.entry == "ais://b1/gone"
    assert "ais://b1/gone" in str(info.value)
    if not streaming:
        assert info.value.reason == "b1/gone does not exist"


@pytest.mark.parametrize("fmt", [".tar", ".tgz", ".zip"])
@pytest.mark.parametrize("streaming", [True, False], ids=["streaming", "multipart"])
def test_a_placeholder_with_cont_on_err_is_an_entry_with_err_msg(
    server: TestServer, fmt: str, streaming: bool
) -> None:
    reply_placeholder(server, fmt, streaming, err_msg="b1/gone does not exist")
    client = Client(server.url, env={})
    batch = client.batch(
        ["a", "gone", "c"], bucket=client.bucket("b1"), output_format=fmt, streaming_get=streaming
    )
    results = [(out.obj_name, bool(out.err_msg), content) for out, content in batch.get()]
    assert results == [("a", False, b"A"), ("gone", True, b""), ("c", False, b"C")]


def test_get_to_file_refuses_a_multipart_answer_with_a_failed_entry(
    server: TestServer, tmp_path: Path
) -> None:
    reply_placeholder(server, ".tar", streaming=False, err_msg="b1/gone does not exist")
    client = Client(server.url, env={})
    batch = client.batch(
        ["a", "gone", "c"], bucket=client.bucket("b1"), cont_on_err=False, streaming_get=False
    )
    target = tmp_path / "out.tar"
    with pytest.raises(BatchEntryError, match="ais://b1/gone"):
        batch.get_to_file(target)
    assert list(tmp_path.iterdir()) == []
