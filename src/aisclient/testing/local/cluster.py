"""LocalCluster: an AIS-compatible cluster (1 proxy + N targets) inside this process."""

from __future__ import annotations

import random
import shutil
import string
import tempfile
import threading
from pathlib import Path
from types import TracebackType

from .context import ClusterCtx, short_id
from .faults import Faults, RequestLog
from .httpd import NodeInfo, NodeServer
from .names import Bck, normalize_provider
from .proxy import ProxyRouter
from .store import Store
from .target import TargetRouter


def _node_id(kind: str, port: int) -> str:
    letters = "".join(random.choices(string.ascii_letters, k=3))
    return f"{letters}{'p' if kind == 'proxy' else 't'}{port}"


class LocalCluster:
    """An in-process AIStore look-alike listening on 127.0.0.1.

    Every node (one proxy, ``targets`` targets) is its own HTTP/1.1 server on an
    ephemeral port (the proxy on ``port`` if given).  Objects are stored under
    ``root`` (a temporary directory removed by :meth:`stop` when ``root`` is None).

    ``page_size`` is the default list-objects page size (AIS uses 10000; a smaller
    default makes paging easy to exercise), ``job_delay`` holds every job that
    long before it runs, so tests can observe running jobs.  ``promote`` accepts
    only sources under ``promote_root`` (AIS: ``/var/lib/ais/promote``).
    """

    def __init__(
        self,
        targets: int = 2,
        *,
        port: int = 0,
        root: str | Path | None = None,
        host: str = "127.0.0.1",
        page_size: int = 1000,
        max_page_size: int = 10_000,
        job_delay: float = 0.0,
        promote_root: str | Path = "/var/lib/ais/promote",
    ) -> None:
        if targets < 1:
            raise ValueError("a cluster needs at least one target")
        self._ntargets = targets
        self._port = port
        self._root_arg = Path(root) if root is not None else None
        self._host = host
        self._page_size = page_size
        self._max_page_size = max(max_page_size, page_size)
        self._job_delay = job_delay
        self._promote_root = Path(promote_root)
        self.faults = Faults()
        self.requests = RequestLog()
        self._servers: list[NodeServer] = []
        self._threads: list[threading.Thread] = []
        self._ctx: ClusterCtx | None = None
        self._root: Path | None = None
        self._owns_root = False

    # ---- lifecycle -------------------------------------------------------------

    def start(self) -> LocalCluster:
        if self._ctx is not None:
            return self
        if self._root_arg is None:
            self._root = Path(tempfile.mkdtemp(prefix="aisclient-local-"))
            self._owns_root = True
        else:
            self._root = self._root_arg
            self._root.mkdir(parents=True, exist_ok=True)
        try:
            self._start_nodes(self._root)
        except BaseException:
            self.stop()
            raise
        return self

    def _start_nodes(self, root: Path) -> None:
        store = Store(root)
        nodes: list[NodeInfo] = []
        for i in range(self._ntargets + 1):
            kind = "proxy" if i == 0 else "target"
            node = NodeInfo("", kind, self._host, self._port if i == 0 else 0)
            server = NodeServer(node)
            node.id = _node_id(kind, node.port)
            self._servers.append(server)
            nodes.append(node)
        ctx = ClusterCtx(
            store,
            nodes[0],
            nodes[1:],
            self._page_size,
            self._max_page_size,
            self._job_delay,
            promote_root=self._promote_root,
            faults=self.faults,
            requests=self.requests,
        )
        if not store.uuid:
            store.uuid = short_id()
        ctx.uuid = store.uuid
        proxy_router = ProxyRouter(ctx)
        target_router = TargetRouter(ctx)
        for server in self._servers:
            server.router = proxy_router if server.node.kind == "proxy" else target_router
            server.hooks = ctx
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"ais-{server.node.name}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        self._ctx = ctx

    def stop(self) -> None:
        ctx, self._ctx = self._ctx, None
        if ctx is not None:
            for job in ctx.jobs.select(only_running=True):
                job.cancel.set()
        for server in self._servers:
            server.shutdown()
            server.close_connections()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        if ctx is not None:
            ctx.jobs.wait_idle(5.0)
        self._servers.clear()
        self._threads.clear()
        if self._owns_root and self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None
            self._owns_root = False

    def __enter__(self) -> LocalCluster:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ---- information -----------------------------------------------------------

    @property
    def ctx(self) -> ClusterCtx:
        if self._ctx is None:
            raise RuntimeError("LocalCluster is not running (call start() first)")
        return self._ctx

    @property
    def running(self) -> bool:
        return self._ctx is not None

    @property
    def endpoint(self) -> str:
        """The proxy URL, e.g. ``http://127.0.0.1:51234``."""
        return self.ctx.proxy.url

    @property
    def target_endpoints(self) -> list[str]:
        return [t.url for t in self.ctx.targets]

    @property
    def proxy_id(self) -> str:
        return self.ctx.proxy.id

    @property
    def target_ids(self) -> list[str]:
        return [t.id for t in self.ctx.targets]

    @property
    def root(self) -> Path:
        """Directory holding the cluster's data."""
        return self.ctx.store.root

    def owner(self, bucket: str, obj: str, provider: str = "ais") -> str:
        """Id of the target that owns ``bucket/obj`` (the one the proxy redirects to)."""
        return self.ctx.owner(Bck(bucket, normalize_provider(provider)), obj).id

    def wait_for_jobs(self, timeout: float = 10.0) -> bool:
        """Block until no job is running; False on timeout."""
        return self.ctx.jobs.wait_idle(timeout)

    def __repr__(self) -> str:
        state = self.endpoint if self.running else "stopped"
        return f"<LocalCluster {state} targets={self._ntargets}>"
