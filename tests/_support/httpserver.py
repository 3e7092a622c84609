"""A small threaded HTTP(S) server on 127.0.0.1 whose behaviour each test programs.

A test sets ``server.handler`` to a function of a :class:`Call`. The handler reads the body
(or not), replies, delays, breaks the connection mid-body, and so on. Every request is
recorded in ``server.seen`` with the bytes that reached the server.

Body handling copies a Go server (as AIS is): ``Expect: 100-continue`` is answered only when
the handler starts reading the body (``send_continue=False`` makes a server that never answers
it and just waits); an unread body of at most 256 KiB is drained after the handler so the
connection stays usable, a larger (or chunked, or still expected) one closes the connection.
"""

from __future__ import annotations

import http.server
import socket
import ssl
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

DRAIN_LIMIT = 256 * 1024


@dataclass
class Seen:
    """One request as the server saw it."""

    method: str
    target: str  # the request target as sent: percent-encoded path and query
    headers: dict[str, str]  # lower-case names
    port: int
    client: tuple[str, int] = ("", 0)  # the client's address: same port = same connection
    body: bytes = b""  # every body byte that reached the server (read or drained)

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(self.target).query, keep_blank_values=True)


class Call:
    """The handler's view of one request."""

    def __init__(self, handler: _Handler, seen: Seen) -> None:
        self._h = handler
        self.seen = seen
        self.method = seen.method
        self.target = seen.target
        self.path = seen.path
        self.query = seen.query
        self.headers = seen.headers
        self.replied = False
        self._body_done = False
        self._continue_pending = seen.headers.get("expect", "").lower() == "100-continue"

    @property
    def server(self) -> TestServer:
        return self._h.server.owner  # type: ignore[attr-defined, no-any-return]

    def body(self) -> bytes:
        """Read the whole body (answering ``Expect: 100-continue`` first, if asked)."""
        if self._body_done:
            return self.seen.body
        if self._continue_pending:
            self._continue_pending = False
            if self.server.send_continue:  # else: a server that ignores Expect just waits
                self._h.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                self._h.wfile.flush()
        self._read_all()
        return self.seen.body

    def _read_all(self) -> None:
        self._body_done = True
        length = self.headers.get("content-length")
        rfile = self._h.rfile
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            parts = []
            while True:
                size_line = rfile.readline(1024)
                if not size_line:
                    break
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    rfile.readline(1024)
                    break
                parts.append(rfile.read(size))
                rfile.readline(1024)
            self.seen.body += b"".join(parts)
        elif length:
            self.seen.body += rfile.read(int(length))

    def has_body(self) -> bool:
        length = self.headers.get("content-length", "0")
        chunked = "chunked" in self.headers.get("transfer-encoding", "").lower()
        return chunked or (length.isdigit() and int(length) > 0)

    def reply(
        self,
        status: int = 200,
        body: bytes | str = b"",
        headers: dict[str, str] | None = None,
        *,
        content_length: int | None = None,
        close: bool = False,
    ) -> None:
        """Send a complete answer; ``content_length`` may lie (to make a short body)."""
        data = body.encode() if isinstance(body, str) else body
        self._settle_body(force_close=close)
        h = self._h
        h.send_response(status)
        all_headers = {
            "Content-Length": str(len(data) if content_length is None else content_length)
        }
        all_headers.update(headers or {})
        if h.close_connection:
            all_headers["Connection"] = "close"
        for name, value in all_headers.items():
            h.send_header(name, value)
        h.end_headers()
        if self.method != "HEAD":
            h.wfile.write(data)
        h.wfile.flush()
        self.replied = True
        if content_length is not None and content_length > len(data):
            self.hang_up()

    def redirect(self, base: str, status: int = 307, *, location: str | None = None) -> None:
        """Redirect to the same target on ``base`` (or to ``location`` exactly)."""
        self.reply(status, b"", {"Location": location or base.rstrip("/") + self.target})

    def send_head(self, status: int, headers: dict[str, str]) -> None:
        """Send only the status line and headers (the test writes the body with ``write``)."""
        self._settle_body(force_close=False)
        h = self._h
        h.send_response(status)
        for name, value in headers.items():
            h.send_header(name, value)
        h.end_headers()
        h.wfile.flush()
        self.replied = True

    def write(self, data: bytes) -> None:
        self._h.wfile.write(data)
        self._h.wfile.flush()

    def hang_up(self) -> None:
        """Close the connection gracefully (FIN) after what was written."""
        self.replied = True
        self._h.close_connection = True
        try:
            self._h.wfile.flush()
            self._h.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def reset(self) -> None:
        """Abort the connection with a TCP reset (RST)."""
        self.replied = True
        self._h.close_connection = True
        sock = self._h.connection
        try:
            self._h.wfile.flush()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
        except OSError:
            pass

    def wait(self, seconds: float) -> None:
        """Sleep, but wake up at once when the server stops."""
        self.server.stopping.wait(seconds)

    def _settle_body(self, *, force_close: bool) -> None:
        """Before answering: drain a small unread body, or plan to close the connection."""
        if force_close:
            self._h.close_connection = True
        if self._body_done or not self.has_body():
            return
        length = self.headers.get("content-length", "")
        small = length.isdigit() and int(length) <= DRAIN_LIMIT
        if small and not self._continue_pending:
            self._read_all()
        else:
            self._h.close_connection = True


Handler = Callable[[Call], None]


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10  # an idle keep-alive connection ends its thread eventually

    def handle_expect_100(self) -> bool:
        return True  # answered lazily, when the handler reads the body (see Call.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _dispatch(self) -> None:
        owner: TestServer = self.server.owner  # type: ignore[attr-defined]
        seen = Seen(
            method=self.command,
            target=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            port=owner.port,
            client=tuple(self.client_address[:2]),
        )
        owner.seen.append(seen)
        call = Call(self, seen)
        try:
            owner.handler(call)
        except OSError:  # the client went away (e.g. a probe that fell back): not a test bug
            self.close_connection = True
            return
        except Exception as err:  # a broken test handler must show up in the test
            owner.errors.append(err)
            if not call.replied:
                call.reply(500, f"handler failed: {err!r}", close=True)
            return
        if not call.replied:
            call.reply(200, b"")

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = do_PATCH = do_OPTIONS = _dispatch


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, owner: TestServer, context: ssl.SSLContext | None) -> None:
        self.owner = owner
        self.context = context
        super().__init__(("127.0.0.1", 0), _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.context is not None:
            # The handshake runs in the connection's own thread, so a failing one (wrong CA,
            # missing client certificate) neither blocks the server nor escapes as noise.
            try:
                request = self.context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError) as err:
                self.owner.tls_failures.append(err)
                request.close()
                return
        super().finish_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # resets and hang-ups done on purpose end handler threads with socket errors


def _ok(call: Call) -> None:
    call.reply(200, b"ok")


@dataclass
class TestServer:
    """One programmable server. Use as a context manager, or ``start()``/``stop()``."""

    __test__ = False  # not a pytest test class

    context: ssl.SSLContext | None = None
    handler: Handler = _ok
    send_continue: bool = True
    seen: list[Seen] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    tls_failures: list[BaseException] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def start(self) -> TestServer:
        self._server = _Server(self, self.context)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self) -> TestServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        scheme = "https" if self.context is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def reply_with(self, status: int = 200, body: bytes | str = b"", **headers: str) -> None:
        """Answer every request the same way."""
        self.handler = answer(status, body, **headers)

    def script(self, *handlers: Handler) -> None:
        """Answer the n-th request with the n-th handler; the last one repeats."""
        queue = list(handlers)
        lock = threading.Lock()

        def next_handler(call: Call) -> None:
            with lock:
                handler = queue.pop(0) if len(queue) > 1 else queue[0]
            handler(call)

        self.handler = next_handler


def answer(status: int = 200, body: bytes | str = b"", **headers: str) -> Handler:
    """A handler that replies once with a fixed answer (for :meth:`TestServer.script`)."""
    return lambda call: call.reply(
        status, body, {k.replace("_", "-"): v for k, v in headers.items()}
    )


@contextmanager
def serving(context: ssl.SSLContext | None = None) -> Iterator[TestServer]:
    with TestServer(context=context) as server:
        yield server
