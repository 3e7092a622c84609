"""``Cluster``: the cluster map, buckets, jobs, ETLs, nodes and health of one AIS cluster."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from aisclient.enums import FLTPresence, LogSeverity, NodeFilter
from aisclient.etl import list_etls
from aisclient.models.bucket import BucketModel
from aisclient.models.cluster import Bmd, ETLInfo, Smap, decode_buckets, decode_smap
from aisclient.models.etl import ETL_STAGE_RUNNING as ETL_STAGE_RUNNING
from aisclient.models.job import JobStatus, decode_running, decode_status_list
from aisclient.ops import cluster as ops
from aisclient.ops import job as job_ops
from aisclient.provider import Namespace, Provider, as_bucket_ref

if TYPE_CHECKING:
    from aisclient.session import Session

log = logging.getLogger(__name__)


def _severity(severity: LogSeverity | str) -> str:
    return severity.value if isinstance(severity, LogSeverity) else str(severity).lower()


class Cluster:
    """A handle on the cluster behind a client. Creating one sends nothing."""

    def __init__(self, client: Session) -> None:
        self._client = client

    @property
    def client(self) -> Session:
        return self._client

    def __repr__(self) -> str:
        return f"Cluster({self._client.endpoint!r})"

    # -- cluster map and metadata -------------------------------------------------------

    def get_info(self) -> Smap:
        """The cluster map: every proxy and target, and the primary."""
        return decode_smap(self._client.send_json(ops.get_smap()))

    def get_primary_url(self) -> str:
        """The primary proxy's public URL."""
        return self.get_info().primary_url

    def get_uuid(self) -> str:
        return self.get_info().uuid

    def get_bmd(self) -> Bmd:
        """Bucket metadata: every bucket the cluster knows, with its properties."""
        return self._client.send_model(ops.get_bmd(), Bmd)

    def get_config(self) -> dict[str, Any]:
        """The cluster-wide configuration (secrets hidden by the server)."""
        result: dict[str, Any] = self._client.send_json(ops.cluster_query("cluster_config"))
        return result

    def get_backends(self) -> list[str]:
        """The remote backends this cluster was built and configured with."""
        return [str(p) for p in self._client.send_json(ops.cluster_query("backends")) or []]

    def get_remote_clusters(self) -> Any:
        """Attached remote AIS clusters (raw JSON)."""
        return self._client.send_json(ops.cluster_query("remote"))

    def get_target_ips(self) -> list[str]:
        """Every target's public, control and data hosts (the server sends a comma list)."""
        text = self._client.send_text(ops.cluster_query("target_ips"))
        return [part.strip() for part in text.split(",") if part.strip()]

    def get_sysinfo(self) -> dict[str, Any]:
        """Memory and CPU of every node: ``{"proxy": {...}, "target": {...}}``."""
        result: dict[str, Any] = self._client.send_json(ops.cluster_query("sysinfo"))
        return result

    def get_node_stats(self) -> dict[str, Any]:
        """Cluster-wide statistics: ``{"proxy": ..., "target": {id: ...}}``."""
        result: dict[str, Any] = self._client.send_json(ops.cluster_query("node_stats"))
        return result

    def get_mountpaths(self) -> dict[str, Any]:
        """Mountpaths per target: ``{"targets": {id: ...}}``."""
        result: dict[str, Any] = self._client.send_json(ops.cluster_query("mountpaths"))
        return result

    # -- buckets, jobs, ETLs ------------------------------------------------------------

    def list_buckets(
        self,
        provider: Provider | str = Provider.AIS,
        *,
        namespace: Namespace | None = None,
        presence: FLTPresence | int | None = None,
    ) -> list[BucketModel]:
        """Buckets of ``provider`` (``""`` for every provider)."""
        request = ops.list_buckets(provider, namespace=namespace, presence=presence)
        return decode_buckets(self._client.send_json(request))

    def list_jobs_status(
        self, job_kind: str = "", target_id: str = "", *, bucket: Any = None
    ) -> list[JobStatus]:
        """Status of every job (optionally of one kind, on one target, or on one bucket)."""
        ref = None if bucket is None else as_bucket_ref(bucket)
        request = job_ops.jobs_status(job_kind, target_id, bucket=ref)
        return decode_status_list(self._client.send_json(request))

    def list_running_jobs(
        self, job_kind: str = "", target_id: str = "", *, bucket: Any = None
    ) -> list[str]:
        """Running jobs as ``"kind[id]"`` strings."""
        ref = None if bucket is None else as_bucket_ref(bucket)
        request = job_ops.running_jobs(job_kind, target_id, bucket=ref)
        return decode_running(self._client.send_json(request))

    def list_etls(self, stages: Sequence[str] | None = None) -> list[ETLInfo]:
        """ETLs in one of ``stages`` (default: only ``Running`` ones)."""
        return list_etls(self._client, (ETL_STAGE_RUNNING,) if stages is None else stages)

    def list_running_etls(self) -> list[ETLInfo]:
        return self.list_etls([ETL_STAGE_RUNNING])

    # -- health -------------------------------------------------------------------------

    def is_ready(self) -> bool:
        """Whether the primary proxy reports the cluster ready; never raises."""
        try:
            primary = self.get_primary_url()
            self._client.send(ops.health(primary or None, primary_ready=True)).close()
        except Exception as err:  # any failure means "not ready", as in the official SDK
            log.debug("cluster not ready: %s", err)
            return False
        return True

    def get_cluster_state(self) -> dict[str, Any]:
        """What any node knows of the cluster (``/v1/health?cii=true``): versions, primary."""
        result: dict[str, Any] = self._client.send_json(ops.health(cluster_info=True))
        return result

    # -- nodes --------------------------------------------------------------------------

    def get_node_status(self, node_id: str) -> dict[str, Any]:
        """One node's status: stats, capacity, version, rebalance snapshot (raw JSON)."""
        result: dict[str, Any] = self._client.send_json(ops.node_status(node_id))
        return result

    def get_performance(self) -> dict[str, Any]:
        """``{target_id: node status}`` for every target."""
        return {tid: self.get_node_status(tid) for tid in self.get_info().tmap}

    def get_capacity(self) -> dict[str, Any]:
        """``{target_id: capacity}`` (mountpaths, used and available) for every target."""
        return {tid: status.get("capacity") for tid, status in self.get_performance().items()}

    def get_node_log(self, node_id: str, severity: LogSeverity | str = LogSeverity.INFO) -> str:
        """The current log of one node."""
        return self._client.send_text(ops.node_log(node_id, _severity(severity)))

    def get_node_log_archive(
        self, node_id: str, severity: LogSeverity | str = LogSeverity.INFO
    ) -> bytes:
        """Every rotated log of one node, as tar.gz bytes."""
        request = ops.node_log(node_id, _severity(severity), all_logs=True)
        return self._client.send(request).content

    def get_cluster_logs(
        self,
        severity: LogSeverity | str = LogSeverity.INFO,
        role: NodeFilter | str = NodeFilter.TARGET,
    ) -> dict[str, str]:
        """``{node_id: current log}`` for the targets, the proxies, or all nodes."""
        chosen = NodeFilter(role)
        smap = self.get_info()
        nodes: list[str] = []
        if chosen in (NodeFilter.TARGET, NodeFilter.ALL):
            nodes.extend(smap.tmap)
        if chosen in (NodeFilter.PROXY, NodeFilter.ALL):
            nodes.extend(smap.pmap)
        return {node: self.get_node_log(node, severity) for node in nodes}
