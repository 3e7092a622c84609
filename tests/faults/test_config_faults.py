"""Bad configuration fails at construction with an error naming the setting, and a secret in
the configuration (an endpoint's password) shows in no repr and no error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aisclient import Client
from aisclient.config import resolve_config
from aisclient.retry import RetryPolicy

PASSWORD = "pa55-Wd-Kq7"


@pytest.mark.parametrize(
    ("kwargs", "setting"),
    [
        ({"ca_cert": "/nonexistent/ca.pem"}, "ca_cert"),
        ({"client_cert": "/nonexistent/client.pem"}, "client_cert"),
        ({"client_cert": ("/nonexistent/c.pem", "/nonexistent/k.pem")}, "client_cert"),
    ],
)
def test_missing_certificate_files_fail_at_configuration(kwargs: Any, setting: str) -> None:
    with pytest.raises(FileNotFoundError, match=setting):
        resolve_config("https://h:1", env={}, **kwargs)


def test_missing_certificate_files_from_env_fail_at_configuration(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="ca_cert"):
        resolve_config("https://h:1", env={"AIS_CLIENT_CA": str(tmp_path / "none.pem")})
    key = tmp_path / "k.pem"
    key.write_text("x")
    env = {"AIS_CRT": str(tmp_path / "none.pem"), "AIS_CRT_KEY": str(key)}
    with pytest.raises(FileNotFoundError, match="client_cert"):
        resolve_config("https://h:1", env=env)


def test_an_endpoint_password_shows_in_no_repr() -> None:
    client = Client(f"http://user:{PASSWORD}@127.0.0.1:1", env={})
    texts = [str(client.config), repr(client.config), repr(client.transport)]
    assert all(PASSWORD not in text for text in texts), texts
    assert "user:***@127.0.0.1:1" in repr(client.config)


@pytest.mark.parametrize(
    "endpoint",
    [
        f"http://user:{PASSWORD}@h:port",
        f"ftp://user:{PASSWORD}@h:1",
        f"http://u:{PASSWORD}@h:1/?q",
        f"http://u:{PASSWORD}@[::1:1",
    ],
)
def test_an_endpoint_password_shows_in_no_validation_error(endpoint: str) -> None:
    with pytest.raises(ValueError) as info:
        resolve_config(endpoint, env={})
    assert PASSWORD not in str(info.value)


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("status_retries", "3", TypeError),
        ("status_retries", 1.5, TypeError),
        ("status_retries", True, TypeError),
        ("network_attempts", 1.5, TypeError),
        ("network_attempts", -1, ValueError),
        ("backoff_factor", "0.5", TypeError),
        ("deadline", "60", TypeError),
        ("statuses", ["x"], TypeError),
        ("statuses", [700], ValueError),
        ("statuses", 503, TypeError),
    ],
)
def test_retry_policy_refuses_bad_values_naming_the_field(
    field: str, value: Any, error: type[Exception]
) -> None:
    with pytest.raises(error, match=field):
        RetryPolicy(**{field: value})
