"""The transport contract: ``send(Request) -> Response``, and the response interface."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, Protocol, runtime_checkable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from aisclient.errors import APIRequestError, UnexpectedResponseError, error_from_response
from aisclient.headers import Headers as Headers
from aisclient.headers import HeaderSource
from aisclient.request import Request

DEFAULT_CHUNK_SIZE = 1 << 20
# Query keys whose values authenticate a request (signed redirects); never shown in errors.
SECRET_QUERY_KEYS = frozenset({"x", "u", "vpams", "token", "signature", "sig"})


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
        """The body decoded as JSON (``None`` when empty); :class:`UnexpectedResponseError`
        when it is not JSON (e.g. a proxy's HTML error page behind a 200)."""
        content = self.content
        if not content:
            return None
        try:
            return json.loads(content)
        except (ValueError, RecursionError) as err:  # UnicodeDecodeError is a ValueError
            what = "nested too deeply" if isinstance(err, RecursionError) else f"not JSON ({err})"
            raise UnexpectedResponseError(
                f"{self._describe()}: the {self.status} answer is {what}: {_preview(content)}",
                status_code=self.status,
                req_url=redact_url(self.url),
            ) from None

    def _describe(self) -> str:
        method = self.request.method if self.request is not None else ""
        return f"{method} {redact_url(self.url)}".strip()

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
        headers: HeaderSource | None = None,
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

    def close(self) -> None:
        """Release pooled connections; the transport may not be used afterwards."""
        ...


def close_transport(transport: object) -> None:
    """Close ``transport`` if it can be closed (a user's transport may have only ``send``)."""
    close = getattr(transport, "close", None)
    if callable(close):
        close()


def _preview(content: bytes, limit: int = 80) -> str:
    """The start of a body for an error message: enough to recognise it, never all of it."""
    text = content[:limit].decode("utf-8", errors="replace")
    return repr(text + "...") if len(content) > limit else repr(text)


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
