"""Lenient scalars from wire JSON: AIS writes many 64-bit integers as JSON strings.

These are the converter's hooks for ``int``/``float``/``str``/``bool``; they live apart from
:mod:`aisclient.models._convert` so that hand-written decoders on hot paths (list pages,
Get-Batch metadata) can use them without importing cattrs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def lenient_int(value: Any, _: type = int) -> int:
    """An int from a number, a numeric string (blank is 0), a bool, or ``None`` (0)."""
    if type(value) is int:  # the common cases first: this runs for every listed entry
        return value
    if value is None:
        return 0
    if isinstance(value, str):
        text = value.strip()
        return int(text) if text else 0
    if isinstance(value, bool | float):
        return int(value)
    if isinstance(value, int):
        return value
    raise ValueError(f"expected an integer, got {value!r}")


def lenient_float(value: Any, _: type = float) -> float:
    if value is None or value == "":
        return 0.0
    return float(value)


def lenient_str(value: Any, _: type = str) -> str:
    """The text as is; ``None`` is ``""`` and anything else its ``str()``."""
    return "" if value is None else value if isinstance(value, str) else str(value)


def lenient_bool(value: Any, _: type = bool) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "t", "true", "y", "yes", "on")
    return bool(value)


def parse_time(value: Any) -> datetime | None:
    """The one time rule of the models: an RFC 3339 text → an aware datetime (a time without a
    zone is UTC); empty text, Go's zero time (year 1), a non-text or garbage → ``None``."""
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.year <= 1:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
