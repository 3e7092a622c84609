"""dSort request builders and the typed spec (``DsortFramework``) that renders the start body.

Endpoints live under ``/v1/sort``: start (POST, body = request spec), job info and list
(GET), abort (DELETE ``/sort/abort``) and remove (DELETE).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from attrs import evolve, field, frozen

from aisclient.ops._common import object_path, object_url
from aisclient.provider import BucketRef, as_bucket_ref
from aisclient.request import BytesBody, JsonBody, Request
from aisclient.validators import is_int

SORT = "sort"
_SPEC_SUFFIXES = (".json", ".yaml", ".yml")
EKM_OBJECT = "ekm-file.json"
ALGORITHM_KINDS = ("alphanumeric", "shuffle", "content")
CONTENT_KEY_TYPES = ("int", "float", "string")
DEFAULT_EXTENSION = ".tar"


# -- spec values --------------------------------------------------------------------------


def _check_kind(_: object, __: object, kind: str) -> None:
    if kind not in ALGORITHM_KINDS:
        raise ValueError(f"algorithm kind {kind!r} is not one of {', '.join(ALGORITHM_KINDS)}")


@frozen
class DsortAlgorithm:
    """How records are ordered. ``content`` sorts by a key file (``extension``) of a type."""

    kind: Literal["alphanumeric", "shuffle", "content"] = field(
        default="alphanumeric", validator=_check_kind
    )
    decreasing: bool = False
    seed: str | None = ""
    extension: str | None = None
    content_key_type: Literal["int", "float", "string"] | None = None

    def __attrs_post_init__(self) -> None:
        if self.seed and not (isinstance(self.seed, str) and self.seed.isdigit()):
            raise ValueError(f"seed must be a string of decimal digits, got {self.seed!r}")
        if self.kind == "content":
            if not self.extension or not self.extension.startswith("."):
                raise ValueError("the content algorithm needs extension='.<ext>' (the key file)")
            if self.content_key_type not in CONTENT_KEY_TYPES:
                raise ValueError(
                    f"the content algorithm needs content_key_type in {CONTENT_KEY_TYPES}"
                )
        elif self.extension is not None or self.content_key_type is not None:
            raise ValueError("extension and content_key_type apply only to kind='content'")

    def as_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "kind": self.kind,
            "decreasing": self.decreasing,
            "seed": self.seed or "",
        }
        if self.kind == "content":
            doc["extension"] = self.extension
            doc["content_key_type"] = self.content_key_type
        return doc


def _names_of(value: Any) -> list[str] | None:
    """The names of an ObjectNames-like value, or ``None`` if it is not one."""
    if isinstance(value, list | tuple) and all(isinstance(n, str) for n in value):
        return list(value)
    get_value = getattr(value, "get_value", None)
    if callable(get_value):
        doc = get_value()
        if isinstance(doc, Mapping) and isinstance(doc.get("objnames"), list | tuple):
            return [str(n) for n in doc["objnames"]]
    return None


def _template_of(value: Any) -> str | None:
    """The brace template of a str or ObjectRange/ObjectTemplate-like value, else ``None``."""
    if isinstance(value, str):
        return value
    get_value = getattr(value, "get_value", None)
    if callable(get_value):
        doc = get_value()
        if isinstance(doc, Mapping) and isinstance(doc.get("template"), str):
            return str(doc["template"])
    return None


class ExternalKeyMap(dict[str, list[str]]):
    """Output shard name format → the object (record) names that go into it."""

    def __init__(self, items: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        for key, value in (items or {}).items():
            self[key] = value

    def __setitem__(self, key: str, value: Any) -> None:
        names = _names_of(value)
        if not isinstance(key, str) or names is None:
            raise TypeError("ExternalKeyMap maps a str to ObjectNames (or a list of names)")
        super().__setitem__(key, names)

    def as_dict(self) -> dict[str, list[str]]:
        return {key: list(names) for key, names in self.items()}

    def __str__(self) -> str:
        return ""  # sent as the (empty) output_format when the map defines the output


def bucket_json(bucket: BucketRef) -> dict[str, Any]:
    """A bucket in a spec: name and provider, plus namespace only when it is not global."""
    doc: dict[str, Any] = {"name": bucket.name, "provider": bucket.provider.value}
    if bucket.namespace is not None and not bucket.namespace.is_global:
        doc["namespace"] = bucket.namespace.as_json()
    return doc


def _check_role(_: object, __: object, role: str) -> None:
    if role not in ("input", "output"):
        raise ValueError(f"role must be 'input' or 'output', not {role!r}")


@frozen
class DsortShardsGroup:
    """The input or output side of a dSort: bucket, shard selection/naming, extension.

    Input format: a template string, ObjectRange/ObjectTemplate, or ObjectNames (or a list of
    names). Output format: a template string, ObjectRange, or an :class:`ExternalKeyMap`.
    """

    bck: BucketRef = field(converter=as_bucket_ref)
    role: Literal["input", "output"] = field(validator=_check_role)
    format: Any = None
    extension: str = DEFAULT_EXTENSION

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.extension, str) or not self.extension:
            raise ValueError("extension must be a non-empty string such as '.tar'")
        if self.role == "input":
            if isinstance(self.format, ExternalKeyMap) or (
                _names_of(self.format) is None and _template_of(self.format) is None
            ):
                raise ValueError("input format must be ObjectNames, ObjectRange or a template")
        elif not isinstance(self.format, ExternalKeyMap) and (_template_of(self.format) is None):
            raise ValueError("output format must be an ObjectRange, a template or ExternalKeyMap")

    def format_value(self) -> Any:
        if self.role == "output":
            if isinstance(self.format, ExternalKeyMap):
                return ""
            return _template_of(self.format)
        names = _names_of(self.format)
        if names is not None:
            return {"objnames": names}
        return {"template": _template_of(self.format)}

    def as_dict(self) -> dict[str, Any]:
        return {
            f"{self.role}_bck": bucket_json(self.bck),
            f"{self.role}_format": self.format_value(),
            f"{self.role}_extension": self.extension,
        }


def _size_text(value: str | int | None) -> str | None:
    if value is None or value == "" or value == 0:
        return None
    if not (isinstance(value, str) or is_int(value)):
        raise TypeError(f"output_shard_size must be a size string or int, not {value!r}")
    if isinstance(value, int) and value < 0:
        raise ValueError("output_shard_size must not be negative")
    return str(value)


def _algorithm(value: DsortAlgorithm | None) -> DsortAlgorithm:
    return DsortAlgorithm() if value is None else value


@frozen
class DsortFramework:
    """A typed dSort spec. ``extra`` adds raw spec fields (e.g. ``max_mem_usage``)."""

    input_shards: DsortShardsGroup
    output_shards: DsortShardsGroup
    algorithm: DsortAlgorithm = field(factory=DsortAlgorithm, converter=_algorithm)
    description: str | None = None
    output_shard_size: str | None = field(default=None, converter=_size_text)
    ekm_file: str | None = field(default=None, kw_only=True)
    ekm_sep: str | None = field(default=None, kw_only=True)
    extra: Mapping[str, Any] = field(factory=dict, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.input_shards.role != "input" or self.output_shards.role != "output":
            raise ValueError("input_shards must have role 'input', output_shards role 'output'")

    @property
    def ekm(self) -> ExternalKeyMap | None:
        fmt = self.output_shards.format
        return fmt if isinstance(fmt, ExternalKeyMap) else None

    def to_spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {}
        spec.update(self.input_shards.as_dict())
        spec.update(self.output_shards.as_dict())
        spec["algorithm"] = self.algorithm.as_dict()
        spec["description"] = self.description or ""
        if self.output_shard_size:
            spec["output_shard_size"] = self.output_shard_size
        if self.ekm_file:
            spec["ekm_file"] = self.ekm_file
            spec["ekm_file_sep"] = self.ekm_sep or ""
        spec.update(self.extra)
        return spec

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> DsortFramework:
        """The framework for a spec mapping; fields it does not model go to ``extra``."""
        return framework_from_spec(spec)

    @classmethod
    def from_file(cls, spec: Any) -> DsortFramework:
        """Load a ``.json`` (or, with PyYAML, ``.yaml``/``.yml``) spec file."""
        return framework_from_spec(load_spec_file(spec))


_MODELED = {
    "input_bck",
    "input_format",
    "input_extension",
    "output_bck",
    "output_format",
    "output_extension",
    "algorithm",
    "description",
    "output_shard_size",
    "ekm_file",
    "ekm_file_sep",
}


def framework_from_spec(spec: Mapping[str, Any]) -> DsortFramework:
    if not isinstance(spec, Mapping):
        raise ValueError("a dSort spec must be a mapping")
    if "input_bck" not in spec or "input_format" not in spec:
        raise ValueError("a dSort spec needs input_bck and input_format")
    input_bck = as_bucket_ref(spec["input_bck"])
    raw_in = spec["input_format"]
    in_format: Any = raw_in
    if isinstance(raw_in, Mapping):
        in_format = raw_in.get("objnames") or raw_in.get("template")
    in_ext = spec.get("input_extension") or DEFAULT_EXTENSION
    output_bck = as_bucket_ref(spec["output_bck"]) if spec.get("output_bck") else input_bck
    algorithm = spec.get("algorithm") or {}
    return DsortFramework(
        DsortShardsGroup(input_bck, "input", in_format, in_ext),
        DsortShardsGroup(
            output_bck,
            "output",
            spec.get("output_format") or "",
            spec.get("output_extension") or in_ext,
        ),
        DsortAlgorithm(
            kind=algorithm.get("kind") or "alphanumeric",
            decreasing=bool(algorithm.get("decreasing", False)),
            seed=algorithm.get("seed") or "",
            extension=algorithm.get("extension"),
            content_key_type=algorithm.get("content_key_type"),
        ),
        spec.get("description"),
        spec.get("output_shard_size"),
        ekm_file=spec.get("ekm_file") or None,
        ekm_sep=spec.get("ekm_file_sep"),
        extra={k: v for k, v in spec.items() if k not in _MODELED},
    )


# -- requests -----------------------------------------------------------------------------


def start(spec: Mapping[str, Any]) -> Request:
    """``POST /v1/sort`` with the spec (sent unchanged); answers the job id as text."""
    if not isinstance(spec, Mapping):
        raise ValueError("a dSort spec must be a mapping")
    return Request("POST", (SORT,), body=JsonBody.of(dict(spec)), idempotent=False)


def _job_id(dsort_id: str) -> str:
    if not isinstance(dsort_id, str) or not dsort_id:
        raise ValueError("this needs a dSort job id (start a job, or pass dsort_id)")
    return dsort_id


def job_info(dsort_id: str) -> Request:
    return Request("GET", (SORT,), query=(("uuid", _job_id(dsort_id)),))


def list_jobs(regex: str = "", only_active: bool = False) -> Request:
    query: list[tuple[str, str]] = []
    if regex:
        query.append(("regex", regex))
    if only_active:
        query.append(("only_active", "true"))
    return Request("GET", (SORT,), query=tuple(query))


def abort(dsort_id: str) -> Request:
    return Request("DELETE", (SORT, "abort"), query=(("uuid", _job_id(dsort_id)),))


def remove(dsort_id: str) -> Request:
    return Request("DELETE", (SORT,), query=(("uuid", _job_id(dsort_id)),), idempotent=False)


def put_ekm(bucket: BucketRef, ekm: ExternalKeyMap) -> Request:
    """Upload the external key map (JSON) as ``ekm-file.json`` into ``bucket``."""
    data = json.dumps(ekm.as_dict(), separators=(",", ":")).encode()
    return Request(
        "PUT",
        object_path(bucket, EKM_OBJECT),
        query=bucket.query,
        body=BytesBody(data, "application/json"),
        probe_redirect=True,
    )


def ekm_url(endpoint: str, bucket: BucketRef) -> str:
    """The GET URL of the uploaded key map, which the targets fetch."""
    return object_url(endpoint, bucket, EKM_OBJECT)


def plan_start(framework: DsortFramework, endpoint: str) -> tuple[Request | None, dict[str, Any]]:
    """The optional key-map upload and the start spec for ``framework``.

    With an :class:`ExternalKeyMap` output the map goes into the input bucket first and the
    spec references it by URL (separator ``""``: the server then uses its default).
    """
    ekm = framework.ekm
    if ekm is None:
        return None, framework.to_spec()
    bucket = framework.input_shards.bck
    upload = put_ekm(bucket, ekm)
    linked = evolve(framework, ekm_file=ekm_url(endpoint, bucket), ekm_sep="")
    return upload, linked.to_spec()


# -- spec files and raw specs -------------------------------------------------------------


def load_spec_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a dSort spec from a ``.json`` file, or ``.yaml``/``.yml`` when PyYAML is installed."""
    spec_path = Path(path)
    suffix = spec_path.suffix.lower()
    if suffix not in _SPEC_SUFFIXES:
        raise ValueError(f"dSort spec file {str(spec_path)!r} must end in .json, .yaml or .yml")
    text = spec_path.read_text(encoding="utf-8")
    if suffix == ".json":
        spec = json.loads(text)
    else:
        try:
            import yaml  # type: ignore[import-untyped, import-not-found, unused-ignore]
        except ImportError as err:
            raise ImportError(
                f"reading the YAML dSort spec {str(spec_path)!r} needs PyYAML: "
                "pip install pyyaml (or write the spec as .json)"
            ) from err
        spec = yaml.safe_load(text)
    if not isinstance(spec, dict):
        raise ValueError(f"dSort spec file {str(spec_path)!r} must hold a mapping")
    return spec


def check_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a raw dSort spec that has what the server requires (else ``ValueError``).

    Required: ``input_bck`` (a bucket object with a ``name``), ``input_format`` (a selection:
    ``{"template": ...}`` or ``{"objnames": [...]}``), and ``output_format`` (the output
    shard name template) unless ``ekm_file`` is given, in which case ``output_shard_size``
    is required instead. Other fields are sent unchanged for the server to check.
    """
    body = dict(spec)
    problems = []
    bucket = body.get("input_bck")
    if not isinstance(bucket, Mapping) or not bucket.get("name"):
        problems.append("'input_bck' must be a bucket object with a 'name'")
    selection = body.get("input_format")
    if isinstance(selection, Mapping):
        selection = selection.get("template") or selection.get("objnames")
    if not selection:  # a bare template string is left for the server to judge
        problems.append("'input_format' must be {'template': ...} or {'objnames': [...]}")
    if body.get("ekm_file"):
        if not body.get("output_shard_size"):
            problems.append("'output_shard_size' is required with 'ekm_file'")
    elif not body.get("output_format"):
        problems.append("'output_format' (the output shard name template) is required")
    if problems:
        raise ValueError("invalid dSort spec: " + "; ".join(problems))
    return body
