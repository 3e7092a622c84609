"""``DynamicBatchSampler``: batches of a map dataset packed up to a total size in bytes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from aisclient.pytorch._torch import Sampler
from aisclient.pytorch.core.packing import check_packing, pack_by_size
from aisclient.pytorch.core.sources import object_size
from aisclient.pytorch.core.split import epoch_order
from aisclient.pytorch.map_dataset import AISBaseMapDataset


class DynamicBatchSampler(Sampler):  # type: ignore[type-arg,misc,unused-ignore]
    """``DynamicBatchSampler(data_source, max_batch_size, drop_last=False,
    allow_oversized_samples=False, saturation_factor=0.8, shuffle=False)``: lists of indices
    whose objects add up to at most ``max_batch_size`` bytes (pass it as a DataLoader's
    ``batch_sampler``).

    ``len()`` is the number of batches. With ``shuffle`` the order is a permutation fixed by
    ``seed`` (keyword) and the epoch (``set_epoch``).
    """

    def __init__(
        self,
        data_source: AISBaseMapDataset,
        max_batch_size: float,
        drop_last: bool = False,
        allow_oversized_samples: bool = False,
        saturation_factor: float = 0.8,
        shuffle: bool = False,
        *,
        seed: int = 0,
    ) -> None:
        check_packing(max_batch_size, saturation_factor)
        if not isinstance(data_source, AISBaseMapDataset):
            raise TypeError(
                f"data_source must be an AIS map dataset, not {type(data_source).__name__}"
            )
        self._objects = data_source.get_obj_list()
        self._sizes: dict[int, int] = {}
        self._max = max_batch_size
        self._options: dict[str, Any] = {
            "drop_last": drop_last,
            "allow_oversized_samples": allow_oversized_samples,
            "saturation_factor": saturation_factor,
        }
        self._shuffle, self._seed, self._epoch = shuffle, seed, 0

    def set_epoch(self, epoch: int) -> None:
        self._epoch = epoch

    def _size(self, index: int) -> int:
        if index not in self._sizes:
            self._sizes[index] = object_size(self._objects[index])
        return self._sizes[index]

    def __iter__(self) -> Iterator[list[int]]:
        order = epoch_order(len(self._objects), self._shuffle, self._seed, self._epoch)
        return pack_by_size(order, self._size, self._max, **self._options)

    def __len__(self) -> int:
        return sum(1 for _ in self)
