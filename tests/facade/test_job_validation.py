"""Bad job arguments fail with a clear TypeError/ValueError before any request."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aisclient import Client
from aisclient.clock import Clock
from aisclient.job import Job
from aisclient.retry import RetryPolicy
from aisclient.transport.base import BytesResponse
from aisclient.transport.mock import StubTransport

# Retries are tested elsewhere; here every failure must reach the code under test at once.
NO_RETRY = RetryPolicy.never()


@pytest.fixture
def stub() -> StubTransport:
    return StubTransport()


@pytest.fixture
def client(stub: StubTransport) -> Client:
    return Client("http://ais.invalid:8080", retry_config=NO_RETRY, transport=stub)


def test_get_within_timeframe_needs_datetimes(client: Client, stub: StubTransport) -> None:
    job = client.job("x")
    with pytest.raises(TypeError, match="start_time must be a datetime, not str"):
        job.get_within_timeframe("not a datetime")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="end_time must be a datetime or None, not int"):
        job.get_within_timeframe(datetime.now(UTC), 5)  # type: ignore[arg-type]
    stub.assert_done()


@pytest.mark.parametrize(
    ("timeout", "error"),
    [(-1, ValueError), (float("nan"), ValueError), (float("inf"), ValueError), ("abc", TypeError)],
)
def test_waits_check_the_timeout_first(
    client: Client, stub: StubTransport, timeout: object, error: type[Exception]
) -> None:
    # No kind: wait() would look it up with a request first, so the check must come before.
    job = client.job("x")
    for wait in (job.wait, job.wait_for_idle, job.wait_single_node):
        with pytest.raises(error, match="timeout"):
            wait(timeout=timeout)  # type: ignore[arg-type]
    with pytest.raises(error, match="timeout"):
        client.dsort("srt-1").wait(timeout=timeout)  # type: ignore[arg-type]
    stub.assert_done()


def test_zero_timeout_polls_once_then_times_out(client: Client, stub: StubTransport) -> None:
    from aisclient.errors import Timeout

    stub.expect(lambda r: True, BytesResponse.of_json({"uuid": "x", "end_time": 0}))
    clock = Clock(sleep=lambda _: None, monotonic=lambda: 0.0)
    with pytest.raises(Timeout):
        client.job("x", "copy-bck").wait(timeout=0, clock=clock)
    stub.assert_done()


def test_job_id_and_kind_must_be_strings(client: Client) -> None:
    with pytest.raises(TypeError, match="job_id must be a str"):
        Job(client, 5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="job_kind must be a str"):
        client.job(job_kind=None)  # type: ignore[arg-type]


def test_unknown_but_well_formed_kind_is_left_to_the_server(
    client: Client, stub: StubTransport
) -> None:
    # Like the SDK: the kind table may lag the server, which answers 400 for a bad kind.
    stub.expect(lambda r: r.json["value"]["Kind"] == "new-kind", BytesResponse(200, b"job-1"))
    assert client.job(job_kind="new-kind").start() == "job-1"
    with pytest.raises(ValueError, match="not started through the cluster API"):
        client.job(job_kind="copy-bck").start()
    stub.assert_done()
