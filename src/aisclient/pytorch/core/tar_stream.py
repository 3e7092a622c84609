"""A forward-only tar reader over a ``read(n)`` callable, for shards streamed member by member.

It decodes only what shards use (regular files, with ustar, GNU long-name and PAX path/size
headers; anything else is skipped) and does it with a few slices per header, several times
cheaper than ``tarfile``'s stream mode, which is most of a shard reader's CPU time. A gzip
stream (``.tgz``, ``.tar.gz``) is recognised by its magic bytes and inflated on the fly.
Memory holds one member plus a fixed read buffer.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator

from aisclient.errors import AISError

BLOCK = 512
READ_SIZE = 256 * 1024
_REGULAR = (b"0", b"\0", b"7")
_GZIP_MAGIC = b"\x1f\x8b"


class TarFormatError(AISError):
    """The stream is not a (complete) tar archive."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)


class _Blocks:
    """Exact-size reads over a ``read(n)`` that may return short; inflates gzip when seen."""

    def __init__(self, read: Callable[[int], bytes]) -> None:
        self._read = read
        self._buffer = bytearray()
        self._pos = 0
        self._inflate: zlib._Decompress | None = None
        self._eof = False
        first = b""
        while len(first) < len(_GZIP_MAGIC) and (chunk := self._fill_raw()):
            first += chunk
        if first.startswith(_GZIP_MAGIC):
            self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._buffer += self._inflated(first)

    def _fill_raw(self) -> bytes:
        chunk = self._read(READ_SIZE) if not self._eof else b""
        if not chunk:
            self._eof = True
        return chunk

    def _inflated(self, chunk: bytes) -> bytes:
        if self._inflate is None:
            return chunk
        try:
            return self._inflate.decompress(chunk) if chunk else self._inflate.flush()
        except zlib.error as err:
            raise TarFormatError(f"broken gzip stream: {err}") from err

    def _more(self) -> bool:
        """Append more content to the buffer; ``False`` at the end of the stream."""
        while True:
            raw = self._fill_raw()
            chunk = self._inflated(raw)
            if chunk or not raw:
                break  # some content, or the end (a gzip stream may need more input first)
        if not chunk:
            return False
        if self._pos:
            del self._buffer[: self._pos]
            self._pos = 0
        self._buffer += chunk
        return True

    def _advance(self, size: int) -> tuple[int, int]:
        while len(self._buffer) - self._pos < size and self._more():
            pass
        start = self._pos
        self._pos = min(start + size, len(self._buffer))
        return start, self._pos

    def take(self, size: int) -> bytes:
        """Exactly ``size`` bytes; fewer only at the end of the stream."""
        start, end = self._advance(size)
        with memoryview(self._buffer) as view:
            return bytes(view[start:end])

    def skip(self, size: int) -> int:
        """Drop ``size`` bytes; returns how many there were."""
        start, end = self._advance(size)
        return end - start


def _number(field: bytes) -> int:
    if field[:1] and field[0] & 0x80:  # GNU base-256 for large sizes
        return int.from_bytes(field[1:], "big")
    text = field.split(b"\0", 1)[0].strip()
    return int(text, 8) if text else 0


def _pax_records(data: bytes) -> dict[str, str]:
    records: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        space = data.find(b" ", pos)
        if space < 0:
            break
        length = int(data[pos:space])
        key, _, value = data[space + 1 : pos + length - 1].partition(b"=")
        records[key.decode("utf-8", "replace")] = value.decode("utf-8", "surrogateescape")
        pos += length
    return records


def iter_tar_members(read: Callable[[int], bytes]) -> Iterator[tuple[str, bytes]]:
    """``(name, content)`` of each regular file, in archive order. An empty stream has none;
    a stream that is not tar, or ends inside a member, raises :class:`TarFormatError`."""
    blocks = _Blocks(read)
    long_name: str | None = None
    pax: dict[str, str] = {}
    while True:
        header = blocks.take(BLOCK)
        if not header or header.count(0) == BLOCK:  # end of stream, or the end-of-archive block
            return
        if len(header) < BLOCK:
            raise TarFormatError("the tar stream ends inside a header")
        stored = header[148:156]
        try:
            checksum_ok = _number(stored) == sum(header[:148]) + 256 + sum(header[156:])
            size = _number(header[124:136])
        except ValueError:
            checksum_ok = False
        if not checksum_ok:
            raise TarFormatError("not a tar stream (bad header checksum)")
        kind = header[156:157]
        if "size" in pax:
            size = int(pax["size"])
        content = blocks.take(size)
        padding = -size % BLOCK
        if len(content) < size or blocks.skip(padding) < padding:
            raise TarFormatError("the tar stream ends inside a member")
        if kind == b"x":
            pax = _pax_records(content)
            continue
        if kind == b"L":
            long_name = content.rstrip(b"\0").decode("utf-8", "surrogateescape")
            continue
        if kind in _REGULAR:
            name = pax.get("path") or long_name or _ustar_name(header)
            yield name, content
        long_name, pax = None, {}


def _ustar_name(header: bytes) -> str:
    name = header[:100].split(b"\0", 1)[0]
    if header[257:262] == b"ustar":
        prefix = header[345:500].split(b"\0", 1)[0]
        if prefix:
            name = prefix + b"/" + name
    return name.decode("utf-8", "surrogateescape")
