"""The one cattrs converter that turns wire JSON into model values (and back).

AIS writes many 64-bit integers as JSON strings; the hooks here accept both forms. Field names
that differ on the wire are declared per class with :func:`wire_names`.
"""

from __future__ import annotations

from typing import Any, TypeVar

import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

T = TypeVar("T")

converter = cattrs.Converter(detailed_validation=False)


def _lenient_int(value: Any, _: type) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        return int(text) if text else 0
    if value is None:
        return 0
    raise ValueError(f"expected an integer, got {value!r}")


def _lenient_float(value: Any, _: type) -> float:
    if value is None or value == "":
        return 0.0
    return float(value)


def _lenient_str(value: Any, _: type) -> str:
    return "" if value is None else value if isinstance(value, str) else str(value)


def _lenient_bool(value: Any, _: type) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "t", "true", "y", "yes", "on")
    return bool(value)


converter.register_structure_hook(int, _lenient_int)
converter.register_structure_hook(float, _lenient_float)
converter.register_structure_hook(str, _lenient_str)
converter.register_structure_hook(bool, _lenient_bool)


def wire_names(cls: type[T], **renames: str) -> type[T]:
    """Declare that field ``f`` of ``cls`` is called ``renames[f]`` on the wire."""
    overrides = {name: override(rename=wire) for name, wire in renames.items()}
    converter.register_structure_hook(cls, make_dict_structure_fn(cls, converter, **overrides))  # type: ignore[arg-type]
    converter.register_unstructure_hook(cls, make_dict_unstructure_fn(cls, converter, **overrides))  # type: ignore[arg-type]
    return cls


def structure(data: Any, cls: type[T]) -> T:
    """Decode wire JSON (already parsed) into ``cls``; missing optional fields take defaults."""
    return converter.structure(data, cls)


def unstructure(value: Any) -> Any:
    return converter.unstructure(value)
