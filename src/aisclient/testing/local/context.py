"""State shared by all nodes of one LocalCluster (they live in one process)."""

from __future__ import annotations

import random
import string
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import hrw
from .faults import Faults, RequestLog, RequestRecord
from .httpd import NodeInfo, ServerExchange
from .jobs import Jobs
from .names import Bck
from .store import Store
from .uploads import Uploads

_ALNUM = string.ascii_letters + string.digits


def short_id(n: int = 9) -> str:
    return "".join(random.choices(_ALNUM, k=n))


def base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out or "0"


@dataclass
class ClusterCtx:
    store: Store
    proxy: NodeInfo
    targets: list[NodeInfo]
    page_size: int
    max_page_size: int
    job_delay: float
    promote_root: Path = Path("/var/lib/ais/promote")
    faults: Faults = field(default_factory=Faults)
    requests: RequestLog = field(default_factory=RequestLog)
    started_ns: int = field(default_factory=time.time_ns)
    uuid: str = field(default_factory=short_id)
    smap_version: int = 4
    uploads: Uploads = field(default_factory=Uploads)
    jobs: Jobs = field(init=False)

    def __post_init__(self) -> None:
        self.jobs = Jobs([t.id for t in self.targets], self.job_delay)
        self._digests = [(t.id, hrw.node_digest(t.id)) for t in self.targets]

    def target(self, node_id: str) -> NodeInfo | None:
        for t in self.targets:
            if t.id == node_id:
                return t
        return None

    def owner(self, bck: Bck, obj: str) -> NodeInfo:
        """The target that owns ``obj`` (HRW over the cluster map, as AIS does)."""
        tid = hrw.pick(bck.uname(obj), self._digests)
        found = self.target(tid)
        assert found is not None
        return found

    def location(self, ex: ServerExchange, node: NodeInfo, path: str | None = None) -> str:
        """Redirect URL: target + (same) path + original query + ``pid``/``utm``."""
        raw_path = ex.raw_path if path is None else path
        extra = f"pid={self.proxy.id}&utm={base36(time.time_ns())}"
        query = f"{ex.raw_query}&{extra}" if ex.raw_query else extra
        return f"{node.url}{raw_path}?{query}"

    # ---- hooks (request log + faults) --------------------------------------

    def on_request(self, ex: ServerExchange) -> bool:
        self.requests.append(RequestRecord(ex.method, ex.node.id, ex.path, ex.raw_query))
        return self.faults.apply(ex)
