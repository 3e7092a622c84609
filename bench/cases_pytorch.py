"""PyTorch data loading: samples/s of a DataLoader (2 workers, batch 32) over small objects and
over tar shards of the same samples, aisclient's datasets against the official SDK's.

Each case runs in a fresh process (fork workers, as a DataLoader does on Linux by default), the
two clients taking turns. The time covers building the dataset (its listing) and the whole
epoch. Memory is the peak RSS growth of a DataLoader worker over its RSS when it started
(sampled every 5 ms by a thread in the worker), the largest of the two.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import statistics
import subprocess
import sys
import tarfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

OBJ_SIZE = 16 << 10
BUCKET = "bench-torch"
WHO = ("aisclient", "official SDK")
KINDS = {"iter": "AISIterDataset", "batch": "AISBatchIterDataset", "shard": "AISShardReader"}
#: aisclient only: AISIterDataset reading straight from the targets (its row repeats the SDK's
#: AISIterDataset, which has no such option).
DIRECT = "AISIterDataset(direct=True)"
BATCH = 32
WORKERS = 2


def _dataset(who: str, kind: str, endpoint: str) -> Any:
    if who == "aisclient":
        from aisclient import Client
        from aisclient.pytorch import AISBatchIterDataset, AISIterDataset, AISShardReader
    else:
        from aistore.pytorch import AISIterDataset, AISShardReader
        from aistore.pytorch.batch_iter_dataset import AISBatchIterDataset
        from aistore.sdk import Client
    client = Client(endpoint)
    bucket = client.bucket(BUCKET)
    if kind == "shard":
        return AISShardReader(bucket, prefix_map={bucket: "shards/"})
    if kind == "batch":
        return AISBatchIterDataset(bucket, client, prefix_map={bucket: "obj/"}, max_batch_size=32)
    if kind == "direct":
        return AISIterDataset(bucket, prefix_map={bucket: "obj/"}, direct=True)
    return AISIterDataset(bucket, prefix_map={bucket: "obj/"})


#: Peak RSS growth (MiB) per worker, written by the workers' sampling threads.
_PEAKS: Any = None


def _watch_rss(worker_id: int) -> None:
    from bench._measure import rss_kib

    base = rss_kib()

    def sample() -> None:
        while True:
            _PEAKS[worker_id] = max(_PEAKS[worker_id], (rss_kib() - base) / 1024)
            time.sleep(0.005)

    threading.Thread(target=sample, daemon=True).start()


def _case(who: str, kind: str, endpoint: str) -> None:
    global _PEAKS
    import torch.utils.data

    _PEAKS = multiprocessing.get_context("fork").Array("d", WORKERS)
    start = time.perf_counter()
    loader = torch.utils.data.DataLoader(
        _dataset(who, kind, endpoint),
        batch_size=BATCH,
        num_workers=WORKERS,
        multiprocessing_context="fork",
        worker_init_fn=_watch_rss,
    )
    samples = 0
    for names, _fields in loader:
        samples += len(names)
    seconds = time.perf_counter() - start
    result = {"samples": samples, "seconds": seconds, "worker_rss_mib": max(_PEAKS)}
    print(json.dumps(result))


def _child(who: str, kind: str, endpoint: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.cases_pytorch", who, kind, endpoint],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _content(index: int) -> bytes:
    return index.to_bytes(4, "big") * (OBJ_SIZE // 4)


def _shard(indices: range) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for i in indices:
            info = tarfile.TarInfo(f"{i:05d}.bin")
            info.size = OBJ_SIZE
            archive.addfile(info, io.BytesIO(_content(i)))
    return buffer.getvalue()


def _upload(endpoint: str, count: int, shards: int) -> None:
    from aisclient import Client

    bucket = Client(endpoint).bucket(BUCKET).create(exist_ok=True)

    def put_object(i: int) -> None:
        bucket.object(f"obj/{i:05d}.bin").get_writer().put_content(_content(i))

    def put_shard(s: int) -> None:
        indices = range(s * count // shards, (s + 1) * count // shards)
        bucket.object(f"shards/{s:03d}.tar").get_writer().put_content(_shard(indices))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(put_object, range(count)))
        list(pool.map(put_shard, range(shards)))


def run(endpoint: str, quick: bool) -> list[tuple[str, dict[str, float]]]:
    from aisclient import Client

    count, shards = (2000, 16) if quick else (10_000, 64)
    _upload(endpoint, count, shards)
    cases = {**{kind: WHO for kind in KINDS}, "direct": ("aisclient",)}
    speed: dict[str, dict[str, list[float]]] = {k: {w: [] for w in c} for k, c in cases.items()}
    rss: dict[str, dict[str, list[float]]] = {k: {w: [] for w in c} for k, c in cases.items()}
    for kind, whos in cases.items():
        _child("aisclient", kind, endpoint)  # untimed: warms the server's caches
        for turn in range(1 if quick else 3):
            for who in whos if turn % 2 == 0 else whos[::-1]:
                result = _child(who, kind, endpoint)
                assert result["samples"] == count, (who, kind, result)
                speed[kind][who].append(result["samples"] / result["seconds"])
                rss[kind][who].append(result["worker_rss_mib"])
    Client(endpoint).bucket(BUCKET).delete(missing_ok=True)
    objects = f"{count} x 16 KiB"
    rows: list[tuple[str, dict[str, float]]] = []
    for kind, name in KINDS.items():
        where = f"{shards} shards of {objects}" if kind == "shard" else objects
        label = f"DataLoader {where}, {name}"
        rows.append(
            (f"{label}, samples/s", {w: statistics.median(v) for w, v in speed[kind].items()})
        )
        growth = {w: max(v) for w, v in rss[kind].items()}
        rows.append((f"{label}, worker RSS growth MiB", growth))
    direct = {"aisclient": statistics.median(speed["direct"]["aisclient"])}
    direct["official SDK"] = statistics.median(speed["iter"]["official SDK"])
    rows.append((f"DataLoader {objects}, {DIRECT}, samples/s", direct))
    batch = statistics.median(speed["batch"]["aisclient"])
    single = statistics.median(speed["iter"]["aisclient"])
    rows.append(
        ("DataLoader AISBatchIterDataset / AISIterDataset, x", {"aisclient": batch / single})
    )
    return rows


if __name__ == "__main__":
    _case(sys.argv[1], sys.argv[2], sys.argv[3])
