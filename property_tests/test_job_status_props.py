"""Property tests of job status decoding, wait results, and the idle-wait state machine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from aisclient import Client
from aisclient.clock import Clock
from aisclient.errors import Timeout
from aisclient.job import Job, WaitResult
from aisclient.models._convert import structure
from aisclient.models.job import AggregatedJobSnap, JobStatus
from aisclient.request import Request
from aisclient.transport.base import BytesResponse, Response
from aisclient.transport.mock import MockTransport

int64 = st.integers(0, (1 << 63) - 1)


def wire_int(value: int) -> st.SearchStrategy[Any]:
    return st.sampled_from([value, str(value)])


@st.composite
def status_doc(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    end = draw(st.one_of(st.just(0), int64))
    values = {
        "uuid": draw(st.text(max_size=12)),
        "kind": draw(st.sampled_from(["copy-bck", "lru", "archive", ""])),
        "err": draw(st.sampled_from(["", "", "boom", "aborted by user"])),
        "end_time": end,
        "aborted": draw(st.booleans()),
        "is_idle": draw(st.booleans()),
    }
    doc = dict(values, end_time=draw(wire_int(end)))
    return doc, values


@settings(max_examples=300)
@given(status_doc())
def test_status_decodes_numbers_and_numeric_strings_alike(
    case: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    doc, values = case
    status = structure(doc, JobStatus)
    assert status == JobStatus(**values)
    assert status.is_finished == (values["end_time"] != 0)
    assert status.succeeded == (status.is_finished and not values["err"] and not values["aborted"])


@settings(max_examples=300)
@given(status_doc())
def test_wait_result_from_status(case: tuple[dict[str, Any], dict[str, Any]]) -> None:
    status = structure(case[0], JobStatus)
    result = WaitResult.from_status(status, "fallback")
    assert bool(result) == (not status.err and not status.aborted)
    assert result.job_id == (status.uuid or "fallback")
    if not result:
        assert result.error == (status.err or "aborted")
    else:
        assert result.error is None
    if status.end_time:
        assert result.end_time is not None
        assert abs(result.end_time.timestamp() - status.end_time / 1e9) < 1e-3


BASE = datetime(2026, 1, 1, tzinfo=UTC)


@st.composite
def snapshot(draw: st.DrawFn) -> dict[str, Any]:
    ended = draw(st.one_of(st.none(), st.integers(0, 10_000)))
    return {
        "id": "j1",
        "kind": "copy-listrange",
        "start-time": BASE.isoformat(),
        "end-time": (
            "0001-01-01T00:00:00Z"
            if ended is None
            else (BASE + timedelta(seconds=ended)).isoformat()
        ),
        "aborted": draw(st.booleans()),
        "abort-err": draw(st.sampled_from(["", "", "aborted by user"])),
        "is_idle": draw(st.booleans()),
        "glob.id": draw(wire_int(draw(st.integers(0, 1 << 40)))),
    }


@settings(max_examples=300)
@given(st.dictionaries(st.sampled_from(["t1", "t2", "t3"]), st.lists(snapshot(), max_size=3)))
def test_aggregated_helpers_are_consistent(doc: dict[str, list[dict[str, Any]]]) -> None:
    agg = structure(doc, AggregatedJobSnap)
    snaps = agg.list_snapshots()
    assert len(snaps) == sum(len(v) for v in doc.values())
    if agg.all_idle():
        assert agg.idle_or_aborted()
    assert agg.any_aborted() == any(s["aborted"] or s["abort-err"] for v in doc.values() for s in v)
    result = WaitResult.from_snapshots("j1", snaps)
    assert bool(result) == (not agg.any_aborted())
    ends = [s.ended for s in snaps]
    if snaps and None not in ends:
        assert result.end_time == max(e for e in ends if e is not None)
    else:
        assert result.end_time is None
    for snap in snaps:
        joggers, workers, chan_full = snap.unpack_glob_id()
        assert joggers | (workers << 10) | (chan_full << 20) == snap.packed


def _poll_doc(state: str) -> dict[str, Any]:
    """One poll's snapshots: ``idle`` (all idle), ``busy`` (one busy), ``none``, ``abort``."""
    row = {"id": "j1", "kind": "copy-listrange", "is_idle": True}
    if state == "none":
        return {}
    if state == "busy":
        return {"t1": [row], "t2": [dict(row, is_idle=False)]}
    if state == "abort":
        return {"t1": [dict(row, is_idle=False, aborted=True)]}
    return {"t1": [row], "t2": [row]}


def _expected_end(states: list[str]) -> tuple[int, bool] | None:
    """Reference: the poll index (1-based) where the idle wait ends, and success."""
    streak = 0
    for index, state in enumerate(states, start=1):
        if state == "abort":
            return index, False
        streak = streak + 1 if state == "idle" else 0
        if streak == 2:
            return index, True
    return None


@settings(max_examples=300)
@given(st.lists(st.sampled_from(["idle", "busy", "none", "abort"]), min_size=1, max_size=12))
def test_idle_wait_ends_exactly_where_the_reference_says(states: list[str]) -> None:
    polls: list[Request] = []

    def handle(request: Request) -> Response:
        polls.append(request)
        state = states[min(len(polls), len(states)) - 1]
        return BytesResponse.of_json(_poll_doc(state))

    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    clock = Clock(sleep=sleep, monotonic=lambda: now[0])
    client = Client("http://ais.invalid", transport=MockTransport(handle))
    job = Job(client, "j1", "copy-listrange", clock=clock)
    # the server keeps answering with the last scripted state
    expected = _expected_end(states + [states[-1]] * 2)
    if expected is None:
        try:
            job.wait(timeout=100, verbose=False)
        except Timeout:
            assert abs(now[0] - 100) < 1e-6
            return
        raise AssertionError("expected a timeout")
    index, success = expected
    result = job.wait(timeout=100, verbose=False)
    assert len(polls) == index
    assert bool(result) == success
