"""The proxy (gateway): answers bucket/cluster requests, redirects object requests."""

from __future__ import annotations

from . import batch, buckets, clusterapi, writes
from .common import invalid_action, lookup, read_actmsg, request_bck
from .context import ClusterCtx
from .errors import ETL_UNSUPPORTED, AisError, bad_request, method_not_allowed
from .httpd import Exchange
from .names import validate_bucket_name, validate_object_name
from .objects import split_path

_OBJ_POST = {"rename-obj", "check-lock", "mpt-upload", "mpt-complete"}
_METHODS = {"GET", "HEAD", "PUT", "POST", "DELETE", "PATCH"}


def invalid_uri(ex: Exchange) -> AisError:
    return bad_request(f"invalid request URI: '{ex.method} {ex.path}' from {ex.remote_addr}")


class ProxyRouter:
    def __init__(self, ctx: ClusterCtx) -> None:
        self.ctx = ctx

    def __call__(self, ex: Exchange) -> None:
        ctx = self.ctx
        parts = ex.path.split("/", 3)
        if len(parts) < 3 or parts[1] != "v1":
            raise invalid_uri(ex)
        area = parts[2]
        if ex.method not in _METHODS:
            raise method_not_allowed("GET, HEAD, PUT, POST, DELETE, PATCH")
        if area == "objects":
            objects(ctx, ex)
        elif area == "buckets":
            buckets.handle(ctx, ex)
        elif area == "cluster":
            clusterapi.cluster(ctx, ex)
        elif area == "daemon":
            clusterapi.daemon(ctx, ex)
        elif area == "reverse":
            clusterapi.reverse(ctx, ex)
        elif area == "health":
            clusterapi.health(ctx, ex)
        elif area == "etl":
            clusterapi.etl(ctx, ex)
        elif area == "sort":
            clusterapi.dsort(ctx, ex)
        elif area == "ml":
            batch.proxy(ctx, ex)
        else:
            raise invalid_uri(ex)


def objects(ctx: ClusterCtx, ex: Exchange) -> None:
    bname, obj = split_path(ex)
    validate_bucket_name(bname)
    bck = request_bck(ex, bname)
    if not obj:
        if ex.method != "POST":
            raise bad_request(f"URL '{ex.path.lstrip('/')}' is too short: expected 4 items, got 3")
        lookup(ctx, ex, bck)
        msg = read_actmsg(ex)
        if msg.action == "blob-download":
            raise AisError(
                400,
                f"blob-download: expecting remote bucket (have {bck.cname()})",
                "ErrNotRemoteBck",
            )
        if msg.action == "promote":
            writes.promote(ctx, ex, bck, msg.name, msg.value)
            return
        raise invalid_action(msg.action)
    validate_object_name(obj, allow_trailing_slash=ex.method == "HEAD")
    lookup(ctx, ex, bck)
    if ex.method == "PUT" and ex.has("object_to") and (ex.q("etl_name") or ex.q("etl_pipeline")):
        raise AisError(501, ETL_UNSUPPORTED, "ErrUnsupp")
    if ex.method == "POST":
        msg = read_actmsg(ex)
        if msg.action not in _OBJ_POST:
            raise invalid_action(msg.action)
    target = ctx.owner(bck, obj)
    handle = ex.q("append_handle")
    if ex.method == "PUT" and handle:
        target = ctx.target(handle.split("|", 1)[0]) or target
    ex.redirect(301 if ex.method == "GET" else 307, ctx.location(ex, target))
