"""Target-side object requests: GET, HEAD, DELETE, PATCH, POST (PUT is in writes)."""

from __future__ import annotations

import re
from email.utils import formatdate

from . import archives, writes
from .common import invalid_action, lookup, read_actmsg, request_bck
from .context import ClusterCtx, base36
from .errors import ETL_UNSUPPORTED, HttpError, bad_request, method_not_allowed, not_found
from .httpd import ServerExchange
from .names import Bck, validate_bucket_name, validate_object_name
from .objhdrs import base_headers

_EMPTY_COMPONENTS = re.compile(r"/{2,}")
_V2_PROPS = frozenset(
    [
        "name",
        "size",
        "checksum",
        "atime",
        "version",
        "custom",
        "last-modified",
        "etag",
        "location",
        "copies",
        "ec",
        "chunked",
    ]
)


def obj_not_found(ex: ServerExchange, bck: Bck, obj: str) -> HttpError:
    return not_found(f"{ex.node.name}: {bck.cname(obj)} does not exist")


def split_path(ex: ServerExchange) -> tuple[str, str]:
    """``/v1/objects/<bck>/<obj>`` → (bucket, object); the object may be empty."""
    parts = ex.path.split("/", 4)
    if len(parts) < 4 or not parts[3]:
        raise bad_request(f"URL '{ex.path.lstrip('/')}' is too short: expected 4 items, got 3")
    obj = parts[4] if len(parts) > 4 else ""
    # AIS keeps such objects at a path without the empty components, and that is the
    # name they list under; LocalCluster simply uses the collapsed name throughout
    return parts[3], _EMPTY_COMPONENTS.sub("/", obj).lstrip("/")


def handle(ctx: ClusterCtx, ex: ServerExchange) -> None:
    bname, obj = split_path(ex)
    validate_bucket_name(bname)
    if ex.method not in ("GET", "HEAD") and not ex.has("pid"):
        raise bad_request(f"{ex.node.name}: {ex.method}(obj) is expected to be redirected")
    bck = request_bck(ex, bname)
    lookup(ctx, ex, bck)
    if not obj:
        raise bad_request(f"URL '{ex.path.lstrip('/')}' is too short: expected 4 items, got 3")
    validate_object_name(obj, allow_trailing_slash=ex.method == "HEAD")
    if ex.method == "GET":
        get(ctx, ex, bck, obj)
    elif ex.method == "HEAD":
        head(ctx, ex, bck, obj)
    elif ex.method == "PUT":
        writes.put_dispatch(ctx, ex, bck, obj)
    elif ex.method == "DELETE":
        delete(ctx, ex, bck, obj)
    elif ex.method == "PATCH":
        patch(ctx, ex, bck, obj)
    elif ex.method == "POST":
        post(ctx, ex, bck, obj)
    else:
        raise method_not_allowed("GET, HEAD, PUT, POST, DELETE, PATCH")


# ---- GET --------------------------------------------------------------------


def parse_range(spec: str, size: int, bck: Bck, obj: str) -> tuple[int, int]:
    """``bytes=A-B`` → (offset, length); AIS statuses and messages on failure."""
    if not spec.startswith("bytes="):
        raise HttpError(416, f'read range "{spec}" is invalid (prefix)')
    ranges = spec[len("bytes=") :]
    if "," in ranges:
        raise HttpError(
            416, f"cannot multi-range read {bck.cname(obj)} - operation not supported", "ErrUnsupp"
        )
    first, dash, last = ranges.strip().partition("-")
    unsatisfiable = HttpError(
        416,
        f"size={size}: not satisfiable range [{ranges}]",
        "ErrRangeNotSatisfiable",
        [("Content-Range", f"bytes */{size}")],
    )
    try:
        if not dash:
            raise ValueError
        if first == "":
            n = int(last)
            if n <= 0:
                raise unsatisfiable
            n = min(n, size)
            return size - n, n
        start = int(first)
        end = int(last) if last else size - 1
    except ValueError:
        raise HttpError(416, f'read range "{spec}" is invalid') from None
    if start >= size:
        raise unsatisfiable
    if start < 0 or end < start:
        raise HttpError(416, f'read range "{spec}" is invalid')
    end = min(end, size - 1)
    return start, end - start + 1


def _arch_query(ex: ServerExchange) -> tuple[str, str, str]:
    archpath = ex.q("archpath")
    regx = ex.q("archregx")
    mode = ex.q("archmode")
    if mode and mode not in archives.MATCH_MODES:
        raise bad_request(
            f"dpq: 'archmode={mode}', err: invalid matching mode \"{mode}\", "
            f"expecting one of: [{' '.join(archives.MATCH_MODES)}]"
        )
    if archpath and (regx or mode):
        raise bad_request(
            f"dpq: 'archmode={mode}', err: dpq: archpath=\"archpath\" (match one) and "
            'archregx="archregx" (match many) are mutually exclusive'
        )
    if regx and not mode:
        mode = "prefix"
    return archpath, regx, mode


def get(ctx: ClusterCtx, ex: ServerExchange, bck: Bck, obj: str) -> None:
    if ex.q("etl_name") or ex.q("etl_pipeline"):
        raise HttpError(501, ETL_UNSUPPORTED, "ErrUnsupp")
    archpath, regx, mode = _arch_query(ex)
    rng = ex.headers.get("Range")
    opened = ctx.store.open_read(bck, obj)
    if opened is None:
        raise obj_not_found(ex, bck, obj)
    meta, f = opened
    with f:
        if archpath or regx:
            if rng:
                query = f"archpath={archpath}" if archpath else f"archregx={regx}"
                raise bad_request(
                    f"cannot range-read archived content range: {rng}, arch query: ({query}) "
                    "- operation not supported",
                    "ErrUnsupp",
                )
            with archives.open_archive(f, obj, ex.q("archmime")) as arch:
                if archpath:
                    _send_member(ex, arch, bck, obj, archpath)
                else:
                    _send_matching(ex, arch, bck, obj, regx, mode)
        else:
            hdrs = [*base_headers(meta), ("Content-Type", "application/octet-stream")]
            if rng:
                offset, length = parse_range(rng, meta.size, bck, obj)
                hdrs += [
                    ("Accept-Ranges", "bytes"),
                    ("Content-Range", f"bytes {offset}-{offset + length - 1}/{meta.size}"),
                ]
                ex.send_file(f, offset, length, 206, hdrs)
            else:
                ex.send_file(f, 0, meta.size, 200, hdrs)
    ctx.store.touch(bck, obj)


def _send_member(
    ex: ServerExchange, arch: archives.ArchiveReader, bck: Bck, obj: str, archpath: str
) -> None:
    found = arch.open(archives.member_path(obj, archpath))
    if found is None:
        raise not_found(f"{ex.node.name}: {archpath} in {bck.cname(obj)} does not exist")
    size, member = found
    with member:
        ex.start_fixed(200, [("Content-Type", "application/octet-stream")], size)
        if ex.write_from(member, size) != size:
            raise OSError("archive member shorter than its header")


def _send_matching(
    ex: ServerExchange, arch: archives.ArchiveReader, bck: Bck, obj: str, regx: str, mode: str
) -> None:
    match = archives.matcher(regx, mode)
    names = [(n, s) for n, s in arch.members() if match(n)]
    if not names:
        raise not_found(
            f"{ex.node.name}: (archregx={regx}, archmode={mode}) in {bck.cname(obj)} does not exist"
        )
    out = ex.start_stream(200, [("Content-Type", "application/x-tar")])
    writer = archives.ArchiveWriter(out, ".tar")
    for name, _size in names:
        found = arch.open(name)
        if found is None:
            continue
        size, member = found
        with member:
            writer.add(name, size, member)
    writer.close()
    out.close()


# ---- HEAD -------------------------------------------------------------------


def _mountpath(ctx: ClusterCtx) -> str:
    return str(ctx.store.root / "b")


def head(ctx: ClusterCtx, ex: ServerExchange, bck: Bck, obj: str) -> None:
    raw_props = ex.q("props")
    wanted = [p.strip() for p in raw_props.split(",") if p.strip()]
    for p in wanted:
        if p not in _V2_PROPS:
            raise bad_request(f'invalid property "{p}" in props list')
    meta = ctx.store.head(bck, obj)
    if meta is None:
        raise obj_not_found(ex, bck, obj)
    presence = ex.q("presence")
    if presence in ("1", "3"):
        ex.respond(200, headers=[("Ais-Present", "true")])
        return
    owner = ctx.owner(bck, obj)
    location = f"{owner.name}:mp[{_mountpath(ctx)}]"
    hdrs: list[tuple[str, str]] = []
    if not wanted:
        hdrs = base_headers(meta)
        hdrs += [
            ("Ais-Name", obj),
            ("Ais-Bucket-Name", bck.name),
            ("Ais-Bucket-Provider", bck.provider),
            ("Ais-Location", location),
            ("Ais-Mirror-Copies", "1"),
            ("Ais-Mirror-Paths", f"[{_mountpath(ctx)}]"),
            ("Ais-Present", "true"),
        ]
        if meta.size > 0:
            hdrs.append(("Content-Length", str(meta.size)))
        ex.respond(200, headers=hdrs)
        return
    want = set(wanted)
    hdrs.append(("Ais-Present", "true"))
    if "checksum" in want and meta.cksum_type not in ("", "none") and meta.cksum_value:
        hdrs += [("Ais-Checksum-Type", meta.cksum_type), ("Ais-Checksum-Value", meta.cksum_value)]
    if "atime" in want and meta.atime:
        hdrs.append(("Ais-Atime", str(meta.atime)))
    if "version" in want and meta.version:
        hdrs.append(("Ais-Version", str(meta.version)))
    if "custom" in want:
        hdrs.extend(("Ais-Custom-Md", f"{k}={v}") for k, v in sorted(meta.custom.items()))
    if "last-modified" in want:
        hdrs.append(("Last-Modified", formatdate(meta.mtime / 1e9, usegmt=True)))
    if "etag" in want:
        hdrs.append(("ETag", f'"v{meta.version}-{meta.cksum_value}-{base36(meta.mtime)}"'))
    if "location" in want:
        hdrs.append(("Ais-Location", location))
    if "copies" in want:
        hdrs += [("Ais-Mirror-Copies", "1"), ("Ais-Mirror-Paths", _mountpath(ctx))]
    if "chunked" in want and meta.chunks:
        hdrs += [
            ("Ais-Chunks-Count", str(len(meta.chunks))),
            ("Ais-Chunks-Max-Chunk-Size", str(max(meta.chunks))),
        ]
    hdrs.append(("Content-Length", str(meta.size)))
    ex.respond(200, headers=hdrs)


# ---- DELETE / PATCH / POST ----------------------------------------------------


def delete(ctx: ClusterCtx, ex: ServerExchange, bck: Bck, obj: str) -> None:
    msg = read_actmsg(ex)
    if msg.action == "evict-listrange":
        raise HttpError(
            400, f"evict-listrange: expecting remote bucket (have {bck.cname()})", "ErrNotRemoteBck"
        )
    if ex.q("uploadId") or msg.action == "mpt-abort":
        writes.mpt_abort(ctx, ex, bck, obj)
        return
    if msg.action:
        raise invalid_action(msg.action)
    if not ctx.store.delete(bck, obj):
        raise HttpError(404, f"{bck.cname(obj)} doesn't exist")
    ex.respond(200)


def patch(ctx: ClusterCtx, ex: ServerExchange, bck: Bck, obj: str) -> None:
    msg = read_actmsg(ex)
    value = msg.value
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise bad_request("invalid custom metadata: expected a JSON object of strings")
    custom = {str(k): v if isinstance(v, str) else str(v) for k, v in value.items()}
    total = 0
    for k, v in custom.items():
        total += len(k) + len(v)
        if not k or "\x01" in k + v:
            raise bad_request(f"invalid custom metadata key {k!r}")
    if total > 2048:
        raise bad_request("invalid custom metadata: total size exceeds 2KiB")
    if not ctx.store.update_custom(bck, obj, custom, ex.qbool("set-new-custom")):
        raise obj_not_found(ex, bck, obj)
    ex.respond(200)


def post(ctx: ClusterCtx, ex: ServerExchange, bck: Bck, obj: str) -> None:
    msg = read_actmsg(ex)
    if msg.action == "rename-obj":
        new = msg.name
        validate_object_name(new)
        if new == obj:
            raise bad_request(f"cannot rename {bck.cname(obj)} to self")
        if not ctx.store.rename(bck, obj, new):
            raise obj_not_found(ex, bck, obj)
        ex.respond(200)
    elif msg.action == "check-lock":
        if ctx.store.head(bck, obj) is None:
            raise obj_not_found(ex, bck, obj)
        ex.respond(200)
    elif msg.action == "mpt-upload":
        writes.mpt_create(ctx, ex, bck, obj)
    elif msg.action == "mpt-complete":
        writes.mpt_complete(ctx, ex, bck, obj, msg.value)
    else:
        raise invalid_action(msg.action)
