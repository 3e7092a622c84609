"""Helpers shared by the proxy and target handlers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from .context import ClusterCtx
from .errors import HttpError, bad_request, method_not_allowed
from .httpd import ServerExchange
from .names import Bck, backend_missing, normalize_provider, parse_namespace
from .store import BucketState


def get_ci(d: dict[str, Any], key: str, default: Any = None) -> Any:
    """Look up ``key`` the way AIS's JSON decoder does: case-insensitively."""
    if key in d:
        return d[key]
    low = key.lower()
    for k, v in d.items():
        if k.lower() == low:
            return v
    return default


def request_bck(ex: ServerExchange, name: str) -> Bck:
    provider = normalize_provider(ex.q("provider"))
    uuid, ns = parse_namespace(ex.q("namespace")) if ex.q("namespace") else ("", "")
    return Bck(name, provider, uuid, ns)


def lookup(ctx: ClusterCtx, ex: ServerExchange, bck: Bck) -> BucketState:
    """The bucket, or the error AIS gives for a missing or unreachable one."""
    if bck.provider != "ais":
        raise HttpError(
            404,
            f"{ex.node.name}: failed to lookup bucket {bck.cname()}, "
            f"err: {backend_missing(bck.provider)}",
            "ErrFailedTo",
        )
    if bck.ns_uuid:
        raise HttpError(
            404,
            f"{ex.node.name}: failed to HEAD remote bucket {bck.cname()}, err: "
            f'{ex.node.name}: remote cluster "{bck.ns_uuid}" does not exist',
            "ErrFailedTo",
        )
    return ctx.store.bucket(bck)


class ActMsg:
    """``{"action": ..., "name": ..., "value": ...}``."""

    def __init__(self, raw: Any) -> None:
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise bad_request("invalid action message: expected a JSON object")
        self.raw = raw
        self.action = str(get_ci(raw, "action", "") or "")
        self.name = str(get_ci(raw, "name", "") or "")
        self.value: Any = get_ci(raw, "value")
        self.present = bool(raw)


def read_actmsg(ex: ServerExchange) -> ActMsg:
    return ActMsg(ex.read_json())


def invalid_action(action: str) -> HttpError:
    return bad_request(f'invalid action "{action}"')


def not_remote(action: str, bck: Bck) -> HttpError:
    return HttpError(
        400, f"{action}: expecting remote bucket (have {bck.cname()})", "ErrNotRemoteBck"
    )


def as_dict(value: Any, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise bad_request(f"invalid {what}: expected a JSON object")
    return value


def as_int(value: Any, what: str) -> int:
    try:
        return int(str(value if value is not None else 0))
    except ValueError:
        raise bad_request(f"invalid {what} {value!r}") from None


Handler = Callable[[ClusterCtx, ServerExchange], None]


def invalid_uri(ex: ServerExchange) -> HttpError:
    return bad_request(f"invalid request URI: '{ex.method} {ex.path}' from {ex.remote_addr}")


class V1Router:
    """Sends ``/v1/<area>/...`` to the handler of its area in ``routes``.

    A path outside ``/v1/<area>`` or an unknown area is an invalid URI; with ``methods``
    set, any other method is answered 405 (checked before the area is looked up).
    """

    routes: ClassVar[dict[str, Handler]] = {}
    methods: ClassVar[tuple[str, ...] | None] = None

    def __init__(self, ctx: ClusterCtx) -> None:
        self.ctx = ctx

    def __call__(self, ex: ServerExchange) -> None:
        parts = ex.path.split("/", 3)
        if len(parts) < 3 or parts[1] != "v1":
            raise invalid_uri(ex)
        if self.methods is not None and ex.method not in self.methods:
            raise method_not_allowed(", ".join(self.methods))
        handler = self.routes.get(parts[2])
        if handler is None:
            raise invalid_uri(ex)
        handler(self.ctx, ex)
