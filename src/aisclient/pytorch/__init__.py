"""PyTorch datasets over AIStore (needs the ``torch`` extra: ``pip install 'aisclient[torch]'``).

The SDK's names and constructor shapes: ``AISMapDataset``, ``AISParallelMapDataset``,
``AISIterDataset``, ``AISBatchIterDataset``, ``AISShardReader``, ``AISMultiShardStream`` and
``DynamicBatchSampler``. Iterable datasets split their work across DataLoader workers and
distributed ranks, shuffle per epoch (``set_epoch``) and resume (``state_dict``).

Names load on first use, so ``aisclient.pytorch.core`` (the torch-free logic) imports
without torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "AISBaseMapDataset": "aisclient.pytorch.map_dataset",
    "AISMapDataset": "aisclient.pytorch.map_dataset",
    "AISParallelMapDataset": "aisclient.pytorch.map_dataset",
    "AISBaseIterDataset": "aisclient.pytorch.iter_dataset",
    "AISIterDataset": "aisclient.pytorch.iter_dataset",
    "AISBatchIterDataset": "aisclient.pytorch.batch_iter_dataset",
    "AISShardReader": "aisclient.pytorch.shard_reader",
    "AISMultiShardStream": "aisclient.pytorch.multishard_dataset",
    "DynamicBatchSampler": "aisclient.pytorch.dynamic_sampler",
    "AISSource": "aisclient.pytorch.core.sources",
    "SampleError": "aisclient.pytorch.core.errors",
    "ZeroDict": "aisclient.pytorch.core.samples",
}

__all__ = [
    "AISBaseIterDataset",
    "AISBaseMapDataset",
    "AISBatchIterDataset",
    "AISIterDataset",
    "AISMapDataset",
    "AISMultiShardStream",
    "AISParallelMapDataset",
    "AISShardReader",
    "AISSource",
    "DynamicBatchSampler",
    "SampleError",
    "ZeroDict",
]

if TYPE_CHECKING:
    from aisclient.pytorch.batch_iter_dataset import AISBatchIterDataset
    from aisclient.pytorch.core.errors import SampleError
    from aisclient.pytorch.core.samples import ZeroDict
    from aisclient.pytorch.core.sources import AISSource
    from aisclient.pytorch.dynamic_sampler import DynamicBatchSampler
    from aisclient.pytorch.iter_dataset import AISBaseIterDataset, AISIterDataset
    from aisclient.pytorch.map_dataset import (
        AISBaseMapDataset,
        AISMapDataset,
        AISParallelMapDataset,
    )
    from aisclient.pytorch.multishard_dataset import AISMultiShardStream
    from aisclient.pytorch.shard_reader import AISShardReader


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'aisclient.pytorch' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
