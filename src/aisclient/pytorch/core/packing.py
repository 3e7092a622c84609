"""Packing samples into batches by total size (``DynamicBatchSampler``)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator

log = logging.getLogger("aisclient.pytorch")


def check_packing(max_batch_size: float, saturation_factor: float) -> None:
    if isinstance(max_batch_size, bool) or not isinstance(max_batch_size, int | float):
        raise TypeError(f"max_batch_size must be a number of bytes, not {max_batch_size!r}")
    if max_batch_size <= 0:
        raise ValueError(f"max_batch_size must be > 0 bytes, got {max_batch_size}")
    if not 0 <= saturation_factor <= 1:
        raise ValueError(f"saturation_factor must be in [0, 1], got {saturation_factor}")


def pack_by_size(
    order: Iterable[int],
    size_of: Callable[[int], int],
    max_batch_size: float,
    *,
    drop_last: bool = False,
    allow_oversized_samples: bool = False,
    saturation_factor: float = 0.8,
) -> Iterator[list[int]]:
    """Greedy, in ``order``: a batch grows while its total stays at most ``max_batch_size``.

    A sample that would overflow the batch closes it and starts the next one. Empty samples are
    skipped; a sample larger than the maximum is skipped, or yielded alone when
    ``allow_oversized_samples``. With ``drop_last`` the final batch is kept only when it is
    fuller than ``saturation_factor`` of the maximum.
    """
    check_packing(max_batch_size, saturation_factor)
    batch: list[int] = []
    total = 0
    for index in order:
        size = size_of(index)
        if size <= 0:
            log.warning("sample %d is empty: skipped", index)
            continue
        if size > max_batch_size:
            if allow_oversized_samples:
                yield [index]
            else:
                log.warning(
                    "sample %d (%d bytes) exceeds max_batch_size %s: skipped",
                    index,
                    size,
                    max_batch_size,
                )
            continue
        if total + size > max_batch_size:
            yield batch
            batch, total = [], 0
        batch.append(index)
        total += size
        if total == max_batch_size:
            yield batch
            batch, total = [], 0
    if batch and (not drop_last or total / max_batch_size > saturation_factor):
        yield batch
