"""The proxy (gateway): answers bucket/cluster requests, redirects object requests."""

from __future__ import annotations

from typing import ClassVar

from . import batch, buckets, clusterapi, writes
from .common import Handler, V1Router, invalid_action, lookup, read_actmsg, request_bck
from .common import invalid_uri as invalid_uri
from .context import ClusterCtx
from .errors import ETL_UNSUPPORTED, HttpError, bad_request
from .httpd import ServerExchange
from .names import validate_bucket_name, validate_object_name
from .objects import split_path

_OBJ_POST = {"rename-obj", "check-lock", "mpt-upload", "mpt-complete"}


def objects(ctx: ClusterCtx, ex: ServerExchange) -> None:
    bname, obj = split_path(ex)
    validate_bucket_name(bname)
    bck = request_bck(ex, bname)
    if not obj:
        if ex.method != "POST":
            raise bad_request(f"URL '{ex.path.lstrip('/')}' is too short: expected 4 items, got 3")
        lookup(ctx, ex, bck)
        msg = read_actmsg(ex)
        if msg.action == "blob-download":
            raise HttpError(
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
        raise HttpError(501, ETL_UNSUPPORTED, "ErrUnsupp")
    if ex.method == "POST":
        msg = read_actmsg(ex)
        if msg.action not in _OBJ_POST:
            raise invalid_action(msg.action)
    target = ctx.owner(bck, obj)
    handle = ex.q("append_handle")
    if ex.method == "PUT" and handle:
        target = ctx.target(handle.split("|", 1)[0]) or target
    ex.redirect(301 if ex.method == "GET" else 307, ctx.location(ex, target))


class ProxyRouter(V1Router):
    methods = ("GET", "HEAD", "PUT", "POST", "DELETE", "PATCH")
    routes: ClassVar[dict[str, Handler]] = {
        "objects": objects,
        "buckets": buckets.handle,
        "cluster": clusterapi.cluster,
        "daemon": clusterapi.daemon,
        "reverse": clusterapi.reverse,
        "health": clusterapi.health,
        "etl": clusterapi.etl,
        "sort": clusterapi.dsort,
        "ml": batch.proxy,
    }
