"""ETL request builders (``/v1/etl``): init forms, lifecycle, details, logs, health, metrics.

Durations go on the wire as Go duration strings (``"5m"``, ``"45s"``); the server rejects
numbers, so numeric input is converted here. Init waits up to ``init_timeout`` for the pods,
so its request carries that timeout; start/stop/delete/logs allow 300 s, as the SDK does.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from aisclient.request import JsonBody, Pairs, Request
from aisclient.timeouts import Timeout

ETL = "etl"

ETL_COMM_HPUSH = "hpush"
ETL_COMM_HPULL = "hpull"
ETL_COMM_WS = "ws"
ETL_COMM_OPTIONS = [ETL_COMM_HPUSH, ETL_COMM_HPULL, ETL_COMM_WS]
DEFAULT_ETL_COMM = ETL_COMM_HPUSH
DEFAULT_ETL_TIMEOUT = "5m"
DEFAULT_ETL_OBJ_TIMEOUT = "45s"
ETL_SUPPORTED_PYTHON_VERSIONS = ["3.10", "3.11", "3.12", "3.13", "3.14"]
RUNTIME_PYTHON_IMAGE = "aistorage/runtime_python"
#: How long start/stop/delete/logs may take (pods are created or torn down).
LIFECYCLE_SECONDS = 300.0

ETL_NAME_MIN, ETL_NAME_MAX = 6, 32
_ETL_NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)")


def validate_etl_name(name: str) -> str:
    """``name`` if it is a valid ETL name (6-32 of ``[a-z0-9-]``, alphanumeric at both ends)."""
    if not isinstance(name, str):
        raise TypeError(f"ETL name must be a str, not {type(name).__name__}")
    if not ETL_NAME_MIN <= len(name) <= ETL_NAME_MAX:
        raise ValueError(
            f"ETL name {name!r} must be {ETL_NAME_MIN} to {ETL_NAME_MAX} characters long"
        )
    if not _ETL_NAME.fullmatch(name):
        raise ValueError(
            f"ETL name {name!r} may contain only lowercase letters, digits and '-', and must "
            "start and end with a letter or digit"
        )
    return name


def duration_seconds(value: str | int | float) -> float:
    """Seconds in a duration: a number, digits, or a Go duration (``"1m30s"``; ``d`` = day)."""
    if isinstance(value, bool):
        raise TypeError(f"duration must be a string or a number, not {value!r}")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"duration must not be negative: {value!r}")
        return float(value)
    if not isinstance(value, str):
        raise TypeError(f"duration must be a string or a number, not {type(value).__name__}")
    text = value.strip()
    if text.isdigit():
        return float(text)
    parts = _DURATION_PART.findall(text)
    if not text or "".join(number + unit for number, unit in parts) != text:
        raise ValueError(
            f"invalid duration {value!r}: use seconds, or a duration such as '45s', '5m', '1h'"
        )
    return sum(float(number) * (86400.0 if unit == "d" else _UNITS[unit]) for number, unit in parts)


def go_duration(value: str | int | float) -> str:
    """The duration as a string the server's Go parser accepts (``"5m"``, ``"300s"``, ``"24h"``)."""
    if isinstance(value, str) and "d" not in value.strip() and not value.strip().isdigit():
        duration_seconds(value)  # validate only; keep the caller's spelling
        return value.strip()
    seconds = duration_seconds(value)
    return f"{int(seconds)}s" if seconds == int(seconds) else f"{seconds:g}s"


def comm_value(comm_type: str) -> str:
    """``hpush`` → ``hpush://``; anything outside ``ETL_COMM_OPTIONS`` is a ``ValueError``."""
    if not isinstance(comm_type, str):
        raise TypeError(f"comm_type must be a str, not {type(comm_type).__name__}")
    bare = comm_type.removesuffix("://").lower()
    if bare not in ETL_COMM_OPTIONS:
        raise ValueError(f"comm_type {comm_type!r} is not one of {', '.join(ETL_COMM_OPTIONS)}")
    return f"{bare}://"


def env_list(env: Mapping[str, Any]) -> list[dict[str, str]]:
    """Environment variables as Kubernetes ``EnvVar`` objects; values become strings."""
    return [{"name": str(key), "value": str(value)} for key, value in env.items()]


def _init_timeout(init_timeout: str | int | float) -> Timeout:
    seconds = duration_seconds(init_timeout)
    limit = seconds if seconds > 0 else None
    return Timeout(connect=limit, read=limit)


def _base_message(
    name: str,
    comm_type: str,
    init_timeout: str | int | float,
    obj_timeout: str | int | float,
    direct_put: bool,
) -> dict[str, Any]:
    comm = comm_value(comm_type)
    if comm == "ws://" and not direct_put:
        raise ValueError(
            "comm_type 'ws' requires direct_put=True (the server refuses it otherwise)"
        )
    return {
        "name": validate_etl_name(name),
        "communication": comm,
        "init_timeout": go_duration(init_timeout),
        "obj_timeout": go_duration(obj_timeout),
        "support_direct_put": bool(direct_put),
    }


def init_image(
    name: str,
    image: str,
    *,
    command: Sequence[str] | str | None = None,
    comm_type: str = DEFAULT_ETL_COMM,
    init_timeout: str | int | float = DEFAULT_ETL_TIMEOUT,
    obj_timeout: str | int | float = DEFAULT_ETL_OBJ_TIMEOUT,
    direct_put: bool = False,
    direct_file_access: bool = False,
    env: Mapping[str, Any] | None = None,
) -> Request:
    """``PUT /v1/etl`` with an ETLSpecMsg: a container image (and optional command, env)."""
    if not isinstance(image, str) or not image.strip():
        raise ValueError("image must be a non-empty container image reference")
    message = _base_message(name, comm_type, init_timeout, obj_timeout, direct_put)
    runtime: dict[str, Any] = {"image": image}
    if command:
        runtime["command"] = command.split() if isinstance(command, str) else list(command)
    variables = dict(env or {})
    if direct_file_access:
        variables["ETL_DIRECT_FQN"] = "true"
    if variables:
        runtime["env"] = env_list(variables)
    message["runtime"] = runtime
    return Request(
        "PUT",
        (ETL,),
        body=JsonBody.of(message),
        idempotent=False,  # a blind re-send could meet "already exists"
        timeout=_init_timeout(init_timeout),
    )


def init_spec(
    name: str,
    template: str | bytes,
    *,
    comm_type: str = DEFAULT_ETL_COMM,
    init_timeout: str | int | float = DEFAULT_ETL_TIMEOUT,
    obj_timeout: str | int | float = DEFAULT_ETL_OBJ_TIMEOUT,
    direct_put: bool = False,
    env: Mapping[str, Any] | None = None,
) -> Request:
    """``PUT /v1/etl`` with an InitSpecMsg: a Kubernetes pod spec (YAML or JSON text).

    Deprecated by the server (to be removed); the pod needs one container with one port
    named ``default`` and an HTTP readiness probe.
    """
    raw = template.encode("utf-8") if isinstance(template, str) else bytes(template)
    if not raw.strip():
        raise ValueError("the pod spec template must not be empty")
    message = _base_message(name, comm_type, init_timeout, obj_timeout, direct_put)
    if env:
        message["env"] = env_list(env)
    message["spec"] = base64.b64encode(raw).decode("ascii")  # a Go []byte on the wire
    return Request(
        "PUT",
        (ETL,),
        body=JsonBody.of(message),
        idempotent=False,
        timeout=_init_timeout(init_timeout),
    )


def runtime_python_image(python_version: str) -> str:
    """The image that runs a serialized ETL class for this ``major.minor`` Python version."""
    if python_version not in ETL_SUPPORTED_PYTHON_VERSIONS:
        raise ValueError(
            f"Python {python_version} is not supported for ETL classes; use one of "
            f"{', '.join(ETL_SUPPORTED_PYTHON_VERSIONS)}"
        )
    return f"{RUNTIME_PYTHON_IMAGE}:{python_version}"


def class_env(
    payload: str,
    dependencies: Iterable[str] | None,
    os_packages: Iterable[str] | None,
    env: Mapping[str, Any] | None = None,
) -> dict[str, str]:
    """The environment that carries a serialized ETL class and the packages it needs."""
    result = {"ETL_CLASS_PAYLOAD": payload}
    if dependencies:
        result["PACKAGES"] = ",".join(dependencies)
    if os_packages:
        result["OS_PACKAGES"] = ",".join(os_packages)
    for key, value in (env or {}).items():
        result[str(key)] = str(value)
    return result


def _lifecycle(method: str, *path: str) -> Request:
    limit = Timeout(connect=LIFECYCLE_SECONDS, read=LIFECYCLE_SECONDS)
    return Request(method, (ETL, *path), timeout=limit)


def list_etls() -> Request:
    return Request("GET", (ETL,))


def details(name: str, job_id: str = "") -> Request:
    """Details of the ETL, or of one offline-transform job of it (``job_id``)."""
    return Request("GET", (ETL, validate_etl_name(name)), query=(("uuid", job_id or ""),))


def logs(name: str, target_id: str = "") -> Request:
    path = (validate_etl_name(name), "logs", *((target_id,) if target_id else ()))
    return _lifecycle("GET", *path)


def health(name: str) -> Request:
    return Request("GET", (ETL, validate_etl_name(name), "health"))


def metrics(name: str) -> Request:
    return Request("GET", (ETL, validate_etl_name(name), "metrics"))


def start(name: str) -> Request:
    return _lifecycle("POST", validate_etl_name(name), "start")


def stop(name: str) -> Request:
    return _lifecycle("POST", validate_etl_name(name), "stop")


def delete(name: str) -> Request:
    # Not re-sent after a lost response: a second DELETE would report "not found".
    return _lifecycle("DELETE", validate_etl_name(name)).replace(idempotent=False)


def transform_query(
    name: str,
    pipeline: Sequence[str] | None = None,
    args: str | Mapping[str, Any] | None = None,
) -> Pairs:
    """Query pairs of an inline transform: ``etl_name`` [, ``etl_pipeline``] [, ``etl_args``].

    ``pipeline`` (the later stages) is sent whenever given, even empty, as the SDK does for a
    chained ``Etl``; a dict ``args`` becomes compact JSON, a string goes as is.
    """
    pairs: list[tuple[str, str]] = [("etl_name", validate_etl_name(name))]
    if pipeline is not None:
        pairs.append(("etl_pipeline", ",".join(validate_etl_name(n) for n in pipeline)))
    if args is not None:
        text = args if isinstance(args, str) else json.dumps(args, separators=(",", ":"))
        pairs.append(("etl_args", text))
    return tuple(pairs)
