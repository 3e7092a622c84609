"""Large-object streaming (GET and PUT of a big object), each case in a fresh process for RSS.

Fairness: the clients take turns in alternating order (ABBA...), every PUT creates the object
afresh (it is deleted first) and dirty pages of the previous write are flushed (``os.sync``)
before each case, so that neither side pays for the other's disk writeback.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

CHUNK = 1 << 20
BUCKET = "bench-large"
NAME = "big.bin"
WHO = ("urllib3", "aisclient")
#: Ranged GETs in flight for the parallel read of one object (``get_reader(num_workers=...)``).
WORKERS = 4
TIMEOUT = (5.0, 120.0)


def _child(kind: str, who: str, endpoint: str, path: str, size: int) -> dict[str, float]:
    """Run one case in a child interpreter; return its seconds, CPU seconds and RSS growth."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.cases_large", kind, who, endpoint, path, str(size)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _case(kind: str, who: str, endpoint: str, path: str, size: int) -> None:
    from bench._measure import peak_growth_mib

    if who == "aisclient":
        from aisclient import Client

        client = Client(endpoint, timeout=TIMEOUT)
        client.bucket(BUCKET).head()  # warm-up, untimed: libraries loaded, a pooled connection
        obj = client.bucket(BUCKET).object(NAME)
        if kind == "get":

            def action() -> object:
                reader = obj.get_reader(chunk_size=CHUNK)
                return sum(len(chunk) for chunk in reader)
        elif kind == "pget":

            def action() -> object:
                reader = obj.get_reader(num_workers=WORKERS)
                return sum(len(chunk) for chunk in reader)
        else:

            def action() -> object:
                return obj.get_writer().put_file(path)
    else:
        from bench.raw import RawClient

        raw = RawClient(endpoint, timeout=TIMEOUT)
        raw.pool.request("HEAD", f"{raw.endpoint}/v1/buckets/{BUCKET}?provider=ais")  # warm-up
        if kind == "get":

            def action() -> object:
                return raw.get_stream(BUCKET, NAME, CHUNK)
        else:

            def action() -> object:
                return raw.put_file(BUCKET, NAME, path, size)

    cpu = time.process_time()
    start = time.perf_counter()
    growth = peak_growth_mib(action)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rss_mib": growth}))


def run(endpoint: str, size: int, runs: int) -> list[tuple[str, dict[str, float]]]:
    from aisclient import Client

    bucket = Client(endpoint).bucket(BUCKET).create(exist_ok=True)
    fd, path = tempfile.mkstemp(prefix="aisclient-bench-")
    try:
        with os.fdopen(fd, "wb") as handle:
            block = os.urandom(CHUNK)
            for _ in range(size // CHUNK):
                handle.write(block)
        mib = size / (1 << 20)
        gib = size / (1 << 30)
        rows: list[tuple[str, dict[str, float]]] = []
        for kind in ("put", "get"):
            speed: dict[str, list[float]] = {who: [] for who in WHO}
            cpu: dict[str, list[float]] = {who: [] for who in WHO}
            rss: dict[str, list[float]] = {who: [] for who in WHO}
            for turn in range(runs):
                for who in WHO if turn % 2 == 0 else WHO[::-1]:
                    if kind == "put" and bucket.object(NAME).exists():
                        bucket.object(NAME).delete()
                    os.sync()
                    result = _child(kind, who, endpoint, path, size)
                    speed[who].append(mib / result["seconds"])
                    cpu[who].append(result["cpu"] / gib)
                    rss[who].append(result["rss_mib"])
            label = f"{mib:.0f} MiB " + ("PUT from a file" if kind == "put" else "GET streamed")
            rows.append((f"{label}, MiB/s", _medians(speed)))
            rows.append((f"{label}, client CPU s/GiB", _medians(cpu)))
            rows.append((f"{label}, peak RSS growth MiB", {k: max(v) for k, v in rss.items()}))
        rows.append(_parallel_row(endpoint, path, size, max(2, runs // 2)))
        bucket.delete(missing_ok=True)
        return rows
    finally:
        os.unlink(path)


def _parallel_row(endpoint: str, path: str, size: int, runs: int) -> tuple[str, dict[str, float]]:
    """One object read by ``WORKERS`` ranged GETs vs by one stream, both aisclient, in turns."""
    mib = size / (1 << 20)
    speed: dict[str, list[float]] = {"aisclient": [], "get_reader": []}
    for turn in range(runs):
        kinds = ("pget", "get") if turn % 2 == 0 else ("get", "pget")
        for kind in kinds:
            result = _child(kind, "aisclient", endpoint, path, size)
            speed["aisclient" if kind == "pget" else "get_reader"].append(mib / result["seconds"])
    label = f"{mib:.0f} MiB GET, get_reader(num_workers={WORKERS}) vs one stream, MiB/s"
    return label, _medians(speed)


def _medians(samples: dict[str, list[float]]) -> dict[str, float]:
    return {who: statistics.median(values) for who, values in samples.items()}


if __name__ == "__main__":
    _case(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
