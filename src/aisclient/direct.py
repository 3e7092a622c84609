"""Direct reads: send an object's GET/HEAD straight to the target that owns it.

AIS answers an object GET at the proxy with a redirect to the owning target; a client that
knows the cluster map can compute that target itself (highest random weight, as the server
does) and skip the proxy hop, halving the requests of a small read. Targets accept such
requests only while neither AuthN nor intra-cluster request signing is on.

The per-client state is :class:`DirectReads` (the cached cluster map, and whether targets
refused direct access); :class:`DirectRoute` sends the requests of one object.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Protocol

from aisclient._fork import renew_after_fork
from aisclient.errors import (
    AISConnectionError,
    APIRequestError,
    ErrBckNotFound,
    ErrRemoteBckNotFound,
)

if TYPE_CHECKING:
    import logging

    from aisclient.models.cluster import Smap, Snode
    from aisclient.request import Request
    from aisclient.transport.base import Response
    from aisclient.transport.retrying import RetryBudget


class Sender(Protocol):
    """What direct reads send through (a :class:`~aisclient.session.Session`)."""

    direct_reads: DirectReads

    def send(self, request: Request, *, budget: RetryBudget | None = None) -> Response: ...

    def send_json(self, request: Request) -> Any: ...


# Direct access works only without AuthN and request signing; a target's 401/403 is taken to
# mean this cluster must be read through the proxy (the proxy's answer is then authoritative).
REFUSED_STATUSES = frozenset({401, 403})


class DirectReads:
    """One client's direct-read state: its cluster map (fetched on first use, then cached)
    and whether a target refused direct access (then every read goes through the proxy).

    Thread-safe. Pickles empty: a copy in another process fetches its own map.
    """

    __slots__ = ("__weakref__", "_lock", "_refused", "_smap")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._smap: Smap | None = None
        self._refused = False
        # The lock is held while the map is fetched: a fork then must not copy it held.
        renew_after_fork(self)

    def _forked(self) -> None:
        self._lock = threading.Lock()

    def __reduce__(self) -> tuple[type[DirectReads], tuple[()]]:
        return (DirectReads, ())

    @property
    def refused(self) -> bool:
        """True once a target refused a direct read: this client then reads via the proxy."""
        return self._refused

    @property
    def cached_smap(self) -> Smap | None:
        return self._smap

    def get_smap(self, client: Sender, force_update: bool = False) -> Smap:
        """The cached cluster map; fetched when there is none yet or ``force_update``."""
        smap = self._smap
        if smap is not None and not force_update:
            return smap
        with self._lock:
            if self._smap is not None and not force_update:
                return self._smap  # another thread fetched it while we waited
            self._smap = fetched = _fetch_smap(client)
            return fetched

    def refresh(self, client: Sender, stale: Smap) -> Smap:
        """A newer map than ``stale``: fetched now, unless another thread already did (many
        readers that hit the same stale map then cause one fetch, not one each)."""
        with self._lock:
            current = self._smap
            if current is not None and current is not stale:
                return current
            self._smap = fetched = _fetch_smap(client)
            return fetched

    def refuse(self, node: Snode, status: int) -> None:
        with self._lock:
            first = not self._refused
            self._refused = True
        if first:
            _log().info(
                "target %s (%s) refused a direct read with HTTP %d (AuthN or request signing "
                "is on); this client reads through the proxy from now on",
                node.daemon_id,
                node.public_url,
                status,
            )


def _log() -> logging.Logger:
    import logging  # only when there is something to say: keeps ``import aisclient`` cheap

    return logging.getLogger(__name__)


def _fetch_smap(client: Sender) -> Smap:
    from aisclient.models.cluster import decode_smap
    from aisclient.ops.cluster import get_smap

    return decode_smap(client.send_json(get_smap()))


class DirectRoute:
    """Sends the requests of one object (``uname``) to its owning target.

    On a 404, or when the target cannot be reached, the cluster map is fetched again and the
    request re-sent once if the object now belongs to another target (membership changed).
    A target that refuses direct access (401/403) turns direct reads off for the client and
    the request goes to the proxy instead. A target without a public URL in the map is read
    through the proxy.
    """

    __slots__ = ("_client", "_owner", "_state", "_uname")

    def __init__(self, client: Sender, uname: str) -> None:
        self._client = client
        self._state = client.direct_reads
        self._uname = uname
        self._owner: tuple[Smap, Snode] | None = None
        if not self._state.refused:
            # As the SDK does: the map is fetched (once per client) when the reader is made,
            # and a cluster without a usable target fails here (NoTargetError).
            self.owner(self._state.get_smap(client))

    def owner(self, smap: Smap) -> Snode:
        """The target of this object in ``smap`` (remembered for the same map)."""
        known = self._owner
        if known is not None and known[0] is smap:
            return known[1]
        node = smap.get_target_for_object(self._uname)
        self._owner = (smap, node)
        return node

    def send(self, request: Request, *, budget: RetryBudget | None = None) -> Response:
        state = self._state
        if state.refused:
            return self._client.send(request, budget=budget)
        smap = state.get_smap(self._client)
        node = self.owner(smap)
        try:
            return self._send_to(node, request, budget)
        except (APIRequestError, AISConnectionError) as err:
            if not _worth_new_map(err) or state.refused:
                raise
            moved = self.owner(state.refresh(self._client, smap))
            if moved.public_url == node.public_url:
                raise  # same owner in the new map: sending again would get the same answer
            _log().debug("%s moved from %s to %s", self._uname, node.daemon_id, moved.daemon_id)
            return self._send_to(moved, request, budget)

    def _send_to(self, node: Snode, request: Request, budget: RetryBudget | None) -> Response:
        url = node.public_url
        if not url:
            return self._client.send(request, budget=budget)
        try:
            return self._client.send(request.replace(endpoint=url), budget=budget)
        except APIRequestError as err:
            if err.status_code not in REFUSED_STATUSES:
                raise
            self._state.refuse(node, err.status_code)
        return self._client.send(request, budget=budget)


def _worth_new_map(err: APIRequestError | AISConnectionError) -> bool:
    """A 404 (other than a missing bucket), or no answer at all from the target."""
    if isinstance(err, AISConnectionError):
        return err.phase == "connect"
    return bool(
        err.status_code == 404 and not isinstance(err, (ErrBckNotFound, ErrRemoteBckNotFound))
    )
