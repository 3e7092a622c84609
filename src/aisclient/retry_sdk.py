"""The official SDK's ``RetryConfig`` (a urllib3 ``Retry`` plus a tenacity ``Retrying``),
accepted as is and converted to this client's :class:`~aisclient.retry.RetryPolicy`."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from aisclient.errors import AISConnectionError, AISRetryableError, AISTimeoutError
from aisclient.retry import DEFAULT_STATUSES, ColdGetConf, RetryPolicy, normalize_methods

if TYPE_CHECKING:
    import urllib3

# -- the official SDK's RetryConfig ---------------------------------------------------------

# An SDK count of "no limit" (urllib3 total=None and status=None, tenacity stop_never or a
# delay-only stop). The policy's deadline still bounds the time spent.
UNBOUNDED = 2**31 - 1
# urllib3's default allow-list for status retries (Retry.DEFAULT_ALLOWED_METHODS).
_URLLIB3_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "PUT", "TRACE"})
# The failures the SDK's network layer retries, as this client's exception classes. (Our
# retries decide by failure kind, not by class; this tuple is for code written for the SDK.)
NETWORK_RETRY_EXCEPTIONS: tuple[type[Exception], ...] = (
    AISConnectionError,
    AISTimeoutError,
    AISRetryableError,
)


class RetryConfigWarning(UserWarning):
    """An SDK retry setting that was not converted exactly (the message names it)."""


def policy_from_sdk(
    http_retry: urllib3.Retry | None,
    network_retry: object | None,
    *,
    cold_get_conf: ColdGetConf | None = None,
) -> RetryPolicy:
    """Convert the SDK's two retry layers into one :class:`RetryPolicy`.

    From ``http_retry`` (a urllib3 ``Retry``; ``None`` keeps our status defaults): the status
    retry count (the lower of ``total`` and ``status``; ``total=False`` means none),
    ``backoff_factor``, ``backoff_max``, ``status_forcelist``, ``allowed_methods`` and
    ``respect_retry_after_header``. Its connect/read/redirect counts are not used: network
    failures follow ``network_retry``, redirects are the transport's own. When the statuses
    run out, the last response becomes its AIS error (the SDK raises ``RetryError``).

    From ``network_retry`` (a tenacity ``Retrying``, read by attribute; tenacity is never
    imported; ``None`` keeps our network defaults): ``stop_after_attempt`` gives the attempt
    count, ``stop_after_delay``/``stop_before_delay`` the deadline, ``stop_never`` no count,
    ``stop_any`` (``a | b``) the tightest of its parts; ``wait_random_exponential``,
    ``wait_exponential``, ``wait_fixed``/``wait_none`` and ``wait_random`` convert exactly.
    Which failures are retried follows this client's rules (connection failures always; read
    failures for idempotent requests), not the ``retry`` predicate; hooks and ``sleep`` are
    not used. What cannot be converted keeps our default and is named in one warning.
    """
    policy, notes = _convert(http_retry, network_retry, cold_get_conf)
    _warn(notes, stacklevel=3)
    return policy


def as_policy(value: RetryPolicy | RetryConfig) -> RetryPolicy:
    """The :class:`RetryPolicy` behind either accepted form of a retry setting."""
    if isinstance(value, RetryPolicy):
        return value
    if isinstance(value, RetryConfig):
        return value.policy
    kind = type(value).__name__
    raise TypeError(f"retry_config must be a RetryPolicy or RetryConfig, not {kind}")


class RetryConfig:
    """The official SDK's retry configuration, accepted as is and converted to a RetryPolicy.

    ``RetryConfig(http_retry, network_retry, cold_get_conf=ColdGetConf())`` takes a urllib3
    ``Retry`` and a tenacity ``Retrying`` (either may be ``None`` for our default of that
    layer); see :func:`policy_from_sdk` for what is taken from each. The converted value is
    :attr:`policy`; a config equals the policy it converts to, so
    ``RetryConfig.default() == RetryPolicy()``. Assigning a field converts again. Pickling
    keeps ``http_retry`` and the converted policy and drops ``network_retry`` (as the SDK
    does), so a worker process retries exactly as its parent.
    """

    __slots__ = ("_http_retry", "_network_retry", "_policy")

    def __init__(
        self,
        http_retry: urllib3.Retry | None = None,
        network_retry: object | None = None,
        cold_get_conf: ColdGetConf | None = None,
    ) -> None:
        self._policy = _converted(http_retry, network_retry, cold_get_conf)
        self._http_retry = http_retry
        self._network_retry = network_retry

    @staticmethod
    def default() -> RetryConfig:
        """The SDK's stock HTTP layer, and our network defaults (tenacity is not needed)."""
        import urllib3

        http = urllib3.Retry(
            total=5,
            backoff_factor=3.0,
            status_forcelist=sorted(DEFAULT_STATUSES),
            connect=0,
            read=0,
        )
        return RetryConfig(http, None, ColdGetConf())

    @property
    def policy(self) -> RetryPolicy:
        return self._policy

    @property
    def http_retry(self) -> urllib3.Retry | None:
        return self._http_retry

    @http_retry.setter
    def http_retry(self, value: urllib3.Retry | None) -> None:
        self._policy = _converted(value, self._network_retry, self.cold_get_conf)
        self._http_retry = value

    @property
    def network_retry(self) -> object | None:
        return self._network_retry

    @network_retry.setter
    def network_retry(self, value: object | None) -> None:
        self._policy = _converted(self._http_retry, value, self.cold_get_conf)
        self._network_retry = value

    @property
    def cold_get_conf(self) -> ColdGetConf:
        return self._policy.cold_get_conf

    @cold_get_conf.setter
    def cold_get_conf(self, value: ColdGetConf) -> None:
        self._policy = self._policy.replace(cold_get_conf=_cold_get_conf(value))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RetryConfig):
            return self._policy == other._policy
        if isinstance(other, RetryPolicy):
            return self._policy == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, as the SDK's dataclass

    def __repr__(self) -> str:
        return (
            f"RetryConfig(http_retry={self._http_retry!r}, network_retry="
            f"{self._network_retry!r}, cold_get_conf={self.cold_get_conf!r})"
        )

    def __getstate__(self) -> dict[str, Any]:
        # A tenacity object often holds loggers and callbacks that do not pickle; the policy
        # already says everything it meant, so only that travels.
        return {"http_retry": self._http_retry, "policy": self._policy}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._http_retry = state["http_retry"]
        self._network_retry = None
        self._policy = state["policy"]


def _converted(
    http_retry: urllib3.Retry | None, network_retry: object | None, cold: ColdGetConf | None
) -> RetryPolicy:
    """For RetryConfig: convert, and warn at the user's line that built or assigned it."""
    policy, notes = _convert(http_retry, network_retry, cold)
    _warn(notes, stacklevel=4)
    return policy


def _cold_get_conf(value: ColdGetConf | None) -> ColdGetConf:
    if value is None:
        return ColdGetConf()
    if not isinstance(value, ColdGetConf):
        raise TypeError(f"cold_get_conf must be a ColdGetConf, not {type(value).__name__}")
    return value


def _warn(notes: list[str], stacklevel: int) -> None:
    if notes:
        text = "; ".join(notes)
        warnings.warn(
            f"RetryConfig converted with differences: {text}",
            RetryConfigWarning,
            stacklevel=stacklevel,
        )


def _convert(
    http_retry: urllib3.Retry | None, network_retry: object | None, cold: ColdGetConf | None
) -> tuple[RetryPolicy, list[str]]:
    """The pure conversion: the policy and the notes on what was not converted exactly."""
    notes: list[str] = []
    changes: dict[str, Any] = {"cold_get_conf": _cold_get_conf(cold)}
    if http_retry is not None:
        changes.update(_from_urllib3(http_retry, notes))
    if network_retry is not None:
        changes.update(_from_tenacity(network_retry, notes))
    return RetryPolicy(**changes), notes


def _from_urllib3(retry: urllib3.Retry, notes: list[str]) -> dict[str, Any]:
    import urllib3

    if not isinstance(retry, urllib3.Retry):
        raise TypeError(f"http_retry must be a urllib3.Retry, not {type(retry).__name__}")
    if retry.total is False:
        count = 0
    else:
        # urllib3 counts a status retry against both; None means that one sets no limit.
        limits = [int(n) for n in (retry.total, retry.status) if n is not None]
        count = max(0, min(limits)) if limits else UNBOUNDED
    statuses = frozenset(retry.status_forcelist or ())
    for code in statuses:
        if isinstance(code, bool) or not isinstance(code, int):
            raise TypeError(f"http_retry.status_forcelist must hold int statuses, not {code!r}")
    if not statuses and count and retry.respect_retry_after_header:
        notes.append(
            "http_retry has no status_forcelist (urllib3 would still retry 413/429/503 "
            "answers carrying Retry-After; this client retries no status)"
        )
    if retry.backoff_jitter:
        notes.append(
            f"http_retry.backoff_jitter={retry.backoff_jitter!r} is not used (status waits "
            "get RetryPolicy.jitter, a fraction of the wait)"
        )
    return {
        "statuses": statuses,
        "status_retries": count,
        # urllib3 treats a negative factor as no wait at all.
        "backoff_factor": max(0.0, float(retry.backoff_factor)),
        "backoff_max": max(0.0, float(retry.backoff_max)),
        "respect_retry_after": bool(retry.respect_retry_after_header),
        "status_methods": _allowed_methods(retry.allowed_methods, notes),
    }


def _allowed_methods(allowed: Iterable[str] | None, notes: list[str]) -> frozenset[str] | None:
    """urllib3's default list becomes None: our idempotency rules then decide alone."""
    unsafe_note = (
        "are retried on a status only when the request is idempotent (e.g. a query sent as "
        "POST) or the status is 429, which means the server did not act on it"
    )
    if allowed is None:
        notes.append(
            f"http_retry.allowed_methods=None (every method): POST and PATCH {unsafe_note}"
        )
        return None
    methods = normalize_methods(allowed)
    assert methods is not None
    if methods == _URLLIB3_METHODS:
        return None
    extra = sorted(methods - _URLLIB3_METHODS)
    if extra:
        notes.append(f"http_retry.allowed_methods includes {', '.join(extra)}, which {unsafe_note}")
    return methods


def _from_tenacity(retrying: object, notes: list[str]) -> dict[str, Any]:
    if not (hasattr(retrying, "stop") or hasattr(retrying, "wait")):
        kind = type(retrying).__name__
        raise TypeError(f"network_retry must be a tenacity.Retrying (or None), not {kind}")
    changes: dict[str, Any] = {}
    stop = getattr(retrying, "stop", None)
    bounds = _stop_bounds(stop)
    if bounds is None:
        notes.append(
            f"network_retry.stop={_name(stop)} not understood (kept "
            f"{RetryPolicy().network_attempts} attempts; understood: stop_after_attempt, "
            "stop_after_delay, stop_before_delay, stop_never, and | of them)"
        )
    else:
        attempts, delay = bounds
        changes["network_attempts"] = UNBOUNDED if attempts is None else attempts
        if delay is not None:
            changes["deadline"] = delay
    wait = getattr(retrying, "wait", None)
    waits = _wait_fields(wait)
    if waits is None:
        notes.append(
            f"network_retry.wait={_name(wait)} not understood (kept random exponential waits "
            "of 1..30 s; understood: wait_random_exponential, wait_exponential, wait_fixed, "
            "wait_none, wait_random)"
        )
    else:
        changes.update(waits)
    return changes


def _name(strategy: object) -> str:
    return "None" if strategy is None else type(strategy).__name__


def _number(value: object) -> float | None:
    """A usable non-negative number from a duck-typed attribute, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # an int past any float
        number = math.inf
    return None if math.isnan(number) or number < 0 else number


def _stop_bounds(stop: object) -> tuple[int | None, float | None] | None:
    """(attempts, seconds) from a tenacity stop; None in a slot = no limit; None = unknown."""
    name = type(stop).__name__
    if name in ("_stop_never", "stop_never"):
        return None, None
    if name == "stop_any":  # stops at the first part that stops: the tightest bounds win
        parts = [_stop_bounds(part) for part in getattr(stop, "stops", ())]
        known = [part for part in parts if part is not None]
        if not parts or len(known) < len(parts):
            return None
        attempts = [a for a, _ in known if a is not None]
        delays = [d for _, d in known if d is not None]
        return min(attempts, default=None), min(delays, default=None)
    count = getattr(stop, "max_attempt_number", None)
    if count is not None:
        number = _number(count)
        return None if number is None or not number.is_integer() else (int(number), None)
    delay = _number(getattr(stop, "max_delay", None))
    if delay is not None and math.isfinite(delay):
        return None, delay
    return None


def _wait_fields(wait: object) -> dict[str, Any] | None:
    """RetryPolicy network-wait fields reproducing a tenacity wait; None when unknown."""
    name = type(wait).__name__
    fields: dict[str, Any] | None = None
    if name in ("wait_exponential", "wait_random_exponential"):
        values = [_number(getattr(wait, a, None)) for a in ("min", "max", "multiplier", "exp_base")]
        if all(v is not None for v in values):
            low, high, multiplier, exp_base = values
            fields = {
                "network_wait_min": low,
                "network_wait_max": high,
                "network_wait_multiplier": multiplier,
                "network_wait_exp_base": exp_base,
                "network_wait_random": name == "wait_random_exponential",
            }
    elif hasattr(wait, "wait_fixed"):  # wait_fixed, and wait_none (a fixed 0)
        seconds = _number(getattr(wait, "wait_fixed", None))
        if seconds is not None:
            fields = _uniform(seconds, seconds)
    elif hasattr(wait, "wait_random_min"):
        low = _number(getattr(wait, "wait_random_min", None))
        high = _number(getattr(wait, "wait_random_max", None))
        if low is not None and high is not None:
            fields = _uniform(low, high)
    if fields is None:
        return None
    try:  # any value the policy would refuse (e.g. an infinite multiplier) counts as unknown
        RetryPolicy(**fields)
    except ValueError:
        return None
    return fields


def _uniform(low: float, high: float) -> dict[str, Any]:
    # A bound of multiplier * 1 ** (n - 1) = high, constant: each wait is uniform(low, high).
    return {
        "network_wait_min": low,
        "network_wait_max": high,
        "network_wait_multiplier": high,
        "network_wait_exp_base": 1.0,
        "network_wait_random": True,
    }
