"""The one source of time and chance: how the client sleeps, reads clocks and draws jitter.

Retries, transports and waits take a :class:`Clock`, so a test passes a fake one and neither
sleeps nor depends on luck. A leaf: it imports nothing of the package.
"""

from __future__ import annotations

import random as _random
import time
from collections.abc import Callable

from attrs import frozen


@frozen
class Clock:
    """``sleep(seconds)``; ``monotonic()`` for elapsed time; ``wall()`` for Unix time (HTTP
    dates); ``random()`` in [0, 1) for jitter."""

    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time
    random: Callable[[], float] = _random.random

    def now(self) -> float:
        """Seconds on the monotonic clock (what elapsed-time checks compare)."""
        return self.monotonic()


SYSTEM_CLOCK = Clock()


class FakeClock:
    """Time that passes only when slept through, for tests: ``clock`` is the :class:`Clock` to
    inject; ``sleeps`` records every pause; ``random`` is the fixed draw of each ``random()``."""

    def __init__(self, start: float = 0.0, *, wall: float = 1.7e9, random: float = 0.5) -> None:
        self.now = start
        self.wall_start = wall - start
        self.random = random
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        """Let time pass without a sleep (work that took that long)."""
        self.now += seconds

    @property
    def clock(self) -> Clock:
        return Clock(
            sleep=self.sleep,
            monotonic=lambda: self.now,
            wall=lambda: self.wall_start + self.now,
            random=lambda: self.random,
        )
