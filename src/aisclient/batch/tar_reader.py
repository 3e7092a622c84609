"""A forward-only tar reader over a ``read(n)`` callable: Get-Batch archives and shards.

Each member is read with one header parse and then one exact-size ``read`` of its content,
so the bytes handed out are the very object the transport returned (the socket copied them
once); ``tarfile``'s stream mode instead copies every byte through its own buffers several
times, which was most of the CPU time of extracting a batch. It decodes what Get-Batch and
shards use: regular files, with ustar, GNU long-name and PAX path/size headers (anything else
is skipped). A gzip stream (``.tgz``, ``.tar.gz``) is recognised by its magic bytes and
inflated on the fly. Memory holds one member plus a bounded read-ahead.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator

from aisclient.batch.errors import BatchArchiveError

BLOCK = 512
#: Compressed bytes asked for at a time when inflating a gzip stream.
INFLATE_READ = 256 * 1024
_REGULAR = (b"0", b"\0", b"7")
_GZIP_MAGIC = b"\x1f\x8b"
_ZERO_BLOCK = bytes(BLOCK)

Read = Callable[[int], bytes]


class TarFormatError(BatchArchiveError):
    """The stream is not a (complete) tar archive.

    It takes a single message argument: a DataLoader rebuilds a worker's exception in the
    main process as ``type(err)(message)``.
    """

    def __init__(self, message: str = "") -> None:
        super().__init__(message)


class ExactReader:
    """Exact-size reads over a ``read(n)`` that may return short.

    A request is passed on to ``read`` for just what is missing, so a large read costs the
    transport's one copy and no other: the result is the transport's own bytes object when
    one call delivered it, else the join of the pieces. Bytes read ahead (at most what a
    caller asked for) are kept as one ``bytes`` and sliced.
    """

    def __init__(self, read: Read) -> None:
        self._read = read
        self._pending = b""
        self._pos = 0

    def take(self, size: int) -> bytes:
        """Exactly ``size`` bytes; fewer only at the end of the stream."""
        pending, pos = self._pending, self._pos
        have = len(pending) - pos
        if have >= size:
            self._pos = pos + size
            if pos == 0 and size == len(pending):
                self._pending = b""
                self._pos = 0
                return pending
            return pending[pos : pos + size]
        parts = [pending[pos:]] if have else []
        self._pending, self._pos = b"", 0
        missing = size - have
        while missing > 0:
            chunk = self._read(missing)
            if not chunk:
                break
            parts.append(chunk)
            missing -= len(chunk)
        if len(parts) == 1:
            return parts[0]
        return b"".join(parts)

    def peek(self, size: int) -> bytes:
        """Up to ``size`` next bytes, left in place."""
        if len(self._pending) - self._pos < size:
            self._pending, self._pos = self.take(size), 0
        return self._pending[self._pos : self._pos + size]

    def skip(self, size: int) -> int:
        """Drop ``size`` bytes; returns how many there were."""
        return len(self.take(size))


def inflating(read: Read, *, read_size: int = INFLATE_READ) -> Read:
    """``read`` of the content of the gzip stream that ``read`` delivers."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)

    def read_inflated(size: int) -> bytes:
        while True:
            data = inflater.unconsumed_tail
            if not data:
                if inflater.eof:
                    return b""
                data = read(read_size)
                if not data:
                    raise TarFormatError("the gzip stream ends early")
            try:
                out = inflater.decompress(data, size)
            except zlib.error as err:
                raise TarFormatError(f"broken gzip stream: {err}") from err
            if out:
                return out

    return read_inflated


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


def _ustar_name(header: bytes) -> str:
    name = header[:100].split(b"\0", 1)[0]
    if header[257:262] == b"ustar":
        prefix = header[345:500].split(b"\0", 1)[0]
        if prefix:
            name = prefix + b"/" + name
    return name.decode("utf-8", "surrogateescape")


def _checked_size(header: bytes) -> int:
    """The member size of a header block whose checksum is right, else TarFormatError."""
    try:
        stored = _number(header[148:156])
        size = _number(header[124:136])
    except ValueError:
        raise TarFormatError("not a tar stream (bad header checksum)") from None
    # The checksum counts the checksum field itself as eight spaces (8 * 32 = 256).
    if stored != sum(header[:148]) + 256 + sum(header[156:]):
        raise TarFormatError("not a tar stream (bad header checksum)")
    return size


def iter_tar_members(read: Read) -> Iterator[tuple[str, bytes]]:
    """``(name, content)`` of each regular file, in archive order. An empty stream has none;
    a stream that is not tar, or ends inside a member, raises :class:`TarFormatError`."""
    source = ExactReader(read)
    # A whole block, not just the magic: the first header then needs no second read.
    if source.peek(BLOCK).startswith(_GZIP_MAGIC):
        source = ExactReader(inflating(source.take))
    long_name: str | None = None
    pax: dict[str, str] = {}
    while True:
        header = source.take(BLOCK)
        if not header or header == _ZERO_BLOCK:  # end of stream, or the end-of-archive block
            return
        if len(header) < BLOCK:
            raise TarFormatError("the tar stream ends inside a header")
        size = _checked_size(header)
        kind = header[156:157]
        if "size" in pax:
            size = int(pax["size"])
        content = source.take(size) if size else b""
        padding = -size % BLOCK
        if len(content) < size or (padding and source.skip(padding) < padding):
            raise TarFormatError("the tar stream ends inside a member")
        if kind == b"x":
            pax = _pax_records(content)
            continue
        if kind == b"L":
            long_name = content.rstrip(b"\0").decode("utf-8", "surrogateescape")
            continue
        if kind in _REGULAR:
            yield pax.get("path") or long_name or _ustar_name(header), content
        long_name, pax = None, {}
