"""The default transport: one urllib3 pool, TLS, timeouts, redirects and the retry policy."""

from __future__ import annotations

import http.client
import os
import random
import ssl
import threading
import time
import warnings
from collections.abc import Callable, MutableMapping
from typing import Any
from urllib.parse import urljoin, urlsplit

import urllib3
from urllib3 import HTTPHeaderDict
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    InsecureRequestWarning,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.response import BaseHTTPResponse
from urllib3.util import parse_url

from aisclient import __version__
from aisclient.config import ClientConfig, Timeout
from aisclient.errors import (
    AISConnectionError,
    AISTimeoutError,
    IncompleteBodyError,
    RedirectError,
    UnreplayableBodyError,
)
from aisclient.request import Body, BytesBody, FileBody, IterBody, JsonBody, Request, render_url
from aisclient.transport.base import BytesResponse, Headers, Response, redact_url
from aisclient.transport.retrying import send_with_retry

USER_AGENT = f"aisclient/{__version__}"
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Bodies up to this size are simply re-sent after a redirect; larger and one-shot bodies first
# learn the target with a header-only probe, so their bytes cross the wire once. (A Go server,
# as AIS is, drains up to 256 KiB of an unread body to keep the connection; past that it
# closes it, and a client still sending may lose the redirect to a reset.)
PROBE_THRESHOLD = 256 * 1024
# How long a probe waits for the proxy's answer before concluding that the server wants the
# body itself (a server that reads bodies but ignores ``Expect`` stays silent after headers).
PROBE_WAIT = 2.0
# An error answer to a probe is returned as is when its body is at most this long.
_PROBE_ERROR_MAX = 1 << 20
_SEND_BLOCK = 1 << 20


class Urllib3Response(Response):
    """A urllib3 response with errors mapped to aisclient's.

    ``preloaded`` (default: ``not request.stream``) means urllib3 already read the whole body
    and returned the connection to the pool; the body is then served from memory.
    """

    def __init__(
        self,
        raw: BaseHTTPResponse,
        url: str,
        request: Request,
        *,
        preloaded: bool | None = None,
    ) -> None:
        self._raw = raw
        self.status = raw.status
        self.headers = Headers(raw.headers)
        self.url = url
        self.request = request
        if preloaded is None:
            preloaded = not request.stream
        # urllib3 keeps a preloaded body in ``data``; its ``read`` then returns b"".
        self._body: bytes | None = raw.data if preloaded else None
        self._pos = 0
        self._done = preloaded

    def read(self, amt: int | None = None) -> bytes:
        if self._body is not None:
            return self._read_buffered(amt)
        if amt is not None and amt < 0:
            amt = None
        try:
            data = self._raw.read(amt)
        except (ProtocolError, HTTPError, OSError) as err:
            raise self._body_error(err) from err
        if amt is None or (not data and amt > 0):
            self._finish()
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:
        view = memoryview(buffer).cast("B")
        if self._body is not None:
            data = self._read_buffered(len(view))
            view[: len(data)] = data
            return len(data)
        try:
            count = self._raw.readinto(view)
        except (ProtocolError, HTTPError, OSError) as err:
            raise self._body_error(err) from err
        if count == 0 and len(view):
            self._finish()
        return count

    def close(self) -> None:
        if self._done:
            return
        if self._raw.length_remaining == 0 or self._raw.closed:
            self._finish()
        else:
            self._drop()  # unread body: dropping the socket beats draining gigabytes

    @property
    def closed(self) -> bool:
        return self._done

    def _read_buffered(self, amt: int | None) -> bytes:
        body = self._body or b""
        end = len(body) if amt is None or amt < 0 else min(len(body), self._pos + amt)
        data = body[self._pos : end]
        self._pos = end
        return data

    def _body_error(self, err: BaseException) -> AISConnectionError:
        self._drop()
        what = f"{self._method()} {redact_url(self.url)}"
        if isinstance(err, ReadTimeoutError | TimeoutError):
            return AISTimeoutError(
                f"timed out reading the body of {what}",
                method=self._method(),
                url=redact_url(self.url),
                phase="read",
            )
        return IncompleteBodyError(
            f"the body of {what} broke off: {_reason(err)}",
            method=self._method(),
            url=redact_url(self.url),
            phase="read",
        )

    def _finish(self) -> None:
        if not self._done:
            self._done = True
            self._raw.release_conn()

    def _drop(self) -> None:
        if not self._done:
            self._done = True
            self._raw.close()
            self._raw.release_conn()

    def _method(self) -> str:
        return self.request.method if self.request else ""


class Urllib3Transport:
    """Sends requests with urllib3: pooled, TLS-aware, following AIS redirects, with retries.

    ``sleep``, ``clock`` and ``rand`` are injectable so tests need neither real time nor luck.
    The pool is rebuilt in a child process after ``fork``, and the transport pickles as its
    configuration (a DataLoader worker gets a fresh pool, never the parent's sockets).
    """

    def __init__(
        self,
        config: ClientConfig,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.config = config
        self._sleep, self._clock, self._rand = sleep, clock, rand
        self._base = config.endpoint
        self._origin = _origin(config.endpoint)
        self._default_timeout = _urllib3_timeout(config.timeout)
        self._pid = -1
        self._pool: urllib3.PoolManager | None = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        return {"config": self.config}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["config"])  # type: ignore[misc]

    def __repr__(self) -> str:
        return f"Urllib3Transport({self.config.endpoint!r})"

    @property
    def pool(self) -> urllib3.PoolManager:
        pid = os.getpid()
        if self._pool is None or self._pid != pid:
            with self._lock:
                if self._pool is None or self._pid != pid:
                    # After fork the parent's pool is dropped, not closed: its sockets are the
                    # parent's to use; closing them here would not disturb it, but reusing would.
                    self._pool = self._make_pool()
                    self._pid = pid
        return self._pool

    def _make_pool(self) -> urllib3.PoolManager:
        tls = self.config.tls
        kwargs: dict[str, Any] = {
            "num_pools": max(8, self.config.max_pool_size),
            "maxsize": self.config.max_pool_size,
            "block": False,
            "retries": False,
            "blocksize": _SEND_BLOCK,
        }
        if tls.skip_verify:
            kwargs["cert_reqs"] = ssl.CERT_NONE
            warnings.warn("skipping TLS verification is insecure", UserWarning, stacklevel=3)
            warnings.simplefilter("ignore", InsecureRequestWarning)
        else:
            kwargs["cert_reqs"] = ssl.CERT_REQUIRED
            if tls.ca_cert:
                kwargs["ca_certs"] = tls.ca_cert
        if tls.client_cert:
            kwargs["cert_file"] = tls.client_cert
            if tls.client_key:
                kwargs["key_file"] = tls.client_key
        return urllib3.PoolManager(**kwargs)

    def close(self) -> None:
        with self._lock:
            if self._pool is not None and self._pid == os.getpid():
                self._pool.clear()
            self._pool = None

    def send(self, request: Request) -> Response:
        return send_with_retry(
            self._send_once,
            request,
            self.config.retry,
            sleep=self._sleep,
            clock=self._clock,
            rand=self._rand,
        )

    # -- one attempt: proxy, redirects, target -------------------------------------------

    def _send_once(self, request: Request) -> Response:
        url = render_url(self._base, request)
        # The token goes to the host the request was addressed to (the configured endpoint or
        # the request's own); a redirect elsewhere is authenticated by the proxy's signature.
        token_origin = _origin(url)
        method = request.method
        body = request.body
        timeout = _urllib3_timeout(request.timeout) if request.timeout else self._default_timeout
        if request.probe_redirect and body is not None and _wants_probe(body):
            probed = self._probe(request, url, body, timeout, token_origin)
            if isinstance(probed, Response):
                return probed
            url = probed
        seen = {url}
        sent_once = False
        for _ in range(MAX_REDIRECTS + 1):
            if sent_once and body is not None and not body.replayable:
                raise UnreplayableBodyError(
                    f"{method} {redact_url(url)}: the server redirected the request, but its body "
                    "comes from an iterator and was already sent; pass bytes or a file to allow "
                    "re-sending (or mark the request probe_redirect)"
                )
            raw = self._exchange(request, method, url, body, timeout, token_origin)
            sent_once = True
            if raw.status not in REDIRECT_STATUSES:
                return Urllib3Response(raw, url, request)
            location = raw.headers.get("Location")
            raw.drain_conn()
            raw.release_conn()
            if not location:
                raise RedirectError(f"{method} {redact_url(url)}: {raw.status} without Location")
            next_url = urljoin(url, location)
            if next_url in seen:
                raise RedirectError(
                    f"{method} {redact_url(url)}: redirect loop to {redact_url(next_url)}"
                )
            seen.add(next_url)
            if raw.status == 303:
                method, body = "GET", None
            url = next_url
        raise RedirectError(
            f"{request.method} {redact_url(render_url(self._base, request))}: "
            f"more than {MAX_REDIRECTS} redirects"
        )

    def _headers(
        self,
        request: Request,
        url: str,
        body: Body | None,
        token_origin: tuple[str, str, int | None] | None = None,
    ) -> MutableMapping[str, str]:
        # Case-insensitive, so a caller's "content-type" replaces ours instead of doubling it.
        headers = HTTPHeaderDict({"User-Agent": USER_AGENT})
        if body is not None:
            headers["Content-Type"] = body.content_type
        headers.update(request.headers)
        token = self.config.token
        if token and _origin(url) == (token_origin or self._origin):
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def _exchange(
        self,
        request: Request,
        method: str,
        url: str,
        body: Body | None,
        timeout: urllib3.Timeout,
        token_origin: tuple[str, str, int | None] | None = None,
    ) -> BaseHTTPResponse:
        headers = self._headers(request, url, body, token_origin)
        payload: Any = None
        if isinstance(body, BytesBody | JsonBody):
            payload = body.data
        elif isinstance(body, FileBody):
            headers["Content-Length"] = str(body.size())  # a missing file raises here, as is
            payload = body.chunks()
        elif isinstance(body, IterBody):
            payload = iter(body.source)
            if body.length is not None:
                headers["Content-Length"] = str(body.length)
        try:
            return self.pool.urlopen(
                method,
                url,
                body=payload,
                headers=headers,
                redirect=False,
                retries=False,
                timeout=timeout,
                preload_content=not request.stream,
                chunked=isinstance(body, IterBody) and body.length is None,
            )
        except HTTPError as err:
            raise _network_error(err, method, url) from err
        except OSError as err:
            raise AISConnectionError(
                f"{method} {redact_url(url)} failed: {err}", method=method, url=redact_url(url)
            ) from err

    def _probe(
        self,
        request: Request,
        url: str,
        body: Body,
        timeout: urllib3.Timeout,
        token_origin: tuple[str, str, int | None] | None = None,
    ) -> str | Response:
        """Ask the proxy where to send ``body`` without sending it.

        Sends the headers only, with ``Expect: 100-continue`` and the real length (or chunked
        framing when the length is unknown, never a false ``Content-Length: 0``). An AIS proxy
        answers with a redirect without reading the body: its target URL is returned. An error
        status is returned as the response (no point sending the body to hear it again). A
        ``100 Continue``, any other answer, a reset or silence means the server wants the body
        itself: the original URL is returned. The connection is never reused.
        """
        headers = self._headers(request, url, body, token_origin)
        size = body.size()
        if size is None:
            headers["Transfer-Encoding"] = "chunked"
        else:
            headers["Content-Length"] = str(size)
        headers["Expect"] = "100-continue"
        headers["Connection"] = "close"
        read_timeout = timeout.read_timeout
        wait = (
            PROBE_WAIT
            if not isinstance(read_timeout, int | float)
            else min(PROBE_WAIT, read_timeout)
        )
        conn: Any = self.pool.connection_from_url(url)._new_conn()
        conn.timeout = timeout.connect_timeout
        try:
            try:
                conn.connect()
            except HTTPError as err:
                raise _network_error(err, request.method, url) from err
            except (ssl.SSLError, ssl.CertificateError) as err:
                raise _tls_error(err, request.method, url) from err
            except OSError as err:
                raise AISConnectionError(
                    f"{request.method} {redact_url(url)}: cannot connect: {err}",
                    method=request.method,
                    url=redact_url(url),
                    phase="connect",
                ) from err
            try:
                conn.putrequest(request.method, parse_url(url).request_uri)
                for name, value in headers.items():
                    conn.putheader(name, value)
                conn.endheaders()
                conn.sock.settimeout(wait)
                with conn.sock.makefile("rb") as stream:
                    return _probe_answer(stream, request, url)
            except (OSError, http.client.HTTPException, ValueError):
                return url  # silence, a reset or garbage: send the body here as usual
        finally:
            conn.close()


def _probe_answer(stream: Any, request: Request, url: str) -> str | Response:
    line = stream.readline(65537)
    version, _, rest = line.partition(b" ")
    if not version.startswith(b"HTTP/") or len(rest) < 3 or not rest[:3].isdigit():
        return url
    status = int(rest[:3])
    if status == 100:
        return url  # "send the body": this server takes it itself
    message = http.client.parse_headers(stream)
    location = message.get("Location")
    if status in REDIRECT_STATUSES and location:
        return urljoin(url, location)
    length = message.get("Content-Length", "")
    if status >= 400 and status != 417 and length.isdigit() and int(length) <= _PROBE_ERROR_MAX:
        data = stream.read(int(length))
        if len(data) == int(length):
            return BytesResponse(status, data, dict(message.items()), url=url, request=request)
    return url


def _wants_probe(body: Body) -> bool:
    if not body.replayable:
        return True
    size = body.size()
    return size is None or size > PROBE_THRESHOLD


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return (parts.scheme, (parts.hostname or "").lower(), port)


def _urllib3_timeout(timeout: Timeout) -> urllib3.Timeout:
    return urllib3.Timeout(connect=timeout.connect, read=timeout.read)


def _reason(err: BaseException) -> str:
    inner = err.args[-1] if err.args else err
    return str(inner) if inner else type(err).__name__


def _tls_error(err: BaseException, method: str, url: str) -> AISConnectionError:
    # Not retried (no phase): a certificate that failed to verify will fail again.
    safe = redact_url(url)
    return AISConnectionError(
        f"{method} {safe}: TLS failure: {_reason(err)}", method=method, url=safe
    )


def _network_error(err: BaseException, method: str, url: str) -> AISConnectionError:
    where = f"{method} {redact_url(url)}"
    safe = redact_url(url)
    # NewConnectionError subclasses ConnectTimeoutError in urllib3: test it first, or a
    # refused connection would be reported as a timeout.
    if isinstance(err, NewConnectionError):
        return AISConnectionError(
            f"{where}: cannot connect: {_reason(err)}", method=method, url=safe, phase="connect"
        )
    if isinstance(err, ConnectTimeoutError):
        return AISTimeoutError(
            f"{where}: timed out connecting", method=method, url=safe, phase="connect"
        )
    if isinstance(err, ReadTimeoutError):
        return AISTimeoutError(f"{where}: timed out reading", method=method, url=safe, phase="read")
    if isinstance(err, SSLError):
        return _tls_error(err, method, url)
    if isinstance(err, ProtocolError):
        return IncompleteBodyError(
            f"{where}: connection broke: {_reason(err)}", method=method, url=safe, phase="read"
        )
    return AISConnectionError(f"{where}: {_reason(err)}", method=method, url=safe, phase="read")
