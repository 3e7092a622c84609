"""Reading an object: a lazy :class:`ObjectReader`, and the resumable content stream under it.

Nothing is sent until content or attributes are asked for. Content arrives in bounded chunks
(default 1 MiB); only :meth:`ObjectReader.read_all` holds the whole object.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

from aisclient.errors import (
    AISConnectionError,
    APIRequestError,
    IncompleteBodyError,
    ObjectFileReaderMaxResumeError,
    ObjectFileReaderUnexpectedEOF,
)
from aisclient.models.object import ObjectAttributes
from aisclient.ops import object as obj_ops
from aisclient.request import Request

if TYPE_CHECKING:
    from aisclient.client import Client
    from aisclient.obj_file import ObjectFileReader
    from aisclient.provider import BucketRef
    from aisclient.transport.base import Response

DEFAULT_CHUNK_SIZE = 1 << 20
DEFAULT_MAX_RESUME = 5
PARALLEL_CHUNK = 8 << 20
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


def attributes_of(response: Response) -> ObjectAttributes:
    return ObjectAttributes(header_source(response))


def header_source(response: Response) -> Any:
    """The response's headers, keeping repeated lines (``Ais-Custom-Md``) when possible.

    ``Response.headers`` keeps only the last of repeated headers, so prefer the urllib3
    header dict underneath (case-insensitive, with ``getlist``) when there is one.
    """
    raw = getattr(response, "_raw", None)
    headers = getattr(raw, "headers", None)
    return headers if headers is not None and hasattr(headers, "getlist") else response.headers


def _identity_length(response: Response) -> int | None:
    """The body length the server promised, if it is a plain (unencoded) length."""
    headers = response.headers
    if headers.get("transfer-encoding") or headers.get("content-encoding"):
        return None
    text = headers.get("content-length")
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


class ContentStream:
    """One logical read of an object's content that survives dropped connections.

    ``position`` counts bytes delivered. After a network failure (or a body that ends before
    its ``Content-Length``) the stream re-opens with a ``Range`` from the first missing byte,
    or, for content the server cannot address by offset (archive members, ETL output), from
    the start, skipping what was delivered. After ``max_resume`` resumes the next failure
    raises :class:`ObjectFileReaderMaxResumeError` (or the error itself when ``wrap_errors`` is
    false); a body that ended short of its length is its ``original_error`` as an
    :class:`ObjectFileReaderUnexpectedEOF`.
    """

    def __init__(
        self,
        client: Client,
        request: Request,
        *,
        offset_ok: bool = True,
        max_resume: int = DEFAULT_MAX_RESUME,
        wrap_errors: bool = True,
        size_of_object: Callable[[], int] | None = None,
        send: Callable[[Request], Response] | None = None,
    ) -> None:
        if max_resume < 0:
            raise ValueError(f"max_resume must be >= 0, got {max_resume}")
        self._send = send or client.send
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
        self._response: Response | None = None
        self._eof = False

    # -- public ------------------------------------------------------------------------------

    @property
    def response(self) -> Response | None:
        return self._response

    def read(self, size: int) -> bytes:
        """Up to ``size`` bytes (fewer only at the end); ``b""`` at the end."""
        while True:
            response = self._ready()
            if response is None:
                return b""
            try:
                data = response.read(size)
            except AISConnectionError as err:
                self._failed(err)
                continue
            if data or size == 0:
                self.position += len(data)
                return data
            if self._short():
                continue
            return b""

    def readinto(self, view: memoryview) -> int:
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
            response = self._send(request)
        except AISConnectionError as err:
            self._failed(err)
            return
        except APIRequestError as err:
            if err.status_code == 416 and self.position:
                self._eof = True  # positioned at or past the end
                return
            raise
        ranged = response.status == 206 and request.header("Range") is not None
        if ranged:
            span = _CONTENT_RANGE.match(response.headers.get("content-range") or "")
            if span is not None and (not self.position or self._abs_start is None):
                self._abs_start, self._abs_end = int(span.group(1)), int(span.group(2))
        elif self.position and not skip:
            skip = self.position  # the server sent everything: skip what we have
        body = _identity_length(response)
        if body is not None:
            self.length = body + (self.position - skip)
        self._response = response
        if skip:
            self._discard(skip)

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


class ObjectReader:
    """A lazy reader of one object: iterate it, read it whole, stream it raw, or open it as
    a file. No request is sent until one of those (or :meth:`head`) is called."""

    def __init__(
        self,
        client: Client,
        bucket: BucketRef,
        name: str,
        request: Request,
        *,
        chunk_size: int | None = None,
        offset_ok: bool = True,
        num_workers: int | None = None,
        send: Callable[[Request], Response] | None = None,
    ) -> None:
        if chunk_size is not None and (
            isinstance(chunk_size, bool) or not isinstance(chunk_size, int)
        ):
            raise TypeError(f"chunk_size must be an int or None, not {type(chunk_size).__name__}")
        if chunk_size is not None and chunk_size <= 0:
            raise ValueError(f"chunk_size must be positive, got {chunk_size}")
        self._client = client
        # Every request of this reader (GET, HEAD) goes through ``send``: the client's, or a
        # direct route to the object's target (``get_reader(direct=True)``).
        self._send = send or client.send
        self._bucket = bucket
        self._name = name
        self._request = request
        self._chunk_size = chunk_size or DEFAULT_CHUNK_SIZE
        self._chunk_size_given = chunk_size is not None
        self._offset_ok = offset_ok
        self._num_workers = num_workers
        self._attributes: ObjectAttributes | None = None

    @property
    def request(self) -> Request:
        """The GET this reader sends (handy for tests and logging)."""
        return self._request

    @property
    def chunk_size(self) -> int:
        return self._chunk_size

    def head(self) -> ObjectAttributes:
        """HEAD the object (``checksum,atime,version,custom``) and cache the attributes."""
        request = obj_ops.head_object(self._bucket, self._name, obj_ops.PROPS_ATTRIBUTES)
        self._attributes = attributes_of(self._send(request))
        return self._attributes

    @property
    def attributes(self) -> ObjectAttributes:
        """Cached attributes (from :meth:`raw` or :meth:`head`); a HEAD if none yet."""
        return self._attributes if self._attributes is not None else self.head()

    def read_all(self) -> bytes | ParallelBuffer:
        """The whole content in memory: one GET (retried as a whole on network errors), or with
        ``num_workers`` a :class:`ParallelBuffer` filled by ranged GETs in parallel."""
        if self._num_workers:
            return self._parallel_read_all(self._num_workers)
        response = self._send(self._request.replace(stream=False))
        return response.content

    def raw(self) -> Response:
        """Open the GET and return the streamed response (caller reads and closes it).

        The response offers ``read(n)``, ``readinto(buffer)`` and ``iter_bytes(n)``.
        """
        response = self._send(self._request)
        self._attributes = attributes_of(response)
        return response

    def __iter__(self) -> Iterator[bytes]:
        return self.iter_from(0)

    def iter_from(self, offset: int = 0) -> Iterator[bytes]:
        """Chunks of at most ``chunk_size`` bytes, starting ``offset`` bytes into the content."""
        if self._num_workers:
            yield from self._parallel_iter(self._num_workers, offset)
            return
        stream = self.content_stream(max_resume=0, wrap_errors=False)
        if offset:
            stream.seek(offset)
        size = self._chunk_size
        try:
            while chunk := stream.read(size):
                yield chunk
        finally:
            stream.close()

    def write_to(self, writer: BinaryIO) -> int:
        """Stream the whole content into ``writer`` through one reused buffer; return bytes."""
        stream = self.content_stream(max_resume=0, wrap_errors=False)
        buffer = memoryview(bytearray(self._chunk_size))
        total = 0
        try:
            while count := stream.readinto(buffer):
                writer.write(buffer[:count])
                total += count
        finally:
            stream.close()
        return total

    def content_stream(
        self, max_resume: int = DEFAULT_MAX_RESUME, *, wrap_errors: bool = True
    ) -> ContentStream:
        return ContentStream(
            self._client,
            self._request,
            offset_ok=self._offset_ok,
            max_resume=max_resume,
            wrap_errors=wrap_errors,
            size_of_object=self._object_size,
            send=self._send,
        )

    def as_file(
        self, buffer_size: int | None = None, max_resume: int | None = DEFAULT_MAX_RESUME
    ) -> ObjectFileReader:
        """A read-only file object that resumes dropped connections (``buffer_size`` unused)."""
        from aisclient.obj_file import ObjectFileReader

        resumes = DEFAULT_MAX_RESUME if max_resume is None else max_resume
        if resumes < 0:
            raise ValueError(f"max_resume must be >= 0, got {resumes}")
        return ObjectFileReader(
            lambda: self.content_stream(resumes), max_resume=resumes, seekable=self._offset_ok
        )

    def _object_size(self) -> int:
        request = obj_ops.head_object(self._bucket, self._name, "size")
        return attributes_of(self._send(request)).size

    # -- parallel ranged reads (num_workers) -------------------------------------------------

    def _parallel_plan(self, offset: int = 0) -> list[tuple[int, int]]:
        """Byte spans ``[start, end)`` to fetch, from one HEAD (size and chunk layout)."""
        request = obj_ops.head_object(self._bucket, self._name, "size,chunked")
        attributes = attributes_of(self._send(request))
        size = attributes.size
        if size == 0:
            raise ValueError(f"{self._name!r} is empty: nothing to read in parallel")
        step = self._chunk_size
        if not self._chunk_size_given:
            chunks = attributes.chunks
            step = chunks.max_chunk_size if chunks and chunks.max_chunk_size else PARALLEL_CHUNK
        return [(start, min(start + step, size)) for start in range(offset, size, step)]

    def _fetch_span(self, span: tuple[int, int]) -> bytes:
        start, end = span
        headers = tuple(h for h in self._request.headers if h[0].lower() != "range")
        request = self._request.replace(
            headers=(*headers, ("Range", f"bytes={start}-{end - 1}")), stream=False
        )
        data = self._send(request).content
        if len(data) != end - start:
            raise IncompleteBodyError(
                f"range {start}-{end - 1} of {self._name!r} gave {len(data)} bytes, "
                f"expected {end - start}",
                phase="read",
            )
        return data

    def _parallel_read_all(self, workers: int) -> ParallelBuffer:
        from concurrent.futures import ThreadPoolExecutor

        plan = self._parallel_plan()
        buffer = bytearray(plan[-1][1])

        def fill(span: tuple[int, int]) -> None:
            buffer[span[0] : span[1]] = self._fetch_span(span)

        with ThreadPoolExecutor(max_workers=min(workers, len(plan))) as pool:
            for _ in pool.map(fill, plan):
                pass
        # Wrapped, not copied: a copy into bytes would double the memory of a large object.
        return ParallelBuffer(buffer)

    def _parallel_iter(self, workers: int, offset: int) -> Iterator[bytes]:
        from collections import deque
        from concurrent.futures import Future, ThreadPoolExecutor

        plan = self._parallel_plan(offset)
        pending: deque[Future[bytes]] = deque()
        spans = iter(plan)
        with ThreadPoolExecutor(max_workers=min(workers, len(plan))) as pool:
            try:
                # Keep ``workers`` spans in flight; yield them in order (bounded memory).
                for span in spans:
                    pending.append(pool.submit(self._fetch_span, span))
                    if len(pending) >= workers:
                        break
                while pending:
                    data = pending.popleft().result()
                    following = next(spans, None)
                    if following is not None:
                        pending.append(pool.submit(self._fetch_span, following))
                    yield data
            finally:
                for future in pending:
                    future.cancel()


class ParallelBuffer:
    """The content of a parallel read, with the official SDK's ``ParallelBuffer`` surface.

    The SDK fills shared memory from forked workers; here threads fill one in-process buffer,
    so ``name`` is empty and ``close`` just releases it. ``buf`` is a zero-copy view;
    ``bytes(buffer)`` or ``tobytes()`` copies the content out.
    """

    def __init__(self, data: bytearray) -> None:
        self._data: bytearray | None = data

    def _require(self) -> bytearray:
        if self._data is None:
            raise ValueError("the ParallelBuffer is closed")
        return self._data

    @property
    def buf(self) -> memoryview:
        return memoryview(self._require())

    @property
    def name(self) -> str:
        return ""

    def __len__(self) -> int:
        return len(self._require())

    def tobytes(self) -> bytes:
        return bytes(self._require())

    __bytes__ = tobytes

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ParallelBuffer):
            return self._require() == other._require()
        if isinstance(other, bytes | bytearray | memoryview):
            return self._require() == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def close(self) -> None:
        self._data = None

    def __enter__(self) -> ParallelBuffer:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
