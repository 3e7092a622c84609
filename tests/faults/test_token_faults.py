"""Tokens as users really have them: read from a file (with its newline), rotated while the
client runs, refreshed after a 401; never a raw header error, never the token in a message."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from _support.httpserver import Call, TestServer
from aisclient import Client
from aisclient.config import resolve_config
from aisclient.errors import AISError, APIRequestError, InvalidTokenError
from aisclient.request import Request

SECRET = "s3cr3t-token-Zq81"
GET = Request("GET", ("daemon",))


@pytest.fixture
def server() -> Iterator[TestServer]:
    with TestServer() as srv:
        srv.reply_with(200, "ok")
        yield srv


def _bearer(server: TestServer) -> list[str | None]:
    return [seen.headers.get("authorization") for seen in server.seen]


def test_a_token_with_a_trailing_newline_is_sent_without_it(server: TestServer) -> None:
    client = Client(server.url, token=SECRET + "\n", env={})
    assert client.send_text(GET) == "ok"
    assert _bearer(server) == [f"Bearer {SECRET}"]


@pytest.mark.parametrize("bad", [f"{SECRET[:4]}\n{SECRET[4:]}", f"{SECRET}\x00x", f"a\rb{SECRET}"])
def test_a_token_with_an_inner_control_character_is_refused_at_construction(
    server: TestServer, bad: str
) -> None:
    with pytest.raises(InvalidTokenError) as info:
        Client(server.url, token=bad, env={})
    assert isinstance(info.value, AISError) and isinstance(info.value, ValueError)
    text = str(info.value) + repr(info.value)
    assert SECRET not in text and SECRET[:4] not in text and SECRET[4:] not in text
    assert "control character" in text
    assert server.seen == []


def test_tokens_from_env_are_stripped(server: TestServer) -> None:
    client = Client(server.url, env={"AIS_AUTHN_TOKEN": f"  {SECRET}\r\n"})
    client.send(GET).close()
    assert _bearer(server) == [f"Bearer {SECRET}"]


def test_a_token_file_is_read_stripped_and_re_read_when_it_changes(
    server: TestServer, tmp_path: Path
) -> None:
    path = tmp_path / "token"
    path.write_text(SECRET + "\n")
    client = Client(config=resolve_config(server.url, token_file=path, env={}))
    client.send(GET).close()
    path.write_text("rotated-token-value\n")  # a sidecar rotates the token
    os.utime(path, ns=(1, 1))  # a different mtime, even on a coarse-clock filesystem
    client.send(GET).close()
    assert _bearer(server) == [f"Bearer {SECRET}", "Bearer rotated-token-value"]
    assert SECRET not in repr(client.config) and "rotated" not in repr(client.config)


def test_a_token_file_written_by_ais_auth_login_holds_json(
    server: TestServer, tmp_path: Path
) -> None:
    path = tmp_path / "auth.token"
    path.write_text('{"token": "' + SECRET + '"}\n')
    client = Client(config=resolve_config(server.url, token_file=path, env={}))
    client.send(GET).close()
    assert _bearer(server) == [f"Bearer {SECRET}"]
    path.write_text('{"tokn": "' + SECRET + '"}')
    with pytest.raises(InvalidTokenError, match="token") as info:
        resolve_config(server.url, env={"AIS_AUTHN_TOKEN_FILE": str(path)})
    assert SECRET not in str(info.value)


def test_token_precedence_is_argument_then_file_then_env(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text("from-file")
    env = {"AIS_AUTHN_TOKEN": "from-env", "AIS_AUTHN_TOKEN_FILE": str(path)}
    assert resolve_config("http://h:1", token="from-arg", env=env).token == "from-arg"
    assert resolve_config("http://h:1", env=env).token == "from-file"
    assert resolve_config("http://h:1", env={"AIS_AUTHN_TOKEN": "from-env"}).token == "from-env"
    other = tmp_path / "other"
    other.write_text("from-arg-file")
    assert resolve_config("http://h:1", token_file=other, env=env).token == "from-arg-file"
    with pytest.raises(FileNotFoundError, match="token_file"):
        resolve_config("http://h:1", token_file=tmp_path / "missing", env={})


def test_a_401_refreshes_the_token_once_and_resends(
    server: TestServer, caplog: pytest.LogCaptureFixture
) -> None:
    def only_new(call: Call) -> None:
        if call.headers.get("authorization") == "Bearer new-token-value":
            call.reply(200, "ok")
        else:
            call.reply(401, '{"message":"token expired"}')

    server.handler = only_new
    issued = iter(["old-token-value", "new-token-value"])
    caplog.set_level(logging.DEBUG)
    client = Client(server.url, token=lambda: next(issued), env={})
    assert client.send_text(GET) == "ok"
    assert _bearer(server) == ["Bearer old-token-value", "Bearer new-token-value"]
    assert "token-value" not in caplog.text


def test_a_401_that_no_new_token_fixes_is_the_error(server: TestServer) -> None:
    server.reply_with(401, '{"message":"denied"}')
    refreshes: list[int] = []

    def same() -> str:
        refreshes.append(1)
        return SECRET

    client = Client(server.url, token=same, env={})
    with pytest.raises(APIRequestError) as info:
        client.send(GET)
    assert info.value.status_code == 401
    assert len(server.seen) == 1 and len(refreshes) == 2  # fetched, refreshed once, not resent
    assert SECRET not in str(info.value) + repr(info.value)
