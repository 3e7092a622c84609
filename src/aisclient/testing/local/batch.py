"""Get-Batch (``/v1/ml/moss``): many objects (or archived files, or ranges) in one archive.

The proxy validates the request and answers 307 to a designated target, which
re-reads the same JSON body and produces either a streamed archive
(``strm: true``) or a ``multipart/mixed`` response with a JSON ``metadata`` part
followed by the ``archive`` part.
"""

from __future__ import annotations

import base64
import random
import secrets
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from typing import IO, Any, BinaryIO
from urllib.parse import quote

from . import archives
from .common import as_dict, as_int, get_ci, lookup, request_bck
from .context import ClusterCtx, short_id
from .errors import HttpError, bad_request, method_not_allowed, not_found
from .httpd import ServerExchange, dumps
from .jobs import Job, new_job_id
from .names import Bck, normalize_provider, parse_uname, validate_bucket_name, validate_object_name


@dataclass
class Entry:
    bck: Bck
    objname: str
    archpath: str
    opaque: str
    start: int
    length: int
    size: int = 0
    err: str = ""


@dataclass
class MossReq:
    entries: list[Entry]
    fmt: str
    coer: bool
    onob: bool
    strm: bool


def parse_request(raw: Any, default: Bck | None) -> MossReq:
    req = as_dict(raw, "apc.MossReq")
    items = get_ci(req, "in")
    if not isinstance(items, list) or not items:
        raise bad_request("moss: empty input")
    mime = str(get_ci(req, "mime", "") or "")
    fmt = archives.normalize_mime(mime) if mime else ".tar"
    if fmt is None:
        raise bad_request(f'moss: unsupported output format "{mime}"')
    entries: list[Entry] = []
    for item in items:
        it = as_dict(item, "moss entry")
        objname = str(get_ci(it, "objname", "") or "")
        uname = str(get_ci(it, "uname", "") or "")
        bucket = str(get_ci(it, "bucket", "") or "")
        if uname:
            bck, obj = parse_uname(uname)
            objname = obj or objname
        elif bucket:
            bck = Bck(bucket, normalize_provider(str(get_ci(it, "provider", "") or "")))
        elif default is not None:
            bck = default
        else:
            raise bad_request(f"missing bucket specification for object {objname!r}")
        validate_bucket_name(bck.name)
        validate_object_name(objname)
        start = as_int(get_ci(it, "start", 0), "start")
        length = as_int(get_ci(it, "length", 0), "length")
        if start < 0 or length < -1 or (start != 0 and length == 0):
            raise bad_request(
                "unmarshalerDecoder: not satisfiable range "
                f'[start={start},length={length} (oname: "{objname}")]'
            )
        archpath = str(get_ci(it, "archpath", "") or "")
        opaque = str(get_ci(it, "opaque", "") or "")
        entries.append(Entry(bck, objname, archpath, opaque, start, length))
    return MossReq(
        entries,
        fmt,
        bool(get_ci(req, "coer", False)),
        bool(get_ci(req, "onob", False)),
        bool(get_ci(req, "strm", False)),
    )


def _segments(ex: ServerExchange) -> list[str]:
    segs = ex.path.strip("/").split("/")
    if len(segs) < 3 or segs[2] != "moss":
        raise bad_request(f"invalid request URI: '{ex.method} {ex.path}' from {ex.remote_addr}")
    return segs[3:]


# ---- proxy ---------------------------------------------------------------------


def proxy(ctx: ClusterCtx, ex: ServerExchange) -> None:
    rest = _segments(ex)
    if len(rest) > 1:
        raise bad_request(f"invalid moss path {ex.path!r}: expecting at most one bucket")
    if ex.method != "GET":
        raise method_not_allowed("GET")
    coloc = as_int(ex.q("coloc") or 0, "coloc")
    if coloc < 0 or coloc > 2:
        raise bad_request(f"invalid colocation hint {coloc} (expecting 0, 1 or 2)")
    bname = rest[0] if rest else ""
    default = request_bck(ex, bname) if bname else None
    req = parse_request(ex.read_json("apc.MossReq"), default)
    for bck in {e.bck for e in req.entries} | ({default} if default else set()):
        lookup(ctx, ex, bck)
    if coloc >= 1:
        votes = Counter(ctx.owner(e.bck, e.objname).id for e in req.entries)
        dt = ctx.target(votes.most_common(1)[0][0]) or ctx.targets[0]
    else:
        dt = random.choice(ctx.targets)
    xid = new_job_id("gbt-")
    ctx.jobs.register(Job(xid, "get-batch", bck=default))
    wid = f"{ctx.proxy.id[:7]}-{short_id(5)}"
    bpart = f"/{quote(bname, safe='')}" if bname else ""
    path = f"/v1/ml/moss{bpart}/{xid}/{wid}/{len(ctx.targets)}"
    ex.redirect(307, ctx.location(ex, dt, path))


# ---- target ----------------------------------------------------------------------


def _resolve(ctx: ClusterCtx, ex: ServerExchange, req: MossReq, placeholders: bool) -> None:
    """Check every entry up front: sizes, missing ones (coer) or the first error.

    In streaming mode AIS has already answered 200 when it meets a failing entry,
    so it ends the archive there: earlier entries are kept, the rest dropped.
    With ``placeholders`` a missing entry gets its ``__404__/`` member even without
    ``coer``, as aisnode on several targets often answers.
    """
    for i, e in enumerate(req.entries):
        try:
            _resolve_one(ctx, ex, e)
            if e.err and not req.coer and not placeholders:
                raise not_found(e.err)
        except HttpError:
            if not req.strm:
                raise
            del req.entries[i:]
            return


def _member_size(ex: ServerExchange, e: Entry, f: BinaryIO) -> int | None:
    with archives.open_archive(f, e.objname) as arch:
        found = arch.open(archives.member_path(e.objname, e.archpath))
    if found is None:
        where = e.bck.cname(e.objname)
        e.err = f"{ex.node.name}: {e.archpath} in {where} does not exist"
        return None
    found[1].close()
    return found[0]


def _resolve_one(ctx: ClusterCtx, ex: ServerExchange, e: Entry) -> None:
    lookup(ctx, ex, e.bck)
    opened = ctx.store.open_read(e.bck, e.objname)
    if opened is None:
        e.err = f"{ex.node.name}: {e.bck.cname(e.objname)} does not exist"
        return
    meta, f = opened
    with f:
        full = _member_size(ex, e, f) if e.archpath else meta.size
    if full is None:
        return
    length = full - e.start if e.length == -1 else e.length
    if e.length == 0:
        length = full
    elif e.start >= full or e.start + length > full or length <= 0:
        raise HttpError(
            400,
            f"size={full}: not satisfiable range [start={e.start},length={e.length}]",
            "ErrRangeNotSatisfiable",
        )
    e.size = length


def _entry_name(e: Entry, onob: bool) -> str:
    name = e.objname if onob else f"{e.bck.name}/{e.objname}"
    if e.archpath:
        name = f"{name}/{e.archpath}"
    return f"__404__/{name}" if e.err else name


def _write_entries(ctx: ClusterCtx, req: MossReq, writer: archives.ArchiveWriter) -> None:
    for e in req.entries:
        name = _entry_name(e, req.onob)
        if e.err:
            writer.add(name, 0, None, 0)
            continue
        opened = ctx.store.open_read(e.bck, e.objname)
        if opened is None:
            raise OSError(f"{e.bck.cname(e.objname)} vanished during get-batch")
        meta, f = opened
        with f:
            if e.archpath:
                with archives.open_archive(f, e.objname) as arch:
                    found = arch.open(archives.member_path(e.objname, e.archpath))
                    if found is None:
                        raise OSError(f"{e.archpath} vanished during get-batch")
                    with found[1] as member:
                        _add_range(writer, name, e, member, meta.mtime)
            else:
                _add_range(writer, name, e, f, meta.mtime)


def _add_range(
    writer: archives.ArchiveWriter, name: str, e: Entry, src: IO[bytes], mtime: int
) -> None:
    if e.start:
        archives.skip(src, e.start)
    writer.add(name, e.size, archives.Limited(src, e.size), mtime / 1e9)


def _out_json(e: Entry) -> dict[str, Any]:
    out: dict[str, Any] = {"objname": e.objname}
    if e.archpath:
        out["archpath"] = e.archpath
    out["bucket"] = e.bck.name
    out["provider"] = e.bck.provider
    if e.err:
        out["err_msg"] = e.err
    if e.opaque:
        out["opaque"] = e.opaque
    out["size"] = 0 if e.err else e.size
    return out


def target(ctx: ClusterCtx, ex: ServerExchange) -> None:
    rest = _segments(ex)
    if ex.method != "GET":
        raise method_not_allowed("GET")
    bname = rest[0] if len(rest) in (1, 4) else ""
    xid = rest[-3] if len(rest) >= 3 else ""
    job = ctx.jobs.get(xid) if xid else None
    if job is None:
        job = ctx.jobs.register(Job(xid or new_job_id("gbt-"), "get-batch"))
    try:
        default = request_bck(ex, bname) if bname else None
        req = parse_request(ex.read_json("apc.MossReq"), default)
        for e in req.entries:
            if e.opaque:
                try:
                    base64.b64decode(e.opaque, validate=True)
                except ValueError:
                    raise bad_request(f"invalid opaque (base64) for {e.objname!r}") from None
        _resolve(ctx, ex, req, ctx.faults.take_batch_placeholder(ex))
        if req.strm:
            ctype = archives.CONTENT_TYPES.get(req.fmt, "application/octet-stream")
            out = ex.start_stream(200, [("Content-Type", ctype)])
            writer = archives.ArchiveWriter(out, req.fmt)
            _write_entries(ctx, req, writer)
            writer.close()
            out.close()
        else:
            _multipart(ctx, ex, req, job.id)
        for e in req.entries:
            job.count(ex.node.id, e.size)
    except HttpError as err:
        job.add_err(err.message)
        raise
    finally:
        job.end_ns = time.time_ns()


def _multipart(ctx: ClusterCtx, ex: ServerExchange, req: MossReq, xid: str) -> None:
    boundary = secrets.token_hex(30)
    with tempfile.SpooledTemporaryFile(max_size=8 << 20, dir=str(ctx.store.tmp)) as spool:
        writer = archives.ArchiveWriter(spool, req.fmt)
        _write_entries(ctx, req, writer)
        writer.close()
        size = spool.tell()
        spool.seek(0)
        meta = dumps({"uuid": xid, "out": [_out_json(e) for e in req.entries]}) + b"\n"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n'.encode()
            + meta
            + f"\r\n--{boundary}\r\n".encode()
            + b'Content-Disposition: form-data; name="archive"; '
            + f'filename="get-batch[{xid}]"\r\n'.encode()
            + b"Content-Type: application/octet-stream\r\n\r\n"
        )
        tail = f"\r\n--{boundary}--\r\n".encode()
        ctype = f"multipart/mixed; boundary={boundary}"
        ex.start_fixed(200, [("Content-Type", ctype)], len(head) + size + len(tail))
        ex.write_raw(head)
        while True:
            data = spool.read(1 << 20)
            if not data:
                break
            ex.write_raw(data)
        ex.write_raw(tail)
