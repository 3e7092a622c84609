"""An incremental ``multipart/mixed`` reader for the non-streaming Get-Batch response.

The response has two parts, metadata (JSON) then the archive. Parts are read forward-only
from the socket with a buffer bounded by the read size plus the delimiter, so a large archive
part never sits in memory. Exactly the CRLF before each delimiter is removed (RFC 2046): the
archive's own trailing bytes stay intact, whatever they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from aisclient.errors import MultipartDecodeError

DEFAULT_CHUNK = 32 * 1024
MAX_HEADER_SIZE = 64 * 1024
_CRLF = b"\r\n"
_HEADER_END = b"\r\n\r\n"
_PADDING = b" \t"
_BOUNDARY_PARAM = re.compile(r"""boundary\s*=\s*("([^"]*)"|[^;,\s]+)""", re.IGNORECASE)
_NAME_PARAM = re.compile(r"""(?:^|;)\s*name\s*=\s*("([^"]*)"|[^;\s]+)""", re.IGNORECASE)


def parse_boundary(content_type: str | None) -> str:
    """The boundary of a ``multipart/*`` content type, else :class:`MultipartDecodeError`."""
    text = content_type or ""
    if "multipart" not in text.lower():
        raise MultipartDecodeError(
            f"expected a multipart response, got Content-Type {content_type!r}"
        )
    match = _BOUNDARY_PARAM.search(text)
    if match is None:
        raise MultipartDecodeError(f"no boundary in Content-Type {content_type!r}")
    boundary = match.group(2) if match.group(2) is not None else match.group(1)
    if not boundary or len(boundary) > 200:
        raise MultipartDecodeError(f"invalid multipart boundary in {content_type!r}")
    return boundary


class Part:
    """One part: its headers (lower-case names) and a forward-only body reader."""

    def __init__(self, reader: MultipartReader, headers: dict[str, str]) -> None:
        self._reader = reader
        self.headers = headers
        self.finished = False

    @property
    def name(self) -> str | None:
        """The ``name`` parameter of ``Content-Disposition``, if any."""
        match = _NAME_PARAM.search(self.headers.get("content-disposition", ""))
        if match is None:
            return None
        return match.group(2) if match.group(2) is not None else match.group(1)

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes of the body (all of it for ``-1``); ``b""`` at its end."""
        if self.finished:
            return b""
        if size is not None and size >= 0:
            data = self._reader._read_body(size) if size else b""
            if size and not data:
                self.finished = True
            return data
        parts = []
        while chunk := self._reader._read_body(self._reader.chunk_size):
            parts.append(chunk)
        self.finished = True
        return b"".join(parts)

    def readable(self) -> bool:
        return True

    def drain(self) -> None:
        while self.read(self._reader.chunk_size):
            pass


class MultipartReader:
    """Splits a multipart body into :class:`Part` values, pulling bytes with ``read(n)``."""

    def __init__(
        self,
        read: Callable[[int], bytes],
        boundary: str,
        *,
        chunk_size: int = DEFAULT_CHUNK,
        max_header_size: int = MAX_HEADER_SIZE,
    ) -> None:
        if not boundary:
            raise MultipartDecodeError("empty multipart boundary")
        self._read = read
        self.chunk_size = chunk_size
        self.max_header_size = max_header_size
        self._delimiter = b"\r\n--" + boundary.encode("latin-1")
        # A virtual CRLF in front makes the first delimiter look like every other one.
        self._buffer = bytearray(_CRLF)
        self._eof = False
        self._in_body = True  # the preamble is read like a body, and thrown away
        self._done = False
        self._current: Part | None = None

    def next_part(self) -> Part | None:
        """The next part (after finishing the current one), or ``None`` after the last."""
        if self._current is not None:
            self._current.drain()
            self._current = None
        elif self._in_body:  # the preamble
            while self._read_body(self.chunk_size):
                pass
        if self._done:
            return None
        self._current = Part(self, self._read_headers())
        return self._current

    # -- internals -------------------------------------------------------------------------

    def _fill(self, size: int) -> None:
        while len(self._buffer) < size and not self._eof:
            data = self._read(max(self.chunk_size, size - len(self._buffer)))
            if data:
                self._buffer += data
            else:
                self._eof = True

    def _read_body(self, size: int) -> bytes:
        if not self._in_body:
            return b""
        delimiter = self._delimiter
        self._fill(size + len(delimiter))
        found = self._buffer.find(delimiter)
        if found == -1:
            if self._eof:
                raise MultipartDecodeError(
                    "the multipart response ended inside a part (no closing boundary)"
                )
            # Keep a tail that might be the start of a delimiter split across reads.
            count = min(size, len(self._buffer) - len(delimiter) + 1)
        elif found > 0:
            count = min(size, found)
        else:
            del self._buffer[: len(delimiter)]
            self._in_body = False
            self._after_delimiter()
            return b""
        with memoryview(self._buffer) as view:
            data = bytes(view[:count])  # one copy (a bytearray slice would be a second)
        del self._buffer[:count]  # O(1): a bytearray drops its head by moving its start
        return data

    def _after_delimiter(self) -> None:
        self._fill(2)
        if self._buffer[:2] == b"--":
            self._done = True
            return
        # Transport padding (spaces, tabs) may follow the boundary before its CRLF.
        while True:
            self._fill(2)
            if self._buffer[:1] and self._buffer[0] in _PADDING:
                del self._buffer[:1]
                continue
            break
        if self._buffer[:2] != _CRLF:
            raise MultipartDecodeError("malformed multipart boundary line")
        del self._buffer[:2]

    def _read_headers(self) -> dict[str, str]:
        self._fill(2)
        if self._buffer[:2] == _CRLF:  # a part without headers
            del self._buffer[:2]
            self._in_body = True
            return {}
        while True:
            end = self._buffer.find(_HEADER_END)
            if end != -1:
                break
            if len(self._buffer) > self.max_header_size:
                raise MultipartDecodeError(
                    f"multipart part headers exceed {self.max_header_size} bytes"
                )
            if self._eof:
                raise MultipartDecodeError("the multipart response ended inside part headers")
            self._fill(len(self._buffer) + self.chunk_size)
        if end > self.max_header_size:
            raise MultipartDecodeError(
                f"multipart part headers exceed {self.max_header_size} bytes"
            )
        block = bytes(self._buffer[:end]).decode("utf-8", errors="replace")
        del self._buffer[: end + len(_HEADER_END)]
        self._in_body = True
        headers: dict[str, str] = {}
        for line in block.split("\r\n"):
            key, sep, value = line.partition(":")
            if sep:
                headers[key.strip().lower()] = value.strip()
        return headers
