"""The official SDK's RetryConfig (urllib3 Retry + tenacity Retrying) converted to RetryPolicy.

tenacity is not installed (and never imported by aisclient): the ``network_retry`` objects here
are small look-alikes with tenacity's class and attribute names.
"""

from __future__ import annotations

import pickle
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import urllib3

import aisclient
from _support.httpserver import TestServer
from aisclient import Client
from aisclient.clock import FakeClock
from aisclient.config import ClientConfig, resolve_config
from aisclient.errors import AISConnectionError, AISError, AISRetryableError, AISTimeoutError
from aisclient.request import JsonBody, Request
from aisclient.retry import (
    ColdGetConf,
    FailureKind,
    GiveUp,
    Outcome,
    Retry,
    RetryPolicy,
    decide,
    network_backoff,
)
from aisclient.retry_sdk import (
    NETWORK_RETRY_EXCEPTIONS,
    UNBOUNDED,
    RetryConfig,
    RetryConfigWarning,
    as_policy,
    policy_from_sdk,
)
from aisclient.transport.base import BytesResponse
from aisclient.transport.mock import MockTransport
from aisclient.transport.retrying import RetryingTransport
from aisclient.transport.urllib3 import Urllib3Transport

# -- tenacity look-alikes (names and attributes as tenacity has them) ----------------------


# tenacity's class names, lower case, as the conversion recognises them by name
class stop_after_attempt:
    def __init__(self, max_attempt_number: int) -> None:
        self.max_attempt_number = max_attempt_number


class stop_after_delay:
    def __init__(self, max_delay: float) -> None:
        self.max_delay = max_delay


class _stop_never:
    pass


class stop_any:
    def __init__(self, *stops: object) -> None:
        self.stops = stops


class stop_all:
    def __init__(self, *stops: object) -> None:
        self.stops = stops


class wait_exponential:
    def __init__(
        self, multiplier: float = 1, max: float = 4.6e18, exp_base: float = 2, min: float = 0
    ) -> None:
        self.multiplier, self.min, self.max, self.exp_base = multiplier, min, max, exp_base


class wait_random_exponential(wait_exponential):
    pass


class wait_fixed:
    def __init__(self, wait: float) -> None:
        self.wait_fixed = wait


class wait_none(wait_fixed):
    def __init__(self) -> None:
        super().__init__(0)


class wait_random:
    def __init__(self, min: float = 0, max: float = 1) -> None:
        self.wait_random_min, self.wait_random_max = min, max


class wait_incrementing:
    def __init__(self, start: float = 0, increment: float = 100, max: float = 1e9) -> None:
        self.start, self.increment, self.max = start, increment, max


class Retrying:
    def __init__(self, stop: object = None, wait: object = None, **hooks: Any) -> None:
        self.stop = _stop_never() if stop is None else stop
        self.wait = wait_none() if wait is None else wait
        self.retry = hooks.get("retry")
        self.before_sleep = hooks.get("before_sleep", lambda state: None)  # does not pickle


GET = Request("GET", ("objects", "b", "o"))
PUT = Request("PUT", ("objects", "b", "o"))
POST = Request("POST", ("buckets", "b"), body=JsonBody.of({"action": "x"}))
SAFE_POST = Request("POST", ("etl",), idempotent=True)


def status(code: int) -> Outcome:
    return Outcome(FailureKind.STATUS, code)


@pytest.fixture
def no_warnings() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def converted(http: urllib3.Retry | None, net: object | None = None) -> RetryPolicy:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return policy_from_sdk(http, net)


def warned(http: urllib3.Retry | None, net: object | None = None) -> tuple[RetryPolicy, str]:
    with pytest.warns(RetryConfigWarning) as record:
        policy = policy_from_sdk(http, net)
    assert len(record) == 1  # one warning naming everything
    return policy, str(record[0].message)


# -- default ----------------------------------------------------------------------------------


def test_default_is_the_sdk_composition_and_equals_our_default(no_warnings: None) -> None:
    config = RetryConfig.default()
    http = config.http_retry
    assert isinstance(http, urllib3.Retry)
    assert (http.total, http.connect, http.read, http.backoff_factor) == (5, 0, 0, 3.0)
    assert set(http.status_forcelist) == {429, 500, 502, 503, 504}
    assert config.cold_get_conf == ColdGetConf()
    assert config.policy == RetryPolicy() and type(config.policy) is RetryPolicy
    assert config == RetryPolicy() and RetryPolicy() == config
    assert config == RetryConfig.default()
    assert config != RetryPolicy(status_retries=4) and config != "x"
    assert policy_from_sdk(http, config.network_retry) == RetryPolicy()


def test_the_sdk_constructor_shapes_are_accepted(no_warnings: None) -> None:
    http = urllib3.Retry(total=2, status_forcelist=[503])
    net = Retrying(stop=stop_after_attempt(3), wait=wait_fixed(1))
    cold = ColdGetConf(est_bandwidth_bps=1, max_cold_wait=5, enable_remote_head=False)
    by_position = RetryConfig(http, net, cold)
    by_keyword = RetryConfig(http_retry=http, network_retry=net, cold_get_conf=cold)
    assert by_position == by_keyword
    assert by_position.policy.status_retries == 2 and by_position.policy.network_attempts == 3
    assert by_position.cold_get_conf is cold and by_position.policy.cold_get_conf is cold
    assert by_position.http_retry is http and by_position.network_retry is net
    assert "Retry(total=2" in repr(by_position) and "ColdGetConf(" in repr(by_position)


def test_cold_get_conf_defaults_and_is_a_frozen_value() -> None:
    cold = ColdGetConf()
    assert (cold.est_bandwidth_bps, cold.max_cold_wait, cold.enable_remote_head) == (
        1_250_000_000,
        180,
        True,
    )
    assert hash(cold) == hash(ColdGetConf()) and pickle.loads(pickle.dumps(cold)) == cold
    with pytest.raises(AttributeError):
        cold.max_cold_wait = 1  # type: ignore[misc]
    with pytest.raises(ValueError, match="max_cold_wait"):
        ColdGetConf(max_cold_wait=-1)
    assert "not perform cold-GET lock polling" in " ".join((ColdGetConf.__doc__ or "").split())
    assert aisclient.ColdGetConf is ColdGetConf and "ColdGetConf" in aisclient.__all__
    assert aisclient.RetryConfig is RetryConfig


def test_network_retry_exceptions_are_our_classes() -> None:
    assert (AISConnectionError, AISTimeoutError, AISRetryableError) == NETWORK_RETRY_EXCEPTIONS
    assert isinstance(AISTimeoutError("t", phase="read"), NETWORK_RETRY_EXCEPTIONS)


# -- urllib3 Retry ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("retry", "expected"),
    [
        (
            urllib3.Retry(total=3, backoff_factor=0.5, status_forcelist=[503]),
            {"status_retries": 3, "backoff_factor": 0.5, "statuses": {503}},
        ),
        (urllib3.Retry(total=10, status=2, status_forcelist=(500, 502)), {"status_retries": 2}),
        (urllib3.Retry(total=1, status=6, status_forcelist=[500]), {"status_retries": 1}),
        (urllib3.Retry(total=None, status=4, status_forcelist=[500]), {"status_retries": 4}),
        (urllib3.Retry(total=None, status_forcelist=[500]), {"status_retries": UNBOUNDED}),
        (urllib3.Retry(total=False, status_forcelist=[500]), {"status_retries": 0}),
        (urllib3.Retry(total=5, status=0, status_forcelist=[500]), {"status_retries": 0}),
        (
            urllib3.Retry(total=2, status_forcelist=[429], backoff_max=10),
            {"backoff_max": 10.0, "backoff_factor": 0.0},
        ),
        (
            urllib3.Retry(total=2, status_forcelist=[429], respect_retry_after_header=False),
            {"respect_retry_after": False},
        ),
        (
            urllib3.Retry(total=2, status_forcelist=[429], backoff_factor=-1),
            {"backoff_factor": 0.0},  # urllib3 waits 0 for a negative factor
        ),
        (
            urllib3.Retry(total=2, status_forcelist=[503], allowed_methods=["get", "HEAD"]),
            {"status_methods": {"GET", "HEAD"}},
        ),
    ],
)
def test_urllib3_retry_converts(retry: urllib3.Retry, expected: dict[str, Any]) -> None:
    policy = converted(retry)
    for name, value in expected.items():
        assert getattr(policy, name) == value, name
    # What the HTTP layer does not say keeps our defaults.
    defaults = RetryPolicy()
    assert (policy.network_attempts, policy.deadline, policy.jitter) == (
        defaults.network_attempts,
        defaults.deadline,
        defaults.jitter,
    )


def test_the_default_method_list_leaves_the_decision_to_idempotency(no_warnings: None) -> None:
    policy = converted(urllib3.Retry(total=3, status_forcelist=[503]))
    assert policy.status_methods is None
    assert isinstance(decide(policy, GET, status(503), 1, 0, 0.5), Retry)
    assert isinstance(decide(policy, PUT, status(503), 1, 0, 0.5), Retry)
    assert decide(policy, POST, status(503), 1, 0, 0.5) == GiveUp("POST is not idempotent")
    assert isinstance(decide(policy, SAFE_POST, status(503), 1, 0, 0.5), Retry)


def test_a_narrower_method_list_is_honoured() -> None:
    policy = converted(urllib3.Retry(total=3, status_forcelist=[503, 429], allowed_methods=["GET"]))
    assert isinstance(decide(policy, GET, status(503), 1, 0, 0.5), Retry)
    verdict = decide(policy, PUT, status(503), 1, 0, 0.5)
    assert verdict == GiveUp("PUT is not among the methods retried on a status")
    # as in urllib3, the method list applies to 429 as well
    assert isinstance(decide(policy, SAFE_POST, status(429), 1, 0, 0.5), GiveUp)


def test_a_method_list_with_post_warns_that_idempotency_still_rules() -> None:
    retry = urllib3.Retry(total=3, status_forcelist=[503], allowed_methods=["GET", "POST"])
    policy, message = warned(retry)
    assert "allowed_methods includes POST" in message and "idempotent" in message
    assert policy.status_methods == frozenset({"GET", "POST"})
    assert isinstance(decide(policy, POST, status(503), 1, 0, 0.5), GiveUp)
    assert isinstance(decide(policy, SAFE_POST, status(503), 1, 0, 0.5), Retry)


def test_every_method_allowed_maps_to_the_idempotency_rules_with_a_warning() -> None:
    policy, message = warned(urllib3.Retry(total=3, status_forcelist=[503], allowed_methods=None))
    assert policy.status_methods is None
    assert "allowed_methods=None" in message


def test_no_forcelist_and_additive_jitter_are_named_in_one_warning() -> None:
    policy, message = warned(urllib3.Retry(total=3, backoff_jitter=2.0))
    assert policy.statuses == frozenset() and policy.status_retries == 3
    assert "no status_forcelist" in message and "backoff_jitter=2.0" in message


@pytest.mark.parametrize(
    ("http", "error"),
    [
        (3, "http_retry must be a urllib3.Retry, not int"),
        ({"total": 3}, "http_retry must be a urllib3.Retry, not dict"),
        (urllib3.Retry(status_forcelist=["503"]), "int statuses"),  # type: ignore[list-item]
    ],
)
def test_bad_http_retry_is_a_type_error(http: Any, error: str) -> None:
    with pytest.raises(TypeError, match=error):
        RetryConfig(http, None)


# -- tenacity Retrying ------------------------------------------------------------------------


def test_the_sdk_network_layer_converts_to_our_network_defaults(no_warnings: None) -> None:
    sdk = Retrying(
        stop=stop_after_attempt(7),
        wait=wait_random_exponential(multiplier=1, min=1, max=30),
        retry=object(),
    )
    assert policy_from_sdk(None, sdk) == RetryPolicy()


@pytest.mark.parametrize(
    ("stop", "attempts", "deadline"),
    [
        (stop_after_attempt(4), 4, 300.0),
        (stop_after_delay(60), UNBOUNDED, 60.0),
        (_stop_never(), UNBOUNDED, 300.0),
        (stop_any(stop_after_attempt(9), stop_after_delay(20), stop_after_attempt(3)), 3, 20.0),
        (stop_any(stop_any(stop_after_attempt(5)), stop_after_delay(7.5)), 5, 7.5),
    ],
)
def test_tenacity_stops_convert(stop: object, attempts: int, deadline: float) -> None:
    policy = converted(None, Retrying(stop=stop, wait=wait_fixed(1)))
    assert (policy.network_attempts, policy.deadline) == (attempts, deadline)


def test_exponential_waits_convert_exactly() -> None:
    rand = converted(None, Retrying(wait=wait_random_exponential(multiplier=0.5, min=2, max=9)))
    fixed = converted(None, Retrying(wait=wait_exponential(multiplier=3, exp_base=3, max=100)))
    for n in range(1, 8):
        high = max(2.0, min(0.5 * 2 ** (n - 1), 9.0))  # tenacity's bound before retry n
        assert network_backoff(rand, n, 0.0) == 2.0
        assert network_backoff(rand, n, 1.0) == pytest.approx(high)
        # a non-random exponential wait is the bound itself, whatever the random number
        exact = min(3 * 3 ** (n - 1), 100)
        assert network_backoff(fixed, n, 0.0) == network_backoff(fixed, n, 0.9) == exact


def test_fixed_none_and_random_waits_convert_exactly() -> None:
    fixed = converted(None, Retrying(wait=wait_fixed(2.5)))
    none = converted(None, Retrying(wait=wait_none()))
    uniform = converted(None, Retrying(wait=wait_random(min=1, max=4)))
    for n in (1, 2, 5, 40):
        assert network_backoff(fixed, n, 0.3) == 2.5
        assert network_backoff(none, n, 0.7) == 0.0
        assert (network_backoff(uniform, n, 0.0), network_backoff(uniform, n, 1.0)) == (1.0, 4.0)
        assert network_backoff(uniform, n, 0.5) == 2.5


def test_unknown_strategies_keep_our_defaults_and_warn_once_naming_them() -> None:
    net = Retrying(stop=stop_all(stop_after_attempt(3)), wait=wait_incrementing())
    policy, message = warned(None, net)
    defaults = RetryPolicy()
    assert policy == defaults
    assert "stop=stop_all not understood" in message
    assert "wait=wait_incrementing not understood" in message


def test_a_known_strategy_with_unusable_values_counts_as_unknown() -> None:
    net = Retrying(stop=stop_after_attempt(2.5), wait=wait_fixed(float("inf")))  # type: ignore[arg-type]
    policy, message = warned(None, net)
    assert (policy.network_attempts, policy.network_wait_max) == (7, 30.0)
    assert "stop_after_attempt not understood" in message and "wait_fixed" in message


def test_something_that_is_not_a_retrying_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"network_retry must be a tenacity\.Retrying"):
        RetryConfig(None, "retry 3 times")


def test_policy_from_sdk_warns_at_the_callers_line() -> None:
    with pytest.warns(RetryConfigWarning) as record:
        RetryConfig(None, Retrying(stop=stop_all()))
    assert record[0].filename == __file__


# -- the config as a value --------------------------------------------------------------------


def test_pickling_keeps_the_converted_policy_and_drops_the_tenacity_object() -> None:
    net = Retrying(stop=stop_after_attempt(2), wait=wait_fixed(0.5))
    config = RetryConfig(urllib3.Retry(total=1, status_forcelist=[503]), net, ColdGetConf(5))
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        pickle.dumps(net)  # the lambda hook: why the SDK (and we) drop it
    copy = pickle.loads(pickle.dumps(config))
    assert copy == config and copy.policy == config.policy
    assert copy.network_retry is None and copy.policy.network_attempts == 2
    assert copy.http_retry is not None and copy.http_retry.total == 1
    assert copy.cold_get_conf == ColdGetConf(5)


def test_assigning_a_field_converts_again(no_warnings: None) -> None:
    config = RetryConfig.default()
    config.http_retry = urllib3.Retry(total=1, status_forcelist=[502])
    assert config.policy.status_retries == 1 and config.policy.statuses == {502}
    config.network_retry = Retrying(stop=stop_after_attempt(2), wait=wait_fixed(0))
    assert config.policy.network_attempts == 2 and config.policy.status_retries == 1
    config.cold_get_conf = ColdGetConf(max_cold_wait=9)
    assert config.policy.cold_get_conf.max_cold_wait == 9 and config.policy.status_retries == 1
    with pytest.raises(TypeError):
        config.http_retry = 3  # type: ignore[assignment]
    assert config.policy.status_retries == 1  # unchanged
    assert config.http_retry is not None and config.http_retry.total == 1
    with pytest.raises(TypeError, match="unhashable"):
        hash(config)


def test_resolve_config_and_client_config_accept_either_form(no_warnings: None) -> None:
    sdk = RetryConfig(urllib3.Retry(total=2, status_forcelist=[503]), None)
    resolved = resolve_config("http://h:1", retry=sdk, env={})
    assert resolved.retry == sdk.policy and type(resolved.retry) is RetryPolicy
    assert ClientConfig("http://h:1", retry=sdk).retry == sdk.policy
    assert resolve_config("http://h:1", retry=RetryConfig.default(), env={}) == resolve_config(
        "http://h:1", env={}
    )
    client = Client("http://h:1", retry_config=sdk, env={})  # type: ignore[arg-type]
    assert client.retry_config == sdk.policy
    assert as_policy(sdk) is sdk.policy and as_policy(sdk.policy) is sdk.policy
    with pytest.raises(TypeError, match="RetryPolicy or RetryConfig, not str"):
        resolve_config("http://h:1", retry="x", env={})  # type: ignore[arg-type]


def test_retrying_transport_accepts_an_sdk_config(no_warnings: None) -> None:
    calls: list[Request] = []

    def handler(request: Request) -> BytesResponse:
        calls.append(request)
        return BytesResponse(503)

    sdk = RetryConfig(urllib3.Retry(total=2, status_forcelist=[503]), None)
    transport = RetryingTransport(MockTransport(handler), sdk, clock=FakeClock().clock)
    assert transport.policy == sdk.policy
    assert transport.send(GET).status == 503 and len(calls) == 3


# -- end to end, over HTTP on 127.0.0.1 -------------------------------------------------------


@pytest.fixture
def server() -> Iterator[TestServer]:
    with TestServer() as srv:
        yield srv
    assert not srv.errors, srv.errors


def sdk_client(server: TestServer, config: RetryConfig, sleeps: list[float]) -> Client:
    resolved = resolve_config(server.url, retry=config, timeout=(2, 5), env={})
    fake = FakeClock(random=0.5)
    fake.sleeps = sleeps
    return Client(config=resolved, transport=Urllib3Transport(resolved), clock=fake.clock)


def test_a_client_retries_exactly_the_configured_number_of_times_on_503(
    server: TestServer,
) -> None:
    server.reply_with(503, "busy")
    config = RetryConfig(
        http_retry=urllib3.Retry(total=3, backoff_factor=0.5, status_forcelist=[503]),
        network_retry=Retrying(stop=stop_after_attempt(4), wait=wait_random_exponential(max=8)),
    )
    sleeps: list[float] = []
    client = sdk_client(server, config, sleeps)
    with pytest.raises(AISError) as info:
        client.send(GET)
    assert info.value.status_code == 503
    assert [seen.method for seen in server.seen] == ["GET"] * 4  # 1 try + 3 retries
    assert sleeps == [0.0, 1.0, 2.0]  # urllib3's 0, factor * 2, factor * 4 (no jitter at 0.5)


def test_a_client_does_not_retry_a_post_on_503_as_the_sdk(server: TestServer) -> None:
    server.reply_with(503, "busy")
    sleeps: list[float] = []
    client = sdk_client(server, RetryConfig.default(), sleeps)
    with pytest.raises(AISError):
        client.send(POST)
    assert len(server.seen) == 1 and sleeps == []


def test_a_client_recovers_after_503s(server: TestServer) -> None:
    server.script(*[lambda call: call.reply(503)] * 2, lambda call: call.reply(200, "ok"))
    sleeps: list[float] = []
    config = RetryConfig(urllib3.Retry(total=5, backoff_factor=0.1, status_forcelist=[503]), None)
    assert sdk_client(server, config, sleeps).send_text(GET) == "ok"
    assert len(server.seen) == 3 and sleeps == [0.0, 0.2]


def test_a_client_retries_read_failures_as_the_tenacity_stop_says(server: TestServer) -> None:
    server.handler = lambda call: call.reset()
    config = RetryConfig(
        urllib3.Retry(total=5, status_forcelist=[503], connect=0, read=0),
        Retrying(stop=stop_after_attempt(3), wait=wait_fixed(0.25)),
    )
    sleeps: list[float] = []
    with pytest.raises(AISConnectionError):
        sdk_client(server, config, sleeps).send(GET)
    assert len(server.seen) == 3 and sleeps == [0.25, 0.25]


def test_client_with_sdk_config_and_its_own_transport(server: TestServer) -> None:
    # The SDK call shape, end to end: Client(endpoint, retry_config=RetryConfig(...)).
    server.reply_with(503, "busy")
    config = RetryConfig(
        http_retry=urllib3.Retry(total=2, backoff_factor=0.01, status_forcelist=[503]),
        network_retry=Retrying(stop=stop_after_attempt(2), wait=wait_fixed(0)),
    )
    client = Client(server.url, retry_config=config, env={})  # type: ignore[arg-type]
    with pytest.raises(AISError):
        client.send(GET)
    assert len(server.seen) == 3
