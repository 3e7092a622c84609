"""``Dsort``: start, watch, wait for and abort a distributed shuffle/sort (dSort) job.

dSort exists only in servers built with ``-tags dsort``; other servers answer 501 to start
and abort, and ``[]`` to every query (:class:`DsortNotEnabledError` when a job is asked for).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from aisclient.errors import AISError, APIRequestError
from aisclient.models.dsort import (
    DsortBucket,
    DsortMetrics,
    JobInfo,
    LocalExtraction,
    MetaSorting,
    PhaseInfo,
    ShardCreation,
    TimeStats,
    decode_job_list,
    decode_job_map,
)
from aisclient.ops import dsort as ops
from aisclient.ops.dsort import (
    DsortAlgorithm,
    DsortFramework,
    DsortShardsGroup,
    ExternalKeyMap,
    check_spec,
    load_spec_file,
)
from aisclient.wait import WaitResult, check_timeout, poll, poll_interval

if TYPE_CHECKING:
    from aisclient.clock import Clock
    from aisclient.session import Session

__all__ = [
    "Dsort",
    "DsortAlgorithm",
    "DsortBucket",
    "DsortFramework",
    "DsortMetrics",
    "DsortNotEnabledError",
    "DsortShardsGroup",
    "ExternalKeyMap",
    "JobInfo",
    "LocalExtraction",
    "MetaSorting",
    "PhaseInfo",
    "ShardCreation",
    "TimeStats",
    "check_spec",
    "load_spec_file",
    "wait_outcome",
]

log = logging.getLogger("aisclient.dsort")

#: Picked when the server cannot choose a dsorter itself (see ``Dsort.start``).
FALLBACK_DSORTER = "dsort_general"


class DsortNotEnabledError(AISError):
    """The cluster has no dSort (it answered a job query with an empty list)."""


class Dsort:
    """A dSort job handle; ``start`` fills in the id."""

    def __init__(self, client: Session, dsort_id: str = "") -> None:
        self._client = client
        self._dsort_id = dsort_id

    @property
    def dsort_id(self) -> str:
        return self._dsort_id

    @property
    def client(self) -> Session:
        return self._client

    def __repr__(self) -> str:
        return f"Dsort({self._dsort_id!r})"

    def start(self, spec: DsortFramework | Mapping[str, Any] | str | os.PathLike[str]) -> str:
        """Start a job from a :class:`DsortFramework`, a spec mapping, or a spec file path.

        A mapping or file is sent unchanged. Returns (and remembers) the job id.
        """
        if isinstance(spec, DsortFramework):
            upload, body = ops.plan_start(spec, self._client.endpoint)
            if upload is not None:
                self._client.send(upload).close()
        elif isinstance(spec, Mapping):
            body = check_spec(spec)
        elif isinstance(spec, str | os.PathLike):
            body = check_spec(load_spec_file(spec))
        else:
            raise ValueError(
                "spec must be a DsortFramework, a mapping or a file path, "
                f"not {type(spec).__name__}"
            )
        try:
            job_id = self._client.send_job_id(ops.start(body))
        except APIRequestError as err:
            if not _needs_dsorter_type(err, body):
                raise
            # Some servers (seen with aisnode v1.5.0) fail while choosing the dsorter, before
            # any target has the job; naming the dsorter skips that step, so a resend is safe.
            log.warning("dSort start: server could not pick a dsorter; using %s", FALLBACK_DSORTER)
            job_id = self._client.send_job_id(ops.start({**body, "dsorter_type": FALLBACK_DSORTER}))
        self._dsort_id = job_id
        return self._dsort_id

    def abort(self) -> None:
        self._client.send(ops.abort(self._dsort_id)).close()

    def remove(self) -> None:
        """Forget a finished job on the cluster (the server refuses while it runs)."""
        self._client.send(ops.remove(self._dsort_id)).close()

    def get_job_info(self) -> dict[str, JobInfo]:
        """Each target's view of the job (target id → :class:`JobInfo`)."""
        doc = self._client.send_json(ops.job_info(self._dsort_id))
        if isinstance(doc, list):
            raise DsortNotEnabledError(
                f"the cluster answered the dSort job query for {self._dsort_id!r} with a list: "
                "it has no dSort (the server must be built with -tags dsort)"
            )
        return decode_job_map(doc)

    def metrics(self) -> dict[str, DsortMetrics]:
        """Each target's metrics of the job."""
        return {
            target: info.metrics or DsortMetrics() for target, info in self.get_job_info().items()
        }

    def list(self, regex: str = "", only_active: bool = False) -> list[JobInfo]:
        """dSort jobs known to the cluster (aggregated over targets), optionally filtered."""
        return decode_job_list(self._client.send_json(ops.list_jobs(regex, only_active)))

    def wait(
        self, timeout: int = 300, verbose: bool = True, *, clock: Clock | None = None
    ) -> WaitResult:
        """Poll until every target finished shard creation, or any aborted.

        Raises :class:`~aisclient.errors.Timeout` after ``timeout`` seconds.
        """
        job_id = self._dsort_id
        ops.job_info(job_id)  # validates the id before the first poll
        check_timeout(timeout)

        def check() -> WaitResult | None:
            outcome = wait_outcome(job_id, self.get_job_info())
            if verbose and outcome is None:
                log.info("dSort %s still running", job_id)
            return outcome

        return poll(
            check,
            timeout=timeout,
            what=f"dsort job '{job_id}'",
            interval=poll_interval(timeout),
            clock=clock or self._client.clock,
        )


def wait_outcome(job_id: str, infos: Mapping[str, JobInfo]) -> WaitResult | None:
    """The result once the job has ended on every target, else ``None`` (keep polling).

    Aborted if any target says so; finished when every target finished shard creation. The
    error is the first non-empty one any target reports; the end time is the latest finish.
    """

    if not infos:
        return None
    metrics = [info.metrics or DsortMetrics() for info in infos.values()]
    aborted = any(m.aborted for m in metrics)
    finished = all(m.shard_creation.finished for m in metrics)
    if not aborted and not finished:
        return None
    error = next((text for m in metrics for text in (m.errors or []) if text), None)
    end_time = None
    if finished:
        ends = [info.finish_time for info in infos.values() if info.finish_time is not None]
        end_time = max(ends) if ends else None
    return WaitResult(job_id, success=finished and not aborted, error=error, end_time=end_time)


def _needs_dsorter_type(err: APIRequestError, body: Mapping[str, Any]) -> bool:
    return err.status_code == 400 and "NodeStatus" in err.message and not body.get("dsorter_type")
