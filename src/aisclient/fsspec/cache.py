"""How a small object opened for reading is cached: whole, with one GET at the first read.

A Parquet reader asks for the footer first and the row groups after it; with ranged reads
that is two round trips per file, though the readahead would fetch up to the end anyway.
Objects up to the filesystem's ``whole_read_limit`` are therefore fetched whole when first
read; larger ones are read in ranges through fsspec's readahead cache.
"""

from __future__ import annotations

from typing import Any

from fsspec.caching import BaseCache, caches, register_cache


class WholeOnFirstRead(BaseCache):  # type: ignore[misc]
    """The whole object, fetched at the first read (not at open) and then served from memory."""

    name = "ais-whole-on-first-read"

    def __init__(self, blocksize: int, fetcher: Any, size: int, **kwargs: Any) -> None:
        super().__init__(blocksize, fetcher, size)
        self.data: bytes | None = None

    def _fetch(self, start: int | None, stop: int | None) -> bytes:
        start = 0 if start is None else start
        stop = self.size if stop is None else min(stop, self.size)
        if start >= stop:
            return b""
        if self.data is None:
            self.miss_count += 1
            self.total_requested_bytes += self.size
            self.data = bytes(self.fetcher(0, self.size))
        else:
            self.hit_count += 1
        return self.data[start:stop]


if WholeOnFirstRead.name not in caches:  # a reopened (unpickled) file names its cache
    register_cache(WholeOnFirstRead)
