"""On-disk object store shared by every node of a LocalCluster.

Objects live in ``<root>/b/<bucket id>/<hh>/<hash of name>``, each with a JSON
sidecar holding its metadata.  Writers stream into a temp file under
``<root>/tmp`` and publish it with ``os.replace`` while holding the store lock,
so readers (who open the file under the same lock) always see a whole object.
The in-memory index is authoritative while running and is rebuilt from the
sidecars when a cluster starts on an existing ``root``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from . import props as bprops
from .errors import HttpError, not_found
from .names import Bck

CHUNK = 1 << 20


class Hasher(Protocol):
    def update(self, data: bytes, /) -> None: ...
    def hexdigest(self) -> str: ...


_HASHES = {"md5": hashlib.md5, "sha256": hashlib.sha256, "sha512": hashlib.sha512}


def new_hasher(kind: str) -> Hasher | None:
    """A hasher for ``kind`` if the standard library can compute it, else None."""
    make = _HASHES.get(kind)
    return make() if make is not None else None


def effective_cksum_type(props: dict[str, Any]) -> str:
    """The checksum LocalCluster stores for objects of a bucket with ``props``."""
    kind = bprops.cksum_type(props)
    if kind == "none" or kind in _HASHES:
        return kind
    return bprops.DEFAULT_CKSUM


def now_ns() -> int:
    return time.time_ns()


@dataclass
class ObjMeta:
    name: str
    size: int
    cksum_type: str
    cksum_value: str
    version: int
    atime: int
    mtime: int
    custom: dict[str, str] = field(default_factory=dict)
    chunks: list[int] | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ObjMeta:
        return cls(
            name=str(data["name"]),
            size=int(data["size"]),
            cksum_type=str(data.get("cksum_type", "")),
            cksum_value=str(data.get("cksum_value", "")),
            version=int(data.get("version", 0)),
            atime=int(data.get("atime", 0)),
            mtime=int(data.get("mtime", 0)),
            custom={str(k): str(v) for k, v in (data.get("custom") or {}).items()},
            chunks=data.get("chunks"),
        )

    def copy(self) -> ObjMeta:
        return ObjMeta.from_json(self.to_json())


@dataclass
class BucketState:
    bck: Bck
    bid: int
    created: int
    props: dict[str, Any]
    directory: Path
    objects: dict[str, ObjMeta] = field(default_factory=dict)
    _sorted: list[str] | None = None

    def sorted_names(self) -> list[str]:
        """Sorted object names; the returned list is never mutated afterwards."""
        if self._sorted is None:
            self._sorted = sorted(self.objects)
        return self._sorted

    def invalidate(self) -> None:
        self._sorted = None


def bucket_not_found(bck: Bck) -> HttpError:
    if bck.ns_uuid:
        return not_found(f'remote bucket "{bck.cname()}" does not exist', "ErrRemoteBckNotFound")
    return not_found(f'bucket "{bck.cname()}" does not exist', "ErrBckNotFound")


def _name_hash(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:40]


def _write_json_atomic(path: Path, data: Any, tmpdir: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=tmpdir, suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump(data, f)
    os.replace(tmp, path)


class Store:
    """Buckets and objects; every public method is thread-safe."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / "tmp"
        self.lock = threading.RLock()
        self._buckets: dict[Bck, BucketState] = {}
        self._next_bid = 1
        self.bmd_version = 1
        self.uuid = ""
        if self.tmp.exists():
            shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp.mkdir(parents=True, exist_ok=True)
        (root / "b").mkdir(exist_ok=True)
        self._load()

    # ---- persistence -------------------------------------------------------

    def _bmd_path(self) -> Path:
        return self.root / "bmd.json"

    def _save_bmd(self) -> None:
        self.bmd_version += 1
        data = {
            "version": self.bmd_version,
            "uuid": self.uuid,
            "next_bid": self._next_bid,
            "buckets": [
                {"bck": b.bck.to_json(), "bid": b.bid, "created": b.created, "props": b.props}
                for b in self._buckets.values()
            ],
        }
        _write_json_atomic(self._bmd_path(), data, self.tmp)

    def _load(self) -> None:
        path = self._bmd_path()
        if not path.exists():
            return
        data = json.loads(path.read_text())
        self.bmd_version = int(data.get("version", 1))
        self.uuid = str(data.get("uuid", ""))
        self._next_bid = int(data.get("next_bid", 1))
        for entry in data.get("buckets", []):
            bj = entry["bck"]
            ns = bj.get("namespace") or {}
            bck = Bck(bj["name"], bj["provider"], ns.get("uuid", ""), ns.get("name", ""))
            state = BucketState(
                bck,
                int(entry["bid"]),
                int(entry["created"]),
                entry["props"],
                self.root / "b" / str(entry["bid"]),
            )
            for side in state.directory.glob("*/*.json"):
                try:
                    meta = ObjMeta.from_json(json.loads(side.read_text()))
                except (ValueError, KeyError, OSError):
                    continue
                if side.with_suffix("").exists():
                    state.objects[meta.name] = meta
            self._buckets[bck] = state

    # ---- buckets -----------------------------------------------------------

    def bucket(self, bck: Bck) -> BucketState:
        with self.lock:
            state = self._buckets.get(bck)
            if state is None:
                raise bucket_not_found(bck)
            return state

    def has_bucket(self, bck: Bck) -> bool:
        with self.lock:
            return bck in self._buckets

    def buckets(self) -> list[BucketState]:
        with self.lock:
            return sorted(self._buckets.values(), key=lambda b: (b.bck.provider, b.bck.name))

    def create_bucket(
        self, bck: Bck, update: Any = None, *, props: dict[str, Any] | None = None
    ) -> BucketState:
        with self.lock:
            if bck in self._buckets:
                raise HttpError(
                    409, f'bucket "{bck.cname()}" already exists', "ErrBucketAlreadyExists"
                )
            bid = self._next_bid
            self._next_bid += 1
            created = now_ns()
            base = bprops.default_props(bck.provider, (1 << 63) + bid, created)
            if props is not None:
                base = bprops.apply_update(base, {})
                inherited = {
                    k: v for k, v in props.items() if k not in ("bid", "created", "Renamed")
                }
                base.update(json.loads(json.dumps(inherited)))
            new_props = bprops.apply_update(base, update, "create-bck")
            directory = self.root / "b" / str(bid)
            directory.mkdir(parents=True, exist_ok=True)
            state = BucketState(bck, bid, created, new_props, directory)
            self._buckets[bck] = state
            self._save_bmd()
            return state

    def destroy_bucket(self, bck: Bck) -> None:
        with self.lock:
            state = self.bucket(bck)
            del self._buckets[bck]
            self._save_bmd()
        shutil.rmtree(state.directory, ignore_errors=True)

    def rename_bucket(self, src: Bck, dst: Bck) -> BucketState:
        with self.lock:
            state = self.bucket(src)
            if dst in self._buckets:
                raise HttpError(
                    400, f'bucket "{dst.cname()}" already exists', "ErrBucketAlreadyExists"
                )
            del self._buckets[src]
            state.bck = dst
            state.props["Renamed"] = ""
            self._buckets[dst] = state
            self._save_bmd()
            return state

    def set_props(self, bck: Bck, new_props: dict[str, Any]) -> None:
        with self.lock:
            state = self.bucket(bck)
            state.props = new_props
            self._save_bmd()

    # ---- objects -----------------------------------------------------------

    def data_path(self, state: BucketState, name: str) -> Path:
        h = _name_hash(name)
        return state.directory / h[:2] / h

    def head(self, bck: Bck, name: str) -> ObjMeta | None:
        with self.lock:
            meta = self.bucket(bck).objects.get(name)
            return meta.copy() if meta is not None else None

    def open_read(self, bck: Bck, name: str) -> tuple[ObjMeta, BinaryIO] | None:
        """Open an object for reading; the handle stays valid if it is replaced."""
        with self.lock:
            state = self.bucket(bck)
            meta = state.objects.get(name)
            if meta is None:
                return None
            f = open(self.data_path(state, name), "rb")  # noqa: SIM115 - caller closes
            return meta.copy(), f

    def temp_file(self, prefix: str = "put-") -> tuple[Path, BinaryIO]:
        fd, path = tempfile.mkstemp(dir=self.tmp, prefix=prefix)
        return Path(path), os.fdopen(fd, "wb")

    def commit(
        self,
        bck: Bck,
        name: str,
        tmp: Path,
        size: int,
        cksum: tuple[str, str],
        *,
        custom: dict[str, str] | None = None,
        chunks: list[int] | None = None,
    ) -> ObjMeta:
        """Publish ``tmp`` as object ``name`` (atomically) and return its metadata."""
        with self.lock:
            try:
                state = self.bucket(bck)
            except HttpError:
                tmp.unlink(missing_ok=True)
                raise
            path = self.data_path(state, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, path)
            old = state.objects.get(name)
            merged = dict(old.custom) if old is not None else {}
            if custom:
                merged.update(custom)
            version = 0
            if bprops.versioning_enabled(state.props):
                version = (old.version if old is not None else 0) + 1
            t = now_ns()
            meta = ObjMeta(name, size, cksum[0], cksum[1], version, t, t, merged, chunks)
            state.objects[name] = meta
            if old is None:
                state.invalidate()
            self._save_meta(state, meta)
            return meta.copy()

    def _save_meta(self, state: BucketState, meta: ObjMeta) -> None:
        path = self.data_path(state, meta.name)
        _write_json_atomic(path.with_name(path.name + ".json"), meta.to_json(), self.tmp)

    def delete(self, bck: Bck, name: str) -> bool:
        with self.lock:
            state = self.bucket(bck)
            if state.objects.pop(name, None) is None:
                return False
            state.invalidate()
            path = self.data_path(state, name)
            path.unlink(missing_ok=True)
            path.with_name(path.name + ".json").unlink(missing_ok=True)
            return True

    def rename(self, bck: Bck, old: str, new: str) -> bool:
        with self.lock:
            state = self.bucket(bck)
            meta = state.objects.pop(old, None)
            if meta is None:
                return False
            src = self.data_path(state, old)
            dst = self.data_path(state, new)
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dst)
            src.with_name(src.name + ".json").unlink(missing_ok=True)
            meta.name = new
            state.objects[new] = meta
            state.invalidate()
            self._save_meta(state, meta)
            return True

    def update_custom(self, bck: Bck, name: str, custom: dict[str, str], replace: bool) -> bool:
        with self.lock:
            state = self.bucket(bck)
            meta = state.objects.get(name)
            if meta is None:
                return False
            meta.custom = dict(custom) if replace else {**meta.custom, **custom}
            self._save_meta(state, meta)
            return True

    def touch(self, bck: Bck, name: str) -> None:
        with self.lock:
            state = self._buckets.get(bck)
            meta = state.objects.get(name) if state is not None else None
            if meta is not None:
                meta.atime = now_ns()

    def sorted_names(self, bck: Bck) -> list[str]:
        with self.lock:
            return self.bucket(bck).sorted_names()

    def metas(self, bck: Bck, names: list[str]) -> dict[str, ObjMeta]:
        with self.lock:
            objs = self.bucket(bck).objects
            return {n: objs[n].copy() for n in names if n in objs}


def copy_stream(src: BinaryIO, dst: BinaryIO, hasher: Hasher | None, limit: int = -1) -> int:
    """Copy ``src`` to ``dst`` in chunks (at most ``limit`` bytes if >= 0)."""
    total = 0
    while limit < 0 or total < limit:
        want = CHUNK if limit < 0 else min(CHUNK, limit - total)
        data = src.read(want)
        if not data:
            break
        dst.write(data)
        if hasher is not None:
            hasher.update(data)
        total += len(data)
    return total
