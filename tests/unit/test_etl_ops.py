"""ETL builders: exact requests, names, durations, per-call timeouts."""

from __future__ import annotations

import base64

import pytest

from aisclient.config import Timeout
from aisclient.ops import etl as ops
from aisclient.request import JsonBody, Request

FIVE_MIN = Timeout(connect=300.0, read=300.0)


def test_init_matches_the_sdk_body() -> None:
    request = ops.init_image(
        "my-etl1",
        "aistorage/x:latest",
        command="a b",
        env={"K": "v"},
    )
    assert request == Request(
        "PUT",
        ("etl",),
        body=JsonBody.of(
            {
                "name": "my-etl1",
                "communication": "hpush://",
                "init_timeout": "5m",
                "obj_timeout": "45s",
                "support_direct_put": False,
                "runtime": {
                    "image": "aistorage/x:latest",
                    "command": ["a", "b"],
                    "env": [{"name": "K", "value": "v"}],
                },
            }
        ),
        idempotent=False,
        timeout=FIVE_MIN,
    )


def test_init_options() -> None:
    request = ops.init_image(
        "etl-two2",
        "img",
        command=["python", "-m", "srv"],
        comm_type="hpull",
        init_timeout=90,
        obj_timeout="1m30s",
        direct_put=True,
        direct_file_access=True,
        env={"N": 3},
    )
    body = request.json
    assert body["communication"] == "hpull://"
    assert body["init_timeout"] == "90s" and body["obj_timeout"] == "1m30s"
    assert body["support_direct_put"] is True
    assert body["runtime"] == {
        "image": "img",
        "command": ["python", "-m", "srv"],
        "env": [{"name": "N", "value": "3"}, {"name": "ETL_DIRECT_FQN", "value": "true"}],
    }
    assert request.timeout == Timeout(connect=90.0, read=90.0)


def test_init_minimal_omits_command_and_env() -> None:
    body = ops.init_image("abcdef", "img").json
    assert body["runtime"] == {"image": "img"}


@pytest.mark.parametrize("comm", ["hpush", "hpull", "ws", "HPUSH", "hpush://"])
def test_comm_types(comm: str) -> None:
    assert ops.comm_value(comm) == comm.lower().removesuffix("://") + "://"


@pytest.mark.parametrize("comm", ["io", "io://", "http", ""])
def test_bad_comm_types(comm: str) -> None:
    with pytest.raises(ValueError, match="comm_type"):
        ops.init_image("abcdef", "img", comm_type=comm)


def test_ws_needs_direct_put() -> None:
    with pytest.raises(ValueError, match="direct_put"):
        ops.init_image("abcdef", "img", comm_type="ws")
    assert (
        ops.init_image("abcdef", "img", comm_type="ws", direct_put=True).json["communication"]
        == "ws://"
    )


def test_init_needs_an_image() -> None:
    with pytest.raises(ValueError, match="image"):
        ops.init_image("abcdef", " ")


def test_init_spec_sends_base64_pod_spec() -> None:
    template = "apiVersion: v1\nkind: Pod\n"
    request = ops.init_spec("pod-etl", template, init_timeout="2m", env={"A": "b"})
    body = request.json
    assert base64.b64decode(body["spec"]).decode() == template
    assert body["env"] == [{"name": "A", "value": "b"}]
    assert body["name"] == "pod-etl" and body["init_timeout"] == "2m"
    assert request.method == "PUT" and request.path == ("etl",)
    assert request.timeout == Timeout(connect=120.0, read=120.0)
    with pytest.raises(ValueError, match="empty"):
        ops.init_spec("pod-etl", "  ")


@pytest.mark.parametrize("name", ["my-etl1", "abcdef", "a" * 32, "0-1-2-3"])
def test_valid_names(name: str) -> None:
    assert ops.validate_etl_name(name) == name


@pytest.mark.parametrize(
    "name", ["short", "a" * 33, "-abcdef", "abcdef-", "ABCDEF", "abc_def", "ab.def"]
)
def test_invalid_names(name: str) -> None:
    with pytest.raises(ValueError, match="ETL name"):
        ops.validate_etl_name(name)


@pytest.mark.parametrize(
    ("value", "seconds", "wire"),
    [
        ("5m", 300.0, "5m"),
        ("45s", 45.0, "45s"),
        ("300", 300.0, "300s"),
        (300, 300.0, "300s"),
        ("1h", 3600.0, "1h"),
        ("2d", 172800.0, "172800s"),
        ("1m30s", 90.0, "1m30s"),
        (1.5, 1.5, "1.5s"),
    ],
)
def test_durations(value: str | int | float, seconds: float, wire: str) -> None:
    assert ops.duration_seconds(value) == seconds
    assert ops.go_duration(value) == wire


@pytest.mark.parametrize("value", ["", "5x", "m5", "5 m", "-3s", -1])
def test_bad_durations(value: str | int) -> None:
    with pytest.raises(ValueError):
        ops.duration_seconds(value)


def test_lifecycle_requests() -> None:
    assert ops.start("my-etl1") == Request("POST", ("etl", "my-etl1", "start"), timeout=FIVE_MIN)
    assert ops.stop("my-etl1") == Request("POST", ("etl", "my-etl1", "stop"), timeout=FIVE_MIN)
    assert ops.delete("my-etl1") == Request(
        "DELETE", ("etl", "my-etl1"), timeout=FIVE_MIN, idempotent=False
    )
    assert ops.logs("my-etl1") == Request("GET", ("etl", "my-etl1", "logs"), timeout=FIVE_MIN)
    assert ops.logs("my-etl1", "t1") == Request(
        "GET", ("etl", "my-etl1", "logs", "t1"), timeout=FIVE_MIN
    )
    assert ops.details("my-etl1") == Request("GET", ("etl", "my-etl1"), query=(("uuid", ""),))
    assert ops.details("my-etl1", "job1") == Request(
        "GET", ("etl", "my-etl1"), query=(("uuid", "job1"),)
    )
    assert ops.health("my-etl1") == Request("GET", ("etl", "my-etl1", "health"))
    assert ops.metrics("my-etl1") == Request("GET", ("etl", "my-etl1", "metrics"))
    assert ops.list_etls() == Request("GET", ("etl",))
    for method in (ops.start, ops.stop):
        assert not method("my-etl1").idempotent  # POST is never re-sent blindly


def test_transform_query() -> None:
    assert ops.transform_query("my-etl1") == (("etl_name", "my-etl1"),)
    assert ops.transform_query("my-etl1", [], {"a": 1, "b": "x"}) == (
        ("etl_name", "my-etl1"),
        ("etl_pipeline", ""),
        ("etl_args", '{"a":1,"b":"x"}'),
    )
    assert ops.transform_query("my-etl1", ["etl-two2", "etl-333"], "raw") == (
        ("etl_name", "my-etl1"),
        ("etl_pipeline", "etl-two2,etl-333"),
        ("etl_args", "raw"),
    )


def test_runtime_image_and_class_env() -> None:
    assert ops.runtime_python_image("3.11") == "aistorage/runtime_python:3.11"
    with pytest.raises(ValueError, match=r"3\.9"):
        ops.runtime_python_image("3.9")
    assert ops.class_env("PAYLOAD", ["numpy", "pillow"], ["ffmpeg"], {"X": 1}) == {
        "ETL_CLASS_PAYLOAD": "PAYLOAD",
        "PACKAGES": "numpy,pillow",
        "OS_PACKAGES": "ffmpeg",
        "X": "1",
    }
    assert ops.class_env("P", None, None) == {"ETL_CLASS_PAYLOAD": "P"}
