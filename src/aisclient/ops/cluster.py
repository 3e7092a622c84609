"""Builders for cluster-wide queries: cluster map, BMD, config, buckets, nodes, health, ETLs."""

from __future__ import annotations

from aisclient.enums import FLTPresence
from aisclient.ops._common import BUCKETS, action_body
from aisclient.ops.etl import ETL as ETL
from aisclient.ops.etl import list_etls as list_etls  # ``GET /v1/etl``: every ETL and its stage
from aisclient.provider import Namespace, Provider
from aisclient.request import Request

DAEMON = "daemon"
CLUSTER = "cluster"
REVERSE = "reverse"
HEALTH = "health"
HDR_NODE_ID = "Ais-Node-Id"

# ``what=`` values answered by GET /v1/cluster (``node_status`` is a per-node query).
CLUSTER_WHATS = frozenset(
    {
        "smap",
        "bmd",
        "cluster_config",
        "backends",
        "remote",
        "target_ips",
        "sysinfo",
        "node_stats",
        "mountpaths",
    }
)


def get_smap() -> Request:
    """``GET /v1/daemon?what=smap``: the cluster map."""
    return Request("GET", (DAEMON,), query=(("what", "smap"),))


def get_bmd() -> Request:
    """``GET /v1/daemon?what=bmd``: bucket metadata."""
    return Request("GET", (DAEMON,), query=(("what", "bmd"),))


def cluster_query(what: str) -> Request:
    """``GET /v1/cluster?what=<what>`` for one of :data:`CLUSTER_WHATS`."""
    if what not in CLUSTER_WHATS:
        raise ValueError(
            f"unknown cluster query {what!r}; known: {', '.join(sorted(CLUSTER_WHATS))}"
        )
    return Request("GET", (CLUSTER,), query=(("what", what),))


def list_buckets(
    provider: Provider | str = Provider.AIS,
    *,
    namespace: Namespace | None = None,
    presence: FLTPresence | int | None = None,
) -> Request:
    """``GET /v1/buckets`` with ``list`` and a null value (null means buckets, not objects).

    ``provider=""`` lists the buckets of every provider.
    """
    value = "" if provider == "" else Provider.parse(provider).value
    query: list[tuple[str, str]] = [("provider", value)]
    if namespace is not None and not namespace.is_global:
        query.append(("namespace", namespace.get_path()))
    if presence is not None:
        query.append(("presence", str(int(presence))))
    return Request("GET", (BUCKETS,), query=tuple(query), body=action_body("list"))


def node_query(node_id: str, what: str, *extra: tuple[str, str], stream: bool = False) -> Request:
    """``GET /v1/reverse/daemon?what=...`` relayed by the proxy to node ``node_id``."""
    if not node_id:
        raise ValueError("a node query needs the node id")
    return Request(
        "GET",
        (REVERSE, DAEMON),
        query=(("what", what), *extra),
        headers=((HDR_NODE_ID, node_id),),
        stream=stream,
    )


def node_status(node_id: str) -> Request:
    return node_query(node_id, "node_status")


def node_log(node_id: str, severity: str = "info", *, all_logs: bool = False) -> Request:
    """A node's current log (text), or with ``all_logs`` every rotated log as a tar.gz."""
    if severity not in ("info", "warning", "error"):
        raise ValueError(f"log severity must be info, warning or error, not {severity!r}")
    extra = (("severity", severity),) + ((("all", "true"),) if all_logs else ())
    return node_query(node_id, "log", *extra, stream=all_logs)


def health(
    endpoint: str | None = None,
    *,
    primary_ready: bool = False,
    readiness: bool = False,
    cluster_info: bool = False,
) -> Request:
    """``GET /v1/health`` on ``endpoint`` (default: the client's): liveness, ``readiness``,
    ``prr`` (primary ready to rebalance) or ``cii`` (cluster info JSON)."""
    if primary_ready and cluster_info:
        raise ValueError("the server rejects prr combined with cii")
    query: list[tuple[str, str]] = []
    if primary_ready:
        query.append(("prr", "true"))
    if readiness:
        query.append(("readiness", "true"))
    if cluster_info:
        query.append(("cii", "true"))
    return Request("GET", (HEALTH,), query=tuple(query), endpoint=endpoint)
