"""Writing datasets as WebDataset-style tar shards, straight into a bucket.

``DatasetConfig`` (a primary ``DataAttribute`` plus secondary attributes) describes the
samples; ``Bucket.write_dataset(config, skip_missing=True, pattern=..., maxcount=...,
maxsize=...)`` streams each shard to the bucket as it is built. ``DataShard`` names a set of
shards for ``aisclient.pytorch.AISMultiShardStream``.
"""

from __future__ import annotations

from aisclient.dataset.config import (
    ConfigAttribute,
    DataAttribute,
    DatasetConfig,
    LabelAttribute,
)
from aisclient.dataset.data_shard import DataShard
from aisclient.dataset.writer import write_dataset

__all__ = [
    "ConfigAttribute",
    "DataAttribute",
    "DataShard",
    "DatasetConfig",
    "LabelAttribute",
    "write_dataset",
]
