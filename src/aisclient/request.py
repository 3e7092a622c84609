"""The immutable ``Request`` value that every builder returns, and URL rendering.

A request names a path under ``/v1`` as segments; ``render_url`` is the only place that
percent-encodes them, so any bucket or object name reaches the server intact.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote

from attrs import Factory, evolve, field, frozen

from aisclient.timeouts import Timeout

API_PREFIX = "/v1/"
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
_CHUNK = 1 << 20

Pairs = tuple[tuple[str, str], ...]


@frozen
class BytesBody:
    """Bytes in memory: can be sent any number of times."""

    data: bytes
    content_type: str = "application/octet-stream"
    replayable = True

    def size(self) -> int:
        return len(self.data)


@frozen
class JsonBody:
    """A JSON document, encoded once when the request is built."""

    data: bytes
    content_type = "application/json"
    replayable = True

    @staticmethod
    def of(value: Any) -> JsonBody:
        return JsonBody(json.dumps(value, separators=(",", ":")).encode())

    @property
    def value(self) -> Any:
        return json.loads(self.data)

    def size(self) -> int:
        return len(self.data)


@frozen
class FileBody:
    """A byte range of a file, opened and streamed only when sent; so it can be re-sent."""

    path: str = field(converter=os.fspath)
    offset: int = 0
    length: int | None = None
    content_type: str = "application/octet-stream"
    replayable = True

    def size(self) -> int:
        available = max(0, os.stat(self.path).st_size - self.offset)
        return available if self.length is None else min(self.length, available)

    def chunks(self, chunk_size: int = _CHUNK) -> Iterator[bytes | memoryview]:
        remaining = self.size()
        buffer = bytearray(min(chunk_size, max(remaining, 1)))
        view = memoryview(buffer)
        with open(self.path, "rb", buffering=0) as handle:
            handle.seek(self.offset)
            while remaining > 0:
                got = handle.readinto(view[: min(len(buffer), remaining)])
                if not got:
                    raise OSError(f"{self.path} shrank while it was being sent")
                remaining -= got
                # The socket copies each chunk before the next read, so reusing one buffer is safe.
                yield view[:got]


@frozen(eq=False)
class IterBody:
    """Chunks from an iterator: sent once, never replayed (and so never retried)."""

    source: Iterable[bytes]
    length: int | None = None
    content_type: str = "application/octet-stream"
    replayable = False

    def size(self) -> int | None:
        return self.length


Body = BytesBody | JsonBody | FileBody | IterBody


def _upper(method: str) -> str:
    return method.upper()


def _default_idempotent(request: Request) -> bool:
    return request.method in IDEMPOTENT_METHODS


@frozen
class Request:
    """One HTTP request to AIS, as a value: builders make it, transports send it.

    ``path`` holds raw (unencoded) segments under ``/v1``; an object name is one segment
    and may contain ``/``. ``endpoint`` overrides the client's base URL (e.g. a target).
    ``probe_redirect`` marks requests that AIS answers with a redirect before reading the
    body, so a transport may learn the target first and send a large body only once.
    """

    method: str = field(converter=_upper)
    path: tuple[str, ...]
    # Everything after the path is named at the call site: ``Request("GET", path, stream=True)``
    # reads as what it is, where positional booleans would not.
    query: Pairs = field(default=(), kw_only=True)
    headers: Pairs = field(default=(), kw_only=True)
    body: Body | None = field(default=None, kw_only=True)
    idempotent: bool = field(default=Factory(_default_idempotent, takes_self=True), kw_only=True)
    stream: bool = field(default=False, kw_only=True)
    endpoint: str | None = field(default=None, kw_only=True)
    probe_redirect: bool = field(default=False, kw_only=True)
    timeout: Timeout | None = field(default=None, kw_only=True)

    @property
    def replayable(self) -> bool:
        return self.body is None or self.body.replayable

    def replace(self, **changes: Any) -> Request:
        # A new method gets its own default idempotence unless the old one was set by hand:
        # a GET turned into a POST must not keep "safe to resend".
        if (
            "method" in changes
            and "idempotent" not in changes
            and self.idempotent == _default_idempotent(self)
        ):
            changes["idempotent"] = str(changes["method"]).upper() in IDEMPOTENT_METHODS
        return evolve(self, **changes)

    def with_query(self, *pairs: tuple[str, str]) -> Request:
        return evolve(self, query=self.query + tuple(pairs))

    def with_headers(self, *pairs: tuple[str, str]) -> Request:
        return evolve(self, headers=self.headers + tuple(pairs))

    def query_value(self, key: str) -> str | None:
        """The last value of ``key`` in the query, or ``None``."""
        found = None
        for name, value in self.query:
            if name == key:
                found = value
        return found

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        found = None
        for key, value in self.headers:
            if key.lower() == lowered:
                found = value
        return found

    @property
    def json(self) -> Any:
        """The decoded JSON body (``None`` when the body is not JSON)."""
        return self.body.value if isinstance(self.body, JsonBody) else None


# Characters ``quote`` leaves alone: a segment (or query part) made only of these is its own
# encoding, and most names are, so the common case skips ``quote`` (the hot path of every send).
_PLAIN_SEGMENT = re.compile(r"[A-Za-z0-9_.~/-]*").fullmatch
_PLAIN_QUERY_PART = re.compile(r"[A-Za-z0-9_.~-]*").fullmatch


def _quote_segment(segment: str) -> str:
    return segment if _PLAIN_SEGMENT(segment) else quote(segment, safe="/")


def _quote_query_part(text: str) -> str:
    return text if _PLAIN_QUERY_PART(text) else quote(text, safe="")


def render_path(request: Request) -> str:
    """``/v1/seg/seg...`` with each segment percent-encoded; ``/`` inside names is kept."""
    return API_PREFIX + "/".join([_quote_segment(segment) for segment in request.path])


def render_query(pairs: Pairs) -> str:
    """``k=v&k=v`` with every key and value percent-encoded (``/`` too)."""
    try:
        return _render_query_cached(pairs)
    except TypeError:  # an unhashable (list) query given by hand
        return _render_query(pairs)


def _render_query(pairs: Pairs) -> str:
    return "&".join([f"{_quote_query_part(k)}={_quote_query_part(v)}" for k, v in pairs])


# Most requests carry one of a few queries (``provider=ais``, the HEAD props, ...).
_render_query_cached = functools.lru_cache(maxsize=512)(_render_query)


def render_target(request: Request) -> str:
    """The request target after the base URL: encoded path, then ``?query`` if any."""
    target = render_path(request)
    if request.query:
        target += "?" + render_query(request.query)
    return target


def render_url(base: str, request: Request) -> str:
    """The absolute URL of ``request`` against ``base`` (or the request's own endpoint)."""
    return (request.endpoint or base).rstrip("/") + render_target(request)
