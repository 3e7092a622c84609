"""``AISMultiShardStream``: several shard sets read side by side, member by member."""

from __future__ import annotations

from collections.abc import Iterator

from aisclient.archive_config import ArchiveConfig
from aisclient.dataset.data_shard import DataShard
from aisclient.errors import AISError
from aisclient.etl_config import ETLConfig
from aisclient.pytorch._torch import IterableDataset, current_part
from aisclient.pytorch.core.errors import SampleError


class AISMultiShardStream(IterableDataset):  # type: ignore[type-arg,misc,unused-ignore]
    """Tuples ``(bytes, bytes, ...)``, the i-th member of every :class:`DataShard`'s shards
    side by side, stopping at the shortest: ``AISMultiShardStream(data_sources)``.

    Each shard is read with one Get-Batch request (its members by archpath) instead of one GET
    per member; with an ``etl_name`` members are read one GET each, through the ETL. Shard
    ``k`` of every source goes to the same DataLoader worker and rank, so aligned shard sets
    stay aligned.
    """

    def __init__(self, data_sources: list[DataShard]) -> None:
        if not isinstance(data_sources, list | tuple) or not data_sources:
            raise ValueError("AISMultiShardStream data_sources must be a non-empty list")
        for source in data_sources:
            if not isinstance(source, DataShard):
                raise TypeError(f"data_sources must hold DataShard, not {type(source).__name__}")
        self.data_sources = list(data_sources)

    def __iter__(self) -> Iterator[tuple[bytes, ...]]:
        part = current_part(None)
        streams = [self._members(source, part.index, part.count) for source in self.data_sources]
        return zip(*streams, strict=False)

    def _members(self, source: DataShard, index: int, count: int) -> Iterator[bytes]:
        bucket = source.bucket
        shards = [e.name for e in bucket.list_objects_iter(prefix=source.prefix, props="name")]
        for shard in shards[index::count]:
            uri = f"{bucket.provider.value}://{bucket.name}/{shard}"
            try:
                names = [e.name[len(shard) + 1 :] for e in bucket.list_archive(shard)]
                if source.etl_name:
                    etl = ETLConfig(source.etl_name)
                    for name in names:
                        reader = bucket.object(shard).get_reader(
                            archive_config=ArchiveConfig(archpath=name), etl=etl
                        )
                        yield bytes(reader.read_all())
                    continue
                batch = source.client.batch(bucket=bucket, cont_on_err=False)
                for name in names:
                    batch.add(shard, archpath=name)
                for _entry, content in batch.get():
                    yield content
            except AISError as err:
                raise SampleError(f"{uri}: {type(err).__name__}: {err}") from err
