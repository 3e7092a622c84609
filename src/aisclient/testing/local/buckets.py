"""Proxy-side bucket requests on ``/v1/buckets[/<bck>]``."""

from __future__ import annotations

from typing import Any

from . import listing, multiobj
from . import props as bprops
from .common import (
    ActMsg,
    as_dict,
    get_ci,
    invalid_action,
    lookup,
    not_remote,
    read_actmsg,
    request_bck,
)
from .context import ClusterCtx
from .errors import ETL_UNSUPPORTED, HttpError, bad_request, method_not_allowed
from .httpd import ServerExchange, dumps
from .jobs import Job, new_job_id
from .names import Bck, backend_missing, normalize_provider, parse_uname, validate_bucket_name
from .store import BucketState

_NOOP_JOBS = {"make-n-copies", "ec-encode", "rechunk"}


def handle(ctx: ClusterCtx, ex: ServerExchange) -> None:
    parts = ex.path.strip("/").split("/", 3)
    name = parts[2] if len(parts) > 2 else ""
    if ex.method == "HEAD":
        if not name:
            raise bad_request("bucket name is missing")
        head(ctx, ex, request_bck(ex, name), parts[3] if len(parts) > 3 else "")
        return
    msg = read_actmsg(ex)
    if ex.method == "GET":
        get(ctx, ex, name, msg)
        return
    if not name:
        raise bad_request(f"{ex.method} /v1/buckets: bucket name is missing")
    validate_bucket_name(name)
    bck = request_bck(ex, name)
    if ex.method == "POST":
        post(ctx, ex, bck, msg)
    elif ex.method == "DELETE":
        delete(ctx, ex, bck, msg)
    elif ex.method == "PUT":
        if msg.action != "archive":
            raise invalid_action(msg.action)
        lookup(ctx, ex, bck)
        _reply_job(ex, multiobj.start_archive(ctx, bck, msg.value))
    elif ex.method == "PATCH":
        patch(ctx, ex, bck, msg)
    else:
        raise method_not_allowed("GET, HEAD, PUT, POST, DELETE, PATCH")


def _reply_job(ex: ServerExchange, job: Job) -> None:
    ex.respond_text(job.id)


# ---- GET: list buckets, list objects, summary ------------------------------------


def get(ctx: ClusterCtx, ex: ServerExchange, name: str, msg: ActMsg) -> None:
    action = msg.action or "list"
    if action == "list" and (not name or (msg.present and msg.value is None)):
        list_buckets(ctx, ex, msg.name or name)
        return
    if action == "summary-bck" and not name:
        summary(ctx, ex, request_bck(ex, ""), msg.value)
        return
    validate_bucket_name(name)
    bck = request_bck(ex, name)
    if action == "list":
        listing.list_objects(ctx, ex, lookup(ctx, ex, bck), {} if msg.value is None else msg.value)
    elif action == "summary-bck":
        summary(ctx, ex, bck, msg.value)
    else:
        raise invalid_action(action)


def list_buckets(ctx: ClusterCtx, ex: ServerExchange, name_filter: str) -> None:
    provider = normalize_provider(ex.q("provider")) if ex.q("provider") else ""
    if provider and provider != "ais" and ex.q("presence") != "2":
        raise HttpError(400, backend_missing(provider), "ErrMissingBackend")
    ns = ex.q("namespace")
    out = []
    for state in ctx.store.buckets():
        b = state.bck
        if provider and b.provider != provider:
            continue
        if name_filter and b.name != name_filter:
            continue
        if ns and b.ns_uname != ns and f"@{ns}" != b.ns_uname:
            continue
        out.append(b.to_json())
    ex.respond_json(out)


def _summary_of(ctx: ClusterCtx, state: BucketState, prefix: str) -> dict[str, Any]:
    with ctx.store.lock:
        sizes = [m.size for n, m in state.objects.items() if n.startswith(prefix)]
    total = sum(sizes)
    return {
        **state.bck.to_json(),
        "ObjCount": {"obj_count_present": str(len(sizes)), "obj_count_remote": "0"},
        "ObjSize": {
            "obj_min_size": min(sizes) if sizes else 0,
            "obj_avg_size": total // len(sizes) if sizes else 0,
            "obj_max_size": max(sizes) if sizes else 0,
        },
        "TotalSize": {
            "size_on_disk": str(total),
            "size_all_present_objs": str(total),
            "size_all_remote_objs": "0",
            "total_disks_size": str(1 << 40),
        },
        "used_pct": 0,
        "is_present": True,
    }


def _summaries(ctx: ClusterCtx, ex: ServerExchange, bck: Bck, prefix: str) -> list[dict[str, Any]]:
    states = [lookup(ctx, ex, bck)] if bck.name else ctx.store.buckets()
    return [_summary_of(ctx, s, prefix) for s in states]


def summary(ctx: ClusterCtx, ex: ServerExchange, bck: Bck, value: Any) -> None:
    val = as_dict(value, "summary message")
    uuid = str(get_ci(val, "uuid", "") or "")
    prefix = str(get_ci(val, "prefix", "") or "")
    if not uuid:
        result = _summaries(ctx, ex, bck, prefix)
        started = ctx.jobs.start(Job(new_job_id(), "summary-bck", bck=bck if bck.name else None))
        started.result = result
        ex.respond(202, started.id.encode(), content_type="text/plain; charset=utf-8")
        return
    job = ctx.jobs.get(uuid)
    if job is None or job.kind != "summary-bck":
        raise HttpError(404, f'"x-summary-bck[{uuid}]" not found', "ErrNotFound")
    if job.running:
        ex.respond_json([], status=202)
        return
    ex.respond_json(job.result)


# ---- HEAD (props, bucket info) ----------------------------------------------------


def head(ctx: ClusterCtx, ex: ServerExchange, bck: Bck, prefix: str) -> None:
    state = lookup(ctx, ex, bck)
    hdrs = [("Ais-Bucket-Props", dumps(state.props).decode())]
    if not ex.has("bsumm_remote"):
        ex.respond(200, headers=hdrs)
        return
    uuid = ex.q("uuid")
    if not uuid:
        started = ctx.jobs.start(Job(new_job_id(), "summary-bck", bck=bck))
        started.result = _summary_of(ctx, state, prefix)
        ex.respond(202, headers=[*hdrs, ("Ais-Xaction-Id", started.id)])
        return
    job = ctx.jobs.get(uuid)
    if job is None or job.kind != "summary-bck":
        raise HttpError(404, f'"x-summary-bck[{uuid}]" not found', "ErrNotFound")
    hdrs.append(("Ais-Xaction-Id", job.id))
    if job.running:
        ex.respond(202, headers=hdrs)
        return
    ex.respond(200, headers=[*hdrs, ("Ais-Bucket-Summ", dumps(job.result).decode())])


# ---- POST / DELETE / PATCH ----------------------------------------------------------


def _bck_to(ex: ServerExchange) -> Bck:
    raw = ex.q("bck_to")
    if not raw:
        raise bad_request('missing "bck_to" query parameter')
    dst, _ = parse_uname(raw)
    validate_bucket_name(dst.name)
    return dst


def post(ctx: ClusterCtx, ex: ServerExchange, bck: Bck, msg: ActMsg) -> None:
    action = msg.action
    if action == "create-bck":
        if bck.provider != "ais" or bck.ns_uuid:
            lookup(ctx, ex, bck)
        ctx.store.create_bucket(bck, msg.value)
        ex.respond(200)
        return
    if action in ("etl-bck", "etl-listrange"):
        raise HttpError(404, ETL_UNSUPPORTED, "ErrUnsupp")
    lookup(ctx, ex, bck)
    if action == "copy-bck":
        dst = _bck_to(ex)
        val = as_dict(msg.value, "copy-bck message")
        if dst == bck and not get_ci(val, "dry_run", False):
            raise bad_request(f'cannot copy-bck bucket "{bck.cname()}" onto itself')
        _reply_job(ex, multiobj.start_copy_bucket(ctx, bck, dst, val))
    elif action == "move-bck":
        dst = _bck_to(ex)
        if bck.is_remote or dst.is_remote:
            raise bad_request(f"cannot rename {bck.cname()} to {dst.cname()}: only ais buckets")
        if dst == bck:
            raise bad_request(f'cannot rename bucket "{bck.cname()}" to itself')
        _reply_job(ex, multiobj.start_move_bucket(ctx, bck, dst))
    elif action == "copy-listrange":
        _reply_job(ex, multiobj.start_copy_objects(ctx, bck, msg.value))
    elif action == "prefetch-listrange":
        raise not_remote(action, bck)
    elif action in _NOOP_JOBS:
        _reply_job(ex, multiobj.start_noop(ctx, action, bck))
    else:
        raise invalid_action(action)


def delete(ctx: ClusterCtx, ex: ServerExchange, bck: Bck, msg: ActMsg) -> None:
    action = msg.action
    if action == "destroy-bck":
        lookup(ctx, ex, bck)
        ctx.store.destroy_bucket(bck)
        ex.respond(200)
        return
    lookup(ctx, ex, bck)
    if action == "delete-listrange":
        _reply_job(ex, multiobj.start_delete(ctx, bck, msg.value))
    elif action in ("evict-listrange", "evict-remote-bck"):
        raise not_remote(action, bck)
    else:
        raise invalid_action(action)


def patch(ctx: ClusterCtx, ex: ServerExchange, bck: Bck, msg: ActMsg) -> None:
    state = lookup(ctx, ex, bck)
    if msg.action == "set-bprops":
        ctx.store.set_props(bck, bprops.apply_update(state.props, msg.value))
    elif msg.action == "reset-bprops":
        fresh = bprops.default_props(bck.provider, int(state.props["bid"]), state.created)
        ctx.store.set_props(bck, fresh)
    else:
        raise invalid_action(msg.action)
    ex.respond(200)
