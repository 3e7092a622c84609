"""Job request builders: the AIS wire protocol"""

from __future__ import annotations

import pytest

from aisclient.ops import job as ops
from aisclient.provider import BucketRef, Namespace
from aisclient.request import render_url


def test_start_spec_example() -> None:
    req = ops.start_job("lru", buckets=[BucketRef("b")])
    assert req.method == "PUT" and render_url("http://h", req) == "http://h/v1/cluster"
    assert req.json == {
        "action": "start",
        "name": "",
        "value": {
            "ID": "",
            "Kind": "lru",
            "DaemonID": "",
            "Bck": {"name": "b", "provider": "ais", "namespace": None},
            "Buckets": None,
        },
    }
    assert req.idempotent is False


def test_start_with_several_buckets_force_and_daemon() -> None:
    req = ops.start_job(
        "lru",
        daemon_id="t1",
        force=True,
        buckets=[BucketRef("a"), BucketRef("b", "ais", Namespace("u", "n"))],
    )
    value = req.json["value"]
    assert value["Bck"] is None
    assert value["Buckets"] == [
        {"name": "a", "provider": "ais", "namespace": None},
        {"name": "b", "provider": "ais", "namespace": {"uuid": "u", "name": "n"}},
    ]
    assert value["DaemonID"] == "t1"
    # the server reads Force from the value; the SDK's query flag is kept too
    assert value["Force"] is True
    assert req.query == (("frc", "true"),)


def test_start_without_buckets() -> None:
    req = ops.start_job("rebalance")
    assert req.json["value"]["Bck"] is None and req.json["value"]["Buckets"] is None
    assert req.query == ()
    assert "Force" not in req.json["value"]


def test_stop_spec_example() -> None:
    req = ops.stop_job("abc", "copy-bck")
    assert req.method == "PUT" and req.path == ("cluster",)
    assert req.json == {
        "action": "stop",
        "name": "",
        "value": {"ID": "abc", "Kind": "copy-bck", "DaemonID": "", "Bck": None, "Buckets": None},
    }
    with pytest.raises(ValueError, match="id or its kind"):
        ops.stop_job()


def test_status_query_is_a_get_with_a_json_body() -> None:
    req = ops.job_status("abc")
    assert req.method == "GET"
    assert render_url("http://h", req) == "http://h/v1/cluster?what=status"
    assert req.json == {"ID": "abc", "Kind": "", "DaemonID": "", "Bck": None, "Buckets": None}
    assert req.idempotent is True
    with pytest.raises(ValueError, match="needs its id"):
        ops.job_status("")


def test_snapshots_query() -> None:
    req = ops.job_snapshots(kind="archive")
    assert req.query == (("what", "qryxstats"),)
    assert req.json == {"ID": "", "Kind": "archive", "DaemonID": "", "Bck": None, "Buckets": None}


def test_status_all_and_running_all() -> None:
    status_all = ops.jobs_status("copy-bck", "t1")
    assert status_all.query == (("what", "status_all"),)
    assert status_all.json == {"kind": "copy-bck", "node": "t1", "show_active": False}
    running = ops.running_jobs(bucket=BucketRef("b"))
    assert running.query == (("what", "running_all"),)
    assert running.json == {
        "kind": "",
        "node": "",
        "show_active": True,
        "bck": {"name": "b", "provider": "ais", "namespace": None},
    }
