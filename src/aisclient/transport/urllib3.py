"""The default transport: one urllib3 pool, TLS, timeouts and redirects; one attempt per send.

This module is the policy of one attempt (the redirect probe, following redirects, the token's
scope) and stays cheap to import: urllib3 itself (with ``http.client``, ``ssl`` and ``email``,
the bulk of a client's import time) is loaded by :mod:`aisclient.transport._urllib3_io` when
the first request is sent, not when a ``Client`` is made. Retries are not here: they are
composed around any transport by :class:`~aisclient.transport.retrying.RetryingTransport`.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

from aisclient import __version__
from aisclient._fork import renew_after_fork
from aisclient.config import ClientConfig
from aisclient.errors import RedirectError, UnreplayableBodyError
from aisclient.request import Body, Request, render_target
from aisclient.transport.base import Response, redact_url
from aisclient.transport.urls import (
    MAX_REDIRECTS,
    REDIRECT_STATUSES,
    Origin,
    Where,
    next_hop,
    split_url,
)

if TYPE_CHECKING:
    import urllib3

    from aisclient.transport._urllib3_io import Connections, Urllib3Response

__all__ = ["USER_AGENT", "Urllib3Response", "Urllib3Transport"]

USER_AGENT = f"aisclient/{__version__}"
# Bodies up to this size are simply re-sent after a redirect; larger and one-shot bodies first
# learn the target with a header-only probe, so their bytes cross the wire once. (A Go server,
# as AIS is, drains up to 256 KiB of an unread body to keep the connection; past that it
# closes it, and a client still sending may lose the redirect to a reset.)
PROBE_THRESHOLD = 256 * 1024


def __getattr__(name: str) -> Any:
    # The response class lives with urllib3; importing it by name loads urllib3 then.
    if name == "Urllib3Response":
        from aisclient.transport._urllib3_io import Urllib3Response

        return Urllib3Response
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Urllib3Transport:
    """Sends one attempt of a request with urllib3: pooled, TLS-aware, following AIS redirects.

    The pool is built on first use, rebuilt in a child process after ``fork`` (whatever other
    threads were doing at the fork), and the transport pickles as its configuration (a
    DataLoader worker gets a fresh pool, never the parent's sockets). :meth:`close` releases it.
    """

    def __init__(self, config: ClientConfig) -> None:
        self.config = config
        self._base = config.endpoint.rstrip("/")
        # The endpoint split once: each request then only appends its own target.
        base = split_url(self._base)
        self._base_where = base._replace(target=base.target.rstrip("/"))
        self._pid = -1
        self._io: Connections | None = None
        self._lock = threading.Lock()
        renew_after_fork(self)

    def __getstate__(self) -> dict[str, Any]:
        return {"config": self.config}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["config"])  # type: ignore[misc]

    def __repr__(self) -> str:
        return f"Urllib3Transport({redact_url(self.config.endpoint)!r})"

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

    def _forked(self) -> None:
        # In the child, right after fork: a lock another parent thread held at that moment
        # would stay held forever here, so take a new one; the pool is the parent's.
        self._lock = threading.Lock()
        self._io = None
        self._pid = -1

    @property
    def pool(self) -> urllib3.PoolManager:
        return self._connections().pool

    @property
    def _default_timeout(self) -> urllib3.Timeout:
        return self._connections().default_timeout

    def close(self) -> None:
        """Close every pooled connection. A later request builds a new pool."""
        with self._lock:
            if self._io is not None and self._pid == os.getpid():
                self._io.pool.clear()
            self._io = None

    # -- one attempt: probe, proxy, redirects, target ------------------------------------

    def _address(self, request: Request) -> tuple[str, Where]:
        """The URL a request is addressed to, and where that is (its own endpoint or ours)."""
        target = render_target(request)
        if request.endpoint:
            url = request.endpoint.rstrip("/") + target
            return url, split_url(url)
        scheme, host, port, prefix = self._base_where
        return self._base + target, Where(scheme, host, port, prefix + target)

    def send(self, request: Request) -> Response:
        io = self._connections()
        url, where = self._address(request)
        first_url = url
        # The token belongs to the host the request was addressed to (see token_allowed).
        token_origin: Origin | None = where.origin if self.config.token_provider else None
        method, body = request.method, request.body
        timeout = io.timeout(request.timeout)
        if request.probe_redirect and body is not None and _wants_probe(body):
            probed = io.probe(request, url, where, body, token_origin, timeout)
            if isinstance(probed, Response):
                return probed
            if probed is not None:
                url, where = probed.url, probed.where  # a 303 to a probe is not AIS's: ignored
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
            response = io.exchange(request, method, url, where, body, headers, timeout)
            sent_once = True
            if response.status not in REDIRECT_STATUSES:
                return response
            location = response.headers.get("location")
            response.discard()
            hop = next_hop(method, url, response.status, location, seen)
            method, url, where = hop.method, hop.url, hop.where
            if not hop.keeps_body:
                body = None
        raise RedirectError(
            f"{request.method} {redact_url(first_url)}: more than {MAX_REDIRECTS} redirects"
        )


def _wants_probe(body: Body) -> bool:
    if not body.replayable:
        return True
    size = body.size()
    return size is None or size > PROBE_THRESHOLD
