"""Pure URL steps of sending a request: where it goes, where a redirect leads, who gets the token.

No I/O: each function maps values to values, so the redirect and token rules are tested
without a socket, and both the transport's policy and its urllib3 side import them from here.
"""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

from aisclient.errors import RedirectError
from aisclient.transport.base import redact_url

MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = {"http": 80, "https": 443}


class Origin(NamedTuple):
    """Scheme, host and port (the default port filled in): what a token is scoped to."""

    scheme: str
    host: str
    port: int


class Where(NamedTuple):
    """Where one exchange goes: scheme, host, port (``None``: the default) and target."""

    scheme: str
    host: str
    port: int | None
    target: str  # "/path?query", already percent-encoded

    @property
    def origin(self) -> Origin:
        return Origin(self.scheme, self.host, self.port or _DEFAULT_PORTS[self.scheme])


class Hop(NamedTuple):
    """The next exchange after a redirect: its method, URL, place, and whether a body goes."""

    method: str
    url: str
    where: Where
    keeps_body: bool


def split_url(url: str) -> Where:
    """The :class:`Where` of an absolute URL (``ValueError`` if it is not one)."""
    parts = urlsplit(url)
    host = parts.hostname
    if parts.scheme not in _DEFAULT_PORTS or not host:
        raise ValueError(f"not an absolute http(s) URL: {redact_url(url)!r}")
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return Where(parts.scheme, host, parts.port, target)


def resolve_location(url: str, location: str) -> str:
    """The URL a ``Location`` points to (``ValueError`` when it is malformed). An absolute one
    is taken verbatim: ``urljoin`` re-assembles it and loses what it does not model (a ``;``
    ending a path segment)."""
    if location.startswith(("http://", "https://")):
        return location
    return urljoin(url, location)


def next_hop(method: str, url: str, status: int, location: str | None, seen: set[str]) -> Hop:
    """Where a redirect answer sends the request next, or :class:`RedirectError`.

    ``seen`` holds the URLs visited so far (the new one is added); a 303 turns the request into
    a body-less GET, as HTTP defines it.
    """
    shown = f"{method} {redact_url(url)}"
    if not location:
        raise RedirectError(f"{shown}: {status} without Location")
    try:
        target = resolve_location(url, location)
        where = split_url(target)
    except ValueError as err:  # e.g. "//[bad": an unclosed IPv6 bracket
        raise RedirectError(f"{shown}: cannot follow the redirect: {err}") from None
    if target in seen:
        raise RedirectError(f"{shown}: redirect loop to {redact_url(target)}")
    seen.add(target)
    if status == 303:
        return Hop("GET", target, where, keeps_body=False)
    return Hop(method, target, where, keeps_body=True)


def token_allowed(token_origin: Origin | None, where: Where) -> bool:
    """Whether a request to ``where`` may carry the token, which belongs to ``token_origin``
    (the host the request was addressed to). A redirect to another origin is authenticated by
    the proxy's signature in its URL, so the bearer token never leaves its origin."""
    return token_origin is not None and where.origin == token_origin
