"""Cluster values: the cluster map (Smap, Snode, NetInfo), BMD, and ETL list entries.

``Smap.get_target_for_object`` computes the owning target the way AIS does (highest random
weight over xxhash64 and xoshiro256), in pure Python, for direct-to-target reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from attrs import field, frozen

from aisclient.errors import NoTargetError
from aisclient.models._convert import structure
from aisclient.models._guard import decoder
from aisclient.models.bucket import BucketModel

# Snode flag bits (core/meta/smap.go).
SNODE_NON_ELECTABLE = 1 << 0
SNODE_IC = 1 << 1
SNODE_MAINT = 1 << 2
SNODE_DECOMM = 1 << 3
SNODE_MAINT_POST_REB = 1 << 4
HRW_SEED = 1103515245


@frozen
class NetInfo:
    """One network endpoint of a node. The server calls the host ``node_ip_addr``."""

    node_ip_addr: str = ""
    daemon_port: str = ""
    direct_url: str = ""

    @property
    def node_hostname(self) -> str:
        """The official SDK's name for the host (always empty there; filled in here)."""
        return self.node_ip_addr


@frozen
class Snode:
    """One node (proxy or target) of the cluster map."""

    daemon_id: str = ""
    daemon_type: str = ""
    public_net: NetInfo = field(factory=NetInfo)
    intra_control_net: NetInfo = field(factory=NetInfo)
    intra_data_net: NetInfo | None = None
    flags: int = 0
    id_digest: int = 0

    @property
    def is_target(self) -> bool:
        return self.daemon_type == "target"

    @property
    def is_proxy(self) -> bool:
        return self.daemon_type == "proxy"

    @property
    def public_url(self) -> str:
        return self.public_net.direct_url

    def in_maint_or_decomm(self) -> bool:
        return bool(self.flags & (SNODE_MAINT | SNODE_DECOMM))


@frozen
class Smap:
    """The cluster map: targets (``tmap``), proxies (``pmap``) and the primary (``proxy_si``)."""

    tmap: dict[str, Snode] = field(factory=dict)
    pmap: dict[str, Snode] = field(factory=dict)
    proxy_si: Snode = field(factory=Snode)
    version: int = 0
    uuid: str = ""
    creation_time: str = ""

    @property
    def primary_url(self) -> str:
        return self.proxy_si.public_net.direct_url

    @property
    def targets(self) -> list[Snode]:
        return list(self.tmap.values())

    @property
    def proxies(self) -> list[Snode]:
        return list(self.pmap.values())

    def get_target_for_object(self, uname: str) -> Snode:
        """The target that owns ``uname`` (``provider/@uuid#ns/bucket/object``).

        Targets in maintenance or being decommissioned are skipped; ``NoTargetError`` when
        none is left.
        """
        usable = (n for n in self.tmap.values() if not n.in_maint_or_decomm())
        best = hrw_pick(uname, ((node, node.id_digest) for node in usable))
        if best is None:
            raise NoTargetError(len(self.tmap))
        return best


@frozen
class Bmd:
    """Bucket metadata: ``providers`` maps provider → namespace uname → bucket → props."""

    providers: dict[str, Any] = field(factory=dict)
    uuid: str = ""
    version: int = 0

    def bucket_names(self, provider: str = "ais") -> list[str]:
        names: list[str] = []
        for buckets in (self.providers.get(provider) or {}).values():
            names.extend((buckets or {}).keys())
        return sorted(names)


@frozen
class ETLInfo:
    """One ETL in the list: ``id`` is its name, ``stage`` e.g. ``Running``."""

    id: str = ""
    xaction_id: str = ""
    stage: str = ""
    obj_count: int = 0
    in_bytes: int = 0
    out_bytes: int = 0

    @property
    def name(self) -> str:
        return self.id


@decoder("the cluster map")
def decode_smap(data: Any) -> Smap:
    if not isinstance(data, Mapping):
        raise TypeError(f"expected a cluster map object, got {type(data).__name__}")
    return structure(data, Smap)


def decode_buckets(data: Any) -> list[BucketModel]:
    return structure(data or [], list[BucketModel])


# -- HRW hashing (pure Python; 64-bit arithmetic masked) ---------------------------------------

_MASK = (1 << 64) - 1
_P1 = 0x9E3779B185EBCA87
_P2 = 0xC2B2AE3D27D4EB4F
_P3 = 0x165667B19E3779F9
_P4 = 0x85EBCA77C2B2AE63
_P5 = 0x27D4EB2F165667C5


def _rotl(value: int, bits: int) -> int:
    return ((value << bits) | (value >> (64 - bits))) & _MASK


def _round(acc: int, lane: int) -> int:
    return (_rotl((acc + lane * _P2) & _MASK, 31) * _P1) & _MASK


def _merge(acc: int, value: int) -> int:
    return (((acc ^ _round(0, value)) * _P1) + _P4) & _MASK


def xxhash64(data: bytes, seed: int = 0) -> int:
    """XXH64 of ``data`` (the 64-bit xxHash), as an unsigned int."""
    length = len(data)
    pos = 0
    if length >= 32:
        v1 = (seed + _P1 + _P2) & _MASK
        v2 = (seed + _P2) & _MASK
        v3 = seed & _MASK
        v4 = (seed - _P1) & _MASK
        limit = length - 32
        while pos <= limit:
            v1 = _round(v1, int.from_bytes(data[pos : pos + 8], "little"))
            v2 = _round(v2, int.from_bytes(data[pos + 8 : pos + 16], "little"))
            v3 = _round(v3, int.from_bytes(data[pos + 16 : pos + 24], "little"))
            v4 = _round(v4, int.from_bytes(data[pos + 24 : pos + 32], "little"))
            pos += 32
        acc = (_rotl(v1, 1) + _rotl(v2, 7) + _rotl(v3, 12) + _rotl(v4, 18)) & _MASK
        for lane in (v1, v2, v3, v4):
            acc = _merge(acc, lane)
    else:
        acc = (seed + _P5) & _MASK
    acc = (acc + length) & _MASK
    while pos + 8 <= length:
        acc ^= _round(0, int.from_bytes(data[pos : pos + 8], "little"))
        acc = (_rotl(acc, 27) * _P1 + _P4) & _MASK
        pos += 8
    if pos + 4 <= length:
        acc ^= (int.from_bytes(data[pos : pos + 4], "little") * _P1) & _MASK
        acc = (_rotl(acc, 23) * _P2 + _P3) & _MASK
        pos += 4
    while pos < length:
        acc ^= (data[pos] * _P5) & _MASK
        acc = (_rotl(acc, 11) * _P1) & _MASK
        pos += 1
    acc ^= acc >> 33
    acc = (acc * _P2) & _MASK
    acc ^= acc >> 29
    acc = (acc * _P3) & _MASK
    acc ^= acc >> 32
    return acc


def _splitmix64(value: int) -> int:
    z = (value + 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def xoshiro256_hash(seed: int) -> int:
    """The one-shot xoshiro256** scramble AIS uses to weigh a node for a digest."""
    second = _splitmix64(_splitmix64(seed & _MASK))
    return (_rotl((second * 5) & _MASK, 7) * 9) & _MASK


N = TypeVar("N")


def hrw_pick(uname: str, nodes: Iterable[tuple[N, int]]) -> N | None:
    """The node of ``(node, id_digest)`` pairs with the highest random weight for ``uname``
    (the first one on a tie); ``None`` when there is none."""
    digest = xxhash64(uname.encode(), HRW_SEED)
    best: N | None = None
    best_weight = -1
    for node, id_digest in nodes:
        weight = xoshiro256_hash(id_digest ^ digest)
        if weight > best_weight:
            best, best_weight = node, weight
    return best
