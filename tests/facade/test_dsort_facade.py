"""``Dsort`` through offline transports: start forms, job info decoding, wait, abort, list."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from aisclient import Client
from aisclient.clock import Clock
from aisclient.dsort import (
    FALLBACK_DSORTER,
    DsortFramework,
    DsortNotEnabledError,
    DsortShardsGroup,
    ExternalKeyMap,
    load_spec_file,
    wait_outcome,
)
from aisclient.errors import APIRequestError, Timeout
from aisclient.job import WaitResult
from aisclient.multiobj import ObjectNames, ObjectRange
from aisclient.ops import dsort as ops
from aisclient.provider import BucketRef
from aisclient.transport.base import BytesResponse
from aisclient.transport.mock import StubTransport

IN = BucketRef("in")


def job_info(
    finished: bool = True, aborted: bool = False, errors: list[str] | None = None, end: str = ""
) -> dict[str, Any]:
    """A target's JobInfo as the real server writes it (strings for counters, ns durations)."""
    metrics: dict[str, Any] = {
        "local_extraction": {
            "started_time": "2026-11-25T08:35:46.564444669Z",
            "end_time": "2026-11-25T08:35:46.564983382Z",
            "elapsed": 538713,
            "running": False,
            "finished": True,
            "total_count": "3",
            "extracted_count": "3",
            "extracted_size": "99",
            "extracted_record_count": "18",
            "extracted_to_disk_count": "3",
            "extracted_to_disk_size": "99",
        },
        "meta_sorting": {
            "started_time": "2026-11-25T08:35:46.564991144Z",
            "end_time": "2026-11-25T08:35:46.564993627Z",
            "elapsed": 2483,
            "running": False,
            "finished": True,
            "sent_stats": {
                "total_ms": "0",
                "count": "0",
                "min_ms": "9223372036854775807",
                "max_ms": "0",
                "avg_ms": "0",
            },
        },
        "shard_creation": {
            "started_time": "2026-11-25T08:35:46.568432737Z",
            "end_time": "0001-01-01T00:00:00Z",
            "elapsed": 0,
            "running": not finished,
            "finished": finished,
            "to_create": "1",
            "created_count": "1" if finished else "0",
            "moved_shard_count": "0",
        },
        "aborted": aborted,
        "archived": finished,
    }
    if errors:
        metrics["errors"] = errors
    return {
        "id": "srt-1",
        "src-bck": {"name": "in", "provider": "ais", "namespace": {"uuid": "", "name": ""}},
        "dst-bck": {"name": "out", "provider": "ais", "namespace": {"uuid": "", "name": ""}},
        "started_time": "2026-11-25T08:35:46.564444669Z",
        "finish_time": end or "0001-01-01T00:00:00Z",
        "started_meta_sorting": 538713,
        "started_shard_creation": 2483,
        "finished_shard_creation": 2340030,
        "loc-objs": "3",
        "loc-bytes": "99",
        "Metrics": metrics,
        "aborted": aborted,
        "archived": finished,
    }


def make(stub: StubTransport) -> Client:
    return Client("http://ais.invalid:8080", transport=stub)


def framework(output: Any = "out-{0..9}.tar") -> DsortFramework:
    return DsortFramework(
        DsortShardsGroup(IN, "input", ObjectRange("shard-", 0, 2, suffix=".tar"), ".tar"),
        DsortShardsGroup(BucketRef("out"), "output", output, ".tar"),
        output_shard_size="1KiB",
    )


class FakeClock:
    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds

    def now(self) -> float:
        return self.t

    def clock(self) -> Clock:
        return Clock(sleep=self.sleep, monotonic=self.now)


def test_client_factory() -> None:
    stub = StubTransport()
    assert make(stub).dsort("srt-9").dsort_id == "srt-9"
    assert make(stub).dsort().dsort_id == ""
    stub.assert_done()


def test_start_from_framework_with_real_collections() -> None:
    spec = framework().to_spec()
    assert spec["input_format"] == {"template": "shard-{0..2..1}.tar"}
    stub = StubTransport().expect(ops.start(spec), BytesResponse(200, "srt-abc"))
    dsort = make(stub).dsort()
    assert dsort.start(framework()) == "srt-abc" and dsort.dsort_id == "srt-abc"
    stub.assert_done()
    names = DsortShardsGroup(IN, "input", ObjectNames(["a.tar", "b.tar"]), ".tar")
    assert names.as_dict()["input_format"] == {"objnames": ["a.tar", "b.tar"]}


def test_start_from_mapping_sends_it_unchanged() -> None:
    spec = {
        "input_bck": {"name": "in"},
        "input_format": {"template": "x"},
        "output_format": "out-{0..9}.tar",
        "custom": [1],
    }
    stub = StubTransport().expect(ops.start(spec), BytesResponse(200, "srt-1\n"))
    assert make(stub).dsort().start(spec) == "srt-1"
    stub.assert_done()


def test_start_from_json_file(tmp_path: Path) -> None:
    spec = framework().to_spec()
    path = tmp_path / "spec.JSON"
    path.write_text(json.dumps(spec))
    stub = StubTransport().expect(ops.start(spec), BytesResponse(200, "srt-2"))
    assert make(stub).dsort().start(path) == "srt-2"
    assert DsortFramework.from_file(str(path)).to_spec() == spec


def test_spec_file_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad_ext = tmp_path / "spec.txt"
    bad_ext.write_text("{}")
    with pytest.raises(ValueError, match=r"\.json, \.yaml or \.yml"):
        load_spec_file(bad_ext)
    not_mapping = tmp_path / "list.json"
    not_mapping.write_text("[1, 2]")
    with pytest.raises(ValueError, match="mapping"):
        load_spec_file(not_mapping)
    yaml_file = tmp_path / "spec.yml"
    yaml_file.write_text("input_bck: {name: in}\n")
    monkeypatch.setitem(__import__("sys").modules, "yaml", None)
    with pytest.raises(ImportError, match="PyYAML"):
        load_spec_file(yaml_file)
    with pytest.raises(ValueError, match="DsortFramework"):
        make(StubTransport()).dsort().start(42)  # type: ignore[arg-type]


def test_yaml_file_is_read_with_pyyaml_when_present(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys
    import types

    fake = types.ModuleType("yaml")
    fake.safe_load = lambda text: {"from": text.strip()}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "yaml", fake)
    path = tmp_path / "spec.yaml"
    path.write_text("anything\n")
    assert load_spec_file(path) == {"from": "anything"}


def test_start_with_external_key_map_uploads_it_first() -> None:
    ekm = ExternalKeyMap({"e-{0..9}.tar": ObjectNames(["r00", "r11"])})
    upload, spec = ops.plan_start(framework(ekm), "http://ais.invalid:8080")
    assert upload is not None
    stub = (
        StubTransport().expect(upload, 200).expect(ops.start(spec), BytesResponse(200, "srt-ekm"))
    )
    assert make(stub).dsort().start(framework(ekm)) == "srt-ekm"
    stub.assert_done()
    assert spec["ekm_file"].endswith("/v1/objects/in/ekm-file.json?provider=ais")


def test_start_retries_with_a_dsorter_when_the_server_cannot_pick_one() -> None:
    failure = {
        "message": 'stats.NodeStatus.Status: ReadString: expects " or n, but found 4',
        "status": 400,
    }
    spec = framework().to_spec()
    stub = (
        StubTransport()
        .expect(ops.start(spec), BytesResponse.of_json(failure, 400))
        .expect(ops.start({**spec, "dsorter_type": FALLBACK_DSORTER}), BytesResponse(200, "srt-3"))
    )
    assert make(stub).dsort().start(framework()) == "srt-3"
    stub.assert_done()


def test_start_errors_pass_through() -> None:
    stub = StubTransport().expect(
        lambda r: True, BytesResponse(501, "dsort not enabled (build with -tags=dsort)")
    )
    with pytest.raises(APIRequestError) as info:
        make(stub).dsort().start(framework())
    assert info.value.status_code == 501 and "not enabled" in info.value.message
    spec = {**framework().to_spec(), "dsorter_type": "dsort_mem"}
    other = StubTransport().expect(
        lambda r: True, BytesResponse.of_json({"message": "NodeStatus", "status": 400}, 400)
    )
    with pytest.raises(APIRequestError):  # a dsorter was named: no second try
        make(other).dsort().start(spec)


def test_job_info_and_metrics_are_typed() -> None:
    stub = (
        StubTransport()
        .expect(ops.job_info("srt-1"), {"t1": job_info(end="2026-11-25T08:35:46.570772767Z")})
        .expect(ops.job_info("srt-1"), {"t1": job_info()})
    )
    dsort = make(stub).dsort("srt-1")
    info = dsort.get_job_info()["t1"]
    assert info.id == "srt-1" and info.objects == 3 and info.bytes == 99
    assert info.src_bck is not None and info.src_bck.name == "in"
    assert info.finish_time == datetime(2026, 11, 25, 8, 35, 46, 570772, tzinfo=UTC)
    assert info.metrics is not None
    extraction = info.metrics.local_extraction
    assert extraction.extracted_record_count == 18 and extraction.elapsed == 538713
    assert info.metrics.meta_sorting.sent_stats is not None
    assert info.metrics.meta_sorting.sent_stats.min_ms == 2**63 - 1
    assert info.metrics.shard_creation.end_time is None  # Go's zero time
    metrics = dsort.metrics()
    assert metrics["t1"].shard_creation.created_count == 1


def test_job_query_on_a_cluster_without_dsort() -> None:
    stub = StubTransport().expect(ops.job_info("srt-1"), [])
    with pytest.raises(DsortNotEnabledError, match="tags dsort"):
        make(stub).dsort("srt-1").get_job_info()


def test_list_abort_remove() -> None:
    stub = (
        StubTransport()
        .expect(ops.list_jobs("srt", True), [job_info(), job_info(finished=False)])
        .expect(ops.abort("srt-1"), 200)
        .expect(ops.remove("srt-1"), 200)
    )
    dsort = make(stub).dsort("srt-1")
    jobs = dsort.list("srt", only_active=True)
    assert [job.archived for job in jobs] == [True, False]
    dsort.abort()
    dsort.remove()
    stub.assert_done()
    with pytest.raises(ValueError, match="job id"):
        make(StubTransport()).dsort().abort()


def test_wait_polls_until_finished() -> None:
    end = "2026-11-25T08:35:46.570772767Z"
    stub = (
        StubTransport()
        .expect(ops.job_info("srt-1"), {})
        .expect(ops.job_info("srt-1"), {"t1": job_info(finished=False), "t2": job_info()})
        .expect(ops.job_info("srt-1"), {"t1": job_info(end=end), "t2": job_info()})
    )
    clock = FakeClock()
    result = make(stub).dsort("srt-1").wait(timeout=300, clock=clock.clock())
    assert result == WaitResult(
        "srt-1", True, None, datetime(2026, 11, 25, 8, 35, 46, 570772, tzinfo=UTC)
    )
    assert clock.sleeps == [pytest.approx(300 / 64)] * 2
    stub.assert_done()


def test_wait_reports_an_abort_and_its_error() -> None:
    stub = StubTransport().expect(
        ops.job_info("srt-1"),
        {"t1": job_info(finished=False, aborted=True, errors=["", "egress blocked"])},
    )
    result = make(stub).dsort("srt-1").wait(clock=FakeClock().clock())
    assert not result and result.error == "egress blocked" and result.end_time is None


def test_wait_times_out() -> None:
    stub = StubTransport()
    for _ in range(20):
        stub.expect(ops.job_info("srt-1"), {"t1": job_info(finished=False)})
    clock = FakeClock()
    with pytest.raises(Timeout, match="dsort job 'srt-1'"):
        make(stub).dsort("srt-1").wait(timeout=1, clock=clock.clock())
    assert sum(clock.sleeps) == pytest.approx(1.0)


def test_wait_outcome_rules() -> None:
    from aisclient.models.dsort import decode_job_map

    assert wait_outcome("j", {}) is None
    running = decode_job_map({"a": job_info(finished=False), "b": job_info()})
    assert wait_outcome("j", running) is None
    done = decode_job_map({"a": job_info(), "b": job_info(end="2026-01-01T00:00:00Z")})
    outcome = wait_outcome("j", done)
    assert outcome is not None and outcome.success
    assert outcome.end_time == datetime(2026, 1, 1, tzinfo=UTC)
