"""``just demo``: a short tour against AIS_ENDPOINT, or an embedded LocalCluster when unset.

Creates a bucket, uploads a small generated dataset, lists it, reads objects whole and by
range, pulls a Get-Batch archive, copies the bucket with a waited job, prints a report, and
removes what it made.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import time
import uuid
from collections.abc import Iterator

from aisclient import Client

SAMPLES = 48
SAMPLE_SIZE = 32 * 1024


def _progress(done: int, total: int, label: str) -> None:
    width = 30
    filled = width * done // total
    sys.stderr.write(f"\r  {label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _sample(index: int) -> bytes:
    seed = hashlib.sha256(f"sample-{index}".encode()).digest()
    return (seed * (SAMPLE_SIZE // len(seed) + 1))[:SAMPLE_SIZE]


@contextlib.contextmanager
def _cluster() -> Iterator[tuple[str, str]]:
    endpoint = os.environ.get("AIS_ENDPOINT")
    if endpoint:
        yield endpoint, "the cluster at AIS_ENDPOINT"
        return
    from aisclient.testing import LocalCluster

    with LocalCluster(targets=2) as cluster:
        yield cluster.endpoint, "an embedded LocalCluster (1 proxy + 2 targets)"


def run(endpoint: str) -> list[tuple[str, str]]:
    """Run the tour against ``endpoint``; return the report rows."""
    client = Client(endpoint)
    report: list[tuple[str, str]] = []
    suffix = uuid.uuid4().hex[:8]
    src = client.bucket(f"demo-src-{suffix}").create()
    dst = client.bucket(f"demo-dst-{suffix}")
    try:
        start = time.perf_counter()
        for i in range(SAMPLES):
            src.object(f"train/sample-{i:03d}.bin").get_writer().put_content(_sample(i))
            _progress(i + 1, SAMPLES, "upload")
        took = time.perf_counter() - start
        mib = SAMPLES * SAMPLE_SIZE / (1 << 20)
        report.append(("uploaded", f"{SAMPLES} objects, {mib:.1f} MiB in {took:.2f} s"))

        entries = src.list_all_objects(prefix="train/", page_size=16)
        report.append(("listed", f"{len(entries)} objects in pages of 16"))

        first = src.object("train/sample-000.bin")
        whole = first.get_reader().read_all()
        head = first.get_reader(byte_range="bytes=0-15").read_all()
        props = first.head()
        ok = whole == _sample(0) and head == _sample(0)[:16] and props.size == SAMPLE_SIZE
        report.append(
            ("read back", f"whole + range + head of {first.name}: {'ok' if ok else 'MISMATCH'}")
        )

        names = [f"train/sample-{i:03d}.bin" for i in range(0, SAMPLES, 6)]
        batch = client.batch(names, bucket=src)
        got = sum(1 for _entry, content in batch.get() if content)
        report.append(("get-batch", f"{got} of {len(names)} objects in one streamed tar"))

        job_id = src.copy(dst)
        result = client.job(job_id).wait(timeout=120, verbose=False)
        copied = len(dst.list_all_objects())
        report.append(("copy bucket", f"job {job_id}: success={result.success}, {copied} objects"))
    finally:
        for bucket in (src, dst):
            with contextlib.suppress(Exception):
                bucket.delete(missing_ok=True)
    report.append(("cleanup", "both buckets destroyed"))
    return report


def main() -> int:
    with _cluster() as (endpoint, what):
        print(f"aisclient demo against {what}: {endpoint}")
        rows = run(endpoint)
    width = max(len(label) for label, _ in rows)
    print()
    for label, text in rows:
        print(f"  {label:<{width}}  {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
