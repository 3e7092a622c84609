"""Buckets, providers, namespaces and name validation (AIS rules)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import HttpError, bad_request

_PROVIDERS = {"": "ais", "ais": "ais", "aws": "aws", "s3": "aws", "gcp": "gcp", "gs": "gcp"}
_PROVIDERS.update({"azure": "azure", "az": "azure", "oci": "oci", "oc": "oci"})
_SCHEMES = {"ais": "ais", "aws": "s3", "gcp": "gs", "azure": "az", "oci": "oc"}
_BACKEND_TITLES = {"aws": "AWS", "gcp": "GCP", "azure": "Azure", "oci": "OCI"}

_BUCKET_RE = re.compile(r"^[A-Za-z0-9_.\-]+$")
BUCKET_NAME_ERR = (
    "bucket name is invalid: may only contain letters, numbers, dashes (-), "
    "underscores (_), and dots (.)"
)


def normalize_provider(value: str) -> str:
    try:
        return _PROVIDERS[value]
    except KeyError:
        raise bad_request(
            f'invalid backend provider "{value}": must be one of '
            "[ais, aws (s3://), gcp (gs://), azure (az://), oci (oc://)]",
            "ErrInvalidBackendProvider",
        ) from None


def backend_missing(provider: str) -> str:
    return (
        f"{_BACKEND_TITLES.get(provider, provider)} backend is missing in the cluster configuration"
    )


@dataclass(frozen=True, order=True)
class Bck:
    """A bucket: name, canonical provider, namespace uuid and name."""

    name: str
    provider: str = "ais"
    ns_uuid: str = ""
    ns_name: str = ""

    @property
    def ns_uname(self) -> str:
        return f"@{self.ns_uuid}#{self.ns_name}"

    @property
    def is_remote(self) -> bool:
        return self.provider != "ais" or self.ns_uuid != ""

    def cname(self, obj: str | None = None) -> str:
        """``ais://name`` (or ``ais://@uuid#ns/name``, ``ais://#ns/name``) plus object."""
        ns = ""
        if self.ns_uuid:
            ns = f"@{self.ns_uuid}#{self.ns_name}/" if self.ns_name else f"@{self.ns_uuid}/"
        elif self.ns_name:
            ns = f"#{self.ns_name}/"
        base = f"{_SCHEMES.get(self.provider, self.provider)}://{ns}{self.name}"
        return base if obj is None else f"{base}/{obj}"

    def uname(self, obj: str = "") -> str:
        return f"{self.provider}/{self.ns_uname}/{self.name}/{obj}"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "provider": self.provider,
            "namespace": {"uuid": self.ns_uuid, "name": self.ns_name},
        }


def parse_namespace(value: str) -> tuple[str, str]:
    """``@uuid#name`` → (uuid, name); a missing ``#`` makes it all uuid."""
    if value.startswith("@"):
        value = value[1:]
    uuid, sep, name = value.partition("#")
    return (uuid, name) if sep else (value, "")


def bck_from_json(value: Any) -> Bck:
    if not isinstance(value, dict):
        raise bad_request("invalid bucket specification")
    ns = value.get("namespace") or {}
    if not isinstance(ns, dict):
        ns = {}
    provider = normalize_provider(str(value.get("provider") or ""))
    return Bck(
        str(value.get("name") or ""), provider, str(ns.get("uuid") or ""), str(ns.get("name") or "")
    )


def parse_uname(uname: str) -> tuple[Bck, str]:
    """``provider/@uuid#ns/bucket/object`` → (bucket, object)."""
    parts = uname.split("/", 3)
    if len(parts) < 3:
        raise bad_request(f'parse-uname "{uname}": invalid bucket uname')
    provider = normalize_provider(parts[0])
    uuid, nsname = parse_namespace(parts[1])
    bck = Bck(parts[2], provider, uuid, nsname)
    obj = parts[3] if len(parts) > 3 else ""
    return bck, obj


def validate_bucket_name(name: str) -> None:
    if (
        not name
        or len(name) > 64
        or not _BUCKET_RE.match(name)
        or ".." in name
        or name.startswith(".")
    ):
        raise bad_request(BUCKET_NAME_ERR)


def validate_object_name(name: str, *, allow_trailing_slash: bool = False) -> None:
    bad = not name
    if not bad:
        comps = name.split("/")
        trailing = not allow_trailing_slash and name.endswith("/")
        if trailing or any(c in (".", "..") for c in comps) or name.startswith("~/"):
            bad = True
    if bad:
        raise HttpError(400, f'invalid object name "{name}"', "errInvalidPath")
