"""Object properties as AIS returns them in response headers, decoded lazily on access.

Building a value costs nothing beyond keeping the header mapping; each property parses its
header when asked, so a hot-path HEAD or GET pays only for what the caller reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from attrs import frozen

from aisclient.transport.base import Headers

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
    commas (as when repeated headers were merged); otherwise each line is one entry."""
    result: dict[str, str] = {}
    for line in values:
        for item in _MD_SPLIT.split(line) if joined else (line,):
            key, sep, value = item.strip().partition("=")
            if sep and key:
                result[key] = value
    return result


def _as_headers(headers: Mapping[str, str]) -> Mapping[str, str]:
    # Response headers are already case-insensitive; a plain dict from a user is not.
    if isinstance(headers, Headers) or hasattr(headers, "getlist"):
        return headers
    return Headers(headers)


class ObjectAttributes:
    """Object metadata from the headers of a GET, HEAD or PUT response."""

    __slots__ = ("_headers",)

    def __init__(self, response_headers: Mapping[str, str]) -> None:
        self._headers = _as_headers(response_headers)

    @property
    def response_headers(self) -> Mapping[str, str]:
        return self._headers

    def _get(self, name: str) -> str:
        value = self._headers.get(name)
        return value if isinstance(value, str) else ""

    @property
    def size(self) -> int:
        return _int(self._headers.get(CONTENT_LENGTH))

    @property
    def checksum_type(self) -> str:
        return self._get(CHECKSUM_TYPE)

    @property
    def checksum_value(self) -> str:
        return self._get(CHECKSUM_VALUE)

    @property
    def access_time(self) -> str:
        """Last access time as sent: decimal nanoseconds since the Unix epoch ("" if unknown)."""
        return self._get(ATIME)

    @property
    def obj_version(self) -> str:
        return self._get(VERSION)

    @property
    def custom_metadata(self) -> dict[str, str]:
        getlist = getattr(self._headers, "getlist", None)
        if getlist is not None:  # one entry per header line: values may hold commas
            return parse_custom_md(list(getlist(CUSTOM_MD)), joined=False)
        single = self._get(CUSTOM_MD)
        return parse_custom_md([single]) if single else {}

    @property
    def present(self) -> bool:
        return self._get(PRESENT).lower() == "true"

    @property
    def location(self) -> str:
        return self._get(LOCATION)

    @property
    def mirror_paths(self) -> list[str]:
        text = self._get(MIRROR_PATHS).strip().strip("[]")
        return [path.strip() for path in text.split(",") if path.strip()] if text else []

    @property
    def mirror_copies(self) -> int:
        return _int(self._headers.get(MIRROR_COPIES))

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
        response_headers: Mapping[str, str],
        *,
        name: str = "",
        bucket_name: str = "",
        bucket_provider: str = "",
    ) -> None:
        super().__init__(response_headers)
        # What the caller already knows; the (v2) HEAD does not repeat these in headers.
        self._known = (name, bucket_name, bucket_provider)

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
