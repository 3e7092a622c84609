"""A target (storage node): serves objects and the Get-Batch archive."""

from __future__ import annotations

from typing import ClassVar

from . import batch, clusterapi, objects
from .common import Handler, V1Router
from .context import ClusterCtx
from .errors import HttpError
from .httpd import ServerExchange


def _proxy_only(ctx: ClusterCtx, ex: ServerExchange) -> None:
    raise HttpError(400, f"{ex.node.name}: {ex.method} {ex.path} must be sent to a proxy")


class TargetRouter(V1Router):
    routes: ClassVar[dict[str, Handler]] = {
        "objects": objects.handle,
        "ml": batch.target,
        "health": clusterapi.health,
        "daemon": clusterapi.daemon,
        **dict.fromkeys(("buckets", "cluster", "etl", "sort", "reverse"), _proxy_only),
    }
