"""``RealCluster``: one proxy and one target ``aisnode`` on 127.0.0.1, optionally behind a real
AuthN server (``auth=True``) and over HTTPS (``https=True``).

Everything a start writes lives in one fresh run directory, deleted on stop; the only
exception, ``/var/lib/ais/promote`` (the one place a target promotes files from), is created
only when asked for (``promote_dir=True``).
"""

from __future__ import annotations

import atexit
import contextlib
import shutil
import time
import warnings
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final

import urllib3

from aisclient.testing.real.authn_server import AuthNServer
from aisclient.testing.real.config import (
    ClusterAuth,
    ClusterPorts,
    allocate_ports,
    node_url,
    write_configs,
)
from aisclient.testing.real.install import (
    AisnodeNotFoundError,
    aisnode_binary,
    cache_root,
    cached_binary_path,
)
from aisclient.testing.real.process import (
    CLEAN_EXIT_CODES,
    LOG_TAIL_LINES,
    STOP_TIMEOUT,
    ClusterStartError,
    NotReady,
    ServerProcess,
    child_environment,
    make_run_dir,
    spawn,
    stop_process,
    wait_until_ready,
)
from aisclient.testing.real.tls import TlsFiles, make_tls_files

if TYPE_CHECKING:
    from aisclient.client import Client

STARTUP_TIMEOUT: Final = 90.0
PROMOTE_DIR: Final = Path("/var/lib/ais/promote")
CLUSTER_ALIAS: Final = "aisclient-test"

# What a node logs when one of its ports is taken (Go's net error text).
_BIND_FAILURE: Final = "address already in use"


class RealCluster:
    """One proxy and one target ``aisnode`` on 127.0.0.1, as a context manager.

    >>> with RealCluster() as cluster:          # doctest: +SKIP
    ...     client = cluster.client()

    ``auth=True`` starts an AuthN server first, has the cluster accept its tokens (and refuse
    requests without one), registers the cluster with it as :data:`CLUSTER_ALIAS`, and logs
    in as its admin: :attr:`admin_token`, :attr:`authn_endpoint`. ``https=True`` serves every
    listener (AuthN's too) over TLS with certificates from a fresh private CA (:attr:`tls`); with
    ``client_cert_required=True`` the cluster also demands a client certificate signed by it.

    Each attempt uses freshly chosen free ports; one whose node exits early because a port
    was taken meanwhile ("address already in use" in its log) is retried, up to ``attempts``
    tries in all. Any other failure raises :class:`ClusterStartError` with the log tails.
    :meth:`stop` stops the target, the proxy, then AuthN, and deletes the run directory
    (unless ``keep_run_dir``); a cluster still running when the interpreter exits is stopped.
    """

    def __init__(
        self,
        binary: Path | str | None = None,
        *,
        install: bool = False,
        auth: bool = False,
        https: bool = False,
        client_cert_required: bool = False,
        promote_dir: bool = False,
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
        if client_cert_required and not https:
            raise ValueError("client_cert_required needs https=True")
        if client_cert_required and auth:
            # AuthN calls the cluster when it is registered, and cannot present a certificate.
            raise ValueError("client_cert_required cannot be combined with auth=True")
        self.binary: Path = Path(binary)
        self.auth = auth
        self.https = https
        self.client_cert_required = client_cert_required
        self.promote_dir = promote_dir
        self.install = install
        self.mountpaths = mountpaths
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self.attempts = max(1, attempts)
        self.keep_run_dir = keep_run_dir
        self.ports: ClusterPorts | None = None
        self.exit_codes: dict[str, int] = {}
        self.startup_seconds: float | None = None
        self.tls: TlsFiles | None = None
        self.authn: AuthNServer | None = None
        self.admin_token: str | None = None
        self._run_dir: Path | None = None
        self._nodes: list[ServerProcess] = []  # start order: proxy, target

    def __repr__(self) -> str:
        state = self.endpoint if self.ports is not None else "not started"
        return f"RealCluster({state}, auth={self.auth}, https={self.https})"

    # ---- attributes ------------------------------------------------------------------

    def _need_ports(self) -> ClusterPorts:
        if self.ports is None:
            raise RuntimeError("RealCluster is not started")
        return self.ports

    @property
    def endpoint(self) -> str:
        """The proxy's public URL, ``http(s)://127.0.0.1:PORT``: what clients talk to."""
        return self.proxy_url

    @property
    def proxy_url(self) -> str:
        return node_url(self._need_ports().proxy.public, https=self.https)

    @property
    def target_url(self) -> str:
        return node_url(self._need_ports().target.public, https=self.https)

    @property
    def authn_endpoint(self) -> str:
        if self.authn is None:
            raise RuntimeError("RealCluster has no AuthN server (start it with auth=True)")
        return self.authn.endpoint

    @property
    def ca_cert(self) -> str | None:
        """The CA file that verifies the cluster's certificate (``None`` without https)."""
        return None if self.tls is None else str(self.tls.ca_cert)

    @property
    def client_cert(self) -> tuple[str, str] | None:
        """``(certificate, key)`` files a client presents to a cluster that requires one."""
        if self.tls is None:
            return None
        return (str(self.tls.client_cert), str(self.tls.client_key))

    @property
    def run_dir(self) -> Path:
        if self._run_dir is None:
            raise RuntimeError("RealCluster is not started")
        return self._run_dir

    @property
    def pids(self) -> dict[str, int]:
        pids = {n.role: n.proc.pid for n in self._nodes}
        if self.authn is not None and self.authn.pid is not None:
            pids["authn"] = self.authn.pid
        return pids

    @property
    def running(self) -> bool:
        nodes_up = bool(self._nodes) and all(n.running for n in self._nodes)
        return nodes_up and (self.authn is None or self.authn.running)

    def client_options(self, **overrides: Any) -> dict[str, Any]:
        """Keyword arguments for ``Client`` that reach this cluster: endpoint, CA, client
        certificate and the admin token, as they apply; ``overrides`` win."""
        options: dict[str, Any] = {"endpoint": self.endpoint}
        if self.tls is not None:
            options["ca_cert"] = self.ca_cert
            if self.client_cert_required:
                options["client_cert"] = self.client_cert
        if self.admin_token is not None:
            options["token"] = self.admin_token
        options.update(overrides)
        return options

    def client(self, **overrides: Any) -> Client:
        """A ``Client`` for this cluster (see :meth:`client_options`)."""
        from aisclient.client import Client

        return Client(**self.client_options(**overrides))

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        """The last ``lines`` lines of every server log (and of their stdout/stderr).

        Nodes buffer their logs and flush them periodically and on exit, so while
        they run the tail can lag behind by some seconds.  Empty after :meth:`stop`.
        """
        tails = [n.tail(lines) for n in self._nodes]
        if self.authn is not None:
            tails.append(self.authn.log_tail(lines))
        return "\n".join(tails)

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
        """Start the servers and wait for ``/v1/health?prr=true`` to answer 200."""
        if self._nodes:
            raise RuntimeError("RealCluster is already started")
        atexit.register(self.stop)
        if self.promote_dir:
            with contextlib.suppress(OSError):
                PROMOTE_DIR.mkdir(parents=True, exist_ok=True)
        t0 = time.monotonic()
        try:
            self._run_dir = make_run_dir(cache_root() / "runs")
            if self.https:
                self.tls = make_tls_files(self.run_dir / "tls")
            self._start_authn()
            self._start_nodes()
            self._register_with_authn()
        except BaseException:
            self._stop_all()
            self._finish(remove=not self.keep_run_dir)
            atexit.unregister(self.stop)
            raise
        self.startup_seconds = time.monotonic() - t0
        return self

    def _start_authn(self) -> None:
        if not self.auth:
            return
        tls = None if self.tls is None else self.tls.server()
        self.authn = AuthNServer(self.run_dir / "authn", install=self.install, tls=tls)
        self.authn.start()

    def _start_nodes(self) -> None:
        attempt = 0
        while True:
            attempt += 1
            try:
                self._start_nodes_once()
                return
            except NotReady as exc:
                self._stop_nodes()
                tail = self.log_tail()
                if exc.exited and _BIND_FAILURE in tail and attempt < self.attempts:
                    self._nodes = []
                    continue  # a port was taken between choosing and binding it
                raise ClusterStartError(
                    f"{exc} (attempt {attempt}/{self.attempts}; run dir {self._run_dir})\n{tail}"
                ) from None

    def _start_nodes_once(self) -> None:
        self.exit_codes = {}
        self.ports = allocate_ports()
        # A node that finds an old confdir rejoins the old cluster: every attempt starts clean.
        for role in ("proxy", "target"):
            shutil.rmtree(self.run_dir / role, ignore_errors=True)
        auth = None if self.authn is None else ClusterAuth(self.authn.secret)
        tls = (
            None
            if self.tls is None
            else self.tls.server(require_client_cert=self.client_cert_required)
        )
        paths = write_configs(
            self.run_dir, self.ports, mountpaths=self.mountpaths, auth=auth, tls=tls
        )
        env = child_environment()
        nodes: tuple[tuple[str, Path, Path, Path, list[str]], ...] = (
            ("proxy", paths.proxy_dir, paths.proxy_log_dir, paths.proxy_local, ["-ntargets=1"]),
            ("target", paths.target_dir, paths.target_log_dir, paths.target_local, []),
        )
        for role, node_dir, log_dir, local, extra in nodes:
            argv = [str(self.binary), f"-role={role}", f"-config={paths.cluster}"]
            argv += [f"-local_config={local}", *extra]
            info_log = log_dir / f"ais{role}.INFO"
            self._nodes.append(spawn(role, argv, workdir=node_dir, info_log=info_log, env=env))
        self._wait_ready()

    def _pool(self) -> urllib3.PoolManager:
        options: dict[str, Any] = {}
        if self.tls is not None:
            options["ca_certs"] = str(self.tls.ca_cert)
            if self.client_cert_required:
                options["cert_file"] = str(self.tls.client_cert)
                options["key_file"] = str(self.tls.client_key)
        return urllib3.PoolManager(
            retries=False, timeout=urllib3.Timeout(connect=1.0, read=5.0), **options
        )

    def _wait_ready(self) -> None:
        # /v1/health stays open on a cluster that requires tokens.
        with self._pool() as http:
            url = f"{self.proxy_url}/v1/health?prr=true"
            wait_until_ready(url, self._nodes, http, timeout=self.startup_timeout)

    def _register_with_authn(self) -> None:
        if self.authn is None:
            return
        from aisclient.authn import AuthNClient

        with AuthNClient(self.authn.endpoint, ca_cert=self.ca_cert) as authn:
            self.admin_token = authn.login(self.authn.admin_name, self.authn.admin_password)
            authn.cluster_manager().register(CLUSTER_ALIAS, [self.endpoint])

    def stop(self) -> dict[str, int]:
        """Stop the target, the proxy, then AuthN, and delete the run directory.  Idempotent.

        Returns the exit codes by role (also kept in :attr:`exit_codes`).  An unclean
        exit (anything but 0/130/143) is reported with a :class:`RuntimeWarning` that
        includes the log tail, since the logs are deleted with the run directory.
        """
        atexit.unregister(self.stop)
        if self._nodes or self.authn is not None:
            tail = self._stop_all()
            unclean = {r: c for r, c in self.exit_codes.items() if c not in CLEAN_EXIT_CODES}
            if unclean:
                warnings.warn(
                    f"a server exited uncleanly {unclean}\n{tail}", RuntimeWarning, stacklevel=2
                )
            self._finish(remove=not self.keep_run_dir)
        return dict(self.exit_codes)

    def _stop_nodes(self) -> None:
        for node in reversed(self._nodes):  # target first, then proxy
            self.exit_codes[node.role] = stop_process(node.proc, self.stop_timeout)

    def _stop_all(self) -> str:
        """Stop every server; return their log tails (read after the logs were flushed)."""
        self._stop_nodes()
        if self.authn is not None:
            code = self.authn.stop()
            if code is not None:
                self.exit_codes["authn"] = code
        return self.log_tail()

    def _finish(self, *, remove: bool) -> None:
        self._nodes = []
        self.authn = None
        self.admin_token = None
        if remove and self._run_dir is not None:
            shutil.rmtree(self._run_dir, ignore_errors=True)
