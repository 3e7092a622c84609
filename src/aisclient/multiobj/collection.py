"""Object selections for multi-object jobs: a list of names, a numeric range, or a template.

Each selection knows its wire form (``get_value``: ``{"objnames": [...]}`` or
``{"template": "..."}``) and can name its objects lazily on the client side.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Iterable, Iterator
from typing import Any

from aisclient.errors import InvalidObjectRangeIndex
from aisclient.multiobj.template import ParsedTemplate, parse_template
from aisclient.validators import is_int


class ObjectCollection(abc.ABC):
    """A selection of objects in one bucket."""

    @abc.abstractmethod
    def get_value(self) -> dict[str, Any]:
        """The selection as it goes into a multi-object action's ``value``."""

    @abc.abstractmethod
    def __iter__(self) -> Iterator[str]:
        """The selected names, expanded on the client side."""

    @property
    @abc.abstractmethod
    def count(self) -> int:
        """How many names iteration yields, computed without expanding."""


class ObjectNames(ObjectCollection):
    """An explicit list of object names."""

    def __init__(self, names: Iterable[str]) -> None:
        if isinstance(names, str | bytes):
            raise TypeError("names must be a list of object names, not a single string")
        self._names = list(names)
        for name in self._names:
            if not isinstance(name, str):
                raise TypeError(f"object names must be str, got {type(name).__name__}")
            if not name:
                raise ValueError("object names must not be empty ('' selects no object)")

    @property
    def names(self) -> list[str]:
        return list(self._names)

    @property
    def count(self) -> int:
        return len(self._names)

    def get_value(self) -> dict[str, Any]:
        return {"objnames": list(self._names)}

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._names))

    def __repr__(self) -> str:
        return f"ObjectNames({self._names!r})"


class ObjectTemplate(ObjectCollection):
    """A range template such as ``shard-{0000..0999}.tar``, validated when it is created.

    A template without ranges is sent as is and selects every object with that prefix on
    the server; iterating it yields the text once, as the official SDK does.
    """

    def __init__(self, template: str) -> None:
        self._parsed: ParsedTemplate = parse_template(template)
        self._template = template

    @property
    def template(self) -> str:
        return self._template

    @property
    def parsed(self) -> ParsedTemplate:
        return self._parsed

    @property
    def count(self) -> int:
        return self._parsed.count

    def get_value(self) -> dict[str, Any]:
        return {"template": self._template}

    def __iter__(self) -> Iterator[str]:
        return iter(self._parsed)

    def __contains__(self, name: object) -> bool:
        return name in self._parsed

    def __str__(self) -> str:
        return self._template

    def __repr__(self) -> str:
        return f"ObjectTemplate({self._template!r})"


_RANGE_STRING = re.compile(r"(?s)(?P<prefix>[^{]*)\{(?P<body>[^{}]*)\}(?P<suffix>[^{]*)")


class ObjectRange(ObjectCollection):
    """``prefix{min..max..step}suffix`` with zero-padded indices.

    Without indices it is just a prefix (a prefix selection on the server), and iterating it
    raises ``RuntimeError``, as in the official SDK.
    """

    def __init__(
        self,
        prefix: str,
        min_index: int | None = None,
        max_index: int | None = None,
        pad_width: int = 0,
        step: int = 1,
        suffix: str = "",
    ) -> None:
        if not isinstance(prefix, str) or not isinstance(suffix, str):
            raise TypeError("prefix and suffix must be str")
        for label, text in (("prefix", prefix), ("suffix", suffix)):
            if "{" in text or "}" in text:
                raise ValueError(f"the range {label} {text!r} must not contain '{{' or '}}'")
        _validate_indices(min_index, max_index, pad_width, step)
        if min_index is None and suffix:
            raise ValueError("a suffix needs min_index and max_index")
        self._prefix = prefix
        self._suffix = suffix
        self._min = min_index
        self._max = max_index
        self._pad = pad_width
        self._step = step

    @classmethod
    def from_string(cls, range_string: str) -> ObjectRange:
        """Parse ``prefix{min..max[..step]}suffix`` (exactly one range)."""
        match = _RANGE_STRING.fullmatch(range_string) if isinstance(range_string, str) else None
        if match is None:
            raise ValueError(
                f"{range_string!r} is not a range string like 'input-{{00..99..1}}.txt'"
            )
        parsed = parse_template(range_string)
        if parsed.style != "brace" or len(parsed.ranges) != 1:
            raise ValueError(f"{range_string!r} must hold exactly one {{min..max[..step]}} range")
        only = parsed.ranges[0]
        return cls(
            match["prefix"],
            min_index=only.start,
            max_index=only.end,
            pad_width=only.pad,
            step=only.step,
            suffix=match["suffix"],
        )

    @property
    def prefix(self) -> str:
        return self._prefix

    @property
    def suffix(self) -> str:
        return self._suffix

    @property
    def min_index(self) -> int | None:
        return self._min

    @property
    def max_index(self) -> int | None:
        return self._max

    @property
    def pad_width(self) -> int:
        return self._pad

    @property
    def step(self) -> int:
        return self._step

    @property
    def has_indices(self) -> bool:
        return self._min is not None

    @property
    def count(self) -> int:
        if self._min is None or self._max is None:
            raise RuntimeError("an ObjectRange without indices is a prefix and has no count")
        return (self._max - self._min) // self._step + 1

    def __str__(self) -> str:
        if self._min is None or self._max is None:
            return self._prefix
        low = str(self._min).zfill(self._pad)
        high = str(self._max).zfill(self._pad)
        return f"{self._prefix}{{{low}..{high}..{self._step}}}{self._suffix}"

    def __repr__(self) -> str:
        if self.has_indices:
            return f"ObjectRange.from_string({str(self)!r})"
        return f"ObjectRange({self._prefix!r})"

    def get_value(self) -> dict[str, Any]:
        return {"template": str(self)}

    def __iter__(self) -> Iterator[str]:
        if self._min is None:
            raise RuntimeError("cannot iterate an ObjectRange without min_index and max_index")
        # Expand the very string the server gets, so both sides agree on every name.
        return iter(parse_template(str(self)))

    def __contains__(self, name: object) -> bool:
        return self._min is not None and name in parse_template(str(self))


def _validate_indices(
    min_index: int | None, max_index: int | None, pad_width: int, step: int
) -> None:
    for label, value in (("min_index", min_index), ("max_index", max_index)):
        if value is not None and not is_int(value):
            raise TypeError(f"{label} must be an int, not {type(value).__name__}")
    for label, number in (("pad_width", pad_width), ("step", step)):
        if not is_int(number):
            raise TypeError(f"{label} must be an int, not {type(number).__name__}")
    if (min_index is None) != (max_index is None):
        raise InvalidObjectRangeIndex("give both min_index and max_index, or neither")
    if pad_width < 0:
        raise InvalidObjectRangeIndex(f"pad_width must not be negative (got {pad_width})")
    if step < 1:
        raise InvalidObjectRangeIndex(f"step must be at least 1 (got {step})")
    if min_index is None or max_index is None:
        return
    if min_index < 0:
        raise InvalidObjectRangeIndex(f"min_index must not be negative (got {min_index})")
    if min_index > max_index:
        raise InvalidObjectRangeIndex(
            f"min_index {min_index} must not be greater than max_index {max_index}"
        )
    if pad_width and len(str(min_index)) > pad_width:
        raise InvalidObjectRangeIndex(
            f"min_index {min_index} has more digits than pad_width {pad_width}"
        )
