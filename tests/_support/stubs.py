"""A StubTransport expectation that records what it accepts, shared by the facade tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aisclient.request import Request


def capture(
    into: list[Any], pick: Callable[[Request], Any] = lambda r: r
) -> Callable[[Request], bool]:
    """A StubTransport expectation that records (part of) the request and accepts it."""

    def match(request: Request) -> bool:
        into.append(pick(request))
        return True

    return match
