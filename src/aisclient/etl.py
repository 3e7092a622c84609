"""``Etl``: a handle on one ETL (a transformer running in pods next to the targets).

ETL needs a cluster deployed on Kubernetes and built with ETL support; other clusters answer
501 (``APIRequestError`` with ``status_code == 501``). Handles are offline until a method is
called; the name is checked at construction.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from aisclient.errors import AISError
from aisclient.etl_config import ETLConfig
from aisclient.models.etl import (
    ETL_STAGE_ABORTED,
    ETL_STAGE_INIT,
    ETL_STAGE_RUNNING,
    ETLDetails,
    ETLInfo,
    ETLNodeHealth,
    ETLNodeLogs,
    ETLNodeMetrics,
    decode_details,
    decode_health,
    decode_list,
    decode_logs,
    decode_metrics,
)
from aisclient.ops import etl as ops
from aisclient.ops.etl import (
    DEFAULT_ETL_COMM,
    DEFAULT_ETL_OBJ_TIMEOUT,
    DEFAULT_ETL_TIMEOUT,
    ETL_COMM_HPULL,
    ETL_COMM_HPUSH,
    ETL_COMM_OPTIONS,
    ETL_COMM_WS,
    ETL_SUPPORTED_PYTHON_VERSIONS,
)

if TYPE_CHECKING:
    from aisclient.request import Pairs
    from aisclient.session import Session

__all__ = [
    "DEFAULT_ETL_COMM",
    "DEFAULT_ETL_OBJ_TIMEOUT",
    "DEFAULT_ETL_TIMEOUT",
    "ETL_COMM_HPULL",
    "ETL_COMM_HPUSH",
    "ETL_COMM_OPTIONS",
    "ETL_COMM_WS",
    "ETL_STAGE_ABORTED",
    "ETL_STAGE_INIT",
    "ETL_STAGE_RUNNING",
    "ETL_SUPPORTED_PYTHON_VERSIONS",
    "ETLConfig",
    "Etl",
    "list_etls",
    "serialize_class",
]

C = TypeVar("C", bound=type)
Duration = str | int | float


class Etl:
    """One ETL by name. ``etl_a >> etl_b`` chains transforms into a pipeline."""

    def __init__(self, client: Session, name: str) -> None:
        self._client = client
        self._name = ops.validate_etl_name(name)
        self._pipeline: tuple[str, ...] = ()

    @staticmethod
    def validate_etl_name(name: str) -> None:
        """Raise ``ValueError`` unless ``name`` is a valid ETL name."""
        ops.validate_etl_name(name)

    @property
    def client(self) -> Session:
        return self._client

    @property
    def name(self) -> str:
        return self._name

    @property
    def pipeline(self) -> list[str]:
        """Names of the later stages (never this ETL itself)."""
        return list(self._pipeline)

    def __rshift__(self, other: Etl) -> Etl:
        if not isinstance(other, Etl):
            return NotImplemented
        chained = Etl(self._client, self._name)
        chained._pipeline = (*self._pipeline, other.name, *other._pipeline)
        return chained

    def __repr__(self) -> str:
        chain = " >> ".join((self._name, *self._pipeline))
        return f"Etl({chain})"

    def __enter__(self) -> Etl:
        return self

    def __exit__(self, *_: object) -> None:
        # Best effort, as in the SDK: the ETL may already be gone, or never have started.
        for step in (self.stop, self.delete):
            with contextlib.suppress(AISError):
                step()

    def transform_query(self, args: str | Mapping[str, Any] | None = None) -> Pairs:
        """Query pairs that apply this ETL (and its pipeline) to an object GET or copy."""
        return ops.transform_query(self._name, list(self._pipeline), args)

    # -- init -------------------------------------------------------------------------------

    def init(
        self,
        image: str,
        command: Sequence[str] | str | None = None,
        comm_type: str = DEFAULT_ETL_COMM,
        init_timeout: Duration = DEFAULT_ETL_TIMEOUT,
        obj_timeout: Duration = DEFAULT_ETL_OBJ_TIMEOUT,
        direct_put: bool = False,
        direct_file_access: bool = False,
        **kwargs: Any,
    ) -> str:
        """Start the ETL from a container ``image``; keyword arguments become env variables.

        Returns the server's job id. The call waits up to ``init_timeout`` for the pods.
        """
        request = ops.init_image(
            self._name,
            image,
            command=command,
            comm_type=comm_type,
            init_timeout=init_timeout,
            obj_timeout=obj_timeout,
            direct_put=direct_put,
            direct_file_access=direct_file_access,
            env=kwargs,
        )
        return self._client.send_text(request)

    def init_spec(
        self,
        template: str | bytes,
        comm_type: str = DEFAULT_ETL_COMM,
        init_timeout: Duration = DEFAULT_ETL_TIMEOUT,
        obj_timeout: Duration = DEFAULT_ETL_OBJ_TIMEOUT,
        direct_put: bool = False,
        **kwargs: Any,
    ) -> str:
        """Start the ETL from a Kubernetes pod spec (YAML/JSON text). Deprecated by the server."""
        request = ops.init_spec(
            self._name,
            template,
            comm_type=comm_type,
            init_timeout=init_timeout,
            obj_timeout=obj_timeout,
            direct_put=direct_put,
            env=kwargs,
        )
        return self._client.send_text(request)

    def init_class(
        self,
        *,
        dependencies: Iterable[str] | None = None,
        os_packages: Iterable[str] | None = None,
        comm_type: str = DEFAULT_ETL_COMM,
        init_timeout: Duration = DEFAULT_ETL_TIMEOUT,
        obj_timeout: Duration = DEFAULT_ETL_OBJ_TIMEOUT,
        direct_put: bool = True,
        direct_file_access: bool = False,
        **kwargs: Any,
    ) -> Callable[[C], C]:
        """A class decorator that ships the ETL server class to the cluster when applied.

        The class is serialized with ``cloudpickle`` (install it to use this) and runs in
        the ``aistorage/runtime_python`` image of this interpreter's version.
        """
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        image = ops.runtime_python_image(version)

        def register(cls: C) -> C:
            env = ops.class_env(serialize_class(cls), dependencies, os_packages, kwargs)
            self.init(
                image,
                comm_type=comm_type,
                init_timeout=init_timeout,
                obj_timeout=obj_timeout,
                direct_put=direct_put,
                direct_file_access=direct_file_access,
                **env,
            )
            return cls

        return register

    # -- lifecycle and inspection -------------------------------------------------------------

    def view(self, job_id: str = "") -> ETLDetails:
        """The stored init message and per-object errors (of an offline job with ``job_id``)."""
        return decode_details(self._client.send_json(ops.details(self._name, job_id)))

    details = view

    def start(self) -> str:
        """Restart a stopped ETL; returns the new job id."""
        return self._client.send_text(ops.start(self._name))

    def stop(self) -> None:
        """Stop the ETL's pods (it stays registered, in stage ``Aborted``)."""
        self._client.send(ops.stop(self._name)).close()

    def delete(self) -> None:
        """Remove the ETL (the server stops it first if needed)."""
        self._client.send(ops.delete(self._name)).close()

    def logs(self, target_id: str = "") -> list[ETLNodeLogs]:
        """Pod logs per target (all targets, or one), as text."""
        return decode_logs(self._client.send_json(ops.logs(self._name, target_id)))

    def health(self) -> list[ETLNodeHealth]:
        """Health status of the ETL pod on each target."""
        return decode_health(self._client.send_json(ops.health(self._name)))

    def metrics(self) -> list[ETLNodeMetrics]:
        """CPU and memory use of the ETL pod on each target."""
        return decode_metrics(self._client.send_json(ops.metrics(self._name)))


def list_etls(
    client: Session, stages: Iterable[str] | None = (ETL_STAGE_RUNNING,)
) -> list[ETLInfo]:
    """ETLs known to the cluster, filtered (on the client) to ``stages``; ``None``: all."""
    found = decode_list(client.send_json(ops.list_etls()))
    if stages is None:
        return found
    wanted = set(stages)
    return [info for info in found if info.stage in wanted]


def serialize_class(cls: type, encoding: str = "utf-8") -> str:
    """An ETL server class as base64 text of its cloudpickle (needs ``cloudpickle``)."""
    import base64

    if not isinstance(cls, type) or not (
        hasattr(cls, "transform") or hasattr(cls, "transform_stream")
    ):
        raise TypeError(
            f"{cls!r} is not an ETL server class (it must define transform or transform_stream)"
        )
    try:
        import cloudpickle  # type: ignore[import-not-found, unused-ignore]
    except ImportError as err:
        raise ImportError(
            "init_class needs the 'cloudpickle' package to serialize the class: "
            "pip install cloudpickle (or use Etl.init with a container image)"
        ) from err
    payload: bytes = cloudpickle.dumps(cls)
    return base64.b64encode(payload).decode(encoding)
