"""Small-object operations (1 KiB GET / HEAD / PUT) and Request building.

Every client does the same exchanges (proxy, 307, target) with the same timeouts (3 s
connect, 20 s read: the clients' default). Clients take turns run by run (``interleaved``),
so a slow phase of this shared machine hits all alike. Besides ops/s (which includes the
server's time) the client CPU per operation is reported: steadier, and the client's own cost.
"""

from __future__ import annotations

import time
import timeit
from collections.abc import Callable

from aisclient import Client
from bench._measure import interleaved, ops_per_second
from bench.raw import RawClient

SIZE = 1024
OBJECTS = 64
BUCKET = "bench-small"


def _sdk_client(endpoint: str) -> object | None:
    try:
        from aistore.sdk import Client as SdkClient  # the official SDK, if installed for bench
    except ImportError:
        return None
    return SdkClient(endpoint)


def _cpu_us_per_op(op: Callable[[int], object], count: int) -> float:
    start = time.process_time()
    for i in range(count):
        op(i)
    return (time.process_time() - start) / count * 1e6


def run(endpoint: str, count: int, runs: int) -> list[tuple[str, dict[str, float]]]:
    client = Client(endpoint)
    bucket = client.bucket(BUCKET).create(exist_ok=True)
    payload = b"x" * SIZE
    for i in range(OBJECTS):
        bucket.object(f"o{i}").get_writer().put_content(payload)
    raw = RawClient(endpoint)
    sdk = _sdk_client(endpoint)
    sdk_bucket = sdk.bucket(BUCKET) if sdk is not None else None  # type: ignore[attr-defined]

    def name(i: int) -> str:
        return f"o{i % OBJECTS}"

    ops: dict[str, dict[str, Callable[[int], object]]] = {
        "GET": {
            "aisclient": lambda i: bucket.object(name(i)).get_reader().read_all(),
            "urllib3": lambda i: raw.get(BUCKET, name(i)),
        },
        "HEAD": {
            "aisclient": lambda i: bucket.object(name(i)).head(),
            "urllib3": lambda i: raw.head(BUCKET, name(i)),
        },
        "PUT": {
            "aisclient": lambda i: bucket.object(name(i)).get_writer().put_content(payload),
            "urllib3": lambda i: raw.put(BUCKET, name(i), payload),
        },
        # Straight to the owning target (no proxy hop); compare with the "small GET" rows.
        "GET direct": {
            "aisclient": lambda i: bucket.object(name(i)).get_reader(direct=True).read_all(),
        },
    }
    if sdk_bucket is not None:
        ops["GET"]["official SDK"] = lambda i: sdk_bucket.object(name(i)).get_reader().read_all()
        ops["HEAD"]["official SDK"] = lambda i: sdk_bucket.object(name(i)).head()
        ops["PUT"]["official SDK"] = lambda i: (
            sdk_bucket.object(name(i)).get_writer().put_content(payload)
        )

    rows: list[tuple[str, dict[str, float]]] = []
    for op, clients in ops.items():
        title = "GET 1 KiB direct" if op == "GET direct" else f"{op} 1 KiB"
        for fn in clients.values():
            for i in range(2 * OBJECTS):
                fn(i)  # warm the pools (and the server's caches) for every client alike
        for threads in (1, 8):
            cases = {
                who: (lambda fn=fn, t=threads: ops_per_second(fn, count, t))
                for who, fn in clients.items()
            }
            rows.append((f"small {title}, {threads} thread(s), ops/s", interleaved(runs, cases)))
        cpu = {who: (lambda fn=fn: _cpu_us_per_op(fn, count)) for who, fn in clients.items()}
        rows.append((f"small {title}, client CPU µs/op", interleaved(runs, cpu)))
    bucket.delete(missing_ok=True)
    return rows


def build_get_request_us() -> float:
    """Microseconds to build one object GET Request (best of 5 runs of 20k)."""
    from aisclient.ops.object import get_object
    from aisclient.provider import BucketRef

    ref = BucketRef("bench")
    number = 20_000
    best = min(timeit.repeat(lambda: get_object(ref, "dir/obj-001.bin"), number=number, repeat=5))
    return best / number * 1e6
