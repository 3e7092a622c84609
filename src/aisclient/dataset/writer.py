"""``write_dataset``: samples → tar shards, each streamed to the bucket as one PUT.

No temporary files: a shard's bytes are produced while its PUT is being sent, so memory holds
one sample at a time. A new shard starts once the current one has ``maxcount`` samples or
``maxsize`` bytes (checked before each sample, as WebDataset's ``ShardWriter`` does).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from aisclient.dataset.config import DEFAULT_MAX_COUNT, DatasetConfig
from aisclient.dataset.tar import END_OF_ARCHIVE, sample_members

log = logging.getLogger("aisclient.dataset")

#: WebDataset's default ``maxsize`` of a shard, in bytes.
DEFAULT_MAX_SIZE = 3_000_000_000

Members = list[bytes]


class ShardTarget(Protocol):
    """Where shards go: a ``Bucket`` (anything whose ``object(name).get_writer()`` has
    ``put_iter``)."""

    def object(self, obj_name: str) -> Any: ...


def write_dataset(
    bucket: ShardTarget,
    config: DatasetConfig,
    skip_missing: bool = True,
    *,
    pattern: str = "dataset",
    maxcount: int = DEFAULT_MAX_COUNT,
    maxsize: float = DEFAULT_MAX_SIZE,
    start_shard: int = 0,
    post: Callable[[str], object] | None = None,
) -> list[str]:
    """Write ``config``'s samples to ``bucket`` as ``<pattern>-<index>.tar`` shards.

    The index has as many digits as ``maxcount`` (``dataset-000000.tar`` by default).
    A sample lacking some attributes is skipped with a warning when ``skip_missing``, else
    written without them. ``post(object_name)`` runs after each shard is stored. Returns the
    object names written, in order.
    """
    if not isinstance(config, DatasetConfig):
        raise TypeError(f"config must be a DatasetConfig, not {type(config).__name__}")
    if not isinstance(pattern, str) or not pattern or "%" in pattern:
        raise ValueError(f"pattern must be a non-empty str without '%', got {pattern!r}")
    for label, value in (("maxcount", maxcount), ("start_shard", start_shard)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{label} must be an int, not {value!r}")
    if maxcount < 1 or start_shard < 0:
        raise ValueError(f"need maxcount >= 1 and start_shard >= 0, got {maxcount}, {start_shard}")
    if isinstance(maxsize, bool) or not isinstance(maxsize, int | float) or maxsize <= 0:
        raise ValueError(f"maxsize must be a positive number of bytes, got {maxsize!r}")
    if post is not None and not callable(post):
        raise TypeError("post must be callable")
    template = f"{pattern}-%0{len(str(maxcount))}d.tar"
    samples = _kept_samples(config, skip_missing, maxcount)
    written: list[str] = []
    shard = _Shard(next(samples, None), samples, maxcount, maxsize)
    while shard.first is not None:
        name = template % (start_shard + len(written))
        bucket.object(name).get_writer().put_iter(shard.chunks())
        written.append(name)
        if post is not None:
            post(name)
        shard = _Shard(shard.following, samples, maxcount, maxsize)
    return written


def _kept_samples(config: DatasetConfig, skip_missing: bool, maxcount: int) -> Iterator[Members]:
    for sample, missing in config.generate_dataset(maxcount):
        if missing:
            if skip_missing:
                log.warning("Missing attributes: %s - Skipping sample.", missing)
                continue
            log.warning(
                "Missing attributes: %s - Including sample despite missing attributes.", missing
            )
        yield sample_members(sample)


class _Shard:
    """The tar bytes of one shard, pulled from the shared sample iterator as the PUT sends.

    ``first`` was pulled already (so no empty shard is ever started); ``following`` is the
    sample pulled after this shard filled up, the first of the next one (``None``: no more).
    """

    def __init__(
        self, first: Members | None, rest: Iterator[Members], maxcount: int, maxsize: float
    ) -> None:
        self.first = first
        self.following: Members | None = None
        self._rest = rest
        self._maxcount = maxcount
        self._maxsize = maxsize

    def chunks(self) -> Iterator[bytes]:
        count, size = 0, 0
        sample = self.first
        while sample is not None:
            yield from sample
            count += 1
            size += sum(map(len, sample))
            sample = next(self._rest, None)
            if count >= self._maxcount or size >= self._maxsize:
                self.following = sample
                break
        yield END_OF_ARCHIVE
