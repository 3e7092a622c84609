"""Job facade: status, start/abort, and the three wait modes with a fake clock (no sleeping)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from aisclient import Client
from aisclient.clock import Clock
from aisclient.errors import APIRequestError, JobInfoNotFound, Timeout
from aisclient.job import Job, WaitResult
from aisclient.request import Request
from aisclient.retry import RetryPolicy
from aisclient.transport.base import BytesResponse
from aisclient.transport.mock import MockTransport, StubTransport

# Retries are tested elsewhere; here every failure must reach the code under test at once.
NO_RETRY = RetryPolicy.never()


class FakeClock:
    def __init__(self) -> None:
        self.time = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.time += seconds

    def now(self) -> float:
        return self.time

    @property
    def clock(self) -> Clock:
        return Clock(sleep=self.sleep, monotonic=self.now)


def scripted(replies: list[Any]) -> tuple[Client, list[Request]]:
    """A client whose transport answers with ``replies`` in order (the last one repeats)."""
    seen: list[Request] = []
    queue: Iterator[Any] = iter(replies)
    last: list[Any] = [None]

    def handle(request: Request) -> BytesResponse:
        seen.append(request)
        reply = next(queue, last[0])
        last[0] = reply
        if isinstance(reply, BytesResponse):
            return BytesResponse(reply.status, reply.read(), dict(reply.headers))
        return BytesResponse.of_json(reply)

    return Client(
        "http://ais.invalid", retry_config=NO_RETRY, transport=MockTransport(handle)
    ), seen


def status(end_time: int = 0, **extra: Any) -> dict[str, Any]:
    return {"uuid": "j1", "kind": "copy-bck", "err": "", "end_time": end_time, **extra}


def snaps(*rows: dict[str, Any], kind: str = "copy-listrange") -> dict[str, Any]:
    return {
        f"t{i}": [{"id": "j1", "kind": kind, "start-time": "2026-01-01T00:00:00Z", **row}]
        for i, row in enumerate(rows)
    }


END_NS = 1_767_225_601_000_000_000  # 2026-01-01T00:00:01Z


def test_status_requires_an_id_and_decodes() -> None:
    client, seen = scripted([status(END_NS)])
    assert Job(client, "j1").status().end_time == END_NS
    assert seen[0].json["ID"] == "j1"
    with pytest.raises(ValueError):
        Job(client, job_kind="lru").status()


def test_terminal_wait_polls_until_end_time() -> None:
    fake = FakeClock()
    client, seen = scripted([status(), status(), status(END_NS)])
    result = Job(client, "j1", "copy-bck", clock=fake.clock).wait(timeout=60)
    assert result == WaitResult("j1", True, None, datetime(2026, 1, 1, 0, 0, 1, tzinfo=UTC))
    assert len(seen) == 3 and all(r.query_value("what") == "status" for r in seen)
    assert fake.sleeps == [1.0, 1.0]  # SDK interval for T=60


def test_terminal_wait_reports_abort_and_error_without_raising() -> None:
    client, _ = scripted([status(END_NS, aborted=True)])
    result = Job(client, "j1", "copy-bck", clock=FakeClock().clock).wait()
    assert not result and result.error == "aborted"
    client, _ = scripted([status(END_NS, err="disk full")])
    result = Job(client, "j1", "copy-bck", clock=FakeClock().clock).wait()
    assert not result and result.error == "disk full"


def test_terminal_wait_times_out_naming_the_job() -> None:
    fake = FakeClock()
    client, seen = scripted([status()])
    with pytest.raises(Timeout) as info:
        Job(client, "j1", "copy-bck", clock=fake.clock).wait(timeout=300)
    assert "job 'j1'" in str(info.value) and "300" in str(info.value)
    assert fake.time == pytest.approx(300)
    assert fake.sleeps[0] == pytest.approx(4.6875)
    assert len(seen) == 65  # 64 full pauses, then the poll at the deadline


def test_wait_clock_keyword_overrides_the_handle_clock() -> None:
    fake = FakeClock()
    client, _ = scripted([status(), status(END_NS)])
    Job(client, "j1", "copy-bck").wait(timeout=8, clock=fake.clock)
    assert fake.sleeps == [1.0]


def test_wait_resolves_an_unknown_kind_from_snapshots() -> None:
    fake = FakeClock()
    idle = {"is_idle": True}
    client, seen = scripted([snaps(idle, kind="archive"), snaps(idle, kind="archive"), snaps(idle)])
    job = Job(client, "j1", clock=fake.clock)
    result = job.wait(timeout=10)
    assert job.job_kind == "archive"
    assert result.success
    assert [r.query_value("what") for r in seen] == ["qryxstats"] * 3


def test_wait_unknown_job_raises_job_info_not_found() -> None:
    client, _ = scripted([{}])
    with pytest.raises(JobInfoNotFound):
        Job(client, "nope", clock=FakeClock().clock).wait()
    client, _ = scripted([BytesResponse(404, b'{"message":"x not found"}')])
    with pytest.raises(JobInfoNotFound):
        Job(client, "nope", clock=FakeClock().clock).wait()


def test_idle_wait_needs_two_consecutive_all_idle_polls() -> None:
    fake = FakeClock()
    busy, idle = {"is_idle": False}, {"is_idle": True}
    client, seen = scripted(
        [
            {},  # no snapshots yet
            snaps(idle, busy),
            snaps(idle, idle),
            snaps(idle, busy),  # resets the count
            snaps(idle, idle),
            snaps(idle, idle),
        ]
    )
    result = Job(client, "j1", "copy-listrange", clock=fake.clock).wait(timeout=30)
    assert result.success and result.end_time is None
    assert len(seen) == 6


def test_idle_wait_tolerates_404_before_the_job_registers() -> None:
    idle = {"is_idle": True}
    client, seen = scripted([BytesResponse(404, b"{}"), snaps(idle), snaps(idle)])
    assert Job(client, "j1", "archive", clock=FakeClock().clock).wait_for_idle().success
    assert len(seen) == 3


def test_idle_wait_stops_at_first_abort() -> None:
    client, seen = scripted([snaps({"is_idle": False}, {"abort-err": "aborted by user"})])
    result = Job(client, "j1", "copy-listrange", clock=FakeClock().clock).wait()
    assert result == WaitResult("j1", False, "aborted by user", None)
    assert len(seen) == 1


def test_idle_wait_times_out() -> None:
    fake = FakeClock()
    client, _ = scripted([snaps({"is_idle": False})])
    with pytest.raises(Timeout, match="job 'j1'"):
        Job(client, "j1", "copy-listrange", clock=fake.clock).wait(timeout=5)
    assert fake.time == pytest.approx(5)


def test_idle_wait_other_errors_propagate() -> None:
    client, _ = scripted([BytesResponse(500, b"boom")])
    with pytest.raises(APIRequestError):
        Job(client, "j1", "archive", clock=FakeClock().clock).wait()


def test_single_node_wait_for_blob_download() -> None:
    ended = {"end-time": "2026-01-01T00:00:09Z"}
    client, seen = scripted([{}, snaps({}, {}, kind="blob-download"), snaps(ended, {})])
    result = Job(client, "j1", "blob-download", clock=FakeClock().clock).wait()
    # any one target's end finishes the wait; the end time needs every target's end
    assert result == WaitResult("j1", True, None, None)
    assert len(seen) == 3
    client, _ = scripted([snaps(ended, ended, kind="resilver")])
    result = Job(client, "j1", "resilver", clock=FakeClock().clock).wait()
    assert result.end_time == datetime(2026, 1, 1, 0, 0, 9, tzinfo=UTC)


def test_kind_only_idle_wait_uses_the_snapshot_id() -> None:
    idle = {"is_idle": True}
    client, seen = scripted([snaps(idle), snaps(idle)])
    result = Job(client, job_kind="copy-listrange", clock=FakeClock().clock).wait()
    assert result.job_id == "j1"
    assert seen[0].json == {
        "ID": "",
        "Kind": "copy-listrange",
        "DaemonID": "",
        "Bck": None,
        "Buckets": None,
    }


def test_kind_only_terminal_wait_needs_an_id() -> None:
    client, _ = scripted([])
    with pytest.raises(ValueError, match="needs its id"):
        Job(client, job_kind="copy-bck").wait()


def test_start_sends_args_and_keeps_the_id() -> None:
    stub = StubTransport()
    client = Client("http://ais.invalid", retry_config=NO_RETRY, transport=stub)

    def check(request: Request) -> bool:
        value = request.json["value"]
        return (
            request.method == "PUT"
            and request.json["action"] == "start"
            and value["Kind"] == "lru"
            and value["Bck"] == {"name": "b1", "provider": "ais", "namespace": None}
        )

    stub.expect(check, BytesResponse(200, b"new-id"))
    job = Job(client, job_kind="lru")
    assert job.start(buckets=[client.bucket("b1")]) == "new-id"
    assert job.job_id == "new-id"
    stub.assert_done()


@pytest.mark.parametrize(
    ("kind", "kwargs", "problem"),
    [
        ("", {}, "without a kind"),
        ("copy-bck", {}, "not started through the cluster API"),
        ("resilver", {}, "daemon_id"),
        ("make-n-copies", {}, "needs a bucket"),
    ],
)
def test_start_validation_sends_nothing(kind: str, kwargs: dict[str, Any], problem: str) -> None:
    stub = StubTransport()
    with pytest.raises(ValueError, match=problem):
        Job(
            Client("http://ais.invalid", retry_config=NO_RETRY, transport=stub), job_kind=kind
        ).start(**kwargs)
    stub.assert_done()


def test_start_unknown_kind_is_left_to_the_server() -> None:
    client, seen = scripted([BytesResponse(200, b"x1")])
    assert Job(client, job_kind="future-kind").start() == "x1"
    assert seen[0].json["value"]["Kind"] == "future-kind"


def test_abort() -> None:
    client, seen = scripted([BytesResponse(200, b"")])
    Job(client, "j1", "copy-bck").abort()
    assert seen[0].json == {
        "action": "stop",
        "name": "",
        "value": {"ID": "j1", "Kind": "copy-bck", "DaemonID": "", "Bck": None, "Buckets": None},
    }
    with pytest.raises(ValueError):
        Job(client).abort()


def test_total_time_and_timeframe() -> None:
    rows = (
        {"start-time": "2026-01-01T00:00:00Z", "end-time": "2026-01-01T00:00:03Z"},
        {"start-time": "2026-01-01T00:00:01Z", "end-time": "2026-01-01T00:00:05Z"},
    )
    body = {f"t{i}": [{"id": "j1", "kind": "copy-bck", **row}] for i, row in enumerate(rows)}
    client, _ = scripted([body])
    job = Job(client, "j1")
    assert job.get_total_time() == timedelta(seconds=5)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert len(job.get_within_timeframe(start)) == 2
    assert len(job.get_within_timeframe(start, start + timedelta(seconds=4))) == 1
    with pytest.raises(JobInfoNotFound):
        job.get_within_timeframe(start + timedelta(hours=1))
    unfinished, _ = scripted([snaps({})])
    assert Job(unfinished, "j1").get_total_time() is None


def test_is_finished_and_is_aborted_helpers() -> None:
    client, _ = scripted([status(END_NS, aborted=True)])
    job = Job(client, "j1")
    assert job.is_finished() and job.is_aborted()


def test_client_job_factory() -> None:
    client, seen = scripted([])
    job = client.job("id1", "copy-bck")
    assert (job.job_id, job.job_kind) == ("id1", "copy-bck") and seen == []


def test_wait_understands_display_names() -> None:
    idle = {"is_idle": True}
    client, seen = scripted([snaps(idle), snaps(idle)])
    assert Job(client, "j1", "copy-objects", clock=FakeClock().clock).wait().success
    assert [r.query_value("what") for r in seen] == ["qryxstats", "qryxstats"]
