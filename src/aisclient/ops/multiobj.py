"""Builders for multi-object jobs on ``/v1/buckets/{bck}``: delete, evict, prefetch, copy,
transform (ETL) and archive.

Each takes the source bucket and the selection (``{"objnames": [...]}`` or
``{"template": "..."}``) and returns the Request; the server answers with the job id(s) as
plain text. Job-starting requests are never retried after a read failure, since a retry
could start the same job twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aisclient.ops._common import action_body, bucket_path, num_workers_value
from aisclient.ops.copy import DEFAULT_COPY, CopyOptions, EtlStage
from aisclient.ops.etl import DEFAULT_ETL_TIMEOUT as DEFAULT_ETL_TIMEOUT
from aisclient.provider import BucketRef
from aisclient.request import Request
from aisclient.validators import is_int

ACT_DELETE = "delete-listrange"
ACT_EVICT = "evict-listrange"
ACT_PREFETCH = "prefetch-listrange"
ACT_COPY = "copy-listrange"
ACT_TRANSFORM = "etl-listrange"
ACT_ARCHIVE = "archive"

# Archive formats the server recognises by the archive name's extension (longest first, so
# "x.tar.gz" is ".tar.gz", never ".gz").
ARCHIVE_EXTENSIONS = (".tar.gz", ".tar.lz4", ".tgz", ".tar", ".zip")


def _selection(selection: Mapping[str, Any]) -> dict[str, Any]:
    names = selection.get("objnames")
    template = selection.get("template")
    if names is None and template is None:
        raise ValueError("a selection needs 'objnames' or 'template'")
    if names is not None and template is not None:
        raise ValueError("a selection has either 'objnames' or 'template', not both")
    if names is not None:
        if isinstance(names, str) or not all(isinstance(n, str) for n in names):
            raise TypeError("'objnames' must be a list of str")
        if not names:
            raise ValueError("'objnames' must not be empty")
        if not all(names):
            raise ValueError("'objnames' must not hold an empty object name")
        return {"objnames": list(names)}
    if not isinstance(template, str):
        raise TypeError("'template' must be a str")
    return {"template": template}


def _job(method: str, bucket: BucketRef, action: str, value: dict[str, Any]) -> Request:
    return Request(
        method,
        bucket_path(bucket),
        query=bucket.query,
        body=action_body(action, value=value),
        idempotent=False,
    )


def delete_objects(bucket: BucketRef, selection: Mapping[str, Any]) -> Request:
    """``DELETE /v1/buckets/{bck}`` with ``delete-listrange``."""
    return _job("DELETE", bucket, ACT_DELETE, _selection(selection))


def evict_objects(bucket: BucketRef, selection: Mapping[str, Any]) -> Request:
    """``DELETE /v1/buckets/{bck}`` with ``evict-listrange`` (remote buckets only)."""
    bucket.require_remote("evict objects")
    return _job("DELETE", bucket, ACT_EVICT, _selection(selection))


def prefetch_objects(
    bucket: BucketRef,
    selection: Mapping[str, Any],
    *,
    blob_threshold: int | None = None,
    num_workers: int | None = None,
    latest: bool = False,
    continue_on_error: bool = False,
) -> Request:
    """``POST /v1/buckets/{bck}`` with ``prefetch-listrange`` (remote buckets only)."""
    bucket.require_remote("prefetch objects")
    value = _selection(selection)
    value["coer"] = bool(continue_on_error)
    value["latest-ver"] = bool(latest)
    if blob_threshold is not None:
        if not is_int(blob_threshold):
            raise TypeError("blob_threshold must be an int (bytes)")
        if blob_threshold < 0:
            raise ValueError(f"blob_threshold must not be negative (got {blob_threshold})")
        if blob_threshold:
            value["blob-threshold"] = blob_threshold
    workers = num_workers_value(num_workers)
    if workers:
        value["num-workers"] = workers
    return _job("POST", bucket, ACT_PREFETCH, value)


def _copy_value(
    selection: Mapping[str, Any], to_bck: BucketRef, options: CopyOptions
) -> dict[str, Any]:
    value = _selection(selection)
    value.update(options.fields())
    value["tobck"] = to_bck.as_json()
    value["coer"] = options.continue_on_error
    if options.num_workers:
        value["num-workers"] = options.num_workers
    return value


def copy_objects(
    bucket: BucketRef,
    selection: Mapping[str, Any],
    to_bck: BucketRef,
    options: CopyOptions = DEFAULT_COPY,
) -> Request:
    """``POST /v1/buckets/{src}`` with ``copy-listrange``; the destination is in the body."""
    return _job("POST", bucket, ACT_COPY, _copy_value(selection, to_bck, options))


def transform_objects(
    bucket: BucketRef,
    selection: Mapping[str, Any],
    to_bck: BucketRef,
    etl: EtlStage,
    options: CopyOptions = DEFAULT_COPY,
) -> Request:
    """``POST /v1/buckets/{src}`` with ``etl-listrange``: copy fields plus the ETL fields."""
    value = _copy_value(selection, to_bck, options)
    if options.ext:
        value["ext"] = options.ext_map
    value.update(etl.fields())
    return _job("POST", bucket, ACT_TRANSFORM, value)


def normalize_mime(mime: str) -> str:
    """An archive format as the server names it: ``"tar"``, ``".tar"`` or
    ``"application/x-tar"`` → ``".tar"``; ``""`` stays empty (format from the name)."""
    if not isinstance(mime, str):
        raise TypeError(f"mime must be a str, not {type(mime).__name__}")
    if not mime:
        return ""
    text = mime.strip().lower()
    # ".tar.gz" and ".tar.lz4" contain "tar", so they are looked for first.
    for ext in (".tar.gz", ".tar.lz4", ".tar", ".tgz", ".zip"):
        if ext[1:] in text:
            return ext
    raise ValueError(
        f"unsupported archive format {mime!r}; use one of {', '.join(ARCHIVE_EXTENSIONS)}"
    )


def archive_extension(name: str) -> str:
    """The archive extension ``name`` ends with (case-sensitive, as on the server), or ``""``."""
    return next((ext for ext in ARCHIVE_EXTENSIONS if name.endswith(ext)), "")


def archive_objects(
    bucket: BucketRef,
    selection: Mapping[str, Any],
    archive_name: str,
    *,
    mime: str = "",
    to_bck: BucketRef | None = None,
    include_source_name: bool = False,
    allow_append: bool = False,
    continue_on_err: bool = False,
) -> Request:
    """``PUT /v1/buckets/{src}`` with ``archive``: pack the selection into one shard."""
    if not isinstance(archive_name, str) or not archive_name:
        raise ValueError("archive_name must be a non-empty object name")
    fmt = normalize_mime(mime)
    ext = archive_extension(archive_name)
    if not ext:
        raise ValueError(
            f"archive name {archive_name!r} must end with an archive extension "
            f"({', '.join(ARCHIVE_EXTENSIONS)})"
        )
    # The server compares an explicit format with the name's extension literally.
    if fmt and fmt != ext:
        raise ValueError(f"archive name {archive_name!r} does not match mime {mime!r} ({fmt})")
    value = _selection(selection)
    value["archname"] = archive_name
    if fmt:
        value["mime"] = fmt
    value["isbn"] = bool(include_source_name)
    value["aate"] = bool(allow_append)
    value["coer"] = bool(continue_on_err)
    value["tobck"] = (to_bck or bucket).as_json()
    return _job("PUT", bucket, ACT_ARCHIVE, value)
