"""Pieces every builder shares: paths, the action message, boolean query values."""

from __future__ import annotations

from typing import Any

from aisclient.provider import BucketRef
from aisclient.request import JsonBody

BUCKETS = "buckets"
OBJECTS = "objects"


def action_body(action: str, name: str = "", value: Any = None) -> JsonBody:
    """The AIS action message with all three keys (action, name, value), as the SDK sends it."""
    return JsonBody.of({"action": action, "name": name, "value": value})


def bucket_path(bucket: BucketRef) -> tuple[str, ...]:
    return (BUCKETS, bucket.name)


def object_path(bucket: BucketRef, name: str) -> tuple[str, ...]:
    return (OBJECTS, bucket.name, name)


def flag(value: bool) -> str:
    """Booleans in AIS query strings are ``true``/``false``."""
    return "true" if value else "false"
