"""``MossReq`` mutates in place like the SDK's model, and ``Batch`` still works with it."""

from __future__ import annotations

import io
import tarfile

import pytest

from aisclient import Client
from aisclient.batch import MossIn, MossReq
from aisclient.models.batch import moss_req_wire
from aisclient.ops import batch as ops
from aisclient.provider import BucketRef
from aisclient.transport.base import BytesResponse
from aisclient.transport.mock import StubTransport

BCK = BucketRef("b")


def test_add_and_extend_change_the_request_and_return_it() -> None:
    req = MossReq()
    same = req.add(MossIn(obj_name="a"))
    assert same is req
    assert [e.obj_name for e in req.moss_in] == ["a"]
    assert req.extend([MossIn(obj_name="b"), MossIn(obj_name="c")]) is req
    assert [e.obj_name for e in req.moss_in] == ["a", "b", "c"]
    # The SDK idiom: a statement, not an assignment.
    req.add(MossIn(obj_name="d"))
    assert [e["objname"] for e in moss_req_wire(req)["in"]] == ["a", "b", "c", "d"]


def test_add_and_extend_reject_non_entries_without_changing_anything() -> None:
    req = MossReq(moss_in=[MossIn(obj_name="a")])
    with pytest.raises(TypeError, match="MossIn"):
        req.add("b")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="MossIn"):
        req.extend([MossIn(obj_name="b"), "c"])  # type: ignore[list-item]
    assert [e.obj_name for e in req.moss_in] == ["a"]
    with pytest.raises(TypeError):
        MossReq(moss_in=["x"])  # type: ignore[list-item]


def test_cleared_is_a_new_request_and_leaves_the_sent_one_intact() -> None:
    req = ops.new_request(output_format=".zip", colocation=1).add(MossIn(obj_name="a"))
    empty = req.cleared()
    assert empty is not req and empty.moss_in == []
    assert (empty.output_format, empty.colocation) == (".zip", 1)
    assert [e.obj_name for e in req.moss_in] == ["a"]


def _tar(*members: tuple[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_batch_built_through_request_add_sends_and_decodes() -> None:
    client_stub = StubTransport()
    client = Client("http://ais.invalid:8080", transport=client_stub)
    batch = client.batch(bucket=client.bucket("b"))
    batch.add("first")
    # SDK code may also queue entries on the request itself.
    batch.request.add(ops.make_entry("second", BCK))
    assert len(batch) == 2 and [e.obj_name for e in batch.requests_list] == ["first", "second"]
    expected = ops.get_batch(batch.request, BCK)
    client_stub.expect(expected, BytesResponse(200, _tar(("b/first", b"1"), ("b/second", b"22"))))
    results = [(out.obj_name, data) for out, data in batch.get()]
    assert results == [("first", b"1"), ("second", b"22")]
    assert len(batch) == 0  # cleared after sending
    client_stub.assert_done()
