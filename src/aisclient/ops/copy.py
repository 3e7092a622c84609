"""The options of a copy or transform, as values: one :class:`CopyOptions` (and one
:class:`EtlStage` for a transform) taken by the bucket (TCB) and multi-object (TCO) builders.

Each is checked when it is made, so a wrong option fails before any request is built; a new
copy flag is one field here and one line in :meth:`CopyOptions.fields`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from attrs import field, frozen

from aisclient.ops._common import ext_value, num_workers_value
from aisclient.ops.etl import DEFAULT_ETL_TIMEOUT, validate_etl_name
from aisclient.validators import check_str


def _ext(value: Mapping[str, str] | None) -> tuple[tuple[str, str], ...]:
    remap = ext_value(value)
    return tuple(remap.items()) if remap else ()


def _flag(value: object) -> bool:
    return bool(value)


@frozen
class CopyOptions:
    """What every copy and transform takes besides its source and destination.

    ``prefix`` selects source objects by name (``prefix_filter`` of a bucket copy) and
    ``prepend`` is put in front of each destination name; ``ext`` remaps extensions
    (``{"jpg": "png"}``); ``num_workers``: ``None``/0 auto, -1 serial, N > 0 exactly N.
    """

    prefix: str = field(default="", validator=lambda _, __, v: check_str(v, "prefix"))
    prepend: str = field(default="", validator=lambda _, __, v: check_str(v, "prepend"))
    ext: tuple[tuple[str, str], ...] = field(default=None, converter=_ext)
    dry_run: bool = field(default=False, converter=_flag)
    force: bool = field(default=False, converter=_flag)
    latest: bool = field(default=False, converter=_flag)
    sync: bool = field(default=False, converter=_flag)
    num_workers: int = field(default=0, converter=num_workers_value)
    continue_on_error: bool = field(default=False, converter=_flag)

    def __attrs_post_init__(self) -> None:
        if self.prepend and self.sync:
            raise ValueError("prepend cannot be combined with sync (the server rejects it)")

    def fields(self) -> dict[str, Any]:
        """The copy fields every copy/transform message carries."""
        return {
            "prefix": self.prefix,
            "prepend": self.prepend,
            "dry_run": self.dry_run,
            "force": self.force,
            "latest-ver": self.latest,
            "synchronize": self.sync,
        }

    @property
    def ext_map(self) -> dict[str, str] | None:
        return dict(self.ext) or None


def _pipeline(value: Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        raise TypeError("etl_pipeline must be a list of ETL names, not a single str")
    return tuple(validate_etl_name(name) for name in value)


def _timeout(_: object, __: object, value: object) -> None:
    if not isinstance(value, str) or not value:
        raise ValueError(f"timeout must be a Go duration string such as '5m', not {value!r}")


@frozen
class EtlStage:
    """The ETL a transform runs: its name, the per-object timeout, and the ETLs it pipes into."""

    name: str = field(validator=lambda _, __, v: validate_etl_name(v))
    timeout: str = field(default=DEFAULT_ETL_TIMEOUT, validator=_timeout)
    pipeline: tuple[str, ...] = field(default=(), converter=_pipeline)

    def fields(self) -> dict[str, Any]:
        """The transform fields that follow the copy fields (``pipeline`` null when unused)."""
        return {
            "id": self.name,
            "request_timeout": self.timeout,
            "pipeline": list(self.pipeline) or None,
        }


#: The options of a plain copy (every flag off).
DEFAULT_COPY = CopyOptions()
