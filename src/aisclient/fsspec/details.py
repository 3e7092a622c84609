"""The ``info`` dicts fsspec expects, built from listing entries and HEAD properties."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aisclient.models.bucket import BucketEntry
    from aisclient.models.object import ObjectAttributes

Info = dict[str, Any]

# Listing entries name their atime in AIS's default RFC 822 layout ("02 Jan 06 15:04 UTC").
_LISTING_TIME = "%d %b %y %H:%M %Z"
ENTRY_IS_DIR = 256  # the listing's flag for a virtual directory (non-recursive listing)


def directory(name: str) -> Info:
    return {"name": name, "size": 0, "type": "directory"}


def from_entry(bucket: str, entry: BucketEntry) -> Info:
    """A listed object (or, in a non-recursive listing, a virtual directory)."""
    if entry.flags & ENTRY_IS_DIR or entry.name.endswith("/"):
        return directory(f"{bucket}/{entry.name.rstrip('/')}")
    return {
        "name": f"{bucket}/{entry.name}",
        "size": entry.size,
        "type": "file",
        "mtime": listing_time(entry.atime),
        "checksum": entry.checksum or None,
        "version": entry.version or None,
    }


def from_head(bucket: str, key: str, attrs: ObjectAttributes) -> Info:
    """An object's HEAD: size, access time (AIS's modification time of record), checksum."""
    return {
        "name": f"{bucket}/{key}",
        "size": attrs.size,
        "type": "file",
        "mtime": nanoseconds_time(attrs.access_time),
        "checksum": attrs.checksum_value or None,
        "checksum_type": attrs.checksum_type or None,
        "version": attrs.obj_version or None,
    }


def nanoseconds_time(text: str) -> datetime | None:
    """``Ais-Atime`` (decimal nanoseconds since the epoch) as an aware UTC datetime."""
    try:
        return datetime.fromtimestamp(int(text) / 1e9, tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None


def listing_time(text: str) -> datetime | None:
    """A listing's atime (minute precision) as an aware UTC datetime; ``None`` if unknown."""
    if not text:
        return None
    try:
        return datetime.strptime(text, _LISTING_TIME).replace(tzinfo=UTC)
    except ValueError:
        return None
