"""Map-style datasets: the sources are listed when the dataset is built; items by index."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

from aisclient.batch import Batch
from aisclient.errors import AISError
from aisclient.etl_config import ETLConfig
from aisclient.obj import Object
from aisclient.obj_reader import ParallelBuffer
from aisclient.pytorch._torch import Dataset
from aisclient.pytorch.core.errors import SampleError
from aisclient.pytorch.core.sources import (
    PrefixMap,
    as_source_list,
    list_sources,
    object_uri,
    prefix_map_of,
)
from aisclient.pytorch.iter_dataset import read_error


class AISBaseMapDataset(Dataset, ABC):  # type: ignore[type-arg,misc,unused-ignore]
    """``AISBaseMapDataset(ais_source_list, prefix_map={})``: lists every source once, here."""

    def __init__(self, ais_source_list: Any, prefix_map: PrefixMap | None = None) -> None:
        owner = type(self).__name__
        sources = as_source_list(ais_source_list, owner)
        self._obj_list = list_sources(sources, prefix_map_of(prefix_map, owner))

    def get_obj_list(self) -> list[Object]:
        return self._obj_list

    def __len__(self) -> int:
        return len(self._obj_list)

    def _object(self, index: int) -> Object:
        try:
            return self._obj_list[index]
        except (IndexError, TypeError) as err:
            raise IndexError(f"{type(self).__name__} index must be in bounds of dataset") from err

    @abstractmethod
    def __getitem__(self, index: int) -> tuple[str, Any]: ...


class AISMapDataset(AISBaseMapDataset):
    """``(name, bytes)`` by index: ``AISMapDataset(ais_source_list, prefix_map={},
    etl_name=None)``.

    A DataLoader batch (``__getitems__``) is fetched with one Get-Batch request instead of one
    GET per item (without ETL). An unreadable object raises :class:`SampleError` naming it.
    """

    def __init__(
        self,
        ais_source_list: Any = None,
        prefix_map: PrefixMap | None = None,
        etl_name: str | None = None,
    ) -> None:
        super().__init__(ais_source_list, prefix_map)
        self._etl = ETLConfig(etl_name) if etl_name else None

    def __getitem__(self, index: int) -> tuple[str, bytes]:
        obj = self._object(index)
        try:
            content = obj.get_reader(etl=self._etl).read_all()
        except AISError as err:
            raise read_error(obj, err) from err
        return obj.name, bytes(content)

    def __getitems__(self, indices: Sequence[int]) -> list[tuple[str, bytes]]:
        objects = [self._object(i) for i in indices]
        if self._etl is not None or not objects:
            return [self[i] for i in indices]
        batch = Batch(objects[0].client, objects=objects, cont_on_err=True)
        try:
            results = list(batch.get())
        except AISError as err:
            raise read_error(objects[0], err) from err
        out = []
        for obj, (entry, content) in zip(objects, results, strict=True):
            if entry.err_msg:
                raise SampleError(f"{object_uri(obj)}: {entry.err_msg}")
            out.append((obj.name, content))
        return out


class AISParallelMapDataset(AISBaseMapDataset):
    """``(name, ParallelBuffer)`` by index, each object read by ``num_workers`` concurrent range
    reads: ``AISParallelMapDataset(ais_source_list, prefix_map={}, num_workers=16)``. Close the
    buffer when done (or use it in ``with``)."""

    def __init__(
        self,
        ais_source_list: Any = None,
        prefix_map: PrefixMap | None = None,
        num_workers: int = 16,
    ) -> None:
        if isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers < 2:
            raise ValueError(f"num_workers must be an int >= 2, got {num_workers!r}")
        super().__init__(ais_source_list, prefix_map)
        self._num_workers = num_workers

    @property
    def num_workers(self) -> int:
        """Range-read threads per object (not DataLoader workers)."""
        return self._num_workers

    def __getitem__(self, index: int) -> tuple[str, ParallelBuffer]:
        obj = self._object(index)
        try:
            buffer = obj.get_reader(num_workers=self._num_workers).read_all()
        except AISError as err:
            raise read_error(obj, err) from err
        assert isinstance(buffer, ParallelBuffer)
        return obj.name, buffer
