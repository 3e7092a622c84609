"""A target (storage node): serves objects and the Get-Batch archive."""

from __future__ import annotations

from . import batch, clusterapi, objects
from .context import ClusterCtx
from .errors import AisError
from .httpd import Exchange
from .proxy import invalid_uri


class TargetRouter:
    def __init__(self, ctx: ClusterCtx) -> None:
        self.ctx = ctx

    def __call__(self, ex: Exchange) -> None:
        ctx = self.ctx
        parts = ex.path.split("/", 3)
        if len(parts) < 3 or parts[1] != "v1":
            raise invalid_uri(ex)
        area = parts[2]
        if area == "objects":
            objects.handle(ctx, ex)
        elif area == "ml":
            batch.target(ctx, ex)
        elif area == "health":
            clusterapi.health(ctx, ex)
        elif area == "daemon":
            clusterapi.daemon(ctx, ex)
        elif area in ("buckets", "cluster", "etl", "sort", "reverse"):
            raise AisError(400, f"{ex.node.name}: {ex.method} {ex.path} must be sent to a proxy")
        else:
            raise invalid_uri(ex)
