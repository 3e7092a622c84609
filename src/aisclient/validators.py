"""Argument checks shared by every builder and handle: a wrong type or value fails here, naming
the argument, before any byte is sent. A leaf: it imports nothing of the package.

``bool`` is an ``int`` in Python, but ``True`` is never meant as a count: every integer check
here refuses it.
"""

from __future__ import annotations

import re
from typing import TypeGuard

# CR, LF, NUL and the other C0 controls (tab aside) and DEL: HTTP cannot carry them in a header.
_HEADER_UNSAFE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]").search


def is_int(value: object) -> TypeGuard[int]:
    """An ``int`` that is not a ``bool``."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> TypeGuard[int | float]:
    """An ``int`` or ``float`` that is not a ``bool``."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_int(value: object, what: str, *, minimum: int | None = 0) -> int:
    """An ``int`` (not a bool) that is at least ``minimum`` (``None``: any)."""
    if not is_int(value):
        raise TypeError(f"{what} must be an int, not {type(value).__name__} ({value!r})")
    if minimum is not None and value < minimum:
        raise ValueError(f"{what} must be >= {minimum}, not {value}")
    return value


def check_str(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    return value


def check_header_value(value: str, what: str) -> str:
    """``value`` if HTTP can carry it as a header value as-is, else ``ValueError`` naming
    ``what``: no line breaks or other control characters, only Latin-1 characters."""
    found = _HEADER_UNSAFE(value)
    if found is not None:
        raise ValueError(
            f"{what} contains the control character {found.group()!r}, which an HTTP header "
            "cannot carry"
        )
    try:
        value.encode("latin-1")
    except UnicodeEncodeError as err:
        raise ValueError(
            f"{what} contains {value[err.start : err.end]!r}, which an HTTP header cannot carry "
            "(only Latin-1 characters; use set_custom_props for other text)"
        ) from None
    return value
