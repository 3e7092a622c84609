"""The fast response-head reader gives what http.client gives, for any head."""

from __future__ import annotations

import http.client
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from aisclient.transport._response_head import (
    FastHeadResponse,
    parse_header_lines,
    read_header_lines,
)

EXAMPLES = settings(max_examples=400, deadline=None)

names = st.one_of(
    st.sampled_from(
        [
            "Content-Length",
            "Transfer-Encoding",
            "Connection",
            "Keep-Alive",
            "Location",
            "Ais-Custom-Md",
            "X-Ä",
            "Bad Name",
            "",
            "From x",
            " lead",
            "a:b",
        ]
    ),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255), max_size=12),
)
values = st.one_of(
    st.sampled_from(["chunked", "close", "keep-alive", "0", "12", "-3", "x", " 7 ", "\t5"]),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255), max_size=20),
)
lines = st.one_of(
    st.builds(lambda n, v: f"{n}:{v}\r\n", names, values),
    st.builds(lambda n, v: f"{n}: {v}\n", names, values),
    st.builds(lambda v: f" {v}\r\n", values),  # obsolete folding: a continuation line
    st.builds(lambda v: f"{v}\r\n", values),  # no colon at all
)
heads = st.lists(lines, max_size=8).map(lambda ls: "".join(ls).encode("iso-8859-1") + b"\r\n")


@EXAMPLES
@given(heads)
def test_header_lines_parse_as_http_client_parses_them(head: bytes) -> None:
    expected = http.client.parse_headers(io.BytesIO(head))
    got = parse_header_lines(read_header_lines(io.BytesIO(head)))
    assert list(got.items()) == list(expected.items())
    assert got.get_payload() == expected.get_payload()


class _Sock:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(io.BytesIO(self.data))  # type: ignore[arg-type]


statuses = st.sampled_from([200, 204, 206, 304, 307, 404, 500, 199])
versions = st.sampled_from(["HTTP/1.1", "HTTP/1.0"])
framing = st.lists(
    st.sampled_from(
        [
            "Content-Length: 5\r\n",
            "Content-Length: -1\r\n",
            "Content-Length: five\r\n",
            "Transfer-Encoding: chunked\r\n",
            "Transfer-Encoding: gzip\r\n",
            "Connection: close\r\n",
            "Connection: keep-alive\r\n",
            "Keep-Alive: timeout=5\r\n",
            "X-Other: 1\r\n",
            " folded\r\n",
        ]
    ),
    max_size=4,
)


@EXAMPLES
@given(versions, statuses, framing, st.sampled_from(["GET", "HEAD", "PUT"]), st.booleans())
def test_begin_frames_the_body_as_http_client_does(
    version: str, status: int, fields: list[str], method: str, interim: bool
) -> None:
    head = f"{version} {status} Some Reason \r\n" + "".join(fields) + "\r\n"
    chunked = any("chunked" in f for f in fields)
    body = b"5\r\nhello\r\n0\r\n\r\n" if chunked else b"hello"
    data = (b"HTTP/1.1 100 Continue\r\nX-I: 1\r\n\r\n" if interim else b"") + head.encode() + body
    ours = FastHeadResponse(_Sock(data), method=method)  # type: ignore[arg-type]
    theirs = http.client.HTTPResponse(_Sock(data), method=method)  # type: ignore[arg-type]
    ours.begin()
    theirs.begin()
    for field in ("status", "reason", "version", "chunked", "length", "will_close"):
        assert getattr(ours, field) == getattr(theirs, field), field
    assert list(ours.msg.items()) == list(theirs.msg.items())
    assert ours.read() == theirs.read()
