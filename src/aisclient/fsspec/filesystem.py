"""``AISFileSystem``: ``ais://bucket/key`` as an fsspec filesystem, on aisclient's public API.

Buckets are the top level (``ls("")`` lists them, ``mkdir("b")`` creates one, ``rmdir("b")``
destroys an empty one); below them directories are virtual: prefixes ending in ``/``.
"""

from __future__ import annotations

import contextlib
import errno
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Any

from fsspec.spec import AbstractFileSystem
from fsspec.utils import tokenize

from aisclient.client import Client
from aisclient.config import ClientConfig
from aisclient.enums import ListObjectFlag
from aisclient.errors import AISError
from aisclient.fsspec import bulk
from aisclient.fsspec.cache import WholeOnFirstRead
from aisclient.fsspec.details import Info, directory, from_entry, from_head
from aisclient.fsspec.errors import as_os_error, missing, os_errors
from aisclient.fsspec.file import AISFile, AISTextFile
from aisclient.fsspec.paths import (
    depth_below,
    parent_dirs,
    require_bucket,
    require_object,
    split_path,
)
from aisclient.provider import Namespace, Provider

if TYPE_CHECKING:
    from collections.abc import Callable

    from aisclient.bucket import Bucket
    from aisclient.obj import Object
    from aisclient.obj_writer import ObjectWriter

LISTING_PROPS = "name,size,checksum,atime,version"
HEAD_PROPS = "checksum,atime,version"
_OPEN_MODES = {"rb", "wb", "xb"}
WHOLE_READ_LIMIT = 16 << 20
FOUND_MEMO_LIMIT = 10_000


class AISFileSystem(AbstractFileSystem):  # type: ignore[misc]
    """An fsspec filesystem for one AIS cluster.

    Connection options are those of :class:`~aisclient.Client` and follow the same rules
    (explicit argument > ``AIS_*`` environment variable > default): ``endpoint``, ``token``,
    ``timeout``, ``skip_verify``, ``ca_cert``, ``client_cert``, ``retry``, ``max_pool_size``,
    or a whole ``config`` (:class:`~aisclient.ClientConfig`). ``provider`` and ``namespace``
    select the buckets the paths name (``provider="aws"`` reaches S3-backed buckets through
    AIS). ``max_workers`` bounds the threads of parallel range reads; ``page_size`` is the
    number of entries per listing page (0: the cluster's default). An object opened for
    reading that is at most ``whole_read_limit`` bytes is fetched whole at its first read (one
    GET); a larger one is read in ranges through a readahead cache.
    """

    protocol = "ais"
    root_marker = ""
    blocksize = AISFile.DEFAULT_BLOCK_SIZE

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        token: str | None = None,
        timeout: Any = None,
        skip_verify: bool = False,
        ca_cert: str | None = None,
        client_cert: str | tuple[str, str] | None = None,
        retry: Any = None,
        max_pool_size: int | None = None,
        config: ClientConfig | None = None,
        provider: Provider | str = Provider.AIS,
        namespace: Namespace | str | None = None,
        max_workers: int = 16,
        page_size: int = 0,
        whole_read_limit: int = WHOLE_READ_LIMIT,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.provider = Provider.parse(provider)
        self.namespace = Namespace.parse(namespace) if isinstance(namespace, str) else namespace
        self.max_workers = _count("max_workers", max_workers, minimum=1)
        self.page_size = _count("page_size", page_size, minimum=0)
        self.whole_read_limit = _count("whole_read_limit", whole_read_limit, minimum=0)
        self.client = Client(
            endpoint,
            skip_verify=skip_verify,
            ca_cert=ca_cert,
            client_cert=client_cert,
            timeout=timeout,
            retry_config=retry,
            token=token,
            max_pool_size=max_pool_size,
            config=config,
        )
        # Buckets seen to exist, so that opening many files for writing HEADs a bucket once.
        self._known_buckets: set[str] = set()
        # The entries of the last find (recursive get/cp/rm and datasets use them right away).
        self._found: dict[str, Info] = {}

    def __repr__(self) -> str:  # never the token
        return f"AISFileSystem(endpoint={self.client.endpoint!r}, provider={self.provider.value!r})"

    # -- handles -------------------------------------------------------------------------

    def bucket(self, name: str) -> Bucket:
        return self.client.bucket(name, provider=self.provider, namespace=self.namespace)

    def object(self, path: str) -> Object:
        """The :class:`~aisclient.Object` at ``path`` (which must name a bucket and a key)."""
        bucket, key = require_object(self._strip_protocol(path))
        return self.bucket(bucket).object(key)

    # -- listing -------------------------------------------------------------------------

    def ls(self, path: str, detail: bool = True, refresh: bool = False, **kwargs: Any) -> Any:
        path = self._strip_protocol(path)
        bucket, key = split_path(path)
        if not bucket:
            entries = self._ls_buckets()
        elif not refresh and path in self.dircache:
            entries = self.dircache[path]
        else:
            entries = self._ls_prefix(path, bucket, key)
        return entries if detail else [entry["name"] for entry in entries]

    def _ls_buckets(self) -> list[Info]:
        with os_errors(""):
            models = self.client.cluster().list_buckets(self.provider, namespace=self.namespace)
        return [directory(model.name) for model in models]

    def _ls_prefix(self, path: str, bucket: str, key: str) -> list[Info]:
        prefix = f"{key}/" if key else ""
        with os_errors(path):
            listing = self.bucket(bucket).list_objects_iter(
                prefix=prefix,
                props=LISTING_PROPS,
                page_size=self.page_size,
                flags=[ListObjectFlag.NO_RECURSION],
            )
            entries = [from_entry(bucket, e) for e in listing if e.name != prefix]
            entries = self._drop_empty_dirs(bucket, entries)
        if entries:
            self.dircache[path] = entries
            return entries
        if not key:  # an empty bucket is an empty directory (the listing found the bucket)
            return []
        return [self.info(path)]  # a file lists as itself; raises if nothing is there

    def _drop_empty_dirs(self, bucket: str, entries: list[Info]) -> list[Info]:
        """aisnode's non-recursive listing also names directories whose objects were all
        deleted; keep only those that still hold an object (checked in parallel)."""
        dirs = [e["name"] for e in entries if e["type"] == "directory"]
        if not dirs:
            return entries
        with ThreadPoolExecutor(max_workers=min(self.max_workers, len(dirs))) as pool:
            held = dict(
                zip(dirs, pool.map(lambda d: self._holds_objects(bucket, d), dirs), strict=True)
            )
        return [e for e in entries if e["type"] == "file" or held[e["name"]]]

    def _holds_objects(self, bucket: str, path: str) -> bool:
        """Whether any object's name starts with ``path + "/"`` (``path`` includes the bucket)."""
        key = split_path(path)[1]
        listing = self.bucket(bucket).list_objects_iter(prefix=f"{key}/", props="name", page_size=1)
        return next(listing, None) is not None

    def info(self, path: str, **kwargs: Any) -> Info:
        path = self._strip_protocol(path)
        bucket, key = split_path(path)
        if not bucket:
            return directory("")
        if not key:
            self._require_bucket(bucket, path)
            return directory(bucket)
        cached = self._cached_info(path)
        if cached is not None:
            return cached
        handle = self.bucket(bucket).object(key)
        try:
            with os_errors(path):
                return from_head(bucket, key, handle.head(HEAD_PROPS))
        except FileNotFoundError:
            pass
        with os_errors(path):
            if self._holds_objects(bucket, path):
                return directory(path)
        raise missing(path)

    def _cached_info(self, path: str) -> Info | None:
        """What the last listings said about ``path`` (``None`` if they did not cover it)."""
        found = self._found.get(path)
        if found is not None:
            return dict(found)
        parent = self.dircache.get(self._parent(path))
        if parent is None:
            return None
        return next((dict(entry) for entry in parent if entry["name"] == path), None)

    def find(
        self,
        path: str,
        maxdepth: int | None = None,
        withdirs: bool = False,
        detail: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Everything below ``path`` from one recursive listing (not one per directory)."""
        path = self._strip_protocol(path)
        bucket, key = split_path(path)
        if not bucket:
            return super().find(path, maxdepth=maxdepth, withdirs=withdirs, detail=detail)
        if maxdepth is not None and maxdepth < 1:
            raise ValueError("maxdepth must be at least 1")
        found: dict[str, Info] = {}
        prefix = f"{key}/" if key else ""
        with os_errors(path):
            listing = self.bucket(bucket).list_objects_iter(
                prefix=prefix, props=LISTING_PROPS, page_size=self.page_size
            )
            for entry in listing:
                if entry.name.endswith("/"):
                    continue
                depth = depth_below(key, entry.name)
                if withdirs:
                    for below in parent_dirs(key, entry.name)[: maxdepth or None]:
                        found.setdefault(f"{bucket}/{below}", directory(f"{bucket}/{below}"))
                if maxdepth is None or depth <= maxdepth:
                    info = from_entry(bucket, entry)
                    found[info["name"]] = info
        if found and withdirs and path not in found:
            found[path] = directory(path)
        if not found and key:  # find of a file gives the file
            with contextlib.suppress(FileNotFoundError):
                itself = self.info(path)
                if itself["type"] == "file":
                    found[path] = itself
        if len(found) <= FOUND_MEMO_LIMIT:
            self._found = found
        names = sorted(found)
        return {name: found[name] for name in names} if detail else names

    def invalidate_cache(self, path: str | None = None) -> None:
        """Forget listings: all, or those of ``path`` and of every directory above it."""
        self._found = {}
        if path is None:
            self.dircache.clear()
        else:
            path = self._strip_protocol(path)
            above = path
            self.dircache.pop(above, None)
            while above:
                above = self._parent(above)
                self.dircache.pop(above, None)
        super().invalidate_cache(path)

    # -- buckets as directories ----------------------------------------------------------

    def _require_bucket(self, bucket: str, path: str) -> None:
        """FileNotFoundError unless ``bucket`` exists (a HEAD, remembered once it succeeded)."""
        if bucket in self._known_buckets:
            return
        with os_errors(path):
            self.bucket(bucket).head()
        self._known_buckets.add(bucket)

    def mkdir(self, path: str, create_parents: bool = True, **kwargs: Any) -> None:
        """Create the bucket (``FileExistsError`` if it exists); below a bucket directories are
        virtual, so only the bucket is made (when missing and ``create_parents``)."""
        bucket, key = require_bucket(self._strip_protocol(path))
        if key and (not create_parents or bucket in self._known_buckets):
            self._require_bucket(bucket, path)
            return
        try:
            with os_errors(path):
                self.bucket(bucket).create()
        except FileExistsError:
            if not key:
                raise
        self._known_buckets.add(bucket)
        self.invalidate_cache("")

    def makedirs(self, path: str, exist_ok: bool = False) -> None:
        bucket, key = require_bucket(self._strip_protocol(path))
        try:
            self.mkdir(bucket)
        except FileExistsError:
            if not exist_ok and not key:
                raise

    def rmdir(self, path: str) -> None:
        """Destroy an empty bucket; ``OSError`` (ENOTEMPTY) if it holds objects. Virtual
        directories vanish with their last object, so removing one does nothing."""
        path = self._strip_protocol(path)
        bucket, key = require_bucket(path)
        if key:
            return
        handle = self.bucket(bucket)
        with os_errors(path):
            if next(handle.list_objects_iter(page_size=1, props="name"), None) is not None:
                raise OSError(errno.ENOTEMPTY, f"bucket {bucket!r} is not empty", path)
            handle.delete()
        self._known_buckets.discard(bucket)
        self.invalidate_cache(path)

    # -- opening -------------------------------------------------------------------------

    def open(self, path: str, mode: str = "rb", **kwargs: Any) -> Any:
        if isinstance(path, str) and path.endswith("/") and self._strip_protocol(path):
            raise IsADirectoryError(f"{path!r} ends with '/': a directory, not an object")
        if "b" in mode:
            return super().open(path, mode, **kwargs)
        text = {k: kwargs.pop(k) for k in ("encoding", "errors", "newline") if k in kwargs}
        binary = super().open(path, mode.replace("t", "") + "b", **kwargs)
        return AISTextFile(binary, **text)

    def _open(
        self,
        path: str,
        mode: str = "rb",
        block_size: int | None = None,
        autocommit: bool = True,
        cache_options: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> AISFile:
        if mode not in _OPEN_MODES:
            raise ValueError(f"mode {mode!r} is not supported: use 'rb', 'wb' or 'xb'")
        bucket, key = require_object(path)
        handle = self.bucket(bucket).object(key)
        if mode == "rb":
            size = kwargs.pop("size", None)  # known already (a reopened file): no HEAD
            if size is None:
                info = self.info(path)
                if info["type"] != "file":
                    raise IsADirectoryError(f"{path!r} is a directory")
                size = info["size"]
            if "cache_type" not in kwargs:
                small = size <= self.whole_read_limit
                kwargs["cache_type"] = WholeOnFirstRead.name if small else "readahead"
            return AISFile(
                self,
                path,
                handle,
                mode,
                block_size=block_size,
                autocommit=autocommit,
                cache_options=cache_options,
                size=size,
                **kwargs,
            )
        self._require_bucket(bucket, path)
        if mode == "xb" and self.exists(path):
            raise FileExistsError(f"{path!r} exists (opened with 'xb')")
        return AISFile(
            self, path, handle, mode, block_size=block_size, autocommit=autocommit, **kwargs
        )

    # -- whole objects -------------------------------------------------------------------

    def cat_file(
        self, path: str, start: int | None = None, end: int | None = None, **kwargs: Any
    ) -> bytes:
        path = self._strip_protocol(path)
        handle = self.object(path)
        return bulk.read_range(handle, path, start, end)

    def cat_ranges(
        self,
        paths: list[str],
        starts: int | list[int] | None,
        ends: int | list[int] | None,
        max_gap: int | None = None,
        on_error: str = "return",
        **kwargs: Any,
    ) -> list[bytes | Exception]:
        """The byte ranges, fetched in parallel (``max_workers`` threads)."""
        if max_gap is not None:
            raise NotImplementedError("max_gap is not supported: ranges are fetched as given")
        if on_error not in ("raise", "return"):
            raise ValueError(f"on_error must be 'raise' or 'return', not {on_error!r}")
        if not isinstance(paths, list):
            raise TypeError(f"paths must be a list, not {type(paths).__name__}")
        count = len(paths)
        start_list = starts if isinstance(starts, list) else [starts] * count
        end_list = ends if isinstance(ends, list) else [ends] * count
        if len(start_list) != count or len(end_list) != count:
            raise ValueError("paths, starts and ends must have the same length")
        stripped = [self._strip_protocol(p) for p in paths]
        jobs = [
            (self.object(p), p, s, e)
            for p, s, e in zip(stripped, start_list, end_list, strict=True)
        ]
        return bulk.read_ranges(jobs, self.max_workers, raise_errors=on_error != "return")

    def cat(
        self, path: str | list[str], recursive: bool = False, on_error: str = "raise", **kwargs: Any
    ) -> Any:
        """One path: its bytes. Many paths (a list, a glob, or ``recursive``): a dict of
        ``{path: bytes}`` fetched with one Get-Batch request, not one GET per object."""
        if on_error not in ("raise", "omit", "return"):
            raise ValueError(f"on_error must be 'raise', 'omit' or 'return', not {on_error!r}")
        paths = self._expand_files(path, recursive)
        if isinstance(path, str) and paths == [self._strip_protocol(path)]:
            return self.cat_file(paths[0])
        return bulk.get_batch(self.client, [(p, self.object(p)) for p in paths], on_error)

    def _expand_files(
        self, path: str | list[str], recursive: bool, maxdepth: int | None = None
    ) -> list[str]:
        """Files named by ``path`` (globs and, with ``recursive``, directories expanded)."""
        found: list[str] = []
        for item in [path] if isinstance(path, str) else path:
            stripped = self._strip_protocol(item)
            require_bucket(stripped)
            if _has_magic(stripped):
                for name, info in self.glob(stripped, detail=True, maxdepth=maxdepth).items():
                    if info["type"] == "file":
                        found.append(name)
                    elif recursive:
                        found.extend(self.find(name, maxdepth=maxdepth))
            elif recursive:
                found.extend(self.find(stripped, maxdepth=maxdepth))
            else:
                found.append(stripped)
        if not found:
            raise missing(str(path))
        return sorted(dict.fromkeys(found))

    def pipe_file(self, path: str, value: bytes, mode: str = "overwrite", **kwargs: Any) -> None:
        self._put(path, mode, lambda writer: writer.put_content(value))

    def put_file(self, lpath: str, rpath: str, mode: str = "overwrite", **kwargs: Any) -> None:
        """Upload a local file, streamed from disk; a local directory needs no object."""
        if os.path.isdir(lpath):
            require_bucket(self._strip_protocol(rpath))
            return
        self._put(rpath, mode, lambda writer: writer.put_file(lpath))

    def _put(self, path: str, mode: str, send: Callable[[ObjectWriter], Any]) -> None:
        """One PUT of a whole object; ``mode="create"`` refuses to replace one."""
        path = self._strip_protocol(path)
        handle = self.object(path)
        if mode not in ("overwrite", "create"):
            raise ValueError(f"mode must be 'overwrite' or 'create', not {mode!r}")
        if mode == "create" and self.exists(path):
            raise FileExistsError(f"{path!r} exists (mode='create')")
        with os_errors(path):
            send(handle.get_writer())
        self.invalidate_cache(path)

    def get_file(self, rpath: str, lpath: str, **kwargs: Any) -> None:
        """Download an object into a local file, streamed; a directory becomes one."""
        rpath = self._strip_protocol(rpath)
        bucket, key = require_bucket(rpath)
        # Known type first: aisnode answers a GET of a directory's name with a 500 (retried).
        info = self._cached_info(rpath) or self.info(rpath)
        if not key or info["type"] == "directory":
            os.makedirs(lpath, exist_ok=True)
            return
        bulk.download(self.bucket(bucket).object(key), rpath, lpath)

    def cp_file(self, path1: str, path2: str, **kwargs: Any) -> None:
        """A server-side copy: no byte passes through this process. Copying a directory
        copies nothing (its objects are copied one by one)."""
        source, target = self.object(path1), self.object(path2)
        path1 = self._strip_protocol(path1)
        known = self._cached_info(path1)
        if known is not None and known["type"] == "directory":
            return
        try:
            source.copy(target)
        except AISError as err:
            # aisnode answers a copy of a missing object with 400 ("no data available").
            if source.exists():
                mapped = as_os_error(err, path1)
                if mapped is None:
                    raise
                raise mapped from err
            if self.isdir(path1):
                return
            raise missing(path1) from err
        self.invalidate_cache(self._strip_protocol(path2))

    def rm_file(self, path: str) -> None:
        path = self._strip_protocol(path)
        with os_errors(path):
            self.object(path).delete()
        self.invalidate_cache(path)

    def rm(
        self, path: str | list[str], recursive: bool = False, maxdepth: int | None = None
    ) -> None:
        """Delete objects; many objects of a bucket go in one multi-object delete. A bucket
        named with ``recursive=True`` is emptied (and an ais:// bucket destroyed)."""
        items = [self._strip_protocol(p) for p in ([path] if isinstance(path, str) else path)]
        whole_buckets = [p for p in items if recursive and not require_bucket(p)[1]]
        rest = [p for p in items if p not in whole_buckets]
        by_bucket: dict[str, list[str]] = {}
        for file in self._expand_files(rest, recursive, maxdepth) if rest else []:
            bucket, key = require_object(file)
            by_bucket.setdefault(bucket, []).append(key)
        for bucket, keys in by_bucket.items():
            bulk.delete_objects(self.client, self.bucket(bucket), keys)
        for bucket in whole_buckets:
            self._remove_bucket(bucket)
        self.invalidate_cache()

    def _remove_bucket(self, bucket: str) -> None:
        """Destroy an ais:// bucket; empty a remote-backed one (AIS cannot destroy those)."""
        handle = self.bucket(bucket)
        with os_errors(bucket):
            if handle.ref.is_remote():
                keys = [entry.name for entry in handle.list_objects_iter(props="name")]
                bulk.delete_objects(self.client, handle, keys)
                return
            handle.delete()
        self._known_buckets.discard(bucket)

    # -- metadata ------------------------------------------------------------------------

    def modified(self, path: str) -> datetime:
        """The object's access time, from a HEAD (AIS keeps no separate modification time)."""
        path = self._strip_protocol(path)
        bucket, key = require_object(path)
        try:
            with os_errors(path):
                attrs = self.bucket(bucket).object(key).head(HEAD_PROPS)
        except FileNotFoundError:
            if self.isdir(path):
                raise IsADirectoryError(f"{path!r} is a directory") from None
            raise
        mtime = from_head(bucket, key, attrs)["mtime"]
        if not isinstance(mtime, datetime):
            raise OSError(f"{path!r}: the cluster reports no time for this object")
        return mtime

    def checksum(self, path: str) -> int:
        """The cluster's content checksum as an int (same content, same value)."""
        info = self.info(path)
        value = info.get("checksum")
        if value:
            try:
                return int(value, 16)
            except ValueError:
                pass
        return int(tokenize(info), 16)

    def ukey(self, path: str) -> str:
        info = self.info(path)
        return str(tokenize(info.get("checksum"), info.get("version"), info.get("size")))


def _has_magic(path: str) -> bool:
    return any(char in path for char in "*?[")


def _count(name: str, value: object, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, not {value!r}")
    return value
