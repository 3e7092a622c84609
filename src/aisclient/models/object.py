"""Object properties as AIS returns them in response headers, decoded lazily on access.

Building a value from headers costs nothing beyond keeping them; each property parses its
header when asked, so a hot-path HEAD or GET pays only for what the caller reads. A value can
also be built from its fields (:meth:`ObjectProps.of`, e.g. from a listing entry).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from attrs import frozen

from aisclient.headers import Headers, HeaderSource, as_headers

# A repeated ``Ais-Custom-Md`` header may reach us joined with ", "; a new entry starts only
# where the next comma-separated piece looks like ``key=`` (so values may contain commas).
_MD_SPLIT = re.compile(r",\s*(?=[^,=\s][^,=]*=)")

CONTENT_LENGTH = "content-length"
CHECKSUM_TYPE = "ais-checksum-type"
CHECKSUM_VALUE = "ais-checksum-value"
ATIME = "ais-atime"
VERSION = "ais-version"
CUSTOM_MD = "ais-custom-md"
PRESENT = "ais-present"
LOCATION = "ais-location"
MIRROR_PATHS = "ais-mirror-paths"
MIRROR_COPIES = "ais-mirror-copies"
EC_GENERATION = "ais-ec-generation"
EC_DATA = "ais-ec-data"
EC_PARITY = "ais-ec-parity"
EC_REPLICATED = "ais-ec-replicated"
CHUNKS_COUNT = "ais-chunks-count"
CHUNKS_MAX = "ais-chunks-max-chunk-size"
BUCKET_NAME = "ais-bucket-name"
BUCKET_PROVIDER = "ais-bucket-provider"
OBJ_NAME = "ais-name"


@frozen
class ECInfo:
    """Erasure-coding facts of one object."""

    generation: int = 0
    data_slices: int = 0
    parity_slices: int = 0
    is_ec_copy: bool = False


@frozen
class ChunksInfo:
    """Chunk layout of an object stored in chunks."""

    chunk_count: int = 0
    max_chunk_size: int = 0


def _int(text: str | None) -> int:
    if not text:
        return 0
    try:
        return int(text)
    except ValueError:
        return 0


def parse_custom_md(values: list[str], *, joined: bool = True) -> dict[str, str]:
    """Header lines ``k=v`` → a dict. ``joined``: a line may hold several entries joined by
    commas (as when repeated headers were merged); otherwise each line is one entry.

    :attr:`ObjectAttributes.custom_metadata` passes every line of the header: several lines
    are one entry each (what AIS sends), a single line may be the joined form."""
    result: dict[str, str] = {}
    for line in values:
        for item in _MD_SPLIT.split(line) if joined else (line,):
            key, sep, value = item.strip().partition("=")
            if sep and key:
                result[key] = value
    return result


class ObjectAttributes:
    """Object metadata from the headers of a GET, HEAD or PUT response."""

    __slots__ = ("_given", "_headers")

    def __init__(self, response_headers: HeaderSource | None = None) -> None:
        # Response headers already are Headers; a plain dict from a user becomes one.
        self._headers: Headers = as_headers(response_headers)
        self._given: dict[str, Any] = {}

    def _field(self, name: str, decode: Callable[[Headers], Any]) -> Any:
        given = self._given
        if given and name in given:
            return given[name]
        return decode(self._headers)

    @property
    def response_headers(self) -> Headers:
        return self._headers

    def _get(self, name: str) -> str:
        value = self._headers.get(name)
        return value if isinstance(value, str) else ""

    @property
    def size(self) -> int:
        return int(self._field("size", lambda h: _int(h.get(CONTENT_LENGTH))))

    @property
    def checksum_type(self) -> str:
        return str(self._field("checksum_type", lambda _: self._get(CHECKSUM_TYPE)))

    @property
    def checksum_value(self) -> str:
        return str(self._field("checksum_value", lambda _: self._get(CHECKSUM_VALUE)))

    @property
    def access_time(self) -> str:
        """Last access time as sent: decimal nanoseconds since the Unix epoch ("" if unknown)."""
        return str(self._field("access_time", lambda _: self._get(ATIME)))

    @property
    def obj_version(self) -> str:
        return str(self._field("obj_version", lambda _: self._get(VERSION)))

    @property
    def custom_metadata(self) -> dict[str, str]:
        lines = self._headers.get_list(CUSTOM_MD)
        # Several lines: one entry each, so a value may hold ", k=v". One line: it may be the
        # comma-joined form a proxy or a hand-made mapping gives (split as the SDK does).
        return parse_custom_md(lines, joined=len(lines) == 1)

    @property
    def present(self) -> bool:
        return self._get(PRESENT).lower() == "true"

    @property
    def location(self) -> str:
        return str(self._field("location", lambda _: self._get(LOCATION)))

    @property
    def mirror_paths(self) -> list[str]:
        text = self._get(MIRROR_PATHS).strip().strip("[]")
        return [path.strip() for path in text.split(",") if path.strip()] if text else []

    @property
    def mirror_copies(self) -> int:
        return int(self._field("mirror_copies", lambda h: _int(h.get(MIRROR_COPIES))))

    @property
    def ec(self) -> ECInfo | None:
        names = (EC_GENERATION, EC_DATA, EC_PARITY, EC_REPLICATED)
        if not any(name in self._headers for name in names):
            return None
        return ECInfo(
            generation=_int(self._headers.get(EC_GENERATION)),
            data_slices=_int(self._headers.get(EC_DATA)),
            parity_slices=_int(self._headers.get(EC_PARITY)),
            is_ec_copy=self._get(EC_REPLICATED).lower() == "true",
        )

    @property
    def last_modified(self) -> str:
        return self._get("last-modified")

    @property
    def etag(self) -> str:
        return self._get("etag").strip('"')

    @property
    def chunks(self) -> ChunksInfo | None:
        if CHUNKS_COUNT not in self._headers and CHUNKS_MAX not in self._headers:
            return None
        return ChunksInfo(
            chunk_count=_int(self._headers.get(CHUNKS_COUNT)),
            max_chunk_size=_int(self._headers.get(CHUNKS_MAX)),
        )

    def as_dict(self) -> dict[str, Any]:
        """Every decoded property, for logging and comparisons."""
        return {name: getattr(self, name) for name in _public_properties(type(self))}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size}, version={self.obj_version!r})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ObjectAttributes)
            and type(other) is type(self)
            and (self.as_dict() == other.as_dict())
        )

    __hash__ = None  # type: ignore[assignment]


class ObjectProps(ObjectAttributes):
    """:class:`ObjectAttributes` plus the object's own and its bucket's names."""

    __slots__ = ("_known",)

    def __init__(
        self,
        response_headers: HeaderSource | None = None,
        *,
        name: str = "",
        bucket_name: str = "",
        bucket_provider: str = "",
    ) -> None:
        super().__init__(response_headers)
        # What the caller already knows; the (v2) HEAD does not repeat these in headers.
        self._known = (name, bucket_name, bucket_provider)

    @classmethod
    def of(
        cls,
        *,
        name: str = "",
        bucket_name: str = "",
        bucket_provider: str = "",
        size: int = 0,
        checksum_type: str = "",
        checksum_value: str = "",
        access_time: str = "",
        obj_version: str = "",
        location: str = "",
        mirror_copies: int = 0,
    ) -> ObjectProps:
        """Properties known field by field (a listing entry), without any response headers."""
        props = cls(name=name, bucket_name=bucket_name, bucket_provider=bucket_provider)
        props._given = {
            "size": size,
            "checksum_type": checksum_type,
            "checksum_value": checksum_value,
            "access_time": access_time,
            "obj_version": obj_version,
            "location": location,
            "mirror_copies": mirror_copies,
        }
        return props

    @property
    def bucket_name(self) -> str:
        return self._get(BUCKET_NAME) or self._known[1]

    @property
    def bucket_provider(self) -> str:
        return self._get(BUCKET_PROVIDER) or self._known[2]

    @property
    def name(self) -> str:
        return self._get(OBJ_NAME) or self._known[0]


def _public_properties(cls: type) -> Iterator[str]:
    seen: set[str] = set()
    for klass in cls.__mro__:
        for name, value in vars(klass).items():
            if isinstance(value, property) and not name.startswith("_") and name not in seen:
                if name == "response_headers":
                    continue
                seen.add(name)
                yield name
