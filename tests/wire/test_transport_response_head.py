"""The fast response-head reader: limits, interim answers, and that our connections use it."""

from __future__ import annotations

import http.client
import io

import pytest

from _support.httpserver import TestServer
from aisclient.config import resolve_config
from aisclient.request import Request
from aisclient.transport._response_head import (
    MAX_HEADERS,
    MAX_LINE,
    FastHeadResponse,
    parse_header_lines,
    read_header_lines,
)
from aisclient.transport.urllib3 import Urllib3Transport


class _Sock:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(io.BytesIO(self.data))  # type: ignore[arg-type]


def begin(data: bytes, method: str = "GET") -> FastHeadResponse:
    response = FastHeadResponse(_Sock(data), method=method)  # type: ignore[arg-type]
    response.begin()
    return response


def test_repeated_fields_stay_separate_and_values_are_trimmed_on_the_left_only() -> None:
    head = b"Ais-Custom-Md: a=1\r\nais-custom-md:\tb=2 \r\nEmpty:\r\n\r\n"
    message = parse_header_lines(read_header_lines(io.BytesIO(head)))
    assert message.get_all("AIS-CUSTOM-MD") == ["a=1", "b=2 "]
    assert message["empty"] == ""


def test_a_folded_field_is_left_to_the_reference_parser() -> None:
    head = b"X-Long: one\r\n two\r\nY: 3\r\n\r\n"
    message = parse_header_lines(read_header_lines(io.BytesIO(head)))
    assert list(message.items()) == list(http.client.parse_headers(io.BytesIO(head)).items())
    assert message["y"] == "3"


def test_the_limits_of_http_client_hold() -> None:
    with pytest.raises(http.client.LineTooLong):
        read_header_lines(io.BytesIO(b"X: " + b"a" * MAX_LINE + b"\r\n\r\n"))
    many = b"".join(b"X-%d: v\r\n" % i for i in range(MAX_HEADERS + 1)) + b"\r\n"
    with pytest.raises(http.client.HTTPException, match="more than 100 headers"):
        read_header_lines(io.BytesIO(many))


def test_interim_continue_is_skipped_and_the_body_framed() -> None:
    data = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
    response = begin(data)
    assert (response.status, response.reason, response.length) == (200, "OK", 3)
    assert not response.will_close and response.read() == b"abc"


def test_head_and_204_have_no_body_and_chunked_wins_over_length() -> None:
    assert begin(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", "HEAD").length == 0
    assert begin(b"HTTP/1.1 204 No Content\r\n\r\n").length == 0
    chunked = begin(
        b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"2\r\nhi\r\n0\r\n\r\n"
    )
    assert chunked.chunked and chunked.length is None and chunked.read() == b"hi"


def test_unknown_protocol_is_refused() -> None:
    with pytest.raises(http.client.UnknownProtocol):
        begin(b"HTTP/2.0 200 OK\r\n\r\n")


def test_transport_responses_are_read_by_the_fast_reader() -> None:
    with TestServer() as server:
        server.reply_with(200, "body", **{"X-Twice": "1"})
        transport = Urllib3Transport(resolve_config(server.url, token=None, env={}))
        response = transport.send(Request("GET", ("daemon",)))
        raw = response._raw  # type: ignore[attr-defined]
        assert type(raw._original_response) is FastHeadResponse
        assert response.content == b"body" and response.headers["x-twice"] == "1"
