"""Testing helpers for aisclient users and for aisclient's own tests.

Heavy parts are imported on first use, so ``import aisclient.testing`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aisclient.testing.local import LocalCluster
    from aisclient.testing.protocol import ClusterLike, ExternalCluster
    from aisclient.testing.real import RealCluster

__all__ = ["ClusterLike", "ExternalCluster", "LocalCluster", "RealCluster"]

_EXPORTS = {
    "ClusterLike": "aisclient.testing.protocol",
    "ExternalCluster": "aisclient.testing.protocol",
    "LocalCluster": "aisclient.testing.local",
    "RealCluster": "aisclient.testing.real",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
