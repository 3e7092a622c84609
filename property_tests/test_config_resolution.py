"""Config resolution: explicit > environment > default for every field, idempotence, values."""

from __future__ import annotations

import math
import pickle
import tempfile
import warnings
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from aisclient.config import (
    ClientConfig,
    Timeout,
    TlsConfig,
    resolve_config,
)
from aisclient.retry import RetryPolicy
from aisclient.transport.urllib3 import Urllib3Transport

EXAMPLES = settings(max_examples=200, deadline=None)
TRUTHY = ["1", "t", "true", "y", "yes", "on"]

hosts = st.sampled_from(["h", "127.0.0.1", "ais-proxy.example", "[::1]", "node-7"])
endpoints = st.builds(
    lambda scheme, host, port, slash: f"{scheme}://{host}:{port}" + ("/" if slash else ""),
    st.sampled_from(["http", "https"]),
    hosts,
    st.integers(1, 65535),
    st.booleans(),
)
# Resolution checks that certificate files exist, so paths are drawn from real files.
_FILES = Path(tempfile.mkdtemp(prefix="aisclient-paths-"))
_NAMES = ["ca.pem", "client.pem", "client key.pem", "ünïcode.pem", "a,b;c.pem", "x" * 40]
for _name in _NAMES:
    (_FILES / _name).write_text("not a real certificate")
paths = st.sampled_from([str(_FILES / name) for name in _NAMES])
seconds = st.one_of(
    st.integers(1, 10**6), st.floats(min_value=1e-3, max_value=1e6, allow_nan=False)
)
phase = st.one_of(st.just(0), seconds)
env_noise = st.dictionaries(
    st.sampled_from(["HOME", "PATH", "AIS_OTHER", "ais_endpoint"]), st.text(max_size=5)
)


def _number_text(value: float) -> str:
    return str(value)


valid_env_seconds = st.one_of(
    phase.map(_number_text),
    seconds.map(lambda v: f"  {v}\t"),
    st.sampled_from(["0", "0.0", "1e1", "2.5", "5"]),
)


def _bad_seconds(text: str) -> bool:
    try:
        number = float(text.strip())
    except ValueError:
        return bool(text.strip())
    return math.isnan(number) or math.isinf(number) or number < 0


invalid_env_seconds = st.one_of(
    st.sampled_from(["abc", "-1", "nan", "inf", "1,5", "--2", "3s"]),
    st.text(max_size=8).filter(_bad_seconds),
)


def resolve(env: dict[str, str], **kw: Any) -> ClientConfig:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return resolve_config(env=env, **kw)


def expected_phase(raw: str | None, default: float) -> float | None:
    if raw is None or not raw.strip():
        return default
    try:
        number = float(raw.strip())
    except ValueError:
        return default
    if math.isnan(number) or math.isinf(number) or number < 0:
        return default
    return None if number == 0 else number


# -- precedence, one field at a time ------------------------------------------------------


@EXAMPLES
@given(st.one_of(st.none(), endpoints), st.one_of(st.none(), endpoints), env_noise)
def test_endpoint_precedence(explicit: str | None, from_env: str | None, noise: dict) -> None:
    env = dict(noise)
    if from_env is not None:
        env["AIS_ENDPOINT"] = from_env
    chosen = explicit or from_env
    if chosen is None:
        return
    assert resolve(env, endpoint=explicit).endpoint == chosen.rstrip("/")


@EXAMPLES
@given(
    st.one_of(st.none(), phase, st.tuples(phase, phase)),
    st.one_of(st.none(), valid_env_seconds, invalid_env_seconds),
    st.one_of(st.none(), valid_env_seconds, invalid_env_seconds),
)
def test_timeout_precedence(explicit: Any, connect_env: str | None, read_env: str | None) -> None:
    env = {}
    if connect_env is not None:
        env["AIS_CONNECT_TIMEOUT"] = connect_env
    if read_env is not None:
        env["AIS_READ_TIMEOUT"] = read_env
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = resolve_config("http://h:1", timeout=explicit, env=env).timeout
    if explicit is None:
        assert result.connect == expected_phase(connect_env, 3.0)
        assert result.read == expected_phase(read_env, 20.0)
        bad = [raw for raw in (connect_env, read_env) if raw is not None and _bad_seconds(raw)]
        assert len(caught) == len(bad)  # one warning per unusable variable, no more
    else:
        connect, read = explicit if isinstance(explicit, tuple) else (explicit, explicit)
        assert result == Timeout(connect or None, read or None)
        assert caught == []  # the environment was not even read


@EXAMPLES
@given(
    st.one_of(st.none(), st.integers(1, 10_000)),
    st.one_of(
        st.none(),
        st.integers(1, 10_000).map(str),
        st.sampled_from(["", "0", "-4", "7.5", "abc", " 12 "]),
    ),
)
def test_max_pool_size_precedence(explicit: int | None, from_env: str | None) -> None:
    env = {} if from_env is None else {"AIS_MAX_CONN_POOL": from_env}
    result = resolve(env, endpoint="http://h:1", max_pool_size=explicit).max_pool_size
    if explicit is not None:
        assert result == explicit
    elif from_env is not None and from_env.strip().isdigit() and int(from_env) >= 1:
        assert result == int(from_env)
    else:
        assert result == 10


env_bool = st.one_of(
    st.none(),
    st.sampled_from(TRUTHY + [v.upper() for v in TRUTHY] + ["0", "false", "no", "", " yes "]),
    st.text(max_size=6),
)


@EXAMPLES
@given(st.booleans(), env_bool, env_bool)
def test_skip_verify_precedence(explicit: bool, canonical: str | None, legacy: str | None) -> None:
    env = {}
    if canonical is not None:
        env["AIS_SKIP_VERIFY_CRT"] = canonical
    if legacy is not None:
        env["AIS_SKIP_VERIFY"] = legacy
    result = resolve(env, endpoint="http://h:1", skip_verify=explicit).tls.skip_verify
    if explicit:
        assert result is True
    elif canonical is not None:  # set, even empty: the legacy name is not consulted
        assert result is (canonical.strip().lower() in TRUTHY)
    else:
        assert result is (legacy is not None and legacy.strip().lower() in TRUTHY)


@EXAMPLES
@given(st.booleans(), st.one_of(st.none(), paths), st.one_of(st.none(), st.just(""), paths))
def test_ca_cert_precedence(skip: bool, explicit: str | None, from_env: str | None) -> None:
    env = {} if from_env is None else {"AIS_CLIENT_CA": from_env}
    result = resolve(env, endpoint="http://h:1", skip_verify=skip, ca_cert=explicit).tls.ca_cert
    if skip:
        assert result is None  # a CA bundle is only for verification
    else:
        assert result == (explicit or from_env or None)


cert_args = st.one_of(st.none(), paths, st.tuples(paths, paths))


@EXAMPLES
@given(
    cert_args, st.one_of(st.none(), st.just(""), paths), st.one_of(st.none(), st.just(""), paths)
)
def test_client_cert_precedence(explicit: Any, crt: str | None, key: str | None) -> None:
    env = {}
    if crt is not None:
        env["AIS_CRT"] = crt
    if key is not None:
        env["AIS_CRT_KEY"] = key
    tls = resolve(env, endpoint="http://h:1", client_cert=explicit).tls
    if isinstance(explicit, tuple):
        assert (tls.client_cert, tls.client_key) == explicit
    elif explicit:
        assert (tls.client_cert, tls.client_key) == (explicit, None)
    elif crt and key:  # both needed
        assert (tls.client_cert, tls.client_key) == (crt, key)
    else:
        assert (tls.client_cert, tls.client_key) == (None, None)


# What a header can carry: no control characters, nothing past Latin-1, no edge whitespace
# (which resolution strips).
token_chars = st.characters(min_codepoint=0x21, max_codepoint=0xFF, exclude_categories=("Cc", "Zs"))
tokens = st.text(token_chars, min_size=1, max_size=30).map(lambda s: "tk§" + s)


@EXAMPLES
@given(st.one_of(st.none(), st.just(""), tokens), st.one_of(st.none(), st.just(""), tokens))
def test_token_precedence(explicit: str | None, from_env: str | None) -> None:
    env = {} if from_env is None else {"AIS_AUTHN_TOKEN": from_env}
    result = resolve(env, endpoint="http://h:1", token=explicit).token
    assert result == (explicit or from_env or None)


# -- whole configs ------------------------------------------------------------------------

policies = st.builds(
    RetryPolicy,
    statuses=st.frozensets(st.sampled_from([413, 429, 500, 502, 503, 504])),
    status_retries=st.integers(0, 10),
    backoff_factor=st.floats(0, 10),
    network_attempts=st.integers(0, 10),
    deadline=st.one_of(st.none(), st.floats(0, 1000)),
    jitter=st.floats(0, 1),
)
timeouts = st.builds(Timeout, phase, phase)
tls_configs = st.builds(
    TlsConfig,
    skip_verify=st.booleans(),
    ca_cert=st.one_of(st.none(), paths),
    client_cert=st.one_of(st.none(), paths),
    client_key=st.one_of(st.none(), paths),
)
configs = st.builds(
    ClientConfig,
    endpoint=endpoints.map(lambda e: e.rstrip("/")),
    timeout=timeouts,
    retry=policies,
    tls=tls_configs,
    token=st.one_of(st.none(), tokens),
    max_pool_size=st.integers(1, 1000),
)
arguments = st.fixed_dictionaries(
    {
        "endpoint": endpoints,
        "skip_verify": st.booleans(),
        "ca_cert": st.one_of(st.none(), paths),
        "client_cert": cert_args,
        "timeout": st.one_of(st.none(), phase, st.tuples(phase, phase)),
        "retry": st.one_of(st.none(), policies),
        "token": st.one_of(st.none(), tokens),
        "max_pool_size": st.one_of(st.none(), st.integers(1, 100)),
    }
)
environments = st.fixed_dictionaries(
    {},
    optional={
        "AIS_ENDPOINT": endpoints,
        "AIS_CONNECT_TIMEOUT": st.one_of(valid_env_seconds, invalid_env_seconds),
        "AIS_READ_TIMEOUT": st.one_of(valid_env_seconds, invalid_env_seconds),
        "AIS_MAX_CONN_POOL": st.sampled_from(["3", "abc", "", "0"]),
        "AIS_SKIP_VERIFY_CRT": env_bool.filter(lambda v: v is not None),
        "AIS_SKIP_VERIFY": env_bool.filter(lambda v: v is not None),
        "AIS_CLIENT_CA": paths,
        "AIS_CRT": paths,
        "AIS_CRT_KEY": paths,
        "AIS_AUTHN_TOKEN": tokens,
    },
)


def own_arguments(config: ClientConfig) -> dict[str, Any]:
    tls = config.tls
    cert = (tls.client_cert, tls.client_key) if tls.client_key else tls.client_cert
    return {
        "endpoint": config.endpoint,
        "skip_verify": tls.skip_verify,
        "ca_cert": tls.ca_cert,
        "client_cert": cert,
        "timeout": config.timeout,
        "retry": config.retry,
        "token": config.token,
        "max_pool_size": config.max_pool_size,
    }


@EXAMPLES
@given(arguments, environments)
def test_resolution_is_idempotent(args: dict[str, Any], env: dict[str, str]) -> None:
    config = resolve(env, **args)
    # from its own values, under the same environment and under none at all
    assert resolve(env, **own_arguments(config)) == config
    assert resolve({}, **own_arguments(config)) == config


@EXAMPLES
@given(arguments, environments)
def test_resolution_is_pure(args: dict[str, Any], env: dict[str, str]) -> None:
    before = dict(env)
    assert resolve(env, **args) == resolve(dict(env), **args)
    assert env == before


@EXAMPLES
@given(st.one_of(configs, timeouts, tls_configs, policies))
def test_values_pickle_compare_and_hash(value: Any) -> None:
    copy = pickle.loads(pickle.dumps(value))
    assert copy == value and hash(copy) == hash(value)
    assert type(copy) is type(value)


@EXAMPLES
@given(configs)
def test_the_token_never_appears_in_any_repr(config: ClientConfig) -> None:
    texts = [
        repr(config),
        str(config),
        repr(config.tls),
        repr(config.timeout),
        repr(config.retry),
        repr(Urllib3Transport(config)),
    ]
    if config.token:
        assert all(config.token not in text for text in texts)
        assert "§" not in "".join(texts)  # not even a fragment of it
