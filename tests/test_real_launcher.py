"""Tests for the real-aisnode launcher (aisclient.testing.real).

The unit tests need nothing.  The integration tests start one real cluster for the
whole module; they are skipped when no ``aisnode`` binary is found, except under CI
(env ``CI`` set), where a missing binary is a failure.
"""

from __future__ import annotations

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
def test_log_tail_names_both_logs(cluster: RealCluster) -> None:
    tail = cluster.log_tail(5)
    assert "aisproxy.INFO" in tail and "aistarget.INFO" in tail
