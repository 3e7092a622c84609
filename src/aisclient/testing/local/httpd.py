"""HTTP plumbing: one ThreadingHTTPServer per node and the request/response helpers.

Responses always carry a correct ``Content-Length`` or use chunked transfer
encoding, so keep-alive connections stay in sync.  A request body that a handler
did not read is drained after the response (or the connection is closed when the
client is still waiting for ``100 Continue``).
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import traceback
from collections.abc import Callable, Iterable
from email.message import Message
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import IO, Any, BinaryIO, Protocol
from urllib.parse import parse_qs, unquote

from .errors import HttpError, bad_request

MAX_JSON_BODY = 64 << 20
_DRAIN_TIMEOUT = 10.0


class AbortConnection(Exception):
    """Raised to drop the connection without a (further) response."""


class NodeInfo:
    """Identity of one node (proxy or target)."""

    def __init__(self, node_id: str, kind: str, host: str, port: int) -> None:
        self.id = node_id
        self.kind = kind
        self.host = host
        self.port = port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def name(self) -> str:
        return f"{'p' if self.kind == 'proxy' else 't'}[{self.id}]"


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


class BodyReader:
    """Reads a request body framed by Content-Length or chunked encoding."""

    def __init__(
        self, rfile: BinaryIO, headers: Message, on_first_read: Callable[[], None]
    ) -> None:
        self._rfile = rfile
        self._on_first_read: Callable[[], None] | None = on_first_read
        te = (headers.get("Transfer-Encoding") or "").lower()
        self.chunked = "chunked" in te
        self.length: int | None = None
        if not self.chunked:
            try:
                self.length = max(0, int(headers.get("Content-Length") or 0))
            except ValueError:
                raise bad_request("invalid Content-Length") from None
        self._left = self.length or 0
        self._chunk_left = 0
        self.done = not self.chunked and self._left == 0
        self.read_bytes = 0

    def _start(self) -> None:
        if self._on_first_read is not None:
            cb, self._on_first_read = self._on_first_read, None
            cb()

    def _next_chunk(self) -> None:
        line = self._rfile.readline(65537)
        if not line:
            raise AbortConnection("connection closed inside chunked body")
        size = int(line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while True:
                trailer = self._rfile.readline(65537)
                if trailer in (b"\r\n", b"\n", b""):
                    break
            self.done = True
        self._chunk_left = size

    def read(self, n: int = -1) -> bytes:
        if self.done:
            return b""
        self._start()
        if n < 0:
            n = 1 << 20
        if not self.chunked:
            data = self._rfile.read(min(n, self._left))
            if not data:
                raise AbortConnection("connection closed inside body")
            self._left -= len(data)
            self.read_bytes += len(data)
            self.done = self._left == 0
            return data
        if self._chunk_left == 0:
            self._next_chunk()
            if self.done:
                return b""
        data = self._rfile.read(min(n, self._chunk_left))
        if not data:
            raise AbortConnection("connection closed inside chunked body")
        self._chunk_left -= len(data)
        self.read_bytes += len(data)
        if self._chunk_left == 0:
            self._rfile.readline(3)
        return data

    def read_all(self, limit: int = MAX_JSON_BODY) -> bytes:
        parts: list[bytes] = []
        total = 0
        while not self.done:
            data = self.read(1 << 20)
            total += len(data)
            if total > limit:
                raise bad_request("request body too large")
            parts.append(data)
        return b"".join(parts)

    def drain(self) -> None:
        while not self.done:
            self.read(1 << 20)


class ChunkWriter:
    """A file-like writer producing a chunked response body."""

    def __init__(self, ex: ServerExchange) -> None:
        self._ex = ex
        self._buf = bytearray()
        self.closed = False

    def write(self, data: bytes) -> int:
        self._buf += data
        if len(self._buf) >= 1 << 16:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self._buf:
            data = bytes(self._buf)
            self._buf.clear()
            self._ex.write_raw(b"%x\r\n" % len(data), counted=False)
            self._ex.write_raw(data)
            self._ex.write_raw(b"\r\n", counted=False)

    def close(self) -> None:
        if not self.closed:
            self.flush()
            self._ex.write_raw(b"0\r\n\r\n", counted=False)
            self.closed = True


class ServerExchange:
    """One request and the means to answer it."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.node: NodeInfo = handler.server.node
        self.method = handler.command
        target = handler.path
        raw_path, _, raw_query = target.partition("?")
        self.raw_path = raw_path
        self.raw_query = raw_query
        self.path = unquote(raw_path)
        self.query: dict[str, list[str]] = parse_qs(raw_query, keep_blank_values=True)
        self.headers: Message = handler.headers
        host, port = handler.client_address[:2]
        self.remote_addr = f"{host}:{port}"
        self.started = False
        self.reset_after: int | None = None
        self.reset_claim: Callable[[], bool] | None = None
        self.body_sent = 0
        self._expect_pending = handler.expect_pending
        self.body = BodyReader(handler.rfile, handler.headers, self._send_continue)  # type: ignore[arg-type]

    # ---- request helpers ---------------------------------------------------

    def q(self, name: str, default: str = "") -> str:
        values = self.query.get(name)
        return values[0] if values else default

    def has(self, name: str) -> bool:
        return name in self.query

    def qbool(self, name: str) -> bool:
        return parse_bool(self.q(name))

    def read_json(self, what: str = "apc.ActMsg") -> Any:
        raw = self.body.read_all()
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except ValueError as e:
            raise bad_request(
                f"{self.node.name}: failed to unmarshal [*{what}] ({self.method}), err: {e}"
            ) from None

    def _send_continue(self) -> None:
        if self._expect_pending and not self.started:
            self._expect_pending = False
            self.handler.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    # ---- response helpers --------------------------------------------------

    def _head(self, status: int, headers: Iterable[tuple[str, str]]) -> bytes:
        if self.started:
            raise AbortConnection("response already started")
        self.started = True
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Status"
        lines = [f"HTTP/1.1 {status} {reason}"]
        lines.extend(f"{k}: {v}" for k, v in headers)
        lines.append(f"Date: {formatdate(usegmt=True)}")
        if not self.body.done and (self._expect_pending or self.handler.close_connection):
            # the client has not sent (or will not send) the body: do not wait for it
            self.handler.close_connection = True
            lines.append("Connection: close")
        head = "\r\n".join(lines) + "\r\n\r\n"
        try:
            # Header bytes go back as they came: http.server decodes request headers as
            # Latin-1, and aisnode returns stored metadata bytes unchanged.
            return head.encode("latin-1")
        except UnicodeEncodeError:
            return head.encode("utf-8", "surrogateescape")

    def write_raw(self, data: bytes, counted: bool = True) -> None:
        if counted and self.reset_after is not None:
            room = self.reset_after - self.body_sent
            if len(data) > room:
                if self.reset_claim is None or self.reset_claim():
                    self.handler.wfile.write(data[: max(room, 0)])
                    self.body_sent += max(room, 0)
                    raise AbortConnection("fault: reset mid-body")
                self.reset_after = None
        self.handler.wfile.write(data)
        if counted:
            self.body_sent += len(data)

    def respond(
        self,
        status: int = 200,
        body: bytes = b"",
        headers: Iterable[tuple[str, str]] = (),
        content_type: str | None = None,
    ) -> None:
        hdrs = list(headers)
        if content_type is not None:
            hdrs.append(("Content-Type", content_type))
        if self.method != "HEAD":
            hdrs.append(("Content-Length", str(len(body))))
        head = self._head(status, hdrs)
        if self.method == "HEAD" or not body:
            self.handler.wfile.write(head)
            return
        if self.reset_after is not None and 200 <= status < 300:
            self.handler.wfile.write(head)
            self.write_raw(body)
        else:
            self.handler.wfile.write(head + body)

    def respond_json(self, obj: Any, status: int = 200, content_type: str | None = None) -> None:
        ctype = content_type or "application/json; charset=utf-8"
        self.respond(status, dumps(obj), content_type=ctype)

    def respond_text(self, text: str, status: int = 200) -> None:
        self.respond(status, text.encode(), content_type="text/plain; charset=utf-8")

    def redirect(self, status: int, location: str) -> None:
        body = b""
        ctype = None
        if self.method == "GET":
            href = location.replace("&", "&amp;")
            body = f'<a href="{href}">{HTTPStatus(status).phrase}</a>.\n\n'.encode()
            ctype = "text/html; charset=utf-8"
        self.respond(status, body, [("Location", location)], content_type=ctype)

    def send_file(
        self, f: BinaryIO, offset: int, length: int, status: int, headers: list[tuple[str, str]]
    ) -> None:
        """Send ``length`` bytes of ``f`` from ``offset`` (no body for HEAD)."""
        head = self._head(status, [*headers, ("Content-Length", str(length))])
        self.handler.wfile.write(head)
        if self.method == "HEAD" or length == 0:
            return
        if self.reset_after is None:
            sent = self.handler.connection.sendfile(f, offset, length)
            if sent != length:
                raise AbortConnection("object shrank while being sent")
            self.body_sent += sent
            return
        f.seek(offset)
        if self.write_from(f, length) != length:
            raise AbortConnection("object shrank while being sent")

    def write_from(self, src: IO[bytes], length: int) -> int:
        """Write up to ``length`` bytes of ``src`` in 1 MiB chunks; returns how many were
        written (fewer when ``src`` ends early)."""
        left = length
        while left > 0:
            data = src.read(min(1 << 20, left))
            if not data:
                break
            left -= len(data)
            self.write_raw(data)
        return length - left

    def start_stream(self, status: int, headers: list[tuple[str, str]]) -> ChunkWriter:
        self.handler.wfile.write(self._head(status, [*headers, ("Transfer-Encoding", "chunked")]))
        return ChunkWriter(self)

    def start_fixed(self, status: int, headers: list[tuple[str, str]], length: int) -> None:
        """Send headers for a body of ``length`` bytes written with ``write_raw``."""
        self.handler.wfile.write(self._head(status, [*headers, ("Content-Length", str(length))]))

    def error_body(self, err: HttpError) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if err.tcode:
            body["tcode"] = err.tcode
        body.update(
            message=err.message,
            method=self.method,
            url_path=self.path,
            remote_addr=self.remote_addr,
            caller="",
            node=self.node.name,
            status=err.status,
        )
        return body

    def fail(self, err: HttpError) -> None:
        if self.started:
            raise AbortConnection("error after the response started")
        if err.plain:
            self.respond(err.status, err.message.encode() + b"\n", err.headers, "text/plain")
            return
        body = self.error_body(err)
        hdrs = [*err.headers, ("X-Content-Type-Options", "nosniff")]
        if self.method == "HEAD":
            hdr = json.dumps(body, separators=(",", ":"))
            self.respond(err.status, b"", [("Hdr-Error", hdr), *hdrs], "application/json")
        else:
            self.respond(err.status, dumps(body), hdrs, "application/json")


def parse_bool(value: str) -> bool:
    return value.strip().lower() in ("1", "t", "true", "y", "yes", "on")


class Router(Protocol):
    def __call__(self, ex: ServerExchange) -> None: ...


class Hooks(Protocol):
    """What the cluster plugs into every node: request log and fault injection."""

    def on_request(self, ex: ServerExchange) -> bool:
        """Record the request and apply faults; True when it was fully answered."""
        ...


def _unrouted(ex: ServerExchange) -> None:
    raise HttpError(503, f"{ex.node.name} is starting up")


class _NoHooks:
    def on_request(self, ex: ServerExchange) -> bool:
        return False


class NodeServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, node: NodeInfo) -> None:
        self.node = node
        self.router: Router = _unrouted
        self.hooks: Hooks = _NoHooks()
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        super().__init__((node.host, node.port), Handler)
        node.port = self.server_address[1]

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conns_lock:
            self._conns.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._conns_lock:
            self._conns.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A peer that goes away mid-exchange (a client that resets, or the cluster shutting its
        # connections down) is normal for a server; only other errors deserve a traceback.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def close_connections(self) -> None:
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: NodeServer
    expect_pending = False

    def handle_expect_100(self) -> bool:
        # answer 100 Continue only once a handler actually reads the body
        self.expect_pending = True
        return True

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _serve(self) -> None:
        ex: ServerExchange | None = None
        try:
            ex = ServerExchange(self)
            if not self.server.hooks.on_request(ex):
                self.server.router(ex)
            if not ex.started:
                ex.respond(200)
        except HttpError as err:
            if ex is None or ex.started:
                self.close_connection = True
                return
            ex.fail(err)
        except (AbortConnection, OSError):
            self._abort()
            return
        except Exception as e:  # pragma: no cover - a bug in LocalCluster itself
            traceback.print_exc()
            if ex is None or ex.started:
                self._abort()
                return
            ex.fail(HttpError(500, f"LocalCluster internal error: {e!r}"))
        finally:
            self.expect_pending = False
        self._finish_body(ex)

    def _abort(self) -> None:
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def _finish_body(self, ex: ServerExchange | None) -> None:
        if ex is None or self.close_connection or ex.body.done:
            return
        try:
            self.connection.settimeout(_DRAIN_TIMEOUT)
            ex.body.drain()
            self.connection.settimeout(None)
        except (OSError, AbortConnection, ValueError):
            self.close_connection = True

    do_GET = _serve
    do_HEAD = _serve
    do_PUT = _serve
    do_POST = _serve
    do_DELETE = _serve
    do_PATCH = _serve
    do_OPTIONS = _serve
