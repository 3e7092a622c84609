"""``Etl`` through a StubTransport: each call's request and the decoding of its answer."""

from __future__ import annotations

import base64
import sys
import types
from typing import Any

import pytest

from aisclient import Client
from aisclient.errors import APIRequestError, ErrETLNotFound
from aisclient.etl import ETL_STAGE_RUNNING, Etl, list_etls, serialize_class
from aisclient.etl_config import ETLConfig
from aisclient.models.etl import ETLNodeHealth, ETLNodeLogs, ETLNodeMetrics
from aisclient.ops import etl as ops
from aisclient.transport.base import BytesResponse
from aisclient.transport.mock import StubTransport

UNSUPPORTED = {
    "tcode": "ErrUnsupp",
    "message": "cannot use ETL in a build without ETL support - operation not supported",
    "method": "PUT",
    "url_path": "/v1/etl",
    "status": 501,
}


def make(stub: StubTransport) -> Client:
    return Client("http://ais.invalid:8080", transport=stub)


def test_factory_validates_the_name_offline() -> None:
    stub = StubTransport()
    client = make(stub)
    assert client.etl("my-etl1").name == "my-etl1"
    with pytest.raises(ValueError, match="ETL name"):
        client.etl("Bad_Name")
    with pytest.raises(ValueError):
        Etl.validate_etl_name("x")
    stub.assert_done()


def test_init_returns_the_job_id() -> None:
    stub = StubTransport().expect(
        ops.init_image("my-etl1", "img", command="run me", env={"K": "v"}),
        BytesResponse(200, "etl-123"),
    )
    etl = make(stub).etl("my-etl1")
    assert etl.init("img", command="run me", K="v") == "etl-123"
    stub.assert_done()


def test_init_spec_returns_the_job_id() -> None:
    stub = StubTransport().expect(
        ops.init_spec("my-etl1", "kind: Pod"), BytesResponse(200, "etl-9")
    )
    assert make(stub).etl("my-etl1").init_spec("kind: Pod") == "etl-9"
    stub.assert_done()


def test_unsupported_cluster_gives_a_typed_501() -> None:
    stub = StubTransport().expect(lambda r: True, BytesResponse.of_json(UNSUPPORTED, 501))
    with pytest.raises(APIRequestError) as info:
        make(stub).etl("my-etl1").init("img")
    assert info.value.status_code == 501 and info.value.tcode == "ErrUnsupp"


def test_view_decodes_details() -> None:
    details = {
        "init_msg": {
            "name": "my-etl1",
            "communication": "hpush://",
            "init_timeout": "5m",
            "obj_timeout": "45s",
            "support_direct_put": True,
            "runtime": {"image": "img", "command": ["a"], "env": [{"name": "K", "value": "v"}]},
        },
        "obj_errors": [{"obj_name": "ais://b/o", "msg": "boom", "ecode": 500}],
    }
    stub = StubTransport().expect(ops.details("my-etl1", "job-7"), details)
    view = make(stub).etl("my-etl1").view("job-7")
    assert view.init_msg is not None and view.init_msg.communication == "hpush://"
    assert view.init_msg.runtime is not None and view.init_msg.runtime.env is not None
    assert view.init_msg.runtime.env[0].value == "v"
    assert view.obj_errors is not None and view.obj_errors[0].ecode == 500
    stub.assert_done()


def test_logs_health_metrics() -> None:
    encoded = base64.b64encode("line one\nbad \xff".encode("latin-1")).decode()
    stub = (
        StubTransport()
        .expect(ops.logs("my-etl1", "t1"), [{"target_id": "t1", "logs": encoded}])
        .expect(ops.health("my-etl1"), [{"target_id": "t1", "health_status": "Running"}])
        .expect(ops.metrics("my-etl1"), [{"target_id": "t1", "cpu": 0.25, "mem": "1024"}])
    )
    etl = make(stub).etl("my-etl1")
    assert etl.logs("t1") == [ETLNodeLogs("t1", "line one\nbad \ufffd")]
    assert etl.health() == [ETLNodeHealth("t1", "Running")]
    assert etl.metrics() == [ETLNodeMetrics("t1", 0.25, 1024)]
    stub.assert_done()


def test_lifecycle_calls() -> None:
    stub = (
        StubTransport()
        .expect(ops.start("my-etl1"), BytesResponse(200, "etl-new"))
        .expect(ops.stop("my-etl1"), 200)
        .expect(ops.delete("my-etl1"), 200)
    )
    etl = make(stub).etl("my-etl1")
    assert etl.start() == "etl-new"
    etl.stop()
    etl.delete()
    stub.assert_done()


def test_context_manager_stops_then_deletes_ignoring_ais_errors() -> None:
    missing = {"message": "etl job my-etl1 does not exist", "status": 404}
    stub = (
        StubTransport()
        .expect(ops.stop("my-etl1"), BytesResponse.of_json(missing, 404))
        .expect(ops.delete("my-etl1"), 200)
    )
    with make(stub).etl("my-etl1") as etl:
        assert etl.name == "my-etl1"
    stub.assert_done()
    assert issubclass(ErrETLNotFound, APIRequestError)


def test_pipelines() -> None:
    client = make(StubTransport())
    first, second, third = (client.etl(n) for n in ("etl-one1", "etl-two2", "etl-333"))
    chain = first >> second >> third
    assert chain.name == "etl-one1" and chain.pipeline == ["etl-two2", "etl-333"]
    assert first.pipeline == [] and repr(chain) == "Etl(etl-one1 >> etl-two2 >> etl-333)"
    assert chain.transform_query({"k": 1}) == (
        ("etl_name", "etl-one1"),
        ("etl_pipeline", "etl-two2,etl-333"),
        ("etl_args", '{"k":1}'),
    )
    # ETLConfig (the object GET option) sees the same chain.
    assert ETLConfig(chain).query_pairs()[:2] == chain.transform_query()[:2]


def test_list_filters_stages_on_the_client() -> None:
    answer = [
        {"id": "etl-one1", "stage": "Running", "xaction_id": "x1", "obj_count": "3"},
        {"id": "etl-two2", "stage": "Aborted"},
    ]
    stub = StubTransport().expect(ops.list_etls(), answer).expect(ops.list_etls(), answer)
    client = make(stub)
    running = list_etls(client)
    assert [(i.name, i.stage, i.obj_count) for i in running] == [("etl-one1", ETL_STAGE_RUNNING, 3)]
    assert [i.name for i in list_etls(client, stages=None)] == ["etl-one1", "etl-two2"]


class Transformer:
    def transform(self, data: bytes, path: str, etl_args: str) -> bytes:
        return data.upper()


def test_init_class_ships_the_serialized_class(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("cloudpickle")
    fake.dumps = lambda obj: b"pickled:" + obj.__name__.encode()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "cloudpickle", fake)
    seen: list[Any] = []

    def check(request: Any) -> bool:
        seen.append(request)
        return True

    stub = StubTransport().expect(check, BytesResponse(200, "etl-1"))
    etl = make(stub).etl("my-etl1")
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    decorated = etl.init_class(dependencies=["numpy"], FOO="bar")(Transformer)
    assert decorated is Transformer
    body = seen[0].json
    assert body["runtime"]["image"] == f"aistorage/runtime_python:{version}"
    assert body["support_direct_put"] is True
    env = {item["name"]: item["value"] for item in body["runtime"]["env"]}
    assert base64.b64decode(env["ETL_CLASS_PAYLOAD"]) == b"pickled:Transformer"
    assert env["PACKAGES"] == "numpy" and env["FOO"] == "bar"


def test_serialize_class_needs_cloudpickle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "cloudpickle", None)
    with pytest.raises(ImportError, match="cloudpickle"):
        serialize_class(Transformer)
    with pytest.raises(TypeError):
        serialize_class(int)
