"""``AISFile``: a seekable reader, and a streamed, all-or-nothing writer.

Reading fetches byte ranges through a cache that the filesystem picks: a small object whole at
the first read, a large one in ranges with readahead (never whole). Writing keeps at most
one block in memory: a file that fits in one block is sent as one PUT when closed; a larger one
becomes a multipart upload, completed on close. Either way nothing is visible before ``close``,
and a ``with`` block left by an exception aborts the upload and writes nothing.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from fsspec.spec import AbstractBufferedFile, AbstractFileSystem

from aisclient.fsspec.errors import os_errors

if TYPE_CHECKING:
    from types import TracebackType

    from aisclient.multipart import MultipartUpload
    from aisclient.obj import Object


class AISFile(AbstractBufferedFile):  # type: ignore[misc]
    """One object opened through :class:`AISFileSystem` (``"rb"``, ``"wb"`` or ``"xb"``)."""

    DEFAULT_BLOCK_SIZE = 8 << 20

    def __init__(
        self, fs: AbstractFileSystem, path: str, obj: Object, mode: str, **kwargs: Any
    ) -> None:
        self.obj = obj
        self._upload: MultipartUpload | None = None
        super().__init__(fs, path, mode, **kwargs)

    # -- reading ---------------------------------------------------------------------------

    def _fetch_range(self, start: int, end: int) -> bytes:
        if start >= end:
            return b""
        with os_errors(self.path):
            data = self.obj.get_reader(byte_range=f"bytes={start}-{end - 1}").read_all()
        return bytes(data)

    # -- writing ---------------------------------------------------------------------------

    def write(self, data: Any) -> int:
        if not self.writable():
            raise io.UnsupportedOperation(f"{self.path!r} is open for reading ({self.mode!r})")
        return int(super().write(data))

    def read(self, length: int = -1) -> bytes:
        if self.mode != "rb":
            raise io.UnsupportedOperation(f"{self.path!r} is open for writing ({self.mode!r})")
        return bytes(super().read(length))

    def _initiate_upload(self) -> None:
        """Nothing yet: the first full block starts a multipart upload, a small file is one PUT."""

    def _upload_chunk(self, final: bool = False) -> bool:
        data = self.buffer.getvalue()
        with os_errors(self.path):
            if final and self._upload is None and self.autocommit:
                self.obj.get_writer().put_content(data)
                return True
            if self._upload is None:
                self._upload = self.obj.multipart_upload().create()
            if data or not self._upload.parts:
                self._upload.upload_part(len(self._upload.parts) + 1, data)
            if final and self.autocommit:
                self.commit()
        return True

    def commit(self) -> None:
        """Make the upload visible (called on close, or by a transaction)."""
        if self._upload is not None:
            with os_errors(self.path):
                self._upload.complete()
            self._upload = None

    def discard(self) -> None:
        """Drop everything written: abort the multipart upload, if one was started."""
        upload, self._upload = self._upload, None
        if upload is not None:
            with os_errors(self.path):
                upload.abort()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is not None and self.writable():
            # Leaving on an exception: the object must not appear, complete or half-written.
            self.buffer = io.BytesIO()
            self.forced = True
            self.closed = True
            self.discard()
            return
        self.close()


class AISTextFile(io.TextIOWrapper):
    """Text over an :class:`AISFile`: leaving a ``with`` block on an exception writes nothing
    here too (the text not yet handed down is dropped with the upload)."""

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        binary = self.buffer
        if exc_type is not None and isinstance(binary, AISFile) and binary.writable():
            binary.__exit__(exc_type, exc, traceback)  # closed now: nothing is flushed later
            return
        super().__exit__(exc_type, exc, traceback)
