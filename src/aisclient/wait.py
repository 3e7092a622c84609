"""Polling with an injectable clock, so waits are testable without sleeping."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TypeVar

from attrs import frozen

from aisclient.errors import Timeout

T = TypeVar("T")


def check_timeout(timeout: object, what: str = "timeout") -> float:
    """A wait's ``timeout``: a finite number of seconds >= 0, else ``TypeError``/``ValueError``.

    Called before a wait sends anything, so a bad value fails fast.
    """
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise TypeError(f"{what} must be a number of seconds, not {timeout!r}")
    if not math.isfinite(timeout) or timeout < 0:
        raise ValueError(f"{what} must be a finite number of seconds >= 0, not {timeout!r}")
    return float(timeout)


def poll_interval(timeout: float) -> float:
    """The SDK's pause between polls: ``max(0.1, T/64, min(T/8, 1))`` seconds."""
    return max(0.1, timeout / 64, min(timeout / 8, 1.0))


@frozen
class Clock:
    """Where waits get the time and how they pause; tests pass a fake one."""

    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], float] = time.monotonic


REAL_CLOCK = Clock()


def poll(
    check: Callable[[], T | None],
    *,
    timeout: float,
    what: str,
    interval: float | None = None,
    clock: Clock = REAL_CLOCK,
) -> T:
    """Call ``check`` until it returns something other than ``None``, or raise ``Timeout``.

    Elapsed time is measured with ``clock.now`` (time spent in requests counts too, unlike
    the SDK, which adds up only its sleeps), so ``timeout`` is a true upper bound.
    """
    check_timeout(timeout)
    pause = poll_interval(timeout) if interval is None else interval
    start = clock.now()
    while True:
        result = check()
        if result is not None:
            return result
        elapsed = clock.now() - start
        if elapsed >= timeout:
            raise Timeout(what, f"after {timeout:g}s")
        clock.sleep(min(pause, max(0.0, timeout - elapsed)))
