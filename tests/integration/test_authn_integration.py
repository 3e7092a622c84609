"""AuthN end to end: a real AuthN server and an aisnode cluster that requires its tokens.

One cluster for the module (``RealCluster(auth=True)``: AuthN, proxy and target, the cluster
registered under ``CLUSTER_ALIAS``). Skipped without the binaries, except under CI.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from aisclient import Client
from aisclient.authn import (
    AccessAttr,
    AuthNClient,
    ErrAuthNAccessDenied,
    ErrAuthNTokenRevoked,
    ErrAuthNUnauthorized,
    ErrClusterNotFound,
    ErrRoleAlreadyExists,
    ErrUserAlreadyExists,
    ErrUserInvalidCredentials,
    ErrUserNotFound,
)
from aisclient.errors import ErrAccessDenied, ErrTokenRevoked, ErrUnauthorized
from aisclient.retry import RetryPolicy
from aisclient.testing.real import (
    CLEAN_EXIT_CODES,
    CLUSTER_ALIAS,
    RealCluster,
    aisnode_binary,
    authn_binary,
)

T = TypeVar("T")
QUICK = RetryPolicy(backoff_factor=0.05, network_wait_min=0.05, network_wait_max=0.2)
pytestmark = pytest.mark.real


@pytest.fixture(scope="module")
def cluster() -> Iterator[RealCluster]:
    missing = [
        name
        for name, find in (("aisnode", aisnode_binary), ("authn", authn_binary))
        if find() is None
    ]
    if missing:
        msg = f"no {' or '.join(missing)} binary (run `.ci/install-aisnode`)"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {msg}")
        pytest.skip(msg)
    started = RealCluster(auth=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # an unclean exit fails teardown
        with started:
            assert set(started.pids) == {"proxy", "target", "authn"}
            run_dir = started.run_dir
            yield started
    assert started.exit_codes.keys() == {"proxy", "target", "authn"}
    assert all(code in CLEAN_EXIT_CODES for code in started.exit_codes.values())
    assert not run_dir.exists() and not started.running


@pytest.fixture(autouse=True)
def no_token_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AIS_AUTHN_TOKEN", "AIS_AUTHN_TOKEN_FILE", "AIS_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def admin(cluster: RealCluster) -> Iterator[AuthNClient]:
    assert cluster.authn is not None
    with AuthNClient(cluster.authn_endpoint, retry=QUICK) as client:
        client.login(cluster.authn.admin_name, cluster.authn.admin_password)
        yield client


def _client(cluster: RealCluster, token: str | None) -> Client:
    return Client(cluster.endpoint, token=token, retry_config=QUICK, timeout=(3, 30), env={})


@pytest.fixture
def admin_client(cluster: RealCluster) -> Client:
    return _client(cluster, cluster.admin_token)


@pytest.fixture
def bucket(admin_client: Client) -> Iterator[Any]:
    bck = admin_client.bucket(f"auth-{uuid.uuid4().hex[:10]}").create()
    bck.object("hello.txt").get_writer().put_content(b"hello")
    yield bck
    bck.delete(missing_ok=True)


@pytest.fixture
def reader(admin: AuthNClient) -> Iterator[tuple[str, str]]:
    """A user holding a read-only role on the test cluster: (name, password)."""
    suffix = uuid.uuid4().hex[:8]
    role = f"readers-{suffix}"
    user, password = f"reader-{suffix}", f"pw-{uuid.uuid4().hex}"
    perms = [AccessAttr.ACCESS_RO, AccessAttr.LIST_BUCKETS]
    created = admin.role_manager().create(role, "read only", CLUSTER_ALIAS, perms)
    assert created.clusters is not None
    assert created.clusters[0].describe() == "GET,OBJ_HEAD,BCK_HEAD,OBJ_LIST,LIST_BUCKETS"
    info = admin.user_manager().create(user, [role], password)
    assert [r.name for r in info.roles] == [role]
    yield user, password
    admin.user_manager().delete(user, missing_ok=True)
    admin.role_manager().delete(role, missing_ok=True)


def _login(cluster: RealCluster, user: str, password: str) -> AuthNClient:
    client = AuthNClient(cluster.authn_endpoint, retry=QUICK)
    client.login(user, password)
    return client


def _eventually(check: Callable[[], T], what: str, timeout: float = 30.0) -> T:
    """``check()`` once it stops raising AssertionError (revocations spread in the background)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}") from None
            time.sleep(0.25)


def _refused_by_the_cluster(client: Client, bucket_name: str) -> ErrTokenRevoked:
    """The error once the cluster refuses ``client``'s token (revocations spread in the
    background, so the first reads may still pass)."""

    def refused() -> ErrTokenRevoked:
        try:
            client.bucket(bucket_name).object("hello.txt").get_reader().read_all()
        except ErrTokenRevoked as err:
            return err
        raise AssertionError("the revoked token still works")

    return _eventually(refused, "the cluster to refuse the revoked token")


def test_cluster_is_registered_under_its_alias(cluster: RealCluster, admin: AuthNClient) -> None:
    info = admin.cluster_manager().get(cluster_alias=CLUSTER_ALIAS)
    assert info.urls == (cluster.endpoint,)
    assert info.id in admin.cluster_manager().list().clusters
    assert admin.cluster_manager().get(cluster_id=info.id) == info
    roles = {role.name for role in admin.role_manager().list()}
    assert {"Admin", f"ClusterOwner-{CLUSTER_ALIAS}", f"Guest-{CLUSTER_ALIAS}"} <= roles


def test_no_token_is_unauthorized(cluster: RealCluster) -> None:
    with pytest.raises(ErrUnauthorized) as caught:
        _client(cluster, None).cluster().list_buckets()
    assert caught.value.status_code == 401
    assert "token required" in str(caught.value)


def test_admin_token_works(admin_client: Client, bucket: Any) -> None:
    assert bucket.object("hello.txt").get_reader().read_all() == b"hello"
    names = [b.name for b in admin_client.cluster().list_buckets()]
    assert bucket.name in names


def test_read_only_user_reads_but_cannot_write(
    cluster: RealCluster, bucket: Any, reader: tuple[str, str]
) -> None:
    with _login(cluster, *reader) as session:
        assert session.token and session.token != cluster.admin_token
        user_client = _client(cluster, session.token)
        own = user_client.bucket(bucket.name)
        assert own.object("hello.txt").get_reader().read_all() == b"hello"
        assert [e.name for e in own.list_all_objects()] == ["hello.txt"]
        with pytest.raises(ErrAccessDenied) as caught:
            own.object("new.txt").get_writer().put_content(b"nope")
        assert caught.value.status_code == 403
        assert "insufficient permissions" in str(caught.value)
        with pytest.raises(ErrAccessDenied):
            own.object("hello.txt").delete()
        with pytest.raises(ErrAccessDenied):
            user_client.bucket(f"nope-{uuid.uuid4().hex[:8]}").create()
        # A user may read its own record, not other users'.
        assert session.user_manager().get(reader[0]).id == reader[0]
        with pytest.raises(ErrAuthNUnauthorized):
            session.user_manager().list()
    assert bucket.object("hello.txt").get_reader().read_all() == b"hello"


def test_direct_reads_fall_back_to_the_proxy(admin_client: Client, bucket: Any) -> None:
    # Targets refuse direct access on a cluster that requires tokens.
    reader = bucket.object("hello.txt").get_reader(direct=True)
    assert reader.read_all() == b"hello"


def test_role_update_reaches_new_logins(
    cluster: RealCluster, admin: AuthNClient, bucket: Any, reader: tuple[str, str]
) -> None:
    role = admin.user_manager().get(reader[0]).roles[0].name
    admin.role_manager().update(role, desc="now read-write", cluster_alias=CLUSTER_ALIAS,
                                perms=[AccessAttr.ACCESS_RW, AccessAttr.LIST_BUCKETS])  # fmt: skip
    updated = admin.role_manager().get(role)
    assert updated.desc == "now read-write"
    assert updated.clusters is not None and updated.clusters[0].perm == str(
        int(AccessAttr.ACCESS_RW | AccessAttr.LIST_BUCKETS)
    )
    with _login(cluster, *reader) as session:  # the user's copy of the role was updated too
        _client(cluster, session.token).bucket(bucket.name).object(
            "rw.txt"
        ).get_writer().put_content(b"rw")
    assert bucket.object("rw.txt").get_reader().read_all() == b"rw"


def test_bucket_scoped_role(cluster: RealCluster, admin: AuthNClient, bucket: Any) -> None:
    suffix = uuid.uuid4().hex[:8]
    role, user, password = f"bkt-{suffix}", f"bkt-user-{suffix}", f"pw-{suffix}"
    admin.role_manager().create(
        role, "one bucket", CLUSTER_ALIAS, AccessAttr.ACCESS_RO, bucket_name=bucket.name
    )
    try:
        admin.user_manager().create(user, [role], password)
        with _login(cluster, user, password) as session:
            client = _client(cluster, session.token)
            assert (
                client.bucket(bucket.name).object("hello.txt").get_reader().read_all() == b"hello"
            )
            with pytest.raises(ErrAccessDenied):
                client.bucket(bucket.name).object("x").get_writer().put_content(b"x")
    finally:
        admin.user_manager().delete(user, missing_ok=True)
        admin.role_manager().delete(role, missing_ok=True)


def test_typed_authn_errors(
    cluster: RealCluster, admin: AuthNClient, reader: tuple[str, str]
) -> None:
    user, password = reader
    with pytest.raises(ErrUserInvalidCredentials) as caught:
        AuthNClient(cluster.authn_endpoint).login(user, "wrong-password")
    assert "wrong-password" not in str(caught.value)
    with pytest.raises(ErrUserInvalidCredentials):
        AuthNClient(cluster.authn_endpoint).login(f"nobody-{uuid.uuid4().hex}", password)
    role = admin.user_manager().get(user).roles[0].name
    with pytest.raises(ErrUserAlreadyExists):
        admin.user_manager().create(user, [role], "another-pw")
    with pytest.raises(ErrRoleAlreadyExists):
        admin.role_manager().create(role, "again", CLUSTER_ALIAS, AccessAttr.GET)
    with pytest.raises(ErrUserNotFound):
        admin.user_manager().get(f"nobody-{uuid.uuid4().hex}")
    with pytest.raises(ErrClusterNotFound):
        admin.cluster_manager().get(cluster_alias=f"nowhere-{uuid.uuid4().hex[:6]}")
    with pytest.raises(ErrAuthNAccessDenied):
        admin.user_manager().delete("admin")
    with pytest.raises(ErrAuthNUnauthorized):  # admin operations need an admin's token
        AuthNClient(cluster.authn_endpoint).user_manager().list()


def test_user_update_password(
    cluster: RealCluster, admin: AuthNClient, reader: tuple[str, str]
) -> None:
    user, old = reader
    new = f"pw-{uuid.uuid4().hex}"
    admin.user_manager().update(user, password=new)
    with pytest.raises(ErrUserInvalidCredentials):
        AuthNClient(cluster.authn_endpoint).login(user, old)
    with _login(cluster, user, new) as session:
        assert session.token


def test_cluster_alias_update(admin: AuthNClient, cluster: RealCluster) -> None:
    info = admin.cluster_manager().get(cluster_alias=CLUSTER_ALIAS)
    renamed = f"{CLUSTER_ALIAS}-renamed"
    try:
        assert admin.cluster_manager().update(info.id, cluster_alias=renamed).alias == renamed
        assert admin.cluster_manager().get(cluster_alias=renamed).id == info.id
    finally:
        assert (
            admin.cluster_manager().update(info.id, cluster_alias=CLUSTER_ALIAS).alias
            == CLUSTER_ALIAS
        )
    with pytest.raises(ErrClusterNotFound):
        admin.cluster_manager().delete(cluster_alias=f"nowhere-{uuid.uuid4().hex[:6]}")


def test_revoked_token_is_refused_with_a_clear_error(
    cluster: RealCluster, bucket: Any, reader: tuple[str, str]
) -> None:
    session = _login(cluster, *reader)
    token = session.token
    assert token is not None
    user_client = _client(cluster, token)
    assert user_client.bucket(bucket.name).object("hello.txt").get_reader().read_all() == b"hello"
    AuthNClient(cluster.authn_endpoint).token_manager().revoke(token)
    err = _refused_by_the_cluster(user_client, bucket.name)
    assert err.status_code == 401 and "token revoked" in str(err)
    assert token not in str(err) and token not in err.message and token not in repr(err)
    with pytest.raises(ErrTokenRevoked) as caught:  # AuthN refuses it too, saying why
        session.user_manager().get(reader[0])
    assert isinstance(caught.value, ErrAuthNUnauthorized)
    assert token not in str(caught.value)


def test_logout_revokes_the_session_token(
    cluster: RealCluster, bucket: Any, reader: tuple[str, str]
) -> None:
    session = _login(cluster, *reader)
    token = session.token
    assert token is not None
    session.logout()
    assert session.token is None
    with pytest.raises(ValueError, match="not logged in"):
        session.logout()
    with pytest.raises(ErrAuthNTokenRevoked):
        AuthNClient(cluster.authn_endpoint, token=token).user_manager().get(reader[0])
    _refused_by_the_cluster(_client(cluster, token), bucket.name)


def test_token_file_rotated_mid_run_is_picked_up(
    cluster: RealCluster,
    bucket: Any,
    reader: tuple[str, str],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    user, password = reader
    first = _login(cluster, user, password)
    token_file = tmp_path / "auth.token"
    # The format AIS tools write and read: {"token": "<jwt>"}.
    token_file.write_text(json.dumps({"token": first.token}))
    client = Client(cluster.endpoint, token_file=token_file, retry_config=QUICK, env={})
    obj = client.bucket(bucket.name).object("hello.txt")
    assert obj.get_reader().read_all() == b"hello"

    old_token = first.token
    first.logout()
    _refused_by_the_cluster(_client(cluster, old_token), bucket.name)
    # A token is a pure function of its claims, whose times are in seconds: a second login within
    # the same second would give the revoked token again. A different lifetime differs.
    second = AuthNClient(cluster.authn_endpoint, retry=QUICK)
    second.login(user, password, expires_in=3600)  # the server default is 2 h
    token_file.write_text(json.dumps({"token": second.token}))  # rotated, as a sidecar would
    # The client notices the new file before its next request: no restart, no error.
    assert obj.get_reader().read_all() == b"hello"

    # A rotation that the file's size and time do not show is found after the server's 401.
    before = token_file.stat()
    third = AuthNClient(cluster.authn_endpoint, retry=QUICK)
    third.login(user, password, expires_in=5400)
    second_token = second.token
    second.logout()
    _refused_by_the_cluster(_client(cluster, second_token), bucket.name)
    token_file.write_text(json.dumps({"token": third.token}))
    os.utime(token_file, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert token_file.stat().st_size == before.st_size  # same claims' shape, same length
    caplog.set_level(logging.INFO, logger="aisclient")
    assert obj.get_reader().read_all() == b"hello"
    assert "answered 401; resending with a new token" in caplog.text
    assert str(third.token) not in caplog.text
