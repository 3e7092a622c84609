"""A faster reading of an HTTP response head for our urllib3 connections.

``http.client`` parses every response's header lines with the ``email`` package (a feed
parser built for MIME messages): for a small object that is about a sixth of a client's CPU
per request. :class:`FastHeadResponse` reads well-formed lines (``token: value``) directly
into the same :class:`http.client.HTTPMessage` that ``email`` would produce, and hands any
other head (obsolete line folding, a line without a colon, ...) to ``http.client``'s own
parser, so the result is the same message either way. The rest of the response (body,
chunked decoding, keep-alive) is ``http.client``'s.
"""

from __future__ import annotations

import email.parser
import http.client
import re
import sys
from typing import Any

# The limits http.client enforces on a head.
MAX_LINE = 65536
MAX_HEADERS = 100
# A field name as the email parser accepts it: printable ASCII except ':' and space.
_FIELD_NAME = re.compile(r"[!-9;-~]+").fullmatch
_END = (b"\r\n", b"\n", b"")


def read_header_lines(fp: Any) -> list[bytes]:
    """The raw header lines up to and including the blank line (as ``http.client`` reads)."""
    lines = []
    while True:
        line = fp.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise http.client.LineTooLong("header line")
        lines.append(line)
        if len(lines) > MAX_HEADERS:
            raise http.client.HTTPException(f"got more than {MAX_HEADERS} headers")
        if line in _END:
            return lines


def parse_header_lines(lines: list[bytes]) -> http.client.HTTPMessage:
    """The message ``http.client.parse_headers`` would make of ``lines``."""
    message = http.client.HTTPMessage()
    for line in lines:
        if line in _END:
            break
        name, colon, value = line.decode("iso-8859-1").partition(":")
        if not colon or not _FIELD_NAME(name):
            return _email_parse(lines)  # anything unusual: the reference parser decides
        # What the email parser stores for a one-line field (policy compat32).
        message[name] = value.lstrip(" \t").rstrip("\r\n")
    message.set_payload("")  # as after the email parser: an empty body, nothing unparsed
    return message


def _email_parse(lines: list[bytes]) -> http.client.HTTPMessage:
    text = b"".join(lines).decode("iso-8859-1")
    parsed: http.client.HTTPMessage = email.parser.Parser(_class=http.client.HTTPMessage).parsestr(
        text
    )
    return parsed


class FastHeadResponse(http.client.HTTPResponse):
    """``http.client.HTTPResponse`` whose ``begin`` parses the head with
    :func:`parse_header_lines`; the framing decisions after it are the standard ones."""

    def begin(self) -> None:
        if self.headers is not None:
            return  # already begun
        while True:  # interim 100 Continue answers carry nothing for us
            version, status, reason = self._read_status()
            if status != http.client.CONTINUE:
                break
            read_header_lines(self.fp)
        self.code = self.status = status
        self.reason = reason.strip()
        if version in ("HTTP/1.0", "HTTP/0.9"):
            self.version = 10
        elif version.startswith("HTTP/1."):
            self.version = 11
        else:
            raise http.client.UnknownProtocol(version)
        self.headers = self.msg = parse_header_lines(read_header_lines(self.fp))
        self._frame(status)

    def _frame(self, status: int) -> None:
        """Chunked or not, the body length, and whether the connection closes after it."""
        encoding = self.headers.get("transfer-encoding")
        self.chunked = encoding is not None and encoding.lower() == "chunked"
        if self.chunked:
            self.chunk_left = None
        self.will_close = self._check_close()  # type: ignore[attr-defined]
        self.length = None
        declared = self.headers.get("content-length")
        if declared and not self.chunked:
            try:
                length = int(declared)
            except ValueError:
                length = -1
            if length > sys.maxsize:  # no body is that long; http.client would overflow on it
                raise http.client.HTTPException(f"Content-Length {declared!r} is out of range")
            self.length = length if length >= 0 else None
        method = self._method  # type: ignore[attr-defined]
        if status in (204, 304) or 100 <= status < 200 or method == "HEAD":
            self.length = 0
        if not self.will_close and not self.chunked and self.length is None:
            self.will_close = True  # no way to tell where the body ends but the close


def usable() -> bool:
    """Whether this Python's ``http.client`` has the pieces :class:`FastHeadResponse` uses."""
    base = http.client.HTTPResponse
    return all(hasattr(base, name) for name in ("_read_status", "_check_close", "begin"))
