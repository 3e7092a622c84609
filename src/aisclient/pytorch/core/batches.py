"""Get-Batch chunking and bounded prefetch: the next request is in flight while the current
batch is consumed, and never more than ``depth`` batches wait ahead."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of ``size`` items (the last one may be shorter)."""
    if size < 1:
        raise ValueError(f"chunk size must be >= 1, got {size}")
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def prefetched(
    chunks: Iterable[Sequence[T]], fetch: Callable[[Sequence[T]], R], depth: int = 1
) -> Generator[R, None, None]:
    """``fetch(chunk)`` for each chunk, in order, with up to ``depth`` fetches running ahead
    on one background thread. ``depth=0`` fetches in the caller's thread.

    Memory holds at most ``depth + 1`` fetched results (the one being consumed and those
    ahead). An error of a fetch is raised when its result is due; closing the iterator early
    cancels the fetches not started yet and waits for the running one.
    """
    if depth < 0:
        raise ValueError(f"prefetch depth must be >= 0, got {depth}")
    if depth == 0:
        for chunk in chunks:
            yield fetch(chunk)
        return
    pool = ThreadPoolExecutor(1, thread_name_prefix="aisclient-prefetch")
    pending: deque[Future[R]] = deque()
    try:
        for chunk in chunks:
            pending.append(pool.submit(fetch, chunk))
            if len(pending) > depth:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
