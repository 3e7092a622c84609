"""HTTP headers as one multi-valued, case-insensitive value used by every transport and model.

A field may occur several times (AIS sends one ``Ais-Custom-Md`` line per entry). ``headers[name]``
and ``get`` give the occurrences joined with ``", "`` as HTTP defines it; :meth:`Headers.get_list`
gives each occurrence as sent, so a decoder never has to guess where one value ended. Whatever
the transport, the same lines make the same value, so models decode identically everywhere.

A leaf: it imports nothing of the package.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import Any

HeaderSource = Mapping[str, str] | Iterable[tuple[str, str]]


class Headers(MutableMapping[str, str]):
    """Case-insensitive header fields, each keeping every value it was given, in order.

    Built from a mapping (a ``urllib3.HTTPHeaderDict`` or ``http.client`` message counts each
    repeated line) or from ``(name, value)`` pairs. Names are compared and listed lower-case.
    """

    __slots__ = ("_fields",)

    def __init__(self, source: HeaderSource | None = None) -> None:
        self._fields: dict[str, list[str]] = {}
        if source is None:
            return
        pairs: Iterable[Any] = source.items() if hasattr(source, "items") else source
        for name, value in pairs:
            self.add(name, value)

    def add(self, name: str, value: str) -> None:
        """Append one more occurrence of ``name`` (keeping those already there)."""
        key = str(name).lower()
        values = self._fields.get(key)
        if values is None:
            self._fields[key] = [str(value)]
        else:
            values.append(str(value))

    def get_list(self, name: str) -> list[str]:
        """Every occurrence of ``name``, in the order received (``[]`` when absent)."""
        return list(self._fields.get(name.lower(), ()))

    getlist = get_list  # the spelling urllib3's and http.client's header types use

    def multi_items(self) -> list[tuple[str, str]]:
        """Every ``(name, value)`` occurrence, repeated names included."""
        return [(key, value) for key, values in self._fields.items() for value in values]

    def __getitem__(self, name: str) -> str:
        values = self._fields[name.lower()]
        return values[0] if len(values) == 1 else ", ".join(values)

    def __setitem__(self, name: str, value: str) -> None:
        self._fields[name.lower()] = [str(value)]

    def __delitem__(self, name: str) -> None:
        del self._fields[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._fields

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def get(self, name: str, default: Any = None) -> Any:
        values = self._fields.get(name.lower())
        if values is None:
            return default
        return values[0] if len(values) == 1 else ", ".join(values)

    def copy(self) -> Headers:
        clone = type(self)()
        clone._fields = {key: list(values) for key, values in self._fields.items()}
        return clone

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Headers):
            return self._fields == other._fields
        if isinstance(other, Mapping):
            return dict(self.items()) == {str(k).lower(): v for k, v in other.items()}
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.multi_items()!r})"


def as_headers(source: HeaderSource | None) -> Headers:
    """``source`` itself when it already is :class:`Headers`, else a copy of it as one."""
    return source if isinstance(source, Headers) else Headers(source)
