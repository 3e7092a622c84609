"""Bucket through offline transports: provider checks, lifecycle, props, paging, polling."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from _support.stubs import capture
from aisclient import Client
from aisclient.clock import Clock
from aisclient.enums import ListObjectFlag
from aisclient.errors import (
    ErrBckAlreadyExists,
    ErrBckNotFound,
    InvalidBckProvider,
    UnexpectedHTTPStatusCode,
)
from aisclient.models.bucket import BucketEntry, decode_bucket_list, decode_bucket_props
from aisclient.ops import bucket as ops
from aisclient.ops.copy import CopyOptions, EtlStage
from aisclient.provider import BucketRef, Namespace, Provider
from aisclient.request import Request
from aisclient.transport.base import BytesResponse, Response
from aisclient.transport.mock import MockTransport, RecordingTransport, StubTransport

REF = BucketRef("b")
PROPS_JSON = (
    '{"provider":"ais","backend_bck":{"name":"","provider":"","namespace":{"uuid":"","name":""}},'
    '"versioning":{"enabled":true,"validate_warm_get":false,"synchronize":false},'
    '"checksum":{"type":"xxhash2","validate_cold_get":false,"validate_warm_get":false,'
    '"validate_obj_move":false,"enable_read_range":false},'
    '"mirror":{"copies":2,"burst_buffer":512,"enabled":false},'
    '"write_policy":{"data":"immediate","md":"immediate"},"Renamed":"",'
    '"lru":{"dont_evict_time":"2h0m","enabled":false},"ec":{"data_slices":2},'
    '"access":"18446744073709551615","features":"0","bid":"9223372036854775809",'
    '"created":"1795595614503642837"}'
)
BCK_404 = b'{"tcode":"ErrBckNotFound","message":"bucket \\"ais://b\\" does not exist","status":404}'
BCK_409 = b'{"message":"bucket \\"ais://b\\" already exists","status":409}'


class FakeClock:
    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 4))
        self.t += seconds

    def now(self) -> float:
        return self.t


def test_constructor_shapes(client: Client) -> None:
    from aisclient.bucket import Bucket

    sdk_shape = Bucket("b", client, "s3", Namespace("u", "n"))
    assert (sdk_shape.provider, sdk_shape.namespace, sdk_shape.client) == (
        Provider.AMAZON,
        Namespace("u", "n"),
        client,
    )
    keyword_shape = Bucket("b", provider="gcp", namespace=Namespace("u", "n"), client=client)
    assert (keyword_shape.provider, keyword_shape.namespace) == (
        Provider.GOOGLE,
        Namespace("u", "n"),
    )
    assert sdk_shape.qparam == {"provider": "aws", "namespace": "@u#n"}
    assert sdk_shape.get_path() == "aws/@u#n/b/"
    assert sdk_shape.as_model().as_dict() == {
        "name": "b",
        "provider": "aws",
        "namespace": {"uuid": "u", "name": "n"},
    }
    with pytest.raises(ValueError):
        Bucket("b").client  # noqa: B018 - no client to send with
    with pytest.raises(InvalidBckProvider):
        Bucket("b", client, "nope")
    assert Bucket("d", provider="gs").get_path() == "gcp/@#/d/"  # a client-less destination


@pytest.mark.parametrize("name", ["", "a/b", "a" * 65, "a b", "..", "a..b", "ü"])
def test_invalid_bucket_names_fail_at_once(client: Client, name: str) -> None:
    with pytest.raises(ValueError):
        client.bucket(name)


def test_create_and_delete(client: Client, stub: StubTransport) -> None:
    bucket = client.bucket("b")
    stub.expect(ops.create_bucket(REF), 200)
    assert bucket.create() is bucket
    stub.expect(ops.create_bucket(REF), BytesResponse(409, BCK_409))
    with pytest.raises(ErrBckAlreadyExists):
        bucket.create()
    stub.expect(ops.create_bucket(REF), BytesResponse(409, BCK_409))
    bucket.create(exist_ok=True)
    stub.expect(ops.create_bucket(REF, {"versioning": {"enabled": False}}), 200)
    bucket.create(props={"versioning": {"enabled": False}})
    stub.expect(ops.destroy_bucket(REF), 200)
    bucket.delete()
    stub.expect(ops.destroy_bucket(REF), BytesResponse(404, BCK_404))
    with pytest.raises(ErrBckNotFound):
        bucket.delete()
    stub.expect(ops.destroy_bucket(REF), BytesResponse(404, BCK_404))
    bucket.delete(missing_ok=True)
    stub.assert_done()


def test_provider_checks_happen_before_any_request(client: Client, stub: StubTransport) -> None:
    cloud = client.bucket("c", "aws")
    for call in (cloud.create, cloud.delete, lambda: cloud.rename("x")):
        with pytest.raises(InvalidBckProvider):
            call()
    with pytest.raises(InvalidBckProvider):
        client.bucket("b").evict()
    with pytest.raises(NotImplementedError):
        cloud.list_objects(start_after="x")
    with pytest.raises(NotImplementedError):
        cloud.list_objects_iter(start_after="x")
    stub.assert_done()
    # a remote-AIS bucket (ais provider, namespace with a uuid) is remote: evict is allowed
    remote_ais = client.bucket("r", "ais", Namespace("uuid1", ""))
    stub.expect(ops.evict_bucket(remote_ais.ref, True), 200)
    remote_ais.evict(keep_md=True)
    stub.assert_done()


def test_head_props_and_exists(client: Client, stub: StubTransport) -> None:
    bucket = client.bucket("b")
    stub.expect(ops.head_bucket(REF), BytesResponse(200, b"", {"Ais-Bucket-Props": PROPS_JSON}))
    headers = bucket.head()
    assert headers["ais-bucket-props"] == PROPS_JSON  # still the raw header mapping
    props = headers.props
    assert props.versioning.enabled and props.checksum.type == "xxhash2"
    assert props.mirror.copies == 2 and props.write_policy.data == "immediate"
    assert props.access == 2**64 - 1 and props.bid == 9223372036854775809
    assert props.created == 1795595614503642837
    assert props.backend_bck is None
    assert props.lru["dont_evict_time"] == "2h0m"
    assert props.raw["Renamed"] == ""
    stub.expect(ops.head_bucket(REF), BytesResponse(404, b"", {"Hdr-Error": BCK_404.decode()}))
    assert bucket.exists() is False
    stub.expect(ops.head_bucket(REF), BytesResponse(404, b"", {"Hdr-Error": BCK_404.decode()}))
    with pytest.raises(ErrBckNotFound):
        bucket.head()
    stub.expect(ops.head_bucket(REF), 200)
    assert bucket.exists() is True
    stub.assert_done()


def test_backend_bck_is_decoded_when_set() -> None:
    doc = json.loads(PROPS_JSON)
    doc["backend_bck"] = {"name": "cloud", "provider": "gcp", "namespace": {"uuid": "", "name": ""}}
    props = decode_bucket_props(doc)
    assert props.backend_bck is not None
    assert props.backend_bck.get_path() == "gcp/@#/cloud/"


def test_set_and_reset_props(client: Client, stub: StubTransport) -> None:
    stub.expect(ops.set_bucket_props(REF, {"mirror": {"enabled": True}}), BytesResponse(200, b"j1"))
    assert client.bucket("b").set_props({"mirror": {"enabled": True}}) == "j1"
    stub.expect(ops.reset_bucket_props(REF), BytesResponse(200, b""))
    assert client.bucket("b").reset_props() == ""
    stub.assert_done()


def test_rename_updates_local_name(client: Client, stub: StubTransport) -> None:
    bucket = client.bucket("b")
    stub.expect(ops.rename_bucket(REF, BucketRef("b2")), BytesResponse(200, b"job-r"))
    assert bucket.rename("b2") == "job-r"
    assert bucket.name == "b2"
    assert bucket.object("o").bucket_name == "b2"


def test_copy_and_transform_return_job_ids(client: Client, stub: StubTransport) -> None:
    src, dst = client.bucket("b"), client.bucket("d")
    stub.expect(
        ops.copy_bucket(REF, dst.ref, CopyOptions(prefix="p", num_workers=2)),
        BytesResponse(200, b"c1"),
    )
    assert src.copy(dst, prefix_filter="p", num_workers=2) == "c1"
    stub.expect(
        ops.transform_bucket(REF, dst.ref, EtlStage("etl-a1", pipeline=["etl-b2"])),
        BytesResponse(200, b"t1"),
    )
    assert src.transform("etl-a1", dst, etl_pipeline=["etl-b2"]) == "t1"
    stub.expect(
        ops.transform_bucket(
            REF,
            REF,
            EtlStage("etl-a1"),
            CopyOptions(dry_run=True, continue_on_error=True, num_workers=None),
        ),
        BytesResponse(200, b"i1"),
    )
    assert src.inspect("etl-a1") == "i1"
    stub.assert_done()


def _page(names: list[str], uuid: str, token: str) -> dict[str, Any]:
    return {
        "uuid": uuid,
        "continuation_token": token,
        "entries": [{"name": n, "size": str(len(n)), "flags": 64} for n in names] or None,
        "flags": 0,
    }


def paging_server(names: list[str], page_size: int) -> tuple[RecordingTransport, list[Any]]:
    bodies: list[Any] = []

    def handler(request: Request) -> Response:
        value = request.json["value"]
        bodies.append(value)
        start = int(value["continuation_token"] or 0)
        chunk = names[start : start + page_size]
        end = start + page_size
        token = str(end) if end < len(names) else ""
        return BytesResponse.of_json(_page(chunk, "U1", token))

    return RecordingTransport(MockTransport(handler)), bodies


def test_list_objects_iter_fetches_pages_lazily() -> None:
    names = [f"obj-{i:02d}" for i in range(20)]
    transport, bodies = paging_server(names, 7)
    bucket = Client("http://p:1", transport=transport).bucket("b")
    iterator = bucket.list_objects_iter(page_size=7, prefix="obj-", start_after="a")
    assert bodies == []
    first = next(iterator)
    assert first.name == "obj-00" and len(bodies) == 1
    rest = list(iterator)
    assert [e.name for e in rest] == names[1:]
    assert len(bodies) == 3
    assert bodies[0]["start_after"] == "a"
    assert all("start_after" not in body for body in bodies[1:])
    assert [b["uuid"] for b in bodies] == ["", "U1", "U1"]
    assert [b["continuation_token"] for b in bodies] == ["", "7", "14"]
    assert all(b["pagesize"] == 7 and b["prefix"] == "obj-" for b in bodies)


def test_empty_pages_with_token_do_not_end_the_listing() -> None:
    pages = [_page([], "U", "t1"), _page(["x"], "U", "t2"), _page([], "U", "")]
    transport = MockTransport(lambda r: BytesResponse.of_json(pages.pop(0)))
    bucket = Client("http://p:1", transport=transport).bucket("b")
    assert [e.name for e in bucket.list_all_objects()] == ["x"]
    assert pages == []


def test_list_all_objects_iter_and_urls() -> None:
    transport, bodies = paging_server(["a/1", "a/2", "b"], 2)
    bucket = Client("http://p:1", transport=transport).bucket("b")
    objects = list(bucket.list_all_objects_iter())
    assert [o.name for o in objects] == ["a/1", "a/2", "b"]
    assert objects[0].props_cached is not None and objects[0].props_cached.size == 3
    assert bodies[0]["props"] == "name,size"
    urls = list(bucket.list_urls())
    assert urls[0] == "http://p:1/v1/objects/b/a/1?provider=ais"
    assert bodies[-1]["props"] == "name"


def test_list_objects_page_attaches_objects_and_flags() -> None:
    transport, bodies = paging_server(["x"], 10)
    bucket = Client("http://p:1", transport=transport).bucket("b")
    page = bucket.list_objects(flags=[ListObjectFlag.CACHED, ListObjectFlag.NAME_ONLY])
    assert bodies[0]["flags"] == str(1 | 16)
    entry = page.entries[0]
    assert entry.object is not None and entry.object.name == "x"
    assert entry.object.props_cached is not None
    assert entry.object.props_cached.bucket_name == "b"
    assert entry.is_cached() and entry.is_ok()


def test_list_archive_drops_the_archive_entry() -> None:
    page = {
        "uuid": "",
        "continuation_token": "",
        "entries": [
            {"name": "s.tar", "flags": 64 | 512},
            {"name": "s.tar/a.txt", "size": "3", "flags": 64 | 128},
        ],
    }
    seen: list[Request] = []

    def handler(request: Request) -> Response:
        seen.append(request)
        return BytesResponse.of_json(page)

    bucket = Client("http://p:1", transport=MockTransport(handler)).bucket("b")
    assert [e.name for e in bucket.list_archive("s.tar")] == ["s.tar/a.txt"]
    assert seen[0].json["value"]["flags"] == "8"
    assert seen[0].json["value"]["prefix"] == "s.tar"
    assert len(bucket.list_archive("s.tar", include_archive_obj=True)) == 2


def test_decode_bucket_list_both_key_sets() -> None:
    json_page = decode_bucket_list(
        {
            "uuid": "u",
            "continuation_token": "t",
            "flags": 0,
            "entries": [
                {
                    "name": "n",
                    "size": "1024",
                    "checksum": "c",
                    "atime": "a",
                    "version": "1",
                    "location": "t1:mp",
                    "copies": 2,
                    "flags": 64 | 1,
                    "custom-md": "k=v",
                }
            ],
        }
    )
    short_page = decode_bucket_list(
        {
            "UUID": "u",
            "ContinuationToken": "t",
            "Flags": 0,
            "Entries": [
                {
                    "n": "n",
                    "s": 1024,
                    "cs": "c",
                    "a": "a",
                    "v": "1",
                    "t": "t1:mp",
                    "c": 2,
                    "f": 65,
                    "m": "k=v",
                }
            ],
        }
    )
    assert json_page.entries == short_page.entries
    entry = json_page.entries[0]
    assert (entry.size, entry.copies, entry.custom) == (1024, 2, "k=v")
    assert entry.is_cached() and not entry.is_ok()
    assert (entry.n, entry.s, entry.cs) == ("n", 1024, "c")
    assert json_page.UUID == "u" and json_page.ContinuationToken == "t"
    assert decode_bucket_list(None).entries == []
    assert decode_bucket_list({"uuid": "", "continuation_token": "", "entries": None}).entries == []
    assert BucketEntry("d/", flags=256).is_dir()


def test_summary_polls_until_200(client: Client, stub: StubTransport) -> None:
    bucket = client.bucket("b")
    clock = FakeClock()
    bucket.clock = Clock(sleep=clock.sleep, monotonic=clock.now)
    stub.expect(ops.summary(REF), BytesResponse(202, b'"job-s"'))
    stub.expect(ops.summary(REF, uuid="job-s"), BytesResponse(202, b"[]"))
    stub.expect(ops.summary(REF, uuid="job-s"), BytesResponse(202, b"[]"))
    stub.expect(ops.summary(REF, uuid="job-s"), BytesResponse(206, b"[{}]"))
    stub.expect(ops.summary(REF, uuid="job-s"), BytesResponse(202, b"[]"))
    result = [{"name": "b", "ObjCount": {"obj_count_present": "3"}}]
    stub.expect(ops.summary(REF, uuid="job-s"), BytesResponse.of_json(result))
    assert bucket.summary() == result[0]
    assert clock.sleeps == [0.2, 0.3, 0.45, 0.45]  # no growth after a 206
    stub.assert_done()


def test_summary_rejects_unexpected_status(client: Client, stub: StubTransport) -> None:
    stub.expect(ops.summary(REF), BytesResponse.of_json([]))
    with pytest.raises(UnexpectedHTTPStatusCode):
        client.bucket("b").summary()


def test_info_polls_head_until_200(client: Client, stub: StubTransport) -> None:
    bucket = client.bucket("b")
    clock = FakeClock()
    bucket.clock = Clock(sleep=clock.sleep, monotonic=clock.now)
    stub.expect(
        ops.info(REF, prefix="p/"),
        BytesResponse(202, b"", {"Ais-Bucket-Props": PROPS_JSON, "Ais-Xaction-Id": "x1"}),
    )
    stub.expect(ops.info(REF, uuid="x1"), BytesResponse(202))
    summ = {"name": "b", "ObjCount": {"obj_count_present": "2"}}
    stub.expect(
        ops.info(REF, uuid="x1"), BytesResponse(200, b"", {"Ais-Bucket-Summ": json.dumps(summ)})
    )
    props, summary = bucket.info(prefix="p/")
    assert props == PROPS_JSON
    assert summary == summ
    assert clock.sleeps == [2.0, 2.0]
    stub.assert_done()


def test_info_timeout(client: Client, stub: StubTransport) -> None:
    from aisclient.errors import Timeout

    bucket = client.bucket("b")
    clock = FakeClock()
    bucket.clock = Clock(sleep=clock.sleep, monotonic=clock.now)
    stub.expect(ops.info(REF), BytesResponse(202, b"", {"Ais-Xaction-Id": "x1"}))
    for _ in range(3):
        stub.expect(ops.info(REF, uuid="x1"), BytesResponse(202))
    with pytest.raises(Timeout):
        bucket.info(timeout=5)


def test_objects_returns_an_object_group(client: Client) -> None:
    group = client.bucket("b").objects(obj_names=["a", "b"])
    assert type(group).__name__ == "ObjectGroup"


def test_make_request_and_inventories(client: Client, stub: StubTransport) -> None:
    bucket = client.bucket("b")
    stub.expect(ops.bucket_action(REF, "POST", "make-n-copies", 2), BytesResponse(200, b"j"))
    assert bucket.make_request("POST", "make-n-copies", 2).text == "j"
    stub.expect(ops.create_inventory(REF, name="i"), BytesResponse(200, b"inv-job"))
    assert bucket.create_inventory(name="i") == "inv-job"
    stub.expect(
        ops.show_inventory(REF, "i"),
        {"inv/i.0": {"bucket": "b", "name": "i", "ntotal": "12", "size": 100}},
    )
    shown = bucket.show_inventory("i")
    assert shown["inv/i.0"].ntotal == 12 and shown["inv/i.0"].size == 100
    stub.expect(ops.destroy_inventory(REF, "i"), 200)
    bucket.destroy_inventory("i")
    stub.assert_done()


def test_put_files(client: Client, stub: StubTransport, tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_bytes(b"a")
    (tmp_path / "b.bin").write_bytes(b"b")
    (tmp_path / "sub" / "c.txt").write_bytes(b"c")
    bucket = client.bucket("b")
    assert bucket.put_files(tmp_path, dry_run=True) == ["a.txt", "b.bin"]
    assert bucket.put_files(tmp_path, pattern="*.txt", recursive=True, dry_run=True) == [
        "a.txt",
        "sub/c.txt",
    ]
    names: list[str] = []
    stub.expect(capture(names, lambda r: r.path[-1]), 200)
    stub.expect(capture(names, lambda r: r.path[-1]), 200)
    result = bucket.put_files(
        tmp_path, pattern="*.txt", recursive=True, basename=True, prepend="up/"
    )
    assert result == names == ["up/a.txt", "up/c.txt"]
    assert bucket.put_files(tmp_path, prefix_filter="sub", recursive=True, dry_run=True) == [
        "sub/c.txt"
    ]
    with pytest.raises(ValueError):
        bucket.put_files(tmp_path / "a.txt")
