"""Pieces every builder shares: paths, the action message, boolean query values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aisclient.provider import BucketRef
from aisclient.request import JsonBody, Pairs, Request, render_url
from aisclient.validators import is_int

BUCKETS = "buckets"
OBJECTS = "objects"


def action_body(action: str, name: str = "", value: Any = None) -> JsonBody:
    """The AIS action message with all three keys (action, name, value), as the SDK sends it."""
    return JsonBody.of({"action": action, "name": name, "value": value})


def bucket_path(bucket: BucketRef) -> tuple[str, ...]:
    return (BUCKETS, bucket.name)


def object_path(bucket: BucketRef, name: str) -> tuple[str, ...]:
    return (OBJECTS, bucket.name, name)


def object_url(endpoint: str, bucket: BucketRef, name: str, extra_query: Pairs = ()) -> str:
    """The full GET URL of one object (with the bucket's provider/namespace query)."""
    request = Request("GET", object_path(bucket, name), query=bucket.query + extra_query)
    return render_url(endpoint, request)


def flag(value: bool) -> str:
    """Booleans in AIS query strings are ``true``/``false``."""
    return "true" if value else "false"


# -- argument checks: a wrong type or value fails here, naming the argument, before any I/O --


def num_workers_value(num_workers: int | None) -> int:
    """``num-workers`` of a job: ``None``/0 = auto, -1 = serial, N > 0 = exactly N."""
    if num_workers is None:
        return 0
    if not is_int(num_workers):
        raise TypeError(f"num_workers must be an int, not {type(num_workers).__name__}")
    if num_workers < -1:
        raise ValueError(
            f"num_workers must be -1 (serial), 0 (auto) or a positive count, not {num_workers}"
        )
    return num_workers


def ext_value(ext: object) -> dict[str, str] | None:
    """The extension remap of a copy/transform (``{"jpg": "png"}``); ``None`` when unused."""
    if ext is None:
        return None
    if not isinstance(ext, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in ext.items()
    ):
        raise TypeError(
            "ext must map source extensions to destination ones, e.g. {'jpg': 'png'}, "
            f"not {ext!r}"
        )
    return dict(ext) or None
