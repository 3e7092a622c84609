"""dSort job information and metrics, as the targets report them, and the wait outcome.

Counters are int64 values that the server writes as JSON strings; durations (``elapsed``,
``started_meta_sorting``, ...) are nanoseconds; times are RFC 3339 (Go's zero time means
"not yet"). Fields the server omits take their defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from attrs import frozen

from aisclient.models._convert import structure, wire_names
from aisclient.models._guard import decoder
from aisclient.provider import Namespace


@frozen
class TimeStats:
    """Round-trip statistics in milliseconds (``min_ms`` is int64-max until a sample exists)."""

    total_ms: int = 0
    count: int = 0
    min_ms: int = 0
    max_ms: int = 0
    avg_ms: int = 0


@frozen
class PhaseInfo:
    started_time: datetime | None = None
    end_time: datetime | None = None
    elapsed: int = 0  # nanoseconds, despite the name
    running: bool = False
    finished: bool = False


@frozen
class LocalExtraction(PhaseInfo):
    total_count: int = 0
    extracted_count: int = 0
    extracted_size: int = 0
    extracted_record_count: int = 0
    extracted_to_disk_count: int = 0
    extracted_to_disk_size: int = 0


@frozen
class MetaSorting(PhaseInfo):
    sent_stats: TimeStats | None = None
    recv_stats: TimeStats | None = None


@frozen
class ShardCreation(PhaseInfo):
    to_create: int = 0
    created_count: int = 0
    moved_shard_count: int = 0
    req_stats: TimeStats | None = None
    resp_stats: TimeStats | None = None


@frozen
class DsortMetrics:
    local_extraction: LocalExtraction = LocalExtraction()
    meta_sorting: MetaSorting = MetaSorting()
    shard_creation: ShardCreation = ShardCreation()
    description: str = ""
    warnings: list[str] | None = None
    errors: list[str] | None = None
    aborted: bool = False
    archived: bool = False


@frozen
class DsortBucket:
    """A bucket as dSort reports it (``src-bck``, ``dst-bck``)."""

    name: str = ""
    provider: str = ""
    namespace: Namespace | None = None


@frozen
class JobInfo:
    """One target's view of a dSort job."""

    id: str = ""
    src_bck: DsortBucket | None = None
    dst_bck: DsortBucket | None = None
    started_time: datetime | None = None
    finish_time: datetime | None = None
    started_meta_sorting: int = 0
    started_shard_creation: int = 0
    finished_shard_creation: int = 0
    objects: int = 0
    bytes: int = 0
    metrics: DsortMetrics | None = None
    aborted: bool = False
    archived: bool = False


wire_names(
    JobInfo,
    src_bck="src-bck",
    dst_bck="dst-bck",
    objects="loc-objs",
    bytes="loc-bytes",
    metrics="Metrics",
)


def decode_job_info(doc: Any) -> JobInfo:
    return structure(doc or {}, JobInfo)


@decoder("the dSort job map")
def decode_job_map(doc: Any) -> dict[str, JobInfo]:
    """``GET /v1/sort?uuid=``: target id → JobInfo; other shapes: UnexpectedResponseError."""
    if not isinstance(doc, Mapping):
        raise TypeError(f"expected a JSON object of target id -> job info, got {doc!r:.80}")
    return {str(target): decode_job_info(info) for target, info in doc.items()}


@decoder("the dSort job list")
def decode_job_list(doc: Any) -> list[JobInfo]:
    return [decode_job_info(item) for item in doc or []]
