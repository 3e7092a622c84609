"""Highest-random-weight placement, computed the way AIS does it.

AIS picks the owner of an object by hashing its uname with XXH64 (seed
``HRW_SEED``), mixing it with each target's ``id_digest`` (XXH64 of the node
id) and keeping the target with the largest xoshiro256** output.  The hashes
are the client library's own (:mod:`aisclient.models.cluster`), so
``LocalCluster`` placement is exactly what ``Smap.get_target_for_object``
computes from the cluster map (direct-to-target reads).
"""

from __future__ import annotations

from collections.abc import Sequence

from aisclient.models.cluster import HRW_SEED, hrw_pick, xxhash64
from aisclient.models.cluster import xoshiro256_hash as xoshiro_mix

__all__ = ["HRW_SEED", "node_digest", "pick", "xoshiro_mix", "xxhash64"]


def node_digest(node_id: str) -> int:
    return xxhash64(node_id.encode(), HRW_SEED)


def pick(uname: str, digests: Sequence[tuple[str, int]]) -> str:
    """Return the node id (from ``(id, id_digest)`` pairs) that owns ``uname``."""
    return hrw_pick(uname, digests) or ""
