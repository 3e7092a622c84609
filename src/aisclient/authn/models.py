"""AuthN values as the server sends them: clusters, roles with their permissions, users.

Frozen attrs classes decoded by the package's one converter; unknown fields are ignored.
A user's password is never part of a model (the server does not send it back either).
"""

from __future__ import annotations

from typing import Any

from attrs import field, frozen

from aisclient.authn.access import AccessAttr
from aisclient.models._convert import structure


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in value or ())


@frozen
class ClusterInfo:
    """A registered cluster: its UUID, an alias, and the proxy URLs AuthN reaches it at."""

    id: str
    alias: str | None = None
    urls: tuple[str, ...] = field(default=(), converter=_strings)


@frozen
class ClusterList:
    """Registered clusters by UUID (empty when there are none)."""

    clusters: dict[str, ClusterInfo] = field(factory=dict)


@frozen
class ClusterPermission:
    """A role's rights on one whole cluster; ``perm`` is the decimal OR of AccessAttr flags."""

    id: str
    perm: str = "0"
    alias: str | None = None

    def describe(self) -> str:
        return AccessAttr.describe(self.perm)


@frozen
class NamespaceModel:
    uuid: str = ""
    name: str = ""


@frozen
class BucketModel:
    name: str
    provider: str = "ais"
    namespace: NamespaceModel = field(factory=NamespaceModel)


@frozen
class BucketPermission:
    """A role's rights on one bucket."""

    bck: BucketModel
    perm: str = "0"

    def describe(self) -> str:
        return AccessAttr.describe(self.perm)


def _clusters(value: Any) -> tuple[ClusterPermission, ...] | None:
    return None if value is None else tuple(value)


def _buckets(value: Any) -> tuple[BucketPermission, ...] | None:
    return None if value is None else tuple(value)


@frozen
class RoleInfo:
    """A named set of permissions: per cluster, or per bucket (or ``admin`` for everything)."""

    name: str
    desc: str = ""
    clusters: tuple[ClusterPermission, ...] | None = field(default=None, converter=_clusters)
    buckets: tuple[BucketPermission, ...] | None = field(default=None, converter=_buckets)
    admin: bool = False


def _roles(value: Any) -> tuple[RoleInfo, ...]:
    return tuple(value or ())


@frozen
class UserInfo:
    """A user and the roles it holds (copies of the roles, as the server keeps them)."""

    id: str
    roles: tuple[RoleInfo, ...] = field(default=(), converter=_roles)


RolesList = tuple[RoleInfo, ...]
UserMap = dict[str, UserInfo]


def decode_cluster_list(doc: Any) -> ClusterList:
    # The server answers ``{}`` (no "clusters" key) when none are registered.
    return structure(doc if isinstance(doc, dict) else {}, ClusterList)


def decode_role(doc: Any) -> RoleInfo:
    return structure(doc, RoleInfo)


def decode_roles(doc: Any) -> RolesList:
    return tuple(structure(item, RoleInfo) for item in doc or ())


def decode_user(doc: Any) -> UserInfo:
    # A user without roles comes as ``"roles": null``.
    return structure({**doc, "roles": doc.get("roles") or []}, UserInfo)


def decode_users(doc: Any) -> UserMap:
    return {str(key): decode_user(value) for key, value in (doc or {}).items()}


def role_to_wire(role: RoleInfo) -> dict[str, Any]:
    """The JSON the server expects for a role (``null`` for an absent ACL list)."""
    return {
        "name": role.name,
        "desc": role.desc,
        "clusters": None
        if role.clusters is None
        else [_cluster_perm_to_wire(perm) for perm in role.clusters],
        "buckets": None
        if role.buckets is None
        else [_bucket_perm_to_wire(perm) for perm in role.buckets],
        "admin": role.admin,
    }


def _cluster_perm_to_wire(perm: ClusterPermission) -> dict[str, Any]:
    wire: dict[str, Any] = {"id": perm.id, "perm": perm.perm}
    if perm.alias:
        wire["alias"] = perm.alias
    return wire


def _bucket_perm_to_wire(perm: BucketPermission) -> dict[str, Any]:
    bck = perm.bck
    return {
        "bck": {
            "name": bck.name,
            "provider": bck.provider,
            "namespace": {"uuid": bck.namespace.uuid, "name": bck.namespace.name},
        },
        "perm": perm.perm,
    }
