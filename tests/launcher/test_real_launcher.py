"""Tests for the real-aisnode launcher (aisclient.testing.real).

The unit tests need nothing.  The integration tests start one real cluster for the
whole module; they are skipped when no ``aisnode`` binary is found, except under CI
(env ``CI`` set), where a missing binary is a failure.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import urllib3

from aisclient.testing import real
from aisclient.testing.real import (
    CLEAN_EXIT_CODES,
    AisnodeInstallError,
    AisnodeNotFoundError,
    ClusterPorts,
    NodePorts,
    RealCluster,
)

PORTS = ClusterPorts(proxy=NodePorts(51080, 51180, 51280), target=NodePorts(51081, 51181, 51281))


def _load(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


# --------------------------------------------------------------------------------------
# Unit tests: ports and configuration files
# --------------------------------------------------------------------------------------


def test_allocate_ports_gives_six_distinct_valid_ports() -> None:
    ports = real.allocate_ports()
    assert len(set(ports.all())) == 6
    assert all(1 <= p <= 65535 for p in ports.all())


def test_write_configs_layout(tmp_path: Path) -> None:
    paths = real.write_configs(tmp_path, PORTS)
    for f in (paths.cluster, paths.proxy_local, paths.target_local):
        assert f.is_file()
        _load(f)  # valid JSON
    assert paths.data_root.is_dir()
    proxy, target = _load(paths.proxy_local), _load(paths.target_local)
    # confdir must exist up front (the proxy does not create it) and is per node.
    assert Path(proxy["confdir"]).is_dir() and Path(target["confdir"]).is_dir()
    assert proxy["confdir"] != target["confdir"]
    assert proxy["log_dir"] != target["log_dir"]
    assert Path(proxy["log_dir"]) == paths.proxy_log_dir
    assert Path(target["log_dir"]) == paths.target_log_dir
    for doc in (proxy, target):
        for key in ("confdir", "log_dir"):
            assert Path(doc[key]).is_relative_to(tmp_path.resolve())


def test_write_configs_ports_distinct_and_strings(tmp_path: Path) -> None:
    paths = real.write_configs(tmp_path, PORTS)
    seen: list[int] = []
    for f, node in ((paths.proxy_local, PORTS.proxy), (paths.target_local, PORTS.target)):
        net = _load(f)["host_net"]
        for key in ("port", "port_intra_control", "port_intra_data"):
            assert isinstance(net[key], str)
        got = (int(net["port"]), int(net["port_intra_control"]), int(net["port_intra_data"]))
        assert got == node.all()
        assert net["hostname"] == net["hostname_intra_control"] == "127.0.0.1"
        assert net["hostname_intra_data"] == "127.0.0.1"
        seen += got
    assert len(set(seen)) == 6


def test_cluster_config_primary_url_is_proxy_public_url(tmp_path: Path) -> None:
    paths = real.write_configs(tmp_path, PORTS)
    cfg = _load(paths.cluster)
    assert cfg["proxy"]["primary_url"] == "http://127.0.0.1:51080"
    assert cfg["proxy"]["original_url"] == cfg["proxy"]["primary_url"]


def test_cluster_config_respects_server_rules() -> None:
    cfg = real.cluster_config(PORTS)
    assert cfg["net"]["l4"]["proto"] == "tcp"
    assert cfg["net"]["http"]["use_https"] is False
    assert "distributed_sort" in cfg  # built with -tags dsort
    sp = cfg["space"]
    assert 0 < sp["cleanupwm"] <= sp["lowwm"] <= sp["highwm"] <= sp["out_of_space"] <= 100
    assert sp["out_of_space"] > 95  # raised above the default
    to = cfg["timeout"]
    assert to["startup_time"] == "30s"
    assert to["max_keepalive"] == "4s" and to["cplane_operation"] == "2s"
    for section in ("backend", "memsys", "auth"):
        assert cfg[section] == {}


def test_test_fspaths(tmp_path: Path) -> None:
    paths = real.write_configs(tmp_path, PORTS, mountpaths=3)
    for f in (paths.proxy_local, paths.target_local):
        tfs = _load(f)["test_fspaths"]
        assert tfs == {"root": str(paths.data_root), "count": 3, "instance": 0}
    assert _load(paths.target_local)["fspaths"] == {}


def test_write_configs_rejects_bad_input(tmp_path: Path) -> None:
    dup = ClusterPorts(proxy=NodePorts(1, 2, 3), target=NodePorts(4, 5, 1))
    with pytest.raises(ValueError, match="differ"):
        real.write_configs(tmp_path, dup)
    with pytest.raises(ValueError, match="mountpaths"):
        real.write_configs(tmp_path, PORTS, mountpaths=0)


def test_child_environment_drops_kubernetes_and_node_vars() -> None:
    env = real.child_environment(
        {
            "PATH": "/bin",
            "KUBERNETES_SERVICE_HOST": "10.0.0.1",
            "KUBERNETES_SERVICE_PORT": "443",
            "AIS_PRIMARY_EP": "http://elsewhere:1",
            "MY_POD": "x",
            "AIS_ENDPOINT": "http://127.0.0.1:1",
        }
    )
    assert env == {"PATH": "/bin", "AIS_ENDPOINT": "http://127.0.0.1:1"}


# --------------------------------------------------------------------------------------
# Unit tests: binary lookup
# --------------------------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.delenv("AISNODE_BIN", raising=False)
    monkeypatch.delenv("AIS_SERVER_VERSION", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_cached_binary_path(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert real.cached_binary_path() == clean_env / "aisclient/aisnode/v1.5.0-dsort/aisnode"
    monkeypatch.setenv("AIS_SERVER_VERSION", "v1.5.1")
    assert real.server_version() == "v1.5.1"
    assert real.cached_binary_path(tags=()).parent.name == "v1.5.1-notags"


def test_aisnode_binary_prefers_env_then_cache(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert real.aisnode_binary() is None
    cached = real.cached_binary_path()
    cached.parent.mkdir(parents=True)
    cached.write_text("#!/bin/sh\n")
    cached.chmod(0o755)
    assert real.aisnode_binary() == cached

    exe = tmp_path / "my-aisnode"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    monkeypatch.setenv("AISNODE_BIN", str(exe))
    assert real.aisnode_binary() == exe

    exe.chmod(0o644)  # not executable: warn and fall back to the cache
    with pytest.warns(RuntimeWarning, match="AISNODE_BIN"):
        assert real.aisnode_binary() == cached


def test_install_without_go_is_a_clear_error(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(AisnodeInstallError, match="Go toolchain"):
        real.aisnode_binary(install=True)
    with pytest.raises(AisnodeNotFoundError):
        RealCluster()


def test_cli_path_reports_missing_binary(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert real.main(["path"]) == 1
    assert "not found" in capsys.readouterr().err


# --------------------------------------------------------------------------------------
# Unit tests: stopping processes
# --------------------------------------------------------------------------------------


def _sleeper(ignore_term: bool) -> subprocess.Popen[bytes]:
    code = "import signal, sys, time\n"
    if ignore_term:
        code += "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    code += "sys.stdout.write('ok\\n'); sys.stdout.flush(); time.sleep(60)\n"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"ok\n"  # handler installed
    proc.stdout.close()
    return proc


def test_stop_process_sigterm_is_clean() -> None:
    proc = _sleeper(ignore_term=False)
    assert real.stop_process(proc, timeout=5) == -signal.SIGTERM
    assert -signal.SIGTERM in CLEAN_EXIT_CODES
    assert {0, 130, 143} <= CLEAN_EXIT_CODES


def test_stop_process_escalates_to_sigkill() -> None:
    proc = _sleeper(ignore_term=True)
    rc = real.stop_process(proc, timeout=0.5)
    assert rc == -signal.SIGKILL
    assert rc not in CLEAN_EXIT_CODES
    assert real.stop_process(proc) == rc  # already gone: no error


# --------------------------------------------------------------------------------------
# Integration: one real cluster for the module
# --------------------------------------------------------------------------------------


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="module")
def cluster() -> Iterator[RealCluster]:
    binary = real.aisnode_binary()
    if binary is None:
        msg = (
            "no aisnode binary (set AISNODE_BIN or run `.ci/install-aisnode`; "
            f"expected at {real.cached_binary_path()})"
        )
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {msg}")
        pytest.skip(msg)
    c = RealCluster(binary)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # an unclean exit fails teardown
        with c:
            pids = list(c.pids.values())
            run_dir = c.run_dir
            yield c
    # After the context exits: both processes are gone and the run dir is deleted.
    assert c.exit_codes.keys() == {"proxy", "target"}
    assert all(code in CLEAN_EXIT_CODES for code in c.exit_codes.values()), c.exit_codes
    assert not any(_pid_alive(pid) for pid in pids)
    assert not run_dir.exists()
    assert not c.running


@pytest.fixture(scope="module")
def http() -> urllib3.PoolManager:
    return urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(total=10))


@pytest.mark.real
def test_cluster_attributes(cluster: RealCluster) -> None:
    assert cluster.running
    assert cluster.endpoint == cluster.proxy_url
    assert cluster.endpoint.startswith("http://127.0.0.1:")
    assert cluster.target_url.startswith("http://127.0.0.1:")
    assert cluster.target_url != cluster.proxy_url
    assert cluster.run_dir.is_dir()
    assert cluster.startup_seconds is not None and cluster.startup_seconds < 90


@pytest.mark.real
def test_health(cluster: RealCluster, http: urllib3.PoolManager) -> None:
    assert http.request("GET", f"{cluster.endpoint}/v1/health").status == 200
    assert http.request("GET", f"{cluster.endpoint}/v1/health?prr=true").status == 200
    assert http.request("GET", f"{cluster.target_url}/v1/health").status == 200


@pytest.mark.real
def test_smap_has_one_loopback_target(cluster: RealCluster, http: urllib3.PoolManager) -> None:
    resp = http.request("GET", f"{cluster.endpoint}/v1/daemon?what=smap")
    assert resp.status == 200
    smap = json.loads(resp.data)
    assert len(smap["tmap"]) == 1
    (target,) = smap["tmap"].values()
    assert target["public_net"]["node_ip_addr"] == "127.0.0.1"
    assert target["public_net"]["direct_url"] == cluster.target_url
    assert len(smap["pmap"]) == 1
    assert smap["proxy_si"]["public_net"]["direct_url"] == cluster.endpoint


@pytest.mark.real
def test_real_cluster_satisfies_the_protocol(cluster: RealCluster) -> None:
    from aisclient.testing import ClusterLike

    assert isinstance(cluster, ClusterLike)


@pytest.mark.real
def test_log_tail_names_both_logs(cluster: RealCluster) -> None:
    tail = cluster.log_tail(5)
    assert "aisproxy.INFO" in tail and "aistarget.INFO" in tail


# --------------------------------------------------------------------------------------
# Unit tests: secured clusters (AuthN, TLS), the run directory, the cluster protocol
# --------------------------------------------------------------------------------------


def test_cluster_config_with_auth_requires_tokens_signed_by_the_secret() -> None:
    cfg = real.cluster_config(PORTS, auth=real.ClusterAuth("the-secret"))
    assert cfg["auth"] == {
        "signature": {"key": "the-secret", "method": "HS256"},
        "client_auth_required": True,
    }
    assert "the-secret" not in repr(real.ClusterAuth("the-secret"))


def test_cluster_config_with_tls(tmp_path: Path) -> None:
    tls = real.ServerTls(tmp_path / "s.pem", tmp_path / "s.key", tmp_path / "ca.pem")
    cfg = real.cluster_config(PORTS, tls=tls)
    http = cfg["net"]["http"]
    assert http["use_https"] is True
    assert (http["server_crt"], http["server_key"]) == (str(tls.server_crt), str(tls.server_key))
    assert http["client_ca_tls"] == str(tls.ca_cert)  # nodes verify each other with it
    assert "client_auth_tls" not in http
    assert cfg["proxy"]["primary_url"] == "https://127.0.0.1:51080"  # the scheme must match
    mtls = real.cluster_config(PORTS, tls=dataclasses.replace(tls, require_client_cert=True))
    assert mtls["net"]["http"]["client_auth_tls"] == 4  # require and verify


def test_authn_config(tmp_path: Path) -> None:
    doc = real.authn_config(52011, secret="s", log_dir=tmp_path / "logs")
    assert doc["net"]["http"] == {"port": 52011, "use_https": False}
    tls = real.ServerTls(tmp_path / "s.pem", tmp_path / "s.key", tmp_path / "ca.pem")
    https = real.authn_config(52011, secret="s", log_dir=tmp_path, tls=tls)["net"]["http"]
    assert https == {
        "port": 52011,
        "use_https": True,
        "server_crt": str(tls.server_crt),
        "server_key": str(tls.server_key),
    }
    assert doc["auth"]["secret"] == "s"
    assert doc["log"]["dir"] == str(tmp_path / "logs")


def test_child_environment_drops_authn_server_settings() -> None:
    env = real.child_environment(
        {
            "AIS_AUTHN_SECRET_KEY": "x",
            "AIS_AUTHN_CONF_DIR": "/etc",
            "AIS_SERVER_CRT": "c",
            "HOME": "/h",
        }
    )
    assert env == {"HOME": "/h"}


def test_authn_binary_lookup(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert real.authn_binary() is None
    assert real.main(["path", "--authn"]) == 1
    exe = tmp_path / "authn"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    monkeypatch.setenv("AUTHN_BIN", str(exe))
    assert real.authn_binary() == exe
    monkeypatch.delenv("AUTHN_BIN")
    from aisclient.testing.real.install import AUTHN, cached_program_path

    assert cached_program_path(AUTHN) == clean_env / "aisclient/authn/v1.5.0-notags/authn"


def test_tls_files(tmp_path: Path) -> None:
    import ssl

    files = real.make_tls_files(tmp_path / "tls")
    for key in (files.server_key, files.client_key):
        assert key.stat().st_mode & 0o077 == 0
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(files.server_crt, files.server_key)  # a matching pair
    client = ssl.create_default_context(cafile=str(files.ca_cert))
    client.load_cert_chain(files.client_cert, files.client_key)
    assert client.cert_store_stats()["x509_ca"] == 1


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="https"):
        RealCluster("/bin/true", client_cert_required=True)


@pytest.mark.parametrize("wanted", [False, True])
def test_promote_dir_only_when_asked(
    wanted: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from aisclient.testing.real import cluster as cluster_module

    promote = tmp_path / "var/lib/ais/promote"
    monkeypatch.setattr(cluster_module, "PROMOTE_DIR", promote)
    runs = tmp_path / "runs"
    runs.mkdir()
    monkeypatch.setenv("TMPDIR", str(runs))
    monkeypatch.setattr("tempfile.tempdir", None)
    broken = RealCluster("/bin/false", promote_dir=wanted, attempts=1, startup_timeout=5)
    with pytest.raises(real.ClusterStartError, match="exited with code 1"):
        broken.start()
    assert promote.is_dir() is wanted
    assert list(runs.iterdir()) == []  # the failed start left nothing behind
    assert not broken.running and broken.pids == {}


def test_every_cluster_satisfies_the_protocol() -> None:
    from aisclient.testing import ClusterLike, ExternalCluster, LocalCluster

    with LocalCluster() as local:
        assert isinstance(local, ClusterLike)
    external = ExternalCluster("http://127.0.0.1:1")
    assert isinstance(external, ClusterLike)
    with external as started:
        assert started.endpoint == "http://127.0.0.1:1"


def test_wait_until_ready_gives_up_on_silence_and_on_exit(tmp_path: Path) -> None:
    from aisclient.testing.real.process import NotReady, spawn, wait_until_ready

    (closed_port,) = real.config.free_ports(1)
    url = f"http://127.0.0.1:{closed_port}/v1/health"
    sleeper = spawn(
        "proxy",
        [sys.executable, "-c", "import time; time.sleep(60)"],
        workdir=tmp_path,
        info_log=tmp_path / "none.INFO",
        env=os.environ,
    )
    try:
        with urllib3.PoolManager(retries=False) as http:
            with pytest.raises(NotReady, match="not ready after") as silent:
                wait_until_ready(url, [sleeper], http, timeout=0.3, interval=0.05)
            assert not silent.value.exited
            real.stop_process(sleeper.proc, timeout=5)
            with pytest.raises(NotReady, match="proxy exited") as gone:
                wait_until_ready(url, [sleeper], http, timeout=5)
            assert gone.value.exited
    finally:
        real.stop_process(sleeper.proc, timeout=5)
