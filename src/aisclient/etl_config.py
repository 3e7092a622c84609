"""``ETLConfig``: which ETL transforms an object on the way out (GET, copy, URLs)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from attrs import field, frozen

from aisclient.ops.etl import validate_etl_name
from aisclient.request import Pairs


@runtime_checkable
class EtlLike(Protocol):
    """What ETLConfig needs from an ``Etl`` handle (possibly a chain built with ``>>``)."""

    @property
    def name(self) -> str: ...

    @property
    def pipeline(self) -> Sequence[str]: ...


def _check_name(_: object, __: object, name: Any) -> None:
    """The same rule as ``Etl.validate_etl_name``, for a name or every stage of an ``Etl``."""
    if name is None:
        return
    if isinstance(name, str):
        validate_etl_name(name)
    elif isinstance(name, EtlLike):
        validate_etl_name(name.name)
        for stage in name.pipeline:
            validate_etl_name(stage)
    else:
        raise TypeError(f"ETLConfig name must be an ETL name or an Etl, not {type(name).__name__}")


@frozen
class ETLConfig:
    """An inline transform: the ETL (a name, or an ``Etl`` whose pipeline follows) and its args.

    ``args`` is a string handed to the transformer as is, or a dict sent as compact JSON.
    Names are checked when the config is made (6-32 of ``[a-z0-9-]``), before any request.
    """

    name: str | EtlLike | None = field(default=None, validator=_check_name)
    args: str | dict[str, Any] | None = None

    def query_pairs(self) -> Pairs:
        """``etl_name`` [, ``etl_pipeline``] [, ``etl_args``] as the server reads them.

        An ``Etl`` value always adds ``etl_pipeline`` (the comma-joined later stages, possibly
        empty), as the official SDK does.
        """
        pairs: list[tuple[str, str]] = []
        name = self.name
        if isinstance(name, str):
            if name:
                pairs.append(("etl_name", name))
        elif name is not None:
            pairs.append(("etl_name", name.name))
            pairs.append(("etl_pipeline", ",".join(name.pipeline)))
        args = self.args
        if isinstance(args, dict):
            pairs.append(("etl_args", json.dumps(args, separators=(",", ":"))))
        elif args is not None:
            pairs.append(("etl_args", str(args)))
        return tuple(pairs)

    def update_qparams(self, params: dict[str, str]) -> None:
        """The official SDK's way: add this config's query pairs to ``params`` in place."""
        params.update(self.query_pairs())


def etl_pairs(etl: ETLConfig | None) -> Pairs:
    """The query pairs of an inline ETL (none for ``None``): the one encoder every GET, copy
    and URL uses."""
    if etl is None:
        return ()
    if not isinstance(etl, ETLConfig):
        raise TypeError(f"etl must be an ETLConfig, not {type(etl).__name__}")
    return etl.query_pairs()
