"""Jobs ("xactions"): a registry, background runners and their JSON views."""

from __future__ import annotations

import random
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .errors import HttpError
from .names import Bck

# kinds whose status the proxy tracks (``what=status`` works)
IC_KINDS = frozenset(
    [
        "rebalance",
        "etl-inline",
        "lru",
        "cleanup-store",
        "rechunk",
        "index-shard",
        "download",
        "promote",
        "evict-listrange",
        "delete-listrange",
        "prefetch-listrange",
        "ec-encode",
        "make-n-copies",
        "move-bck",
        "copy-bck",
        "etl-bck",
        "create-inventory",
    ]
)
IDLE_KINDS = frozenset(
    [
        "ec-get",
        "ec-put",
        "ec-resp",
        "put-copies",
        "archive",
        "copy-listrange",
        "etl-listrange",
        "download",
        "list",
        "get-batch",
    ]
)
ALL_KINDS = (
    IC_KINDS
    | IDLE_KINDS
    | frozenset(
        [
            "election",
            "summary-bck",
            "summary-shard",
            "resilver",
            "blob-download",
            "dsort",
            "evict-remote-bck",
            "load-lom-cache",
        ]
    )
)
DISPLAY_NAMES = {
    "lru-eviction": "lru",
    "cleanup": "cleanup-store",
    "summary": "summary-bck",
    "shard-summary": "summary-shard",
    "shard-index": "index-shard",
    "copy-objects": "copy-listrange",
    "etl-objects": "etl-listrange",
    "promote-files": "promote",
    "evict-objects": "evict-listrange",
    "evict-remote-bucket": "evict-remote-bck",
    "delete-objects": "delete-listrange",
    "prefetch-objects": "prefetch-listrange",
    "ec-bucket": "ec-encode",
    "mirror": "make-n-copies",
    "rename-bucket": "move-bck",
    "copy-bucket": "copy-bck",
    "etl-bucket": "etl-bck",
    "warm-up-metadata": "load-lom-cache",
}
STARTABLE = frozenset(
    [
        "rebalance",
        "lru",
        "cleanup-store",
        "resilver",
        "rechunk",
        "blob-download",
        "prefetch-listrange",
        "ec-encode",
        "make-n-copies",
        "load-lom-cache",
    ]
)

_ALNUM = string.ascii_letters + string.digits
_ZERO_TIME = "0001-01-01T00:00:00Z"


def new_job_id(prefix: str = "") -> str:
    return prefix + "".join(random.choices(_ALNUM, k=10 if prefix else 9))


def canonical_kind(kind: str) -> str:
    return DISPLAY_NAMES.get(kind, kind)


def rfc3339(ns: int) -> str:
    if ns == 0:
        return _ZERO_TIME
    secs, frac = divmod(ns, 1_000_000_000)
    base = datetime.fromtimestamp(secs, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    frac_s = f"{frac:09d}".rstrip("0")
    return f"{base}.{frac_s}Z" if frac_s else f"{base}Z"


def _bck_json(b: Bck | None) -> dict[str, Any]:
    if b is None:
        return {"name": "", "provider": "", "namespace": {"uuid": "", "name": ""}}
    return b.to_json()


@dataclass
class Job:
    id: str
    kind: str
    bck: Bck | None = None
    src: Bck | None = None
    dst: Bck | None = None
    ctlmsg: str = ""
    start_ns: int = field(default_factory=time.time_ns)
    end_ns: int = 0
    err: str = ""
    aborted: bool = False
    abort_err: str = ""
    stats: dict[str, list[int]] = field(default_factory=dict)
    cancel: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    background: bool = False  # run by a runner thread (vs. finished by its caller)

    @property
    def running(self) -> bool:
        return self.end_ns == 0

    def count(self, target_id: str, size: int) -> None:
        entry = self.stats.setdefault(target_id, [0, 0])
        entry[0] += 1
        entry[1] += size

    def add_err(self, msg: str) -> None:
        self.err = f"{self.err}; {msg}" if self.err else msg

    def check_abort(self) -> None:
        if self.cancel.is_set():
            raise _Aborted

    def status_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "uuid": self.id,
            "err": self.err,
            "end_time": self.end_ns,
            "aborted": self.aborted,
        }

    def snap_json(self, target_id: str) -> dict[str, Any]:
        objs, size = self.stats.get(target_id, [0, 0])
        return {
            "ext": None,
            "start-time": rfc3339(self.start_ns),
            "end-time": rfc3339(self.end_ns),
            "bck": _bck_json(self.bck),
            "src-bck": _bck_json(self.src),
            "dst-bck": _bck_json(self.dst),
            "id": self.id,
            "kind": self.kind,
            "ctlmsg": self.ctlmsg,
            "abort-err": self.abort_err,
            "err": self.err,
            "glob.id": "0",
            "stats": {
                "loc-objs": str(objs),
                "loc-bytes": str(size),
                "out-objs": "0",
                "out-bytes": "0",
                "in-objs": "0",
                "in-bytes": "0",
            },
            "aborted": self.aborted,
            "is_idle": not self.running,
        }


class _Aborted(Exception):
    pass


class Jobs:
    """All jobs of a cluster; runners execute in daemon threads."""

    def __init__(self, target_ids: list[str], delay: float) -> None:
        self.target_ids = target_ids
        self.delay = delay
        self._jobs: dict[str, Job] = {}
        self._order: list[str] = []
        self._lock = threading.Lock()

    def start(self, job: Job, runner: Callable[[Job], None] | None = None) -> Job:
        job.background = True
        with self._lock:
            self._jobs[job.id] = job
            self._order.append(job.id)
        thread = threading.Thread(
            target=self._run, args=(job, runner), name=f"ais-job-{job.id}", daemon=True
        )
        thread.start()
        return job

    def register(self, job: Job) -> Job:
        """Track a job that the caller finishes itself (by setting ``end_ns``)."""
        with self._lock:
            self._jobs[job.id] = job
            self._order.append(job.id)
        return job

    def _run(self, job: Job, runner: Callable[[Job], None] | None) -> None:
        try:
            if self.delay > 0 and job.cancel.wait(self.delay):
                raise _Aborted
            if runner is not None:
                runner(job)
            job.check_abort()
        except _Aborted:
            job.aborted = True
            job.abort_err = "aborted by user"
        except HttpError as e:
            job.add_err(e.message)
        except Exception as e:  # pragma: no cover - unexpected failure inside a runner
            job.add_err(f"LocalCluster job failure: {e!r}")
        finally:
            job.end_ns = time.time_ns()

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def select(
        self,
        job_id: str = "",
        kind: str = "",
        bck: Bck | None = None,
        only_running: bool = False,
    ) -> list[Job]:
        ids = [i for i in job_id.split(",") if i] if job_id else []
        kind = canonical_kind(kind)
        with self._lock:
            jobs = [self._jobs[i] for i in self._order]
        out = []
        for job in jobs:
            if ids and job.id not in ids:
                continue
            if kind and job.kind != kind:
                continue
            if bck is not None and bck.name and bck not in (job.bck, job.src, job.dst):
                continue
            if only_running and not job.running:
                continue
            out.append(job)
        return out

    def abort(self, job_id: str = "", kind: str = "", bck: Bck | None = None) -> int:
        jobs = self.select(job_id, kind, bck, only_running=True)
        for job in jobs:
            job.cancel.set()
        return len(jobs)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no background job is running (used by tests and stop())."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not [j for j in self.select(only_running=True) if j.background]:
                return True
            time.sleep(0.01)
        return False
