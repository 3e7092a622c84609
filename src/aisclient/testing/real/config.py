"""Configuration files for a real cluster (1 proxy + 1 target) and an AuthN server: pure
functions from ports and options to JSON documents, and one writer that puts them on disk."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

HOST: Final = "127.0.0.1"

#: ``net.http.client_auth_tls`` for "require and verify a client certificate" (Go's
#: ``tls.RequireAndVerifyClientCert``).
REQUIRE_CLIENT_CERT: Final = 4


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
class ServerTls:
    """PEM files a TLS-enabled server uses, and whether it demands client certificates."""

    server_crt: Path
    server_key: Path
    ca_cert: Path
    require_client_cert: bool = False


@dataclass(frozen=True)
class ClusterAuth:
    """How the cluster checks client tokens: the AuthN server's HMAC secret."""

    secret: str

    def __repr__(self) -> str:
        return "ClusterAuth(secret='***')"


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


def free_ports(count: int) -> list[int]:
    """``count`` distinct TCP ports that are free right now.

    The ports are probed on the wildcard address because a node binds its public listener on
    all interfaces (``:PORT``) whenever the public port differs from the intra-cluster ones,
    which 5.0 requires (AuthN too listens on all interfaces). All sockets are bound at once,
    so the kernel hands out distinct ports; they are closed again before returning, so a bind
    race is possible (callers retry).
    """
    socks: list[socket.socket] = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            socks.append(s)
            s.bind(("", 0))
        return [int(s.getsockname()[1]) for s in socks]
    finally:
        for s in socks:
            s.close()


def allocate_ports() -> ClusterPorts:
    """Six distinct free ports: the proxy's three listeners, then the target's."""
    ports = free_ports(6)
    return ClusterPorts(proxy=NodePorts(*ports[0:3]), target=NodePorts(*ports[3:6]))


def node_url(port: int, *, https: bool = False, host: str = HOST) -> str:
    return f"{'https' if https else 'http'}://{host}:{port}"


def _auth_section(auth: ClusterAuth | None) -> dict[str, Any]:
    if auth is None:
        return {}
    # The proxy validates AuthN's HS256 tokens with the shared secret and refuses requests
    # without one; its key provider is built at start, so this must be in the initial file.
    return {
        "signature": {"key": auth.secret, "method": "HS256"},
        "client_auth_required": True,
    }


def _http_section(tls: ServerTls | None) -> dict[str, Any]:
    if tls is None:
        return {"use_https": False, "chunked_transfer": True}
    section: dict[str, Any] = {
        "use_https": True,
        "chunked_transfer": True,
        "server_crt": str(tls.server_crt),
        "server_key": str(tls.server_key),
        # Nodes call each other over TLS too, and trust the same CA as clients do.
        "client_ca_tls": str(tls.ca_cert),
        "skip_verify": False,
    }
    if tls.require_client_cert:
        # Nodes present their own (server) certificate as the client certificate.
        section["client_auth_tls"] = REQUIRE_CLIENT_CERT
    return section


def cluster_config(
    ports: ClusterPorts,
    *,
    host: str = HOST,
    auth: ClusterAuth | None = None,
    tls: ServerTls | None = None,
) -> dict[str, Any]:
    """The initial cluster configuration (the ``-config`` file) for 1 proxy + 1 target."""
    primary = node_url(ports.proxy.public, https=tls is not None, host=host)
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
        "net": {"l4": {"proto": "tcp"}, "http": _http_section(tls)},
        "memsys": {},
        "auth": _auth_section(auth),
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


def _write_json(path: Path, doc: dict[str, Any]) -> None:
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")


def write_configs(
    run_dir: Path,
    ports: ClusterPorts,
    *,
    mountpaths: int = 2,
    host: str = HOST,
    auth: ClusterAuth | None = None,
    tls: ServerTls | None = None,
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
    _write_json(paths.cluster, cluster_config(ports, host=host, auth=auth, tls=tls))
    for node_dir, node_ports, local in (
        (proxy_dir, ports.proxy, paths.proxy_local),
        (target_dir, ports.target, paths.target_local),
    ):
        doc = local_config(
            node_dir, node_ports, data_root=data_root, mountpaths=mountpaths, host=host
        )
        _write_json(local, doc)
    return paths


def authn_config(
    port: int,
    *,
    secret: str,
    log_dir: Path,
    expiration: str = "2h",
    tls: ServerTls | None = None,
) -> dict[str, Any]:
    """``authn.json`` for an AuthN server on ``port`` signing HS256 tokens with ``secret``
    (over HTTPS with ``tls``; AuthN has no client-certificate option)."""
    http: dict[str, Any] = {"port": port, "use_https": tls is not None}
    if tls is not None:
        http.update(server_crt=str(tls.server_crt), server_key=str(tls.server_key))
    return {
        "log": {"dir": str(log_dir), "level": "3"},
        "net": {"http": http},
        "auth": {"secret": secret, "expiration_time": expiration},
        "timeout": {"default_timeout": "30s"},
    }


def write_authn_config(
    conf_dir: Path, port: int, *, secret: str, tls: ServerTls | None = None
) -> Path:
    """Write ``conf_dir/authn.json`` (logs under ``conf_dir/logs``); return the file's path."""
    conf_dir.mkdir(parents=True, exist_ok=True)
    path = conf_dir / "authn.json"
    _write_json(path, authn_config(port, secret=secret, log_dir=conf_dir / "logs", tls=tls))
    return path
