"""The one shape every test cluster has, so fixtures and tools can take any of them.

``LocalCluster`` (in-process), ``RealCluster`` (aisnode processes) and :class:`ExternalCluster`
(one that is already running elsewhere) all satisfy :class:`ClusterLike`.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self, runtime_checkable


@runtime_checkable
class ClusterLike(Protocol):
    """A cluster a client can be pointed at: ``endpoint`` once started, ``start()``/``stop()``,
    and a context manager that does both."""

    @property
    def endpoint(self) -> str: ...

    def start(self) -> Self: ...

    def stop(self) -> object: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class ExternalCluster:
    """A cluster someone else runs (e.g. ``AIS_ENDPOINT``): starting and stopping do nothing."""

    def __init__(self, endpoint: str) -> None:
        self._endpoint = endpoint

    def __repr__(self) -> str:
        return f"ExternalCluster({self._endpoint!r})"

    @property
    def endpoint(self) -> str:
        return self._endpoint

    def start(self) -> ExternalCluster:
        return self

    def stop(self) -> None:
        return None

    def __enter__(self) -> ExternalCluster:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


if TYPE_CHECKING:  # the type checker proves that every launcher has the shape
    from aisclient.testing.local import LocalCluster
    from aisclient.testing.real import RealCluster

    _LOCAL: type[ClusterLike] = LocalCluster
    _REAL: type[ClusterLike] = RealCluster
    _EXTERNAL: type[ClusterLike] = ExternalCluster
