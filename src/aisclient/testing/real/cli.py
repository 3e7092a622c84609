"""``python -m aisclient.testing.real``: build the server binaries, or run a cluster."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from aisclient.testing.real.cluster import RealCluster
from aisclient.testing.real.install import (
    AUTHN,
    AisnodeInstallError,
    AisnodeNotFoundError,
    aisnode_binary,
    authn_binary,
    cached_binary_path,
    cached_program_path,
)
from aisclient.testing.real.process import ClusterStartError


def _cmd_install(ns: argparse.Namespace) -> int:
    path = authn_binary(install=True) if ns.authn else aisnode_binary(install=True)
    assert path is not None
    print(path)
    return 0


def _cmd_path(ns: argparse.Namespace) -> int:
    path = authn_binary() if ns.authn else aisnode_binary()
    if path is None:
        expected = cached_program_path(AUTHN) if ns.authn else cached_binary_path()
        print(f"binary not found (expected at {expected})", file=sys.stderr)
        return 1
    print(path)
    return 0


def _cmd_run(ns: argparse.Namespace) -> int:
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    cluster = RealCluster(
        install=ns.install,
        keep_run_dir=ns.keep,
        auth=ns.auth,
        https=ns.https,
        promote_dir=ns.promote_dir,
    )
    print("starting aisnode cluster ...", file=sys.stderr, flush=True)
    with cluster:
        print(cluster.endpoint, flush=True)
        lines = [
            f"ready in {cluster.startup_seconds:.1f}s; run dir {cluster.run_dir}",
            f"export AIS_ENDPOINT={cluster.endpoint}",
        ]
        if cluster.ca_cert:
            lines.append(f"export AIS_CLIENT_CA={cluster.ca_cert}")
        if cluster.authn is not None:
            # Secrets go to files only the user can read, never to the terminal.
            password_file = _private_file(
                cluster.run_dir / "admin-password", cluster.authn.admin_password
            )
            token_file = _private_file(
                cluster.run_dir / "admin.token", json.dumps({"token": cluster.admin_token})
            )
            lines += [
                f"export AIS_AUTHN_URL={cluster.authn_endpoint}",
                f"export AIS_AUTHN_TOKEN_FILE={token_file}   (the admin's token)",
                f"the AuthN user {cluster.authn.admin_name!r} has the password in {password_file}",
            ]
        lines.append("(Ctrl-C to stop)")
        print("\n".join(lines), file=sys.stderr, flush=True)
        while not stop.wait(1.0):
            if not cluster.running:
                print(f"a server exited:\n{cluster.log_tail()}", file=sys.stderr)
                return 1
    print("stopped", file=sys.stderr)
    return 0


def _private_file(path: Path, text: str) -> Path:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m aisclient.testing.real",
        description="Build aisnode/authn or run a 1-proxy/1-target AIStore cluster on 127.0.0.1.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    install = sub.add_parser("install", help="build a binary into the cache (if missing)")
    path = sub.add_parser("path", help="print a binary's path; exit 1 if there is none")
    for cmd in (install, path):
        cmd.add_argument("--authn", action="store_true", help="the AuthN server, not aisnode")
    run = sub.add_parser("run", help="run a cluster in the foreground until Ctrl-C/SIGTERM")
    run.add_argument("--install", action="store_true", help="build missing binaries first")
    run.add_argument("--keep", action="store_true", help="keep the run directory afterwards")
    run.add_argument("--auth", action="store_true", help="behind a real AuthN server")
    run.add_argument("--https", action="store_true", help="over HTTPS (a throw-away CA)")
    run.add_argument(
        "--promote-dir", action="store_true", help="create /var/lib/ais/promote for promote"
    )
    ns = parser.parse_args(argv)
    handlers = {"install": _cmd_install, "path": _cmd_path, "run": _cmd_run}
    try:
        return handlers[ns.command](ns)
    except (AisnodeInstallError, AisnodeNotFoundError, ClusterStartError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
