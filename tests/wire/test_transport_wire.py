"""What Urllib3Transport puts on the wire: header merging, write coalescing, redirects kept
verbatim, and urllib3 loaded only when the first request is sent."""

from __future__ import annotations

import http.client
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from _support.httpserver import Call, TestServer
from aisclient.config import resolve_config
from aisclient.request import BytesBody, FileBody, JsonBody, Request
from aisclient.transport.urllib3 import USER_AGENT, Urllib3Transport
from aisclient.transport.urls import resolve_location, split_url


@pytest.fixture
def server() -> Iterator[TestServer]:
    with TestServer() as srv:
        yield srv
    assert not srv.errors, srv.errors


@pytest.fixture
def target() -> Iterator[TestServer]:
    with TestServer() as srv:
        yield srv
    assert not srv.errors, srv.errors


def make(endpoint: str) -> Urllib3Transport:
    return Urllib3Transport(resolve_config(endpoint, token=None, env={}))


def put(body: object, *headers: tuple[str, str]) -> Request:
    return Request(
        "PUT", ("objects", "b", "o"), query=(("provider", "ais"),), headers=headers, body=body
    )  # type: ignore[arg-type]


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every write the client's HTTP connections make, as bytes."""
    seen: list[bytes] = []
    original = http.client.HTTPConnection.send

    def spy(self: http.client.HTTPConnection, data: object) -> None:
        seen.append(bytes(data))  # type: ignore[call-overload]
        original(self, data)  # type: ignore[arg-type]

    monkeypatch.setattr(http.client.HTTPConnection, "send", spy)
    return seen


# -- headers ------------------------------------------------------------------------------


def test_a_repeated_request_header_is_sent_once_per_value(server: TestServer) -> None:
    got: list[list[str] | None] = []

    def handler(call: Call) -> None:
        got.append(call._h.headers.get_all("Ais-Custom-Md"))
        call.body  # noqa: B018 - read it, so the connection stays clean
        call.reply(200, b"")

    server.handler = handler
    request = put(BytesBody(b"x"), ("Ais-Custom-Md", "k1=v1"), ("Ais-Custom-Md", "k2=v,2"))
    make(server.url).send(request).close()
    assert got == [["k1=v1", "k2=v,2"]]  # not the last one only, and not comma-joined


def test_request_headers_replace_ours_in_any_case_and_add_to_them(server: TestServer) -> None:
    server.reply_with(200, "")
    request = put(
        BytesBody(b"x"), ("user-agent", "mine/1"), ("content-TYPE", "text/plain"), ("X-A", "1")
    )
    make(server.url).send(request).close()
    headers = server.seen[0].headers
    assert headers["user-agent"] == "mine/1"
    assert headers["content-type"] == "text/plain"
    assert headers["x-a"] == "1"


def test_plain_request_gets_our_user_agent_and_the_body_content_type(server: TestServer) -> None:
    server.reply_with(200, "")
    make(server.url).send(put(JsonBody.of({"a": 1}))).close()
    headers = server.seen[0].headers
    assert headers["user-agent"] == USER_AGENT
    assert headers["content-type"] == "application/json"
    assert server.seen[0].body == b'{"a":1}'


# -- writes ---------------------------------------------------------------------------------


def test_a_small_body_leaves_in_the_same_write_as_the_head(
    server: TestServer, writes: list[bytes]
) -> None:
    server.reply_with(200, "")
    make(server.url).send(put(BytesBody(b"0123456789"))).close()
    assert len(writes) == 1
    head, _, body = writes[0].partition(b"\r\n\r\n")
    assert head.startswith(b"PUT /v1/objects/b/o?provider=ais HTTP/1.1")
    assert b"Content-Length: 10" in head.split(b"\r\n")
    assert body == b"0123456789"
    assert server.seen[0].body == b"0123456789"


def test_a_small_body_is_coalesced_on_every_hop(
    server: TestServer, target: TestServer, writes: list[bytes]
) -> None:
    server.handler = lambda call: call.redirect(target.url)
    target.reply_with(200, "")
    make(server.url).send(put(BytesBody(b"abc"))).close()
    assert [w.endswith(b"\r\n\r\nabc") for w in writes] == [True, True]
    assert target.seen[0].body == b"abc"


def test_a_large_body_and_a_file_are_not_copied_into_the_head(
    server: TestServer, writes: list[bytes], tmp_path: Path
) -> None:
    server.reply_with(200, "")
    big = bytes(range(256)) * 400  # 100 KiB: past the coalescing limit
    make(server.url).send(put(BytesBody(big))).close()
    assert writes[0].endswith(b"\r\n\r\n") and b"".join(writes[1:]) == big
    path = tmp_path / "f.bin"
    path.write_bytes(b"file-bytes")
    writes.clear()
    make(server.url).send(put(FileBody(str(path)))).close()
    assert writes[0].endswith(b"\r\n\r\n") and b"".join(writes[1:]) == b"file-bytes"
    assert [s.body for s in server.seen] == [big, b"file-bytes"]


# -- redirects ------------------------------------------------------------------------------


def test_an_absolute_location_is_followed_verbatim(server: TestServer, target: TestServer) -> None:
    # urljoin would re-assemble it and drop the ';' that ends a segment.
    location = f"{target.url}/v1/objects/b/semi;?provider=ais&pid=p1"
    server.handler = lambda call: call.redirect(server.url, location=location)
    target.reply_with(200, "ok")
    assert make(server.url).send(put(BytesBody(b"x"))).content == b"ok"
    assert target.seen[0].target == "/v1/objects/b/semi;?provider=ais&pid=p1"


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("http://t:2/v1/x;?a=1", "http://t:2/v1/x;?a=1"),
        ("https://t/v1/x", "https://t/v1/x"),
        ("/v1/other?q=1", "http://p:1/v1/other?q=1"),
        ("other", "http://p:1/v1/objects/other"),
    ],
)
def test_resolve_location(location: str, expected: str) -> None:
    assert resolve_location("http://p:1/v1/objects/o?x=1", location) == expected


@pytest.mark.parametrize(
    ("url", "where"),
    [
        ("http://H:1", ("http", "h", 1, "/")),
        ("http://h:1?q=1", ("http", "h", 1, "/?q=1")),
        ("https://[::1]:8/a;?b#frag", ("https", "::1", 8, "/a;?b")),
        ("http://user:pw@h/x%20y", ("http", "h", None, "/x%20y")),
    ],
)
def test_split_url(url: str, where: tuple[str, str, int | None, str]) -> None:
    assert split_url(url) == where


@pytest.mark.parametrize("url", ["ftp://h/x", "/relative", "http:///nohost"])
def test_split_url_refuses_what_is_not_an_absolute_http_url(url: str) -> None:
    with pytest.raises(ValueError, match="not an absolute"):
        split_url(url)


def test_a_redirect_to_a_non_http_location_is_a_redirect_error(server: TestServer) -> None:
    from aisclient.errors import RedirectError

    server.handler = lambda call: call.redirect(server.url, location="ftp://elsewhere/x")
    with pytest.raises(RedirectError, match="cannot follow"):
        make(server.url).send(Request("GET", ("daemon",)))


# -- import cost ----------------------------------------------------------------------------


def test_making_a_client_does_not_load_urllib3() -> None:
    code = (
        "import sys; from aisclient import Client; Client('http://127.0.0.1:1'); "
        "print(sorted(m for m in ('urllib3', 'http.client', 'ssl') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_urllib3_response_is_importable_by_name() -> None:
    from aisclient import transport
    from aisclient.transport import Urllib3Response
    from aisclient.transport.urllib3 import Urllib3Response as Same

    assert Urllib3Response is Same
    with pytest.raises(AttributeError, match="NoSuchThing"):
        transport.NoSuchThing  # noqa: B018
