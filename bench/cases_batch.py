"""Get-Batch: extracting a large batch of 1 MiB objects vs downloading the same archive raw.

The baseline is raw urllib3 sending the very request aisclient's builder makes (proxy hop
included) and streaming the archive with ``HTTPResponse.stream``; aisclient decodes it into
``(entry, bytes)`` pairs. Each case runs in a fresh process (for peak RSS), clients taking
turns in alternating order after an untimed warm-up of both.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

OBJ_SIZE = 1 << 20
BUCKET = "bench-batch"
WHO = ("urllib3", "aisclient")
TIMEOUT = (5.0, 120.0)


def _names(count: int) -> list[str]:
    return [f"s/{i:05d}.bin" for i in range(count)]


def _child(who: str, endpoint: str, count: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.cases_batch", who, endpoint, str(count)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _case(who: str, endpoint: str, count: int) -> None:
    from aisclient import Client
    from bench._measure import peak_growth_mib

    client = Client(endpoint, timeout=TIMEOUT)
    bucket = client.bucket(BUCKET)
    bucket.head()  # warm-up, untimed: libraries loaded, a pooled connection
    total = 0

    def extract() -> None:
        nonlocal total
        for _entry, content in client.batch(_names(count), bucket=bucket).get():
            total += len(content)

    if who == "aisclient":
        action = extract
    else:
        from aisclient.ops.batch import get_batch
        from aisclient.request import JsonBody, render_url
        from bench.raw import RawClient

        request = get_batch(client.batch(_names(count), bucket=bucket).request, bucket.ref)
        assert isinstance(request.body, JsonBody)
        url, body = render_url(endpoint, request), request.body.data
        raw = RawClient(endpoint, timeout=TIMEOUT)
        raw.pool.request("HEAD", f"{raw.endpoint}/v1/buckets/{BUCKET}?provider=ais")  # warm-up

        def action() -> None:
            nonlocal total
            total += raw.get_archive(url, body, OBJ_SIZE)

    start = time.perf_counter()
    growth = peak_growth_mib(action)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "rss_mib": growth, "bytes": total}))


def run(endpoint: str, quick: bool) -> list[tuple[str, dict[str, float]]]:
    from aisclient import Client

    count = 128 if quick else 2048
    bucket = Client(endpoint).bucket(BUCKET).create(exist_ok=True)
    block = bytes(range(256)) * (OBJ_SIZE // 256)
    for name in _names(count):
        bucket.object(name).get_writer().put_content(block)
    speed: dict[str, list[float]] = {who: [] for who in WHO}
    rss: dict[str, list[float]] = {who: [] for who in WHO}
    _child("urllib3", endpoint, count)  # untimed: the server reads every object once
    for turn in range(2 if quick else 6):
        for who in WHO if turn % 2 == 0 else WHO[::-1]:
            result = _child(who, endpoint, count)
            # Both speeds in object bytes: the raw archive also holds headers and padding.
            content = count * OBJ_SIZE
            assert result["bytes"] >= content if who == "urllib3" else result["bytes"] == content
            speed[who].append(content / (1 << 20) / result["seconds"])
            rss[who].append(result["rss_mib"])
    bucket.delete(missing_ok=True)
    label = f"Get-Batch {count} x 1 MiB"
    return [
        (
            f"{label}: extract vs raw archive, MiB/s",
            {k: statistics.median(v) for k, v in speed.items()},
        ),
        (f"{label}: peak RSS growth MiB", {k: max(v) for k, v in rss.items()}),
    ]


if __name__ == "__main__":
    _case(sys.argv[1], sys.argv[2], int(sys.argv[3]))
