"""Reading members of TAR/TGZ/ZIP shards and writing new archives, streaming."""

from __future__ import annotations

import tarfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any, BinaryIO, Protocol

from .errors import HttpError, bad_request

EXTENSIONS = (".tar.gz", ".tar.lz4", ".tgz", ".tar", ".zip")
_MIME_ORDER = ("tar.gz", "tar.lz4", "tgz", "tar", "zip")
CONTENT_TYPES = {
    ".tar": "application/x-tar",
    ".tgz": "application/gzip",
    ".tar.gz": "application/gzip",
    ".tar.lz4": "application/x-lz4",
    ".zip": "application/zip",
}


def normalize_mime(mime: str) -> str | None:
    """``tar``/``.tar``/``application/x-tar`` → ``.tar`` etc.; None if unknown."""
    low = mime.lower()
    for key in _MIME_ORDER:
        if key in low:
            return "." + key
    return None


def format_of(name: str, mime: str = "") -> str | None:
    if mime:
        return normalize_mime(mime)
    low = name.lower()
    for ext in EXTENSIONS:
        if low.endswith(ext):
            return ext
    return None


def _unsupported(fmt: str) -> HttpError:
    return HttpError(501, f"{fmt} archives are not supported by LocalCluster", "ErrUnsupp")


def _clean(name: str) -> str:
    while name.startswith("./"):
        name = name[2:]
    return name.lstrip("/")


class ArchiveReader:
    """Random access to the regular files of an archive opened from ``f``."""

    def __init__(self, f: BinaryIO, fmt: str) -> None:
        self.fmt = fmt
        self._tar: tarfile.TarFile | None = None
        self._zip: zipfile.ZipFile | None = None
        try:
            if fmt == ".zip":
                self._zip = zipfile.ZipFile(f)
            elif fmt in (".tar", ".tgz", ".tar.gz"):
                if fmt == ".tar":
                    self._tar = tarfile.open(fileobj=f, mode="r:")  # noqa: SIM115 - see close()
                else:
                    self._tar = tarfile.open(fileobj=f, mode="r:gz")  # noqa: SIM115
            else:
                raise _unsupported(fmt)
        except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError) as e:
            raise bad_request(f"failed to open {fmt} archive: {e}") from None

    def members(self) -> list[tuple[str, int]]:
        """(name, size) of every regular file, sorted by name."""
        out: list[tuple[str, int]] = []
        if self._zip is not None:
            out = [
                (_clean(i.filename), i.file_size) for i in self._zip.infolist() if not i.is_dir()
            ]
        elif self._tar is not None:
            out = [(_clean(m.name), m.size) for m in self._tar.getmembers() if m.isreg()]
        return sorted(out)

    def open(self, path: str) -> tuple[int, IO[bytes]] | None:
        """Open member ``path`` for streaming; None when it does not exist."""
        want = _clean(path)
        if self._zip is not None:
            for info in self._zip.infolist():
                if not info.is_dir() and _clean(info.filename) == want:
                    return info.file_size, self._zip.open(info)
            return None
        assert self._tar is not None
        for m in self._tar.getmembers():
            if m.isreg() and _clean(m.name) == want:
                fobj = self._tar.extractfile(m)
                if fobj is not None:
                    return m.size, fobj
        return None

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
        if self._tar is not None:
            self._tar.close()


@contextmanager
def open_archive(f: BinaryIO, obj_name: str, mime: str = "") -> Iterator[ArchiveReader]:
    fmt = format_of(obj_name, mime)
    if fmt is None:
        raise bad_request(
            f'unrecognized or unsupported file format: "{obj_name.rsplit("/", 1)[-1]}"'
        )
    reader = ArchiveReader(f, fmt)
    try:
        yield reader
    finally:
        reader.close()


def member_path(obj_name: str, archpath: str) -> str:
    """AIS drops a leading ``/`` and a leading ``<object name>/`` from archpath."""
    path = archpath.lstrip("/")
    if path.startswith(obj_name + "/"):
        path = path[len(obj_name) + 1 :]
    return path


MATCH_MODES = ("regexp", "prefix", "suffix", "substr", "wdskey")


def matcher(regx: str, mode: str) -> Any:
    import re

    if mode == "regexp":
        pattern = re.compile(regx)
        return lambda n: pattern.search(n) is not None
    if mode == "prefix":
        return lambda n: n.startswith(regx)
    if mode == "suffix":
        return lambda n: n.endswith(regx)
    if mode == "substr":
        return lambda n: regx in n
    # wdskey: the sample key, i.e. the path without its extension
    return lambda n: (n.rsplit(".", 1)[0] if "." in n.rsplit("/", 1)[-1] else n) == regx


class _Tell:
    """Adds ``tell()`` and ``flush()`` to a write-only stream (zipfile wants them)."""

    def __init__(self, out: Any) -> None:
        self._out = out
        self._pos = 0

    def write(self, data: bytes) -> int:
        self._out.write(data)
        self._pos += len(data)
        return len(data)

    def tell(self) -> int:
        return self._pos

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None


class ArchiveWriter:
    """Writes entries into a TAR/TGZ/ZIP stream without seeking."""

    def __init__(self, out: Any, fmt: str) -> None:
        self.fmt = fmt
        self._tar: tarfile.TarFile | None = None
        self._zip: zipfile.ZipFile | None = None
        if fmt == ".zip":
            self._zip = zipfile.ZipFile(_Tell(out), "w", zipfile.ZIP_STORED)
        elif fmt in (".tar", ".tgz", ".tar.gz"):
            if fmt == ".tar":
                self._tar = tarfile.open(fileobj=out, mode="w|")  # noqa: SIM115 - see close()
            else:
                self._tar = tarfile.open(fileobj=out, mode="w|gz")  # noqa: SIM115
        else:
            raise _unsupported(fmt)

    def add(self, name: str, size: int, src: Readable | None, mtime: float | None = None) -> None:
        when = time.time() if mtime is None else mtime
        if self._tar is not None:
            info = tarfile.TarInfo(name)
            info.size = size
            info.mtime = int(when)
            info.mode = 0o644
            self._tar.addfile(info, src if size else None)
            return
        assert self._zip is not None
        stamp = time.gmtime(max(when, 315532800))[:6]
        zinfo = zipfile.ZipInfo(name, date_time=stamp)
        zinfo.external_attr = 0o644 << 16
        with self._zip.open(zinfo, "w", force_zip64=size >= (1 << 31)) as dst:
            left = size
            while left > 0 and src is not None:
                data = src.read(min(1 << 20, left))
                if not data:
                    break
                dst.write(data)
                left -= len(data)

    def close(self) -> None:
        if self._tar is not None:
            self._tar.close()
        if self._zip is not None:
            self._zip.close()


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class Limited:
    """At most ``n`` bytes of ``src`` (for ranges inside streamed entries)."""

    def __init__(self, src: IO[bytes], n: int) -> None:
        self._src = src
        self._left = n

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        want = self._left if size < 0 else min(size, self._left)
        data = self._src.read(want)
        self._left -= len(data)
        return data


def skip(src: IO[bytes], n: int) -> None:
    """Advance ``src`` by ``n`` bytes (seek when possible)."""
    try:
        if src.seekable():
            src.seek(n, 1)
            return
    except (AttributeError, OSError):
        pass
    while n > 0:
        data = src.read(min(1 << 20, n))
        if not data:
            break
        n -= len(data)
