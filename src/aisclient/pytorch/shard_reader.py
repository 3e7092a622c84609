"""``AISShardReader``: samples of WebDataset-style tar shards, streamed member by member."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from aisclient.batch.tar_reader import iter_tar_members
from aisclient.errors import AISError
from aisclient.etl_config import ETLConfig
from aisclient.obj import Object
from aisclient.pytorch.core.samples import ExtensionFiller, ZeroDict, group_samples
from aisclient.pytorch.core.sources import PrefixMap
from aisclient.pytorch.iter_dataset import AISBaseIterDataset, read_error


class AISShardReader(AISBaseIterDataset):
    """``(key, {extension: bytes})`` for every sample of every shard: ``AISShardReader(
    bucket_list, prefix_map={}, etl_name=None, show_progress=False,
    partition_sources_by_worker=False)``.

    Each shard is read as a stream (one member in memory at a time; plain tar or gzip), and
    consecutive members with the same key form a sample, as WebDataset groups them:
    ``dir/k.seg.png`` is sample ``dir/k``, extension ``seg.png``. Extensions seen earlier (in
    this process) that a sample lacks are filled with ``b""``. Shards, not samples, are split
    across ranks and workers, and shuffled per epoch with ``shuffle=True``; ``direct=True``
    reads shards straight from their targets (as ``AISIterDataset``); ``len()`` counts
    this rank's shards (samples are only known once read).
    """

    def __init__(
        self,
        bucket_list: Any,
        prefix_map: PrefixMap | None = None,
        etl_name: str | None = None,
        show_progress: bool = False,
        partition_sources_by_worker: bool = False,
        *,
        direct: bool = False,
        **split: Any,
    ) -> None:
        super().__init__(bucket_list, prefix_map, partition_sources_by_worker, **split)
        self._etl = ETLConfig(etl_name) if etl_name else None
        self._direct = direct
        self._show_progress = show_progress  # accepted for compatibility; nothing is drawn
        self._filler = ExtensionFiller()

    def __iter__(self) -> Iterator[tuple[str, ZeroDict]]:
        part, shards, skip = self._assigned()
        for shard in shards:
            for key, fields in self._read_shard(shard):
                if skip:  # resuming: these samples were delivered before
                    skip -= 1
                    continue
                self._done(part)
                yield key, self._filler.fill(fields)

    def _read_shard(self, shard: Object) -> Iterator[tuple[str, dict[str, bytes]]]:
        stream = shard.get_reader(etl=self._etl, direct=self._direct).content_stream()
        try:
            yield from group_samples(iter_tar_members(stream.read))
        except AISError as err:
            raise read_error(shard, err) from err
        finally:
            stream.close()
