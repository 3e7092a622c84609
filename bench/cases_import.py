"""Import (and client construction) wall time in a fresh interpreter.

aisclient loads urllib3 (with ``http.client`` and ``ssl``) when it sends its first request,
not when a ``Client`` is made; so, against a server, a second row also times the first
request (a HEAD of one object, proxy hop included), where every client has paid everything.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

SNIPPETS = {
    "aisclient": "from aisclient import Client; Client('http://127.0.0.1:1')",
    "official SDK": "from aistore.sdk import Client; Client('http://127.0.0.1:1')",
    "urllib3": "import urllib3; urllib3.PoolManager()",
}
FIRST_HEAD = {
    "aisclient": "from aisclient import Client; Client({ep!r}).bucket({b!r}).object('o').head()",
    "official SDK": (
        "from aistore.sdk import Client; Client({ep!r}).bucket({b!r}).object('o').head()"
    ),
    "urllib3": (
        "import urllib3; urllib3.PoolManager().request('HEAD', "
        "{ep!r} + '/v1/objects/' + {b!r} + '/o?provider=ais').headers['Content-Length']"
    ),
}
BUCKET = "bench-import"


def _wall(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - start


def _row(snippets: dict[str, str], runs: int, baseline: float) -> dict[str, float]:
    result: dict[str, float] = {}
    samples: dict[str, list[float]] = {who: [] for who in snippets}
    for _ in range(runs):  # interleaved, so a slow moment of the machine hits all alike
        for who, code in snippets.items():
            if who in samples:
                try:
                    samples[who].append(_wall(code))
                except subprocess.CalledProcessError:
                    del samples[who]  # not installed in this environment
    for who, values in samples.items():
        result[who] = max(0.0, statistics.median(values) - baseline) * 1000
    return result


def run(runs: int, endpoint: str | None = None) -> list[tuple[str, dict[str, float]]]:
    baseline = statistics.median(_wall("pass") for _ in range(runs))
    rows = [
        ("import + Client(), ms (interpreter start subtracted)", _row(SNIPPETS, runs, baseline))
    ]
    if endpoint is not None:
        from aisclient import Client

        bucket = Client(endpoint).bucket(BUCKET).create(exist_ok=True)
        bucket.object("o").get_writer().put_content(b"x" * 1024)
        first = {who: code.format(ep=endpoint, b=BUCKET) for who, code in FIRST_HEAD.items()}
        rows.append(("import + Client() + first HEAD, ms", _row(first, runs, baseline)))
        bucket.delete(missing_ok=True)
    return rows
