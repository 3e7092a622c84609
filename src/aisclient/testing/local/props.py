"""Bucket properties: defaults, partial updates (set-bprops) and validation."""

from __future__ import annotations

import copy
from typing import Any

from .errors import bad_request

CKSUM_TYPES = ("crc32c", "md5", "sha256", "sha512", "xxhash", "xxhash2", "none")
# The checksum LocalCluster computes by default (xxhash is not in the standard library).
DEFAULT_CKSUM = "md5"

_SETTABLE = {
    "backend_bck",
    "versioning",
    "checksum",
    "lru",
    "mirror",
    "chunks",
    "ec",
    "access",
    "rate_limit",
    "features",
    "write_policy",
    "extra",
    "force",
}

_WRITE_POLICIES = ("immediate", "delayed", "never", "")


def default_props(provider: str, bid: int, created_ns: int) -> dict[str, Any]:
    """A full ``Bprops`` object shaped like the one AIS returns."""
    empty_ns = {"uuid": "", "name": ""}
    return {
        "backend_bck": {"name": "", "provider": "", "namespace": dict(empty_ns)},
        "write_policy": {"data": "immediate", "md": "immediate"},
        "provider": provider,
        "Renamed": "",
        "checksum": {
            "type": DEFAULT_CKSUM,
            "validate_cold_get": False,
            "validate_warm_get": False,
            "validate_obj_move": False,
            "enable_read_range": False,
        },
        "extra": {"aws": {}, "gcp": {}, "oci": {}},
        "rate_limit": {
            "backend": {"interval": "1m", "max_tokens": 1000, "enabled": False, "num_retries": 3},
            "frontend": {"interval": "1m", "max_tokens": 1000, "enabled": False, "burst_size": 375},
        },
        "ec": {
            "compression": "never",
            "bundle_multiplier": 2,
            "burst_buffer": 512,
            "objsize_limit": 262144,
            "data_slices": 2,
            "parity_slices": 2,
            "enabled": False,
            "disk_only": False,
        },
        "chunks": {"objsize_limit": "0B", "max_monolithic_size": "1TiB", "chunk_size": "1GiB"},
        "mirror": {"copies": 2, "burst_buffer": 512, "enabled": False},
        "lru": {
            "dont_evict_time": "2h0m",
            "capacity_upd_time": "10m",
            "batch_size": 32768,
            "enabled": False,
        },
        "access": "18446744073709551615",
        "features": "0",
        "bid": str(bid),
        "created": str(created_ns),
        "versioning": {"enabled": True, "validate_warm_get": False, "synchronize": False},
    }


def _merge(dst: dict[str, Any], src: dict[str, Any]) -> None:
    for key, value in src.items():
        if isinstance(value, dict) and isinstance(dst.get(key), dict):
            _merge(dst[key], value)
        else:
            dst[key] = copy.deepcopy(value)


def apply_update(props: dict[str, Any], update: Any, msg: str = "set-bprops") -> dict[str, Any]:
    """Return ``props`` with the partial ``update`` (a ``BpropsToSet``) applied."""
    if update is None:
        return copy.deepcopy(props)
    if not isinstance(update, dict):
        raise bad_request(f"invalid set-bucket-props request (msg=actm[{msg}]): expected an object")
    for key in update:
        if key not in _SETTABLE:
            raise bad_request(
                f"invalid set-bucket-props request (msg=actm[{msg}]): found unknown field: {key}"
            )
    new = copy.deepcopy(props)
    upd = {k: v for k, v in update.items() if k != "force"}
    for key in ("access", "features"):
        if key in upd:
            upd[key] = str(upd[key])
    _merge(new, upd)
    validate(new)
    return new


def validate(props: dict[str, Any]) -> None:
    ck = props.get("checksum", {}).get("type", "")
    if ck not in CKSUM_TYPES:
        raise bad_request(f'invalid checksum type "{ck}" (expecting [{" ".join(CKSUM_TYPES)}])')
    mirror = props.get("mirror", {})
    copies = mirror.get("copies", 1)
    if not isinstance(copies, int) or copies < 1 or copies > 32:
        raise bad_request(f"invalid mirror.copies {copies!r} (expecting 1 to 32)")
    wp = props.get("write_policy", {})
    for k in ("data", "md"):
        if wp.get(k, "") not in _WRITE_POLICIES:
            raise bad_request(f'invalid write policy "{wp.get(k)}"')
    for k in ("access", "features"):
        try:
            int(str(props.get(k, "0")))
        except ValueError:
            raise bad_request(f"invalid {k} {props.get(k)!r}") from None


def versioning_enabled(props: dict[str, Any]) -> bool:
    return bool(props.get("versioning", {}).get("enabled", True))


def cksum_type(props: dict[str, Any]) -> str:
    return str(props.get("checksum", {}).get("type", DEFAULT_CKSUM))
