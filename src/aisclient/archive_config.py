"""Read selectors for object GETs: a file (or files) inside an archive, and blob download."""

from __future__ import annotations

from attrs import frozen

from aisclient.enums import ArchiveMode
from aisclient.request import Pairs


@frozen
class ArchiveConfig:
    """Select one file (``archpath``) or many (``regex`` with ``mode``) inside an archived object.

    Reading many files returns them as a TAR stream.
    """

    archpath: str = ""
    regex: str = ""
    mode: ArchiveMode | None = None

    def __attrs_post_init__(self) -> None:
        if self.mode is not None and not self.regex:
            raise ValueError("ArchiveConfig: a mode needs a regex to apply to")
        if self.regex and self.mode is None:
            raise ValueError("ArchiveConfig: a regex needs a mode (ArchiveMode.REGEXP, ...)")
        if self.regex and self.archpath:
            raise ValueError("ArchiveConfig: give either archpath or regex, not both")

    def query_pairs(self) -> Pairs:
        """The GET query pairs; empty values are left out (an empty ``archmode`` means prefix)."""
        pairs: list[tuple[str, str]] = []
        if self.archpath:
            pairs.append(("archpath", self.archpath))
        if self.regex:
            pairs.append(("archregx", self.regex))
        if self.mode is not None:
            pairs.append(("archmode", ArchiveMode(self.mode).value))
        return tuple(pairs)


@frozen
class BlobDownloadConfig:
    """Fetch a large remote object through the cluster's blob downloader while reading it.

    ``chunk_size`` takes a byte count or a size with a unit (``"4mb"``, ``"1MiB"``);
    ``num_workers`` the number of parallel readers. ``None`` leaves the server's default.
    """

    chunk_size: str | int | None = None
    num_workers: str | int | None = None

    def header_pairs(self) -> Pairs:
        pairs: list[tuple[str, str]] = [("Ais-Blob-Download", "true")]
        if self.chunk_size is not None:
            pairs.append(("Ais-Blob-Chunk", str(self.chunk_size)))
        if self.num_workers is not None:
            pairs.append(("Ais-Blob-Workers", str(self.num_workers)))
        return tuple(pairs)
