"""Pure builders for bucket requests (``/v1/buckets/{bck}``): buckets and listing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aisclient.enums import FLTPresence
from aisclient.ops._common import (
    action_body,
    bucket_path,
    flag,
)
from aisclient.ops.copy import DEFAULT_COPY, CopyOptions, EtlStage
from aisclient.ops.etl import DEFAULT_ETL_TIMEOUT as DEFAULT_ETL_TIMEOUT
from aisclient.provider import BucketRef
from aisclient.request import Request
from aisclient.validators import check_int, check_str

HDR_INVENTORY_NAME = "Ais-Inv-Name"
NBI_FLAG = 1 << 15
_PRESENCE = frozenset(int(p) for p in FLTPresence)


def create_bucket(
    bucket: BucketRef, props: Mapping[str, Any] | None = None, *, dont_head_remote: bool = False
) -> Request:
    """``create-bck``; ``props`` overrides inherited defaults (partial props)."""
    query = bucket.query
    if dont_head_remote:
        query += (("dont_head_remote_bck", "true"),)
    value = dict(props) if props else None
    return Request(
        "POST", bucket_path(bucket), query=query, body=action_body("create-bck", value=value)
    )


def destroy_bucket(bucket: BucketRef) -> Request:
    return Request(
        "DELETE", bucket_path(bucket), query=bucket.query, body=action_body("destroy-bck")
    )


def head_bucket(
    bucket: BucketRef, *, presence: int | None = None, dont_add_remote: bool = False
) -> Request:
    """HEAD: existence plus ``Ais-Bucket-Props``."""
    query = bucket.query
    if presence is not None:
        query += (("presence", str(int(presence))),)
    if dont_add_remote:
        query += (("dont_add_remote_bck_md", "true"),)
    return Request("HEAD", bucket_path(bucket), query=query)


def set_bucket_props(bucket: BucketRef, props: Mapping[str, Any]) -> Request:
    """``set-bprops``: only the given leaves change. Answer: empty or a job ID."""
    if not props:
        raise ValueError("set_props needs at least one property to change")
    body = action_body("set-bprops", value=dict(props))
    return Request("PATCH", bucket_path(bucket), query=bucket.query, body=body)


def reset_bucket_props(bucket: BucketRef) -> Request:
    return Request(
        "PATCH", bucket_path(bucket), query=bucket.query, body=action_body("reset-bprops")
    )


def list_objects(
    bucket: BucketRef,
    *,
    prefix: str = "",
    props: str = "",
    page_size: int = 0,
    uuid: str = "",
    continuation_token: str = "",
    flags: int = 0,
    target: str = "",
    inventory_name: str = "",
    start_after: str = "",
) -> Request:
    """One list-objects page. Answered as JSON (no msgpack dependency)."""
    check_int(page_size, "page_size")
    check_int(flags, "flags")
    for what, text in (
        ("prefix", prefix),
        ("props", props),
        ("uuid", uuid),
        ("continuation_token", continuation_token),
        ("target", target),
        ("inventory_name", inventory_name),
        ("start_after", start_after),
    ):
        check_str(text, what)
    headers: tuple[tuple[str, str], ...] = ()
    if inventory_name:
        flags |= NBI_FLAG
        headers = ((HDR_INVENTORY_NAME, inventory_name),)
    value: dict[str, Any] = {
        "prefix": prefix,
        "pagesize": page_size,
        "uuid": uuid,
        "props": props,
        "continuation_token": continuation_token,
        "flags": str(flags),
        "target": target,
    }
    if start_after:
        value["start_after"] = start_after
    body = action_body("list", value=value)
    return Request(
        "GET", bucket_path(bucket), query=bucket.query, headers=headers, body=body, idempotent=True
    )


def summary(
    bucket: BucketRef,
    *,
    uuid: str = "",
    prefix: str = "",
    cached: bool = True,
    present: bool = True,
) -> Request:
    """``summary-bck``: start (``uuid=""``, 202 + job ID), then poll by ID."""
    check_str(uuid, "uuid")
    check_str(prefix, "prefix")
    value = {"uuid": uuid, "prefix": prefix, "cached": cached, "present": present}
    return Request(
        "GET", bucket_path(bucket), query=bucket.query, body=action_body("summary-bck", value=value)
    )


def info(
    bucket: BucketRef,
    *,
    flt_presence: int = 0,
    bsumm_remote: bool = True,
    prefix: str = "",
    uuid: str = "",
) -> Request:
    """Bucket info by HEAD: the prefix rides in the path on the first request."""
    check_int(flt_presence, "flt_presence")
    if flt_presence not in _PRESENCE:
        raise ValueError(f"flt_presence must be an FLTPresence value (0-5), not {flt_presence}")
    check_str(prefix, "prefix")
    path: tuple[str, ...] = bucket_path(bucket)
    if prefix and not uuid:
        path = (*path, prefix)
    query = (
        *bucket.query,
        ("bsumm_remote", flag(bsumm_remote)),
        ("presence", str(int(flt_presence))),
    )
    if uuid:
        query += (("uuid", uuid),)
    return Request("HEAD", path, query=query)


def _tcb_value(options: CopyOptions) -> dict[str, Any]:
    """A bucket copy's message: ``ext``, ``num-workers`` and ``coer`` only when set, then the
    copy fields."""
    value: dict[str, Any] = {}
    if options.ext:
        value["ext"] = options.ext_map
    if options.num_workers:
        value["num-workers"] = options.num_workers
    if options.continue_on_error:
        value["coer"] = True
    value.update(options.fields())
    return value


def copy_bucket(
    bucket: BucketRef, to_bucket: BucketRef, options: CopyOptions = DEFAULT_COPY
) -> Request:
    """``copy-bck`` with ``bck_to`` = destination uname. Answer: job ID."""
    query = (*bucket.query, ("bck_to", to_bucket.uname))
    body = action_body("copy-bck", value=_tcb_value(options))
    return Request("POST", bucket_path(bucket), query=query, body=body)


def transform_bucket(
    bucket: BucketRef,
    to_bucket: BucketRef,
    etl: EtlStage,
    options: CopyOptions = DEFAULT_COPY,
) -> Request:
    """``etl-bck``: copy fields plus ``id``, ``request_timeout``, ``pipeline`` (``null`` when
    unused)."""
    value = _tcb_value(options)
    value.update(etl.fields())
    query = (*bucket.query, ("bck_to", to_bucket.uname))
    body = action_body("etl-bck", value=value)
    return Request("POST", bucket_path(bucket), query=query, body=body)


def rename_bucket(bucket: BucketRef, to_bucket: BucketRef) -> Request:
    """``move-bck`` with ``bck_to``. Answer: job ID."""
    if to_bucket.name == bucket.name:
        raise ValueError(f"cannot rename bucket {bucket.name!r} to itself")
    query = (*bucket.query, ("bck_to", to_bucket.uname))
    return Request("POST", bucket_path(bucket), query=query, body=action_body("move-bck"))


def evict_bucket(bucket: BucketRef, keep_md: bool = False) -> Request:
    """``evict-remote-bck``: drop a remote bucket's in-cluster objects."""
    query = (*bucket.query, ("keep_bck_md", flag(keep_md)))
    return Request("DELETE", bucket_path(bucket), query=query, body=action_body("evict-remote-bck"))


def create_inventory(
    bucket: BucketRef,
    *,
    name: str = "",
    prefix: str = "",
    props: str = "",
    names_per_chunk: int = 0,
    force: bool = False,
) -> Request:
    """``create-inventory``: the value carries only non-default keys."""
    for what, text in (("name", name), ("prefix", prefix), ("props", props)):
        check_str(text, what)
    check_int(names_per_chunk, "names_per_chunk")
    value: dict[str, Any] = {}
    if name:
        value["name"] = name
    if prefix:
        value["prefix"] = prefix
    if props:
        value["props"] = props
    if names_per_chunk:
        value["names_per_chunk"] = int(names_per_chunk)
    if force:
        value["force"] = True
    body = action_body("create-inventory", value=value)
    return Request("POST", bucket_path(bucket), query=bucket.query, body=body)


def destroy_inventory(bucket: BucketRef, name: str = "") -> Request:
    body = action_body("destroy-inventory", name=name)
    return Request("DELETE", bucket_path(bucket), query=bucket.query, body=body)


def show_inventory(bucket: BucketRef, name: str = "") -> Request:
    body = action_body("show-inventory", name=name)
    return Request("GET", bucket_path(bucket), query=bucket.query, body=body)


def bucket_action(
    bucket: BucketRef,
    method: str,
    action: str,
    value: Any = None,
    params: Mapping[str, str] | None = None,
    name: str = "",
) -> Request:
    """Any action message on the bucket endpoint (the SDK's ``make_request``)."""
    query = tuple((str(k), str(v)) for k, v in params.items()) if params else bucket.query
    return Request(
        method.upper(), bucket_path(bucket), query=query, body=action_body(action, name, value)
    )
