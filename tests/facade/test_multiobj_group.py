"""ObjectGroup through a stub transport: selection rules, requests sent, results decoded."""

from __future__ import annotations

import pytest

from aisclient import Client
from aisclient.errors import InvalidBckProvider
from aisclient.etl_config import ETLConfig
from aisclient.multiobj import ObjectGroup, ObjectRange
from aisclient.provider import BucketRef
from aisclient.request import Request
from aisclient.transport.base import BytesResponse
from aisclient.transport.mock import MockTransport, RecordingTransport, StubTransport

ENDPOINT = "http://ais.invalid:8080"


def make_client(transport: object) -> Client:
    return Client(ENDPOINT, transport=transport)  # type: ignore[arg-type]


def expect_action(method: str, action: str, value: dict[str, object]) -> object:
    def check(request: Request) -> bool:
        return (
            request.method == method
            and request.path == ("buckets", "src")
            and request.query == (("provider", "ais"),)
            and request.json == {"action": action, "name": "", "value": value}
        )

    return check


def test_exactly_one_selection_is_required() -> None:
    bck = make_client(StubTransport()).bucket("src")
    with pytest.raises(ValueError, match="exactly one"):
        ObjectGroup(bck)
    with pytest.raises(ValueError, match="exactly one"):
        ObjectGroup(bck, obj_names=["a"], obj_template="b{0..1}")
    with pytest.raises(ValueError, match="empty"):
        ObjectGroup(bck, obj_names=[])
    with pytest.raises(ValueError, match="empty"):
        ObjectGroup(bck, obj_template="")
    with pytest.raises(TypeError):
        ObjectGroup(bck, obj_range="a{0..1}")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="greater"):
        ObjectGroup(bck, obj_template="a{5..1}")


def test_bucket_objects_factory_sends_nothing(stub: StubTransport) -> None:
    group = make_client(stub).bucket("src").objects(obj_names=["a", "b"])
    assert group.selection == {"objnames": ["a", "b"]}
    stub.assert_done()


def test_delete_returns_the_job_id(stub: StubTransport) -> None:
    stub.expect(
        expect_action("DELETE", "delete-listrange", {"template": "x-{0..9}"}),  # type: ignore[arg-type]
        BytesResponse(200, b"nBx5h3Ko"),
    )
    group = make_client(stub).bucket("src").objects(obj_template="x-{0..9}")
    assert group.delete() == "nBx5h3Ko"
    stub.assert_done()


def test_evict_and_prefetch_on_ais_bucket_fail_before_any_request(stub: StubTransport) -> None:
    group = make_client(stub).bucket("src").objects(obj_names=["a"])
    with pytest.raises(InvalidBckProvider):
        group.evict()
    with pytest.raises(InvalidBckProvider):
        group.prefetch()
    stub.assert_done()  # nothing was sent (a request would have raised UnexpectedRequest)


def test_prefetch_on_cloud_bucket() -> None:
    recorder = RecordingTransport(MockTransport(lambda r: BytesResponse(200, b"pf1")))
    group = make_client(recorder).bucket("cloud", "gcp").objects(obj_names=["a"])
    assert group.prefetch(blob_threshold=1 << 30, num_workers=3, latest=True) == "pf1"
    (request,) = recorder.requests
    assert request.method == "POST" and request.query == (("provider", "gcp"),)
    assert request.json["value"] == {
        "objnames": ["a"],
        "coer": False,
        "latest-ver": True,
        "blob-threshold": 1 << 30,
        "num-workers": 3,
    }


def test_copy_splits_job_ids(stub: StubTransport) -> None:
    client = make_client(stub)
    value = {
        "template": "p{00..09..1}",
        "prefix": "",
        "prepend": "new/",
        "dry_run": False,
        "force": False,
        "latest-ver": False,
        "synchronize": False,
        "tobck": {"name": "dst", "provider": "ais", "namespace": None},
        "coer": True,
    }
    stub.expect(
        expect_action("POST", "copy-listrange", value),  # type: ignore[arg-type]
        BytesResponse(200, b"tco-a,tco-b"),
    )
    group = client.bucket("src").objects(obj_range=ObjectRange("p", 0, 9, pad_width=2))
    assert group.copy(client.bucket("dst"), prepend="new/", continue_on_error=True) == [
        "tco-a",
        "tco-b",
    ]
    stub.assert_done()


def test_copy_accepts_a_bucket_ref_destination() -> None:
    recorder = RecordingTransport(MockTransport(lambda r: BytesResponse(200, b"tco-x")))
    group = make_client(recorder).bucket("src").objects(obj_names=["a"])
    assert group.copy(BucketRef("other", "aws")) == ["tco-x"]
    assert recorder.requests[0].json["value"]["tobck"] == {
        "name": "other",
        "provider": "aws",
        "namespace": None,
    }


def test_archive_returns_job_ids(stub: StubTransport) -> None:
    client = make_client(stub)
    value = {
        "objnames": ["a", "b"],
        "archname": "out.zip",
        "mime": ".zip",
        "isbn": True,
        "aate": False,
        "coer": False,
        "tobck": {"name": "dst", "provider": "ais", "namespace": None},
    }
    stub.expect(
        expect_action("PUT", "archive", value),  # type: ignore[arg-type]
        BytesResponse(200, b"arch1"),
    )
    group = client.bucket("src").objects(obj_names=["a", "b"])
    ids = group.archive(
        "out.zip", mime="zip", to_bck=client.bucket("dst"), include_source_name=True
    )
    assert ids == ["arch1"]
    stub.assert_done()


def test_transform_and_inspect() -> None:
    recorder = RecordingTransport(MockTransport(lambda r: BytesResponse(200, b"etl-job")))
    client = make_client(recorder)
    group = client.bucket("src").objects(obj_names=["a"])
    assert group.transform(client.bucket("dst"), "my-etl", timeout="1m") == "etl-job"
    assert group.inspect("my-etl") == "etl-job"
    transform, inspect = (r.json["value"] for r in recorder.requests)
    assert transform["id"] == "my-etl" and transform["request_timeout"] == "1m"
    assert transform["tobck"]["name"] == "dst" and not transform["dry_run"]
    assert inspect["tobck"]["name"] == "src"
    assert inspect["dry_run"] is True and inspect["coer"] is True


def test_server_error_is_raised() -> None:
    def reply(_: Request) -> BytesResponse:
        return BytesResponse.of_json(
            {"message": 'bucket "ais://src" does not exist', "status": 404}, 404
        )

    from aisclient.errors import ErrBckNotFound

    group = make_client(MockTransport(reply)).bucket("src").objects(obj_names=["a"])
    with pytest.raises(ErrBckNotFound):
        group.delete()


def test_list_names_and_urls() -> None:
    client = make_client(StubTransport())
    group = client.bucket("src").objects(obj_template="d/f {0..2}.bin")
    assert group.list_names() == ["d/f 0.bin", "d/f 1.bin", "d/f 2.bin"]
    urls = list(group.list_urls(prefix="ignored"))
    assert urls[0] == f"{ENDPOINT}/v1/objects/src/d/f%200.bin?provider=ais"
    assert urls == [client.bucket("src").object(n).get_url() for n in group.list_names()]
    with_etl = next(iter(group.list_urls(etl=ETLConfig("my-etl", {"k": 1}))))
    assert with_etl.endswith("?provider=ais&etl_name=my-etl&etl_args=%7B%22k%22%3A1%7D")


def test_list_all_objects_iter_filters_by_prefix_and_heads_each() -> None:
    heads: list[Request] = []

    def reply(request: Request) -> BytesResponse:
        heads.append(request)
        return BytesResponse(200, b"", {"Ais-Size": "3", "Ais-Name": request.path[-1]})

    group = (
        make_client(MockTransport(reply))
        .bucket("src")
        .objects(obj_names=["img/a", "txt/b", "img/c"])
    )
    objects = list(group.list_all_objects_iter(prefix="img/"))
    assert [o.name for o in objects] == ["img/a", "img/c"]
    assert [h.method for h in heads] == ["HEAD", "HEAD"]
    assert heads[0].query_value("props") == "name,size"
    heads.clear()
    assert [o.name for o in group.list_all_objects_iter(props=None)] == ["img/a", "txt/b", "img/c"]
    assert heads == []


def test_group_works_with_a_minimal_bucket_stand_in() -> None:
    recorder = RecordingTransport(MockTransport(lambda r: BytesResponse(200, b"j1")))
    client = make_client(recorder)

    class StandIn:
        def __init__(self) -> None:
            self.client = client
            self.name = "plain"
            self.provider = "ais"
            self.namespace = None

    assert ObjectGroup(StandIn(), obj_names=["x"]).delete() == "j1"
    assert recorder.requests[0].path == ("buckets", "plain")
