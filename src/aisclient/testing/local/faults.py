"""Fault injection and the request log for LocalCluster.

Rules match the request's decoded URL path (``re.search``), optionally its
method and the node that receives it (``"proxy"``, ``"target"`` or a node id).
Each rule fires for the next ``count`` matching requests and then expires.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from .errors import HttpError
from .httpd import ServerExchange


class RequestRecord(NamedTuple):
    """One request as seen by a node: method, node id, decoded path, raw query."""

    method: str
    node: str
    path: str
    query: str


class RequestLog:
    """A bounded, thread-safe log of the requests every node received."""

    def __init__(self, maxlen: int = 10_000) -> None:
        self._items: deque[RequestRecord] = deque(maxlen=maxlen)
        self._lock = threading.Lock()

    def append(self, record: RequestRecord) -> None:
        with self._lock:
            self._items.append(record)

    def snapshot(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __iter__(self) -> Iterator[RequestRecord]:
        return iter(self.snapshot())

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __getitem__(self, index: int) -> RequestRecord:
        with self._lock:
            return self._items[index]

    def matching(
        self, *, method: str | None = None, node: str | None = None, path: str | None = None
    ) -> list[RequestRecord]:
        """Records with this method, node id and path (a regex searched in the path)."""
        pattern = re.compile(path) if path is not None else None
        return [
            r
            for r in self.snapshot()
            if (method is None or r.method == method.upper())
            and (node is None or r.node == node)
            and (pattern is None or pattern.search(r.path))
        ]


@dataclass
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    remaining: int
    method: str | None
    node: str | None
    status: int = 0
    retry_after: str | None = None
    body: bytes | None = None
    seconds: float = 0.0
    after_bytes: int = 0

    def matches(self, ex: ServerExchange) -> bool:
        if self.remaining <= 0:
            return False
        if self.method is not None and self.method != ex.method:
            return False
        if self.node is not None and self.node not in (ex.node.kind, ex.node.id):
            return False
        return self.pattern.search(ex.path) is not None


class Faults:
    """Inject failures into the next requests that match a path pattern."""

    def __init__(self) -> None:
        self._rules: list[_Rule] = []
        self._lock = threading.Lock()

    def _add(self, rule: _Rule) -> None:
        if rule.remaining < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._rules.append(rule)

    def status(
        self,
        path_regex: str,
        status: int,
        count: int = 1,
        *,
        method: str | None = None,
        node: str | None = None,
        retry_after: float | str | None = None,
        body: bytes | str | None = None,
    ) -> None:
        """Answer the next ``count`` matching requests with ``status``.

        The body is an AIS JSON error (``Hdr-Error`` for HEAD) unless ``body`` is
        given; ``retry_after`` adds a ``Retry-After`` header.
        """
        ra = None
        if retry_after is not None:
            ra = str(retry_after) if isinstance(retry_after, str) else f"{retry_after:g}"
        raw = body.encode() if isinstance(body, str) else body
        self._add(
            _Rule("status", re.compile(path_regex), count, _up(method), node, status, ra, raw)
        )

    def delay(
        self,
        path_regex: str,
        seconds: float,
        count: int = 1,
        *,
        method: str | None = None,
        node: str | None = None,
    ) -> None:
        """Hold the next ``count`` matching requests for ``seconds`` before serving them."""
        self._add(_Rule("delay", re.compile(path_regex), count, _up(method), node, seconds=seconds))

    def reset_mid_body(
        self,
        path_regex: str,
        after_bytes: int,
        count: int = 1,
        *,
        method: str | None = None,
        node: str | None = None,
    ) -> None:
        """Cut the next ``count`` matching successful responses after ``after_bytes``.

        The headers announce the full length; the connection is closed once
        ``after_bytes`` body bytes are out.  Responses (such as redirects) that are
        not 2xx or whose body is not longer than ``after_bytes`` are left alone and
        do not use up the rule.
        """
        self._add(
            _Rule(
                "reset", re.compile(path_regex), count, _up(method), node, after_bytes=after_bytes
            )
        )

    def batch_placeholders(self, count: int = 1, *, node: str | None = None) -> None:
        """Serve the failed entries of the next ``count`` Get-Batch requests made without
        ``coer`` as ``__404__/`` placeholders (an empty member; ``err_msg`` in multipart
        metadata) instead of failing the request: what aisnode on several targets often does
        when another target cannot send an entry."""
        self._add(_Rule("placeholder", re.compile(r"/ml/moss"), count, "GET", node or "target"))

    def take_batch_placeholder(self, ex: ServerExchange) -> bool:
        """Whether this Get-Batch request is one whose failed entries become placeholders."""
        return bool(self._rules) and bool(self._take("placeholder", ex))

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    @property
    def pending(self) -> int:
        """How many injections are still armed."""
        with self._lock:
            return sum(r.remaining for r in self._rules)

    def _take(self, kind: str, ex: ServerExchange) -> list[_Rule]:
        with self._lock:
            hits = [r for r in self._rules if r.kind == kind and r.matches(ex)]
            if kind != "reset":
                if kind == "status":
                    hits = hits[:1]
                for r in hits:
                    r.remaining -= 1
            self._rules = [r for r in self._rules if r.remaining > 0]
            return hits

    def _claim(self, rule: _Rule) -> bool:
        with self._lock:
            if rule.remaining <= 0:
                return False
            rule.remaining -= 1
            self._rules = [r for r in self._rules if r.remaining > 0]
            return True

    def apply(self, ex: ServerExchange) -> bool:
        """Apply matching rules to ``ex``; True when the fault answered it."""
        if not self._rules:
            return False
        for rule in self._take("delay", ex):
            time.sleep(rule.seconds)
        for rule in self._take("status", ex):
            headers = [("Retry-After", rule.retry_after)] if rule.retry_after is not None else []
            if rule.body is None:
                raise HttpError(rule.status, f"injected fault: status {rule.status}", "", headers)
            ex.respond(rule.status, rule.body, headers)
            return True
        resets = self._take("reset", ex)
        if resets:
            rule = resets[0]
            ex.reset_after = rule.after_bytes
            ex.reset_claim = lambda: self._claim(rule)
        return False


def _up(method: str | None) -> str | None:
    return method.upper() if method is not None else None
