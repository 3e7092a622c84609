"""Find or build the AIStore server binaries (``aisnode``, ``authn``) with the Go toolchain.

Both come from one Go module.  ``go install pkg@version`` needs the module's version list,
which some proxies refuse, so the module is fetched with ``go mod download`` and built from
the read-only module cache with ``-o`` to a temporary name next to the cache path, which is
then renamed into place atomically.  Nothing is written outside the cache directory.

Environment: ``AISNODE_BIN`` / ``AUTHN_BIN`` (a ready binary), ``AIS_SERVER_VERSION`` (the
module version, default :data:`DEFAULT_SERVER_VERSION`), ``XDG_CACHE_HOME`` (cache root).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

from aisclient.testing.real.process import LOG_TAIL_LINES, tail_text

AISNODE_MODULE: Final = "github.com/NVIDIA/aistore"
DEFAULT_SERVER_VERSION: Final = "v1.5.0"
DEFAULT_BUILD_TAGS: Final[tuple[str, ...]] = ("dsort",)


class AisnodeNotFoundError(FileNotFoundError):
    """No usable server binary was found (and none was to be installed)."""


class AisnodeInstallError(RuntimeError):
    """Building a server binary with the Go toolchain failed (or Go is missing)."""


@dataclass(frozen=True)
class Program:
    """One binary of the server module: where it is built from and how it is looked up."""

    name: str  # also the cache directory and the file name
    package: str  # relative to the module root
    env_var: str  # names a prebuilt binary
    tags: tuple[str, ...] = ()


AISNODE: Final = Program("aisnode", "./cmd/aisnode", "AISNODE_BIN", DEFAULT_BUILD_TAGS)
AUTHN: Final = Program("authn", "./cmd/authn", "AUTHN_BIN")


def server_version() -> str:
    """The server version to use: ``$AIS_SERVER_VERSION`` or :data:`DEFAULT_SERVER_VERSION`."""
    return os.environ.get("AIS_SERVER_VERSION", "").strip() or DEFAULT_SERVER_VERSION


def cache_root() -> Path:
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "aisclient"


def _tags_key(tags: Sequence[str]) -> str:
    return "+".join(sorted(tags)) if tags else "notags"


def cached_program_path(program: Program, version: str | None = None) -> Path:
    ver = version or server_version()
    return cache_root() / program.name / f"{ver}-{_tags_key(program.tags)}" / program.name


def cached_binary_path(
    version: str | None = None, tags: Sequence[str] = DEFAULT_BUILD_TAGS
) -> Path:
    """Where the cache keeps ``aisnode`` for ``version`` and ``tags`` (it may not exist)."""
    return cached_program_path(replace(AISNODE, tags=tuple(tags)), version)


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def find_program(program: Program, install: bool = False) -> Path | None:
    """``$<env_var>`` when it names an executable, else the cached build, else build it
    (``install``) or ``None``."""
    env_bin = os.environ.get(program.env_var, "").strip()
    if env_bin:
        candidate = Path(env_bin).expanduser()
        if _is_executable(candidate):
            return candidate
        warnings.warn(
            f"{program.env_var}={env_bin!r} is not an executable file; ignoring it",
            RuntimeWarning,
            stacklevel=3,
        )
    cached = cached_program_path(program)
    if _is_executable(cached):
        return cached
    if install:
        return build_program(program)
    return None


def aisnode_binary(install: bool = False) -> Path | None:
    """Find the ``aisnode`` binary (``$AISNODE_BIN``, then the cache), optionally building it."""
    return find_program(AISNODE, install)


def authn_binary(install: bool = False) -> Path | None:
    """Find the AuthN server binary (``$AUTHN_BIN``, then the cache), optionally building it."""
    return find_program(AUTHN, install)


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
            f"{tail_text(proc.stderr + proc.stdout, LOG_TAIL_LINES)}"
        )
    return proc.stdout


def build_program(program: Program, version: str | None = None, dest: Path | None = None) -> Path:
    """Build ``program`` from the Go module proxy into ``dest`` (default: its cache path)."""
    ver = version or server_version()
    target = dest or cached_program_path(program, ver)
    go = shutil.which("go")
    if go is None:
        raise AisnodeInstallError(
            f"cannot build {program.name}: the Go toolchain (`go`) is not on PATH; install Go "
            f">= 1.26, or set {program.env_var} to a prebuilt {program.name} "
            f"({AISNODE_MODULE}@{ver})"
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
    if not (module_dir / program.package).is_dir():
        raise AisnodeInstallError(f"{module_dir} has no {program.package} package")

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{program.name}-", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    build = [go, "build"]
    if program.tags:
        build += ["-tags", ",".join(program.tags)]
    build += ["-ldflags", f"-s -w -X main.build={ver}", "-o", str(tmp), program.package]
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


def install_aisnode(
    version: str | None = None,
    tags: Sequence[str] = DEFAULT_BUILD_TAGS,
    dest: Path | None = None,
) -> Path:
    """Build ``aisnode`` (with ``tags``) into ``dest``, by default its cache path."""
    return build_program(replace(AISNODE, tags=tuple(tags)), version, dest)


def install_authn(version: str | None = None, dest: Path | None = None) -> Path:
    """Build the AuthN server into ``dest``, by default its cache path."""
    return build_program(AUTHN, version, dest)
