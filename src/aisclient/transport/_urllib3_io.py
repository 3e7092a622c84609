"""The urllib3 side of :class:`~aisclient.transport.urllib3.Urllib3Transport`: the pool, one
HTTP exchange, the redirect probe, the response wrapper and the mapping of urllib3's errors.

Imported on the first request (it loads urllib3, ``http.client`` and ``ssl``).
"""

from __future__ import annotations

import http.client
import io
import logging
import ssl
import warnings
from collections.abc import MutableMapping
from typing import Any

import urllib3
from urllib3 import HTTPHeaderDict
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from aisclient.config import ClientConfig
from aisclient.errors import AISConnectionError, AISTimeoutError, IncompleteBodyError
from aisclient.headers import Headers
from aisclient.request import Body, BytesBody, FileBody, IterBody, JsonBody, Request
from aisclient.timeouts import Timeout
from aisclient.transport._response_head import FastHeadResponse
from aisclient.transport._response_head import usable as head_reader_usable
from aisclient.transport.base import BytesResponse, Response, redact_url
from aisclient.transport.urls import (
    REDIRECT_STATUSES,
    Hop,
    Origin,
    Where,
    next_hop,
    token_allowed,
)

# The buffer of the BufferedReader over a streamed body. It is there only for its C ``read(n)``,
# which fills a new bytes object in place; one byte means no read-ahead: a read waits for the
# bytes asked for and never for more (a slow stream's consumer gets what has arrived).
_NO_READ_AHEAD = 1
# An error answer to a probe is returned as is when its body is at most this long.
_PROBE_ERROR_MAX = 1 << 20
_SEND_BLOCK = 1 << 20
# Bodies in memory up to this size leave in the same write as the request head.
_COALESCE_MAX = 64 * 1024
# One immutable "no retries, no redirects" policy instead of a new one per request: retries
# and redirects are the transport's own business.
_NO_RETRY = Retry(total=False, redirect=False)


class _RedactTargets(logging.Filter):
    """urllib3 logs each request target at DEBUG; hide signed query values there too."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(_has_query(arg) for arg in record.args):
            record.args = tuple(
                redact_url(arg) if isinstance(arg, str) and _has_query(arg) else arg
                for arg in record.args
            )
        return True


def _has_query(value: object) -> bool:
    return isinstance(value, str) and "?" in value and value.startswith(("/", "http"))


logging.getLogger("urllib3.connectionpool").addFilter(_RedactTargets())


class Urllib3Response(Response):
    """A urllib3 response with errors mapped to aisclient's.

    ``preloaded`` (default: ``not request.stream``) means urllib3 already read the whole body
    and returned the connection to the pool; the body is then served from memory. The
    case-insensitive :attr:`headers` copy is made on first use (many callers never look).
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
        self._headers: Headers | None = None
        self.url = url
        self.request = request
        if preloaded is None:
            preloaded = not request.stream
        # urllib3 keeps a preloaded body in ``data``; its ``read`` then returns b"".
        self._body: bytes | None = raw.data if preloaded else None
        self._pos = 0
        self._done = preloaded
        self._direct: io.BufferedReader | None = None
        self._direct_checked = False

    @property
    def headers(self) -> Headers:
        headers = self._headers
        if headers is None:
            headers = self._headers = Headers(self._raw.headers)
        return headers

    @headers.setter
    def headers(self, value: Headers) -> None:
        self._headers = value

    def read(self, amt: int | None = None) -> bytes:
        if self._body is not None:
            return self._read_buffered(amt)
        if amt is not None and amt < 0:
            amt = None
        source = self._direct_body() or self._raw
        try:
            data = source.read(amt)
        except (ProtocolError, HTTPError, http.client.HTTPException, OSError) as err:
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
        source = self._direct_body() or self._raw
        try:
            count = source.readinto(view)
        except (ProtocolError, HTTPError, http.client.HTTPException, OSError) as err:
            raise self._body_error(err) from err
        if count == 0 and len(view):
            self._finish()
        return count

    def _direct_body(self) -> io.BufferedReader | None:
        """The body read straight from ``http.client``, when urllib3 has nothing to add.

        urllib3's ``read(n)`` of a chunked body joins the chunks into a new object and its
        ``readinto`` copies a ``read`` result into the buffer: each costs a copy of every byte
        on top of the socket's. A ``BufferedReader`` over ``http.client``'s ``readinto`` fills
        a large ``read(n)`` result, or the caller's buffer, straight from the socket. Used
        only for a body urllib3 would not decode (no ``Content-Encoding``) and has not
        started reading; chosen once per response.
        """
        direct = self._direct
        if direct is None and not self._direct_checked:
            self._direct_checked = True
            fp = _plain_body(self._raw)
            if fp is not None:
                direct = self._direct = io.BufferedReader(_BodyIO(fp), _NO_READ_AHEAD)
        return direct

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

    def discard(self) -> None:
        """Read and drop the rest of a short body (a redirect's), keeping the connection."""
        if not self._done:
            self._done = True
            self._raw.drain_conn()
            self._raw.release_conn()

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


def _plain_body(raw: BaseHTTPResponse) -> http.client.HTTPResponse | None:
    """``raw``'s ``http.client`` response if its body can be read past urllib3, else None."""
    fp = getattr(raw, "_fp", None)
    if not isinstance(fp, http.client.HTTPResponse) or raw.tell() != 0:
        return None
    encoding = raw.headers.get("content-encoding", "")
    if encoding and encoding.strip().lower() != "identity":
        return None  # urllib3 decodes it
    return fp


class _BodyIO(io.RawIOBase):
    """A response body as a raw stream over ``http.client``'s ``readinto`` (which de-chunks
    straight into the buffer given), with a body that ends before its ``Content-Length``
    reported as broken off (``http.client``'s ``readinto`` only returns 0 there)."""

    def __init__(self, fp: http.client.HTTPResponse) -> None:
        super().__init__()
        self._fp = fp

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self._fp.readinto(buffer)
        if count == 0 and len(buffer) and self._fp.length:
            raise http.client.HTTPException(
                f"the body ended {self._fp.length} bytes short of its Content-Length"
            )
        return count

    def readall(self) -> bytes:
        return self._fp.read()


class _Connection(HTTPConnection):
    """An urllib3 connection that sends request bodies with fewer writes.

    ``http.client`` (and urllib3 over it) writes the head and then the body: with
    ``TCP_NODELAY`` that is two segments, and on loopback two wake-ups of the server, for
    every small PUT or POST. A small in-memory body is therefore handed to the head's ``send``
    (urllib3 is given no body and an explicit ``Content-Length``), so one write carries both.

    (File bodies go in 1 MiB ``sendall`` writes from one reused buffer. ``sendfile(2)`` was
    measured too: half the client CPU, but 20 % less throughput to a server on loopback.)

    Response heads are read by :class:`FastHeadResponse` (same result, a fraction of the
    CPU of ``http.client``'s ``email``-based parser).
    """

    response_class = FastHeadResponse if head_reader_usable() else http.client.HTTPResponse
    _tail: bytes | None = None

    def request(
        self,
        method: str,
        url: str,
        body: Any = None,
        headers: Any = None,
        *,
        chunked: bool = False,
        **options: Any,
    ) -> None:
        if type(body) is bytes and 0 < len(body) <= _COALESCE_MAX and not chunked:
            merged = HTTPHeaderDict(headers)
            merged["Content-Length"] = str(len(body))
            self._tail, body, headers = body, None, merged
        try:
            super().request(method, url, body, headers, chunked=chunked, **options)
        finally:
            self._tail = None

    def send(self, data: Any) -> None:
        tail = self._tail
        if tail is not None:
            # The only write of a request sent without a body is its head.
            self._tail = None
            data = bytes(data) + tail
        super().send(data)


class _HTTPSConnection(_Connection, HTTPSConnection):
    pass


class _HTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _Connection


class _HTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class _UnverifiedHTTPSConnectionPool(_HTTPSConnectionPool):
    """For ``skip_verify``: the user chose it (and was warned once, when the pool was made),
    so no warning per request, and no process-wide warnings filter to silence one."""

    def _validate_conn(self, conn: Any) -> None:
        HTTPConnectionPool._validate_conn(self, conn)
        if conn.is_closed:
            conn.connect()


class Connections:
    """The urllib3 pool of one transport in one process, and the exchanges made through it."""

    def __init__(self, config: ClientConfig, user_agent: str) -> None:
        self.config = config
        self.user_agent = user_agent
        self.pool = _make_pool(config)
        self.default_timeout = _urllib3_timeout(config.timeout)
        # (scheme, host, port) -> its pool: PoolManager.connection_from_host normalizes a key
        # and takes a lock on every call, this is one dict lookup.
        self._pools: dict[tuple[str, str, int | None], HTTPConnectionPool] = {}

    def host_pool(self, scheme: str, host: str, port: int | None) -> HTTPConnectionPool:
        key = (scheme, host, port)
        pool = self._pools.get(key)
        if pool is None or pool.pool is None:  # new, or closed by the manager (evicted)
            pool = self._pools[key] = self.pool.connection_from_host(host, port, scheme)
        return pool

    def timeout(self, timeout: Timeout | None) -> urllib3.Timeout:
        return self.default_timeout if timeout is None else _urllib3_timeout(timeout)

    def headers(
        self, request: Request, body: Body | None, where: Where, token_origin: Origin | None
    ) -> MutableMapping[str, str]:
        """Our headers, then the request's: a request header replaces ours of the same name
        (in any case), and a name the request repeats (``Ais-Custom-Md``) is sent repeated."""
        headers: MutableMapping[str, str]
        if not request.headers:  # the common case: a plain dict, nothing to fold
            headers = {"User-Agent": self.user_agent}
            if body is not None:
                headers["Content-Type"] = body.content_type
        else:
            given = {name.lower() for name, _ in request.headers}
            multi = HTTPHeaderDict()
            if "user-agent" not in given:
                multi["User-Agent"] = self.user_agent
            if body is not None and "content-type" not in given:
                multi["Content-Type"] = body.content_type
            for name, value in request.headers:
                multi.add(name, value)
            headers = multi
        if token_allowed(token_origin, where):
            token = self.config.token  # asked at each request: a rotated token is picked up
            if token:
                headers["Authorization"] = f"Bearer {token}"
        return headers

    def exchange(
        self,
        request: Request,
        method: str,
        url: str,
        where: Where,
        body: Body | None,
        headers: MutableMapping[str, str],
        timeout: urllib3.Timeout,
    ) -> Urllib3Response:
        """One request/response on a pooled connection; no redirects or retries here."""
        payload: Any = None
        chunked = False
        if isinstance(body, BytesBody | JsonBody):
            payload = body.data
        elif isinstance(body, FileBody):
            headers["Content-Length"] = str(body.size())  # a missing file raises here, as is
            payload = body.chunks()
        elif isinstance(body, IterBody):
            payload = iter(body.source)
            if body.length is not None:
                headers["Content-Length"] = str(body.length)
            else:
                chunked = True
        scheme, host, port, target = where
        try:
            # The pool of the host, then the request target as is: what PoolManager.urlopen
            # would do, minus re-parsing a URL that was just rendered.
            raw = self.host_pool(scheme, host, port).urlopen(
                method,
                target,
                body=payload,
                headers=headers,
                retries=_NO_RETRY,
                redirect=False,
                assert_same_host=False,
                timeout=timeout,
                preload_content=not request.stream,
                chunked=chunked,
            )
        except HTTPError as err:
            raise _network_error(err, method, url) from err
        except OSError as err:
            raise AISConnectionError(
                f"{method} {redact_url(url)} failed: {err}", method=method, url=redact_url(url)
            ) from err
        return Urllib3Response(raw, url, request)

    def probe(
        self,
        request: Request,
        url: str,
        where: Where,
        body: Body,
        token_origin: Origin | None,
        timeout: urllib3.Timeout,
    ) -> Hop | Response | None:
        """Ask the proxy where to send ``body`` without sending it.

        Sends the headers only, with ``Expect: 100-continue`` and the real length (or chunked
        framing when the length is unknown, never a false ``Content-Length: 0``). An AIS proxy
        answers with a redirect without reading the body: where it points is returned. An error
        status is returned as the response (no point sending the body to hear it again). A
        ``100 Continue`` or any other answer means the server wants the body itself: ``None``.
        The probe waits for the answer as long as the read timeout allows (a busy proxy may
        take seconds, and sending the body to it would cost the upload); silence for that long
        is a read timeout, as it would be for the request itself. The connection is closed.
        """
        headers = self.headers(request, body, where, token_origin)
        size = body.size()
        if size is None:
            headers["Transfer-Encoding"] = "chunked"
        else:
            headers["Content-Length"] = str(size)
        headers["Expect"] = "100-continue"
        headers["Connection"] = "close"
        read_timeout = timeout.read_timeout
        wait = read_timeout if isinstance(read_timeout, int | float) else None
        method = request.method
        conn: Any = self.host_pool(where.scheme, where.host, where.port)._new_conn()
        conn.timeout = timeout.connect_timeout
        try:
            try:
                conn.connect()
            except HTTPError as err:
                raise _network_error(err, method, url) from err
            except (ssl.SSLError, ssl.CertificateError) as err:
                raise _tls_error(err, method, url) from err
            except OSError as err:
                raise AISConnectionError(
                    f"{method} {redact_url(url)}: cannot connect: {err}",
                    method=method,
                    url=redact_url(url),
                    phase="connect",
                ) from err
            try:
                conn.putrequest(method, where.target)
                for name, value in headers.items():
                    conn.putheader(name, value)
                conn.endheaders()
                conn.sock.settimeout(wait)
                with conn.sock.makefile("rb") as stream:
                    return _probe_answer(stream, request, url)
            except TimeoutError as err:
                safe = redact_url(url)
                raise AISTimeoutError(
                    f"{method} {safe}: no answer to the upload's header-only probe within "
                    f"{wait:g} s (the read timeout)",
                    method=method,
                    url=safe,
                    phase="read",
                ) from err
            except (OSError, http.client.HTTPException, ValueError):
                return None  # a reset or garbage: send the body here as usual
        finally:
            conn.close()


def _make_pool(config: ClientConfig) -> urllib3.PoolManager:
    tls = config.tls
    kwargs: dict[str, Any] = {
        # One pool per node: a proxy and every target a redirect leads to. Pools are cheap
        # until used; evicting one closes its warm connections, so keep room for a cluster.
        "num_pools": max(1024, config.max_pool_size),
        "maxsize": config.max_pool_size,
        "block": False,
        "retries": False,
        "blocksize": _SEND_BLOCK,
    }
    https_pool: type[HTTPSConnectionPool] = _HTTPSConnectionPool
    if tls.skip_verify:
        kwargs["cert_reqs"] = ssl.CERT_NONE
        warnings.warn("skipping TLS verification is insecure", UserWarning, stacklevel=5)
        https_pool = _UnverifiedHTTPSConnectionPool
    else:
        kwargs["cert_reqs"] = ssl.CERT_REQUIRED
        if tls.ca_cert:
            kwargs["ca_certs"] = tls.ca_cert
    if tls.client_cert:
        kwargs["cert_file"] = tls.client_cert
        if tls.client_key:
            kwargs["key_file"] = tls.client_key
    pool = urllib3.PoolManager(**kwargs)
    pool.pool_classes_by_scheme = {"http": _HTTPConnectionPool, "https": https_pool}
    return pool


def _probe_answer(stream: Any, request: Request, url: str) -> Hop | Response | None:
    line = stream.readline(65537)
    version, _, rest = line.partition(b" ")
    if not version.startswith(b"HTTP/") or len(rest) < 3 or not rest[:3].isdigit():
        return None
    status = int(rest[:3])
    if status == 100:
        return None  # "send the body": this server takes it itself
    message = http.client.parse_headers(stream)
    location = message.get("Location")
    if status in REDIRECT_STATUSES and location:
        return next_hop(request.method, url, status, location, {url})
    length = message.get("Content-Length", "")
    if status >= 400 and status != 417 and length.isdigit() and int(length) <= _PROBE_ERROR_MAX:
        data = stream.read(int(length))
        if len(data) == int(length):
            return BytesResponse(status, data, message.items(), url=url, request=request)
    return None


def _urllib3_timeout(timeout: Timeout) -> urllib3.Timeout:
    return urllib3.Timeout(connect=timeout.connect, read=timeout.read)


def _reason(err: BaseException) -> str:
    if isinstance(err, http.client.IncompleteRead):
        return repr(err)  # its args hold the partial body
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
