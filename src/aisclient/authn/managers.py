"""The AuthN managers: thin handles that build a request, send it through their client and
decode the answer. They share the client, and so its token."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from attrs import evolve

from aisclient.authn import ops
from aisclient.authn.access import AccessAttr, perm_string
from aisclient.authn.errors import ErrRoleNotFound, ErrUserNotFound
from aisclient.authn.models import (
    BucketModel,
    BucketPermission,
    ClusterInfo,
    ClusterList,
    ClusterPermission,
    NamespaceModel,
    RoleInfo,
    RolesList,
    UserInfo,
    UserMap,
    decode_cluster_list,
    decode_role,
    decode_roles,
    decode_user,
    decode_users,
)
from aisclient.errors import UnexpectedResponseError
from aisclient.request import Request
from aisclient.transport.base import Response

__all__ = ["ClusterManager", "RoleManager", "TokenManager", "UserManager"]

Perms = AccessAttr | int | Sequence[AccessAttr]
T = TypeVar("T")


class AuthNSender(Protocol):
    """What a manager needs of its client (``AuthNClient``): send, with AuthN's errors."""

    def send(self, request: Request) -> Response: ...

    def send_json(self, request: Request) -> Any: ...


def _decoded(decode: Callable[[Any], T], doc: Any, what: str) -> T:
    try:
        return decode(doc)
    except UnexpectedResponseError:
        raise
    except Exception as err:  # e.g. a list where a mapping belongs: not the expected shape
        raise UnexpectedResponseError(f"AuthN answered {what} with an unexpected document") from err


def _one_of(cluster_id: str | None, cluster_alias: str | None) -> str:
    key = cluster_id or cluster_alias
    if not key:
        raise ValueError("give a cluster_id or a cluster_alias")
    return key


class ClusterManager:
    """Clusters registered with AuthN (tokens name the clusters they are good for)."""

    def __init__(self, client: AuthNSender) -> None:
        self.client = client

    def list(self) -> ClusterList:
        doc = self.client.send_json(ops.list_clusters())
        return _decoded(decode_cluster_list, doc, "the cluster list")

    def get(self, cluster_id: str | None = None, cluster_alias: str | None = None) -> ClusterInfo:
        key = _one_of(cluster_id, cluster_alias)
        found = _decoded(decode_cluster_list, self.client.send_json(ops.get_cluster(key)), key)
        if not found.clusters:
            raise UnexpectedResponseError(f"AuthN answered the query for cluster {key!r} with none")
        return next(iter(found.clusters.values()))

    def register(self, cluster_alias: str, urls: Sequence[str]) -> ClusterInfo:
        """Register the cluster whose proxies are at ``urls`` under ``cluster_alias``.

        The cluster's UUID is read from its map on ``urls[0]`` (with this client's token and
        TLS settings). The cluster must already accept AuthN's signing key.
        """
        first = ops.check_urls(urls, required=True)[0]
        ops.check_new_name(cluster_alias, "cluster_alias")  # before anything is sent
        smap = self.client.send_json(ops.cluster_smap(first))
        cluster_id = smap.get("uuid") if isinstance(smap, dict) else None
        if not isinstance(cluster_id, str) or not cluster_id:
            raise UnexpectedResponseError(f"the cluster map at {first} has no uuid")
        self.client.send(ops.register_cluster(cluster_id, cluster_alias, urls)).close()
        return self.get(cluster_id=cluster_id)

    def update(
        self,
        cluster_id: str,
        cluster_alias: str | None = None,
        urls: Sequence[str] | None = None,
    ) -> ClusterInfo:
        self.client.send(ops.update_cluster(cluster_id, cluster_alias, urls)).close()
        return self.get(cluster_id=cluster_id)

    def delete(self, cluster_id: str | None = None, cluster_alias: str | None = None) -> None:
        self.client.send(ops.delete_cluster(_one_of(cluster_id, cluster_alias))).close()


class RoleManager:
    """Roles: named permission sets on whole clusters or on single buckets."""

    def __init__(self, client: AuthNSender) -> None:
        self.client = client

    def list(self) -> RolesList:
        return _decoded(decode_roles, self.client.send_json(ops.list_roles()), "roles")

    def get(self, role_name: str) -> RoleInfo:
        doc = self.client.send_json(ops.get_role(role_name))
        return _decoded(decode_role, doc, f"role {role_name!r}")

    def _acl(
        self, role: RoleInfo, cluster_alias: str, perms: Perms, bucket_name: str | None
    ) -> RoleInfo:
        """``role`` with ``perms`` on the cluster (or on one of its ais:// buckets) as its ACL."""
        perm = perm_string(perms if isinstance(perms, int) else tuple(perms))
        cluster_id = ClusterManager(self.client).get(cluster_alias=cluster_alias).id
        if bucket_name is None:
            return evolve(role, clusters=(ClusterPermission(cluster_id, perm),), buckets=None)
        bucket = BucketModel(bucket_name, "ais", NamespaceModel(uuid=cluster_id))
        return evolve(role, clusters=None, buckets=(BucketPermission(bucket, perm),))

    def create(
        self,
        name: str,
        desc: str,
        cluster_alias: str,
        perms: Perms,
        bucket_name: str | None = None,
    ) -> RoleInfo:
        """A role with ``perms`` on the cluster ``cluster_alias`` (or on one of its ais://
        buckets, ``bucket_name``)."""
        ops.create_role(RoleInfo(name, desc))  # checks the arguments before the lookup
        role = self._acl(RoleInfo(name, desc), cluster_alias, perms, bucket_name)
        self.client.send(ops.create_role(role)).close()
        return self.get(name)

    def update(
        self,
        name: str,
        desc: str | None = None,
        cluster_alias: str | None = None,
        perms: Perms | None = None,
        bucket_name: str | None = None,
    ) -> None:
        """Change a role's description, or set its permissions on one cluster or bucket.

        The server merges permissions: other clusters' and buckets' entries are kept.
        """
        if desc is None and cluster_alias is None and perms is None and bucket_name is None:
            raise ValueError("update needs a desc, or a cluster_alias with perms")
        if (cluster_alias is None) != (perms is None):
            raise ValueError("cluster_alias and perms go together")
        if bucket_name is not None and cluster_alias is None:
            raise ValueError("bucket_name needs cluster_alias and perms")
        role = self.get(name)
        if desc is not None:
            role = evolve(role, desc=desc)
        if cluster_alias is not None and perms is not None:
            role = self._acl(role, cluster_alias, perms, bucket_name)
        self.client.send(ops.update_role(role)).close()

    def delete(self, name: str, missing_ok: bool = False) -> None:
        try:
            self.client.send(ops.delete_role(name)).close()
        except ErrRoleNotFound:
            if not missing_ok:
                raise


class UserManager:
    """Users and the roles they hold."""

    def __init__(self, client: AuthNSender) -> None:
        self.client = client

    def get(self, username: str) -> UserInfo:
        doc = self.client.send_json(ops.get_user(username))
        return _decoded(decode_user, doc, f"user {username!r}")

    def list(self) -> UserMap:
        return _decoded(decode_users, self.client.send_json(ops.list_users()), "users")

    def _roles(self, roles: Sequence[str]) -> tuple[RoleInfo, ...]:
        # The server drops unknown role names silently; looking each up first turns a typo
        # into ErrRoleNotFound.
        if isinstance(roles, str):
            raise TypeError("roles must be a list of role names (not a single str)")
        manager = RoleManager(self.client)
        return tuple(manager.get(name) for name in roles)

    def create(self, username: str, roles: Sequence[str], password: str) -> UserInfo:
        ops.create_user(username, (), password)  # checks the arguments before any lookup
        request = ops.create_user(username, self._roles(roles), password)
        self.client.send(request).close()
        return self.get(username)

    def update(
        self,
        username: str,
        password: str | None = None,
        roles: Sequence[str] | None = None,
    ) -> UserInfo:
        ops.update_user(username, password, () if roles is not None else None)  # checks first
        infos = None if roles is None else self._roles(roles)
        self.client.send(ops.update_user(username, password, infos)).close()
        return self.get(username)

    def delete(self, username: str, missing_ok: bool = False) -> None:
        try:
            self.client.send(ops.delete_user(username)).close()
        except ErrUserNotFound:
            if not missing_ok:
                raise


class TokenManager:
    """Token revocation (any holder of a token may revoke it)."""

    def __init__(self, client: AuthNSender) -> None:
        self.client = client

    def revoke(self, token: str) -> None:
        self.client.send(ops.revoke_token(token)).close()
