"""Incremental decoding of the Get-Batch archive, straight from the response.

TAR and TGZ are read forward-only by :mod:`aisclient.batch.tar_reader`, one member at a time
(a header parse, then one exact-size read of the content), so memory holds one member plus a
bounded read-ahead. ZIP keeps its index at the end, so its bytes are first copied to a spooled
temporary file (in memory up to a limit, then on disk) and read from there: memory stays
bounded for any archive size.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator

from aisclient.batch.errors import BatchArchiveError
from aisclient.batch.tar_reader import TarFormatError, inflating, iter_tar_members
from aisclient.models.batch import EXT_TAR, EXT_TAR_GZ, EXT_TGZ, EXT_ZIP

#: Compressed bytes read at a time from a ``.tgz`` stream (``tar_buffer_size`` overrides it).
DEFAULT_TAR_BUFFER = 256 * 1024
#: ZIP bytes kept in memory before the spool moves to a temporary file.
DEFAULT_ZIP_SPOOL = 16 * 1024 * 1024
_COPY_CHUNK = 1024 * 1024

_TAR_KINDS = {EXT_TAR: "tar", EXT_TGZ: "tgz", EXT_TAR_GZ: "tgz"}

Member = tuple[str, bytes]


class StreamFile:
    """A forward-only, read-only binary file over a ``read(n)`` function (e.g. a response).

    Counts the bytes it delivered, so a decoder can tell an empty body from a broken one.
    """

    def __init__(self, read: Callable[[int], bytes]) -> None:
        self._read = read
        self.consumed = 0
        self.eof = False

    def read(self, size: int | None = -1) -> bytes:
        if self.eof:
            return b""
        if size is None or size < 0:
            parts = []
            while chunk := self._read(_COPY_CHUNK):
                parts.append(chunk)
            data = b"".join(parts)
            self.eof = True
        else:
            data = self._read(size) if size else b""
            if size and not data:
                self.eof = True
        self.consumed += len(data)
        return data

    def readable(self) -> bool:
        return True

    def drain(self, limit: int = 1 << 20) -> None:
        """Read (and drop) what is left, up to ``limit`` bytes, so the connection can be reused."""
        left = limit
        while left > 0 and not self.eof:
            left -= len(self.read(min(_COPY_CHUNK, left)))


def iter_members(
    source: StreamFile,
    output_format: str,
    *,
    tar_buffer_size: int | None = None,
    zip_spool: int = DEFAULT_ZIP_SPOOL,
) -> Iterator[Member]:
    """Yield ``(name, content)`` for each regular file of the archive, in archive order."""
    if output_format == EXT_ZIP:
        return iter_zip(source, spool=zip_spool)
    kind = _TAR_KINDS.get(output_format)
    if kind is None:
        raise ValueError(f"no decoder for output format {output_format!r}")
    return iter_tar(source, kind, bufsize=tar_buffer_size or DEFAULT_TAR_BUFFER)


def iter_tar(
    source: StreamFile, kind: str, *, bufsize: int = DEFAULT_TAR_BUFFER
) -> Iterator[Member]:
    """Forward-only tar (``kind`` ``tar`` or ``tgz``); directories and links are skipped."""
    read = inflating(source.read, read_size=bufsize) if kind == "tgz" else source.read
    members = iter_tar_members(read)
    while True:
        try:
            member = next(members, None)
        except TarFormatError as err:
            if source.consumed == 0 and source.eof:
                return  # an empty body: no members (the caller decides whether that is complete)
            raise BatchArchiveError(f"Failed to read {kind} archive stream: {err}") from err
        if member is None:
            return
        yield member


def iter_zip(source: StreamFile, *, spool: int = DEFAULT_ZIP_SPOOL) -> Iterator[Member]:
    """ZIP via a bounded spool; members in the order of the archive's central directory."""
    import shutil
    import tempfile
    import zipfile

    with tempfile.SpooledTemporaryFile(max_size=spool) as buffer:
        shutil.copyfileobj(source, buffer, _COPY_CHUNK)
        if buffer.tell() == 0:
            return
        buffer.seek(0)
        try:
            archive = zipfile.ZipFile(buffer)
        except (zipfile.BadZipFile, EOFError, ValueError) as err:
            raise BatchArchiveError(f"Failed to read zip archive stream: {err}") from err
        with archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                try:
                    content = archive.read(info)
                except (zipfile.BadZipFile, EOFError, zlib.error, ValueError) as err:
                    raise BatchArchiveError(
                        f"Failed to read zip member {info.filename!r}: {err}"
                    ) from err
                yield info.filename, content
