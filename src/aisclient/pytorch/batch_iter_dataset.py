"""``AISBatchIterDataset``: objects read ``max_batch_size`` at a time with Get-Batch, the next
request overlapping the consumption of the current one."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from aisclient.batch.tar_reader import iter_tar_members
from aisclient.enums import Colocation
from aisclient.errors import AISError
from aisclient.models.batch import EXT_TAR, MISSING_ENTRY_ERROR, MISSING_PREFIX
from aisclient.obj import Object
from aisclient.pytorch.core.batches import chunked, prefetched
from aisclient.pytorch.core.errors import SampleError
from aisclient.pytorch.core.sources import PrefixMap, object_uri
from aisclient.pytorch.iter_dataset import AISBaseIterDataset

if TYPE_CHECKING:
    from aisclient.batch import Batch
    from aisclient.client import Client

#: Per requested object: the server's error (``None``: read) and the content.
Fetched = list[tuple[str | None, bytes]]
#: Bytes read after the last member (end-of-archive blocks, padding) so the connection is reused.
_TAIL_LIMIT = 1 << 20


class AISBatchIterDataset(AISBaseIterDataset):
    """``(name, bytes)`` for every object, fetched by Get-Batch: ``AISBatchIterDataset(
    ais_source_list, client, prefix_map={}, show_progress=False, max_batch_size=32,
    output_format=".tar", streaming=True, colocation=Colocation.NONE,
    partition_sources_by_worker=False, cont_on_err=False)``.

    While one batch is consumed the next request is already running (``prefetch`` batches
    ahead, keyword, default 1; memory holds at most ``prefetch + 1`` batches). An object the
    server cannot read raises :class:`SampleError` naming it; with ``cont_on_err=True`` it is
    logged, counted in ``skipped`` and left out.
    """

    def __init__(
        self,
        ais_source_list: Any,
        client: Client,
        prefix_map: PrefixMap | None = None,
        show_progress: bool = False,
        max_batch_size: int = 32,
        output_format: str = ".tar",
        streaming: bool = True,
        colocation: Colocation | int = Colocation.NONE,
        partition_sources_by_worker: bool = False,
        cont_on_err: bool = False,
        *,
        prefetch: int = 1,
        **split: Any,
    ) -> None:
        if isinstance(max_batch_size, bool) or not isinstance(max_batch_size, int):
            raise TypeError(f"max_batch_size must be an int, not {max_batch_size!r}")
        if max_batch_size < 1:
            raise ValueError(f"max_batch_size must be >= 1, got {max_batch_size}")
        if isinstance(prefetch, bool) or not isinstance(prefetch, int) or prefetch < 0:
            raise ValueError(f"prefetch must be an int >= 0, got {prefetch!r}")
        # A malformed format or colocation fails here, before any listing or request.
        client.batch(output_format=output_format, colocation=colocation)
        super().__init__(ais_source_list, prefix_map, partition_sources_by_worker, **split)
        self._client = client
        self._show_progress = show_progress  # accepted for compatibility; nothing is drawn
        self._max_batch_size = max_batch_size
        self._output_format = output_format
        self._streaming = streaming
        self._colocation = colocation
        self._cont_on_err = cont_on_err
        self._prefetch = prefetch

    def _fetch(self, objects: Sequence[Object]) -> Fetched:
        # The server always continues past a failed entry, so it comes back in place, with
        # its name; whether that raises or is skipped is decided as results are consumed.
        batch = self._client.batch(
            objects=list(objects),
            output_format=self._output_format,
            cont_on_err=True,
            streaming_get=self._streaming,
            colocation=self._colocation,
        )
        try:
            if self._streaming and self._output_format == EXT_TAR:
                return _decode_tar_stream(batch, objects)
            return [(out.err_msg, content) for out, content in batch.get()]
        except AISError as err:
            where = f"{object_uri(objects[0])} … {object_uri(objects[-1])}"
            raise SampleError(
                f"Get-Batch of {len(objects)} objects ({where}): {type(err).__name__}: {err}"
            ) from err

    def __iter__(self) -> Iterator[tuple[str, bytes]]:
        part, items, start = self._assigned()
        chunks = list(chunked(items[start:], self._max_batch_size))
        results = prefetched(chunks, self._fetch, self._prefetch)
        try:
            for chunk, fetched in zip(chunks, results, strict=True):
                for obj, (error, content) in zip(chunk, fetched, strict=True):
                    if error:
                        if not self._cont_on_err:
                            raise SampleError(f"{object_uri(obj)}: {error}")
                        self._skip(part, object_uri(obj), RuntimeError(error))
                        continue
                    self._done(part)
                    yield obj.name, content
        finally:
            results.close()


def _decode_tar_stream(batch: Batch, objects: Sequence[Object]) -> Fetched:
    """A streamed ``.tar`` Get-Batch, decoded with the shard reader's tar decoder.

    Decoding is most of the client's time per sample, and that decoder is several times
    cheaper than ``tarfile``'s. Members arrive in request order; one the server could not read
    (``cont_on_err``) is an empty member named ``__404__/<bucket>/<object>``.
    """
    fetched: Fetched = []
    with batch.get(raw=True) as response:
        members = iter_tar_members(response.read)
        for obj, (name, content) in zip(objects, members, strict=False):
            missing = not content and name == f"{MISSING_PREFIX}{obj.bucket_name}/{obj.name}"
            fetched.append((MISSING_ENTRY_ERROR if missing else None, content))
        if len(fetched) < len(objects):
            raise SampleError(
                f"the Get-Batch archive ended after {len(fetched)} of {len(objects)} entries: "
                f"{object_uri(objects[len(fetched)])} did not arrive"
            )
        left = _TAIL_LIMIT
        while left > 0 and (tail := response.read(min(left, 64 * 1024))):
            left -= len(tail)
    return fetched
