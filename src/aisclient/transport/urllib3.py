"""The default transport: one urllib3 pool, TLS, timeouts, redirects and the retry policy.

This module is the policy (redirects, the redirect probe, token scope, retries) and stays
cheap to import: urllib3 itself (with ``http.client``, ``ssl`` and ``email``, the bulk of a
client's import time) is loaded by :mod:`aisclient.transport._urllib3_io` when the first
request is sent, not when a ``Client`` is made.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from aisclient import __version__
from aisclient.config import ClientConfig
from aisclient.errors import RedirectError, UnreplayableBodyError
from aisclient.request import Body, Request, render_target
from aisclient.transport.base import Response, redact_url
from aisclient.transport.retrying import send_with_retry

if TYPE_CHECKING:
    import urllib3

    from aisclient.transport._urllib3_io import Connections, Urllib3Response

__all__ = ["USER_AGENT", "Urllib3Response", "Urllib3Transport"]

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

# Where one exchange goes: (scheme, host, port, request target "/path?query").
Where = tuple[str, str, int | None, str]
Origin = tuple[str, str, int]


def __getattr__(name: str) -> Any:
    # The response class lives with urllib3; importing it by name loads urllib3 then.
    if name == "Urllib3Response":
        from aisclient.transport._urllib3_io import Urllib3Response

        return Urllib3Response
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
        self._base = config.endpoint.rstrip("/")
        # The endpoint split once: each request then only appends its own target.
        scheme, host, port, prefix = split_url(self._base)
        self._base_where = (scheme, host, port, prefix.rstrip("/"))
        self._pid = -1
        self._io: Connections | None = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        return {"config": self.config}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["config"])  # type: ignore[misc]

    def __repr__(self) -> str:
        return f"Urllib3Transport({self.config.endpoint!r})"

    def _connections(self) -> Connections:
        pid = os.getpid()
        io = self._io
        if io is None or self._pid != pid:
            with self._lock:
                if self._io is None or self._pid != pid:
                    # After fork the parent's pool is dropped, not closed: its sockets are the
                    # parent's to use; closing them here would not disturb it, but reusing would.
                    from aisclient.transport._urllib3_io import Connections

                    self._io = Connections(self.config, USER_AGENT)
                    self._pid = pid
                io = self._io
        return io

    @property
    def pool(self) -> urllib3.PoolManager:
        return self._connections().pool

    @property
    def _default_timeout(self) -> urllib3.Timeout:
        return self._connections().default_timeout

    def close(self) -> None:
        with self._lock:
            if self._io is not None and self._pid == os.getpid():
                self._io.pool.clear()
            self._io = None

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
        io = self._connections()
        target = render_target(request)
        if request.endpoint:
            root = request.endpoint.rstrip("/")
            scheme, host, port, prefix = split_url(root)
        else:
            root = self._base
            scheme, host, port, prefix = self._base_where
        url = first_url = root + target
        where: Where = (scheme, host, port, prefix + target)
        # The token goes to the host the request was addressed to (the configured endpoint or
        # the request's own); a redirect elsewhere is authenticated by the proxy's signature.
        token_origin = _origin(where) if self.config.token else None
        method = request.method
        body = request.body
        timeout = io.timeout(request.timeout)
        if request.probe_redirect and body is not None and _wants_probe(body):
            headers = io.headers(request, body, where, token_origin)
            probed = io.probe(request, url, where, body, headers, timeout, PROBE_WAIT)
            if isinstance(probed, Response):
                return probed
            if probed != url:
                url, where = probed, _where_of(method, url, probed)
        seen = {url}
        sent_once = False
        for _ in range(MAX_REDIRECTS + 1):
            if sent_once and body is not None and not body.replayable:
                raise UnreplayableBodyError(
                    f"{method} {redact_url(url)}: the server redirected the request, but its body "
                    "comes from an iterator and was already sent; pass bytes or a file to allow "
                    "re-sending (or mark the request probe_redirect)"
                )
            headers = io.headers(request, body, where, token_origin)
            raw = io.exchange(request, method, url, where, body, headers, timeout)
            sent_once = True
            if raw.status not in REDIRECT_STATUSES:
                return io.response(raw, url, request)
            location = raw.headers.get("Location")
            raw.drain_conn()
            raw.release_conn()
            if not location:
                raise RedirectError(f"{method} {redact_url(url)}: {raw.status} without Location")
            next_url = resolve_location(url, location)
            if next_url in seen:
                raise RedirectError(
                    f"{method} {redact_url(url)}: redirect loop to {redact_url(next_url)}"
                )
            seen.add(next_url)
            if raw.status == 303:
                method, body = "GET", None
            url, where = next_url, _where_of(method, url, next_url)
        raise RedirectError(
            f"{request.method} {redact_url(first_url)}: more than {MAX_REDIRECTS} redirects"
        )


def split_url(url: str) -> Where:
    """``(scheme, host, port, target)`` of an absolute URL (``ValueError`` if it is not one)."""
    parts = urlsplit(url)
    host = parts.hostname
    if parts.scheme not in ("http", "https") or not host:
        raise ValueError(f"not an absolute http(s) URL: {redact_url(url)!r}")
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return parts.scheme, host, parts.port, target


def resolve_location(url: str, location: str) -> str:
    """The URL a ``Location`` points to. An absolute one is taken verbatim: ``urljoin``
    re-assembles it and loses what it does not model (a ``;`` ending a path segment)."""
    if location.startswith(("http://", "https://")):
        return location
    return urljoin(url, location)


def _where_of(method: str, url: str, next_url: str) -> Where:
    try:
        return split_url(next_url)
    except ValueError as err:
        raise RedirectError(
            f"{method} {redact_url(url)}: cannot follow the redirect: {err}"
        ) from err


def _origin(where: Where) -> Origin:
    scheme, host, port, _ = where
    return (scheme, host, port or (443 if scheme == "https" else 80))


def _wants_probe(body: Body) -> bool:
    if not body.replayable:
        return True
    size = body.size()
    return size is None or size > PROBE_THRESHOLD
