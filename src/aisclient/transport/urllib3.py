"""The default transport: one urllib3 pool, TLS, timeouts, redirects and the retry policy."""

from __future__ import annotations

import os
import random
import ssl
import time
import warnings
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

import urllib3
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
from aisclient.transport.base import Headers, Response, redact_url
from aisclient.transport.retrying import send_with_retry

USER_AGENT = f"aisclient/{__version__}"
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Bodies up to this size are simply re-sent after a redirect; larger and one-shot bodies first
# learn the target with a header-only probe, so their bytes cross the wire once.
PROBE_THRESHOLD = 256 * 1024
# How long a probe waits for the proxy's redirect before concluding that the server wants
# the body itself (a server that reads bodies stays silent after the headers).
PROBE_WAIT = 2.0
_SEND_BLOCK = 1 << 20


class Urllib3Response(Response):
    """A streamed urllib3 response with errors mapped to aisclient's."""

    def __init__(self, raw: BaseHTTPResponse, url: str, request: Request) -> None:
        self._raw = raw
        self.status = raw.status
        self.headers = Headers(raw.headers)
        self.url = url
        self.request = request
        self._done = False

    def read(self, amt: int | None = None) -> bytes:
        try:
            data = self._raw.read(amt)
        except ReadTimeoutError as err:
            self._drop()
            raise AISTimeoutError(
                f"timed out reading the body of {self._what()}",
                method=self._method(),
                url=redact_url(self.url),
                phase="read",
            ) from err
        except (ProtocolError, HTTPError, OSError) as err:
            self._drop()
            raise IncompleteBodyError(
                f"the body of {self._what()} broke off: {_reason(err)}",
                method=self._method(),
                url=redact_url(self.url),
                phase="read",
            ) from err
        if amt is None or (not data and amt > 0):
            self._finish()
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:
        view = memoryview(buffer)
        try:
            count = self._raw.readinto(view)
        except ReadTimeoutError as err:
            self._drop()
            raise AISTimeoutError(
                f"timed out reading the body of {self._what()}",
                method=self._method(),
                url=redact_url(self.url),
                phase="read",
            ) from err
        except (ProtocolError, HTTPError, OSError) as err:
            self._drop()
            raise IncompleteBodyError(
                f"the body of {self._what()} broke off: {_reason(err)}",
                method=self._method(),
                url=redact_url(self.url),
                phase="read",
            ) from err
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

    def _what(self) -> str:
        return f"{self._method()} {redact_url(self.url)}"


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

    def __getstate__(self) -> dict[str, Any]:
        return {"config": self.config}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["config"])  # type: ignore[misc]

    @property
    def pool(self) -> urllib3.PoolManager:
        if self._pool is None or self._pid != os.getpid():
            self._pool = self._make_pool()
            self._pid = os.getpid()
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
        if self._pool is not None:
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
        method = request.method
        body = request.body
        timeout = _urllib3_timeout(request.timeout) if request.timeout else self._default_timeout
        if request.probe_redirect and body is not None and _wants_probe(body):
            url = self._probe(request, url, body, timeout)
        seen = {url}
        sent_once = False
        for _ in range(MAX_REDIRECTS + 1):
            if sent_once and body is not None and not body.replayable:
                raise UnreplayableBodyError(
                    f"{method} {redact_url(url)}: the server redirected the request, but its body "
                    "comes from an iterator and was already sent; pass bytes or a file to allow "
                    "re-sending"
                )
            raw = self._exchange(request, method, url, body, timeout)
            sent_once = True
            if raw.status not in REDIRECT_STATUSES:
                return _wrap(raw, url, request)
            location = raw.headers.get("Location")
            raw.drain_conn()
            raw.release_conn()
            if not location:
                raise RedirectError(f"{method} {redact_url(url)}: {raw.status} without Location")
            next_url = urljoin(url, location)
            if next_url in seen:
                raise RedirectError(f"{method} {redact_url(url)}: redirect loop")
            seen.add(next_url)
            if raw.status == 303:
                method, body = "GET", None
            url = next_url
        raise RedirectError(f"{request.method}: more than {MAX_REDIRECTS} redirects")

    def _headers(self, request: Request, url: str, body: Body | None) -> dict[str, str]:
        headers = {"User-Agent": USER_AGENT}
        if body is not None:
            headers["Content-Type"] = body.content_type
        headers.update(request.headers)
        # The token goes only to the configured origin; redirected hops are authenticated by
        # the proxy's signed redirect, and a token must never follow a redirect elsewhere.
        token = self.config.token
        if token and _origin(url) == self._origin:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def _exchange(
        self,
        request: Request,
        method: str,
        url: str,
        body: Body | None,
        timeout: urllib3.Timeout,
    ) -> BaseHTTPResponse:
        headers = self._headers(request, url, body)
        payload: Any = None
        if isinstance(body, BytesBody | JsonBody):
            payload = body.data
        elif isinstance(body, FileBody):
            headers["Content-Length"] = str(body.size())
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
        except OSError as err:  # e.g. a file body that vanished
            raise AISConnectionError(
                f"{method} {redact_url(url)} failed: {err}", method=method, url=redact_url(url)
            ) from err

    def _probe(self, request: Request, url: str, body: Body, timeout: urllib3.Timeout) -> str:
        """Ask the proxy where to send ``body`` without sending it; return the URL to use.

        Sends the headers only, with ``Expect: 100-continue`` and the real length. An AIS
        proxy answers with a redirect without reading the body; any other answer (or silence)
        means the server wants the body here, so the original URL is returned.
        """
        headers = self._headers(request, url, body)
        size = body.size()
        headers["Content-Length"] = str(size if size is not None else 0)
        headers["Expect"] = "100-continue"
        headers["Connection"] = "close"
        wait = PROBE_WAIT if timeout.read_timeout is None else min(PROBE_WAIT, timeout.read_timeout)
        probe_timeout = urllib3.Timeout(connect=timeout.connect_timeout, read=wait)
        try:
            raw = self.pool.urlopen(
                request.method,
                url,
                body=None,
                headers=headers,
                redirect=False,
                retries=False,
                timeout=probe_timeout,
                preload_content=False,
            )
        except ReadTimeoutError:
            return url  # silence: the server is waiting for the body itself
        except HTTPError as err:
            raise _network_error(err, request.method, url) from err
        location = raw.headers.get("Location")
        raw.close()
        raw.release_conn()
        if raw.status in REDIRECT_STATUSES and location:
            return urljoin(url, location)
        return url


def _wants_probe(body: Body) -> bool:
    if not body.replayable:
        return True
    size = body.size()
    return size is None or size > PROBE_THRESHOLD


def _wrap(raw: BaseHTTPResponse, url: str, request: Request) -> Response:
    return Urllib3Response(raw, url, request)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return (parts.scheme, (parts.hostname or "").lower(), port)


def _urllib3_timeout(timeout: Timeout) -> urllib3.Timeout:
    return urllib3.Timeout(connect=timeout.connect, read=timeout.read)


def _reason(err: BaseException) -> str:
    inner = err.args[-1] if err.args else err
    return str(inner) if inner else type(err).__name__


def _network_error(err: BaseException, method: str, url: str) -> AISConnectionError:
    where = f"{method} {redact_url(url)}"
    safe = redact_url(url)
    if isinstance(err, ConnectTimeoutError):
        return AISTimeoutError(
            f"{where}: timed out connecting", method=method, url=safe, phase="connect"
        )
    if isinstance(err, ReadTimeoutError):
        return AISTimeoutError(f"{where}: timed out reading", method=method, url=safe, phase="read")
    if isinstance(err, SSLError):
        return AISConnectionError(f"{where}: TLS failure: {_reason(err)}", method=method, url=safe)
    if isinstance(err, NewConnectionError):
        return AISConnectionError(
            f"{where}: cannot connect: {_reason(err)}", method=method, url=safe, phase="connect"
        )
    if isinstance(err, ProtocolError):
        return IncompleteBodyError(
            f"{where}: connection broke: {_reason(err)}", method=method, url=safe, phase="read"
        )
    return AISConnectionError(f"{where}: {_reason(err)}", method=method, url=safe, phase="read")
