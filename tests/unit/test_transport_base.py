"""The Response interface, Headers and URL redaction."""

from __future__ import annotations

import pickle

import pytest

from aisclient.errors import APIRequestError, ErrObjNotFound
from aisclient.request import Request
from aisclient.transport.base import BytesResponse, Headers, redact_url


def test_headers_are_case_insensitive() -> None:
    headers = Headers({"Content-Type": "a", "X-Y": "1"})
    assert headers["content-type"] == headers["CONTENT-TYPE"] == "a"
    assert "x-y" in headers and "X-Y" in headers and 5 not in headers
    assert headers.get("x-Y") == "1" and headers.get("nope", "d") == "d"
    headers["NEW"] = "v"
    headers.update({"Other": "o"})
    assert headers["new"] == "v" and headers["other"] == "o"
    assert headers.pop("NEW") == "v" and "new" not in headers
    assert headers.setdefault("X-Y", "zzz") == "1"
    del headers["OTHER"]
    assert "other" not in headers
    assert pickle.loads(pickle.dumps(headers)) == headers


def test_repeated_header_fields_are_joined_not_dropped() -> None:
    headers = Headers([("Via", "a"), ("via", "b"), ("X", "1")])
    assert headers["via"] == "a, b" and headers["x"] == "1"


def test_bytes_response_reads() -> None:
    response = BytesResponse(200, "héllo")
    assert response.headers["content-length"] == str(len("héllo".encode()))
    assert response.read(2) == b"h\xc3"
    assert response.read(-1) == b"\xa9llo"  # a negative amount means "the rest"
    assert response.read() == b""
    response = BytesResponse(200, b"abcdef")
    buffer = bytearray(4)
    assert response.readinto(buffer) == 4 and bytes(buffer) == b"abcd"
    assert list(response.iter_bytes(1)) == [b"e", b"f"] and response.closed


def test_content_is_cached_and_decoded() -> None:
    response = BytesResponse(200, b'{"a": 1}')
    assert response.content == b'{"a": 1}' and response.content == b'{"a": 1}'
    assert response.json() == {"a": 1} and response.text == '{"a": 1}'
    assert BytesResponse(204).json() is None
    assert BytesResponse(200, b"\xff").text == "\ufffd"


def test_raise_for_status() -> None:
    ok = BytesResponse(307)
    assert ok.ok and ok.raise_for_status() is ok
    request = Request("GET", ("objects", "b", "o"))
    failed = BytesResponse(
        404, b"t: ais://b/o does not exist", url="http://h/v1/objects/b/o?x=N", request=request
    )
    assert not failed.ok
    with pytest.raises(ErrObjNotFound) as info:
        failed.raise_for_status()
    assert info.value.req_url == "http://h/v1/objects/b/o?x=%2A%2A%2A"
    assert info.value.req is request
    assert isinstance(BytesResponse(500).error(), APIRequestError)


def test_context_manager_closes() -> None:
    with BytesResponse(200, b"x") as response:
        assert not response.closed
    assert response.closed


def test_repr_redacts() -> None:
    response = BytesResponse(200, url="http://u:pw@h:1/v1/o?u=SIG")
    assert repr(response) == "<BytesResponse 200 http://h:1/v1/o?u=%2A%2A%2A>"


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("", ""),
        ("http://h:1/v1/o?provider=ais", "http://h:1/v1/o?provider=ais"),
        (
            "http://h:1/p?pid=p1&utm=x&x=NONCE&u=SIG&vpams=5",
            "http://h:1/p?pid=p1&utm=x&x=%2A%2A%2A&u=%2A%2A%2A&vpams=%2A%2A%2A",
        ),
        ("https://user:pass@h/p", "https://h/p"),
        ("http://h/p?Token=T", "http://h/p?Token=%2A%2A%2A"),
    ],
)
def test_redact_url(url: str, safe: str) -> None:
    assert redact_url(url) == safe
