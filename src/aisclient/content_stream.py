"""One resumable read of an object's content (:class:`ContentStream`), the byte-range
syntax it speaks, and the check that every part of one read comes from one object version.

A read that is resumed (after a dropped connection) or split into ranges (parallel reads)
asks the server several times. Each answer carries the object's identity (``Ais-Version``,
``ETag``, the checksum); an answer whose identity differs from the first one means the object
was overwritten in between, and the read fails with :class:`ObjectChangedError` rather than
return the halves of two versions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from attrs import frozen

from aisclient.errors import (
    AISConnectionError,
    AISError,
    APIRequestError,
    IncompleteBodyError,
    ObjectFileReaderMaxResumeError,
    ObjectFileReaderUnexpectedEOF,
)

if TYPE_CHECKING:
    from aisclient.request import Request
    from aisclient.transport.base import Response
    from aisclient.transport.retrying import RetryBudget

DEFAULT_CHUNK_SIZE = 1 << 20
DEFAULT_MAX_RESUME = 5
# The most one socket read takes once a connection has dropped: what another drop can cost.
PIECE = 256 * 1024
_RANGE = re.compile(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*")
_CONTENT_RANGE = re.compile(r"\s*bytes\s+(\d+)-(\d+)/(\d+|\*)")


def parse_byte_range(text: str) -> tuple[int | None, int | None]:
    """``bytes=A-B`` → (A, B); ``bytes=A-`` → (A, None); ``bytes=-N`` → (None, N).

    Raises ``ValueError`` for anything else, including several ranges (AIS rejects them),
    and ``TypeError`` for a value that is not a str.
    """
    if not isinstance(text, str):
        raise TypeError(f"byte_range must be a str like 'bytes=0-499', not {type(text).__name__}")
    match = _RANGE.fullmatch(text)
    if match is None or (not match.group(1) and not match.group(2)):
        raise ValueError(
            f"byte_range {text!r} is not one RFC 7233 range like 'bytes=0-499', "
            "'bytes=500-' or 'bytes=-500'"
        )
    start = int(match.group(1)) if match.group(1) else None
    end = int(match.group(2)) if match.group(2) else None
    if start is not None and end is not None and end < start:
        raise ValueError(f"byte_range {text!r} ends before it starts")
    return start, end


def identity_length(response: Response) -> int | None:
    """The body length the server promised, if it is a plain (unencoded) length."""
    headers = response.headers
    if headers.get("transfer-encoding") or headers.get("content-encoding"):
        return None
    text = headers.get("content-length")
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


class ObjectChangedError(AISError):
    """The object changed while it was being read: a later part of one read (a resumed or a
    parallel range) came from another version than the first. Nothing of the mixed content is
    returned; read again to get the new version whole."""


@frozen
class ContentIdentity:
    """What names one stored version of an object, from a response's headers."""

    version: str
    etag: str
    checksum: str

    @staticmethod
    def of(headers: Mapping[str, str]) -> ContentIdentity:
        checksum = ""
        if headers.get("ais-checksum-value"):
            checksum = f"{headers.get('ais-checksum-type', '')}:{headers['ais-checksum-value']}"
        return ContentIdentity(headers.get("ais-version", ""), headers.get("etag", ""), checksum)

    def differs_from(self, other: ContentIdentity) -> bool:
        """True when the two answers are known to come from different versions.

        The version decides when both have one (with ``checksum.enable_read_range`` a range's
        checksum describes the range, not the object, so checksums of two ranges may differ
        for one version). Without versions, the checksums and ETags present in both decide.
        """
        if self.etag and other.etag and self.etag != other.etag:
            return True
        if self.version and other.version:
            return self.version != other.version
        return bool(self.checksum and other.checksum and self.checksum != other.checksum)

    def check(self, later: ContentIdentity, what: str) -> None:
        if self.differs_from(later):
            raise ObjectChangedError(
                f"{what} changed while it was being read (first {self.describe()}, "
                f"then {later.describe()}); read it again"
            )

    def describe(self) -> str:
        parts = [f"version {self.version}" if self.version else ""]
        parts.append(f"ETag {self.etag}" if self.etag else "")
        parts.append(f"checksum {self.checksum}" if self.checksum else "")
        return ", ".join(part for part in parts if part) or "no identity"


class ContentStream:
    """One logical read of an object's content that survives dropped connections.

    ``position`` counts bytes delivered. After a network failure (or a body that ends before
    its ``Content-Length``) the stream re-opens with a ``Range`` from the first missing byte,
    or, for content the server cannot address by offset (archive members, ETL output), from
    the start, skipping what was delivered. After a first failure, bytes are taken from the
    connection in pieces of at most :data:`PIECE` (a failed socket read loses what it had
    received), so a connection that keeps dropping still moves the read forward.
    After ``max_resume`` resumes the next failure raises
    :class:`ObjectFileReaderMaxResumeError` (or the error itself when ``wrap_errors`` is
    false); a body that ended short of its length is its ``original_error`` as an
    :class:`ObjectFileReaderUnexpectedEOF`.

    ``send(request, budget=...)`` sends each (re-)open; every open of one stream shares one
    retry ``budget``, so resumes do not multiply the retry policy. Every re-opened answer must
    come from the version the first answer came from (see :class:`ContentIdentity`), else
    :class:`ObjectChangedError`.
    """

    def __init__(
        self,
        send: Callable[..., Response],
        request: Request,
        *,
        offset_ok: bool = True,
        max_resume: int = DEFAULT_MAX_RESUME,
        wrap_errors: bool = True,
        size_of_object: Callable[[], int] | None = None,
        budget: RetryBudget | None = None,
        what: str = "the object",
    ) -> None:
        if max_resume < 0:
            raise ValueError(f"max_resume must be >= 0, got {max_resume}")
        self._send = send
        self._budget = budget
        self._what = what
        self._request = request
        self._offset_ok = offset_ok
        self._max_resume = max_resume
        self._wrap = wrap_errors
        self._size_of_object = size_of_object
        user_range = request.header("Range")
        self._user_range = parse_byte_range(user_range) if user_range else None
        # Absolute byte span [start, end] of the content, learned from Content-Range.
        self._abs_start: int | None = None
        self._abs_end: int | None = None
        if self._user_range is None:
            self._abs_start = 0
        elif self._user_range[0] is not None:
            self._abs_start, self._abs_end = self._user_range
        self.length: int | None = None
        self.position = 0
        self.resumes = 0
        self._identity: ContentIdentity | None = None
        self._piece: int | None = None  # no cap until a connection has dropped
        self._response: Response | None = None
        self._eof = False

    # -- public ------------------------------------------------------------------------------

    @property
    def response(self) -> Response | None:
        return self._response

    @property
    def identity(self) -> ContentIdentity | None:
        """The identity of the version being read (known once the first answer came)."""
        return self._identity

    def read(self, size: int) -> bytes:
        """Up to ``size`` bytes (fewer only at the end); ``b""`` at the end."""
        while True:
            piece = self._piece
            if piece is not None and size > piece:
                return self._read_pieces(size)
            data = self._read_once(size)
            if data is not None:
                return data

    def _read_pieces(self, size: int) -> bytes:
        buffer = bytearray(size)
        view = memoryview(buffer)
        filled = 0
        while filled < size:
            count = self.readinto(view[filled:])
            if not count:
                break
            filled += count
        del view
        del buffer[filled:]
        return bytes(buffer)

    def readinto(self, view: memoryview) -> int:
        """Fill some of ``view`` (all of it but at the end, unless a drop was met); 0 at the end."""
        if self._piece is not None:
            view = view[: self._piece]
        while True:
            response = self._ready()
            if response is None:
                return 0
            try:
                count = response.readinto(view)
            except AISConnectionError as err:
                self._failed(err)
                continue
            if count or not len(view):
                self.position += count
                return count
            if self._short():
                continue
            return 0

    def seek(self, position: int) -> None:
        """Continue from ``position`` (a logical offset); the next read re-opens there."""
        if position < 0:
            raise ValueError(f"negative seek position {position}")
        if position == self.position and not self._eof:
            return
        self._drop()
        self.position = position
        self._eof = False

    def total_length(self) -> int:
        """The content's length, asking the server for the object size if still unknown."""
        if self.length is not None:
            return self.length
        if self._size_of_object is None:
            raise OSError("the length of this content is unknown")
        size = self._size_of_object()
        if self._user_range is None:
            return size
        start, end = self._user_range
        if start is None:  # suffix: the last N bytes
            return min(end or 0, size)
        last = size - 1 if end is None else min(end, size - 1)
        return max(0, last - start + 1)

    def close(self) -> None:
        self._drop()
        self._eof = True

    # -- internals ---------------------------------------------------------------------------

    def _read_once(self, size: int) -> bytes | None:
        """One read from the current answer; ``None`` when it failed and the stream resumed."""
        response = self._ready()
        if response is None:
            return b""
        try:
            data = response.read(size)
        except AISConnectionError as err:
            self._failed(err)
            return None
        if data or size == 0:
            self.position += len(data)
            return data
        return None if self._short() else b""

    def _ready(self) -> Response | None:
        while self._response is None:
            if self._eof:
                return None
            if self.length is not None and self.position >= self.length:
                self._eof = True
                return None
            self._open()
        return self._response

    def _open(self) -> None:
        skip = 0
        request = self._request
        if self.position:
            if self._offset_ok and self._abs_start is not None:
                end = "" if self._abs_end is None else str(self._abs_end)
                headers = tuple(h for h in request.headers if h[0].lower() != "range")
                request = request.replace(
                    headers=(*headers, ("Range", f"bytes={self._abs_start + self.position}-{end}"))
                )
            else:
                skip = self.position
        try:
            response = self._send(request, budget=self._budget)
        except AISConnectionError as err:
            self._failed(err)
            return
        except APIRequestError as err:
            if err.status_code == 416 and self.position:
                self._eof = True  # positioned at or past the end
                return
            raise
        self._check_identity(response)
        ranged = response.status == 206 and request.header("Range") is not None
        if ranged:
            span = _CONTENT_RANGE.match(response.headers.get("content-range") or "")
            if span is not None and (not self.position or self._abs_start is None):
                self._abs_start, self._abs_end = int(span.group(1)), int(span.group(2))
        elif self.position and not skip:
            skip = self.position  # the server sent everything: skip what we have
        body = identity_length(response)
        if body is not None:
            self.length = body + (self.position - skip)
        self._response = response
        if skip:
            self._discard(skip)

    def _check_identity(self, response: Response) -> None:
        identity = ContentIdentity.of(response.headers)
        first = self._identity
        if first is None:
            self._identity = identity
            return
        try:
            first.check(identity, self._what)
        except ObjectChangedError:
            response.close()
            self._eof = True
            raise

    def _discard(self, count: int) -> None:
        response = self._response
        assert response is not None
        left = count
        try:
            while left:
                data = response.read(min(left, DEFAULT_CHUNK_SIZE))
                if not data:
                    raise IncompleteBodyError(
                        f"content ended after {count - left} of {count} bytes while resuming"
                    )
                left -= len(data)
        except AISConnectionError as err:
            self._failed(err)

    def _short(self) -> bool:
        """At end of body: True (and resumed) if bytes are missing, else mark the end."""
        if self.length is not None and self.position < self.length:
            self._failed(ObjectFileReaderUnexpectedEOF(self.position, self.length))
            return True
        self._drop()
        self._eof = True
        return False

    def _failed(self, err: AISConnectionError) -> None:
        self._drop()
        self._piece = PIECE
        self.resumes += 1
        if self.resumes > self._max_resume:
            self._eof = True
            if self._wrap:
                raise ObjectFileReaderMaxResumeError(self._as_eof(err), self._max_resume) from err
            raise err

    def _as_eof(self, err: AISConnectionError) -> AISConnectionError:
        """A body that broke off short of its known length, in the SDK's form (as the
        ``original_error`` of a give-up); the transport's error stays its ``__cause__``."""
        if isinstance(err, ObjectFileReaderUnexpectedEOF) or not isinstance(
            err, IncompleteBodyError
        ):
            return err
        if self.length is None or self.position >= self.length:
            return err
        eof = ObjectFileReaderUnexpectedEOF(self.position, self.length)
        eof.__cause__ = err
        return eof

    def _drop(self) -> None:
        response, self._response = self._response, None
        if response is not None:
            response.close()
