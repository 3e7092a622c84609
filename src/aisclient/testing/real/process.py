"""Server processes: spawn with logs under a run directory, stop in order, report log tails."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import urllib3

STOP_TIMEOUT: Final = 10.0
LOG_TAIL_LINES: Final = 40

#: Exit codes of a server that stopped cleanly: 0, SIGTERM (128+15), SIGINT (128+2), or the
#: negative codes ``subprocess`` reports when the process was ended by those signals.
CLEAN_EXIT_CODES: Final = frozenset({0, 143, 130, -signal.SIGTERM, -signal.SIGINT})

# Filesystems that cannot hold target mountpaths (no user xattrs, or not a real disk).
_UNSUITABLE_FS: Final = frozenset(
    {"tmpfs", "ramfs", "overlay", "overlayfs", "squashfs", "devtmpfs"}
)

# Server-side environment variables that change how a node finds itself or its primary, or
# how an AuthN server finds its configuration and keys: a launched server must not inherit them.
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
        "AIS_SERVER_CRT",
        "AIS_SERVER_KEY",
        "MY_POD",
        "MY_NODE",
        "MY_SERVICE",
        "K8S_NS",
        "HOST_NETWORK",
        "ENABLE_EXTERNAL_ACCESS",
    }
)


class ClusterStartError(RuntimeError):
    """A server did not become ready; the message includes the tail of its logs."""


class NotReady(Exception):
    """One start attempt failed; ``exited`` when a server process ended during it (which a
    port taken meanwhile explains, so the caller may retry on new ports)."""

    def __init__(self, message: str, *, exited: bool) -> None:
        super().__init__(message)
        self.exited = exited


def child_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default ``os.environ``) without Kubernetes, node-placement and AuthN server
    variables (``AIS_AUTHN_*`` would override a launched server's own configuration)."""
    src = os.environ if base is None else base
    return {
        k: v
        for k, v in src.items()
        if not k.startswith(("KUBERNETES_", "AIS_AUTHN_")) and k not in _SCRUBBED_ENV
    }


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


def tail_text(text: str, lines: int) -> str:
    return "\n".join(text.splitlines()[-lines:])


def tail_file(path: Path, lines: int) -> str:
    try:
        with path.open("rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 256 * 1024))
            data = f.read()
    except OSError as exc:
        return f"<cannot read {path}: {exc.strerror or exc}>"
    return tail_text(data.decode("utf-8", "replace"), lines)


@dataclass
class ServerProcess:
    """One running server: its process, its main log file and its captured stdout/stderr."""

    role: str  # "proxy", "target" or "authn"
    proc: subprocess.Popen[bytes]
    info_log: Path
    output: Path

    @property
    def running(self) -> bool:
        return self.proc.poll() is None

    def tail(self, lines: int) -> str:
        parts = [
            f"===== {self.info_log} (last {lines} lines) =====",
            tail_file(self.info_log, lines),
        ]
        out = tail_file(self.output, lines) if self.output.exists() else ""
        if out.strip():
            parts += [f"===== {self.output} (stdout/stderr) =====", out]
        return "\n".join(parts)


def spawn(
    role: str,
    argv: Sequence[str],
    *,
    workdir: Path,
    info_log: Path,
    env: Mapping[str, str],
) -> ServerProcess:
    """Start ``argv`` in ``workdir``, its output captured in ``workdir/output.log``."""
    output = workdir / "output.log"
    with output.open("wb") as out:
        proc = subprocess.Popen(
            list(argv),
            cwd=workdir,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            # Own process group: a terminal Ctrl-C reaches only the launcher, which stops the
            # servers in order (target before proxy).
            start_new_session=True,
        )
    return ServerProcess(role=role, proc=proc, info_log=info_log, output=output)


def wait_until_ready(
    url: str,
    servers: Sequence[ServerProcess],
    http: urllib3.PoolManager,
    *,
    timeout: float,
    interval: float = 0.25,
) -> None:
    """Poll ``GET url`` until it answers 200 while every server keeps running; else
    :class:`NotReady` (at the first exit, or after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    while True:
        for server in servers:
            rc = server.proc.poll()
            if rc is not None:
                raise NotReady(f"{server.role} exited with code {rc} during startup", exited=True)
        try:
            if (status := http.request("GET", url).status) == 200:
                return
            last = f"HTTP {status}"
        except urllib3.exceptions.HTTPError as exc:
            last = f"{type(exc).__name__}: {exc}"
        if time.monotonic() >= deadline:
            raise NotReady(
                f"{url} not ready after {timeout:.0f}s (last answer: {last})", exited=False
            )
        time.sleep(interval)


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


def make_run_dir(fallback_parent: Path) -> Path:
    """A fresh directory on a real filesystem: in the temp dir, else in ``fallback_parent``."""
    tmp = Path(tempfile.gettempdir())
    parent = tmp if _suitable_run_parent(tmp) else fallback_parent
    if parent != tmp and not _suitable_run_parent(parent):
        raise ClusterStartError(
            f"neither {tmp} nor {parent} is on a filesystem with user xattrs (ext4/xfs); "
            "set TMPDIR to a directory on such a filesystem"
        )
    return Path(tempfile.mkdtemp(prefix="aisclient-real-", dir=parent))
