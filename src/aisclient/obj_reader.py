"""Reading an object: a lazy :class:`ObjectReader` over the resumable
:class:`~aisclient.content_stream.ContentStream`, and parallel ranged reads.

Nothing is sent until content or attributes are asked for. Content arrives in bounded chunks
(default 1 MiB); only :meth:`ObjectReader.read_all` holds the whole object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, BinaryIO

from aisclient.content_stream import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_MAX_RESUME,
    ContentIdentity,
    ContentStream,
)
from aisclient.errors import IncompleteBodyError, UnexpectedResponseError
from aisclient.models.object import ObjectAttributes
from aisclient.obj_file import ObjectFileReader
from aisclient.ops import object as obj_ops
from aisclient.validators import is_int

if TYPE_CHECKING:
    from aisclient.provider import BucketRef
    from aisclient.request import Request
    from aisclient.session import Session
    from aisclient.transport.base import Response

PARALLEL_CHUNK = 8 << 20


def attributes_of(response: Response) -> ObjectAttributes:
    return ObjectAttributes(response.headers)


class ObjectReader:
    """A lazy reader of one object: iterate it, read it whole, stream it raw, or open it as
    a file. No request is sent until one of those (or :meth:`head`) is called."""

    def __init__(
        self,
        client: Session,
        bucket: BucketRef,
        name: str,
        request: Request,
        *,
        chunk_size: int | None = None,
        offset_ok: bool = True,
        num_workers: int | None = None,
        send: Callable[..., Response] | None = None,
    ) -> None:
        if chunk_size is not None and (not is_int(chunk_size)):
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
            self._send,
            self._request,
            offset_ok=self._offset_ok,
            max_resume=max_resume,
            wrap_errors=wrap_errors,
            size_of_object=self._object_size,
            budget=self._client.new_budget(),
            what=f"{self._bucket}/{self._name}",
        )

    def as_file(
        self, buffer_size: int | None = None, max_resume: int | None = DEFAULT_MAX_RESUME
    ) -> ObjectFileReader:
        """A read-only file object that resumes dropped connections (``buffer_size`` unused)."""
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

    def _parallel_plan(self, offset: int = 0) -> tuple[list[tuple[int, int]], ContentIdentity]:
        """Byte spans ``[start, end)`` to fetch and the version they must all come from, from
        one HEAD (size, chunk layout, version and checksum)."""
        request = obj_ops.head_object(self._bucket, self._name, "size,chunked,version,checksum")
        response = self._send(request)
        attributes = attributes_of(response)
        size = _header_count(response, "content-length", f"HEAD {self._bucket}/{self._name}")
        if size == 0:
            raise ValueError(f"{self._name!r} is empty: nothing to read in parallel")
        step = self._chunk_size
        if not self._chunk_size_given:
            chunks = attributes.chunks
            largest = chunks.max_chunk_size if chunks else 0
            step = largest if largest > 0 else PARALLEL_CHUNK
        spans = [(start, min(start + step, size)) for start in range(offset, size, step)]
        return spans, ContentIdentity.of(response.headers)

    def _fetch_span(self, span: tuple[int, int], identity: ContentIdentity) -> bytes:
        start, end = span
        headers = tuple(h for h in self._request.headers if h[0].lower() != "range")
        request = self._request.replace(
            headers=(*headers, ("Range", f"bytes={start}-{end - 1}")), stream=False
        )
        response = self._send(request)
        identity.check(ContentIdentity.of(response.headers), f"{self._bucket}/{self._name}")
        data = response.content
        if len(data) != end - start:
            raise IncompleteBodyError(
                f"range {start}-{end - 1} of {self._name!r} gave {len(data)} bytes, "
                f"expected {end - start}",
                phase="read",
            )
        return data

    def _parallel_read_all(self, workers: int) -> ParallelBuffer:
        from concurrent.futures import ThreadPoolExecutor

        plan, identity = self._parallel_plan()
        buffer = bytearray(plan[-1][1])

        def fill(span: tuple[int, int]) -> None:
            buffer[span[0] : span[1]] = self._fetch_span(span, identity)

        with ThreadPoolExecutor(max_workers=min(workers, len(plan))) as pool:
            for _ in pool.map(fill, plan):
                pass
        # Wrapped, not copied: a copy into bytes would double the memory of a large object.
        return ParallelBuffer(buffer)

    def _parallel_iter(self, workers: int, offset: int) -> Iterator[bytes]:
        from collections import deque
        from concurrent.futures import Future, ThreadPoolExecutor

        plan, identity = self._parallel_plan(offset)
        if not plan:
            return  # offset at or past the end
        pending: deque[Future[bytes]] = deque()
        spans = iter(plan)
        with ThreadPoolExecutor(max_workers=min(workers, len(plan))) as pool:
            try:
                # Keep ``workers`` spans in flight; yield them in order (bounded memory).
                for span in spans:
                    pending.append(pool.submit(self._fetch_span, span, identity))
                    if len(pending) >= workers:
                        break
                while pending:
                    data = pending.popleft().result()
                    following = next(spans, None)
                    if following is not None:
                        pending.append(pool.submit(self._fetch_span, following, identity))
                    yield data
            finally:
                for future in pending:
                    future.cancel()


def _header_count(response: Response, name: str, what: str) -> int:
    """A non-negative decimal header value, else ``UnexpectedResponseError`` naming it."""
    text = response.headers.get(name) or ""
    if not text.isascii() or not text.isdigit():
        raise UnexpectedResponseError(
            f"{what}: {name} {text!r} is not a byte count", req_url=response.url
        )
    return int(text)


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
