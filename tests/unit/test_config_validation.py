"""Client arguments of the wrong type are rejected when the config is resolved."""

from __future__ import annotations

from pathlib import Path

import pytest

from aisclient import Client, RetryPolicy
from aisclient.config import resolve_config
from aisclient.transport.mock import StubTransport

URL = "https://ais.invalid:8080"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"retry_config": "x"}, "retry_config must be a RetryPolicy"),
        ({"retry_config": 3}, "retry_config must be a RetryPolicy"),
        ({"ca_cert": 5}, "ca_cert must be a file path"),
        ({"client_cert": 5}, "client_cert must be a file path"),
        ({"client_cert": ("cert.pem", 7)}, r"client_cert\[1\] \(the key\) must be a file path"),
        ({"client_cert": (b"cert", "key")}, r"client_cert\[0\]"),
        ({"token": 123}, "token must be a str"),
    ],
)
def test_wrong_types_fail_at_construction(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        Client(URL, transport=StubTransport(), env={}, **kwargs)  # type: ignore[arg-type]


def test_client_cert_pair_length_is_checked() -> None:
    with pytest.raises(ValueError, match="pair"):
        resolve_config(URL, client_cert=("a",), env={})  # type: ignore[arg-type]


def test_valid_tls_and_retry_arguments_resolve(tmp_path: Path) -> None:
    for name in ("ca.pem", "c.pem", "k.pem", "both.pem", "e.pem", "e.key"):
        (tmp_path / name).write_text("x")
    policy = RetryPolicy(status_retries=1)
    config = resolve_config(
        URL,
        ca_cert=tmp_path / "ca.pem",
        client_cert=(str(tmp_path / "c.pem"), str(tmp_path / "k.pem")),
        retry=policy,
        env={},
    )
    assert config.tls.ca_cert == str(tmp_path / "ca.pem")
    assert (config.tls.client_cert, config.tls.client_key) == (
        str(tmp_path / "c.pem"),
        str(tmp_path / "k.pem"),
    )
    assert config.retry is policy
    cert_only = resolve_config(URL, client_cert=tmp_path / "both.pem", env={})
    assert (cert_only.tls.client_cert, cert_only.tls.client_key) == (
        str(tmp_path / "both.pem"),
        None,
    )
    env = {"AIS_CRT": str(tmp_path / "e.pem"), "AIS_CRT_KEY": str(tmp_path / "e.key")}
    from_env = resolve_config(URL, env=env)
    assert (from_env.tls.client_cert, from_env.tls.client_key) == (
        env["AIS_CRT"],
        env["AIS_CRT_KEY"],
    )
