"""Highest-random-weight placement, computed the way AIS does it.

AIS picks the owner of an object by hashing its uname with XXH64 (seed
``HRW_SEED``), mixing it with each target's ``id_digest`` (XXH64 of the node
id) and keeping the target with the largest xoshiro256** output.  Doing the
same here keeps ``LocalCluster`` placement identical to what a client that
computes HRW from the cluster map (direct-to-target reads) expects.
"""

from __future__ import annotations

from collections.abc import Sequence

HRW_SEED = 1103515245

_M64 = (1 << 64) - 1
_P1 = 0x9E3779B185EBCA87
_P2 = 0xC2B2AE3D27D4EB4F
_P3 = 0x165667B19E3779F9
_P4 = 0x85EBCA77C2B2AE63
_P5 = 0x27D4EB2F165667C5


def _rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (64 - r))) & _M64


def _round(acc: int, lane: int) -> int:
    acc = (acc + lane * _P2) & _M64
    return (_rotl(acc, 31) * _P1) & _M64


def _merge(acc: int, val: int) -> int:
    acc ^= _round(0, val)
    return (acc * _P1 + _P4) & _M64


def xxhash64(data: bytes, seed: int = 0) -> int:
    """XXH64 of ``data`` (pure Python; fine for short keys such as names)."""
    n = len(data)
    pos = 0
    if n >= 32:
        v1 = (seed + _P1 + _P2) & _M64
        v2 = (seed + _P2) & _M64
        v3 = seed & _M64
        v4 = (seed - _P1) & _M64
        limit = n - 32
        while pos <= limit:
            v1 = _round(v1, int.from_bytes(data[pos : pos + 8], "little"))
            v2 = _round(v2, int.from_bytes(data[pos + 8 : pos + 16], "little"))
            v3 = _round(v3, int.from_bytes(data[pos + 16 : pos + 24], "little"))
            v4 = _round(v4, int.from_bytes(data[pos + 24 : pos + 32], "little"))
            pos += 32
        h = (_rotl(v1, 1) + _rotl(v2, 7) + _rotl(v3, 12) + _rotl(v4, 18)) & _M64
        for v in (v1, v2, v3, v4):
            h = _merge(h, v)
    else:
        h = (seed + _P5) & _M64
    h = (h + n) & _M64
    while pos + 8 <= n:
        k = _round(0, int.from_bytes(data[pos : pos + 8], "little"))
        h = (_rotl(h ^ k, 27) * _P1 + _P4) & _M64
        pos += 8
    if pos + 4 <= n:
        h ^= (int.from_bytes(data[pos : pos + 4], "little") * _P1) & _M64
        h = (_rotl(h, 23) * _P2 + _P3) & _M64
        pos += 4
    while pos < n:
        h ^= (data[pos] * _P5) & _M64
        h = (_rotl(h, 11) * _P1) & _M64
        pos += 1
    h ^= h >> 33
    h = (h * _P2) & _M64
    h ^= h >> 29
    h = (h * _P3) & _M64
    h ^= h >> 32
    return h


def _splitmix64(x: int) -> int:
    z = (x + 0x9E3779B97F4A7C15) & _M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return z ^ (z >> 31)


def xoshiro_mix(seed: int) -> int:
    """First xoshiro256** output for a state seeded from ``seed`` via splitmix64."""
    s1 = _splitmix64(_splitmix64(seed))
    return (_rotl((s1 * 5) & _M64, 7) * 9) & _M64


def node_digest(node_id: str) -> int:
    return xxhash64(node_id.encode(), HRW_SEED)


def pick(uname: str, digests: Sequence[tuple[str, int]]) -> str:
    """Return the node id (from ``(id, id_digest)`` pairs) that owns ``uname``."""
    key = xxhash64(uname.encode(), HRW_SEED)
    best_id = ""
    best = -1
    for node_id, digest in digests:
        score = xoshiro_mix(digest ^ key)
        if score > best:
            best, best_id = score, node_id
    return best_id
