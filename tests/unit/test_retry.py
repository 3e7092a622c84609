"""Retry policy and decisions, and the loop that applies them."""

from __future__ import annotations

import email.utils
import pickle

import pytest

from aisclient.clock import FakeClock
from aisclient.errors import AISConnectionError, AISTimeoutError
from aisclient.request import IterBody, JsonBody, Request
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
from aisclient.retry_sdk import RetryConfig
from aisclient.transport.base import BytesResponse, Response
from aisclient.transport.mock import MockTransport
from aisclient.transport.retrying import RetryingTransport, send_with_retry

GET = Request("GET", ("objects", "b", "o"))
POST = Request("POST", ("buckets", "b"), body=JsonBody.of({"action": "x"}))
NOJITTER = RetryPolicy(jitter=0.0)


def status(code: int, retry_after: str | None = None) -> Outcome:
    return Outcome(FailureKind.STATUS, code, retry_after)


def test_defaults_are_the_sdk_defaults() -> None:
    policy = RetryPolicy.default()
    assert policy.statuses == {429, 500, 502, 503, 504}
    assert (policy.status_retries, policy.backoff_factor, policy.backoff_max) == (5, 3.0, 120.0)
    assert (policy.network_attempts, policy.network_wait_min, policy.network_wait_max) == (7, 1, 30)
    assert RetryConfig.default() == policy


def test_status_backoff_is_0_6_12_24_48() -> None:
    assert [status_backoff(NOJITTER, n, 0.0) for n in range(1, 6)] == [0, 6, 12, 24, 48]


def test_status_backoff_is_capped() -> None:
    assert status_backoff(NOJITTER, 12, 0.5) == 120.0


def test_status_jitter_stays_within_its_fraction() -> None:
    policy = RetryPolicy(jitter=0.1)
    assert status_backoff(policy, 3, 0.0) == pytest.approx(12 * 0.9)
    assert status_backoff(policy, 3, 0.5) == pytest.approx(12.0)
    assert status_backoff(policy, 3, 0.999999) == pytest.approx(12 * 1.1, rel=1e-5)


def test_network_waits_are_random_exponential_between_1_and_30() -> None:
    policy = RetryPolicy()
    assert [network_backoff(policy, n, 0.0) for n in range(1, 7)] == [1.0] * 6
    highs = [network_backoff(policy, n, 1.0) for n in range(1, 8)]
    assert highs == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]


def test_five_status_retries_then_give_up() -> None:
    verdicts = [decide(NOJITTER, GET, status(503), n, 0.0, 0.0) for n in range(1, 7)]
    assert verdicts[:5] == [Retry(0.0), Retry(6.0), Retry(12.0), Retry(24.0), Retry(48.0)]
    assert isinstance(verdicts[5], GiveUp)


def test_seven_network_attempts_then_give_up() -> None:
    connect = Outcome(FailureKind.CONNECT)
    verdicts = [decide(NOJITTER, GET, connect, n, 0.0, 0.0) for n in range(1, 8)]
    assert all(isinstance(v, Retry) for v in verdicts[:6])
    assert verdicts[6] == GiveUp("gave up after 7 attempts")


@pytest.mark.parametrize("code", [400, 401, 403, 404, 409, 501, 507])
def test_other_statuses_are_not_retried(code: int) -> None:
    assert isinstance(decide(NOJITTER, GET, status(code), 1, 0, 0), GiveUp)


def test_non_idempotent_requests() -> None:
    assert isinstance(decide(NOJITTER, POST, status(503), 1, 0, 0), GiveUp)
    assert decide(NOJITTER, POST, status(429), 1, 0, 0) == Retry(0.0)
    assert isinstance(decide(NOJITTER, POST, Outcome(FailureKind.READ), 1, 0, 0), GiveUp)
    assert isinstance(decide(NOJITTER, POST, Outcome(FailureKind.CONNECT), 1, 0, 0), Retry)
    patch = Request("PATCH", ("objects", "b", "o"))
    assert isinstance(decide(NOJITTER, patch, status(500), 1, 0, 0), GiveUp)
    marked = POST.replace(idempotent=True)
    assert isinstance(decide(NOJITTER, marked, status(503), 1, 0, 0), Retry)
    assert isinstance(decide(NOJITTER, marked, Outcome(FailureKind.READ), 1, 0, 0), Retry)
    unmarked = GET.replace(idempotent=False)
    assert isinstance(decide(NOJITTER, unmarked, Outcome(FailureKind.READ), 1, 0, 0), GiveUp)


def test_a_one_shot_body_is_never_replayed() -> None:
    put = Request("PUT", ("objects", "b", "o"), body=IterBody(iter([b"x"])))
    for outcome in (status(429), status(503), Outcome(FailureKind.CONNECT)):
        verdict = decide(NOJITTER, put, outcome, 1, 0, 0)
        assert verdict == GiveUp("the request body can be sent only once")


@pytest.mark.parametrize("code", [413, 429, 503])
def test_retry_after_seconds_is_honoured(code: int) -> None:
    policy = NOJITTER.replace(statuses=frozenset({413, 429, 503}))
    assert decide(policy, GET, status(code, "7"), 1, 0, 0) == Retry(7.0)
    # the hint never shortens the backoff
    assert decide(policy, GET, status(code, "1"), 3, 0, 0) == Retry(12.0)


def test_retry_after_is_ignored_for_other_statuses_and_when_disabled() -> None:
    assert decide(NOJITTER, GET, status(500, "30"), 1, 0, 0) == Retry(0.0)
    off = NOJITTER.replace(respect_retry_after=False)
    assert decide(off, GET, status(429, "30"), 1, 0, 0) == Retry(0.0)


def test_retry_after_http_date() -> None:
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 42, usegmt=True)
    assert parse_retry_after(date, now) == pytest.approx(42.0)
    assert parse_retry_after(email.utils.formatdate(now - 42, usegmt=True), now) == 0.0
    assert parse_retry_after(date, None) is None  # no clock, no date arithmetic
    assert decide(NOJITTER, GET, status(429, date), 1, 0, 0, now=now) == Retry(pytest.approx(42))


@pytest.mark.parametrize("raw", [None, "", "soon", "-5", "1.5", "²", "١٢", "9" * 400, "Mon, 99"])
def test_bad_retry_after_values_are_ignored(raw: str | None) -> None:
    assert parse_retry_after(raw, 0.0) is None


def test_retry_after_beyond_the_deadline_gives_up() -> None:
    policy = NOJITTER.replace(deadline=60.0)
    verdict = decide(policy, GET, status(429, "3600"), 1, 0, 0)
    assert isinstance(verdict, GiveUp) and "deadline" in verdict.reason


def test_deadline_counts_time_already_spent() -> None:
    policy = NOJITTER.replace(deadline=100.0)
    assert decide(policy, GET, status(503), 4, 70.0, 0) == Retry(24.0)
    assert isinstance(decide(policy, GET, status(503), 4, 80.0, 0), GiveUp)
    assert isinstance(decide(RetryPolicy(deadline=None), GET, status(503), 5, 1e9, 0.5), Retry)


def test_never_policy() -> None:
    never = RetryPolicy.never()
    assert isinstance(decide(never, GET, status(503), 1, 0, 0), GiveUp)
    assert isinstance(decide(never, GET, Outcome(FailureKind.CONNECT), 1, 0, 0), GiveUp)


def test_policy_validation() -> None:
    for bad in (
        {"backoff_factor": -1},
        {"jitter": float("nan")},
        {"status_retries": -1},
        {"network_attempts": -2},
        {"deadline": -1.0},
    ):
        with pytest.raises(ValueError):
            RetryPolicy(**bad)  # type: ignore[arg-type]


def test_policy_is_a_value() -> None:
    policy = RetryPolicy(statuses=[503, 429], deadline=None)  # type: ignore[arg-type]
    assert policy.statuses == frozenset({429, 503})
    assert pickle.loads(pickle.dumps(policy)) == policy
    assert hash(policy) == hash(RetryPolicy(statuses=frozenset({429, 503}), deadline=None))
    assert policy.replace(status_retries=1).status_retries == 1 and policy.status_retries == 5


# -- the loop -----------------------------------------------------------------------------


def scripted(*answers: int | BaseException) -> tuple[list[Request], MockTransport]:
    seen: list[Request] = []
    queue = list(answers)

    def handler(request: Request) -> Response:
        seen.append(request)
        answer = queue.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return BytesResponse(answer, f"status {answer}")

    return seen, MockTransport(handler)


def refused() -> AISConnectionError:
    return AISConnectionError("refused", method="GET", url="http://h", phase="connect")


def test_loop_retries_statuses_and_returns_the_success() -> None:
    seen, inner = scripted(503, 502, 200)
    clock = FakeClock(random=0.5)
    response = send_with_retry(inner.send, GET, RetryPolicy(), clock=clock.clock)
    assert response.status == 200 and len(seen) == 3 and clock.sleeps == [0.0, 6.0]


def test_loop_returns_the_last_error_status_to_be_mapped_by_the_caller() -> None:
    _, inner = scripted(*[500] * 6)
    clock = FakeClock(random=0.5)
    response = send_with_retry(inner.send, GET, RetryPolicy(), clock=clock.clock)
    assert response.status == 500 and response.text == "status 500"


def test_loop_raises_the_network_error_after_the_last_attempt() -> None:
    seen, inner = scripted(*[refused() for _ in range(7)])
    clock = FakeClock(random=0.0)
    with pytest.raises(AISConnectionError) as info:
        send_with_retry(inner.send, GET, RetryPolicy(), clock=clock.clock)
    assert len(seen) == 7 and clock.sleeps == [1.0] * 6
    assert info.value.__notes__ == ["not retried: gave up after 7 attempts"]


def test_status_and_network_failures_are_counted_apart() -> None:
    seen, inner = scripted(503, refused(), 503, refused(), 200)
    clock = FakeClock(random=0.5)
    response = send_with_retry(inner.send, GET, RetryPolicy(), clock=clock.clock)
    assert response.status == 200 and len(seen) == 5
    assert clock.sleeps == [0.0, 1.0, 6.0, 1.5]


def test_errors_without_a_phase_are_not_retried() -> None:
    tls = AISConnectionError("TLS failure", method="GET", url="http://h")
    seen, inner = scripted(tls, 200)
    with pytest.raises(AISConnectionError):
        send_with_retry(inner.send, GET, RetryPolicy(), clock=FakeClock().clock)
    assert len(seen) == 1


def test_read_timeout_of_a_post_is_raised_at_once() -> None:
    timeout = AISTimeoutError("slow", method="POST", url="http://h", phase="read")
    seen, inner = scripted(timeout, 200)
    with pytest.raises(AISTimeoutError):
        send_with_retry(inner.send, POST, RetryPolicy(), clock=FakeClock().clock)
    assert len(seen) == 1


def test_retrying_transport_wraps_any_transport() -> None:
    seen, inner = scripted(429, 200)
    transport = RetryingTransport(inner, clock=FakeClock(random=0.5).clock)
    assert transport.policy == RetryPolicy()
    assert transport.send(POST).status == 200 and len(seen) == 2


def test_retried_responses_are_closed() -> None:
    responses: list[BytesResponse] = []

    def handler(request: Request) -> Response:
        responses.append(BytesResponse(503 if len(responses) == 0 else 200))
        return responses[-1]

    send_with_retry(MockTransport(handler).send, GET, RetryPolicy(), clock=FakeClock().clock)
    assert responses[0].closed and not responses[1].closed
