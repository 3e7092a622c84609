"""Transfers of whole objects and many objects: range reads, Get-Batch, downloads, deletes."""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from aisclient.errors import AISError, APIRequestError
from aisclient.fsspec.errors import missing, os_errors
from aisclient.wait import poll

if TYPE_CHECKING:
    from aisclient.bucket import Bucket
    from aisclient.client import Client
    from aisclient.models.job import JobStatus
    from aisclient.obj import Object

DOWNLOAD_CHUNK = 1 << 20
DELETE_WAIT_SECONDS = 600.0
DELETE_POLL_SECONDS = 0.05
RANGE_NOT_SATISFIABLE = 416

RangeJob = tuple["Object", str, "int | None", "int | None"]


def read_range(handle: Object, path: str, start: int | None, end: int | None) -> bytes:
    """Bytes ``[start, end)`` of an object (negative values count from its end), with one
    ranged GET; the whole object only when no range is asked for."""
    start = 0 if start is None else start
    with os_errors(path):
        if start < 0 or (end is not None and end < 0):
            size = handle.head().size
            start = max(0, size + start) if start < 0 else start
            end = size + end if end is not None and end < 0 else end
        if end is not None and end <= start:
            return b""
        if start == 0 and end is None:
            byte_range = None
        else:
            byte_range = f"bytes={start}-{'' if end is None else end - 1}"
        try:
            return bytes(handle.get_reader(byte_range=byte_range).read_all())
        except APIRequestError as err:
            if err.status_code == RANGE_NOT_SATISFIABLE:  # starts at or past the end
                return b""
            raise


def read_ranges(
    jobs: Sequence[RangeJob], max_workers: int, *, raise_errors: bool
) -> list[bytes | Exception]:
    """Every range, fetched in parallel; a failed one is its exception unless ``raise_errors``."""

    def one(job: RangeJob) -> bytes | Exception:
        try:
            return read_range(*job)
        except (OSError, AISError) as err:
            if raise_errors:
                raise
            return err

    if not jobs:
        return []
    with ThreadPoolExecutor(max_workers=min(max_workers, len(jobs))) as pool:
        return list(pool.map(one, jobs))


def get_batch(
    client: Client, named: Sequence[tuple[str, Object]], on_error: str
) -> dict[str, bytes | Exception]:
    """``{path: bytes}`` for every object, from one Get-Batch request (a streamed archive).

    A missing object is a ``FileNotFoundError``: raised (``on_error="raise"``), left out
    (``"omit"``) or put in the result (``"return"``).
    """
    out: dict[str, bytes | Exception] = {}
    if not named:
        return out
    where = named[0][0]
    with os_errors(where):
        results = client.batch([handle for _, handle in named], cont_on_err=True).get()
        for (path, _), (entry, content) in zip(named, results, strict=True):
            if entry.missing:
                err = missing(path, entry.err_msg or "")
                if on_error == "raise":
                    raise err
                if on_error == "return":
                    out[path] = err
                continue
            out[path] = content
    return out


def download(handle: Object, path: str, local_path: str) -> None:
    """Stream an object into a local file; a missing object raises before the file exists."""
    with os_errors(path):
        chunks = iter(handle.get_reader(chunk_size=DOWNLOAD_CHUNK))
        first = next(chunks, b"")  # sends the GET
    parent = os.path.dirname(local_path)
    if parent:
        os.makedirs(parent, exist_ok=True)
    with open(local_path, "wb") as out, os_errors(path):
        out.write(first)
        for chunk in chunks:
            out.write(chunk)


def delete_objects(client: Client, bucket: Bucket, keys: Sequence[str]) -> None:
    """Delete ``keys``: one DELETE for one object, else one multi-object delete, waited for."""
    if not keys:
        return
    if len(keys) == 1:
        with os_errors(f"{bucket.name}/{keys[0]}"):
            bucket.object(keys[0]).delete()
        return
    with os_errors(bucket.name):
        job_id = bucket.objects(obj_names=list(keys)).delete()
        if not job_id:
            return
        job = client.job(job_id)

        def finished() -> JobStatus | None:
            try:
                status = job.status()
            except APIRequestError as err:
                if err.status_code == 404:  # not registered yet, right after the start
                    return None
                raise
            return status if status.is_finished else None

        status = poll(
            finished,
            timeout=DELETE_WAIT_SECONDS,
            what=f"deleting {len(keys)} objects from {bucket.name!r}",
            interval=DELETE_POLL_SECONDS,
        )
    if status.err or status.aborted:
        raise OSError(f"deleting objects from {bucket.name!r} failed: {status.err or 'aborted'}")
