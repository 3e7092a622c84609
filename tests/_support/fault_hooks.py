"""Transports that wrap the real one to make a fault happen at an exact point of an exchange
(on LocalCluster and on aisnode alike): a body cut after N bytes, a write slipped in between
two requests of one read, an answer replaced by an error."""

from __future__ import annotations

from collections.abc import Callable

from aisclient.config import resolve_config
from aisclient.errors import AISConnectionError
from aisclient.request import Request
from aisclient.transport.base import Response, Transport
from aisclient.transport.urllib3 import Urllib3Transport


class CutResponse(Response):
    """A response whose body breaks off (a reset) after ``limit`` bytes. As with a real socket
    read, a read that asks for more than arrives before the break fails and returns nothing."""

    def __init__(self, inner: Response, limit: int) -> None:
        self._inner = inner
        self._left = limit
        self.status, self.headers, self.url = inner.status, inner.headers, inner.url
        self.request = inner.request

    def read(self, amt: int | None = None) -> bytes:
        if amt is None or amt > self._left:
            raise AISConnectionError("connection reset (injected)", phase="read", url=self.url)
        data = self._inner.read(amt)
        self._left -= len(data)
        return data

    def close(self) -> None:
        self._inner.close()


class ReceivedThenReset(Response):
    """An answer of which only ``received`` arrived before the connection broke. The real
    answer is already closed: a server that locks an object while sending it (aisnode) can
    take a write to it in the meantime."""

    def __init__(self, inner: Response, limit: int) -> None:
        self._left = inner.read(limit)
        inner.close()
        self.status, self.headers, self.url = inner.status, inner.headers, inner.url
        self.request = inner.request

    def read(self, amt: int | None = None) -> bytes:
        if not self._left:
            raise AISConnectionError("connection reset (injected)", phase="read", url=self.url)
        count = len(self._left) if amt is None else amt
        data, self._left = self._left[:count], self._left[count:]
        return data

    def close(self) -> None:
        pass


class Hook:
    """Sends through a real transport; ``before``/``after`` run around each request."""

    def __init__(
        self,
        endpoint: str,
        *,
        before: Callable[[Request], Response | None] = lambda request: None,
        after: Callable[[Request, Response], Response] = lambda request, response: response,
    ) -> None:
        self.inner: Transport = Urllib3Transport(resolve_config(endpoint, env={}))
        self.before, self.after = before, after
        self.requests: list[Request] = []

    def send(self, request: Request) -> Response:
        self.requests.append(request)
        early = self.before(request)
        if early is not None:
            return early
        return self.after(request, self.inner.send(request))

    def close(self) -> None:
        self.inner.close()  # type: ignore[attr-defined]
