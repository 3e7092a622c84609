"""Waiting: polling with an injectable clock, and :class:`WaitResult`, how a wait ended
(shared by job and dSort waits)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from attrs import frozen

from aisclient.clock import SYSTEM_CLOCK, Clock
from aisclient.errors import WaitTimeoutError
from aisclient.models.job import ns_to_datetime
from aisclient.validators import is_number

if TYPE_CHECKING:
    from aisclient.models.job import JobSnap, JobStatus

T = TypeVar("T")


def check_timeout(timeout: object, what: str = "timeout") -> float:
    """A wait's ``timeout``: a finite number of seconds >= 0, else ``TypeError``/``ValueError``.

    Called before a wait sends anything, so a bad value fails fast.
    """
    if not is_number(timeout):
        raise TypeError(f"{what} must be a number of seconds, not {timeout!r}")
    if not math.isfinite(timeout) or timeout < 0:
        raise ValueError(f"{what} must be a finite number of seconds >= 0, not {timeout!r}")
    return float(timeout)


def poll_interval(timeout: float) -> float:
    """The SDK's pause between polls: ``max(0.1, T/64, min(T/8, 1))`` seconds."""
    return max(0.1, timeout / 64, min(timeout / 8, 1.0))


@frozen
class WaitResult:
    """How a wait ended: ``success``, the ``error`` text if not, and when the job ended."""

    job_id: str
    success: bool
    error: str | None = None
    end_time: datetime | None = None

    def __bool__(self) -> bool:
        return self.success

    @classmethod
    def from_snapshots(cls, job_id: str, snapshots: Sequence[JobSnap]) -> WaitResult:
        """Success unless a snapshot was aborted; the end is the latest, once all have ended."""
        error: str | None = None
        for snap in snapshots:
            if snap.is_aborted:
                error = snap.abort_err or "aborted"
                break
        ends = [snap.ended for snap in snapshots]
        end_time = max(e for e in ends if e is not None) if ends and None not in ends else None
        return cls(job_id, error is None, error, end_time)

    @classmethod
    def from_status(cls, status: JobStatus, job_id: str = "") -> WaitResult:
        failed = bool(status.err) or status.aborted
        return cls(
            status.uuid or job_id,
            not failed,
            status.error if failed else None,
            ns_to_datetime(status.end_time),
        )


def poll(
    check: Callable[[], T | None],
    *,
    timeout: float,
    what: str,
    interval: float | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> T:
    """Call ``check`` until it returns something other than ``None``, or raise ``Timeout``.

    Elapsed time is measured with ``clock.now`` (time spent in requests counts too, unlike
    the SDK, which adds up only its sleeps), so ``timeout`` is a true upper bound.
    """
    check_timeout(timeout)
    pause = poll_interval(timeout) if interval is None else interval
    start = clock.now()
    while True:
        result = check()
        if result is not None:
            return result
        elapsed = clock.now() - start
        if elapsed >= timeout:
            raise WaitTimeoutError(what, f"after {timeout:g}s")
        clock.sleep(min(pause, max(0.0, timeout - elapsed)))
