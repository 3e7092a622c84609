"""List objects (``GET /v1/buckets/<bck>`` with action ``list``): pages and tokens.

A page ends with a continuation token equal to the name of its last entry when
the page is full, and with an empty token otherwise (as AIS does, a full last
page is followed by one empty page).
"""

from __future__ import annotations

import time
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from typing import Any

from . import archives
from .common import as_dict, as_int, get_ci
from .context import ClusterCtx, short_id
from .errors import bad_request
from .httpd import ServerExchange, dumps
from .msgpack import packb
from .names import Bck
from .store import BucketState, ObjMeta

LS_CACHED = 1
LS_ARCH_DIR = 8
LS_NOT_CACHED = 512
LS_NO_RECURSION = 2048
LS_DIFF = 4096
LS_NO_DIRS = 8192

ENTRY_CACHED = 64
ENTRY_IN_ARCH = 128
ENTRY_IS_DIR = 256
ENTRY_IS_ARCHIVE = 512
ENTRY_CHUNKED = 8192

_MSGPACK_KEYS = {
    "name": "n",
    "checksum": "cs",
    "atime": "a",
    "version": "v",
    "location": "t",
    "custom-md": "m",
    "size": "s",
    "copies": "c",
    "flags": "f",
}


def rfc822(ns: int) -> str:
    return time.strftime("%d %b %y %H:%M UTC", time.gmtime(ns / 1e9))


class _Opts:
    def __init__(self, msg: dict[str, Any], ctx: ClusterCtx, bck: Bck) -> None:
        self.prefix = str(get_ci(msg, "prefix", "") or "")
        if self.prefix.endswith("*"):
            self.prefix = self.prefix.rstrip("*")
        self.flags = as_int(get_ci(msg, "flags", "0") or "0", "flags")
        props = str(get_ci(msg, "props", "") or "")
        if self.flags & LS_NOT_CACHED and not bck.is_remote:
            raise bad_request(
                f"invalid flags: not-cached listing requires a remote bucket ({bck.cname()})"
            )
        if self.flags & LS_DIFF and "custom" not in props:
            raise bad_request("invalid flags: 'diff' requires the 'custom' property")
        if not props:
            props = "name,size,checksum,atime" if self.flags & LS_CACHED else "name,size,cached"
        self.props = {p.strip() for p in props.split(",") if p.strip()}
        self.arch = bool(self.flags & LS_ARCH_DIR)
        self.nonrec = bool(self.flags & LS_NO_RECURSION)
        self.nodirs = bool(self.flags & LS_NO_DIRS)
        size = as_int(get_ci(msg, "pagesize", 0), "pagesize")
        if size <= 0:
            size = ctx.page_size
        self.page_size = min(size, ctx.max_page_size)
        self.token = str(get_ci(msg, "continuation_token", "") or "")
        self.start_after = str(get_ci(msg, "start_after", "") or "")
        self.uuid = str(get_ci(msg, "uuid", "") or "") or short_id()


def _entry(meta: ObjMeta, opts: _Opts, location: str) -> dict[str, Any]:
    e: dict[str, Any] = {"name": meta.name}
    p = opts.props
    if "checksum" in p and meta.cksum_value:
        e["checksum"] = meta.cksum_value
    if "atime" in p and meta.atime:
        e["atime"] = rfc822(meta.atime)
    if "version" in p and meta.version:
        e["version"] = str(meta.version)
    if "location" in p:
        e["location"] = location
    if "custom" in p and meta.custom:
        e["custom-md"] = "[" + " ".join(f"{k}:{v}" for k, v in sorted(meta.custom.items())) + "]"
    if "size" in p and meta.size:
        e["size"] = meta.size
    if "copies" in p:
        e["copies"] = 1
    flags = ENTRY_CACHED
    if meta.chunks and "chunked" in p:
        flags |= ENTRY_CHUNKED
    e["flags"] = flags
    return e


def _walk(names: list[str], opts: _Opts) -> Iterator[str]:
    """Object names (or virtual directories ending in '/') in listing order."""
    start = opts.token or opts.start_after
    i = (
        bisect_right(names, start)
        if start and start >= opts.prefix
        else bisect_left(names, opts.prefix)
    )
    skip_under = start if start.endswith("/") else ""
    last_dir = ""
    prefix = opts.prefix
    for name in names[i:]:
        if not name.startswith(prefix):
            break
        if skip_under and name.startswith(skip_under):
            continue
        if not opts.nonrec:
            yield name
            continue
        if last_dir and name.startswith(last_dir):
            continue
        rel = name[len(prefix) :]
        base = prefix
        if rel.startswith("/") and not prefix.endswith("/") and prefix:
            rel = rel[1:]
            base = prefix + "/"
        slash = rel.find("/")
        if slash < 0:
            yield name
            continue
        last_dir = base + rel[: slash + 1]
        if not opts.nodirs:
            yield last_dir


def _arch_entries(
    ctx: ClusterCtx, state: BucketState, meta: ObjMeta, opts: _Opts, loc: str
) -> list[dict[str, Any]]:
    """The archive's own entry plus one entry per file inside it."""
    fmt = archives.format_of(meta.name)
    if fmt is None or fmt == ".tar.lz4":
        return [_entry(meta, opts, loc)]
    own = _entry(meta, opts, loc)
    own["flags"] |= ENTRY_IS_ARCHIVE
    out = [own]
    opened = ctx.store.open_read(state.bck, meta.name)
    if opened is None:
        return []
    try:
        with opened[1] as f, archives.open_archive(f, meta.name) as arch:
            for member, size in arch.members():
                e: dict[str, Any] = {"name": f"{meta.name}/{member}"}
                if "size" in opts.props and size:
                    e["size"] = size
                e["flags"] = (own["flags"] & ~ENTRY_IS_ARCHIVE) | ENTRY_IN_ARCH
                out.append(e)
    except Exception:  # a corrupt archive lists as a plain object
        return [_entry(meta, opts, loc)]
    return out


def _page_arch(ctx: ClusterCtx, state: BucketState, opts: _Opts, loc: Any) -> list[dict[str, Any]]:
    names = ctx.store.sorted_names(state.bck)
    prefix = opts.prefix
    picked = list(names[bisect_left(names, prefix) :])
    picked = [n for n in picked if n.startswith(prefix)]
    # archives that the prefix reaches into, e.g. prefix "a.tar/dir/"
    pos = prefix.find("/")
    while pos >= 0:
        cand = prefix[:pos]
        if ctx.store.head(state.bck, cand) is not None and cand not in picked:
            picked.append(cand)
        pos = prefix.find("/", pos + 1)
    metas = ctx.store.metas(state.bck, picked)
    entries: list[dict[str, Any]] = []
    for name in picked:
        meta = metas.get(name)
        if meta is not None:
            entries.extend(_arch_entries(ctx, state, meta, opts, loc(name)))
    entries = [e for e in entries if e["name"].startswith(prefix)]
    entries.sort(key=lambda e: str(e["name"]))
    start = opts.token or opts.start_after
    if start:
        entries = [e for e in entries if e["name"] > start]
    return entries[: opts.page_size]


def list_objects(ctx: ClusterCtx, ex: ServerExchange, state: BucketState, value: Any) -> None:
    opts = _Opts(as_dict(value, "list-objects message"), ctx, state.bck)

    def loc(name: str) -> str:
        return f"{ctx.owner(state.bck, name).name}:mp[{ctx.store.root / 'b'}]"

    if opts.arch:
        entries = _page_arch(ctx, state, opts, loc)
    else:
        entries = []
        names = ctx.store.sorted_names(state.bck)
        page: list[str] = []
        for name in _walk(names, opts):
            page.append(name)
            if len(page) >= opts.page_size:
                break
        metas = ctx.store.metas(state.bck, [n for n in page if not n.endswith("/")])
        for name in page:
            meta = metas.get(name)
            if meta is not None:
                entries.append(_entry(meta, opts, loc(name)))
            elif name.endswith("/"):
                entries.append({"name": name, "flags": ENTRY_IS_DIR})
    token = str(entries[-1]["name"]) if len(entries) >= opts.page_size else ""
    if "application/msgpack" in (ex.headers.get("Accept") or ""):
        page_mp = {
            "UUID": opts.uuid,
            "ContinuationToken": token,
            "Entries": [{_MSGPACK_KEYS[k]: v for k, v in e.items()} for e in entries],
            "Flags": 0,
        }
        ex.respond(200, packb(page_mp), content_type="application/msgpack")
        return
    for e in entries:
        if "size" in e:
            e["size"] = str(e["size"])
    body = {
        "uuid": opts.uuid,
        "continuation_token": token,
        "entries": entries or None,
        "flags": 0,
    }
    ex.respond(200, dumps(body), content_type="application/json; charset=utf-8")
