"""Who reads what: work split across ranks × workers, per-epoch order, and resumable progress.

Every process sees the same listing and computes the same epoch order, then takes its own
strided slice of it: the parts are disjoint and together cover the whole order, so no sample
is lost or read twice.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import attrs

T = TypeVar("T")


@attrs.frozen
class Part:
    """What one process reads: rank ``rank`` of ``world_size`` takes every ``world_size``-th
    item, and DataLoader worker ``worker`` of ``num_workers`` every ``num_workers``-th of those.

    Splitting by rank first keeps ranks balanced (their shares differ by at most one item)
    whatever the number of workers.
    """

    rank: int = 0
    world_size: int = 1
    worker: int = 0
    num_workers: int = 1

    def __attrs_post_init__(self) -> None:
        if self.world_size < 1 or not 0 <= self.rank < self.world_size:
            raise ValueError(
                f"rank must be in [0, world_size), got rank={self.rank} of {self.world_size}"
            )
        if self.num_workers < 1 or not 0 <= self.worker < self.num_workers:
            raise ValueError(
                f"worker must be in [0, num_workers), got {self.worker} of {self.num_workers}"
            )

    @property
    def index(self) -> int:
        return self.rank * self.num_workers + self.worker

    @property
    def count(self) -> int:
        return self.world_size * self.num_workers

    def take(self, items: Sequence[T]) -> Sequence[T]:
        return items[self.rank :: self.world_size][self.worker :: self.num_workers]

    def rank_share(self, items: Sequence[T]) -> Sequence[T]:
        """The items of this part's rank (all its workers together)."""
        return items[self.rank :: self.world_size]


def epoch_order(size: int, shuffle: bool, seed: int, epoch: int) -> Sequence[int]:
    """Indices ``0..size-1``: as listed, or a permutation fixed by ``(seed, epoch)``.

    The same arguments give the same permutation in every process (ranks and workers alike);
    a different epoch gives a different one.
    """
    if not shuffle:
        return range(size)
    order = list(range(size))
    # A string seed is hashed with SHA-512 by ``random``: stable across processes and runs.
    random.Random(f"aisclient:{seed}:{epoch}").shuffle(order)
    return order


def validate_rank(rank: int | None, world_size: int | None) -> None:
    """Both or neither, and a rank inside the world; checked where the dataset is built."""
    if (rank is None) != (world_size is None):
        raise ValueError("rank and world_size must be given together")
    if rank is not None and world_size is not None:
        Part(rank, world_size)


class Progress:
    """How far each part got in the current epoch; the state behind ``state_dict()``.

    Counts are kept per part, so the same state works whether it is saved and loaded in one
    process (no workers) or per worker (as torchdata's ``StatefulDataLoader`` does).
    A loaded position applies once, to the epoch it was saved in.
    """

    def __init__(self) -> None:
        self.epoch = 0
        self._done: dict[int, int] = {}
        self._resume: dict[int, int] = {}
        self._parts = 0

    def set_epoch(self, epoch: int) -> None:
        if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
            raise ValueError(f"epoch must be an int >= 0, got {epoch!r}")
        if epoch != self.epoch:
            self._resume = {}
            self._done = {}
        self.epoch = epoch

    def start(self, part: Part) -> int:
        """Begin iterating ``part``: how many of its items to skip (a loaded position)."""
        if self._resume and self._parts and self._parts != part.count:
            raise ValueError(
                f"the loaded state was saved with {self._parts} parts (ranks × workers), "
                f"but this run has {part.count}"
            )
        skip = self._resume.pop(part.index, 0)
        self._done[part.index] = skip
        return skip

    def advance(self, part: Part, count: int = 1) -> None:
        self._done[part.index] = self._done.get(part.index, 0) + count
        self._parts = part.count

    def state_dict(self) -> dict[str, Any]:
        return {
            "epoch": self.epoch,
            "parts": self._parts,
            "done": {str(k): v for k, v in sorted(self._done.items())},
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        try:
            epoch = int(state["epoch"])
            parts = int(state.get("parts", 0))
            done = {int(k): int(v) for k, v in dict(state.get("done", {})).items()}
        except (KeyError, TypeError, ValueError) as err:
            raise ValueError(f"not a dataset state (from state_dict()): {state!r}") from err
        if epoch < 0 or parts < 0 or any(v < 0 or k < 0 for k, v in done.items()):
            raise ValueError(f"not a dataset state (negative values): {state!r}")
        self.epoch, self._parts = epoch, parts
        self._resume = dict(done)
        self._done = dict(done)
