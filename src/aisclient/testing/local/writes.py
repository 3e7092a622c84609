"""Target-side writes: PUT, APPEND/flush, copy (object_to), multipart upload."""

from __future__ import annotations

import base64
import json
import os
import shutil
from pathlib import Path
from typing import Any

from . import props as bprops
from .common import lookup
from .context import ClusterCtx, short_id
from .errors import ETL_UNSUPPORTED, HttpError, bad_request, not_found
from .httpd import ServerExchange
from .names import Bck, parse_uname, validate_object_name
from .objhdrs import base_headers
from .store import CHUNK, Hasher, ObjMeta, copy_stream, effective_cksum_type, new_hasher
from .uploads import AppendWork, MptUpload


def bad_cksum(kind: str, given: str, computed: str, bck: Bck, obj: str) -> HttpError:
    return HttpError(
        500,
        f"BAD DATA CHECKSUM: {kind}({given} != {computed}) (context: {bck.cname(obj)})",
        "ErrBadCksum",
    )


def put_dispatch(ctx: ClusterCtx, ex: ServerExchange, bck: Bck, obj: str) -> None:
    if ex.has("append_type") or ex.q("append_handle"):
        append(ctx, ex, bck, obj)
    elif ex.q("uploadId"):
        mpt_part(ctx, ex, bck, obj)
    elif ex.has("object_to"):
        copy_object(ctx, ex, bck, obj)
    elif ex.q("archpath"):
        raise HttpError(
            501,
            "append-to-archive (PUT with archpath) is not supported by LocalCluster",
            "ErrUnsupp",
        )
    else:
        put(ctx, ex, bck, obj)


def _client_cksum(ex: ServerExchange) -> tuple[str, str]:
    kind = (ex.headers.get("Ais-Checksum-Type") or "").strip()
    value = (ex.headers.get("Ais-Checksum-Value") or "").strip()
    if kind and kind not in bprops.CKSUM_TYPES:
        raise bad_request(
            f'invalid checksum type "{kind}" (expecting [{" ".join(bprops.CKSUM_TYPES)}])'
        )
    return kind, value


def _custom_md(ex: ServerExchange) -> dict[str, str]:
    out: dict[str, str] = {}
    # one entry per header line; like AIS, a folded "a=1, b=2" line is one entry ("a")
    for line in ex.headers.get_all("Ais-Custom-Md") or []:
        key, sep, value = str(line).partition("=")
        if sep and key.strip():
            out[key.strip()] = value.strip()
    return out


def receive(ctx: ClusterCtx, ex: ServerExchange, hashers: list[Hasher]) -> tuple[Path, int]:
    """Stream the request body into a temp file, updating ``hashers``."""
    path, f = ctx.store.temp_file()
    size = 0
    try:
        with f:
            while True:
                data = ex.body.read(CHUNK)
                if not data:
                    break
                f.write(data)
                for h in hashers:
                    h.update(data)
                size += len(data)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, size


def put(ctx: ClusterCtx, ex: ServerExchange, bck: Bck, obj: str) -> None:
    state = lookup(ctx, ex, bck)
    kind = effective_cksum_type(state.props)
    ctype, cvalue = _client_cksum(ex)
    if ctype and cvalue and not ex.qbool("skip_vc"):
        old = ctx.store.head(bck, obj)
        if old is not None and old.cksum_type == ctype and old.cksum_value == cvalue:
            ex.body.drain()
            ex.respond(200, headers=base_headers(old))
            return
    hasher = new_hasher(kind)
    verifier = None
    if ctype and cvalue and ctype != "none":
        verifier = hasher if ctype == kind else new_hasher(ctype)
    hashers = [hasher] if hasher is not None else []
    if verifier is not None and verifier is not hasher:
        hashers.append(verifier)
    tmp, size = receive(ctx, ex, hashers)
    if verifier is not None and verifier.hexdigest() != cvalue.lower():
        tmp.unlink(missing_ok=True)
        raise bad_cksum(ctype, cvalue, verifier.hexdigest(), bck, obj)
    digest = hasher.hexdigest() if hasher is not None else ""
    meta = ctx.store.commit(bck, obj, tmp, size, (kind, digest), custom=_custom_md(ex))
    ex.respond(200, headers=base_headers(meta))


def file_cksum(path: Path, kind: str) -> str:
    hasher = new_hasher(kind)
    if hasher is None:
        return ""
    with open(path, "rb") as f:
        while True:
            data = f.read(CHUNK)
            if not data:
                break
            hasher.update(data)
    return hasher.hexdigest()


# ---- APPEND / flush -------------------------------------------------------------


def _parse_handle(ctx: ClusterCtx, handle: str, bck: Bck, obj: str) -> AppendWork:
    parts = handle.split("|")
    with ctx.uploads.lock:
        work = ctx.uploads.appends.get(parts[1]) if len(parts) == 4 else None
    if work is None or work.bck != bck or work.obj != obj:
        raise bad_request(f"invalid append handle {handle!r}")
    return work


def append(ctx: ClusterCtx, ex: ServerExchange, bck: Bck, obj: str) -> None:
    op = ex.q("append_type") or "append"
    handle = ex.q("append_handle")
    if op not in ("append", "flush"):
        raise bad_request(
            f'invalid operation "{op}" (expecting either "append" or "flush") '
            '- check "append_type" query'
        )
    state = lookup(ctx, ex, bck)
    kind = effective_cksum_type(state.props)
    if op == "flush":
        if not handle:
            raise bad_request(
                "failed to finalize append-file operation: empty source in the "
                "{partialCksum:<nil> nodeID: workFQN:} handle"
            )
        work = _parse_handle(ctx, handle, bck, obj)
        ex.body.drain()
        with ctx.uploads.lock:
            ctx.uploads.appends.pop(str(work.path), None)
        digest = file_cksum(work.path, kind)
        ctype, cvalue = _client_cksum(ex)
        if ctype and cvalue and ctype != "none":
            got = digest if ctype == kind else file_cksum(work.path, ctype)
            if got and got != cvalue.lower():
                work.path.unlink(missing_ok=True)
                raise bad_cksum(ctype, cvalue, got, bck, obj)
        size = work.path.stat().st_size
        ctx.store.commit(bck, obj, work.path, size, (kind, digest))
        ex.respond(200)
        return
    if handle:
        work = _parse_handle(ctx, handle, bck, obj)
    else:
        path, f = ctx.store.temp_file("append-")
        with f:
            opened = ctx.store.open_read(bck, obj)
            if opened is not None:
                with opened[1] as src:
                    copy_stream(src, f, None)
        work = AppendWork(path, bck, obj)
        with ctx.uploads.lock:
            ctx.uploads.appends[str(path)] = work
    with open(work.path, "ab") as f:
        while True:
            data = ex.body.read(CHUNK)
            if not data:
                break
            f.write(data)
        size = f.tell()
    state_b64 = base64.b64encode(str(size).encode()).decode()
    new_handle = f"{ex.node.id}|{work.path}|{kind}|{state_b64}"
    ex.respond(200, headers=[("Ais-Append-Handle", new_handle)])


# ---- copy (object_to) ----------------------------------------------------------


def copy_object(ctx: ClusterCtx, ex: ServerExchange, bck: Bck, obj: str) -> None:
    if ex.q("etl_name") or ex.q("etl_pipeline"):
        raise HttpError(501, ETL_UNSUPPORTED, "ErrUnsupp")
    to = ex.q("object_to")
    dst, dst_obj = parse_uname(to)
    if not dst_obj:
        raise bad_request(f'parse-uname "{to}": missing object name in "{dst.cname()}"')
    validate_object_name(dst_obj)
    lookup(ctx, ex, dst)
    if copy_one(ctx, bck, obj, dst, dst_obj) is None:
        raise not_found(f"{ex.node.name}: {bck.cname(obj)} does not exist")
    ex.respond(200)


def copy_one(ctx: ClusterCtx, src: Bck, obj: str, dst: Bck, dst_obj: str) -> ObjMeta | None:
    """Copy one object (streaming); None when the source does not exist."""
    opened = ctx.store.open_read(src, obj)
    if opened is None:
        return None
    meta, f = opened
    kind = effective_cksum_type(ctx.store.bucket(dst).props)
    hasher = new_hasher(kind)
    tmp, out = ctx.store.temp_file("copy-")
    try:
        with f, out:
            size = copy_stream(f, out, hasher)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    digest = hasher.hexdigest() if hasher is not None else ""
    return ctx.store.commit(dst, dst_obj, tmp, size, (kind, digest), custom=meta.custom)


# ---- multipart upload ----------------------------------------------------------


def _upload(ctx: ClusterCtx, upload_id: str, bck: Bck, obj: str) -> MptUpload:
    with ctx.uploads.lock:
        up = ctx.uploads.mpt.get(upload_id)
    if up is None or up.bck != bck or up.obj != obj:
        raise not_found(f"o[{bck.name}/{obj}(-)]: {upload_id} does not exist")
    return up


def mpt_create(ctx: ClusterCtx, ex: ServerExchange, bck: Bck, obj: str) -> None:
    upload_id = short_id()
    directory = ctx.store.tmp / f"mpt-{upload_id}"
    directory.mkdir()
    with ctx.uploads.lock:
        ctx.uploads.mpt[upload_id] = MptUpload(upload_id, bck, obj, directory)
    ex.respond_text(upload_id)


def mpt_part(ctx: ClusterCtx, ex: ServerExchange, bck: Bck, obj: str) -> None:
    upload_id = ex.q("uploadId")
    raw = ex.q("partNumber")
    try:
        number = int(raw)
        if number < 1:
            raise ValueError
    except ValueError:
        raise bad_request(
            f'o[{bck.name}/{obj}(-)]: invalid part number "{raw}" for uploadID "{upload_id}"'
        ) from None
    up = _upload(ctx, upload_id, bck, obj)
    tmp, size = receive(ctx, ex, [])
    os.replace(tmp, up.directory / str(number))
    with ctx.uploads.lock:
        up.parts[number] = size
    ex.respond(200)


def mpt_complete(ctx: ClusterCtx, ex: ServerExchange, bck: Bck, obj: str, value: Any) -> None:
    up = _upload(ctx, ex.q("uploadId"), bck, obj)
    if not isinstance(value, list) or not value:
        raise bad_request(f"o[{bck.name}/{obj}(-)]: invalid list of completed parts")
    numbers: list[int] = []
    for part in value:
        n = part.get("part-number") if isinstance(part, dict) else None
        if not isinstance(n, int) or n not in up.parts or n in numbers:
            raise bad_request(f"o[{bck.name}/{obj}(-)]: invalid part {json.dumps(part)}")
        numbers.append(n)
    state = lookup(ctx, ex, bck)
    kind = effective_cksum_type(state.props)
    hasher = new_hasher(kind)
    tmp, out = ctx.store.temp_file("mpt-")
    sizes: list[int] = []
    with out:
        for n in numbers:
            with open(up.directory / str(n), "rb") as part_f:
                sizes.append(copy_stream(part_f, out, hasher))
    digest = hasher.hexdigest() if hasher is not None else ""
    ctx.store.commit(bck, obj, tmp, sum(sizes), (kind, digest), chunks=sizes)
    with ctx.uploads.lock:
        ctx.uploads.mpt.pop(up.id, None)
    shutil.rmtree(up.directory, ignore_errors=True)
    ex.respond(200)


def mpt_abort(ctx: ClusterCtx, ex: ServerExchange, bck: Bck, obj: str) -> None:
    up = _upload(ctx, ex.q("uploadId"), bck, obj)
    with ctx.uploads.lock:
        ctx.uploads.mpt.pop(up.id, None)
    shutil.rmtree(up.directory, ignore_errors=True)
    ex.respond(200)


# ---- promote (files on the "target's" filesystem → objects) -------------------------


def promote(ctx: ClusterCtx, ex: ServerExchange, bck: Bck, name: str, value: Any) -> None:
    """Synchronous promote; like AIS with one target, the reply has an empty body."""
    args = value if isinstance(value, dict) else {}
    src = str(args.get("src") or "")
    if name and src and name != src:
        raise bad_request(f'conflicting promote source: "{name}" vs "{src}"')
    src = src or name
    root = ctx.promote_root
    path = Path(src)
    inside = path.is_absolute() and (path == root or root in path.parents)
    if not inside or any(part in (".", "..") for part in src.split("/")):
        raise HttpError(
            400, f'invalid promote source "{src}": must be under {root}', "errInvalidPromoteSource"
        )
    if not path.exists():
        raise HttpError(404, f"stat {src}: no such file or directory", "PathError")
    obj = str(args.get("obj") or "")
    overwrite = bool(args.get("ovw"))
    if path.is_file():
        files = [(path, obj or path.name)]
    else:
        pattern = path.rglob("*") if args.get("rcr") else path.glob("*")
        files = [(f, obj + str(f.relative_to(path))) for f in sorted(pattern) if f.is_file()]
    kind = effective_cksum_type(lookup(ctx, ex, bck).props)
    for file, oname in files:
        validate_object_name(oname)
        if not overwrite and ctx.store.head(bck, oname) is not None:
            continue
        hasher = new_hasher(kind)
        tmp, out = ctx.store.temp_file("promote-")
        with out, open(file, "rb") as f:
            size = copy_stream(f, out, hasher)
        digest = hasher.hexdigest() if hasher is not None else ""
        ctx.store.commit(bck, oname, tmp, size, (kind, digest))
        if args.get("dls"):
            file.unlink(missing_ok=True)
    ex.respond(200)
