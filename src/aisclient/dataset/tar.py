"""Tar encoding, one member at a time, for shards streamed as they are built."""

from __future__ import annotations

import json
import tarfile
from typing import Any

BLOCK = 512
#: Two zero blocks end a tar archive.
END_OF_ARCHIVE = bytes(2 * BLOCK)


def encode_value(value: Any, where: str) -> bytes:
    """A sample field as bytes: bytes as they are, text as UTF-8, numbers as their decimal
    text, dicts and lists as JSON (as WebDataset's writer encodes them)."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value).encode("ascii")
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":")).encode("utf-8")
    raise TypeError(
        f"{where}: cannot store a {type(value).__name__} in a shard "
        "(use bytes, str, a number, or a JSON-able dict or list)"
    )


def member(name: str, data: bytes) -> bytes:
    """One regular-file member: header (PAX for long names), data, padding to 512 bytes."""
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o444
    info.type = tarfile.REGTYPE
    header = info.tobuf(format=tarfile.PAX_FORMAT, encoding="utf-8", errors="strict")
    return header + data + bytes(-len(data) % BLOCK)


def sample_members(sample: dict[str, Any]) -> list[bytes]:
    """The members of one sample: ``<__key__>.<field key>`` for every field, in order."""
    key = sample.get("__key__")
    if not isinstance(key, str) or not key:
        raise ValueError(f"a sample needs a non-empty str __key__, got {key!r}")
    return [
        member(f"{key}.{field}", encode_value(value, f"sample {key!r} field {field!r}"))
        for field, value in sample.items()
        if field != "__key__"
    ]
