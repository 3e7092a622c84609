"""A minimal MessagePack encoder (enough for list-objects pages)."""

from __future__ import annotations

import struct
from typing import Any


def packb(obj: Any) -> bytes:
    out = bytearray()
    _pack(obj, out)
    return bytes(out)


def _pack(obj: Any, out: bytearray) -> None:
    if obj is None:
        out.append(0xC0)
    elif obj is True:
        out.append(0xC3)
    elif obj is False:
        out.append(0xC2)
    elif isinstance(obj, int):
        _pack_int(obj, out)
    elif isinstance(obj, str):
        data = obj.encode("utf-8", "surrogateescape")
        _header(out, len(data), 0xA0, 32, (0xD9, 0xDA, 0xDB))
        out += data
    elif isinstance(obj, bytes):
        _header(out, len(obj), 0, 0, (0xC4, 0xC5, 0xC6))
        out += obj
    elif isinstance(obj, list | tuple):
        _header(out, len(obj), 0x90, 16, (None, 0xDC, 0xDD))
        for item in obj:
            _pack(item, out)
    elif isinstance(obj, dict):
        _header(out, len(obj), 0x80, 16, (None, 0xDE, 0xDF))
        for k, v in obj.items():
            _pack(k, out)
            _pack(v, out)
    else:
        raise TypeError(f"cannot msgpack {type(obj).__name__}")


def _header(
    out: bytearray, n: int, fix: int, fix_limit: int, tags: tuple[int | None, int, int]
) -> None:
    """A length header: the fix form (``fix | n``) below ``fix_limit``, else the 8-bit (if the
    type has one), 16-bit or 32-bit form with its tag."""
    tag8, tag16, tag32 = tags
    if n < fix_limit:
        out.append(fix | n)
    elif tag8 is not None and n < 0x100:
        out.append(tag8)
        out += struct.pack(">B", n)
    elif n < 0x10000:
        out.append(tag16)
        out += struct.pack(">H", n)
    else:
        out.append(tag32)
        out += struct.pack(">I", n)


def _pack_int(n: int, out: bytearray) -> None:
    if 0 <= n < 0x80:
        out.append(n)
    elif -32 <= n < 0:
        out += struct.pack(">b", n)
    elif n >= 0:
        if n < 0x100:
            out += b"\xcc" + struct.pack(">B", n)
        elif n < 0x10000:
            out += b"\xcd" + struct.pack(">H", n)
        elif n < 0x100000000:
            out += b"\xce" + struct.pack(">I", n)
        else:
            out += b"\xcf" + struct.pack(">Q", n)
    elif n >= -0x80:
        out += b"\xd0" + struct.pack(">b", n)
    elif n >= -0x8000:
        out += b"\xd1" + struct.pack(">h", n)
    elif n >= -0x80000000:
        out += b"\xd2" + struct.pack(">i", n)
    else:
        out += b"\xd3" + struct.pack(">q", n)
