"""Object metadata as AIS response headers."""

from __future__ import annotations

from .store import ObjMeta


def base_headers(meta: ObjMeta) -> list[tuple[str, str]]:
    hdrs: list[tuple[str, str]] = []
    if meta.atime:
        hdrs.append(("Ais-Atime", str(meta.atime)))
    if meta.cksum_type and meta.cksum_type != "none" and meta.cksum_value:
        hdrs.append(("Ais-Checksum-Type", meta.cksum_type))
        hdrs.append(("Ais-Checksum-Value", meta.cksum_value))
    if meta.version:
        hdrs.append(("Ais-Version", str(meta.version)))
    hdrs.extend(("Ais-Custom-Md", f"{k}={v}") for k, v in sorted(meta.custom.items()))
    if "ETag" in meta.custom:
        hdrs.append(("ETag", meta.custom["ETag"]))
    return hdrs
