"""Job (xaction) values: status, per-target snapshots, and the table of job kinds."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from attrs import field, frozen

from aisclient.models._convert import converter, structure, wire_names
from aisclient.models._guard import decoder
from aisclient.models._lenient import parse_time as parse_time
from aisclient.models.bucket import BucketModel

NUM_CONSECUTIVE_IDLE = 2


@frozen
class KindInfo:
    """What the server says about one job kind (``xact/api_table.go``)."""

    kind: str
    display: str = ""
    scope: str = "bucket"  # "cluster", "bucket", "cluster/bucket" or "target"
    startable: bool = False
    idles: bool = False
    ic: bool = False


def _k(kind: str, display: str, scope: str, flags: str = "") -> KindInfo:
    return KindInfo(kind, display, scope, "s" in flags, "i" in flags, "c" in flags)


# flags: s = can be started with PUT /v1/cluster, i = idles between work items, c = reports
# status to the Information Center (so what=status works for it).
KINDS: dict[str, KindInfo] = {
    info.kind: info
    for info in (
        _k("election", "elect-primary", "cluster"),
        _k("rebalance", "", "cluster", "sc"),
        _k("etl-inline", "", "cluster", "c"),
        _k("lru", "lru-eviction", "cluster/bucket", "sc"),
        _k("cleanup-store", "cleanup", "cluster/bucket", "sc"),
        _k("summary-bck", "summary", "cluster/bucket"),
        _k("summary-shard", "shard-summary", "bucket"),
        _k("resilver", "", "target", "s"),
        _k("rechunk", "", "bucket", "sc"),
        _k("index-shard", "shard-index", "bucket", "c"),
        _k("ec-get", "", "bucket", "i"),
        _k("ec-put", "", "bucket", "i"),
        _k("ec-resp", "", "bucket", "i"),
        _k("put-copies", "", "bucket", "i"),
        _k("archive", "", "bucket", "i"),
        _k("copy-listrange", "copy-objects", "bucket", "i"),
        _k("etl-listrange", "etl-objects", "bucket", "i"),
        _k("blob-download", "", "bucket", "s"),
        _k("download", "", "cluster", "ic"),
        _k("dsort", "dsort", "bucket"),
        _k("promote", "promote-files", "bucket", "c"),
        _k("evict-listrange", "evict-objects", "bucket", "c"),
        _k("evict-remote-bck", "evict-remote-bucket", "bucket"),
        _k("delete-listrange", "delete-objects", "bucket", "c"),
        _k("prefetch-listrange", "prefetch-objects", "bucket", "sc"),
        _k("ec-encode", "ec-bucket", "bucket", "sc"),
        _k("make-n-copies", "mirror", "bucket", "sc"),
        _k("move-bck", "rename-bucket", "bucket", "c"),
        _k("copy-bck", "copy-bucket", "bucket", "c"),
        _k("etl-bck", "etl-bucket", "bucket", "c"),
        _k("list", "", "bucket", "i"),
        _k("get-batch", "", "cluster/bucket", "i"),
        _k("create-inventory", "", "bucket", "c"),
        _k("load-lom-cache", "warm-up-metadata", "bucket", "s"),
    )
}
_BY_DISPLAY = {info.display: info for info in KINDS.values() if info.display}

KNOWN_KINDS = frozenset(KINDS)
IDLE_KINDS = frozenset(kind for kind, info in KINDS.items() if info.idles)
STARTABLE_KINDS = frozenset(kind for kind, info in KINDS.items() if info.startable)
# Kinds that run on one target: wait until any target reports them finished.
SINGLE_NODE_KINDS = frozenset({"blob-download", "resilver"})


def kind_info(kind: str) -> KindInfo | None:
    """The table row of ``kind`` (a wire kind or a display name), or ``None`` if unknown."""
    return KINDS.get(kind) or _BY_DISPLAY.get(kind)


def idles_before_finishing(kind: str) -> bool:
    info = kind_info(kind)
    return info is not None and info.idles


def is_valid_kind(kind: str) -> bool:
    return kind_info(kind) is not None


def ns_to_datetime(nanos: int) -> datetime | None:
    """Unix nanoseconds → aware UTC datetime (``None`` for 0)."""
    if not nanos:
        return None
    return datetime.fromtimestamp(nanos / 1e9, tz=UTC)


@frozen
class JobStatus:
    """The Information Center's status of one job (``what=status``)."""

    uuid: str = ""
    err: str = ""
    end_time: int = 0  # Unix nanoseconds; 0 while running
    aborted: bool = False
    kind: str = ""
    is_idle: bool = False

    @property
    def is_finished(self) -> bool:
        return self.end_time != 0

    @property
    def is_aborted(self) -> bool:
        return self.aborted

    @property
    def succeeded(self) -> bool:
        """Finished without an error and without being aborted."""
        return self.is_finished and not self.err and not self.aborted

    @property
    def error(self) -> str:
        """The error text, or ``"aborted"`` for an abort without one."""
        return self.err or ("aborted" if self.aborted else "")

    @property
    def end_datetime(self) -> datetime | None:
        return ns_to_datetime(self.end_time)


@frozen
class JobStats:
    objects: int = 0
    bytes: int = 0
    out_objects: int = 0
    out_bytes: int = 0
    in_objects: int = 0
    in_bytes: int = 0


wire_names(
    JobStats,
    objects="loc-objs",
    bytes="loc-bytes",
    out_objects="out-objs",
    out_bytes="out-bytes",
    in_objects="in-objs",
    in_bytes="in-bytes",
)


@frozen
class JobSnap:
    """One target's snapshot of a job (``what=qryxstats``)."""

    id: str = ""
    kind: str = ""
    start_time: str = ""
    end_time: str = ""
    bucket: BucketModel | None = None
    source_bck: BucketModel | None = None
    destination_bck: BucketModel | None = None
    stats: JobStats | None = None
    aborted: bool = False
    is_idle: bool = False
    abort_err: str = ""
    err: str = ""
    packed: int = 0
    ctlmsg: str = ""

    @property
    def started(self) -> datetime | None:
        return parse_time(self.start_time)

    @property
    def ended(self) -> datetime | None:
        return parse_time(self.end_time)

    @property
    def is_finished(self) -> bool:
        return self.ended is not None

    @property
    def is_aborted(self) -> bool:
        return self.aborted or bool(self.abort_err)

    def unpack_glob_id(self) -> tuple[int, int, int]:
        """``(joggers, workers, channel-full count)`` packed into ``glob.id``."""
        return self.packed & 0x3FF, (self.packed >> 10) & 0x3FF, self.packed >> 20


wire_names(
    JobSnap,
    start_time="start-time",
    end_time="end-time",
    bucket="bck",
    source_bck="src-bck",
    destination_bck="dst-bck",
    abort_err="abort-err",
    packed="glob.id",
)


@frozen
class AggregatedJobSnap:
    """Snapshots per target id: ``{target_id: [JobSnap, ...]}`` (in ``root``)."""

    root: dict[str, list[JobSnap]] = field(factory=dict)

    def __getitem__(self, target_id: str) -> list[JobSnap]:
        return self.root[target_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self.root)

    def __len__(self) -> int:
        return len(self.root)

    def items(self) -> list[tuple[str, list[JobSnap]]]:
        return list(self.root.items())

    def list_snapshots(self) -> list[JobSnap]:
        return [snap for snaps in self.root.values() for snap in snaps]

    def get_num_workers(self) -> int:
        return sum(snap.unpack_glob_id()[1] for snap in self.list_snapshots())

    def all_idle(self) -> bool:
        snaps = self.list_snapshots()
        return bool(snaps) and all(snap.is_idle for snap in snaps)

    def any_aborted(self) -> bool:
        return any(snap.is_aborted for snap in self.list_snapshots())

    def idle_or_aborted(self) -> bool:
        snaps = self.list_snapshots()
        return bool(snaps) and all(snap.is_idle or snap.is_aborted for snap in snaps)

    def any_finished(self) -> bool:
        return any(snap.is_finished or snap.is_aborted for snap in self.list_snapshots())


def _structure_aggregated(data: Any, _: type) -> AggregatedJobSnap:
    if data is None:
        return AggregatedJobSnap()
    if not isinstance(data, Mapping):
        raise ValueError(f"expected snapshots per target, got {type(data).__name__}")
    return AggregatedJobSnap(
        {str(tid): structure(snaps or [], list[JobSnap]) for tid, snaps in data.items()}
    )


converter.register_structure_hook(AggregatedJobSnap, _structure_aggregated)


def decode_status_list(data: Any) -> list[JobStatus]:
    """``what=status_all``: a JSON array, or ``null`` for none."""
    return structure(data or [], list[JobStatus])


@decoder("the running jobs")
def decode_running(data: Any) -> list[str]:
    """``what=running_all``: ``["kind[id]", ...]``, or ``null`` for none."""
    return [str(item) for item in (data or [])]
