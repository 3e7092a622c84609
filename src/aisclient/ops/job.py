"""Builders for job (xaction) control and queries on ``/v1/cluster``.

Start and stop are ``PUT`` action messages whose ``value`` is the server's ``ArgsMsg``
(capitalised Go field names). Queries are ``GET`` requests *with a JSON body*; they change
nothing, so they may be retried.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aisclient.ops._common import action_body
from aisclient.provider import BucketRef
from aisclient.request import JsonBody, Request

CLUSTER = "cluster"
WHAT_STATUS = "status"
WHAT_STATUS_ALL = "status_all"
WHAT_RUNNING_ALL = "running_all"
WHAT_SNAPSHOTS = "qryxstats"


def _bck(bucket: BucketRef | None) -> dict[str, Any] | None:
    return None if bucket is None else bucket.as_json()


def job_args(
    job_id: str = "",
    kind: str = "",
    daemon_id: str = "",
    buckets: Sequence[BucketRef] | None = None,
) -> dict[str, Any]:
    """``ArgsMsg`` as the official SDK sends it: one bucket in ``Bck``, several in ``Buckets``."""
    items = list(buckets or [])
    return {
        "ID": job_id,
        "Kind": kind,
        "DaemonID": daemon_id,
        "Bck": items[0].as_json() if len(items) == 1 else None,
        "Buckets": [b.as_json() for b in items] if len(items) > 1 else None,
    }


def start_job(
    kind: str,
    *,
    daemon_id: str = "",
    force: bool = False,
    buckets: Sequence[BucketRef] | None = None,
    name: str = "",
) -> Request:
    """``PUT /v1/cluster`` with action ``start``; the response is the job id as text.

    ``force`` goes into the value's ``Force`` (which the server reads) and, as the SDK does,
    into the ``frc=true`` query. ``name`` is the action's extra string (e.g. the object of a
    blob download).
    """
    value = job_args("", kind, daemon_id, buckets)
    if force:
        value["Force"] = True
    return Request(
        "PUT",
        (CLUSTER,),
        query=(("frc", "true"),) if force else (),
        body=action_body("start", name=name, value=value),
        idempotent=False,
    )


def stop_job(job_id: str = "", kind: str = "", *, bucket: BucketRef | None = None) -> Request:
    """``PUT /v1/cluster`` with action ``stop`` (aborts every job matching id/kind/bucket)."""
    if not job_id and not kind:
        raise ValueError("stopping a job needs its id or its kind")
    value = job_args(job_id, kind)
    value["Bck"] = _bck(bucket)
    return Request("PUT", (CLUSTER,), body=action_body("stop", value=value))


def _query(what: str, body: dict[str, Any]) -> Request:
    return Request(
        "GET", (CLUSTER,), query=(("what", what),), body=JsonBody.of(body), idempotent=True
    )


def job_status(job_id: str, kind: str = "") -> Request:
    """``GET /v1/cluster?what=status``: the IC status of one job (needs its id)."""
    if not job_id:
        raise ValueError("the status of a job needs its id")
    return _query(WHAT_STATUS, job_args(job_id, kind))


def job_snapshots(job_id: str = "", kind: str = "") -> Request:
    """``GET /v1/cluster?what=qryxstats``: every target's snapshots of matching jobs."""
    return _query(WHAT_SNAPSHOTS, job_args(job_id, kind))


def _job_query(
    what: str, kind: str, target_id: str, show_active: bool, bucket: BucketRef | None
) -> Request:
    body: dict[str, Any] = {"kind": kind, "node": target_id, "show_active": show_active}
    if bucket is not None:
        body["bck"] = bucket.as_json()
    return _query(what, body)


def jobs_status(kind: str = "", target_id: str = "", *, bucket: BucketRef | None = None) -> Request:
    """``GET /v1/cluster?what=status_all``: the status of every matching job."""
    return _job_query(WHAT_STATUS_ALL, kind, target_id, False, bucket)


def running_jobs(
    kind: str = "", target_id: str = "", *, bucket: BucketRef | None = None
) -> Request:
    """``GET /v1/cluster?what=running_all``: ``["kind[id]", ...]`` of running jobs."""
    return _job_query(WHAT_RUNNING_ALL, kind, target_id, True, bucket)
