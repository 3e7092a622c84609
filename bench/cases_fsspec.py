"""``ais://`` through fsspec vs s3fs on the same cluster's S3-compatible API.

s3fs reaches aisnode at ``{endpoint}/s3`` with dummy credentials (AIS checks no SigV4 signature
without AuthN) after the cluster feature ``S3-Reverse-Proxy`` (value 8192) is switched on with
``PUT /v1/cluster/set-config?features=8192``: the proxy then relays object requests itself
instead of answering with 307 redirects, which botocore does not follow. Path-style addressing,
and checksums only when required (AIS does not take botocore's default trailing CRC checksums).
aisnode answers s3fs's HEAD of a directory's name (``bucket/pq``) with 400 instead of 404, which
s3fs does not take for "not a file"; listing the bucket first lets s3fs know ``pq`` is a
directory, so each scan (on either filesystem) starts with one ``ls`` of the bucket.

Cases, each timed in the same process with the two filesystems taking turns:
- a scan of a parquet dataset (``pandas.read_parquet`` of the directory), also against the
  same scan with the files fetched whole by aisclient's own ``get_reader`` (on as many threads
  as pyarrow uses) and decoded from memory: the limit of a scan through this client;
- random row-group reads: per file, its footer and two row groups (``pyarrow.parquet``);
- ``cat`` of many 16 KiB objects (one Get-Batch for ``ais://``; s3fs sends concurrent GETs).
"""

from __future__ import annotations

import io
import os
import random
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

BUCKET = "bench-fsspec"
FEATURE_S3_REVERSE_PROXY = "8192"
READ_THREADS = 8  # pyarrow's default I/O thread count
SMALL_SIZE = 16 << 10
ROW_GROUPS_PER_FILE = 8

Row = tuple[str, dict[str, float]]


def _parquet_bytes(target_mib: int) -> bytes:
    """One parquet file of about ``target_mib`` MiB: random float64 columns (incompressible),
    ``ROW_GROUPS_PER_FILE`` row groups."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = (target_mib << 20) // (4 * 8)
    rng = np.random.default_rng(7)
    table = pa.table({f"c{i}": rng.random(rows) for i in range(4)})
    sink = io.BytesIO()
    pq.write_table(table, sink, row_group_size=rows // ROW_GROUPS_PER_FILE)
    return sink.getvalue()


def _enable_s3(client: Any) -> bool:
    """Switch on the S3 reverse proxy; False when the server has no such API (LocalCluster)."""
    from aisclient import AISError, Request

    try:
        client.send(
            Request(
                "PUT", ("cluster", "set-config"), query=(("features", FEATURE_S3_REVERSE_PROXY),)
            )
        )
    except AISError:
        return False
    return True


def _s3fs(endpoint: str) -> Any:
    import s3fs

    return s3fs.S3FileSystem(
        key="ais",
        secret="ais",
        endpoint_url=f"{endpoint}/s3",
        config_kwargs={
            "s3": {"addressing_style": "path"},
            "request_checksum_calculation": "when_required",
            "response_checksum_validation": "when_required",
        },
    )


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _interleave(runs: int, cases: dict[str, Callable[[], float]]) -> dict[str, float]:
    samples: dict[str, list[float]] = {name: [] for name in cases}
    names = list(cases)
    for turn in range(runs):
        for name in names if turn % 2 == 0 else names[::-1]:
            samples[name].append(cases[name]())
    return {name: statistics.median(values) for name, values in samples.items()}


def run(endpoint: str, quick: bool) -> list[Row]:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    import fsspec
    from aisclient import Client

    files, file_mib = (16, 8) if quick else (64, 8)
    small_count = 200 if quick else 1000
    runs = 2 if quick else 5
    client = Client(endpoint, timeout=(5, 120))
    bucket = client.bucket(BUCKET).create(exist_ok=True)
    content = _parquet_bytes(file_mib)
    names = [f"pq/part-{i:03d}.parquet" for i in range(files)]
    for name in names:
        bucket.object(name).get_writer().put_content(content)
    small = [f"small/{i:05d}" for i in range(small_count)]
    blob = os.urandom(SMALL_SIZE)
    with ThreadPoolExecutor(READ_THREADS) as pool:
        list(pool.map(lambda n: bucket.object(n).get_writer().put_content(blob), small))

    systems: dict[str, Any] = {"aisclient": fsspec.filesystem("ais", endpoint=endpoint)}
    if _enable_s3(client):
        systems["s3fs"] = _s3fs(endpoint)
    scan_bytes = files * len(content)
    rows = files * pq.ParquetFile(io.BytesIO(content)).metadata.num_rows
    picks = random.Random(3)

    def scan(fs: Any) -> Callable[[], float]:
        def measure() -> float:
            fs.invalidate_cache()

            def read() -> None:
                fs.ls(BUCKET)  # see the module docstring: s3fs needs it, both pay it
                assert len(pd.read_parquet(f"{BUCKET}/pq", filesystem=fs)) == rows

            return scan_bytes / (1 << 20) / _timed(read)

        return measure

    def scan_with_get_reader() -> float:
        """The same scan with the bytes fetched by ``get_reader``: each file read whole on
        ``READ_THREADS`` threads and decoded from memory, then one frame, as pandas makes it."""

        def fetch(name: str) -> Any:
            return pq.read_table(pa.BufferReader(bucket.object(name).get_reader().read_all()))

        def all_files() -> None:
            with ThreadPoolExecutor(READ_THREADS) as pool:
                frame = pa.concat_tables(list(pool.map(fetch, names))).to_pandas()
            assert len(frame) == rows

        return scan_bytes / (1 << 20) / _timed(all_files)

    def row_groups(fs: Any) -> Callable[[], float]:
        def one(name: str) -> int:
            groups = picks.sample(range(ROW_GROUPS_PER_FILE), 2)
            with fs.open(f"{BUCKET}/{name}", "rb") as f:
                return int(pq.ParquetFile(f).read_row_groups(groups).num_rows)

        def measure() -> float:
            fs.invalidate_cache()
            with ThreadPoolExecutor(READ_THREADS) as pool:
                seconds = _timed(lambda: list(pool.map(one, names)))
            return files / seconds

        return measure

    def cat_small(fs: Any) -> Callable[[], float]:
        paths = [f"{BUCKET}/{name}" for name in small]

        def measure() -> float:
            fs.invalidate_cache()
            out: dict[str, bytes] = {}
            seconds = _timed(lambda: out.update(fs.cat(paths)))
            assert len(out) == small_count and all(len(v) == SMALL_SIZE for v in out.values())
            return small_count / seconds

        return measure

    for fs in systems.values():  # untimed warm-up: connections, imports, the server's caches
        scan(fs)()
        row_groups(fs)()
        cat_small(fs)()
    scan_with_get_reader()

    scan_cases: dict[str, Callable[[], float]] = {k: scan(v) for k, v in systems.items()}
    scan_cases["get_reader"] = scan_with_get_reader
    rows: list[Row] = [
        (f"ais:// parquet scan {files} x {file_mib} MiB, MiB/s", _interleave(runs, scan_cases)),
        (
            f"ais:// row groups: footer + 2 of {ROW_GROUPS_PER_FILE} per file, files/s",
            _interleave(runs, {k: row_groups(v) for k, v in systems.items()}),
        ),
        (
            f"ais:// cat of {small_count} x 16 KiB, objects/s",
            _interleave(runs, {k: cat_small(v) for k, v in systems.items()}),
        ),
    ]
    bucket.delete(missing_ok=True)
    return rows
