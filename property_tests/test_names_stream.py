"""Reading objects survives broken connections: whatever the cut points and read sizes, the
bytes delivered are exactly the object's (or its range's), and giving up is bounded."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aisclient import Client
from aisclient.content_stream import parse_byte_range
from aisclient.errors import IncompleteBodyError, ObjectFileReaderMaxResumeError
from aisclient.request import Request
from aisclient.transport.base import BytesResponse, Headers, Response
from aisclient.transport.mock import MockTransport


class BrokenBody(Response):
    def __init__(self, status: int, body: bytes, headers: dict[str, str], cut: int | None):
        self.status, self._body, self._cut, self._pos = status, body, cut, 0
        self.headers, self.url, self.request = Headers(headers), "", None

    def read(self, amt: int | None = None) -> bytes:
        limit = len(self._body) if self._cut is None else min(self._cut, len(self._body))
        if self._cut is not None and self._pos >= limit:
            raise IncompleteBodyError("reset", phase="read")
        end = limit if amt is None else min(limit, self._pos + amt)
        data, self._pos = self._body[self._pos : end], end
        return data

    def close(self) -> None:
        pass


def serve(data: bytes, cuts: list[int]) -> MockTransport:
    """Each GET breaks after the next ``cuts`` value of its own body bytes (if any is left)."""
    pending = list(cuts)

    def handle(request: Request) -> Response:
        size = len(data)
        if request.method == "HEAD":
            return BytesResponse(200, b"", {"Content-Length": str(size)})
        spec = request.header("Range")
        status, start, end = 200, 0, size - 1
        headers: dict[str, str] = {}
        if spec:
            match = re.fullmatch(r"bytes=(\d*)-(\d*)", spec)
            assert match is not None
            if match.group(1):
                start = int(match.group(1))
                end = min(int(match.group(2)) if match.group(2) else size - 1, size - 1)
            else:
                start = max(0, size - int(match.group(2)))
            if start >= size:
                return BytesResponse(416, b"{}", {})
            status = 206
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        body = data[start : end + 1]
        headers["Content-Length"] = str(len(body))
        cut = pending.pop(0) if pending and len(body) > 0 else None
        return BrokenBody(status, body, headers, cut)

    return MockTransport(handle)


payloads = st.binary(min_size=1, max_size=3000)
cut_lists = st.lists(st.integers(min_value=0, max_value=3000), max_size=6)


@settings(max_examples=200, deadline=None)
@given(data=payloads, cuts=cut_lists, sizes=st.lists(st.integers(1, 700), min_size=1, max_size=8))
def test_file_reader_delivers_exact_bytes_despite_breaks(
    data: bytes, cuts: list[int], sizes: list[int]
) -> None:
    client = Client("http://p:1", transport=serve(data, cuts))
    f = client.bucket("b").object("o").get_reader().as_file(max_resume=len(cuts))
    out = bytearray()
    for i, size in enumerate(sizes * 20):
        if i % 2:
            chunk = f.read(size)
        else:
            buffer = bytearray(size)
            chunk = bytes(buffer[: f.readinto(buffer)])
        if not chunk:
            break
        out += chunk
    out += f.read()
    assert bytes(out) == data
    assert f.tell() == len(data)


@settings(max_examples=200, deadline=None)
@given(
    data=payloads,
    cuts=cut_lists,
    start=st.integers(0, 3000),
    length=st.integers(1, 3000),
    suffix=st.booleans(),
)
def test_ranged_reads_resume_within_the_range(
    data: bytes, cuts: list[int], start: int, length: int, suffix: bool
) -> None:
    start %= len(data)
    if suffix:
        spec, expected = f"bytes=-{length}", data[-length:]
    else:
        spec, expected = f"bytes={start}-{start + length - 1}", data[start : start + length]
    client = Client("http://p:1", transport=serve(data, cuts))
    reader = client.bucket("b").object("o").get_reader(byte_range=spec)
    assert reader.as_file(max_resume=len(cuts)).read() == expected


@settings(max_examples=200, deadline=None)
@given(data=payloads, positions=st.lists(st.integers(0, 3200), min_size=1, max_size=6))
def test_seek_then_read_matches_slicing(data: bytes, positions: list[int]) -> None:
    client = Client("http://p:1", transport=serve(data, []))
    f = client.bucket("b").object("o").get_reader().as_file()
    for position in positions:
        assert f.seek(position) == position
        assert f.read(17) == data[position : position + 17]
    assert f.seek(-min(5, len(data)), io.SEEK_END) == len(data) - min(5, len(data))
    assert f.read() == data[-min(5, len(data)) :]


@settings(max_examples=200, deadline=None)
@given(
    data=st.binary(min_size=50, max_size=500), breaks=st.integers(1, 5), allowed=st.integers(0, 5)
)
def test_giving_up_is_bounded(data: bytes, breaks: int, allowed: int) -> None:
    # Every GET breaks after 3 bytes: ``breaks`` GETs fail, later ones succeed.
    client = Client("http://p:1", transport=serve(data, [3] * breaks))
    f = client.bucket("b").object("o").get_reader().as_file(max_resume=allowed)
    if breaks <= allowed:
        assert f.read() == data
    else:
        with pytest.raises(ObjectFileReaderMaxResumeError):
            f.read()


@settings(max_examples=300, deadline=None)
@given(a=st.integers(0, 2**63), n=st.integers(0, 2**40))
def test_byte_range_parsing_round_trips(a: int, n: int) -> None:
    assert parse_byte_range(f"bytes={a}-{a + n}") == (a, a + n)
    assert parse_byte_range(f"bytes={a}-") == (a, None)
    assert parse_byte_range(f"bytes=-{n}") == (None, n)
