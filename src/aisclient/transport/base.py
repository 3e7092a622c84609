"""The transport contract: ``send(Request) -> Response``, and the response interface."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, Protocol, runtime_checkable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from aisclient.errors import APIRequestError, error_from_response
from aisclient.request import Request

DEFAULT_CHUNK_SIZE = 1 << 20
# Query keys whose values authenticate a request (signed redirects); never shown in errors.
SECRET_QUERY_KEYS = frozenset({"x", "u", "vpams", "token", "signature", "sig"})


class Headers(dict[str, str]):
    """A case-insensitive, read-mostly header mapping (keys stored lower-case)."""

    def __init__(self, items: Any = ()) -> None:
        super().__init__()
        pairs: Any = items.items() if hasattr(items, "items") else items
        for key, value in pairs:
            name, text = str(key).lower(), str(value)
            # A repeated field (urllib3 yields each occurrence) is one comma-joined value,
            # as HTTP defines it; the last occurrence must not silently win.
            previous = super().get(name)
            super().__setitem__(name, text if previous is None else f"{previous}, {text}")

    def __setitem__(self, key: str, value: str) -> None:
        super().__setitem__(key.lower(), value)

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key.lower())

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)

    def pop(self, key: str, *default: Any) -> Any:
        return super().pop(key.lower(), *default)

    def setdefault(self, key: str, default: Any = None) -> Any:
        return super().setdefault(key.lower(), default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value


class Response:
    """A response: status, headers, and a body read whole, in chunks, or into a buffer.

    Closing returns the connection to its pool (or drops it, if the body was not finished).
    Subclasses implement :meth:`read` and :meth:`close`.
    """

    status: int
    headers: Headers
    url: str
    request: Request | None

    def read(self, amt: int | None = None) -> bytes:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def readinto(self, buffer: bytearray | memoryview) -> int:
        view = memoryview(buffer)
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def iter_bytes(self, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[bytes]:
        try:
            while chunk := self.read(chunk_size):
                yield chunk
        finally:
            self.close()

    @property
    def content(self) -> bytes:
        """The whole body (read once, then cached)."""
        cached: bytes | None = getattr(self, "_content", None)
        if cached is None:
            try:
                cached = self.read()
            finally:
                self.close()
            self._content = cached
        return cached

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.content) if self.content else None

    @property
    def ok(self) -> bool:
        return self.status < 400

    def raise_for_status(self) -> Response:
        """Return self for a success status; else raise the mapped :class:`AISError`."""
        if self.status >= 400:
            raise self.error()
        return self

    def error(self) -> APIRequestError:
        body = self.content
        return error_from_response(
            self.status, self.headers, body, self.request, url=redact_url(self.url)
        )

    def __enter__(self) -> Response:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.status} {redact_url(self.url)}>"


class BytesResponse(Response):
    """A response whose body is already in memory (mocks, recorded cassettes, small replies)."""

    def __init__(
        self,
        status: int = 200,
        body: bytes | str = b"",
        headers: Mapping[str, str] | None = None,
        *,
        url: str = "",
        request: Request | None = None,
    ) -> None:
        self.status = status
        self._body = body.encode() if isinstance(body, str) else bytes(body)
        self._pos = 0
        self.headers = Headers(headers or {})
        if "content-length" not in self.headers:
            self.headers["content-length"] = str(len(self._body))
        self.url = url
        self.request = request
        self.closed = False

    @staticmethod
    def of_json(
        value: Any, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> BytesResponse:
        merged = {"Content-Type": "application/json", **(headers or {})}
        return BytesResponse(status, json.dumps(value).encode(), merged)

    def read(self, amt: int | None = None) -> bytes:
        end = len(self._body) if amt is None or amt < 0 else min(len(self._body), self._pos + amt)
        data = self._body[self._pos : end]
        self._pos = end
        return data

    def close(self) -> None:
        self.closed = True


@runtime_checkable
class Transport(Protocol):
    """Anything that can carry out a :class:`Request`. Wrap one to add logging, metrics, faults.

    A transport returns error statuses as responses (callers map them to exceptions) and
    raises :class:`~aisclient.errors.AISConnectionError` when no response could be had.
    """

    def send(self, request: Request) -> Response: ...


def redact_url(url: str) -> str:
    """``url`` with signed-query values and any userinfo replaced, fit for messages and logs."""
    if not url:
        return url
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(key.lower() in SECRET_QUERY_KEYS for key, _ in pairs):
            query = urlencode(
                [(k, "***" if k.lower() in SECRET_QUERY_KEYS else v) for k, v in pairs]
            )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
