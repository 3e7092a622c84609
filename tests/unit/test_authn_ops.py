"""AuthN builders, permission flags, models and error mapping: pure, no network."""

from __future__ import annotations

import json

import pytest

from aisclient.authn import (
    AccessAttr,
    AuthNError,
    ErrAuthNAccessDenied,
    ErrAuthNTokenExpired,
    ErrAuthNTokenRevoked,
    ErrAuthNUnauthorized,
    ErrClusterAlreadyRegistered,
    ErrClusterNotFound,
    ErrRoleAlreadyExists,
    ErrRoleNotFound,
    ErrUserAlreadyExists,
    ErrUserInvalidCredentials,
    ErrUserNotFound,
    RoleInfo,
    ops,
)
from aisclient.authn.access import perm_string
from aisclient.authn.errors import authn_error_from_response
from aisclient.authn.models import (
    BucketModel,
    BucketPermission,
    ClusterPermission,
    NamespaceModel,
    decode_cluster_list,
    decode_roles,
    decode_user,
    decode_users,
    role_to_wire,
)
from aisclient.errors import (
    AISError,
    APIRequestError,
    ErrAccessDenied,
    ErrTokenExpired,
    ErrTokenRevoked,
    ErrUnauthorized,
    error_from_response,
)
from aisclient.request import render_url

JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJybyIsImV4cCI6MTc5NjQxMzk2Mn0."
    "NnQ0BOujil4hjHWXReoUk0jQ8H1PgkZgqn2CITPESOI"
)


# -- AccessAttr ---------------------------------------------------------------------------


def test_access_attr_values_are_the_servers() -> None:
    singles = {flag.name: int(flag) for flag in AccessAttr}
    assert singles == {
        "GET": 1, "OBJ_HEAD": 2, "PUT": 4, "APPEND": 8, "OBJ_DELETE": 16, "OBJ_MOVE": 32,
        "PROMOTE": 64, "OBJ_UPDATE": 128, "BCK_HEAD": 256, "OBJ_LIST": 512, "PATCH": 1024,
        "BCK_SET_ACL": 2048, "LIST_BUCKETS": 4096, "SHOW_CLUSTER": 8192,
        "CREATE_BUCKET": 16384, "DESTROY_BUCKET": 32768, "MOVE_BUCKET": 65536,
        "ADMIN": 131072,
    }  # fmt: skip
    assert AccessAttr.ACCESS_RO == 771
    assert AccessAttr.ACCESS_RW == 831
    assert AccessAttr.CLUSTER_ACCESS_RO == 12288
    assert AccessAttr.CLUSTER_ACCESS_RW == 126976
    assert AccessAttr.ACCESS_BUCKET_ADMIN == 3200
    assert AccessAttr.ACCESS_SU == 262143


def test_describe_names_single_flags_and_ignores_unknown_bits() -> None:
    assert AccessAttr.describe(771) == "GET,OBJ_HEAD,BCK_HEAD,OBJ_LIST"
    assert AccessAttr.describe("0") == ""
    everything = AccessAttr.describe(str(2**64 - 1))  # the server's "all access"
    assert everything.split(",") == [flag.name for flag in AccessAttr]


def test_perm_string_is_the_decimal_or() -> None:
    assert perm_string([AccessAttr.GET, AccessAttr.PUT]) == "5"
    assert perm_string(AccessAttr.ACCESS_RO) == "771"
    assert perm_string(()) == "0"
    with pytest.raises(TypeError, match="AccessAttr"):
        perm_string(["GET"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="64 bits"):
        perm_string(2**64)


# -- builders -----------------------------------------------------------------------------


def test_login_request() -> None:
    request = ops.login("alice", "s3cret", expires_in=3600)
    assert (request.method, request.path) == ("POST", ("users", "alice"))
    assert request.json == {"password": "s3cret", "expires_in": 3_600_000_000_000}
    assert ops.login("alice", "pw").json == {"password": "pw", "expires_in": None}
    assert ops.login("alice", "pw", 0).json["expires_in"] == 0  # the server's maximum
    assert render_url("http://authn:52001", request) == "http://authn:52001/v1/users/alice"
    assert not request.idempotent  # a login is never sent twice after a 5xx


def test_credentials_never_appear_in_a_request_repr() -> None:
    for request in (
        ops.login("alice", "s3cret-pw"),
        ops.revoke_token(JWT),
        ops.create_user("bob", [], "s3cret-pw"),
        ops.update_user("bob", password="s3cret-pw"),
    ):
        text = repr(request)
        assert "s3cret-pw" not in text and JWT not in text
        assert "SecretJsonBody(***)" in text


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (("", "pw"), ValueError, "username"),
        (("alice", ""), ValueError, "password"),
        (("alice", "   "), ValueError, "password"),
        (("alice", None), TypeError, "password"),
        (("alice", "pw", 30), ValueError, "at least 60"),
        (("alice", "pw", -1), ValueError, "expires_in"),
        (("alice", "pw", float("nan")), ValueError, "expires_in"),
        (("alice", "pw", "1h"), TypeError, "expires_in"),
        (("alice", "pw", True), TypeError, "expires_in"),
    ],
)
def test_login_rejects_bad_input(args: tuple[object, ...], error: type, match: str) -> None:
    with pytest.raises(error, match=match) as caught:
        ops.login(*args)  # type: ignore[arg-type]
    assert "pw" not in str(caught.value).replace("password", "")  # the value is not echoed


def test_token_requests() -> None:
    request = ops.revoke_token(JWT)
    assert (request.method, request.path, request.json) == ("DELETE", ("tokens",), {"token": JWT})
    with pytest.raises(ValueError, match="token"):
        ops.revoke_token("")


def test_cluster_requests() -> None:
    assert ops.list_clusters().path == ("clusters",)
    assert ops.get_cluster("c1").path == ("clusters", "c1")
    reg = ops.register_cluster("UUID1", "c1", ["http://127.0.0.1:8080"])
    assert (reg.method, reg.path) == ("POST", ("clusters",))
    assert reg.json == {"id": "UUID1", "alias": "c1", "urls": ["http://127.0.0.1:8080"]}
    upd = ops.update_cluster("UUID1", alias="c2")
    assert (upd.method, upd.path, upd.json) == (
        "PUT",
        ("clusters", "UUID1"),
        {"id": "UUID1", "alias": "c2"},
    )
    assert ops.update_cluster("UUID1", urls=["http://h:1"]).json == {
        "id": "UUID1",
        "urls": ["http://h:1"],
    }
    assert ops.delete_cluster("c1").method == "DELETE"
    smap = ops.cluster_smap("https://127.0.0.1:8080")
    assert render_url("http://authn:1", smap) == "https://127.0.0.1:8080/v1/daemon?what=smap"
    with pytest.raises(ValueError, match="at least one"):
        ops.register_cluster("UUID1", "c1", [])
    with pytest.raises(TypeError, match="list"):
        ops.register_cluster("UUID1", "c1", "http://h:1")
    with pytest.raises(ValueError, match="alias or new urls"):
        ops.update_cluster("UUID1")


ROLE = RoleInfo(
    "readers",
    "read only",
    clusters=[ClusterPermission("UUID1", "771")],
)


def test_role_requests_send_the_servers_json() -> None:
    create = ops.create_role(ROLE)
    assert (create.method, create.path) == ("POST", ("roles",))
    assert create.json == {
        "name": "readers",
        "desc": "read only",
        "clusters": [{"id": "UUID1", "perm": "771"}],
        "buckets": None,
        "admin": False,
    }
    bucket_role = RoleInfo(
        "b",
        "",
        buckets=[BucketPermission(BucketModel("data", namespace=NamespaceModel("UUID1")), "5")],
    )
    assert ops.update_role(bucket_role).json["buckets"] == [
        {
            "bck": {"name": "data", "provider": "ais", "namespace": {"uuid": "UUID1", "name": ""}},
            "perm": "5",
        }
    ]
    assert ops.update_role(bucket_role).path == ("roles", "b")
    assert ops.delete_role("b").path == ("roles", "b")
    with pytest.raises(TypeError, match="RoleInfo"):
        ops.create_role({"name": "x"})  # type: ignore[arg-type]


def test_user_requests() -> None:
    create = ops.create_user("bob", [ROLE], "pw1")
    assert create.json == {"id": "bob", "pass": "pw1", "roles": [role_to_wire(ROLE)]}
    assert ops.update_user("bob", roles=[]).json == {"id": "bob", "roles": []}
    assert ops.update_user("bob", password="pw2").json == {"id": "bob", "pass": "pw2"}
    with pytest.raises(ValueError, match="password or new roles"):
        ops.update_user("bob")
    with pytest.raises(TypeError, match="list of roles"):
        ops.create_user("bob", "readers", "pw")  # type: ignore[arg-type]


# -- models -------------------------------------------------------------------------------


def test_decode_what_the_server_sends() -> None:
    assert decode_cluster_list({}).clusters == {}
    clusters = decode_cluster_list(
        {"clusters": {"U": {"id": "U", "alias": "c1", "urls": ["http://h:1"], "extra": 1}}}
    )
    assert clusters.clusters["U"].urls == ("http://h:1",)
    roles = decode_roles(
        [
            {"name": "Admin", "desc": "AuthN administrator", "clusters": None, "buckets": None, "admin": True},  # noqa: E501
            {"name": "Guest-c1", "desc": "", "clusters": [{"id": "U", "perm": "771", "alias": "c1"}], "buckets": None, "admin": False},  # noqa: E501
        ]
    )  # fmt: skip
    assert roles[0].admin and roles[0].clusters is None
    assert roles[1].clusters == (ClusterPermission("U", "771", "c1"),)
    assert roles[1].clusters[0].describe() == "GET,OBJ_HEAD,BCK_HEAD,OBJ_LIST"
    user = decode_user({"id": "ro", "roles": None})
    assert user.roles == ()
    users = decode_users({"ro": {"id": "ro", "roles": [{"name": "Guest-c1", "desc": ""}]}})
    assert users["ro"].roles[0].name == "Guest-c1"


def test_role_round_trips_through_the_wire_form() -> None:
    assert decode_roles([role_to_wire(ROLE)]) == (ROLE,)


# -- errors -------------------------------------------------------------------------------


def _error(status: int, message: str) -> AuthNError:
    body = json.dumps({"message": message, "status": status}).encode()
    return authn_error_from_response(status, {}, body, url="http://authn:1/v1/x")


@pytest.mark.parametrize(
    ("status", "message", "cls"),
    [
        (401, "AuthN: failed to generate token for alice, err: invalid credentials", ErrUserInvalidCredentials),  # noqa: E501
        (401, "token required", ErrAuthNUnauthorized),
        (401, 'not authorized (invalid token: token revoked): "***"', ErrAuthNTokenRevoked),
        (401, "invalid token [err: token expired]", ErrAuthNTokenExpired),
        (403, "cannot delete admin", ErrAuthNAccessDenied),
        (404, 'user "bob" does not exist', ErrUserNotFound),
        (404, 'AuthN: failed to delete role zz, err: role "zz" does not exist', ErrRoleNotFound),
        (404, "AuthN: cluster zz does not exist", ErrClusterNotFound),
        (409, "AuthN: failed to add user bob, err: AuthN: user bob already exists", ErrUserAlreadyExists),  # noqa: E501
        (409, "role x already exists", ErrRoleAlreadyExists),
        (409, "cluster x already registered", ErrClusterAlreadyRegistered),
        (409, "failed to add user bob: role r missing", ErrUserAlreadyExists),  # last match wins
        (404, "nothing known", AuthNError),
        (500, "boom", AuthNError),
    ],
)  # fmt: skip
def test_error_classes(status: int, message: str, cls: type) -> None:
    err = _error(status, message)
    assert type(err) is cls
    assert isinstance(err, AuthNError) and isinstance(err, APIRequestError)
    assert isinstance(err, AISError)
    assert err.status_code == status and err.detail == message


def test_401_and_403_are_also_the_cluster_wide_classes() -> None:
    assert isinstance(_error(401, "token required"), ErrUnauthorized)
    assert isinstance(_error(401, "token revoked"), ErrTokenRevoked)
    assert isinstance(_error(401, "token expired"), ErrTokenExpired)
    assert isinstance(_error(401, "invalid credentials"), ErrUnauthorized)
    assert isinstance(_error(403, "no"), ErrAccessDenied)


def test_error_text_never_holds_a_token() -> None:
    err = _error(401, f'not authorized (invalid token: token revoked): "{JWT}"')
    for text in (str(err), err.message, err.detail, repr(err)):
        assert JWT not in text and "***" in text
    assert "token revoked" in str(err)


def test_error_mapping_is_total() -> None:
    for body in (b"", b"\xff\xfe", b"[1,2]", b'{"message": 5}', b"{" * 5000):
        err = authn_error_from_response(404, {}, body)
        assert isinstance(err, AuthNError)


@pytest.mark.parametrize("bad", ["-bob", "bob_", "a b", "bob.x", "x" * 33, "é"])
def test_new_names_follow_the_servers_rule(bad: str) -> None:
    with pytest.raises(ValueError, match="letters, digits"):
        ops.create_user(bad, [], "pw")
    with pytest.raises(ValueError, match="letters, digits"):
        ops.create_role(RoleInfo(bad))
    with pytest.raises(ValueError, match="letters, digits"):
        ops.register_cluster("UUID1", bad, ["http://h:1"])


def test_names_in_paths_stay_one_segment() -> None:
    assert ops.create_user("a-b_9", [], "pw").json["id"] == "a-b_9"
    assert ops.get_role("ClusterOwner-a-much-longer-alias-than-new-names").method == "GET"
    for build in (ops.get_user, ops.delete_user, ops.get_role, ops.delete_role, ops.get_cluster):
        with pytest.raises(ValueError, match="'/'"):
            build("a/b")
    with pytest.raises(ValueError, match="'/'"):
        ops.login("a/b", "pw")


@pytest.mark.parametrize(
    ("status", "message", "cls"),
    [
        (401, "token required", ErrUnauthorized),
        (401, "invalid token [err: token revoked]: ***", ErrTokenRevoked),
        (401, "invalid token [err: token expired]", ErrTokenExpired),
        (403, "user `ro` has insufficient permissions", ErrAccessDenied),
        (403, "direct target access denied", ErrAccessDenied),
    ],
)
def test_cluster_auth_errors_are_typed(status: int, message: str, cls: type) -> None:
    body = json.dumps({"message": message, "status": status}).encode()
    assert type(error_from_response(status, {}, body)) is cls
    # HEAD answers carry the error in a header instead of the body.
    head = error_from_response(status, {"Hdr-Error": body.decode()}, b"")
    assert type(head) is cls and head.detail == message
