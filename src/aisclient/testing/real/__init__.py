"""Real AIStore servers on 127.0.0.1 for integration tests: ``aisnode`` (1 proxy, 1 target),
optionally with a real AuthN server and over HTTPS.

The launcher needs the server binaries. :func:`aisnode_binary` and :func:`authn_binary` look
for them in ``$AISNODE_BIN`` / ``$AUTHN_BIN`` and then in a per-user cache, and can build them
there with the Go toolchain (``install=True``). :class:`RealCluster` writes fresh
configuration files into a new temporary directory, starts the servers, waits until the
cluster reports that it is ready, and on exit stops them and deletes the directory.

The parts: :mod:`.install` (find and build binaries), :mod:`.config` (ports and config files,
pure), :mod:`.process` (spawn, stop, logs, run directory), :mod:`.tls` (certificates),
:mod:`.authn_server` and :mod:`.cluster` (the launchers). Command line::

    python -m aisclient.testing.real install [--authn]   # build into the cache, print the path
    python -m aisclient.testing.real path [--authn]      # print the path (exit 1 if missing)
    python -m aisclient.testing.real run [--auth] [--https]   # run a cluster in the foreground
"""

from aisclient.testing.real.authn_server import AuthNServer
from aisclient.testing.real.cli import main
from aisclient.testing.real.cluster import CLUSTER_ALIAS, PROMOTE_DIR, RealCluster
from aisclient.testing.real.config import (
    ClusterAuth,
    ClusterPorts,
    ConfigPaths,
    NodePorts,
    ServerTls,
    allocate_ports,
    authn_config,
    cluster_config,
    local_config,
    write_configs,
)
from aisclient.testing.real.install import (
    AISNODE_MODULE,
    DEFAULT_BUILD_TAGS,
    DEFAULT_SERVER_VERSION,
    AisnodeInstallError,
    AisnodeNotFoundError,
    aisnode_binary,
    authn_binary,
    cached_binary_path,
    install_aisnode,
    install_authn,
    server_version,
)
from aisclient.testing.real.process import (
    CLEAN_EXIT_CODES,
    ClusterStartError,
    child_environment,
    stop_process,
)
from aisclient.testing.real.tls import TlsFiles, make_tls_files

__all__ = [
    "AISNODE_MODULE",
    "CLEAN_EXIT_CODES",
    "CLUSTER_ALIAS",
    "DEFAULT_BUILD_TAGS",
    "DEFAULT_SERVER_VERSION",
    "PROMOTE_DIR",
    "AisnodeInstallError",
    "AisnodeNotFoundError",
    "AuthNServer",
    "ClusterAuth",
    "ClusterPorts",
    "ClusterStartError",
    "ConfigPaths",
    "NodePorts",
    "RealCluster",
    "ServerTls",
    "TlsFiles",
    "aisnode_binary",
    "allocate_ports",
    "authn_binary",
    "authn_config",
    "cached_binary_path",
    "child_environment",
    "cluster_config",
    "install_aisnode",
    "install_authn",
    "local_config",
    "main",
    "make_tls_files",
    "server_version",
    "stop_process",
    "write_configs",
]
