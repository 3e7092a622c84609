"""File objects over an object: a resumable, seekable reader and an append-based writer."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from aisclient.content_stream import DEFAULT_CHUNK_SIZE, ContentStream

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer

    from aisclient.transport.base import Response


class Appender(Protocol):
    """What a file writer writes through (an :class:`~aisclient.obj_writer.ObjectWriter`)."""

    def put_content(self, content: bytes) -> Response: ...

    def append_content(self, content: bytes, handle: str = "", flush: bool = False) -> str: ...


class ObjectFileReader(io.BufferedIOBase):
    """A read-only binary file over an object's content.

    The GET is sent on the first read. A dropped connection is resumed from the first
    missing byte, up to ``max_resume`` times, then
    :class:`~aisclient.errors.ObjectFileReaderMaxResumeError` is raised. Any error inside a
    read closes the file and propagates; when the last failure was a body that ended before
    its ``Content-Length``, the ``original_error`` is an
    :class:`~aisclient.errors.ObjectFileReaderUnexpectedEOF` (as in the SDK). ``seek`` works
    by re-opening with a ``Range`` (except for archive members and ETL output, whose bytes
    the server cannot address).
    Entering ``with`` starts again from byte 0, as in the official SDK.
    """

    def __init__(
        self,
        open_stream: Callable[[], ContentStream],
        max_resume: int = 5,
        *,
        seekable: bool = True,
    ) -> None:
        super().__init__()
        self._open_stream = open_stream
        self._max_resume = max_resume
        self._seekable = seekable
        self._stream: ContentStream | None = None
        self._peeked = b""

    @property
    def max_resume(self) -> int:
        return self._max_resume

    @property
    def resumes(self) -> int:
        """How many times the current stream was re-opened after a failure."""
        return self._stream.resumes if self._stream is not None else 0

    def __enter__(self) -> ObjectFileReader:
        self._check_open()
        self._restart()
        return self

    def _restart(self) -> None:
        if self._stream is not None:
            self._stream.close()
        self._stream = None
        self._peeked = b""

    def _get_stream(self) -> ContentStream:
        if self._stream is None:
            self._stream = self._open_stream()
        return self._stream

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed file.")

    def readable(self) -> bool:
        return not self.closed

    def seekable(self) -> bool:
        return self._seekable and not self.closed

    def writable(self) -> bool:
        return False

    # -- reading -----------------------------------------------------------------------------

    def read(self, size: int | None = -1) -> bytes:
        self._check_open()
        try:
            return self._read(size)
        except BaseException:
            self.close()  # a failed read closes the file
            raise

    def _read(self, size: int | None) -> bytes:
        stream = self._get_stream()
        if size is None or size < 0:
            parts = [self._peeked] if self._peeked else []
            self._peeked = b""
            while chunk := stream.read(DEFAULT_CHUNK_SIZE):
                parts.append(chunk)
            return b"".join(parts)
        if size == 0:
            return b""
        head = b""
        if self._peeked:
            head, self._peeked = self._peeked[:size], self._peeked[size:]
            if len(head) == size:
                return head
        need = size - len(head)
        data = stream.read(need)
        if len(data) < need and data:
            parts = [head, data]
            need -= len(data)
            while need and (more := stream.read(need)):
                parts.append(more)
                need -= len(more)
            return b"".join(parts)
        return head + data if head else data

    def read1(self, size: int = -1) -> bytes:
        self._check_open()
        if self._peeked:
            count = len(self._peeked) if size < 0 else size
            head, self._peeked = self._peeked[:count], self._peeked[count:]
            return head
        try:
            return self._get_stream().read(DEFAULT_CHUNK_SIZE if size < 0 else size)
        except BaseException:
            self.close()  # a failed read closes the file
            raise

    def readinto(self, buffer: WriteableBuffer) -> int:
        """Fill ``buffer`` (fewer bytes only at the end); the data goes straight into it."""
        self._check_open()
        view = memoryview(buffer).cast("B")
        try:
            filled = 0
            if self._peeked:
                filled = min(len(self._peeked), len(view))
                view[:filled] = self._peeked[:filled]
                self._peeked = self._peeked[filled:]
            stream = self._get_stream()
            while filled < len(view):
                count = stream.readinto(view[filled:])
                if not count:
                    break
                filled += count
            return filled
        except BaseException:
            self.close()  # a failed read closes the file
            raise

    def readinto1(self, buffer: WriteableBuffer) -> int:
        return self.readinto(buffer)

    def peek(self, size: int = 0) -> bytes:
        """Bytes ahead without consuming them (at least one unless at the end)."""
        self._check_open()
        if not self._peeked:
            try:
                self._peeked = self._get_stream().read(max(size, 8192))
            except BaseException:
                self.close()  # a failed read closes the file
                raise
        return self._peeked

    # -- position ----------------------------------------------------------------------------

    def tell(self) -> int:
        self._check_open()
        position = self._stream.position if self._stream is not None else 0
        return position - len(self._peeked)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._check_open()
        if not self._seekable:
            raise io.UnsupportedOperation("this object content cannot be addressed by offset")
        stream = self._get_stream()
        if whence == io.SEEK_SET:
            target = offset
        elif whence == io.SEEK_CUR:
            target = self.tell() + offset
        elif whence == io.SEEK_END:
            target = stream.total_length() + offset
        else:
            raise ValueError(f"invalid whence {whence}")
        if target < 0:
            raise ValueError(f"negative seek position {target}")
        if target != self.tell():
            self._peeked = b""
            stream.seek(target)
        return target

    def close(self) -> None:
        if not self.closed and self._stream is not None:
            self._stream.close()
        self._peeked = b""
        super().close()


class ObjectFileWriter(io.BufferedIOBase):
    """A write-only binary file that builds an object through the append API.

    Each ``write`` sends one append; the data becomes visible at ``flush()`` or ``close()``.
    Mode ``"w"`` truncates the object first (an empty PUT); ``"a"`` appends to what is there.
    """

    def __init__(self, obj_writer: Appender, mode: str = "a") -> None:
        super().__init__()
        if mode not in ("w", "a"):
            raise ValueError(f"mode must be 'w' or 'a', got {mode!r}")
        self._writer = obj_writer
        self._mode = mode
        self._handle = ""
        self._dirty_since_truncate = False
        if mode == "w":
            self._writer.put_content(b"")

    @property
    def mode(self) -> str:
        return self._mode

    def __enter__(self) -> ObjectFileWriter:
        self._check_open()
        # The SDK truncates again here; only needed if something was written meanwhile.
        if self._mode == "w" and self._dirty_since_truncate:
            self._handle = ""
            self._writer.put_content(b"")
            self._dirty_since_truncate = False
        return self

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed file.")

    def writable(self) -> bool:
        return not self.closed

    def readable(self) -> bool:
        return False

    def seekable(self) -> bool:
        return False

    def write(self, buffer: ReadableBuffer) -> int:
        self._check_open()
        data = bytes(buffer)
        if data:
            self._handle = self._writer.append_content(data, handle=self._handle)
            self._dirty_since_truncate = True
        return len(data)

    def flush(self) -> None:
        self._check_open()
        if self._handle:
            handle, self._handle = self._handle, ""
            self._writer.append_content(b"", handle=handle, flush=True)

    def close(self) -> None:
        if self.closed:
            return
        try:
            self.flush()
        finally:
            super().close()
