"""Job decoders and helpers on realistic JSON."""

from __future__ import annotations

from datetime import UTC, datetime

from aisclient.job import WaitResult
from aisclient.models._convert import structure
from aisclient.models.bucket import BucketModel
from aisclient.models.job import (
    IDLE_KINDS,
    KNOWN_KINDS,
    STARTABLE_KINDS,
    AggregatedJobSnap,
    JobSnap,
    JobStatus,
    decode_running,
    decode_status_list,
    idles_before_finishing,
    is_valid_kind,
    kind_info,
    parse_time,
)
from aisclient.provider import Namespace

STATUS = {
    "kind": "copy-bck",
    "uuid": "nEtZ5Oqkx",
    "err": "",
    "end_time": 1724280000123456789,
    "aborted": False,
    "is_idle": False,
}

SNAP = {
    "id": "nEtZ5Oqkx",
    "kind": "copy-bck",
    "start-time": "2026-08-21T10:00:00.1Z",
    "end-time": "0001-01-01T00:00:00Z",
    "bck": {"name": "src", "provider": "ais", "namespace": {"uuid": "", "name": ""}},
    "src-bck": {"name": "src", "provider": "ais", "namespace": {"uuid": "", "name": ""}},
    "dst-bck": {"name": "dst", "provider": "ais", "namespace": {"uuid": "", "name": ""}},
    "ctlmsg": "cp ais://src=>ais://dst",
    "abort-err": "",
    "err": "",
    "glob.id": str(3 | (4 << 10) | (7 << 20)),
    "stats": {
        "loc-objs": "10",
        "loc-bytes": "1024",
        "out-objs": "0",
        "out-bytes": "0",
        "in-objs": "0",
        "in-bytes": "0",
    },
    "aborted": False,
    "is_idle": False,
    "ext": None,
}


def snap(**changes: object) -> dict[str, object]:
    return {**SNAP, **changes}


def test_status_decoding_and_helpers() -> None:
    status = structure(STATUS, JobStatus)
    assert status == JobStatus("nEtZ5Oqkx", "", 1724280000123456789, False, "copy-bck", False)
    assert status.is_finished and status.succeeded and not status.is_aborted
    assert status.end_datetime == datetime(2024, 8, 21, 22, 40, 0, 123457, tzinfo=UTC)
    running = structure({"uuid": "x", "end_time": 0}, JobStatus)
    assert not running.is_finished and not running.succeeded and running.end_datetime is None
    aborted = structure({"uuid": "x", "end_time": "5", "aborted": True}, JobStatus)
    assert aborted.is_finished and aborted.error == "aborted" and not aborted.succeeded
    failed = structure({"uuid": "x", "end_time": 5, "err": "boom"}, JobStatus)
    assert failed.error == "boom" and not failed.succeeded


def test_status_list_null_is_empty() -> None:
    assert decode_status_list(None) == []
    assert decode_status_list([STATUS])[0].uuid == "nEtZ5Oqkx"
    assert decode_running(None) == []
    assert decode_running(["list[a]", "archive[b]"]) == ["list[a]", "archive[b]"]


def test_snapshot_decoding() -> None:
    decoded = structure(SNAP, JobSnap)
    assert decoded.id == "nEtZ5Oqkx" and decoded.kind == "copy-bck"
    assert decoded.source_bck == BucketModel("src", "ais", Namespace("", ""))
    assert decoded.destination_bck is not None and decoded.destination_bck.name == "dst"
    assert decoded.stats is not None and decoded.stats.objects == 10
    assert decoded.stats.bytes == 1024
    assert decoded.started == datetime(2026, 8, 21, 10, 0, 0, 100000, tzinfo=UTC)
    assert decoded.ended is None and not decoded.is_finished
    assert decoded.unpack_glob_id() == (3, 4, 7)
    assert decoded.ctlmsg.startswith("cp ")


def test_snapshot_with_minimal_fields() -> None:
    decoded = structure({"id": "x", "kind": "list"}, JobSnap)
    assert decoded.bucket is None and decoded.stats is None and decoded.started is None


def test_aggregated_snapshots() -> None:
    agg = structure(
        {
            "t1": [snap(is_idle=True)],
            "t2": [snap(is_idle=True, **{"glob.id": str(2 << 10)})],
            "t3": None,
        },
        AggregatedJobSnap,
    )
    assert list(agg) == ["t1", "t2", "t3"] and len(agg) == 3
    assert len(agg.list_snapshots()) == 2
    assert agg.all_idle() and agg.idle_or_aborted() and not agg.any_aborted()
    assert agg.get_num_workers() == 6
    assert not agg.any_finished()
    mixed = structure(
        {"t1": [snap(is_idle=False, aborted=True)], "t2": [snap(is_idle=True)]},
        AggregatedJobSnap,
    )
    assert mixed.any_aborted() and mixed.idle_or_aborted() and not mixed.all_idle()
    assert mixed.any_finished()
    assert structure(None, AggregatedJobSnap).list_snapshots() == []
    assert not structure({}, AggregatedJobSnap).all_idle()


def test_parse_time() -> None:
    assert parse_time("") is None
    assert parse_time("0001-01-01T00:00:00Z") is None
    assert parse_time("garbage") is None
    assert parse_time("2026-08-21T10:00:00.123456789Z") == datetime(
        2026, 8, 21, 10, 0, 0, 123456, tzinfo=UTC
    )


def test_wait_result_from_snapshots() -> None:
    ended = "2026-08-21T10:00:05Z"
    later = "2026-08-21T10:00:07Z"
    snaps = [
        structure(snap(**{"end-time": ended}), JobSnap),
        structure(snap(**{"end-time": later}), JobSnap),
    ]
    result = WaitResult.from_snapshots("j", snaps)
    assert result == WaitResult("j", True, None, datetime(2026, 8, 21, 10, 0, 7, tzinfo=UTC))
    assert bool(result)
    unfinished = [snaps[0], structure(SNAP, JobSnap)]
    assert WaitResult.from_snapshots("j", unfinished).end_time is None
    aborted = [snaps[0], structure(snap(aborted=True), JobSnap)]
    assert WaitResult.from_snapshots("j", aborted) == WaitResult("j", False, "aborted", None)
    abort_err = [structure(snap(**{"abort-err": "aborted by user"}), JobSnap)]
    failed = WaitResult.from_snapshots("j", abort_err)
    assert not failed and failed.error == "aborted by user"


def test_kind_tables() -> None:
    assert len(KNOWN_KINDS) == 34
    expected_idle = {
        "ec-get",
        "ec-put",
        "ec-resp",
        "put-copies",
        "archive",
        "copy-listrange",
        "etl-listrange",
        "download",
        "list",
        "get-batch",
    }
    assert expected_idle == IDLE_KINDS
    assert "rebalance" in STARTABLE_KINDS and "copy-bck" not in STARTABLE_KINDS
    assert idles_before_finishing("copy-listrange") and not idles_before_finishing("copy-bck")
    assert is_valid_kind("copy-objects")  # display name
    assert not is_valid_kind("no-such-kind")
    info = kind_info("mirror")
    assert info is not None and info.kind == "make-n-copies" and info.startable
