"""Iterable datasets: ``AISBaseIterDataset`` (listing, split, order, resume) and
``AISIterDataset`` (one GET per object)."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from typing import Any

from aisclient.errors import AISError
from aisclient.etl_config import ETLConfig
from aisclient.obj import Object
from aisclient.pytorch._torch import IterableDataset, current_part, distributed_rank
from aisclient.pytorch.core.errors import SampleError
from aisclient.pytorch.core.sources import (
    PrefixMap,
    as_source_list,
    list_sources,
    object_uri,
    prefix_map_of,
)
from aisclient.pytorch.core.split import Part, Progress, epoch_order, validate_rank

log = logging.getLogger("aisclient.pytorch")


class AISBaseIterDataset(IterableDataset, ABC):  # type: ignore[type-arg,misc,unused-ignore]
    """The base of the iterable datasets: ``(ais_source_list, prefix_map={},
    partition_sources_by_worker=False)`` plus, keyword-only, ``shuffle``, ``seed``, ``rank``
    and ``world_size``.

    The sources are listed once, here; DataLoader workers share that listing. Each process
    then reads only its part: its distributed rank (``rank``/``world_size``, else those of an
    initialised ``torch.distributed``) and its DataLoader worker. With
    ``partition_sources_by_worker`` whole sources go to parts instead of single objects.
    ``shuffle`` permutes the order per epoch (``set_epoch``), identically in every process.
    """

    def __init__(
        self,
        ais_source_list: Any,
        prefix_map: PrefixMap | None = None,
        partition_sources_by_worker: bool = False,
        *,
        shuffle: bool = False,
        seed: int = 0,
        rank: int | None = None,
        world_size: int | None = None,
    ) -> None:
        owner = type(self).__name__
        self._sources = as_source_list(ais_source_list, owner)
        validate_rank(rank, world_size)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"{owner}: seed must be an int, not {seed!r}")
        self._prefix_map = prefix_map_of(prefix_map, owner)
        self._partition_sources = bool(partition_sources_by_worker)
        self._shuffle, self._seed = bool(shuffle), seed
        self._rank_world = (
            (rank, world_size) if rank is not None and world_size is not None else None
        )
        self._listed = [
            list_sources([source], self._prefix_map, sizes=False) for source in self._sources
        ]
        self._progress = Progress()
        self.skipped = 0

    # -- listing and split ---------------------------------------------------------------

    def get_obj_list(self) -> list[Object]:
        """Every listed object, in listing order."""
        return [obj for objects in self._listed for obj in objects]

    def __len__(self) -> int:
        """The number of items this rank reads in an epoch (all ranks: ``world_size=1``)."""
        rank = self._part(worker_aware=False)
        if self._partition_sources:
            return sum(len(self._listed[s]) for s in rank.rank_share(range(len(self._listed))))
        return len(rank.rank_share(self._epoch_items()))

    def set_epoch(self, epoch: int) -> None:
        """Choose the epoch whose order is read next (matters with ``shuffle=True``)."""
        self._progress.set_epoch(epoch)

    def _part(self, worker_aware: bool = True) -> Part:
        part = current_part(self._rank_world or distributed_rank())
        return part if worker_aware else Part(part.rank, part.world_size)

    def _epoch_items(self) -> Sequence[Object]:
        items = self.get_obj_list()
        order = epoch_order(len(items), self._shuffle, self._seed, self._progress.epoch)
        return [items[i] for i in order]

    def _assigned(self) -> tuple[Part, Sequence[Object], int]:
        """This process's part, its items for the epoch, and how many of them are done."""
        part = self._part()
        if self._partition_sources:
            sources = part.take(range(len(self._listed)))
            items = [obj for s in sources for obj in self._listed[s]]
            order = epoch_order(len(items), self._shuffle, self._seed, self._progress.epoch)
            mine: Sequence[Object] = [items[i] for i in order]
        else:
            mine = part.take(self._epoch_items())
        return part, mine, self._progress.start(part)

    # -- resume --------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """Where iteration stands (epoch, items done per part, errors skipped); picklable."""
        return {**self._progress.state_dict(), "skipped": self.skipped}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue from ``state``: the next iteration of its epoch skips what was done."""
        self._progress.load_state_dict(state)
        self.skipped = int(state.get("skipped", 0))

    def _done(self, part: Part) -> None:
        self._progress.advance(part)

    def _skip(self, part: Part, what: str, err: BaseException) -> None:
        self.skipped += 1
        self._progress.advance(part)
        log.warning("Skipping %s: %s", what, err)

    # -- subclasses ----------------------------------------------------------------------

    @abstractmethod
    def __iter__(self) -> Iterator[Any]: ...

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        # Spawned workers have no process group: pin the rank the parent sees.
        state["_rank_world"] = self._rank_world or distributed_rank()
        return state


def read_error(obj: Object, err: AISError) -> SampleError:
    """The error that names ``obj``, with the AIS error chained by the caller."""
    return SampleError(f"{object_uri(obj)}: {type(err).__name__}: {err}")


class AISIterDataset(AISBaseIterDataset):
    """``(name, bytes)`` for every object, one GET each: ``AISIterDataset(ais_source_list,
    prefix_map={}, etl_name=None, show_progress=False, partition_sources_by_worker=False)``.

    ``cont_on_err=True`` (keyword) logs and counts (``skipped``) objects that cannot be read
    instead of raising :class:`SampleError`. ``direct=True`` (keyword) reads each object
    straight from its target, skipping the proxy's redirect (see ``Object.get_reader``; needs
    reachable targets and no AuthN).
    """

    def __init__(
        self,
        ais_source_list: Any,
        prefix_map: PrefixMap | None = None,
        etl_name: str | None = None,
        show_progress: bool = False,
        partition_sources_by_worker: bool = False,
        *,
        cont_on_err: bool = False,
        direct: bool = False,
        **split: Any,
    ) -> None:
        super().__init__(ais_source_list, prefix_map, partition_sources_by_worker, **split)
        self._etl = ETLConfig(etl_name) if etl_name else None
        self._show_progress = show_progress  # accepted for compatibility; nothing is drawn
        self._cont_on_err = cont_on_err
        self._direct = direct

    def __iter__(self) -> Iterator[tuple[str, bytes]]:
        part, items, start = self._assigned()
        for obj in items[start:]:
            try:
                content = obj.get_reader(etl=self._etl, direct=self._direct).read_all()
            except AISError as err:
                if not self._cont_on_err:
                    raise read_error(obj, err) from err
                self._skip(part, object_uri(obj), err)
                continue
            self._done(part)
            yield obj.name, bytes(content)
