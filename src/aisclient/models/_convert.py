"""The one cattrs converter that turns wire JSON into model values (and back).

AIS writes many 64-bit integers as JSON strings; the scalar hooks (from ``_lenient``) accept
both forms; a ``datetime`` field is read by the one time rule (:func:`parse_time`). Field
names that differ on the wire are declared per class with :func:`wire_names`, the only
renaming idiom. A value that does not fit raises :class:`UnexpectedResponseError`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from aisclient.models._guard import unexpected
from aisclient.models._lenient import (
    lenient_bool,
    lenient_float,
    lenient_int,
    lenient_str,
    parse_time,
)

T = TypeVar("T")

converter = cattrs.Converter(detailed_validation=False)


converter.register_structure_hook(int, lenient_int)
converter.register_structure_hook(float, lenient_float)
converter.register_structure_hook(str, lenient_str)
converter.register_structure_hook(bool, lenient_bool)
converter.register_structure_hook(datetime, lambda value, _: parse_time(value))


def wire_names(cls: type[T], **renames: str) -> type[T]:
    """Declare that field ``f`` of ``cls`` is called ``renames[f]`` on the wire."""
    overrides = {name: override(rename=wire) for name, wire in renames.items()}
    converter.register_structure_hook(cls, make_dict_structure_fn(cls, converter, **overrides))  # type: ignore[arg-type]
    converter.register_unstructure_hook(cls, make_dict_unstructure_fn(cls, converter, **overrides))  # type: ignore[arg-type]
    return cls


def structure(data: Any, cls: type[T]) -> T:
    """Decode wire JSON (already parsed) into ``cls``; missing optional fields take defaults.

    JSON of the wrong shape raises :class:`~aisclient.errors.UnexpectedResponseError`.
    """
    try:
        return converter.structure(data, cls)
    except Exception as err:  # cattrs raises many kinds (and groups of them) for one cause
        raise unexpected(getattr(cls, "__name__", str(cls)), err) from None


def unstructure(value: Any) -> Any:
    return converter.unstructure(value)
