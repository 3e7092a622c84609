"""SDK RetryConfig conversion: always a valid policy, faithful to urllib3, and a round trip.

urllib3 is a dependency, so its ``Retry`` is the oracle for the HTTP layer: the retry count is
found by stepping a real ``Retry`` with ``increment`` until urllib3 gives up, and the waits
come from its own ``get_backoff_time``. tenacity is not installed: the network objects are
look-alikes with tenacity's names, attributes and wait formulas.
"""

from __future__ import annotations

import math
import pickle
import warnings

import pytest
import urllib3
from hypothesis import given, settings
from hypothesis import strategies as st
from urllib3.exceptions import MaxRetryError
from urllib3.response import HTTPResponse

from aisclient.request import IDEMPOTENT_METHODS, Request
from aisclient.retry import (
    ColdGetConf,
    FailureKind,
    Outcome,
    Retry,
    RetryPolicy,
    decide,
    network_backoff,
    status_backoff,
)
from aisclient.retry_sdk import (
    UNBOUNDED,
    RetryConfig,
    RetryConfigWarning,
    policy_from_sdk,
)

EXAMPLES = settings(max_examples=300, deadline=None)
PROBE = 12  # how far a count is stepped; further means "unbounded" for these tests
METHODS = ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE", "POST", "PATCH"]
STATUSES = [413, 429, 500, 502, 503, 504]


# tenacity's class names, lower case, as the conversion recognises them by name
class stop_after_attempt:
    def __init__(self, n: int) -> None:
        self.max_attempt_number = n


class stop_after_delay:
    def __init__(self, seconds: float) -> None:
        self.max_delay = seconds


class _stop_never:
    pass


class stop_any:
    def __init__(self, *stops: object) -> None:
        self.stops = stops


class wait_exponential:
    def __init__(self, multiplier: float, max: float, exp_base: float, min: float) -> None:
        self.multiplier, self.max, self.exp_base, self.min = multiplier, max, exp_base, min

    def high(self, attempt: int) -> float:  # tenacity's wait_exponential formula
        try:
            result = self.multiplier * self.exp_base ** (attempt - 1)
        except OverflowError:
            return self.max
        return max(max(0, self.min), min(result, self.max))


class wait_random_exponential(wait_exponential):
    pass


class wait_fixed:
    def __init__(self, seconds: float) -> None:
        self.wait_fixed = seconds


class wait_random:
    def __init__(self, low: float, high: float) -> None:
        self.wait_random_min, self.wait_random_max = low, high


class wait_chain:
    def __init__(self, *strategies: object) -> None:
        self.strategies = strategies


class Retrying:
    def __init__(self, stop: object, wait: object) -> None:
        self.stop, self.wait = stop, wait


# -- strategies -------------------------------------------------------------------------------

counts = st.one_of(st.none(), st.integers(0, 9))
http_retries = st.builds(
    urllib3.Retry,
    total=st.one_of(counts, st.just(False)),
    status=counts,
    status_forcelist=st.one_of(st.none(), st.frozensets(st.sampled_from(STATUSES))),
    backoff_factor=st.floats(-1, 10),
    backoff_max=st.floats(0, 200),
    allowed_methods=st.one_of(
        st.just(urllib3.Retry.DEFAULT_ALLOWED_METHODS),
        st.none(),
        st.frozensets(st.sampled_from(METHODS), min_size=1),
    ),
    respect_retry_after_header=st.booleans(),
    backoff_jitter=st.sampled_from([0.0, 0.0, 1.5]),
)
seconds = st.floats(0, 120)
leaf_stops = st.one_of(
    st.integers(0, 20).map(stop_after_attempt),
    seconds.map(stop_after_delay),
    st.just(_stop_never()),
)
stops = st.recursive(
    leaf_stops,
    lambda inner: st.lists(inner, min_size=1, max_size=3).map(lambda parts: stop_any(*parts)),
    max_leaves=5,
)
exp_args = {
    "multiplier": st.floats(0, 10),
    "max": st.floats(0, 100),
    "exp_base": st.floats(1, 5),
    "min": st.floats(0, 10),
}
waits = st.one_of(
    st.builds(wait_exponential, **exp_args),
    st.builds(wait_random_exponential, **exp_args),
    seconds.map(wait_fixed),
    st.tuples(seconds, seconds).map(sorted).map(lambda pair: wait_random(*pair)),
    st.just(wait_chain()),  # not understood: our defaults stay
)
network_retries = st.one_of(st.none(), st.builds(Retrying, stops, waits))


def quietly(http: urllib3.Retry | None, net: object | None) -> RetryPolicy:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RetryConfigWarning)
        return policy_from_sdk(http, net)


def urllib3_retries(retry: urllib3.Retry) -> list[urllib3.Retry]:
    """``retry`` after each failed status, as urllib3 steps it, until it gives up."""
    steps = [retry]
    while len(steps) <= PROBE:
        try:
            steps.append(steps[-1].increment("GET", "/x", response=HTTPResponse(status=503)))
        except MaxRetryError:
            break
    return steps


# -- properties -------------------------------------------------------------------------------


@EXAMPLES
@given(http_retries, network_retries)
def test_conversion_always_gives_a_valid_policy(http: urllib3.Retry, net: object | None) -> None:
    policy = quietly(http, net)
    assert type(policy) is RetryPolicy
    # a valid value rebuilds from its own fields (the validators pass) and pickles
    assert policy.replace() == policy and pickle.loads(pickle.dumps(policy)) == policy
    for n in range(1, PROBE):
        wait = network_backoff(policy, n, 0.5)
        assert not math.isnan(wait) and wait >= 0
        assert status_backoff(policy, n, 0.5) <= policy.backoff_max * (1 + policy.jitter)


@EXAMPLES
@given(http_retries)
def test_status_retry_count_and_waits_match_urllib3(http: urllib3.Retry) -> None:
    policy = quietly(http, None)
    steps = urllib3_retries(http)
    retries = len(steps) - 1
    if retries > PROBE - 1:
        assert policy.status_retries >= PROBE or policy.status_retries == UNBOUNDED
    else:
        assert policy.status_retries == retries
    for n in range(1, min(retries, PROBE) + 1):
        # rand=0.5 makes our proportional jitter neutral; urllib3's additive one is not used
        expected = steps[n].get_backoff_time() if not http.backoff_jitter else None
        if expected is not None:
            assert status_backoff(policy, n, 0.5) == pytest.approx(expected)


@EXAMPLES
@given(http_retries, st.sampled_from(METHODS), st.sampled_from(STATUSES))
def test_we_retry_a_status_only_when_urllib3_would(
    http: urllib3.Retry, method: str, status: int
) -> None:
    policy = quietly(http, None).replace(deadline=None)
    request = Request(method, ("objects", "b", "o"))
    ours = isinstance(
        decide(policy, request, Outcome(FailureKind.STATUS, status), 1, 0, 0.5), Retry
    )
    theirs = http.is_retry(method, status) and len(urllib3_retries(http)) > 1
    if method in IDEMPOTENT_METHODS:
        assert ours == theirs
    else:
        # Never more than urllib3, except one documented rule: a 429 (the server did not act
        # on the request) may be resent for any method the policy's method list allows.
        assert not ours or theirs or status == 429


@EXAMPLES
@given(stops, waits)
def test_network_attempts_and_waits_match_tenacity(stop: object, wait: object) -> None:
    policy = quietly(None, Retrying(stop, wait))
    attempts, delay = bounds(stop)
    assert policy.network_attempts == (UNBOUNDED if attempts is None else attempts)
    assert policy.deadline == (RetryPolicy().deadline if delay is None else delay)
    for n in range(1, PROBE):
        low, high = tenacity_range(wait, n)
        assert network_backoff(policy, n, 0.0) == pytest.approx(low)
        assert network_backoff(policy, n, 1.0) == pytest.approx(high)


def bounds(stop: object) -> tuple[int | None, float | None]:
    if isinstance(stop, stop_after_attempt):
        return stop.max_attempt_number, None
    if isinstance(stop, stop_after_delay):
        return None, stop.max_delay
    if isinstance(stop, stop_any):
        parts = [bounds(part) for part in stop.stops]
        attempts = [a for a, _ in parts if a is not None]
        delays = [d for _, d in parts if d is not None]
        return min(attempts, default=None), min(delays, default=None)
    return None, None


def tenacity_range(wait: object, attempt: int) -> tuple[float, float]:
    """The least and the most tenacity may wait before retry ``attempt``."""
    if isinstance(wait, wait_random_exponential):
        return wait.min, wait.high(attempt)
    if isinstance(wait, wait_exponential):
        return wait.high(attempt), wait.high(attempt)
    if isinstance(wait, wait_fixed):
        return wait.wait_fixed, wait.wait_fixed
    if isinstance(wait, wait_random):
        return wait.wait_random_min, wait.wait_random_max
    defaults = RetryPolicy()  # not understood: our random exponential 1..30 s
    return defaults.network_wait_min, max(1.0, min(2.0 ** (attempt - 1), 30.0))


# Policies whose every field an SDK RetryConfig can express.
expressible = st.builds(
    RetryPolicy,
    statuses=st.frozensets(st.sampled_from(STATUSES)),
    status_retries=st.integers(0, 20),
    backoff_factor=st.floats(0, 10),
    backoff_max=st.floats(0, 200),
    network_attempts=st.integers(0, 20),
    network_wait_min=st.floats(0, 10),
    network_wait_max=st.floats(0, 100),
    respect_retry_after=st.booleans(),
    network_wait_multiplier=st.floats(0, 10),
    network_wait_exp_base=st.floats(0, 5),
    network_wait_random=st.booleans(),
    cold_get_conf=st.builds(ColdGetConf, st.integers(0, 10**12), st.integers(0, 900)),
)


def as_sdk(policy: RetryPolicy) -> RetryConfig:
    http = urllib3.Retry(
        total=policy.status_retries,
        status_forcelist=policy.statuses,
        backoff_factor=policy.backoff_factor,
        backoff_max=policy.backoff_max,
        respect_retry_after_header=policy.respect_retry_after,
        connect=0,
        read=0,
    )
    kind = wait_random_exponential if policy.network_wait_random else wait_exponential
    wait = kind(
        multiplier=policy.network_wait_multiplier,
        max=policy.network_wait_max,
        exp_base=policy.network_wait_exp_base,
        min=policy.network_wait_min,
    )
    net = Retrying(stop_after_attempt(policy.network_attempts), wait)
    return RetryConfig(http, net, policy.cold_get_conf)


@EXAMPLES
@given(expressible.filter(lambda p: bool(p.statuses) or not p.status_retries))
def test_policy_to_sdk_and_back_is_the_same_policy(policy: RetryPolicy) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        config = as_sdk(policy)
    assert config.policy == policy and config == policy


@EXAMPLES
@given(st.lists(st.sampled_from(["http", "network", "cold", "pickle", "rebuild"]), max_size=6))
def test_default_is_a_fixed_point(steps: list[str]) -> None:
    """Reconverting RetryConfig.default() any way, any number of times, changes nothing."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        config = RetryConfig.default()
        for step in steps:
            if step == "http":
                config.http_retry = config.http_retry
            elif step == "network":
                config.network_retry = config.network_retry
            elif step == "cold":
                config.cold_get_conf = config.cold_get_conf
            elif step == "pickle":
                config = pickle.loads(pickle.dumps(config))
            else:
                config = RetryConfig(config.http_retry, config.network_retry, config.cold_get_conf)
            assert config.policy == RetryPolicy() == config
        assert policy_from_sdk(config.http_retry, config.network_retry) == RetryPolicy()
