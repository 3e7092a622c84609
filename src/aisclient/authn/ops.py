"""Pure builders for the AuthN REST API (paths under ``/v1``): values in, ``Request`` out.

Arguments are checked here, so bad input fails naming the argument before anything is sent.
Bodies that carry a password or a token are :class:`SecretJsonBody`, whose repr hides them.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import Any

from attrs import frozen

from aisclient.authn.models import RoleInfo, role_to_wire
from aisclient.request import JsonBody, Request
from aisclient.validators import check_str, is_number

USERS = "users"
ROLES = "roles"
CLUSTERS = "clusters"
TOKENS = "tokens"
# The server refuses a token lifetime under a minute (0 means its maximum token age).
MIN_EXPIRES_IN = 60.0
# What the server accepts as a new user id, role name or cluster alias: letters and digits,
# '-' and '_' inside, at most 32 characters.
_NEW_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_-]{0,30}[A-Za-z0-9])?")


@frozen(repr=False)
class SecretJsonBody(JsonBody):
    """A JSON body holding a credential: sent as is, shown as ``SecretJsonBody(***)``."""

    def __repr__(self) -> str:
        return "SecretJsonBody(***)"

    @staticmethod
    def of(value: Any) -> SecretJsonBody:
        return SecretJsonBody(json.dumps(value, separators=(",", ":")).encode())


def _text(value: object, what: str) -> str:
    text = check_str(value, what)
    if not text.strip():
        raise ValueError(f"{what} must not be empty")
    return text


def _name(value: object, what: str) -> str:
    """A name that becomes one path segment (built-in role names may be longer than new ones)."""
    text = _text(value, what)
    if "/" in text:
        raise ValueError(f"{what} {text!r} must not contain '/'")
    return text


def check_new_name(value: object, what: str) -> str:
    text = _name(value, what)
    if not _NEW_NAME.fullmatch(text):
        raise ValueError(
            f"{what} {text!r} must be 1-32 letters, digits, '-' or '_' (not first or last)"
        )
    return text


def _secret(value: object, what: str) -> str:
    # The message names the argument, never its value.
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{what} must not be empty")
    return value


def _expires_in_ns(expires_in: float | None) -> int | None:
    if expires_in is None:
        return None
    if not is_number(expires_in):
        raise TypeError(f"expires_in must be a number of seconds, not {expires_in!r}")
    if math.isnan(expires_in) or math.isinf(expires_in) or expires_in < 0:
        raise ValueError(f"expires_in must be a finite number of seconds >= 0, not {expires_in}")
    if 0 < expires_in < MIN_EXPIRES_IN:
        raise ValueError(
            f"expires_in must be 0 (the server's maximum) or at least {MIN_EXPIRES_IN:g} "
            f"seconds, not {expires_in}"
        )
    return int(expires_in * 1_000_000_000)


# -- tokens -----------------------------------------------------------------------------


def login(username: str, password: str, expires_in: float | None = None) -> Request:
    """``POST /v1/users/{username}``: a new token; ``expires_in`` seconds (``None``: the
    server's default lifetime, 0: its maximum)."""
    body = {"password": _secret(password, "password"), "expires_in": _expires_in_ns(expires_in)}
    return Request("POST", (USERS, _name(username, "username")), body=SecretJsonBody.of(body))


def revoke_token(token: str) -> Request:
    """``DELETE /v1/tokens``: the server refuses the token from now on (and tells clusters)."""
    return Request("DELETE", (TOKENS,), body=SecretJsonBody.of({"token": _secret(token, "token")}))


# -- clusters ---------------------------------------------------------------------------


def list_clusters() -> Request:
    return Request("GET", (CLUSTERS,))


def get_cluster(cluster_id_or_alias: str) -> Request:
    return Request("GET", (CLUSTERS, _name(cluster_id_or_alias, "cluster id or alias")))


def cluster_smap(url: str) -> Request:
    """``GET {url}/v1/daemon?what=smap`` on a cluster's proxy: the map holds the cluster UUID."""
    return Request(
        "GET", ("daemon",), query=(("what", "smap"),), endpoint=_text(url, "cluster URL")
    )


def check_urls(urls: Sequence[str] | None, *, required: bool) -> list[str]:
    if urls is None or isinstance(urls, str):
        if urls is not None or required:
            raise TypeError("urls must be a list of proxy URLs (not a single str)")
        return []
    items = [_text(url, "each cluster URL") for url in urls]
    if required and not items:
        raise ValueError("urls must name at least one proxy URL")
    return items


def register_cluster(cluster_id: str, alias: str, urls: Sequence[str]) -> Request:
    body = {
        "id": _name(cluster_id, "cluster_id"),
        "alias": check_new_name(alias, "cluster_alias"),
        "urls": check_urls(urls, required=True),
    }
    return Request("POST", (CLUSTERS,), body=JsonBody.of(body))


def update_cluster(
    cluster_id: str, alias: str | None = None, urls: Sequence[str] | None = None
) -> Request:
    if alias is None and urls is None:
        raise ValueError("update needs a new cluster_alias or new urls")
    body: dict[str, Any] = {"id": _name(cluster_id, "cluster_id")}
    if alias is not None:
        body["alias"] = check_new_name(alias, "cluster_alias")
    if urls is not None:
        body["urls"] = check_urls(urls, required=True)
    return Request("PUT", (CLUSTERS, body["id"]), body=JsonBody.of(body))


def delete_cluster(cluster_id_or_alias: str) -> Request:
    return Request("DELETE", (CLUSTERS, _name(cluster_id_or_alias, "cluster id or alias")))


# -- roles ------------------------------------------------------------------------------


def list_roles() -> Request:
    return Request("GET", (ROLES,))


def get_role(name: str) -> Request:
    return Request("GET", (ROLES, _name(name, "role name")))


def _role(role: object) -> RoleInfo:
    if not isinstance(role, RoleInfo):
        raise TypeError(f"role must be a RoleInfo, not {type(role).__name__}")
    _name(role.name, "role name")
    return role


def create_role(role: RoleInfo) -> Request:
    check_new_name(_role(role).name, "role name")
    return Request("POST", (ROLES,), body=JsonBody.of(role_to_wire(role)))


def update_role(role: RoleInfo) -> Request:
    """``PUT /v1/roles/{name}``: the server merges ACLs by cluster or bucket, never removes."""
    role = _role(role)
    return Request("PUT", (ROLES, role.name), body=JsonBody.of(role_to_wire(role)))


def delete_role(name: str) -> Request:
    return Request("DELETE", (ROLES, _name(name, "role name")))


# -- users ------------------------------------------------------------------------------


def list_users() -> Request:
    return Request("GET", (USERS,))


def get_user(username: str) -> Request:
    return Request("GET", (USERS, _name(username, "username")))


def _roles(roles: Sequence[RoleInfo]) -> list[dict[str, Any]]:
    if isinstance(roles, str | RoleInfo):
        raise TypeError("roles must be a list of roles")
    return [role_to_wire(_role(role)) for role in roles]


def create_user(username: str, roles: Sequence[RoleInfo], password: str) -> Request:
    body = {
        "id": check_new_name(username, "username"),
        "pass": _secret(password, "password"),
        "roles": _roles(roles),
    }
    return Request("POST", (USERS,), body=SecretJsonBody.of(body))


def update_user(
    username: str, password: str | None = None, roles: Sequence[RoleInfo] | None = None
) -> Request:
    """``PUT /v1/users/{name}``: only the given fields change."""
    if password is None and roles is None:
        raise ValueError("update needs a new password or new roles")
    body: dict[str, Any] = {"id": _name(username, "username")}
    if password is not None:
        body["pass"] = _secret(password, "password")
    if roles is not None:
        body["roles"] = _roles(roles)
    return Request("PUT", (USERS, body["id"]), body=SecretJsonBody.of(body))


def delete_user(username: str) -> Request:
    return Request("DELETE", (USERS, _name(username, "username")))
