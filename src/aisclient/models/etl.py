"""ETL values: list entries, details (the stored init message), per-target logs/health/metrics."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from attrs import frozen

from aisclient.models._convert import structure
from aisclient.models._guard import decoder

# One class for list entries, shared with Cluster.list_etls.
from aisclient.models.cluster import ETLInfo as ETLInfo

ETL_STAGE_INIT = "Initializing"
ETL_STAGE_RUNNING = "Running"
ETL_STAGE_ABORTED = "Aborted"
ETL_STAGE_UNKNOWN = "Unknown"


@frozen
class EnvVar:
    """A container environment variable (Kubernetes ``EnvVar``)."""

    name: str
    value: str = ""


@frozen
class ETLRuntimeSpec:
    image: str = ""
    command: list[str] | None = None
    env: list[EnvVar] | None = None


@frozen
class ETLInitMsg:
    """The init message the cluster stored (durations are Go strings such as ``"5m"``).

    ``code``, ``dependencies`` and ``chunk_size`` are legacy fields: current servers do not send
    them, but older ones did.
    """

    name: str = ""
    communication: str = ""
    init_timeout: str = ""
    obj_timeout: str = ""
    support_direct_put: bool = False
    runtime: ETLRuntimeSpec | None = None
    env: list[EnvVar] | None = None
    code: str | None = None
    dependencies: str | None = None
    chunk_size: int = 0


@frozen
class ETLObjError:
    obj_name: str = ""
    msg: str = ""
    ecode: int = 0


@frozen
class ETLDetails:
    init_msg: ETLInitMsg | None = None
    obj_errors: list[ETLObjError] | None = None


@frozen
class ETLNodeLogs:
    """Logs of the ETL pod on one target, decoded to text."""

    target_id: str = ""
    logs: str = ""


@frozen
class ETLNodeHealth:
    target_id: str = ""
    health_status: str = ""


@frozen
class ETLNodeMetrics:
    """CPU and memory (bytes) of the ETL pod on one target."""

    target_id: str = ""
    cpu: float = 0.0
    mem: int = 0


def decode_details(doc: Any) -> ETLDetails:
    return structure(doc or {}, ETLDetails)


@decoder("the ETL list")
def decode_list(doc: Any) -> list[ETLInfo]:
    return [structure(item, ETLInfo) for item in doc or []]


def _decode_log_text(value: Any) -> str:
    """``logs`` is base64 on the wire; invalid bytes become U+FFFD, as in the SDK."""
    if not isinstance(value, str) or not value:
        return ""
    try:
        raw = base64.b64decode(value, validate=False)
    except (binascii.Error, ValueError):
        return value
    return raw.decode("utf-8", errors="replace")


@decoder("the ETL logs")
def decode_logs(doc: Any) -> list[ETLNodeLogs]:
    return [
        ETLNodeLogs(
            target_id=str(item.get("target_id") or ""),
            logs=_decode_log_text(item.get("logs")),
        )
        for item in doc or []
        if isinstance(item, dict)
    ]


@decoder("the ETL health")
def decode_health(doc: Any) -> list[ETLNodeHealth]:
    return [structure(item, ETLNodeHealth) for item in doc or []]


@decoder("the ETL metrics")
def decode_metrics(doc: Any) -> list[ETLNodeMetrics]:
    return [structure(item, ETLNodeMetrics) for item in doc or []]
