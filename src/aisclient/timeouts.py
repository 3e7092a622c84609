"""Connect and read timeouts as a value: a leaf that imports nothing of the package."""

from __future__ import annotations

import math

from attrs import field, frozen

DEFAULT_CONNECT_TIMEOUT = 3.0
DEFAULT_READ_TIMEOUT = 20.0


def check_seconds(value: object, what: str) -> float | None:
    """A timeout part: a finite, non-negative real number; 0 means no limit."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"timeout {what} must be a number of seconds, not {value!r}")
    try:
        number = float(value)
    except OverflowError:  # an int too large for a float
        number = math.inf
    if math.isnan(number) or math.isinf(number) or number < 0:
        raise ValueError(f"timeout {what} must be a finite number >= 0, not {value!r}")
    return None if number == 0 else number


def _connect_phase(value: object) -> float | None:
    return None if value is None else check_seconds(value, "connect")


def _read_phase(value: object) -> float | None:
    return None if value is None else check_seconds(value, "read")


@frozen
class Timeout:
    """Connect and read timeouts in seconds; ``None`` (or 0) means no limit for that phase."""

    connect: float | None = field(default=DEFAULT_CONNECT_TIMEOUT, converter=_connect_phase)
    read: float | None = field(default=DEFAULT_READ_TIMEOUT, converter=_read_phase)

    @property
    def disabled(self) -> bool:
        return self.connect is None and self.read is None

    def as_sdk_value(self) -> float | tuple[float | None, float | None] | None:
        """The shape the official SDK stores: ``None`` when both phases are unlimited."""
        return None if self.disabled else (self.connect, self.read)
