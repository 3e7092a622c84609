"""Retry policy as a value, and the retry decision as a pure function.

Defaults follow the official SDK's ``RetryConfig.default()``: statuses 429/500/502/503/504 up
to 5 retries with backoff 0, 6, 12, 24, 48 s; network failures up to 7 attempts with random
exponential waits between 1 and 30 s. Added here: a total deadline, ``Retry-After`` honoured
within it, jitter from an injected random number, and safety rules by request kind.

The SDK's own ``RetryConfig`` (a urllib3 ``Retry`` plus a tenacity ``Retrying``) is accepted
too: :class:`RetryConfig` converts it to a :class:`RetryPolicy` with :func:`policy_from_sdk`.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from attrs import evolve, field, frozen

if TYPE_CHECKING:
    from aisclient.request import Request

DEFAULT_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_AFTER_STATUSES = frozenset({413, 429, 503})


class FailureKind(enum.Enum):
    """What went wrong with one attempt."""

    STATUS = "status"  # the server answered with a retryable status
    CONNECT = "connect"  # no connection: nothing was sent
    READ = "read"  # connected, then the exchange failed or timed out


@frozen
class Outcome:
    """The result of one failed attempt, as the decision needs it."""

    kind: FailureKind
    status: int = 0
    retry_after: str | None = None  # the raw Retry-After header, if any


@frozen
class Retry:
    """Try again after ``after`` seconds."""

    after: float


@frozen
class GiveUp:
    """Stop; ``reason`` says why (for error messages and logs)."""

    reason: str


def _field_name(attribute: object) -> str:
    return str(getattr(attribute, "name", "value"))


def _real(attribute: object, value: object) -> float:
    """``value`` as a float, or a ``TypeError`` naming the field (a bool is not a number)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{_field_name(attribute)} must be a number, not {value!r}")
    return float(value)


def _non_negative(_: object, attribute: object, value: float) -> None:
    number = _real(attribute, value)
    if math.isnan(number) or number < 0:
        raise ValueError(f"{_field_name(attribute)} must be >= 0, not {value!r}")


def _optional_non_negative(_: object, attribute: object, value: float | None) -> None:
    if value is not None:
        _non_negative(_, attribute, value)


def _finite_non_negative(_: object, attribute: object, value: float) -> None:
    _non_negative(_, attribute, value)
    if math.isinf(value):
        raise ValueError(f"{_field_name(attribute)} must be finite, not {value!r}")


def _count(_: object, attribute: object, value: int) -> None:
    """A number of tries: a whole ``int`` >= 0 (not ``1.5``, not ``"3"``, not ``True``)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{_field_name(attribute)} must be an int, not {value!r}")
    if value < 0:
        raise ValueError(f"{_field_name(attribute)} must be >= 0, not {value!r}")


def _statuses(value: Iterable[int]) -> frozenset[int]:
    if isinstance(value, str | bytes | int):  # one value, or a text whose letters are not codes
        raise TypeError(f"statuses must be a collection of int HTTP statuses, not {value!r}")
    codes = frozenset(value)
    for code in codes:
        if isinstance(code, bool) or not isinstance(code, int):
            raise TypeError(f"statuses must hold int HTTP statuses, not {code!r}")
        if not 100 <= code <= 599:
            raise ValueError(f"statuses must hold HTTP statuses (100..599), not {code!r}")
    return codes


def normalize_methods(value: Iterable[str] | None) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str):  # one method name, not its letters
        value = (value,)
    methods = frozenset(value)
    for method in methods:
        if not isinstance(method, str):
            raise TypeError(f"status_methods must hold method names, not {method!r}")
    return frozenset(method.upper() for method in methods)


@frozen
class ColdGetConf:
    """The official SDK's cold-GET tuning, kept as a compatibility value only.

    In the SDK, a read timeout on a GET from a remote bucket makes the client poll the
    object's write lock (sized by ``est_bandwidth_bps``, for at most ``max_cold_wait``
    seconds, with a HEAD that checks the remote when ``enable_remote_head``) before retrying.
    **This client does not perform cold-GET lock polling** (remote buckets only; not
    implemented): the value is accepted, compared, pickled and carried in
    :class:`RetryPolicy` so that SDK code and configs round-trip, and has no other effect.
    """

    est_bandwidth_bps: int = field(default=1_250_000_000, validator=_non_negative)
    max_cold_wait: int = field(default=180, validator=_non_negative)
    enable_remote_head: bool = True


@frozen
class RetryPolicy:
    """Which failures to retry, how often and how long to wait. Immutable; use :meth:`replace`."""

    statuses: frozenset[int] = field(default=DEFAULT_STATUSES, converter=_statuses)
    status_retries: int = field(default=5, validator=_count)
    backoff_factor: float = field(default=3.0, validator=_non_negative)
    backoff_max: float = field(default=120.0, validator=_non_negative)
    network_attempts: int = field(default=7, validator=_count)
    network_wait_min: float = field(default=1.0, validator=_non_negative)
    network_wait_max: float = field(default=30.0, validator=_non_negative)
    # Total time budget for one logical request, retries included; None = no budget.
    deadline: float | None = field(default=300.0, validator=_optional_non_negative)
    respect_retry_after: bool = True
    # Fraction (0..1) by which a status backoff is randomly shortened or lengthened.
    jitter: float = field(default=0.1, validator=_non_negative)
    # Network wait before retry n is bounded by multiplier * exp_base ** (n - 1), clamped to
    # [network_wait_min, network_wait_max]; random=True draws it uniformly from min to that.
    network_wait_multiplier: float = field(default=1.0, validator=_finite_non_negative)
    network_wait_exp_base: float = field(default=2.0, validator=_finite_non_negative)
    network_wait_random: bool = True
    # If set, only these methods are retried on a status (an SDK ``allowed_methods`` list);
    # the idempotency rules of :func:`decide` apply either way.
    status_methods: frozenset[str] | None = field(default=None, converter=normalize_methods)
    # Carried for SDK compatibility; no cold-GET polling is done (see ColdGetConf).
    cold_get_conf: ColdGetConf = field(factory=ColdGetConf)

    @staticmethod
    def default() -> RetryPolicy:
        return RetryPolicy()

    @staticmethod
    def never() -> RetryPolicy:
        """A policy that never retries: handy in tests and for callers with their own loop."""
        return RetryPolicy(status_retries=0, network_attempts=1)

    def replace(self, **changes: Any) -> RetryPolicy:
        return evolve(self, **changes)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), else ``None``.

    ``now`` is the current Unix time, needed only for the date form.
    """
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():  # str.isdigit alone also accepts e.g. "²"
        seconds = float(text)
        return seconds if math.isfinite(seconds) else None
    if now is None:
        return None
    import email.utils  # only for the rare date form: it costs a client's import time

    try:
        when = email.utils.parsedate_to_datetime(text)
        seconds = when.timestamp() - now
    except Exception:  # any malformed date: the header is only a hint
        return None
    return max(0.0, seconds) if math.isfinite(seconds) else None


def status_backoff(policy: RetryPolicy, failures: int, rand: float) -> float:
    """Sleep before retry number ``failures`` (1-based) after a retryable status."""
    if failures <= 1:
        return 0.0
    base = min(policy.backoff_factor * 2.0 ** (failures - 1), policy.backoff_max)
    spread = min(policy.jitter, 1.0)
    return max(0.0, base * (1.0 + spread * (2.0 * rand - 1.0)))


def network_backoff(policy: RetryPolicy, failures: int, rand: float) -> float:
    """Random exponential wait before network retry number ``failures`` (1-based)."""
    low = policy.network_wait_min
    try:
        grown = policy.network_wait_multiplier * policy.network_wait_exp_base ** (failures - 1)
    except OverflowError:  # past any float: the cap applies (as tenacity does)
        grown = math.inf
    high = max(low, min(grown, policy.network_wait_max))
    if not policy.network_wait_random:
        return high
    return low + (high - low) * rand


def decide(
    policy: RetryPolicy,
    request: Request,
    outcome: Outcome,
    failures: int,
    elapsed: float,
    rand: float,
    now: float | None = None,
    *,
    body_sent: bool = True,
) -> Retry | GiveUp:
    """Decide whether to retry after a failed attempt. Pure: the same input, the same answer.

    ``failures`` counts failed attempts of this outcome's family (statuses, or network) so far,
    this one included; ``elapsed`` is seconds since the first attempt began; ``rand`` is a number
    in [0, 1) from the caller's random source; ``now`` (Unix time) resolves HTTP-date Retry-After.
    ``body_sent=False`` says that no part of a one-shot body was taken yet, so it may be sent.
    """
    if not request.replayable and body_sent:
        return GiveUp("the request body can be sent only once")
    if outcome.kind is FailureKind.STATUS:
        if outcome.status not in policy.statuses:
            return GiveUp(f"status {outcome.status} is not retried")
        if policy.status_methods is not None and request.method not in policy.status_methods:
            return GiveUp(f"{request.method} is not among the methods retried on a status")
        # 429 means the server did not act on the request, so any method may be resent.
        if not request.idempotent and outcome.status != 429:
            return GiveUp(f"{request.method} is not idempotent")
        if failures > policy.status_retries:
            return GiveUp(f"gave up after {policy.status_retries} retries on error statuses")
        after = status_backoff(policy, failures, rand)
        if policy.respect_retry_after and outcome.status in RETRY_AFTER_STATUSES:
            hinted = parse_retry_after(outcome.retry_after, now)
            if hinted is not None:
                after = max(after, hinted)
    else:
        if outcome.kind is FailureKind.READ and not request.idempotent:
            return GiveUp(f"{request.method} is not idempotent; it may have been applied")
        if failures >= policy.network_attempts:
            return GiveUp(f"gave up after {policy.network_attempts} attempts")
        after = network_backoff(policy, failures, rand)
    if not math.isfinite(after):
        return GiveUp("the wait before the next try is unbounded")
    if policy.deadline is not None and elapsed + after > policy.deadline:
        return GiveUp(f"the next try would pass the {policy.deadline:g} s deadline")
    return Retry(after)
