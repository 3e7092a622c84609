"""Configuration resolution: each documented rule of client-level behaviour."""

from __future__ import annotations

import math
import pickle
import warnings
from pathlib import Path
from typing import Any

import pytest

from aisclient.config import (
    DEFAULT_MAX_POOL_SIZE,
    ClientConfig,
    Timeout,
    TlsConfig,
    resolve_config,
    resolve_endpoint,
    resolve_max_pool_size,
    resolve_timeout,
    resolve_tls,
)
from aisclient.retry import RetryPolicy

EP = "http://h:8080"


def timeout_of(arg: Any, env: dict[str, str] | None = None) -> Timeout:
    return resolve_timeout(arg, env or {})


# -- timeouts ----------------------------------------------------------------------


def test_default_timeout_is_3_and_20_seconds() -> None:
    assert timeout_of(None) == Timeout(3.0, 20.0)
    assert timeout_of(None).as_sdk_value() == (3.0, 20.0)


@pytest.mark.parametrize("value", [5, 2.5, 0.001])
def test_a_number_applies_to_both_phases(value: float) -> None:
    assert timeout_of(value) == Timeout(value, value)


def test_a_tuple_is_connect_then_read() -> None:
    assert timeout_of((1, 60)) == Timeout(1.0, 60.0)


@pytest.mark.parametrize("value", [0, 0.0, (0, 0), (0.0, 0), (None, None)])
def test_zero_everywhere_means_no_timeout_at_all(value: Any) -> None:
    resolved = timeout_of(value)
    assert resolved.disabled and resolved.as_sdk_value() is None


def test_a_zero_member_disables_only_that_phase() -> None:
    assert timeout_of((0, 7)) == Timeout(None, 7.0)
    assert timeout_of((4, 0)) == Timeout(4.0, None)
    assert timeout_of((4, 0)).as_sdk_value() == (4.0, None)


def test_sdk_value_round_trips_through_resolution() -> None:
    for value in [Timeout(), Timeout(None, 5.0), Timeout(2.0, None)]:
        assert timeout_of(value.as_sdk_value()) == value
    # "no limit at all" is None in the SDK's shape, and None as an argument means "use the
    # environment"; so, as in the SDK, it is spelled 0 when passed back in.
    assert Timeout(None, None).as_sdk_value() is None
    assert timeout_of(0) == Timeout(None, None)


def test_a_timeout_value_is_used_as_is() -> None:
    value = Timeout(1.5, 2.5)
    assert timeout_of(value, {"AIS_READ_TIMEOUT": "9"}) is value


def test_none_reads_both_environment_variables() -> None:
    env = {"AIS_CONNECT_TIMEOUT": "5", "AIS_READ_TIMEOUT": "1e1"}
    assert timeout_of(None, env) == Timeout(5.0, 10.0)


def test_environment_is_read_per_phase() -> None:
    assert timeout_of(None, {"AIS_READ_TIMEOUT": "2.5"}) == Timeout(3.0, 2.5)
    assert timeout_of(None, {"AIS_CONNECT_TIMEOUT": " 4 "}) == Timeout(4.0, 20.0)
    assert timeout_of(None, {"AIS_CONNECT_TIMEOUT": ""}) == Timeout(3.0, 20.0)


def test_environment_zero_disables_one_phase() -> None:
    assert timeout_of(None, {"AIS_CONNECT_TIMEOUT": "0"}) == Timeout(None, 20.0)
    assert timeout_of(None, {"AIS_READ_TIMEOUT": "0"}) == Timeout(3.0, None)
    both = timeout_of(None, {"AIS_CONNECT_TIMEOUT": "0", "AIS_READ_TIMEOUT": "0.0"})
    assert both.as_sdk_value() is None


def test_an_explicit_argument_beats_the_environment() -> None:
    env = {"AIS_CONNECT_TIMEOUT": "9", "AIS_READ_TIMEOUT": "9"}
    assert timeout_of(1, env) == Timeout(1.0, 1.0)


def test_unparsable_environment_warns_with_the_sdk_message_and_falls_back() -> None:
    with pytest.warns(UserWarning) as record:
        result = timeout_of(None, {"AIS_CONNECT_TIMEOUT": "abc", "AIS_READ_TIMEOUT": "x"})
    assert result == Timeout(3.0, 20.0)
    messages = [str(w.message) for w in record]
    assert messages == [
        "Invalid value for AIS_CONNECT_TIMEOUT='abc'. Using default timeout of 3 seconds.",
        "Invalid value for AIS_READ_TIMEOUT='x'. Using default timeout of 20 seconds.",
    ]


@pytest.mark.parametrize("raw", ["-1", "nan", "inf", "-inf"])
def test_nonsense_environment_numbers_warn_and_fall_back(raw: str) -> None:
    # The SDK passes a negative value through (requests then fails on every call); warning
    # and using the default is this client's deliberate improvement.
    with pytest.warns(UserWarning, match="AIS_READ_TIMEOUT"):
        assert timeout_of(None, {"AIS_READ_TIMEOUT": raw}) == Timeout(3.0, 20.0)


@pytest.mark.parametrize(
    ("value", "error", "names"),
    [
        (-1, ValueError, "value"),
        (math.nan, ValueError, "value"),
        (math.inf, ValueError, "value"),
        (10**400, ValueError, "value"),
        (True, TypeError, "value"),
        ("5", TypeError, "value"),
        ((1, -2), ValueError, "read"),
        ((-1, 2), ValueError, "connect"),
        ((math.nan, 1), ValueError, "connect"),
        ((1, math.inf), ValueError, "read"),
        ((False, 1), TypeError, "connect"),
        ((1, "2"), TypeError, "read"),
        ((1, 2, 3), ValueError, "(connect, read)"),
        ((1,), ValueError, "(connect, read)"),
    ],
)
def test_bad_explicit_timeouts_raise_naming_the_parameter(
    value: Any, error: type[Exception], names: str
) -> None:
    with pytest.raises(error, match=r"timeout") as info:
        timeout_of(value)
    assert names in str(info.value)


def test_a_list_pair_is_accepted_like_a_tuple() -> None:
    assert timeout_of([2, 0]) == Timeout(2.0, None)


def test_timeout_values_validate_on_construction() -> None:
    assert Timeout(0, 0) == Timeout(None, None)
    with pytest.raises(ValueError, match="connect"):
        Timeout(-1, 1)
    with pytest.raises(TypeError, match="read"):
        Timeout(1, "1")  # type: ignore[arg-type]


def test_warning_points_at_the_caller() -> None:
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        resolve_config(EP, env={"AIS_CONNECT_TIMEOUT": "zz"})
    assert record[0].filename == __file__


# -- pool size ---------------------------------------------------------------------


def test_pool_size_precedence() -> None:
    assert resolve_max_pool_size(None, {}) == DEFAULT_MAX_POOL_SIZE == 10
    assert resolve_max_pool_size(None, {"AIS_MAX_CONN_POOL": "32"}) == 32
    assert resolve_max_pool_size(4, {"AIS_MAX_CONN_POOL": "32"}) == 4
    assert resolve_max_pool_size(None, {"AIS_MAX_CONN_POOL": ""}) == 10


@pytest.mark.parametrize("raw", ["7.5", "abc", "0", "-3"])
def test_bad_pool_size_in_env_warns_and_falls_back(raw: str) -> None:
    with pytest.warns(UserWarning) as record:
        assert resolve_max_pool_size(None, {"AIS_MAX_CONN_POOL": raw}) == 10
    assert str(record[0].message) == (
        f"Invalid value for AIS_MAX_CONN_POOL={raw!r}. Using default max_pool_size of 10."
    )


@pytest.mark.parametrize(
    ("value", "error"), [(0, ValueError), (-1, ValueError), (2.0, TypeError), (True, TypeError)]
)
def test_bad_explicit_pool_size_raises(value: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match="max_pool_size"):
        resolve_max_pool_size(value, {})


# -- TLS ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "skip"),
    [
        ({}, False),
        ({"AIS_SKIP_VERIFY_CRT": "true"}, True),
        ({"AIS_SKIP_VERIFY_CRT": " On "}, True),
        ({"AIS_SKIP_VERIFY_CRT": "T"}, True),
        ({"AIS_SKIP_VERIFY_CRT": "1"}, True),
        ({"AIS_SKIP_VERIFY_CRT": "no"}, False),
        ({"AIS_SKIP_VERIFY_CRT": "2"}, False),
        ({"AIS_SKIP_VERIFY": "y"}, True),
        # the canonical name wins when set, even when empty
        ({"AIS_SKIP_VERIFY_CRT": "", "AIS_SKIP_VERIFY": "true"}, False),
        ({"AIS_SKIP_VERIFY_CRT": "false", "AIS_SKIP_VERIFY": "true"}, False),
        ({"AIS_SKIP_VERIFY_CRT": "yes", "AIS_SKIP_VERIFY": "false"}, True),
    ],
)
def test_skip_verify_from_the_environment(env: dict[str, str], skip: bool) -> None:
    assert resolve_tls(False, None, None, env).skip_verify is skip


def test_skip_verify_argument_wins_and_drops_the_ca() -> None:
    env = {"AIS_SKIP_VERIFY_CRT": "false", "AIS_CLIENT_CA": "/env/ca.pem"}
    tls = resolve_tls(True, "/arg/ca.pem", None, env)
    assert tls.skip_verify and tls.ca_cert is None


def test_ca_precedence() -> None:
    env = {"AIS_CLIENT_CA": "/env/ca.pem"}
    assert resolve_tls(False, "/arg/ca.pem", None, env).ca_cert == "/arg/ca.pem"
    assert resolve_tls(False, None, None, env).ca_cert == "/env/ca.pem"
    assert resolve_tls(False, None, None, {}).ca_cert is None
    assert resolve_tls(False, None, None, {"AIS_CLIENT_CA": ""}).ca_cert is None


@pytest.mark.parametrize(
    ("arg", "env", "pair"),
    [
        ("/a/both.pem", {}, ("/a/both.pem", None)),
        (("/a/c.pem", "/a/k.pem"), {}, ("/a/c.pem", "/a/k.pem")),
        (None, {"AIS_CRT": "/e/c", "AIS_CRT_KEY": "/e/k"}, ("/e/c", "/e/k")),
        (None, {"AIS_CRT": "/e/c"}, (None, None)),
        (None, {"AIS_CRT_KEY": "/e/k"}, (None, None)),
        (None, {"AIS_CRT": "/e/c", "AIS_CRT_KEY": ""}, (None, None)),
        ("/a/both.pem", {"AIS_CRT": "/e/c", "AIS_CRT_KEY": "/e/k"}, ("/a/both.pem", None)),
    ],
)
def test_client_certificate_precedence(arg: Any, env: dict[str, str], pair: Any) -> None:
    tls = resolve_tls(False, None, arg, env)
    assert (tls.client_cert, tls.client_key) == pair


def test_client_certificate_is_kept_when_verification_is_skipped() -> None:
    tls = resolve_tls(True, None, ("/c", "/k"), {})
    assert (tls.client_cert, tls.client_key) == ("/c", "/k")


def test_client_cert_tuple_must_be_a_pair() -> None:
    with pytest.raises(ValueError, match="client_cert"):
        resolve_tls(False, None, ("/a", "/b", "/c"), {})  # type: ignore[arg-type]


# -- token, endpoint and the whole config -------------------------------------------------


@pytest.mark.parametrize(
    ("arg", "env", "token"),
    [
        ("t1", {"AIS_AUTHN_TOKEN": "t2"}, "t1"),
        (None, {"AIS_AUTHN_TOKEN": "t2"}, "t2"),
        ("", {"AIS_AUTHN_TOKEN": "t2"}, "t2"),  # a falsy argument falls through
        (None, {"AIS_AUTHN_TOKEN": ""}, None),
        (None, {}, None),
    ],
)
def test_token_precedence(arg: str | None, env: dict[str, str], token: str | None) -> None:
    assert resolve_config(EP, token=arg, env=env).token == token


def test_endpoint_precedence_and_normalisation() -> None:
    assert resolve_endpoint("http://a:1/", {"AIS_ENDPOINT": "http://b:2"}) == "http://a:1"
    assert resolve_endpoint(None, {"AIS_ENDPOINT": "https://b:2"}) == "https://b:2"
    assert resolve_endpoint("", {"AIS_ENDPOINT": "http://b:2"}) == "http://b:2"
    assert resolve_endpoint("http://[::1]:8080", {}) == "http://[::1]:8080"


@pytest.mark.parametrize(
    "bad",
    ["h:8080", "ftp://h", "http://", "http://h:8080?x=1", "http://h:8080#f", "http://h:99999"],
)
def test_bad_endpoints_raise(bad: str) -> None:
    with pytest.raises(ValueError, match="endpoint"):
        resolve_endpoint(bad, {})


def test_missing_endpoint_names_the_variable() -> None:
    with pytest.raises(ValueError, match="AIS_ENDPOINT"):
        resolve_endpoint(None, {})


def test_retry_policy_is_replaced_as_a_whole() -> None:
    custom = RetryPolicy(status_retries=1)
    assert resolve_config(EP, retry=custom, env={}).retry is custom
    assert resolve_config(EP, env={}).retry == RetryPolicy.default()


def test_resolve_config_reads_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIS_ENDPOINT", "http://from-env:1")
    monkeypatch.setenv("AIS_MAX_CONN_POOL", "3")
    config = resolve_config()
    assert (config.endpoint, config.max_pool_size) == ("http://from-env:1", 3)


def test_config_values_compare_hash_and_pickle(tmp_path: Path) -> None:
    c, k, ca = (str(tmp_path / name) for name in ("c", "k", "ca"))
    for path in (c, k, ca):
        Path(path).write_text("x")
    config = resolve_config(
        EP, token="s3cr3t", timeout=(1, 0), client_cert=(c, k), ca_cert=ca, env={}
    )
    same = resolve_config(
        EP, token="s3cr3t", timeout=(1, 0), client_cert=(c, k), ca_cert=ca, env={}
    )
    assert config == same and hash(config) == hash(same)
    assert pickle.loads(pickle.dumps(config)) == config
    assert {config, same} == {config}
    assert config != resolve_config(EP, token="other", env={})
    with pytest.raises(AttributeError):
        config.token = "x"  # type: ignore[misc]


def test_token_never_shows_in_repr_or_str() -> None:
    config = ClientConfig(EP, token="s3cr3t-value")
    assert "s3cr3t-value" not in repr(config) and "s3cr3t-value" not in str(config)
    assert "token='***'" in repr(config)
    assert "token=None" in repr(ClientConfig(EP))


def test_tls_repr_hides_the_key_path() -> None:
    text = repr(TlsConfig(client_cert="/c.pem", client_key="/secret/k.pem"))
    assert "/secret/k.pem" not in text and "client_key=set" in text
