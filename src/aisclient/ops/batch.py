"""Get-Batch (MOSS) request builders: entry validation, the request body, the Request.

``GET /v1/ml/moss[/<default bucket>]?provider=..[&namespace=..][&coloc=N]`` with a JSON
``MossReq`` body. The proxy answers 307 to a target, and the transport re-sends the same GET
with the same body there.
"""

from __future__ import annotations

from collections.abc import Iterable

from aisclient.enums import Colocation
from aisclient.models.batch import (
    EXT_TAR,
    MISSING_PREFIX,
    SUPPORTED_FORMATS,
    MossIn,
    MossReq,
    encode_opaque,
    moss_req_wire,
)
from aisclient.provider import BucketRef
from aisclient.request import JsonBody, Request
from aisclient.validators import is_int

MOSS_PATH = ("ml", "moss")


def normalize_output_format(output_format: str) -> str:
    """The lowercased format if it is one the client can decode, else ``ValueError``."""
    if not isinstance(output_format, str):
        raise TypeError(f"output_format must be a str, not {type(output_format).__name__}")
    fmt = output_format.lower()
    if fmt not in SUPPORTED_FORMATS:
        raise ValueError(
            f"unsupported Get-Batch output_format {output_format!r}: "
            f"use one of {', '.join(SUPPORTED_FORMATS)} (with the leading dot)"
        )
    return fmt


def validate_colocation(colocation: Colocation | int) -> int:
    """The colocation level as an int (0 or 1); 2 is refused as the SDK does."""
    if not is_int(colocation):
        raise TypeError(f"colocation must be a Colocation or int, not {colocation!r}")
    if colocation not in (0, 1, 2):
        raise ValueError(f"colocation must be 0, 1 or 2 (Colocation), not {colocation!r}")
    if colocation == Colocation.TARGET_AND_SHARD_AWARE:
        raise NotImplementedError(
            "Colocation.TARGET_AND_SHARD_AWARE is not supported yet; use TARGET_AWARE"
        )
    return int(colocation)


def _check_int(value: object, what: str) -> int | None:
    if value is None:
        return None
    if not is_int(value):
        raise TypeError(f"{what} must be an int, not {value!r}")
    return value


def validate_range(start: int | None, length: int | None) -> tuple[int | None, int | None]:
    """Check a byte range the way the server does; return it with zeros as ``None``.

    ``(None|0, None|0)`` is the whole object, ``(N, L>0)`` is L bytes from N, ``(N, -1)`` is
    from N to the end.
    """
    first = _check_int(start, "start")
    size = _check_int(length, "length")
    if first is not None and first < 0:
        raise ValueError(f"start must be >= 0, got {first}")
    if size is not None and size < -1:
        raise ValueError(f"length must be > 0, or -1 for 'to the end', got {size}")
    if first and not size:
        raise ValueError(f"start={first} needs a length (> 0, or -1 for 'to the end')")
    return (first or None), (size or None)


def entry_uname(bucket: BucketRef, obj_name: str) -> str | None:
    """The fully qualified name, needed only to carry a non-global namespace per entry."""
    if bucket.namespace is None or bucket.namespace.is_global:
        return None
    return bucket.uname + obj_name


def make_entry(
    obj_name: str,
    bucket: BucketRef,
    *,
    opaque: bytes | bytearray | memoryview | None = None,
    archpath: str | None = None,
    start: int | None = None,
    length: int | None = None,
) -> MossIn:
    """One validated entry. It always names its bucket and provider explicitly."""
    if not isinstance(obj_name, str):
        raise TypeError(f"object name must be a str, not {type(obj_name).__name__}")
    if not obj_name:
        raise ValueError("object name must not be empty")
    if archpath is not None and not isinstance(archpath, str):
        raise TypeError(f"archpath must be a str, not {type(archpath).__name__}")
    if opaque is not None and not isinstance(opaque, bytes | bytearray | memoryview):
        raise TypeError(f"opaque must be bytes, not {type(opaque).__name__}")
    first, size = validate_range(start, length)
    return MossIn(
        obj_name=obj_name,
        bck=bucket.name,
        provider=bucket.provider.value,
        uname=entry_uname(bucket, obj_name),
        opaque=encode_opaque(bytes(opaque)) if opaque else None,
        archpath=archpath or None,
        start=first,
        length=size,
    )


def new_request(
    *,
    output_format: str = EXT_TAR,
    cont_on_err: bool = True,
    only_obj_name: bool = False,
    streaming_get: bool = True,
    colocation: Colocation | int = Colocation.NONE,
    entries: Iterable[MossIn] = (),
) -> MossReq:
    """A validated, empty-or-filled :class:`MossReq`."""
    level = validate_colocation(colocation)
    return MossReq(
        moss_in=list(entries),
        output_format=normalize_output_format(output_format),
        cont_on_err=bool(cont_on_err),
        only_obj_name=bool(only_obj_name),
        streaming_get=bool(streaming_get),
        colocation=level or None,
    )


def get_batch(req: MossReq, bucket: BucketRef | None = None) -> Request:
    """The Get-Batch request: a streamed GET with the JSON body, safe to re-send."""
    if not req.moss_in:
        raise ValueError("Get-Batch needs at least one entry: add() objects first")
    path = (*MOSS_PATH, bucket.name) if bucket is not None else MOSS_PATH
    query = bucket.query if bucket is not None else ()
    if req.colocation:
        query = (*query, ("coloc", str(int(req.colocation))))
    return Request(
        "GET",
        path,
        query=query,
        body=JsonBody.of(moss_req_wire(req)),
        stream=True,
        idempotent=True,
    )


# -- archive member names --------------------------------------------------------------------


def member_name(entry: MossIn, only_obj_name: bool) -> str:
    """The archive name the server gives an entry that it read successfully."""
    base = entry.obj_name if only_obj_name else f"{entry.bck}/{entry.obj_name}"
    if entry.archpath:
        return f"{base}/{entry.archpath.lstrip('/')}"
    return base


def missing_member_names(entry: MossIn, only_obj_name: bool) -> frozenset[str]:
    """Names under which the server reports an entry it could not read.

    With an archpath the server may drop the archpath part (when the shard itself is
    missing), and an archpath with a leading ``/`` may keep it.
    """
    base = entry.obj_name if only_obj_name else f"{entry.bck}/{entry.obj_name}"
    names = {MISSING_PREFIX + base}
    if entry.archpath:
        names.add(f"{MISSING_PREFIX}{base}/{entry.archpath.lstrip('/')}")
        names.add(f"{MISSING_PREFIX}{base}/{entry.archpath}")
    return frozenset(names)
