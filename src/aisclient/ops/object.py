"""Pure builders for object requests (``/v1/objects/{bck}/{obj}``).

Object names go into ``Request.path`` untouched; ``render_url`` is the one place that
percent-encodes them. Names that AIS refuses to store are rejected here, before any byte is
sent, by :func:`check_write_name` (reads skip the check: HEAD may probe a virtual directory).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from aisclient.archive_config import ArchiveConfig, BlobDownloadConfig
from aisclient.etl_config import ETLConfig, etl_pairs
from aisclient.ops._common import BUCKETS, OBJECTS, action_body, flag, object_path
from aisclient.provider import BucketRef
from aisclient.request import Body, BytesBody, Request
from aisclient.validators import check_header_value, check_str

Pairs = tuple[tuple[str, str], ...]

# Props the official SDK asks for in each kind of HEAD.
HEAD_DEFAULT_PROPS = "name,size"
PROPS_FULL = "checksum,atime,version,copies,custom,location"
PROPS_ATTRIBUTES = "checksum,atime,version,custom"

APPEND = "append"
FLUSH = "flush"


def check_write_name(name: str) -> str:
    """Return ``name`` if AIS can store an object under it and list it back, else raise
    ``ValueError``.

    Refused: the empty name, a trailing ``/``, a ``.`` or ``..`` path component (HTTP
    libraries would also silently resolve those before sending), a leading ``~/``, a NUL
    character (the target cannot make a file path of it and answers 500, after retries),
    and an empty path component (a leading ``/`` or ``//``): AIS accepts those, but keeps the
    data at a filesystem path without the empty component, so the object lists under a
    collapsed name, or not at all, and the write would not round-trip.
    """
    if not isinstance(name, str):
        raise TypeError(f"object name must be a str, not {type(name).__name__}")
    if not name:
        raise ValueError("object name must not be empty")
    if name.endswith("/"):
        raise ValueError(f"object name {name!r} must not end with '/'")
    if name.startswith("~/"):
        raise ValueError(f"object name {name!r} must not start with '~/'")
    if "\x00" in name:
        raise ValueError(
            f"object name {name!r} must not contain NUL ('\\x00'): AIS cannot make a file "
            "path of it and fails the write"
        )
    if name.startswith("/") or "//" in name:
        raise ValueError(
            f"object name {name!r} must not have an empty path component (a leading '/' or "
            "'//'): AIS would list the object under a collapsed name, or not at all"
        )
    if "." in name and any(part in (".", "..") for part in name.split("/")):
        raise ValueError(f"object name {name!r} must not have '.' or '..' as a path component")
    return name


def _check_type(param: str, value: object, cls: type) -> None:
    """``None`` or an instance of ``cls``; anything else would fail later, far from the cause."""
    if value is not None and not isinstance(value, cls):
        raise TypeError(f"{param} must be a {cls.__name__} or None, not {type(value).__name__}")


def content_bytes(content: object, param: str = "content") -> bytes:
    """``content`` as ``bytes`` if it is bytes-like, else ``TypeError``.

    ``bytes(n)`` of an int is ``n`` zero bytes, and a str needs an encoding: neither may turn
    into object data silently.
    """
    if isinstance(content, bytes):
        return content
    if isinstance(content, bytearray | memoryview):
        return bytes(content)
    hint = "; encode text first" if isinstance(content, str) else ""
    raise TypeError(
        f"{param} must be bytes, bytearray or memoryview, not {type(content).__name__}{hint}"
    )


def check_custom_metadata(custom_metadata: object) -> Mapping[str, str]:
    """A mapping of non-empty ``str`` keys to ``str`` values, else ``TypeError``/``ValueError``.

    Nothing is converted: a non-str value is a caller bug, not something to send as its repr.
    """
    if not isinstance(custom_metadata, Mapping):
        raise TypeError(
            f"custom_metadata must be a mapping of str to str, not {type(custom_metadata).__name__}"
        )
    for key, value in custom_metadata.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(
                f"custom_metadata keys and values must be str, got {key!r}: {value!r} "
                f"({type(key).__name__}: {type(value).__name__})"
            )
        if not key:
            raise ValueError("custom_metadata keys must be non-empty")
    return custom_metadata


# -- reads -------------------------------------------------------------------------------------


def get_object(
    bucket: BucketRef,
    name: str,
    *,
    byte_range: str | None = None,
    latest: bool = False,
    archive: ArchiveConfig | None = None,
    etl: ETLConfig | None = None,
    blob: BlobDownloadConfig | None = None,
    stream: bool = True,
) -> Request:
    """``GET /v1/objects/{bck}/{obj}``: byte range, archive member, inline ETL."""
    _check_type("archive_config", archive, ArchiveConfig)
    _check_type("blob_download_config", blob, BlobDownloadConfig)
    etl_query = etl_pairs(etl)
    query = bucket.query
    if latest:
        query += (("latest-ver", "true"),)
    if archive is not None:
        query += archive.query_pairs()
    query += etl_query
    headers: Pairs = ()
    if byte_range:
        headers = (("Range", byte_range),)
    if blob is not None:
        headers += blob.header_pairs()
    return Request("GET", object_path(bucket, name), query=query, headers=headers, stream=stream)


def head_object(
    bucket: BucketRef,
    name: str,
    props: str = HEAD_DEFAULT_PROPS,
    *,
    presence: int | None = None,
    latest: bool = False,
) -> Request:
    """``HEAD`` with ``props`` (a non-empty value selects the v2 HEAD)."""
    if not isinstance(props, str):
        raise TypeError(f"props must be a str of comma-separated names, not {type(props).__name__}")
    query = (*bucket.query, ("props", props or HEAD_DEFAULT_PROPS))
    if presence is not None:
        query += (("presence", str(int(presence))),)
    if latest:
        query += (("latest-ver", "true"),)
    return Request("HEAD", object_path(bucket, name), query=query)


def check_lock(bucket: BucketRef, name: str) -> Request:
    """``check-lock``: 200 unlocked, 202 read-locked, 423 write-locked."""
    return Request(
        "POST",
        object_path(bucket, name),
        query=bucket.query,
        body=action_body("check-lock"),
        idempotent=True,
    )


# -- writes ------------------------------------------------------------------------------------


def checksum_headers(checksum_type: str, checksum_value: str) -> Pairs:
    check_str(checksum_type, "checksum_type")
    check_str(checksum_value, "checksum_value")
    if bool(checksum_type) != bool(checksum_value):
        raise ValueError("checksum_type and checksum_value go together: give both or neither")
    if not checksum_type:
        return ()
    return (
        ("Ais-Checksum-Type", check_header_value(checksum_type, "checksum_type")),
        ("Ais-Checksum-Value", check_header_value(checksum_value, "checksum_value")),
    )


def _custom_md_headers(custom_metadata: Mapping[str, str] | None) -> Pairs:
    if custom_metadata is None:
        return ()
    pairs = []
    for key, value in check_custom_metadata(custom_metadata).items():
        if "=" in key:
            raise ValueError(f"custom_metadata key {key!r} must not contain '='")
        # Sent as headers: what HTTP cannot carry as-is is refused here, before any byte is
        # sent (set_custom_props sends JSON and takes any text).
        check_header_value(key, f"custom_metadata key {key!r}")
        check_header_value(value, f"custom_metadata[{key!r}]")
        pairs.append(("Ais-Custom-Md", f"{key}={value}"))
    return tuple(pairs)


def put_object(
    bucket: BucketRef,
    name: str,
    body: Body,
    *,
    checksum_type: str = "",
    checksum_value: str = "",
    custom_metadata: Mapping[str, str] | None = None,
    skip_vc: bool = False,
    extra_query: Pairs = (),
) -> Request:
    """``PUT`` the object's bytes. The proxy redirects before reading the body."""
    check_write_name(name)
    query = bucket.query + extra_query
    if skip_vc:
        query += (("skip_vc", "true"),)
    headers = checksum_headers(checksum_type, checksum_value)
    headers += _custom_md_headers(custom_metadata)
    return Request(
        "PUT",
        object_path(bucket, name),
        query=query,
        headers=headers,
        body=body,
        probe_redirect=True,
    )


def append_object(
    bucket: BucketRef,
    name: str,
    content: bytes,
    handle: str = "",
    *,
    flush: bool = False,
    checksum_type: str = "",
    checksum_value: str = "",
) -> Request:
    """One APPEND step, or the final flush. Not retried: a repeat would append twice.

    A flush carries no data (the server ignores a flush body); the checksum, when given,
    is checked against everything appended.
    """
    check_write_name(name)
    data = content_bytes(content)
    if not isinstance(handle, str):
        raise TypeError(
            f"handle must be the str returned by the last append, not {type(handle).__name__}"
        )
    if flush:
        if not handle:
            raise ValueError("a flush needs the handle returned by the last append")
        if data:
            raise ValueError("a flush carries no data: append it first, then flush")
    query = (
        *bucket.query,
        ("append_type", FLUSH if flush else APPEND),
        ("append_handle", handle),
    )
    headers = checksum_headers(checksum_type, checksum_value)
    body = BytesBody(data) if data or not flush else None
    return Request(
        "PUT",
        object_path(bucket, name),
        query=query,
        headers=headers,
        body=body,
        idempotent=False,
        probe_redirect=body is not None,
    )


def delete_object(bucket: BucketRef, name: str) -> Request:
    return Request("DELETE", object_path(bucket, name), query=bucket.query)


def evict_object(bucket: BucketRef, name: str) -> Request:
    """Drop the in-cluster copy of one remote object: DELETE with an action body."""
    body = action_body("evict-listrange", name=f"{bucket.name}/{name}")
    return Request("DELETE", object_path(bucket, name), query=bucket.query, body=body)


def copy_object(
    bucket: BucketRef,
    name: str,
    to_uname: str,
    *,
    latest: bool = False,
    sync: bool = False,
    etl: ETLConfig | None = None,
) -> Request:
    """Server-side copy; ``to_uname`` = ``provider/@uuid#ns/bucket/object``."""
    _check_type("etl", etl, ETLConfig)
    query = (
        *bucket.query,
        ("object_to", to_uname),
        ("latest-ver", flag(latest)),
        ("synchronize", flag(sync)),
        *etl_pairs(etl),
    )
    return Request("PUT", object_path(bucket, name), query=query)


def rename_object(bucket: BucketRef, name: str, new_name: str) -> Request:
    """Rename within the bucket."""
    check_write_name(new_name)
    if new_name == name:
        raise ValueError(f"cannot rename {name!r} to itself")
    return Request(
        "POST",
        object_path(bucket, name),
        query=bucket.query,
        body=action_body("rename-obj", name=new_name),
    )


def set_custom_props(
    bucket: BucketRef,
    name: str,
    custom_metadata: Mapping[str, str],
    replace_existing: bool = False,
) -> Request:
    """PATCH custom metadata: merge, or replace all with ``set-new-custom``."""
    value = dict(check_custom_metadata(custom_metadata))
    query = bucket.query
    if replace_existing:
        query += (("set-new-custom", "true"),)
    return Request(
        "PATCH", object_path(bucket, name), query=query, body=action_body("", value=value)
    )


def promote(
    bucket: BucketRef,
    path: str,
    obj_name: str,
    *,
    target_id: str = "",
    recursive: bool = False,
    overwrite_dest: bool = False,
    delete_source: bool = False,
    src_not_file_share: bool = False,
) -> Request:
    """Promote files on a target's filesystem into objects."""
    if not path:
        raise ValueError("promote needs the source path on the target")
    value = {
        "tid": target_id,
        "src": path,
        "obj": obj_name,
        "rcr": recursive,
        "ovw": overwrite_dest,
        "dls": delete_source,
        "notshr": src_not_file_share,
    }
    body = action_body("promote", name=path, value=value)
    return Request("POST", (OBJECTS, bucket.name), query=bucket.query, body=body)


def blob_download(
    bucket: BucketRef,
    name: str,
    *,
    chunk_size: int | None = None,
    num_workers: int | None = None,
    latest: bool = False,
) -> Request:
    """Start a blob-download job for one remote object."""
    value: dict[str, object] = {"latest-ver": latest}
    if chunk_size:
        value["chunk-size"] = int(chunk_size)
    if num_workers:
        value["num-workers"] = int(num_workers)
    body = action_body("blob-download", name=name, value=value)
    return Request("POST", (OBJECTS, bucket.name), query=bucket.query, body=body)


def prefetch_objects(
    bucket: BucketRef,
    names: Sequence[str],
    *,
    latest: bool = False,
    continue_on_error: bool = False,
    blob_threshold: int | None = None,
    num_workers: int | None = None,
) -> Request:
    """Prefetch remote objects by name; one name is how a single object is fetched."""
    value: dict[str, object] = {
        "objnames": list(names),
        "coer": continue_on_error,
        "latest-ver": latest,
    }
    if blob_threshold:
        value["blob-threshold"] = int(blob_threshold)
    if num_workers:
        value["num-workers"] = int(num_workers)
    body = action_body("prefetch-listrange", value=value)
    return Request("POST", (BUCKETS, bucket.name), query=bucket.query, body=body)


# -- multipart upload --------------------------------------------------------------


def mpt_create(bucket: BucketRef, name: str) -> Request:
    check_write_name(name)
    return Request(
        "POST", object_path(bucket, name), query=bucket.query, body=action_body("mpt-upload")
    )


def mpt_part_query(upload_id: str, part_number: int) -> Pairs:
    return (("uploadId", upload_id), ("partNumber", str(part_number)))


def mpt_put_part(
    bucket: BucketRef, name: str, upload_id: str, part_number: int, body: Body
) -> Request:
    return put_object(bucket, name, body, extra_query=mpt_part_query(upload_id, part_number))


def mpt_complete(bucket: BucketRef, name: str, upload_id: str, parts: Iterable[int]) -> Request:
    value = [{"part-number": int(number), "etag": ""} for number in parts]
    query = (*bucket.query, ("uploadId", upload_id))
    return Request(
        "POST",
        object_path(bucket, name),
        query=query,
        body=action_body("mpt-complete", value=value),
    )


def mpt_abort(bucket: BucketRef, name: str, upload_id: str) -> Request:
    query = (*bucket.query, ("uploadId", upload_id))
    return Request("DELETE", object_path(bucket, name), query=query, body=action_body("mpt-abort"))
