"""AuthNClient and its managers against a scripted transport: what is sent, what comes back."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from aisclient.authn import (
    AccessAttr,
    AuthNClient,
    ErrRoleNotFound,
    ErrUserInvalidCredentials,
    ErrUserNotFound,
)
from aisclient.errors import ErrAccessDenied, UnexpectedResponseError
from aisclient.request import Request
from aisclient.transport import BytesResponse, MockTransport, Response

ENDPOINT = "http://authn.invalid:52001"
UUID = "clu-UUID"


class Server:
    """Canned AuthN answers, keyed by (method, path); records every request with the token the
    client held when it was sent."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, tuple[str, ...]], Callable[[Request], Response]] = {}
        self.sent: list[tuple[Request, str | None]] = []
        self.client: AuthNClient | None = None

    def on(self, method: str, *path: str, status: int = 200, body: object = b"") -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.routes[(method, path)] = lambda _: BytesResponse(status, data)

    def handle(self, request: Request) -> Response:
        assert self.client is not None
        self.sent.append((request, self.client.config.token))
        route = self.routes.get((request.method, request.path))
        if route is None:
            return BytesResponse(404, json.dumps({"message": "no route"}).encode())
        return route(request)

    def connect(self, client: AuthNClient) -> AuthNClient:
        self.client = client
        return client

    def transport(self) -> MockTransport:
        return MockTransport(self.handle, base_url=ENDPOINT)

    def calls(self) -> list[tuple[str, tuple[str, ...]]]:
        return [(r.method, r.path) for r, _ in self.sent]


@pytest.fixture
def server() -> Server:
    return Server()


@pytest.fixture
def authn(server: Server) -> AuthNClient:
    return server.connect(AuthNClient(ENDPOINT, transport=server.transport(), env={}))


def test_login_keeps_the_token_and_sends_it_afterwards(server: Server, authn: AuthNClient) -> None:
    server.on("POST", "users", "admin", body={"token": "tok-1"})
    server.on("GET", "roles", body=[])
    assert authn.token is None
    assert authn.login("admin", "pw", expires_in=120) == "tok-1"
    assert authn.token == "tok-1"
    authn.role_manager().list()
    (login, token_at_login), (_, token_after) = server.sent
    assert login.json == {"password": "pw", "expires_in": 120_000_000_000}
    assert token_at_login is None and token_after == "tok-1"
    assert "tok-1" not in repr(authn) and "***" in repr(authn)


def test_logout_revokes_then_forgets(server: Server, authn: AuthNClient) -> None:
    server.on("POST", "users", "admin", body={"token": "tok-1"})
    server.on("DELETE", "tokens")
    with pytest.raises(ValueError, match="not logged in"):
        authn.logout()
    assert server.sent == []
    authn.login("admin", "pw")
    authn.logout()
    revoke, _ = server.sent[-1]
    assert (revoke.method, revoke.path, revoke.json) == ("DELETE", ("tokens",), {"token": "tok-1"})
    assert authn.token is None


def test_wrong_password_is_typed_and_leaves_no_secret(
    server: Server, authn: AuthNClient, caplog: pytest.LogCaptureFixture
) -> None:
    server.on(
        "POST", "users", "alice", status=401,
        body={"message": "AuthN: failed to generate token for alice, err: invalid credentials"},
    )  # fmt: skip
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ErrUserInvalidCredentials) as caught:
        authn.login("alice", "hunter2-secret")
    assert authn.token is None
    err = caught.value
    for text in (str(err), repr(err), repr(err.req), caplog.text):
        assert "hunter2-secret" not in text


def test_endpoint_comes_from_the_argument_or_ais_authn_url(server: Server, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("cluster-token")
    env = {"AIS_AUTHN_URL": "http://from-env:1", "AIS_ENDPOINT": "http://cluster:2",
           "AIS_AUTHN_TOKEN": "cluster-token", "AIS_AUTHN_TOKEN_FILE": str(token_file),
           "AIS_SKIP_VERIFY_CRT": "true"}  # fmt: skip
    client = AuthNClient(transport=server.transport(), env=env)
    assert client.endpoint == "http://from-env:1"
    assert client.token is None  # the cluster's token is not the AuthN server's
    assert client.config.tls.skip_verify  # TLS settings follow the usual rules
    given = AuthNClient("http://arg:3", env=env, transport=server.transport())
    assert given.endpoint == "http://arg:3"
    with pytest.raises(ValueError, match="AIS_AUTHN_URL"):
        AuthNClient(env={"AIS_ENDPOINT": "http://cluster:2"})


def test_a_new_token_is_sent_from_the_next_request_on(server: Server) -> None:
    client = server.connect(
        AuthNClient(ENDPOINT, token="given", transport=server.transport(), env={})
    )
    server.on("GET", "roles", body=[])
    client.role_manager().list()
    client.token = "other"
    client.role_manager().list()
    client.token = None
    client.role_manager().list()
    assert [token for _, token in server.sent] == ["given", "other", None]
    assert "given" not in repr(client.config) and "other" not in repr(client.config)
    with pytest.raises(TypeError):
        client.token = 5  # type: ignore[assignment]


def test_retries_follow_the_policy(server: Server) -> None:
    from aisclient.clock import FakeClock
    from aisclient.retry import RetryPolicy

    attempts: list[str] = []

    def flaky(request: Request) -> Response:
        attempts.append(request.method)
        status = 503 if len(attempts) < 3 else 200
        return BytesResponse(status, b"[]")

    fake = FakeClock()
    policy = RetryPolicy(backoff_factor=0.01)
    client = AuthNClient(
        ENDPOINT, transport=MockTransport(flaky), retry=policy, env={}, clock=fake.clock
    )
    assert client.role_manager().list() == ()
    assert attempts == ["GET", "GET", "GET"]
    assert len(fake.sleeps) == 2


def test_cluster_register_reads_the_uuid_from_the_cluster_map(
    server: Server, authn: AuthNClient
) -> None:
    server.on("GET", "daemon", body={"uuid": UUID, "tmap": {}})
    server.on("POST", "clusters")
    server.on(
        "GET",
        "clusters",
        UUID,
        body={"clusters": {UUID: {"id": UUID, "alias": "c1", "urls": ["http://p:1"]}}},
    )
    info = authn.cluster_manager().register("c1", ["http://p:1"])
    assert (info.id, info.alias, info.urls) == (UUID, "c1", ("http://p:1",))
    smap, post, _ = (r for r, _ in server.sent)
    assert smap.endpoint == "http://p:1" and smap.query == (("what", "smap"),)
    assert post.json == {"id": UUID, "alias": "c1", "urls": ["http://p:1"]}


def test_cluster_map_errors_are_ais_errors(server: Server, authn: AuthNClient) -> None:
    server.on("GET", "daemon", status=403, body={"message": "insufficient permissions"})
    with pytest.raises(ErrAccessDenied):
        authn.cluster_manager().register("c1", ["http://p:1"])
    assert server.calls() == [("GET", ("daemon",))]


def test_cluster_get_needs_an_id_or_alias(server: Server, authn: AuthNClient) -> None:
    with pytest.raises(ValueError, match="cluster_id or a cluster_alias"):
        authn.cluster_manager().get()
    server.on("GET", "clusters", "c1", body={"clusters": {}})
    with pytest.raises(UnexpectedResponseError, match="with none"):
        authn.cluster_manager().get(cluster_alias="c1")


def test_role_create_looks_up_the_cluster_and_rereads_the_role(
    server: Server, authn: AuthNClient
) -> None:
    server.on("GET", "clusters", "c1", body={"clusters": {UUID: {"id": UUID, "alias": "c1"}}})
    server.on("POST", "roles")
    server.on(
        "GET",
        "roles",
        "ro",
        body={"name": "ro", "desc": "d", "clusters": [{"id": UUID, "perm": "771"}]},
    )
    role = authn.role_manager().create("ro", "d", "c1", [AccessAttr.GET, AccessAttr.OBJ_HEAD])
    assert role.clusters is not None and role.clusters[0].perm == "771"
    post = server.sent[1][0]
    assert post.json["clusters"] == [{"id": UUID, "perm": "3"}] and post.json["buckets"] is None
    authn.role_manager().create("ro", "d", "c1", AccessAttr.ACCESS_RO, bucket_name="data")
    bucket_post = server.sent[4][0]
    assert bucket_post.json["clusters"] is None
    assert bucket_post.json["buckets"][0]["bck"] == {
        "name": "data", "provider": "ais", "namespace": {"uuid": UUID, "name": ""}
    }  # fmt: skip


def test_role_update_checks_arguments_before_sending(server: Server, authn: AuthNClient) -> None:
    manager = authn.role_manager()
    for kwargs in ({}, {"perms": AccessAttr.GET}, {"cluster_alias": "c1"}, {"bucket_name": "b"}):
        with pytest.raises(ValueError):
            manager.update("ro", **kwargs)  # type: ignore[arg-type]
    assert server.sent == []


def test_role_update_replaces_the_acl_and_keeps_the_rest(
    server: Server, authn: AuthNClient
) -> None:
    server.on(
        "GET",
        "roles",
        "ro",
        body={"name": "ro", "desc": "old", "clusters": [{"id": UUID, "perm": "771"}]},
    )
    server.on("PUT", "roles", "ro")
    authn.role_manager().update("ro", desc="new")
    put = server.sent[-1][0]
    assert put.json == {"name": "ro", "desc": "new", "clusters": [{"id": UUID, "perm": "771"}], "buckets": None, "admin": False}  # fmt: skip  # noqa: E501


def test_delete_missing_ok(server: Server, authn: AuthNClient) -> None:
    server.on("DELETE", "roles", "gone", status=404, body={"message": 'role "gone" does not exist'})
    server.on("DELETE", "users", "gone", status=404, body={"message": 'user "gone" does not exist'})
    authn.role_manager().delete("gone", missing_ok=True)
    authn.user_manager().delete("gone", missing_ok=True)
    with pytest.raises(ErrRoleNotFound):
        authn.role_manager().delete("gone")
    with pytest.raises(ErrUserNotFound):
        authn.user_manager().delete("gone")


def test_user_create_resolves_role_names_first(server: Server, authn: AuthNClient) -> None:
    server.on("GET", "roles", "ro", body={"name": "ro", "desc": ""})
    server.on("POST", "users")
    server.on("GET", "users", "bob", body={"id": "bob", "roles": [{"name": "ro", "desc": ""}]})
    user = authn.user_manager().create("bob", ["ro"], "pw")
    assert [r.name for r in user.roles] == ["ro"]
    assert server.sent[1][0].json == {"id": "bob", "pass": "pw", "roles": [{"name": "ro", "desc": "", "clusters": None, "buckets": None, "admin": False}]}  # fmt: skip  # noqa: E501
    server.on(
        "GET", "roles", "missing", status=404, body={"message": 'role "missing" does not exist'}
    )
    with pytest.raises(ErrRoleNotFound):  # the server would drop the name silently
        authn.user_manager().create("eve", ["missing"], "pw")
    assert ("POST", ("users",)) not in server.calls()[3:]
    with pytest.raises(ValueError, match="password"):
        authn.user_manager().create("eve", ["ro"], "")
    assert server.calls()[-1] == ("GET", ("roles", "missing"))  # nothing sent for the bad one


def test_user_update_and_list(server: Server, authn: AuthNClient) -> None:
    server.on("PUT", "users", "bob")
    server.on("GET", "users", "bob", body={"id": "bob", "roles": None})
    server.on(
        "GET",
        "users",
        body={"bob": {"id": "bob", "roles": None}, "admin": {"id": "admin", "roles": []}},
    )
    assert authn.user_manager().update("bob", password="pw2").roles == ()
    assert server.sent[0][0].json == {"id": "bob", "pass": "pw2"}
    assert sorted(authn.user_manager().list()) == ["admin", "bob"]
    with pytest.raises(ValueError):
        authn.user_manager().update("bob")


def test_token_manager_revokes_any_token(server: Server, authn: AuthNClient) -> None:
    server.on("DELETE", "tokens")
    authn.token_manager().revoke("other-token")
    assert server.sent[0][0].json == {"token": "other-token"}


def test_unexpected_answers_are_ais_errors(server: Server, authn: AuthNClient) -> None:
    server.on("POST", "users", "admin", body=b"not json")
    with pytest.raises(UnexpectedResponseError):
        authn.login("admin", "pw")
    server.on("POST", "users", "admin", body={"nope": 1})
    with pytest.raises(UnexpectedResponseError, match="without a token"):
        authn.login("admin", "pw")
    server.on("GET", "roles", body={"not": "a list"})
    with pytest.raises(UnexpectedResponseError, match="RoleInfo"):
        authn.role_manager().list()
    server.on("GET", "users", "bob", body=["not", "a", "user"])
    with pytest.raises(UnexpectedResponseError, match="user 'bob'"):
        authn.user_manager().get("bob")


def test_bad_names_fail_before_anything_is_sent(server: Server, authn: AuthNClient) -> None:
    with pytest.raises(ValueError, match="cluster_alias"):
        authn.cluster_manager().register("-bad", ["http://p:1"])
    with pytest.raises(ValueError, match="role name"):
        authn.role_manager().create("bad name", "", "c1", AccessAttr.GET)
    with pytest.raises(TypeError, match="AccessAttr"):
        authn.role_manager().create("good", "", "c1", ["GET"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="username"):
        authn.user_manager().create("bad/name", ["ro"], "pw")
    assert server.sent == []
