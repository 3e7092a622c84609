"""Bucket-side wire models: bucket identity, properties, list-objects pages, inventories."""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterable, Mapping
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar, overload

from attrs import evolve, field, frozen

from aisclient.models._guard import decoder
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


@decoder("the bucket properties")
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


def _alias(attr: str, doc: str) -> property:
    """A read-write attribute under the SDK's wire name for the readable slot ``attr``."""
    return property(attrgetter(attr), lambda self, value: setattr(self, attr, value), doc=doc)


# BucketEntry keyword (SDK wire name) -> position in the readable-name argument list.
_ENTRY_WIRE = {"n": 0, "s": 1, "cs": 2, "a": 3, "v": 4, "t": 5, "c": 6, "f": 7}
_ENTRY_NAMES = ("name", "size", "checksum", "atime", "version", "location", "copies", "flags")
_ENTRY_DEFAULTS = (None, 0, "", "", "", "", 0, 0)


class BucketEntry:
    """One listed object (or virtual directory / archive member).

    Built with readable names (``BucketEntry("a.txt", size=3)``) or, as in the official
    SDK, with the wire names: ``BucketEntry(n="a.txt", s=3, cs=..., a=..., v=..., t=...,
    c=..., f=..., object=...)``; both spellings are attributes too. ``object`` is an
    :class:`~aisclient.obj.Object` handle for the entry, made on first use.
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

    @overload
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
    ) -> None: ...

    @overload
    def __init__(
        self,
        *,
        n: str,
        cs: str = "",
        a: str = "",
        v: str = "",
        t: str = "",
        s: int = 0,
        c: int = 0,
        f: int = 0,
        object: Object | None = None,  # the SDK's field name
        custom: str = "",
    ) -> None: ...

    def __init__(
        self,
        name: str | None = None,
        size: int = 0,
        checksum: str = "",
        atime: str = "",
        version: str = "",
        location: str = "",
        copies: int = 0,
        flags: int = 0,
        custom: str = "",
        **wire: Any,
    ) -> None:
        handle = None
        # Listing decodes build thousands of entries with all readable names given
        # positionally; only the SDK spelling takes the slower path.
        if wire or name is None:
            values, handle = _from_wire_names(
                [name, size, checksum, atime, version, location, copies, flags], wire
            )
            name, size, checksum, atime, version, location, copies, flags = values
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
        self._object: Object | None = handle

    # The official SDK's wire-named attributes, for code that uses them.
    n = _alias("name", "The object name (wire name ``n``).")
    s = _alias("size", "The size in bytes (wire name ``s``).")
    cs = _alias("checksum", "The checksum value (wire name ``cs``).")
    a = _alias("atime", "The access time (wire name ``a``).")
    v = _alias("version", "The version (wire name ``v``).")
    t = _alias("location", "The location (wire name ``t``).")
    c = _alias("copies", "The number of copies (wire name ``c``).")
    f = _alias("flags", "The entry flags (wire name ``f``).")

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

        bucket = self._bucket
        return ObjectProps.of(
            name=self.name,
            bucket_name=bucket.name if bucket is not None else "",
            bucket_provider=bucket.provider.value if bucket is not None else "",
            size=self.size,
            checksum_value=self.checksum,
            access_time=self.atime,
            obj_version=self.version,
            location=self.location,
            mirror_copies=self.copies,
        )

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
    """One page of a listing; ``continuation_token == ""`` marks the last page.

    Takes readable names or the SDK's wire names (``UUID``, ``ContinuationToken``, ``Flags``,
    ``Entries``); both spellings are attributes too.
    """

    __slots__ = ("continuation_token", "entries", "flags", "uuid")

    def __init__(
        self,
        uuid: str = "",
        continuation_token: str = "",
        flags: int = 0,
        entries: list[BucketEntry] | None = None,
        *,
        # The SDK's wire names, keyword-only:
        UUID: str | None = None,
        ContinuationToken: str | None = None,
        Flags: int | None = None,
        Entries: list[BucketEntry] | None = None,
    ) -> None:
        self.uuid = _one_of("uuid", uuid, "", "UUID", UUID)
        self.continuation_token = _one_of(
            "continuation_token", continuation_token, "", "ContinuationToken", ContinuationToken
        )
        self.flags = _one_of("flags", flags, 0, "Flags", Flags)
        chosen = _one_of("entries", entries, None, "Entries", Entries)
        self.entries: list[BucketEntry] = chosen if chosen is not None else []

    # The official SDK's wire-named attributes.
    UUID = _alias("uuid", "The listing session id (wire name ``UUID``).")
    ContinuationToken = _alias(
        "continuation_token", "Token of the next page (wire name ``ContinuationToken``)."
    )
    Flags = _alias("flags", "The page flags (wire name ``Flags``).")
    Entries = _alias("entries", "The entries of this page (wire name ``Entries``).")

    def __repr__(self) -> str:
        return (
            f"BucketList(uuid={self.uuid!r}, continuation_token={self.continuation_token!r}, "
            f"entries=<{len(self.entries)}>)"
        )


T = TypeVar("T")


def _one_of(name: str, value: T, default: T, wire_name: str, wire_value: T | None) -> T:
    """``wire_value`` if given (and ``value`` left at its default), else ``value``."""
    if wire_value is None:
        return value
    if value != default:
        raise TypeError(f"BucketList() got both {name}= and {wire_name}=")
    return wire_value


def _from_wire_names(values: list[Any], wire: dict[str, Any]) -> tuple[list[Any], Any]:
    """Merge the SDK's wire-name keywords into ``values`` (readable-name order); also return
    the ``object`` handle. Unknown keywords, a name given twice, or no name: ``TypeError``."""
    handle = wire.pop("object", None)
    for key, value in wire.items():
        index = _ENTRY_WIRE.get(key)
        if index is None:
            raise TypeError(f"BucketEntry() got an unexpected keyword argument {key!r}")
        if values[index] != _ENTRY_DEFAULTS[index]:
            raise TypeError(f"BucketEntry() got both {_ENTRY_NAMES[index]}= and {key}=")
        values[index] = value
    if values[0] is None:
        raise TypeError("BucketEntry() needs the object name: name= (or the SDK's n=)")
    return values, handle


# Keys of an entry in the JSON listing and in the short (msgpack / Go field tag) form.
_JSON_KEYS = ("name", "size", "checksum", "atime", "version", "location", "copies", "flags")
_SHORT_KEYS = ("n", "s", "cs", "a", "v", "t", "c", "f")


def decode_entry(doc: Mapping[str, Any]) -> BucketEntry:
    """A list entry in either key set: JSON (``name``, ``size``, ...) or short (``n``, ``s``)."""
    return decode_entries((doc,))[0]


@decoder("the entries of a listing")
def decode_entries(docs: Iterable[Mapping[str, Any]]) -> list[BucketEntry]:
    """The entries of a page. One loop, no call per entry but the constructor: this is the
    hot path of every listing (lenient_int only runs for the rare non-int forms)."""
    entries: list[BucketEntry] = []
    append = entries.append
    for doc in docs:
        get = doc.get
        if "name" in doc:
            k_name, k_size, k_cs, k_atime, k_ver, k_loc, k_copies, k_flags = _JSON_KEYS
            custom = get("custom-md")
        else:
            k_name, k_size, k_cs, k_atime, k_ver, k_loc, k_copies, k_flags = _SHORT_KEYS
            custom = get("m")
        size = get(k_size, 0)
        if type(size) is not int:
            size = lenient_int(size)
        copies = get(k_copies, 0)
        if type(copies) is not int:
            copies = lenient_int(copies)
        flags = get(k_flags, 0)
        if type(flags) is not int:
            flags = lenient_int(flags)
        append(
            BucketEntry(
                get(k_name) or "",
                size,
                get(k_cs) or "",
                get(k_atime) or "",
                get(k_ver) or "",
                get(k_loc) or "",
                copies,
                flags,
                custom or "",
            )
        )
    return entries


@decoder("a listing page")
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
        entries=decode_entries(raw_entries),
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


@decoder("the bucket inventories")
def decode_inventories(doc: Mapping[str, Any] | None) -> dict[str, NBIInfo]:
    if not doc:
        return {}
    from aisclient.models._convert import structure

    return {key: structure(value or {}, NBIInfo) for key, value in doc.items()}
