"""Every decoder's failure is one typed error: a wrong answer never escapes as a bare
``TypeError``, ``KeyError`` or ``RecursionError`` from deep inside a decoder."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from aisclient.errors import AISError, UnexpectedResponseError

F = TypeVar("F", bound=Callable[..., Any])

_REASON_MAX = 200


def reason(err: BaseException) -> str:
    """What went wrong, short enough for a message (a hostile answer can be huge)."""
    if isinstance(err, RecursionError):
        return "nested too deeply"
    text = f"{type(err).__name__}: {err}"
    return text if len(text) <= _REASON_MAX else text[: _REASON_MAX - 3] + "..."


def unexpected(what: str, err: BaseException) -> UnexpectedResponseError:
    return UnexpectedResponseError(f"cannot decode {what}: {reason(err)}")


def decoder(what: str) -> Callable[[F], F]:
    """Make ``fn`` raise :class:`UnexpectedResponseError` (naming ``what``) for any answer it
    cannot decode; AIS errors pass through as they are."""

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except AISError:
                raise
            except Exception as err:  # any shape of wrong answer: one typed error
                raise unexpected(what, err) from None

        return cast(F, guarded)

    return wrap
