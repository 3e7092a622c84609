"""Pure path handling for ``ais://bucket/key``: splitting and the checks made before sending."""

from __future__ import annotations

from aisclient.provider import validate_bucket_name


def split_path(path: str) -> tuple[str, str]:
    """``"bucket/dir/key"`` (protocol already stripped) → ``("bucket", "dir/key")``.

    The root (``""``) gives ``("", "")``. A bucket name AIS would refuse raises ``ValueError``.
    """
    bucket, _, key = path.rstrip("/").partition("/")  # a leading "/" leaves no bucket
    if bucket:
        try:
            validate_bucket_name(bucket)
        except ValueError as err:
            raise ValueError(f"{path!r}: {err}") from None
    return bucket, key


def require_bucket(path: str) -> tuple[str, str]:
    """Like :func:`split_path`, but a path must name a bucket."""
    bucket, key = split_path(path)
    if not bucket:
        raise ValueError(f"{path!r} names no bucket: write ais://BUCKET/KEY")
    return bucket, key


def require_object(path: str) -> tuple[str, str]:
    """Like :func:`split_path`, but a path must name an object (a bucket and a key)."""
    bucket, key = require_bucket(path)
    if not key:
        raise IsADirectoryError(f"{path!r} is a bucket, not an object")
    return bucket, key


def depth_below(root_key: str, key: str) -> int:
    """How many levels ``key`` lies below the directory ``root_key`` (a direct child is 1)."""
    relative = key[len(root_key) :].lstrip("/") if root_key else key
    return relative.count("/") + 1


def parent_dirs(root_key: str, key: str) -> list[str]:
    """The virtual directories strictly between ``root_key`` and the object ``key``."""
    relative = key[len(root_key) :].lstrip("/") if root_key else key
    parts = relative.split("/")[:-1]
    base = f"{root_key}/" if root_key else ""
    return [base + "/".join(parts[: i + 1]) for i in range(len(parts))]
