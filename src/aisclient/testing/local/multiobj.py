"""Bucket-wide and multi-object jobs: copy/rename bucket, delete, copy, archive."""

from __future__ import annotations

from typing import Any, BinaryIO

from . import archives, templates
from .common import as_dict, get_ci
from .context import ClusterCtx
from .errors import HttpError, bad_request
from .jobs import Job, new_job_id
from .names import Bck, bck_from_json, validate_object_name
from .store import Hasher, effective_cksum_type, new_hasher
from .writes import copy_one


def _selection(ctx: ClusterCtx, action: str, value: dict[str, Any]) -> tuple[list[str] | None, str]:
    """The object names or template of a multi-object message (templates checked now)."""
    objnames = get_ci(value, "objnames")
    if objnames is not None and not (
        isinstance(objnames, list) and all(isinstance(n, str) for n in objnames)
    ):
        raise bad_request("invalid 'objnames': expected a list of strings")
    template = str(get_ci(value, "template", "") or "")
    if not objnames:
        try:
            templates.parse_template(template)
        except HttpError as e:
            who = ctx.targets[0].name
            e.message = f'{who} failed to "{action}" List/Range: {e.message}'
            raise
    return objnames or None, template


def _missing(ctx: ClusterCtx, bck: Bck, name: str) -> str:
    return f"{ctx.owner(bck, name).name}: {bck.cname(name)} does not exist"


def start_delete(ctx: ClusterCtx, bck: Bck, value: Any) -> Job:
    val = as_dict(value, "delete-listrange message")
    objnames, template = _selection(ctx, "delete-listrange", val)
    ctl = f"list:[{' '.join(objnames)}]" if objnames else f"template:{template}"
    job = Job(new_job_id(), "delete-listrange", bck=bck, ctlmsg=ctl)

    def run(job: Job) -> None:
        names, explicit = templates.select(ctx.store.sorted_names(bck), objnames, template)
        for name in names:
            job.check_abort()
            meta = ctx.store.head(bck, name)
            if meta is None or not ctx.store.delete(bck, name):
                if explicit:
                    job.add_err(_missing(ctx, bck, name))
                continue
            job.count(ctx.owner(bck, name).id, meta.size)

    return ctx.jobs.start(job, run)


def ensure_dst(ctx: ClusterCtx, src: Bck, dst: Bck) -> None:
    """Create the destination bucket (inheriting the source's props) if missing."""
    if dst.is_remote:
        raise HttpError(404, f'bucket "{dst.cname()}" does not exist', "ErrRemoteBckNotFound")
    if not ctx.store.has_bucket(dst):
        try:
            ctx.store.create_bucket(dst, props=ctx.store.bucket(src).props)
        except HttpError as e:
            if e.status != 409:
                raise


def start_copy_objects(ctx: ClusterCtx, src: Bck, value: Any) -> Job:
    val = as_dict(value, "copy-listrange message")
    objnames, template = _selection(ctx, "copy-listrange", val)
    tobck = get_ci(val, "tobck")
    if not tobck:
        raise bad_request("bucket name is missing")
    dst = bck_from_json(tobck)
    prepend = str(get_ci(val, "prepend", "") or "")
    if prepend and get_ci(val, "synchronize", False):
        raise bad_request("cannot use 'prepend' together with 'synchronize'")
    dry_run = bool(get_ci(val, "dry_run", False))
    if not dry_run:
        ensure_dst(ctx, src, dst)
    ctl = f"cp {src.cname()}=>{dst.cname()}"
    job = Job(new_job_id("tco-"), "copy-listrange", bck=src, src=src, dst=dst, ctlmsg=ctl)

    def run(job: Job) -> None:
        names, explicit = templates.select(ctx.store.sorted_names(src), objnames, template)
        for name in names:
            job.check_abort()
            target = prepend + name
            if dry_run:
                meta = ctx.store.head(src, name)
                size = meta.size if meta is not None else -1
            else:
                copied = copy_one(ctx, src, name, dst, target)
                size = copied.size if copied is not None else -1
            if size < 0:
                if explicit:
                    job.add_err(_missing(ctx, src, name))
                continue
            job.count(ctx.owner(src, name).id, size)

    return ctx.jobs.start(job, run)


def start_copy_bucket(ctx: ClusterCtx, src: Bck, dst: Bck, value: Any) -> Job:
    val = as_dict(value, "copy-bck message")
    prefix = str(get_ci(val, "prefix", "") or "").rstrip("*")
    prepend = str(get_ci(val, "prepend", "") or "")
    dry_run = bool(get_ci(val, "dry_run", False))
    if prepend and get_ci(val, "synchronize", False):
        raise bad_request("cannot use 'prepend' together with 'synchronize'")
    if not dry_run:
        ensure_dst(ctx, src, dst)
    ctl = f"cp {src.cname()}/{prefix}=>{dst.cname()}"
    job = Job(new_job_id(), "copy-bck", bck=dst, src=src, dst=dst, ctlmsg=ctl)

    def run(job: Job) -> None:
        names, _ = templates.select(ctx.store.sorted_names(src), None, prefix)
        for name in names:
            job.check_abort()
            if dry_run:
                meta = ctx.store.head(src, name)
                size = meta.size if meta is not None else -1
            else:
                copied = copy_one(ctx, src, name, dst, prepend + name)
                size = copied.size if copied is not None else -1
            if size >= 0:
                job.count(ctx.owner(src, name).id, size)

    return ctx.jobs.start(job, run)


def start_move_bucket(ctx: ClusterCtx, src: Bck, dst: Bck) -> Job:
    """Rename now (so the new name is usable at once) and report it as a job."""
    state = ctx.store.rename_bucket(src, dst)
    job = Job(
        new_job_id(),
        "move-bck",
        bck=dst,
        src=src,
        dst=dst,
        ctlmsg=f"mv {src.cname()}=>{dst.cname()}",
    )
    with ctx.store.lock:
        metas = [m.copy() for m in state.objects.values()]

    def run(job: Job) -> None:
        for meta in metas:
            job.count(ctx.owner(dst, meta.name).id, meta.size)

    return ctx.jobs.start(job, run)


def start_archive(ctx: ClusterCtx, src: Bck, value: Any) -> Job:
    val = as_dict(value, "archive message")
    objnames, template = _selection(ctx, "archive", val)
    archname = str(get_ci(val, "archname", "") or "")
    if not archname:
        raise bad_request("archive: missing archive name ('archname')")
    validate_object_name(archname)
    mime = str(get_ci(val, "mime", "") or "")
    fmt = archives.format_of(archname, mime)
    if fmt is None:
        raise bad_request(f'unsupported archive format of "{archname}" (mime "{mime}")')
    if mime and archives.format_of(archname) not in (None, fmt):
        raise bad_request(f'archive name "{archname}" does not match its format "{mime}"')
    if fmt == ".tar.lz4":
        raise HttpError(501, "tar.lz4 archives are not supported by LocalCluster", "ErrUnsupp")
    tobck = get_ci(val, "tobck")
    dst = (
        bck_from_json(tobck)
        if tobck and (tobck.get("name") if isinstance(tobck, dict) else None)
        else src
    )
    ctx.store.bucket(dst)
    isbn = bool(get_ci(val, "isbn", False))
    bnonly = bool(get_ci(val, "bnonly", False))
    append = bool(get_ci(val, "aate", False))
    coer = bool(get_ci(val, "coer", False))
    job = Job(new_job_id(), "archive", bck=src, src=src, dst=dst, ctlmsg=src.cname())

    def entry_name(name: str) -> str:
        base = name.rsplit("/", 1)[-1] if bnonly else name
        return f"{src.name}/{base}" if isbn else base

    def run(job: Job) -> None:
        names, explicit = templates.select(ctx.store.sorted_names(src), objnames, template)
        if explicit and not coer:
            gone = [n for n in names if ctx.store.head(src, n) is None]
            if gone:
                raise HttpError(404, _missing(ctx, src, gone[0]))
        kind = effective_cksum_type(ctx.store.bucket(dst).props)
        hasher = new_hasher(kind)
        tmp, out = ctx.store.temp_file("arch-")
        sink = _HashingWriter(out, hasher)
        try:
            with out:
                writer = archives.ArchiveWriter(sink, fmt)
                if append:
                    _copy_existing(ctx, dst, archname, writer)
                for name in names:
                    job.check_abort()
                    opened = ctx.store.open_read(src, name)
                    if opened is None:
                        if explicit:
                            job.add_err(_missing(ctx, src, name))
                        continue
                    meta, f = opened
                    with f:
                        writer.add(entry_name(name), meta.size, f, meta.mtime / 1e9)
                    job.count(ctx.owner(src, name).id, meta.size)
                writer.close()
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        digest = hasher.hexdigest() if hasher is not None else ""
        ctx.store.commit(dst, archname, tmp, sink.size, (kind, digest))

    return ctx.jobs.start(job, run)


class _HashingWriter:
    def __init__(self, out: BinaryIO, hasher: Hasher | None) -> None:
        self._out = out
        self._hasher = hasher
        self.size = 0

    def write(self, data: bytes) -> int:
        self._out.write(data)
        if self._hasher is not None:
            self._hasher.update(data)
        self.size += len(data)
        return len(data)


def _copy_existing(
    ctx: ClusterCtx, bck: Bck, archname: str, writer: archives.ArchiveWriter
) -> None:
    opened = ctx.store.open_read(bck, archname)
    if opened is None:
        return
    with opened[1] as f, archives.open_archive(f, archname) as arch:
        for member, _size in arch.members():
            found = arch.open(member)
            if found is not None:
                size, src = found
                with src:
                    writer.add(member, size, src)


def start_noop(ctx: ClusterCtx, kind: str, bck: Bck | None, ctlmsg: str = "") -> Job:
    """A job with nothing to do in LocalCluster (mirroring, EC, LRU, rebalance...)."""
    return ctx.jobs.start(Job(new_job_id(), kind, bck=bck, ctlmsg=ctlmsg))
