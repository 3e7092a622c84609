"""``Job``: a handle on one job (xaction); waits end in a :class:`~aisclient.wait.WaitResult`.

``Job.wait`` picks how to wait from the job's kind, as the official SDK does: kinds that idle
between work items are done after consecutive all-idle polls, single-target kinds when any
target reports an end, and all others when the Information Center reports an end time.
Waiting goes through :func:`aisclient.wait.poll` with the session's (or a given) ``Clock``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aisclient.errors import APIRequestError, JobInfoNotFound
from aisclient.models.job import (
    IDLE_KINDS,
    KNOWN_KINDS,
    NUM_CONSECUTIVE_IDLE,
    SINGLE_NODE_KINDS,
    STARTABLE_KINDS,
    AggregatedJobSnap,
    JobSnap,
    JobStatus,
    idles_before_finishing,
    is_valid_kind,
    kind_info,
)
from aisclient.ops import job as ops
from aisclient.provider import as_bucket_ref
from aisclient.wait import WaitResult, check_timeout, poll

if TYPE_CHECKING:
    from aisclient.clock import Clock
    from aisclient.session import Session

__all__ = [
    "IDLE_KINDS",
    "KNOWN_KINDS",
    "NUM_CONSECUTIVE_IDLE",
    "STARTABLE_KINDS",
    "Job",
    "WaitResult",
    "idles_before_finishing",
    "is_valid_kind",
]

DEFAULT_JOB_WAIT_TIMEOUT = 300
log = logging.getLogger(__name__)


class Job:
    """A job by id and/or kind. Creating one sends nothing."""

    def __init__(
        self, client: Session, job_id: str = "", job_kind: str = "", *, clock: Clock | None = None
    ) -> None:
        for what, value in (("job_id", job_id), ("job_kind", job_kind)):
            if not isinstance(value, str):
                raise TypeError(f"{what} must be a str, not {type(value).__name__} ({value!r})")
        self._client = client
        self._job_id = job_id
        self._job_kind = job_kind
        self._clock = clock or client.clock

    @property
    def client(self) -> Session:
        return self._client

    @property
    def job_id(self) -> str:
        return self._job_id

    @property
    def job_kind(self) -> str:
        return self._job_kind

    def __repr__(self) -> str:
        return f"Job(job_id={self._job_id!r}, job_kind={self._job_kind!r})"

    # -- queries ------------------------------------------------------------------------

    def status(self) -> JobStatus:
        """The Information Center's status of this job (needs the id)."""
        if not self._job_id:
            raise ValueError("cannot get the status of a job without its id")
        request = ops.job_status(self._job_id, self._job_kind)
        return self._client.send_model(request, JobStatus)

    def get_details(self) -> AggregatedJobSnap:
        """Every target's snapshots of this job (by id, or by kind when there is no id)."""
        request = ops.job_snapshots(self._job_id, self._job_kind)
        return self._client.send_model(request, AggregatedJobSnap)

    def get_total_time(self) -> timedelta | None:
        """Latest end minus earliest start, or ``None`` while any snapshot has not ended."""
        snaps = self.get_details().list_snapshots()
        starts = [snap.started for snap in snaps]
        ends = [snap.ended for snap in snaps]
        if not snaps or None in starts or None in ends:
            return None
        return max(e for e in ends if e) - min(s for s in starts if s)

    def get_within_timeframe(
        self, start_time: datetime, end_time: datetime | None = None
    ) -> list[JobSnap]:
        """Snapshots of this job (by id or kind) that started at or after ``start_time`` and,
        if ``end_time`` is given, ended by then. Naive datetimes are taken as local time.
        Raises ``JobInfoNotFound`` when none match."""
        if not isinstance(start_time, datetime):
            raise TypeError(f"start_time must be a datetime, not {type(start_time).__name__}")
        if end_time is not None and not isinstance(end_time, datetime):
            raise TypeError(f"end_time must be a datetime or None, not {type(end_time).__name__}")
        since = start_time.astimezone()
        until = end_time.astimezone() if end_time is not None else None
        found = []
        for snap in self.get_details().list_snapshots():
            if not self._matches(snap):
                continue
            started = snap.started
            if started is None or started < since:
                continue
            if until is not None:
                ended = snap.ended
                if ended is None or ended > until:
                    continue
            found.append(snap)
        if not found:
            raise JobInfoNotFound(
                f"no snapshots of {self._describe()} between {start_time} and {end_time}"
            )
        return found

    def _matches(self, snap: JobSnap) -> bool:
        if self._job_id:
            return snap.id == self._job_id
        return not self._job_kind or snap.kind == self._job_kind

    def _describe(self) -> str:
        return f"job '{self._job_id}'" if self._job_id else f"jobs of kind '{self._job_kind}'"

    # -- control ------------------------------------------------------------------------

    def start(
        self, daemon_id: str = "", force: bool = False, buckets: Sequence[Any] | None = None
    ) -> str:
        """Start a job of this handle's kind; returns the new job id (also kept here)."""
        refs = [as_bucket_ref(b) for b in buckets or []]
        self._check_startable(daemon_id, refs)
        request = ops.start_job(self._job_kind, daemon_id=daemon_id, force=force, buckets=refs)
        job_id = self._client.send_job_id(request)
        if job_id:
            self._job_id = job_id
        return job_id

    def _check_startable(self, daemon_id: str, refs: Sequence[Any]) -> None:
        kind = self._job_kind
        if not kind:
            raise ValueError("cannot start a job without a kind (Job(job_kind=...))")
        info = kind_info(kind)
        if info is None:
            return  # unknown to this client: let the server decide
        if not info.startable:
            raise ValueError(
                f"jobs of kind {kind!r} are not started through the cluster API; startable "
                f"kinds: {', '.join(sorted(STARTABLE_KINDS))}"
            )
        if info.kind == "resilver" and not daemon_id:
            raise ValueError("a 'resilver' job runs on one target: give its daemon_id")
        if info.scope == "bucket" and not refs:
            raise ValueError(f"a {kind!r} job needs a bucket (buckets=[...])")

    def abort(self) -> None:
        """Stop this job (every job of this kind when there is no id)."""
        self._client.send(ops.stop_job(self._job_id, self._job_kind)).close()

    stop = abort

    # -- waiting ------------------------------------------------------------------------

    def wait(
        self,
        timeout: float = DEFAULT_JOB_WAIT_TIMEOUT,
        verbose: bool = True,
        *,
        clock: Clock | None = None,
    ) -> WaitResult:
        """Wait until the job is done (how depends on its kind); ``Timeout`` after ``timeout``.

        An abort does not raise: it gives ``WaitResult(success=False)``.
        """
        check_timeout(timeout)  # before the kind lookup, which may send a request
        info = kind_info(self._resolve_kind())
        kind = info.kind if info is not None else self._job_kind  # display names too
        if kind in IDLE_KINDS:
            return self.wait_for_idle(timeout, verbose, clock=clock)
        if kind in SINGLE_NODE_KINDS:
            return self.wait_single_node(timeout, verbose, clock=clock)
        return self._wait_terminal(timeout, verbose, clock or self._clock)

    def _resolve_kind(self) -> str:
        if self._job_kind or not self._job_id:
            return self._job_kind
        snaps = self._snapshots_or_none()
        if not snaps:
            raise JobInfoNotFound(f"no information about job '{self._job_id}'")
        self._job_kind = snaps[0].kind
        return self._job_kind

    def _wait_terminal(self, timeout: float, verbose: bool, clock: Clock) -> WaitResult:
        if not self._job_id:
            raise ValueError(f"waiting for a {self._job_kind!r} job to finish needs its id")

        def check() -> WaitResult | None:
            status = self.status()
            if not status.is_finished:
                if verbose:
                    log.info("waiting for job '%s' to finish", self._job_id)
                return None
            return WaitResult.from_status(status, self._job_id)

        return poll(check, timeout=timeout, what=self._describe(), clock=clock)

    def _snapshots_or_none(self) -> list[JobSnap]:
        try:
            return self.get_details().list_snapshots()
        except APIRequestError as err:
            # Right after a start the targets may not have registered the job yet.
            if err.status_code == 404:
                return []
            raise

    def wait_for_idle(
        self,
        timeout: float = DEFAULT_JOB_WAIT_TIMEOUT,
        verbose: bool = True,
        *,
        clock: Clock | None = None,
    ) -> WaitResult:
        """Done when every target's snapshot is idle on consecutive polls, or any aborted."""
        idle_polls = 0

        def check() -> WaitResult | None:
            nonlocal idle_polls
            snaps = self._snapshots_or_none()
            if not snaps:
                if verbose:
                    log.info("no snapshots of %s yet", self._describe())
                idle_polls = 0
                return None
            if any(snap.is_aborted for snap in snaps):
                return WaitResult.from_snapshots(self._job_id or snaps[0].id, snaps)
            if all(snap.is_idle for snap in snaps):
                idle_polls += 1
                if idle_polls >= NUM_CONSECUTIVE_IDLE:
                    return WaitResult.from_snapshots(self._job_id or snaps[0].id, snaps)
            else:
                idle_polls = 0
            if verbose:
                log.info("waiting for %s to become idle", self._describe())
            return None

        return poll(check, timeout=timeout, what=self._describe(), clock=clock or self._clock)

    def wait_single_node(
        self,
        timeout: float = DEFAULT_JOB_WAIT_TIMEOUT,
        verbose: bool = True,
        *,
        clock: Clock | None = None,
    ) -> WaitResult:
        """Done when any target reports the job ended or aborted (single-target kinds)."""

        def check() -> WaitResult | None:
            snaps = self._snapshots_or_none()
            if any(snap.is_finished or snap.is_aborted for snap in snaps):
                return WaitResult.from_snapshots(self._job_id or snaps[0].id, snaps)
            if verbose:
                log.info("waiting for %s to finish", self._describe())
            return None

        return poll(check, timeout=timeout, what=self._describe(), clock=clock or self._clock)

    # -- helpers on a fresh status --------------------------------------------------------

    def is_finished(self) -> bool:
        """Whether the Information Center reports this job as ended (one request)."""
        return self.status().is_finished

    def is_aborted(self) -> bool:
        """Whether this job was aborted (one request)."""
        return self.status().aborted
