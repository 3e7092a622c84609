"""Retry decisions: a whole loop under a fake clock never exceeds the limits or the deadline."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aisclient.clock import Clock
from aisclient.errors import AISConnectionError, AISTimeoutError
from aisclient.request import BytesBody, IterBody, JsonBody, Request
from aisclient.retry import (
    FailureKind,
    GiveUp,
    Outcome,
    Retry,
    RetryPolicy,
    decide,
    network_backoff,
    parse_retry_after,
    status_backoff,
)
from aisclient.transport.base import BytesResponse, Response
from aisclient.transport.retrying import send_with_retry

EXAMPLES = settings(max_examples=300, deadline=None)

policies = st.builds(
    RetryPolicy,
    statuses=st.frozensets(st.sampled_from([413, 429, 500, 502, 503, 504])),
    status_retries=st.integers(0, 8),
    backoff_factor=st.floats(0, 10),
    backoff_max=st.floats(0, 200),
    network_attempts=st.integers(0, 9),
    network_wait_min=st.floats(0, 5),
    network_wait_max=st.floats(0, 60),
    deadline=st.one_of(st.none(), st.floats(0, 600)),
    respect_retry_after=st.booleans(),
    jitter=st.floats(0, 2),
)
REQUESTS = {
    "get": Request("GET", ("objects", "b", "o")),
    "put-bytes": Request("PUT", ("objects", "b", "o"), body=BytesBody(b"x")),
    "post": Request("POST", ("buckets", "b"), body=JsonBody.of({"action": "x"})),
    "safe-post": Request("POST", ("etl",), idempotent=True),
    "patch": Request("PATCH", ("objects", "b", "o")),
}
retry_after = st.one_of(st.none(), st.integers(0, 900).map(str), st.text(max_size=12))
# One attempt's result: a status (with Retry-After), or a network failure of some phase.
attempts = st.one_of(
    st.tuples(st.sampled_from([200, 404, 413, 429, 500, 502, 503, 504]), retry_after),
    st.sampled_from(["connect", "read", "tls"]),
)


@dataclass
class Run:
    now: float = 0.0
    attempts: int = 0
    status_retries: int = 0
    network_attempts: int = 0
    sleeps: list[tuple[float, float]] = field(default_factory=list)  # (started at, seconds)


def simulate(
    policy: RetryPolicy,
    request: Request,
    script: list,
    durations: list[float],
    rand: float,
) -> tuple[Run, Response | BaseException]:
    run = Run()
    clock = Clock(
        sleep=lambda seconds: sleep(seconds), monotonic=lambda: run.now, random=lambda: rand
    )
    last_kind: list[str] = []

    def sleep(seconds: float) -> None:
        assert math.isfinite(seconds) and seconds >= 0
        run.sleeps.append((run.now, seconds))
        run.now += seconds
        if last_kind[-1] == "status":
            run.status_retries += 1

    def send_once(req: Request) -> Response:
        index = run.attempts
        run.attempts += 1
        assert run.attempts <= 100, "the loop must end"
        run.now += durations[index % len(durations)]
        if isinstance(req.body, IterBody):
            for _ in req.body.source:  # the attempt sends the body before its answer
                pass
        answer = script[index] if index < len(script) else (200, None)
        if isinstance(answer, str):
            last_kind.append("network")
            run.network_attempts += 1
            phase = "" if answer == "tls" else answer
            cls = AISTimeoutError if answer == "read" else AISConnectionError
            raise cls("failed", method=req.method, url="http://h/v1/x", phase=phase)
        last_kind.append("status")
        code, hint = answer
        headers = {} if hint is None else {"Retry-After": hint}
        return BytesResponse(code, b"", headers)

    try:
        result: Response | BaseException = send_with_retry(send_once, request, policy, clock=clock)
    except AISConnectionError as err:
        result = err
    return run, result


@EXAMPLES
@given(
    policies,
    st.sampled_from(sorted(REQUESTS)),
    st.lists(attempts, max_size=30),
    st.lists(st.floats(0, 50), min_size=1, max_size=5),
    st.floats(0, 1, exclude_max=True),
)
def test_a_retry_loop_respects_every_limit(
    policy: RetryPolicy, kind: str, script: list, durations: list[float], rand: float
) -> None:
    request = REQUESTS[kind]
    run, result = simulate(policy, request, script, durations, rand)
    assert run.status_retries <= policy.status_retries
    assert run.network_attempts <= max(policy.network_attempts, 1)
    assert run.attempts == len(run.sleeps) + 1
    if policy.deadline is not None:
        for started, seconds in run.sleeps:
            assert started + seconds <= policy.deadline + 1e-9  # never sleeps past it
    if not request.idempotent:
        # a non-idempotent request is resent only after a 429 or a failed connect
        for answer in script[: run.attempts - 1]:
            assert answer == "connect" or (isinstance(answer, tuple) and answer[0] == 429)
    if isinstance(result, Response):
        assert result.status == (
            script[run.attempts - 1][0] if run.attempts <= len(script) else 200
        )


@EXAMPLES
@given(policies, st.lists(attempts, min_size=1, max_size=10), st.floats(0, 1, exclude_max=True))
def test_a_one_shot_body_is_sent_exactly_once(
    policy: RetryPolicy, script: list, rand: float
) -> None:
    request = Request("PUT", ("objects", "b", "o"), body=IterBody(iter([b"data"])))
    run, _ = simulate(policy, request, script, [0.1], rand)
    assert run.attempts == 1 and run.sleeps == []


outcomes = st.one_of(
    st.builds(Outcome, st.just(FailureKind.STATUS), st.integers(100, 599), retry_after),
    st.builds(Outcome, st.sampled_from([FailureKind.CONNECT, FailureKind.READ])),
)


@EXAMPLES
@given(
    policies,
    st.sampled_from(sorted(REQUESTS)),
    outcomes,
    st.integers(1, 20),
    st.floats(0, 1000),
    st.floats(0, 1, exclude_max=True),
    st.one_of(st.none(), st.floats(0, 2e9)),
)
def test_decide_is_pure_and_bounded(
    policy: RetryPolicy,
    kind: str,
    outcome: Outcome,
    failures: int,
    elapsed: float,
    rand: float,
    now: float | None,
) -> None:
    request = REQUESTS[kind]
    verdict = decide(policy, request, outcome, failures, elapsed, rand, now)
    assert verdict == decide(policy, request, outcome, failures, elapsed, rand, now)
    if isinstance(verdict, Retry):
        assert math.isfinite(verdict.after) and verdict.after >= 0
        if policy.deadline is not None:
            assert elapsed + verdict.after <= policy.deadline
        if outcome.kind is FailureKind.STATUS:
            assert failures <= policy.status_retries and outcome.status in policy.statuses
        else:
            assert failures < policy.network_attempts
    else:
        assert isinstance(verdict, GiveUp) and verdict.reason


@EXAMPLES
@given(
    policies, outcomes, st.integers(1, 20), st.floats(0, 1000), st.floats(0, 1, exclude_max=True)
)
def test_an_untouched_one_shot_body_is_decided_like_a_replayable_one(
    policy: RetryPolicy, outcome: Outcome, failures: int, elapsed: float, rand: float
) -> None:
    path = ("objects", "b", "o")
    one_shot = Request("PUT", path, body=IterBody(iter(())))
    replayable = Request("PUT", path, body=BytesBody(b""))
    untouched = decide(policy, one_shot, outcome, failures, elapsed, rand, body_sent=False)
    assert untouched == decide(policy, replayable, outcome, failures, elapsed, rand)
    assert isinstance(decide(policy, one_shot, outcome, failures, elapsed, rand), GiveUp)


@EXAMPLES
@given(policies, st.integers(1, 30), st.floats(0, 1, exclude_max=True))
def test_backoffs_stay_in_their_bounds(policy: RetryPolicy, failures: int, rand: float) -> None:
    waited = status_backoff(policy, failures, rand)
    base = (
        0.0
        if failures == 1
        else min(policy.backoff_factor * 2 ** (failures - 1), policy.backoff_max)
    )
    spread = min(policy.jitter, 1.0)
    assert base * (1 - spread) - 1e-9 <= waited <= base * (1 + spread) + 1e-9
    network = network_backoff(policy, failures, rand)
    high = max(policy.network_wait_min, min(2.0 ** (failures - 1), policy.network_wait_max))
    assert policy.network_wait_min <= network <= high


@EXAMPLES
@given(
    st.one_of(st.none(), st.text(), st.integers(0, 10**30).map(str)),
    st.one_of(st.none(), st.floats(allow_nan=False)),
)
def test_parse_retry_after_is_total(value: str | None, now: float | None) -> None:
    seconds = parse_retry_after(value, now)
    assert seconds is None or (math.isfinite(seconds) and seconds >= 0)


@pytest.mark.parametrize("failures", range(1, 7))
def test_sdk_sequence_is_the_zero_jitter_case(failures: int) -> None:
    policy = RetryPolicy(jitter=0)
    assert status_backoff(policy, failures, 0.3) == [0, 6, 12, 24, 48, 96][failures - 1]
