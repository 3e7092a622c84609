"""Offline transports: answer requests with a function, record them, or replay a script."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from attrs import frozen

from aisclient.request import Request, render_url
from aisclient.transport.base import BytesResponse, Response, Transport, close_transport

Handler = Callable[[Request], Response]


class MockTransport:
    """A transport that answers every request with ``handler(request)``; no network at all."""

    def __init__(self, handler: Handler, *, base_url: str = "http://ais.invalid:8080") -> None:
        self.handler = handler
        self.base_url = base_url

    def send(self, request: Request) -> Response:
        response = self.handler(request)
        if not response.url:
            response.url = render_url(self.base_url, request)
        if response.request is None:
            response.request = request
        return response

    def close(self) -> None:
        """Nothing to release: no connections are made."""


@frozen
class Exchange:
    """One recorded request and the status it got (or the exception it raised)."""

    request: Request
    status: int | None
    error: BaseException | None = None


class RecordingTransport:
    """Wraps a transport and records every request that goes through it (thread-safe)."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self._lock = threading.Lock()
        self.exchanges: list[Exchange] = []

    @property
    def requests(self) -> list[Request]:
        with self._lock:
            return [exchange.request for exchange in self.exchanges]

    def send(self, request: Request) -> Response:
        try:
            response = self.inner.send(request)
        except BaseException as err:
            with self._lock:
                self.exchanges.append(Exchange(request, None, err))
            raise
        with self._lock:
            self.exchanges.append(Exchange(request, response.status))
        return response

    def clear(self) -> None:
        with self._lock:
            self.exchanges.clear()

    def close(self) -> None:
        close_transport(self.inner)


class UnexpectedRequest(AssertionError):
    """A :class:`StubTransport` got a request that does not match the next expectation."""


class StubTransport:
    """A queue of expected requests and canned responses, checked in order (like a stubber).

    ``expect(request_or_predicate, response)`` adds one step; ``assert_done()`` fails if any
    expectation was left unused. A ``Request`` expectation matches on method, path, query and
    headers (as sets) and body; a callable expectation gets the request and returns a bool.
    """

    def __init__(self) -> None:
        self._queue: deque[tuple[Request | Callable[[Request], bool], Response]] = deque()
        self._lock = threading.Lock()

    def expect(
        self,
        expected: Request | Callable[[Request], bool],
        response: Response | int | Any = 200,
    ) -> StubTransport:
        if isinstance(response, int):
            response = BytesResponse(response)
        elif not isinstance(response, Response):
            response = BytesResponse.of_json(response)
        with self._lock:
            self._queue.append((expected, response))
        return self

    def send(self, request: Request) -> Response:
        with self._lock:
            if not self._queue:
                raise UnexpectedRequest(f"no more requests expected, got {_describe(request)}")
            expected, response = self._queue.popleft()
        if not _matches(expected, request):
            raise UnexpectedRequest(_mismatch(expected, request))
        response.request = request
        return response

    def close(self) -> None:
        """Nothing to release: no connections are made."""

    def assert_done(self) -> None:
        with self._lock:
            left = [_describe(expected) for expected, _ in self._queue]
        if left:
            raise AssertionError(f"{len(left)} expected request(s) never sent: {left}")


def _matches(expected: Request | Callable[[Request], bool], request: Request) -> bool:
    if not isinstance(expected, Request):
        return bool(expected(request))
    return (
        expected.method == request.method
        and expected.path == request.path
        and set(expected.query) == set(request.query)
        and set(expected.headers) <= set(request.headers)
        and (expected.body is None or expected.body == request.body)
    )


def _mismatch(expected: Request | Callable[[Request], bool], request: Request) -> str:
    """A readable account of why ``request`` does not match ``expected``, field by field."""
    lines = [f"expected {_describe(expected)}", f"     got {_describe(request)}"]
    if not isinstance(expected, Request):
        lines.append("  the predicate returned False")
        return "\n".join(lines)
    if expected.method != request.method:
        lines.append(f"  method: expected {expected.method!r}, got {request.method!r}")
    if expected.path != request.path:
        lines.append(f"  path: expected {expected.path!r}, got {request.path!r}")
    missing = sorted(set(expected.query) - set(request.query))
    extra = sorted(set(request.query) - set(expected.query))
    if missing or extra:
        lines.append(f"  query: missing {missing}, unexpected {extra}")
    absent = sorted(set(expected.headers) - set(request.headers))
    if absent:
        lines.append(f"  headers: missing {absent}")
    if expected.body is not None and expected.body != request.body:
        lines.append(f"  body: expected {_body(expected)}, got {_body(request)}")
    return "\n".join(lines)


def _body(request: Request) -> str:
    if request.json is not None:
        return f"JSON {request.json!r}"
    return repr(request.body)


def _describe(item: object) -> str:
    if isinstance(item, Request):
        query = "&".join(f"{k}={v}" for k, v in item.query)
        return f"{item.method} /v1/{'/'.join(item.path)}{'?' + query if query else ''}"
    return repr(item)


def routes(table: Iterable[tuple[str, str, Response | Handler]]) -> Handler:
    """A handler from ``(method, path prefix, response or handler)`` rows; unknown → 404."""
    rows = list(table)

    def handle(request: Request) -> Response:
        path = "/".join(request.path)
        for method, prefix, answer in rows:
            if method == request.method and path.startswith(prefix.strip("/")):
                return answer(request) if callable(answer) else answer
        return BytesResponse.of_json({"message": f"no route for {request.method} {path}"}, 404)

    return handle
