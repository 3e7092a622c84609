"""Bucket-side wire models: bucket identity, properties, list-objects pages, inventories."""

from __future__ import annotations

import builtins
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from attrs import evolve, field, frozen

from aisclient.models._lenient import lenient_int
from aisclient.provider import Namespace

if TYPE_CHECKING:
    from aisclient.models.object import ObjectProps
    from aisclient.obj import Object

# Entry flags (low 5 bits: a location status; higher bits: independent flags).
ENTRY_STATUS_MASK = 0x1F
ENTRY_IS_CACHED = 1 << 6
ENTRY_IN_ARCH = 1 << 7
ENTRY_IS_DIR = 1 << 8
ENTRY_IS_ARCHIVE = 1 << 9


@frozen
class BucketModel:
    """A bucket as the API writes it in JSON (list-buckets, ``backend_bck``, ``tobck``)."""

    name: str
    provider: str = "ais"
    namespace: Namespace | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "provider": self.provider}
        if self.namespace is not None:
            out["namespace"] = self.namespace.as_json()
        return out

    def get_path(self) -> str:
        ns = self.namespace.get_path() if self.namespace else "@#"
        return f"{self.provider}/{ns}/{self.name}/"


# -- bucket properties (HEAD bucket → Ais-Bucket-Props) ---------------------------------------


@frozen
class VersioningConf:
    enabled: bool = False
    validate_warm_get: bool = False
    synchronize: bool = False


@frozen
class ChecksumConf:
    type: str = ""
    validate_cold_get: bool = False
    validate_warm_get: bool = False
    validate_obj_move: bool = False
    enable_read_range: bool = False


@frozen
class MirrorConf:
    copies: int = 0
    burst_buffer: int = 0
    enabled: bool = False


@frozen
class WritePolicyConf:
    data: str = ""
    md: str = ""


@frozen
class BucketProps:
    """Bucket properties. The common sections are typed; the rest stay JSON dicts, and
    ``raw`` keeps the whole document as the server sent it."""

    provider: str = ""
    backend_bck: BucketModel | None = None
    versioning: VersioningConf = VersioningConf()
    checksum: ChecksumConf = ChecksumConf()
    mirror: MirrorConf = MirrorConf()
    write_policy: WritePolicyConf = WritePolicyConf()
    ec: dict[str, Any] = field(factory=dict)
    lru: dict[str, Any] = field(factory=dict)
    chunks: dict[str, Any] = field(factory=dict)
    rate_limit: dict[str, Any] = field(factory=dict)
    extra: dict[str, Any] = field(factory=dict)
    access: int = 0
    features: int = 0
    bid: int = 0
    created: int = 0
    raw: dict[str, Any] = field(factory=dict, eq=False, repr=False)


def decode_bucket_props(text: str | Mapping[str, Any]) -> BucketProps:
    """The ``Ais-Bucket-Props`` JSON (text or parsed) → :class:`BucketProps`."""
    from aisclient.models._convert import structure  # cattrs loads on first use

    doc: dict[str, Any] = dict(json.loads(text) if isinstance(text, str) else text)
    data = {k: v for k, v in doc.items() if k in _BPROPS_FIELDS}
    backend = data.get("backend_bck")
    if not isinstance(backend, dict) or not backend.get("name"):
        data.pop("backend_bck", None)
    return evolve(structure(data, BucketProps), raw=doc)


_BPROPS_FIELDS = frozenset(f.name for f in BucketProps.__attrs_attrs__) - {"raw"}


# -- list objects ------------------------------------------------------------------------------


class BucketEntry:
    """One listed object (or virtual directory / archive member).

    ``object`` is an :class:`~aisclient.obj.Object` handle for the entry, made on first use.
    """

    __slots__ = (
        "_bucket",
        "_object",
        "atime",
        "checksum",
        "copies",
        "custom",
        "flags",
        "location",
        "name",
        "size",
        "version",
    )

    def __init__(
        self,
        name: str,
        size: int = 0,
        checksum: str = "",
        atime: str = "",
        version: str = "",
        location: str = "",
        copies: int = 0,
        flags: int = 0,
        custom: str = "",
    ) -> None:
        self.name = name
        self.size = size
        self.checksum = checksum
        self.atime = atime
        self.version = version
        self.location = location
        self.copies = copies
        self.flags = flags
        self.custom = custom
        self._bucket: Any = None
        self._object: Object | None = None

    # The official SDK's wire-named attributes, for code that uses them.
    n = property(lambda self: self.name)
    s = property(lambda self: self.size)
    cs = property(lambda self: self.checksum)
    a = property(lambda self: self.atime)
    v = property(lambda self: self.version)
    t = property(lambda self: self.location)
    c = property(lambda self: self.copies)
    f = property(lambda self: self.flags)

    @property
    def object(self) -> Object | None:
        if self._object is None and self._bucket is not None:
            self._object = self._bucket.object(self.name, props=self.generate_object_props())
        return self._object

    @object.setter
    def object(self, value: Object | None) -> None:
        self._object = value

    def is_cached(self) -> bool:
        return bool(self.flags & ENTRY_IS_CACHED)

    def is_ok(self) -> bool:
        return self.flags & ENTRY_STATUS_MASK == 0

    def is_dir(self) -> bool:
        return bool(self.flags & ENTRY_IS_DIR)

    def generate_object_props(self) -> ObjectProps:
        from aisclient.models.object import ObjectProps

        headers = {
            "ais-name": self.name,
            "content-length": str(self.size),
            "ais-checksum-value": self.checksum,
            "ais-atime": self.atime,
            "ais-version": self.version,
            "ais-location": self.location,
            "ais-mirror-copies": str(self.copies),
        }
        if self._bucket is not None:
            headers["ais-bucket-name"] = self._bucket.name
            headers["ais-bucket-provider"] = self._bucket.provider.value
        return ObjectProps({k: v for k, v in headers.items() if v})

    def __eq__(self, other: builtins.object) -> bool:
        if not isinstance(other, BucketEntry):
            return NotImplemented
        return _entry_key(self) == _entry_key(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"BucketEntry(name={self.name!r}, size={self.size}, flags={self.flags})"


def _entry_key(entry: BucketEntry) -> tuple[object, ...]:
    return (
        entry.name,
        entry.size,
        entry.checksum,
        entry.atime,
        entry.version,
        entry.location,
        entry.copies,
        entry.flags,
        entry.custom,
    )


class BucketList:
    """One page of a listing; ``continuation_token == ""`` marks the last page."""

    __slots__ = ("continuation_token", "entries", "flags", "uuid")

    def __init__(
        self,
        uuid: str = "",
        continuation_token: str = "",
        flags: int = 0,
        entries: list[BucketEntry] | None = None,
    ) -> None:
        self.uuid = uuid
        self.continuation_token = continuation_token
        self.flags = flags
        self.entries: list[BucketEntry] = entries if entries is not None else []

    # The official SDK's wire-named attributes.
    UUID = property(lambda self: self.uuid)
    ContinuationToken = property(lambda self: self.continuation_token)
    Flags = property(lambda self: self.flags)
    Entries = property(lambda self: self.entries)

    def __repr__(self) -> str:
        return (
            f"BucketList(uuid={self.uuid!r}, continuation_token={self.continuation_token!r}, "
            f"entries=<{len(self.entries)}>)"
        )


def decode_entry(doc: Mapping[str, Any]) -> BucketEntry:
    """A list entry in either key set: JSON (``name``, ``size``, ...) or short (``n``, ``s``)."""
    get = doc.get
    if "name" in doc:
        return BucketEntry(
            doc["name"],
            lenient_int(get("size")),
            get("checksum") or "",
            get("atime") or "",
            get("version") or "",
            get("location") or "",
            lenient_int(get("copies")),
            lenient_int(get("flags")),
            get("custom-md") or "",
        )
    return BucketEntry(
        get("n") or "",
        lenient_int(get("s")),
        get("cs") or "",
        get("a") or "",
        get("v") or "",
        get("t") or "",
        lenient_int(get("c")),
        lenient_int(get("f")),
        get("m") or "",
    )


def decode_bucket_list(doc: Mapping[str, Any] | None) -> BucketList:
    """A list-objects page (JSON keys, or the Go field names a msgpack page carries)."""
    if not doc:
        return BucketList()
    get = doc.get
    raw_entries = get("entries", get("Entries")) or []
    return BucketList(
        uuid=get("uuid", get("UUID")) or "",
        continuation_token=get("continuation_token", get("ContinuationToken")) or "",
        flags=lenient_int(get("flags", get("Flags"))),
        entries=[decode_entry(item) for item in raw_entries],
    )


# -- native bucket inventory ------------------------------------------------------------------


@frozen
class NBIInfo:
    bucket: str = ""
    name: str = ""
    obj_name: str = ""
    size: int = 0
    prefix: str = ""
    started: int = 0
    finished: int = 0
    ntotal: int = 0
    smap_ver: int = 0
    chunks: int = 0
    nat: int = 0


def decode_inventories(doc: Mapping[str, Any] | None) -> dict[str, NBIInfo]:
    if not doc:
        return {}
    from aisclient.models._convert import structure

    return {key: structure(value or {}, NBIInfo) for key, value in doc.items()}
