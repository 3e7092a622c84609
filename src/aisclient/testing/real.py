"""Start a real AIStore cluster (one proxy, one target) on 127.0.0.1 for integration tests.

The launcher needs an ``aisnode`` binary.  :func:`aisnode_binary` looks for it in
``$AISNODE_BIN`` and then in a per-user cache, and can build it there with the Go
toolchain (``install=True``).  :class:`RealCluster` writes fresh configuration files
into a new temporary directory, starts both nodes, waits until the cluster reports
that it is ready, and on exit stops both nodes and deletes the directory.

Command line::

    python -m aisclient.testing.real install   # build into the cache, print the path
    python -m aisclient.testing.real path      # print the binary path (exit 1 if missing)
    python -m aisclient.testing.real run       # run a cluster in the foreground

Environment:

``AISNODE_BIN``
    Path of a ready ``aisnode`` binary; used when it is an executable file.
``AIS_SERVER_VERSION``
    Server module version to build (default :data:`DEFAULT_SERVER_VERSION`).
``XDG_CACHE_HOME``
    Root of the binary cache (default ``~/.cache``).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, Final

import urllib3

__all__ = [
    "AISNODE_MODULE",
    "DEFAULT_BUILD_TAGS",
    "DEFAULT_SERVER_VERSION",
    "AisnodeInstallError",
    "AisnodeNotFoundError",
    "ClusterPorts",
    "ClusterStartError",
    "ConfigPaths",
    "NodePorts",
    "RealCluster",
    "aisnode_binary",
    "allocate_ports",
    "cached_binary_path",
    "child_environment",
    "cluster_config",
    "install_aisnode",
    "local_config",
    "main",
    "server_version",
    "stop_process",
    "write_configs",
]

AISNODE_MODULE: Final = "github.com/NVIDIA/aistore"
DEFAULT_SERVER_VERSION: Final = "v1.5.0"
DEFAULT_BUILD_TAGS: Final[tuple[str, ...]] = ("dsort",)

HOST: Final = "127.0.0.1"
STARTUP_TIMEOUT: Final = 90.0
STOP_TIMEOUT: Final = 10.0
LOG_TAIL_LINES: Final = 40
PROMOTE_DIR: Final = Path("/var/lib/ais/promote")

#: Exit codes of a node that stopped cleanly: 0, SIGTERM (128+15), SIGINT (128+2), or the
#: negative codes ``subprocess`` reports when the process was ended by those signals.
CLEAN_EXIT_CODES: Final = frozenset({0, 143, 130, -signal.SIGTERM, -signal.SIGINT})

# What a node logs when one of its ports is taken (Go's net error text).
_BIND_FAILURE: Final = "address already in use"

# Filesystems that cannot hold target mountpaths (no user xattrs, or not a real disk).
_UNSUITABLE_FS: Final = frozenset(
    {"tmpfs", "ramfs", "overlay", "overlayfs", "squashfs", "devtmpfs"}
)

# Server-side environment variables that change how a node finds itself or its primary.
_SCRUBBED_ENV: Final = frozenset(
    {
        "AIS_PRIMARY_EP",
        "AIS_USE_HTTPS",
        "AIS_USE_IPv6",
        "AIS_CLUSTER_CIDR",
        "AIS_PUBLIC_IP_CIDR",
        "AIS_DAEMON_ID",
        "AIS_PUBLIC_HOSTNAME",
        "AIS_K8S_CLUSTER_DOMAIN",
        "AIS_PUBLIC_DNS_MODE",
        "MY_POD",
        "MY_NODE",
        "MY_SERVICE",
        "K8S_NS",
        "HOST_NETWORK",
        "ENABLE_EXTERNAL_ACCESS",
    }
)


class AisnodeNotFoundError(FileNotFoundError):
    """No usable ``aisnode`` binary was found (and none was to be installed)."""


class AisnodeInstallError(RuntimeError):
    """Building ``aisnode`` with the Go toolchain failed (or Go is missing)."""


class ClusterStartError(RuntimeError):
    """The cluster did not become ready; the message includes the tail of the node logs."""


class _StartFailure(Exception):
    """One start attempt failed; ``retryable`` when a node exited early."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


# --------------------------------------------------------------------------------------
# Binary lookup and installation
# --------------------------------------------------------------------------------------


def server_version() -> str:
    """The server version to use: ``$AIS_SERVER_VERSION`` or :data:`DEFAULT_SERVER_VERSION`."""
    return os.environ.get("AIS_SERVER_VERSION", "").strip() or DEFAULT_SERVER_VERSION


def _cache_root() -> Path:
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "aisclient"


def _tags_key(tags: Sequence[str]) -> str:
    return "+".join(sorted(tags)) if tags else "notags"


def cached_binary_path(
    version: str | None = None, tags: Sequence[str] = DEFAULT_BUILD_TAGS
) -> Path:
    """Where the cache keeps ``aisnode`` for ``version`` and ``tags`` (it may not exist)."""
    ver = version or server_version()
    return _cache_root() / "aisnode" / f"{ver}-{_tags_key(tags)}" / "aisnode"


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def aisnode_binary(install: bool = False) -> Path | None:
    """Find the ``aisnode`` binary, optionally building it into the cache.

    Order: ``$AISNODE_BIN`` (when it names an executable file), then the cache path from
    :func:`cached_binary_path`.  When neither exists and ``install`` is true, the binary
    is built with :func:`install_aisnode`; otherwise ``None`` is returned.
    """
    env_bin = os.environ.get("AISNODE_BIN", "").strip()
    if env_bin:
        candidate = Path(env_bin).expanduser()
        if _is_executable(candidate):
            return candidate
        warnings.warn(
            f"AISNODE_BIN={env_bin!r} is not an executable file; ignoring it",
            RuntimeWarning,
            stacklevel=2,
        )
    cached = cached_binary_path()
    if _is_executable(cached):
        return cached
    if install:
        return install_aisnode()
    return None


def _run_go(args: Sequence[str], *, cwd: Path | None, env: Mapping[str, str]) -> str:
    proc = subprocess.run(
        list(args),
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise AisnodeInstallError(
            f"`{' '.join(args)}` failed with exit code {proc.returncode}:\n"
            f"{_tail_text(proc.stderr + proc.stdout, LOG_TAIL_LINES)}"
        )
    return proc.stdout


def install_aisnode(
    version: str | None = None,
    tags: Sequence[str] = DEFAULT_BUILD_TAGS,
    dest: Path | None = None,
) -> Path:
    """Build ``aisnode`` from the Go module proxy and store it at ``dest``.

    ``dest`` defaults to :func:`cached_binary_path`.  The module is fetched with
    ``go mod download`` (``go install pkg@version`` needs the module's version list,
    which some proxies refuse), then built from the read-only module cache with ``-o``
    to a temporary name next to ``dest``, which is then renamed into place atomically.
    """
    ver = version or server_version()
    target = dest or cached_binary_path(ver, tags)
    go = shutil.which("go")
    if go is None:
        raise AisnodeInstallError(
            "cannot build aisnode: the Go toolchain (`go`) is not on PATH; install Go "
            f">= 1.26, or set AISNODE_BIN to a prebuilt aisnode ({AISNODE_MODULE}@{ver})"
        )
    env = dict(os.environ)
    env.setdefault("CGO_ENABLED", "0")
    out = _run_go([go, "mod", "download", "-json", f"{AISNODE_MODULE}@{ver}"], cwd=None, env=env)
    try:
        info = json.loads(out)
        module_dir = Path(str(info["Dir"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise AisnodeInstallError(
            f"unexpected output from `go mod download -json`: {out!r}"
        ) from exc
    if not (module_dir / "cmd" / "aisnode").is_dir():
        raise AisnodeInstallError(f"{module_dir} has no cmd/aisnode package")

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".aisnode-", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    build = [go, "build"]
    if tags:
        build += ["-tags", ",".join(tags)]
    build += ["-ldflags", f"-s -w -X main.build={ver}", "-o", str(tmp), "./cmd/aisnode"]
    try:
        try:
            _run_go(build, cwd=module_dir, env=env)
        except AisnodeInstallError:
            # A module cache without every go.sum entry needs -mod=mod; try once more.
            env_mod = dict(env)
            env_mod["GOFLAGS"] = (env.get("GOFLAGS", "") + " -mod=mod").strip()
            _run_go(build, cwd=module_dir, env=env_mod)
        tmp.chmod(0o755)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


# --------------------------------------------------------------------------------------
# Ports and configuration
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NodePorts:
    """The three listeners of one node."""

    public: int
    intra_control: int
    intra_data: int

    def all(self) -> tuple[int, int, int]:
        return (self.public, self.intra_control, self.intra_data)


@dataclass(frozen=True)
class ClusterPorts:
    proxy: NodePorts
    target: NodePorts

    def all(self) -> tuple[int, ...]:
        return self.proxy.all() + self.target.all()


@dataclass(frozen=True)
class ConfigPaths:
    """Files and directories written by :func:`write_configs`."""

    cluster: Path
    proxy_local: Path
    target_local: Path
    proxy_dir: Path
    target_dir: Path
    proxy_log_dir: Path
    target_log_dir: Path
    data_root: Path


def allocate_ports() -> ClusterPorts:
    """Six distinct TCP ports that are free right now.

    The ports are probed on the wildcard address because a node binds its public
    listener on all interfaces (``:PORT``) whenever the public port differs from the
    intra-cluster ones, which 5.0 requires; only the intra listeners bind 127.0.0.1.
    All six sockets are bound at once, so the kernel hands out distinct ports; they are
    closed again before returning, so a bind race is possible (callers retry).
    """
    socks: list[socket.socket] = []
    try:
        for _ in range(6):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            socks.append(s)
            s.bind(("", 0))
        ports = [int(s.getsockname()[1]) for s in socks]
    finally:
        for s in socks:
            s.close()
    return ClusterPorts(proxy=NodePorts(*ports[0:3]), target=NodePorts(*ports[3:6]))


def _url(port: int, host: str = HOST) -> str:
    return f"http://{host}:{port}"


def cluster_config(ports: ClusterPorts, *, host: str = HOST) -> dict[str, Any]:
    """The initial cluster configuration (the ``-config`` file) for 1 proxy + 1 target."""
    primary = _url(ports.proxy.public, host)
    return {
        "backend": {},
        "proxy": {"primary_url": primary, "original_url": primary, "discovery_url": ""},
        "timeout": {
            "cplane_operation": "2s",
            "max_keepalive": "4s",
            "max_host_busy": "20s",
            "startup_time": "30s",
            "send_file_time": "5m",
        },
        "net": {"l4": {"proto": "tcp"}, "http": {"use_https": False, "chunked_transfer": True}},
        "memsys": {},
        "auth": {},
        "versioning": {"enabled": True, "validate_warm_get": False},
        "resilver": {"enabled": True},
        # Capacity is the used % of the whole host filesystem; keep a shared disk usable.
        "space": {"cleanupwm": 85, "lowwm": 90, "highwm": 95, "out_of_space": 98},
        # Required because the binary is built with -tags dsort.
        "distributed_sort": {
            "duplicated_records": "ignore",
            "missing_shards": "ignore",
            "ekm_malformed_line": "abort",
            "ekm_missing_key": "abort",
            "default_max_mem_usage": "80%",
            "call_timeout": "10m",
            "dsorter_mem_threshold": "100GB",
            "compression": "never",
        },
    }


def local_config(
    node_dir: Path,
    ports: NodePorts,
    *,
    data_root: Path,
    mountpaths: int = 2,
    host: str = HOST,
) -> dict[str, Any]:
    """One node's ``-local_config`` file.  Ports are written as JSON strings."""
    return {
        "confdir": str(node_dir / "conf"),
        "log_dir": str(node_dir / "log"),
        "host_net": {
            "hostname": host,
            "hostname_intra_control": host,
            "hostname_intra_data": host,
            "port": str(ports.public),
            "port_intra_control": str(ports.intra_control),
            "port_intra_data": str(ports.intra_data),
        },
        "fspaths": {},
        "test_fspaths": {"root": str(data_root), "count": mountpaths, "instance": 0},
    }


def write_configs(
    run_dir: Path, ports: ClusterPorts, *, mountpaths: int = 2, host: str = HOST
) -> ConfigPaths:
    """Write the cluster config and both local configs under ``run_dir``.

    Layout: ``cluster.json``, ``proxy/{local.json,conf,log}``,
    ``target/{local.json,conf,log,data}``.
    """
    if not 1 <= mountpaths <= 4:
        raise ValueError(f"mountpaths must be 1..4, got {mountpaths}")
    if len(set(ports.all())) != len(ports.all()):
        raise ValueError(f"ports must all differ: {ports}")
    run_dir = run_dir.resolve()
    proxy_dir = run_dir / "proxy"
    target_dir = run_dir / "target"
    data_root = target_dir / "data"
    # The node creates log_dir itself, but not confdir.
    for d in (proxy_dir / "conf", target_dir / "conf", data_root):
        d.mkdir(parents=True, exist_ok=True)
    paths = ConfigPaths(
        cluster=run_dir / "cluster.json",
        proxy_local=proxy_dir / "local.json",
        target_local=target_dir / "local.json",
        proxy_dir=proxy_dir,
        target_dir=target_dir,
        proxy_log_dir=proxy_dir / "log",
        target_log_dir=target_dir / "log",
        data_root=data_root,
    )
    docs: list[tuple[Path, dict[str, Any]]] = [
        (paths.cluster, cluster_config(ports, host=host)),
        (
            paths.proxy_local,
            local_config(
                proxy_dir, ports.proxy, data_root=data_root, mountpaths=mountpaths, host=host
            ),
        ),
        (
            paths.target_local,
            local_config(
                target_dir, ports.target, data_root=data_root, mountpaths=mountpaths, host=host
            ),
        ),
    ]
    for path, doc in docs:
        path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return paths


def child_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default ``os.environ``) without Kubernetes and node-placement variables."""
    src = os.environ if base is None else base
    return {
        k: v for k, v in src.items() if not k.startswith("KUBERNETES_") and k not in _SCRUBBED_ENV
    }


# --------------------------------------------------------------------------------------
# Run directory
# --------------------------------------------------------------------------------------


def _fs_type(path: Path) -> str | None:
    """Filesystem type of the mount holding ``path`` (Linux ``/proc/self/mounts``)."""
    try:
        lines = Path("/proc/self/mounts").read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    real = str(path.resolve())
    best, best_type = "", None
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        mnt = fields[1].replace("\\040", " ")
        inside = real == mnt or real.startswith(mnt.rstrip("/") + "/")
        if inside and len(mnt) >= len(best):
            best, best_type = mnt, fields[2]
    return best_type


def _supports_user_xattr(directory: Path) -> bool:
    if not hasattr(os, "setxattr"):
        return True  # cannot check here; let the target decide
    fd, name = tempfile.mkstemp(prefix=".xattr-probe-", dir=directory)
    os.close(fd)
    try:
        os.setxattr(name, "user.aisclient.probe", b"1")
    except OSError:
        return False
    finally:
        os.unlink(name)
    return True


def _suitable_run_parent(directory: Path) -> bool:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if _fs_type(directory) in _UNSUITABLE_FS:
            return False
        return _supports_user_xattr(directory)
    except OSError:
        return False


def _make_run_dir() -> Path:
    """A fresh directory on a real filesystem: the temp dir, else one under the cache."""
    tmp = Path(tempfile.gettempdir())
    parent = tmp if _suitable_run_parent(tmp) else _cache_root() / "runs"
    if parent != tmp and not _suitable_run_parent(parent):
        raise ClusterStartError(
            f"neither {tmp} nor {parent} is on a filesystem with user xattrs (ext4/xfs); "
            "set TMPDIR to a directory on such a filesystem"
        )
    return Path(tempfile.mkdtemp(prefix="aisclient-real-", dir=parent))


def _ensure_promote_dir() -> None:
    with contextlib.suppress(OSError):
        PROMOTE_DIR.mkdir(parents=True, exist_ok=True)


# --------------------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------------------


def stop_process(proc: subprocess.Popen[bytes], timeout: float = STOP_TIMEOUT) -> int:
    """SIGTERM ``proc``, wait up to ``timeout`` seconds, then SIGKILL; return the exit code."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            proc.wait()
    rc = proc.returncode
    assert rc is not None
    return rc


def _tail_text(text: str, lines: int) -> str:
    return "\n".join(text.splitlines()[-lines:])


def _tail_file(path: Path, lines: int) -> str:
    try:
        with path.open("rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 256 * 1024))
            data = f.read()
    except OSError as exc:
        return f"<cannot read {path}: {exc.strerror or exc}>"
    return _tail_text(data.decode("utf-8", "replace"), lines)


@dataclass
class _Node:
    role: str  # "proxy" or "target"
    proc: subprocess.Popen[bytes]
    log_dir: Path
    output: Path  # stdout+stderr of the process

    @property
    def info_log(self) -> Path:
        return self.log_dir / f"ais{self.role}.INFO"

    def tail(self, lines: int) -> str:
        parts = [
            f"===== {self.info_log} (last {lines} lines) =====",
            _tail_file(self.info_log, lines),
        ]
        out = _tail_file(self.output, lines) if self.output.exists() else ""
        if out.strip():
            parts += [f"===== {self.output} (stdout/stderr) =====", out]
        return "\n".join(parts)


_LIVE: set[RealCluster] = set()
_LIVE_LOCK = threading.Lock()
_ATEXIT_REGISTERED = False


def _stop_all_live() -> None:
    with _LIVE_LOCK:
        clusters = list(_LIVE)
    for cluster in clusters:
        with contextlib.suppress(Exception):
            cluster.stop()


def _register_atexit() -> None:
    global _ATEXIT_REGISTERED
    with _LIVE_LOCK:
        if not _ATEXIT_REGISTERED:
            atexit.register(_stop_all_live)
            _ATEXIT_REGISTERED = True


class RealCluster:
    """One proxy and one target ``aisnode`` on 127.0.0.1, as a context manager.

    >>> with RealCluster() as cluster:          # doctest: +SKIP
    ...     client = Client(cluster.endpoint)

    Each start uses a fresh run directory and freshly chosen free ports; a start whose
    node exits early because a port was taken meanwhile ("address already in use" in
    its log) is retried with new ports, up to ``attempts`` tries in all.  Any other
    failure raises :class:`ClusterStartError` with the tail of both node logs.
    :meth:`stop` stops the target, then the proxy, and deletes the run directory
    (unless ``keep_run_dir``).  An ``atexit`` hook stops any cluster still running
    when the interpreter exits.
    """

    def __init__(
        self,
        binary: Path | str | None = None,
        *,
        install: bool = False,
        mountpaths: int = 2,
        startup_timeout: float = STARTUP_TIMEOUT,
        stop_timeout: float = STOP_TIMEOUT,
        attempts: int = 3,
        keep_run_dir: bool = False,
    ) -> None:
        if binary is None:
            found = aisnode_binary(install=install)
            if found is None:
                raise AisnodeNotFoundError(
                    "no aisnode binary: set AISNODE_BIN, or run "
                    "`python -m aisclient.testing.real install` "
                    f"(expected at {cached_binary_path()})"
                )
            binary = found
        self.binary: Path = Path(binary)
        self.mountpaths = mountpaths
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self.attempts = max(1, attempts)
        self.keep_run_dir = keep_run_dir
        self.ports: ClusterPorts | None = None
        self.exit_codes: dict[str, int] = {}
        self.startup_seconds: float | None = None
        self._run_dir: Path | None = None
        self._nodes: list[_Node] = []  # start order: proxy, target

    # ---- attributes ------------------------------------------------------------------

    def _need_ports(self) -> ClusterPorts:
        if self.ports is None:
            raise RuntimeError("RealCluster is not started")
        return self.ports

    @property
    def endpoint(self) -> str:
        """The proxy's public URL, ``http://127.0.0.1:PORT``: what clients talk to."""
        return self.proxy_url

    @property
    def proxy_url(self) -> str:
        return _url(self._need_ports().proxy.public)

    @property
    def target_url(self) -> str:
        return _url(self._need_ports().target.public)

    @property
    def run_dir(self) -> Path:
        if self._run_dir is None:
            raise RuntimeError("RealCluster is not started")
        return self._run_dir

    @property
    def pids(self) -> dict[str, int]:
        return {n.role: n.proc.pid for n in self._nodes}

    @property
    def running(self) -> bool:
        return bool(self._nodes) and all(n.proc.poll() is None for n in self._nodes)

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        """The last ``lines`` lines of both node logs (and of their stdout/stderr).

        Nodes buffer their logs and flush them periodically and on exit, so while
        they run the tail can lag behind by some seconds.  Empty after :meth:`stop`.
        """
        return "\n".join(n.tail(lines) for n in self._nodes)

    # ---- lifecycle -------------------------------------------------------------------

    def __enter__(self) -> RealCluster:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> RealCluster:
        """Start both nodes and wait for ``/v1/health?prr=true`` to answer 200."""
        if self._nodes:
            raise RuntimeError("RealCluster is already started")
        _register_atexit()
        _ensure_promote_dir()
        t0 = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                self._start_once()
            except _StartFailure as exc:
                self._stop_nodes()
                tail = self.log_tail()
                run_dir = self._run_dir
                self._finish(remove=not self.keep_run_dir)
                if exc.retryable and _BIND_FAILURE in tail and attempt < self.attempts:
                    continue  # a port was taken between choosing and binding it
                raise ClusterStartError(
                    f"{exc} (attempt {attempt}/{self.attempts}; run dir {run_dir})\n{tail}"
                ) from None
            except BaseException:
                self._stop_nodes()
                self._finish(remove=not self.keep_run_dir)
                raise
            self.startup_seconds = time.monotonic() - t0
            return self

    def _start_once(self) -> None:
        self.exit_codes = {}
        self.ports = allocate_ports()
        self._run_dir = _make_run_dir()
        paths = write_configs(self._run_dir, self.ports, mountpaths=self.mountpaths)
        env = child_environment()
        with _LIVE_LOCK:
            _LIVE.add(self)
        self._spawn(
            "proxy",
            paths.proxy_dir,
            paths.proxy_log_dir,
            [f"-config={paths.cluster}", f"-local_config={paths.proxy_local}", "-ntargets=1"],
            env,
        )
        self._spawn(
            "target",
            paths.target_dir,
            paths.target_log_dir,
            [f"-config={paths.cluster}", f"-local_config={paths.target_local}"],
            env,
        )
        self._wait_ready()

    def _spawn(
        self, role: str, node_dir: Path, log_dir: Path, args: list[str], env: dict[str, str]
    ) -> None:
        output = node_dir / "output.log"
        with output.open("wb") as out:
            proc = subprocess.Popen(
                [str(self.binary), f"-role={role}", *args],
                cwd=node_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                # Own process group: a terminal Ctrl-C reaches only us, and we stop the
                # nodes in order (target first).
                start_new_session=True,
            )
        self._nodes.append(_Node(role=role, proc=proc, log_dir=log_dir, output=output))

    def _wait_ready(self) -> None:
        url = f"{self.proxy_url}/v1/health?prr=true"
        deadline = time.monotonic() + self.startup_timeout
        last = "no answer yet"
        with urllib3.PoolManager(
            retries=False, timeout=urllib3.Timeout(connect=1.0, read=5.0)
        ) as http:
            while True:
                for node in self._nodes:
                    rc = node.proc.poll()
                    if rc is not None:
                        raise _StartFailure(
                            f"aisnode {node.role} exited with code {rc} during startup",
                            retryable=True,
                        )
                try:
                    resp = http.request("GET", url, preload_content=True)
                    if resp.status == 200:
                        return
                    last = f"HTTP {resp.status}"
                except urllib3.exceptions.HTTPError as exc:
                    last = type(exc).__name__
                if time.monotonic() >= deadline:
                    raise _StartFailure(
                        f"cluster at {self.proxy_url} not ready after "
                        f"{self.startup_timeout:.0f}s (last health answer: {last})",
                        retryable=False,
                    )
                time.sleep(0.25)

    def stop(self) -> dict[str, int]:
        """Stop the target, then the proxy, and delete the run directory.  Idempotent.

        Returns the exit codes by role (also kept in :attr:`exit_codes`).  An unclean
        exit (anything but 0/130/143) is reported with a :class:`RuntimeWarning` that
        includes the log tail, since the logs are deleted with the run directory.
        """
        if self._nodes:
            self._stop_nodes()
            unclean = {r: c for r, c in self.exit_codes.items() if c not in CLEAN_EXIT_CODES}
            if unclean:
                warnings.warn(
                    f"aisnode exited uncleanly {unclean}\n{self.log_tail()}",
                    RuntimeWarning,
                    stacklevel=2,
                )
            self._finish(remove=not self.keep_run_dir)
        return dict(self.exit_codes)

    def _stop_nodes(self) -> None:
        for node in reversed(self._nodes):  # target first, then proxy
            self.exit_codes[node.role] = stop_process(node.proc, self.stop_timeout)

    def _finish(self, *, remove: bool) -> None:
        self._nodes = []
        with _LIVE_LOCK:
            _LIVE.discard(self)
        if remove and self._run_dir is not None:
            shutil.rmtree(self._run_dir, ignore_errors=True)


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------


def _cmd_install(_: argparse.Namespace) -> int:
    path = aisnode_binary(install=True)
    assert path is not None
    print(path)
    return 0


def _cmd_path(_: argparse.Namespace) -> int:
    path = aisnode_binary(install=False)
    if path is None:
        print(f"aisnode not found (expected at {cached_binary_path()})", file=sys.stderr)
        return 1
    print(path)
    return 0


def _cmd_run(ns: argparse.Namespace) -> int:
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    cluster = RealCluster(install=ns.install, keep_run_dir=ns.keep)
    print("starting aisnode cluster ...", file=sys.stderr, flush=True)
    with cluster:
        print(cluster.endpoint, flush=True)
        print(
            f"ready in {cluster.startup_seconds:.1f}s; run dir {cluster.run_dir}\n"
            f"export AIS_ENDPOINT={cluster.endpoint}   (Ctrl-C to stop)",
            file=sys.stderr,
            flush=True,
        )
        while not stop.wait(1.0):
            if not cluster.running:
                print(f"a node exited:\n{cluster.log_tail()}", file=sys.stderr)
                return 1
    print("stopped", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m aisclient.testing.real",
        description="Build aisnode or run a 1-proxy/1-target AIStore cluster on 127.0.0.1.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("install", help="build aisnode into the cache (if missing); print its path")
    sub.add_parser("path", help="print the aisnode path; exit 1 if there is none")
    run = sub.add_parser("run", help="run a cluster in the foreground until Ctrl-C/SIGTERM")
    run.add_argument("--install", action="store_true", help="build aisnode first if missing")
    run.add_argument("--keep", action="store_true", help="keep the run directory afterwards")
    ns = parser.parse_args(argv)
    handlers = {"install": _cmd_install, "path": _cmd_path, "run": _cmd_run}
    try:
        return handlers[ns.command](ns)
    except (AisnodeInstallError, AisnodeNotFoundError, ClusterStartError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
