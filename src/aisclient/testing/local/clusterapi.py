"""Cluster endpoints: smap/BMD, health, jobs (``/v1/cluster``), ETL and dSort stubs."""

from __future__ import annotations

import re
import time
from typing import Any

from . import hrw
from .common import ActMsg, as_dict, get_ci, invalid_action, read_actmsg
from .context import ClusterCtx
from .errors import ETL_UNSUPPORTED, HttpError, bad_request, method_not_allowed, not_found
from .httpd import NodeInfo, ServerExchange, dumps
from .jobs import ALL_KINDS, IC_KINDS, STARTABLE, Job, canonical_kind, new_job_id
from .names import Bck, bck_from_json

_UUID = re.compile(r"^[A-Za-z0-9_-]{9,}$")


def _netinfo(node: NodeInfo) -> dict[str, str]:
    return {"node_ip_addr": node.host, "daemon_port": str(node.port), "direct_url": node.url}


def snode(node: NodeInfo) -> dict[str, Any]:
    net = _netinfo(node)
    return {
        "public_net": net,
        "intra_data_net": dict(net),
        "intra_control_net": dict(net),
        "daemon_type": node.kind,
        "daemon_id": node.id,
        "flags": 2 if node.kind == "proxy" else 0,
        "id_digest": hrw.node_digest(node.id),
    }


def smap(ctx: ClusterCtx) -> dict[str, Any]:
    created = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ctx.started_ns / 1e9))
    return {
        "pmap": {ctx.proxy.id: snode(ctx.proxy)},
        "proxy_si": snode(ctx.proxy),
        "tmap": {t.id: snode(t) for t in ctx.targets},
        "uuid": ctx.uuid,
        "creation_time": created,
        "version": str(ctx.smap_version),
    }


def bmd(ctx: ClusterCtx) -> dict[str, Any]:
    providers: dict[str, dict[str, dict[str, Any]]] = {}
    for state in ctx.store.buckets():
        b = state.bck
        providers.setdefault(b.provider, {}).setdefault(b.ns_uname, {})[b.name] = state.props
    return {"providers": providers, "uuid": ctx.uuid, "version": str(ctx.store.bmd_version)}


def cluster_info(ctx: ClusterCtx) -> dict[str, Any]:
    return {
        "smap": {
            "Primary": {"pub_url": ctx.proxy.url, "control_url": ctx.proxy.url, "id": ctx.proxy.id},
            "uuid": ctx.uuid,
            "version": str(ctx.smap_version),
        },
        "bmd": {"uuid": ctx.uuid, "version": str(ctx.store.bmd_version)},
        "rmd": {"version": "0"},
        "config": {"version": "0"},
        "etlmd": {"version": "0"},
        "flags": 6,
    }


def node_status(ctx: ClusterCtx, node: NodeInfo) -> dict[str, Any]:
    return {
        "snode": snode(node),
        "tracker": {},
        "capacity": {},
        "status": "online",
        "deployment": "dev",
        "ais_version": "5.0",
        "build_time": "",
        "k8s_pod_name": "",
        "cluster": cluster_info(ctx),
        "sys_info": {},
        "smap_version": str(ctx.smap_version),
    }


# ---- /v1/daemon, /v1/reverse/daemon ------------------------------------------------


def daemon(ctx: ClusterCtx, ex: ServerExchange, node: NodeInfo | None = None) -> None:
    node = node or ex.node
    if ex.method != "GET":
        raise method_not_allowed("GET")
    what = ex.q("what")
    if what == "smap":
        ex.respond_json(smap(ctx))
    elif what == "bmd":
        ex.respond_json(bmd(ctx))
    elif what == "snode":
        ex.respond_json(snode(node))
    elif what == "node_status":
        ex.respond_json(node_status(ctx, node))
    elif what == "log":
        ex.respond_text(f"{node.name}: LocalCluster keeps no logs\n")
    else:
        raise bad_request(f"invalid '/v1/daemon' request: unrecognized 'what={what}' query")


def reverse(ctx: ClusterCtx, ex: ServerExchange) -> None:
    node_id = ex.headers.get("Ais-Node-Id") or ""
    if not node_id:
        raise bad_request("missing node ID")
    node = ctx.proxy if node_id == ctx.proxy.id else ctx.target(node_id)
    if node is None:
        raise not_found(f"node {node_id} does not exist", "ErrNodeNotFound")
    if not ex.path.startswith("/v1/reverse/daemon"):
        raise bad_request(f"invalid reverse path {ex.path}")
    daemon(ctx, ex, node)


# ---- /v1/health ------------------------------------------------------------------


def health(ctx: ClusterCtx, ex: ServerExchange) -> None:
    if ex.node.kind == "target":
        ex.respond(200)
        return
    up = str(time.time_ns() - ctx.started_ns)
    hdrs = [("Ais-Cluster-Uptime", up), ("Ais-Node-Uptime", up)]
    if ex.qbool("prr") and (ex.qbool("cii") or ex.qbool("cii-apr")):
        raise bad_request("invalid query: 'prr' cannot be combined with 'cii' or 'cii-apr'")
    if ex.qbool("cii-apr") and (ex.qbool("cii") or ex.qbool("apr")):
        raise bad_request("invalid query: 'cii-apr' cannot be combined with 'cii' or 'apr'")
    if ex.qbool("cii") or ex.qbool("cii-apr"):
        ex.respond(200, dumps(cluster_info(ctx)), hdrs, "application/json; charset=utf-8")
        return
    ex.respond(200, headers=hdrs)


# ---- /v1/cluster -----------------------------------------------------------------


def _query_msg(ex: ServerExchange) -> dict[str, Any]:
    return as_dict(ex.read_json("xact.QueryMsg"), "query message")


def _query_bck(q: dict[str, Any]) -> Bck | None:
    raw = get_ci(q, "bck")
    if isinstance(raw, dict) and raw.get("name"):
        return bck_from_json(raw)
    return None


def cluster(ctx: ClusterCtx, ex: ServerExchange) -> None:
    if ex.method == "PUT":
        cluster_put(ctx, ex, read_actmsg(ex))
        return
    if ex.method != "GET":
        raise method_not_allowed("GET, PUT")
    what = ex.q("what")
    if what in ("smap", "bmd"):
        daemon(ctx, ex)
    elif what == "status":
        job_status(ctx, ex, _query_msg(ex))
    elif what == "status_all":
        q = _query_msg(ex)
        jobs = ctx.jobs.select(
            "", str(get_ci(q, "kind", "") or ""), _query_bck(q), bool(get_ci(q, "show_active"))
        )
        body = [j.status_json() for j in jobs if j.kind in IC_KINDS]
        ex.respond_json(body, content_type="text/plain; charset=utf-8")
    elif what == "running_all":
        q = _query_msg(ex)
        jobs = ctx.jobs.select("", str(get_ci(q, "kind", "") or ""), _query_bck(q), True)
        ex.respond_json(sorted({f"{j.kind}[{j.id}]" for j in jobs}))
    elif what == "qryxstats":
        snapshots(ctx, ex, _query_msg(ex))
    elif what == "backends":
        ex.respond_json([])
    elif what == "remote":
        ex.respond_json({"a": [], "ver": 0})
    elif what == "target_ips":
        ex.respond_text(",".join(t.host for t in ctx.targets for _ in range(3)))
    elif what == "sysinfo":
        ex.respond_json({"proxy": {ctx.proxy.id: {}}, "target": {t.id: {} for t in ctx.targets}})
    elif what == "node_stats":
        ex.respond_json({"proxy": {}, "target": {t.id: {} for t in ctx.targets}})
    elif what == "mountpaths":
        mp = str(ctx.store.root / "b")
        ex.respond_json({"targets": {t.id: {"available": [mp]} for t in ctx.targets}})
    elif what == "cluster_config":
        ex.respond_json({"backend": {}, "proxy": {"primary_url": ctx.proxy.url}})
    else:
        raise bad_request(f"unexpected query [what={what}]")


def job_status(ctx: ClusterCtx, ex: ServerExchange, q: dict[str, Any]) -> None:
    job_id = str(get_ci(q, "id", "") or "")
    kind = canonical_kind(str(get_ci(q, "kind", "") or ""))
    if not job_id and not kind:
        raise bad_request("invalid x-")
    job: Job | None
    if job_id:
        job = ctx.jobs.get(job_id)
        if job is not None and job.kind not in IC_KINDS:
            job = None
        if job is None:
            raise not_found(f"{ex.node.name}: x-[{job_id}] does not exist")
        if kind and job.kind != kind:
            raise bad_request(f"kind mismatch: x-{kind}[{job_id}], expected kind={job.kind}")
    else:
        found = [j for j in ctx.jobs.select("", kind, _query_bck(q)) if j.kind in IC_KINDS]
        if not found:
            raise not_found(f"{ex.node.name}: x-{kind} does not exist")
        job = found[-1]
    ex.respond_json(job.status_json(), content_type="text/plain; charset=utf-8")


def snapshots(ctx: ClusterCtx, ex: ServerExchange, q: dict[str, Any]) -> None:
    job_id = str(get_ci(q, "id", "") or "")
    kind = str(get_ci(q, "kind", "") or "")
    only = get_ci(q, "show_active")
    for one in job_id.split(","):
        if one and not _UUID.match(one):
            raise bad_request(f'invalid xaction (job) UUID "{one}"')
    jobs = ctx.jobs.select(job_id, kind, _query_bck(q), bool(only))
    if not jobs and job_id:
        what = f"x-{canonical_kind(kind)}[{job_id}]" if kind else f"x-[{job_id}]"
        raise HttpError(404, f'"{what}" not found')
    out = {t.id: [j.snap_json(t.id) for j in jobs] for t in ctx.targets}
    ex.respond(200, dumps(out) + b"\n", content_type="application/json; charset=utf-8")


def cluster_put(ctx: ClusterCtx, ex: ServerExchange, msg: ActMsg) -> None:
    value = as_dict(msg.value, "xaction arguments")
    if msg.action == "start":
        kind = canonical_kind(str(get_ci(value, "kind", "") or ""))
        if kind not in ALL_KINDS:
            raise bad_request(f'invalid xaction (job) kind "{kind}"')
        if kind not in STARTABLE:
            raise bad_request(f'cannot start "{kind}" (use the job\'s own API)')
        bck = _query_bck({"bck": get_ci(value, "bck")})
        if kind == "resilver" and not get_ci(value, "daemonid"):
            raise HttpError(501, "resilver requires a target ID", "ErrUnsupp")
        job = Job(new_job_id(), kind, bck=bck)
        ctx.jobs.start(job)
        ex.respond_text(job.id)
    elif msg.action == "stop":
        job_id = str(get_ci(value, "id", "") or "")
        kind = str(get_ci(value, "kind", "") or "")
        ctx.jobs.abort(job_id, kind, _query_bck({"bck": get_ci(value, "bck")}))
        ex.respond(200)
    else:
        raise invalid_action(msg.action)


# ---- ETL and dSort, as in a default aisnode build ----------------------------------


def etl(ctx: ClusterCtx, ex: ServerExchange) -> None:
    ex.body.drain()
    raise HttpError(501, ETL_UNSUPPORTED, "ErrUnsupp")


def dsort(ctx: ClusterCtx, ex: ServerExchange) -> None:
    if ex.method == "GET":
        ex.respond(200, b"[]", content_type="application/json")
        return
    ex.body.drain()
    ex.respond(
        501, b"dsort not enabled (build with -tags=dsort)", content_type="text/plain; charset=utf-8"
    )
