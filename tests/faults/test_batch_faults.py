"""Get-Batch pairs archive members with the requested entries by position; a server (or a
proxy in between) that answers members in another order, or other members, must not hand
one object's bytes out as another's (a raw server on 127.0.0.1)."""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Iterator

import pytest

from _httpserver import TestServer
from aisclient import Client
from aisclient.batch import BatchArchiveError


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
