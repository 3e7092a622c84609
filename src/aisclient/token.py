"""Where the authentication token comes from: a fixed value, a file, or a function.

A transport asks its :class:`TokenProvider` for the token at every request, so a token that is
rotated (a file rewritten by a sidecar, a function that fetches a fresh one) is picked up without
a new client. When the server answers 401 the retry layer calls :meth:`TokenProvider.refresh`
once and resends if the token changed.

Tokens are secrets: no repr, log line or error message here ever contains one. Surrounding
whitespace (the newline a file ends with) is stripped; a token with a control character inside,
which HTTP cannot carry in a header, is refused with :class:`InvalidTokenError`.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from aisclient._fork import renew_after_fork
from aisclient.errors import InvalidTokenError

__all__ = [
    "CallableToken",
    "FileToken",
    "StaticToken",
    "TokenArg",
    "TokenProvider",
    "as_token_provider",
    "clean_token",
]


@runtime_checkable
class TokenProvider(Protocol):
    """Gives the current token (``None``: send none) and can be asked to look for a new one."""

    def token(self) -> str | None: ...

    def refresh(self) -> bool:
        """Look for a newer token; ``True`` when the token changed (worth resending)."""
        ...


TokenArg = str | TokenProvider | Callable[[], "str | None"]


def clean_token(value: object, source: str) -> str | None:
    """``value`` without surrounding whitespace (``None`` when that leaves nothing).

    ``source`` says where it came from (``"token"``, ``"AIS_AUTHN_TOKEN"``, a file) for the
    error, which never shows the token itself.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{source} must give a str token, not {type(value).__name__}")
    text = value.strip()
    for position, char in enumerate(text):
        code = ord(char)
        if code < 0x20 or 0x7F <= code <= 0x9F:
            raise InvalidTokenError(
                f"the token from {source} has a control character (code {code}) at position "
                f"{position}; HTTP cannot send it in a header"
            )
        if code > 0xFF:  # a header value is Latin-1 on the wire
            raise InvalidTokenError(
                f"the token from {source} has a character outside Latin-1 at position "
                f"{position}; HTTP cannot send it in a header"
            )
    return text or None


class StaticToken:
    """One token for the life of the client."""

    __slots__ = ("_value",)

    def __init__(self, value: str, source: str = "token") -> None:
        self._value = clean_token(value, source)

    def token(self) -> str | None:
        return self._value

    def refresh(self) -> bool:
        return False

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StaticToken) and other._value == self._value

    def __hash__(self) -> int:
        return hash((StaticToken, self._value))

    def __getstate__(self) -> dict[str, Any]:
        return {"value": self._value}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._value = state["value"]

    def __repr__(self) -> str:
        return "StaticToken('***')" if self._value else "StaticToken(None)"


class FileToken:
    """The token in a file: read at construction, read again whenever the file's size or
    modification time changes (checked at each request, one ``stat``), and on :meth:`refresh`.

    The file holds the token itself, or the JSON ``{"token": "..."}`` that ``ais auth login``
    writes. A file that becomes unreadable later keeps the last token (the next change is
    picked up).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self._lock = threading.Lock()
        renew_after_fork(self)
        self._stamp: tuple[int, int] | None = None
        self._value: str | None = None
        try:
            self._load(os.stat(self.path))
        except OSError as err:
            raise FileNotFoundError(
                err.errno, f"token_file cannot be read: {err.strerror}", self.path
            ) from None

    def _load(self, stat: os.stat_result) -> bool:
        with open(self.path, encoding="utf-8", errors="strict") as handle:
            text = handle.read()
        source = f"token_file {self.path!r}"
        value = clean_token(_token_in(text, source), source)
        changed = value != self._value
        self._value, self._stamp = value, (stat.st_mtime_ns, stat.st_size)
        return changed

    def _forked(self) -> None:
        self._lock = threading.Lock()  # the parent's may be held by a thread that is not here

    def token(self) -> str | None:
        try:
            stat = os.stat(self.path)
        except OSError:
            return self._value
        if (stat.st_mtime_ns, stat.st_size) != self._stamp:
            with self._lock:
                if (stat.st_mtime_ns, stat.st_size) != self._stamp:
                    self._reload(stat)
        return self._value

    def refresh(self) -> bool:
        try:
            stat = os.stat(self.path)
        except OSError:
            return False
        with self._lock:
            return self._reload(stat)

    def _reload(self, stat: os.stat_result) -> bool:
        try:
            return self._load(stat)
        except (OSError, UnicodeDecodeError):
            return False

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FileToken) and other.path == self.path

    def __hash__(self) -> int:
        return hash((FileToken, self.path))

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["path"])  # type: ignore[misc]

    def __repr__(self) -> str:
        return f"FileToken({self.path!r})"


def _token_in(text: str, source: str) -> str:
    """The token in a file's text: the text itself, or the ``token`` field of a JSON object."""
    if not text.lstrip().startswith("{"):
        return text
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    token = doc.get("token") if isinstance(doc, dict) else None
    if not isinstance(token, str):
        # Never quote the text: it may be a token with a typo around it.
        raise InvalidTokenError(f'{source} holds JSON without a string "token" field')
    return token


class CallableToken:
    """A function that returns a token: called on first use and again on each :meth:`refresh`
    (not at every request, so it may be as slow as fetching a token from a service)."""

    def __init__(self, function: Callable[[], str | None]) -> None:
        self.function = function
        self._lock = threading.Lock()
        renew_after_fork(self)
        self._value: str | None = None
        self._fetched = False

    def _forked(self) -> None:
        self._lock = threading.Lock()  # the parent's may be held by a thread that is not here

    def _fetch(self) -> str | None:
        return clean_token(self.function(), "the token function")

    def token(self) -> str | None:
        if not self._fetched:
            with self._lock:
                if not self._fetched:
                    self._value = self._fetch()
                    self._fetched = True
        return self._value

    def refresh(self) -> bool:
        with self._lock:
            value = self._fetch()
            changed = value != self._value
            self._value, self._fetched = value, True
            return changed

    def __getstate__(self) -> dict[str, Any]:
        return {"function": self.function}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["function"])  # type: ignore[misc]

    def __repr__(self) -> str:
        name = getattr(self.function, "__qualname__", type(self.function).__name__)
        return f"CallableToken({name})"


def as_token_provider(value: TokenArg | None, source: str = "token") -> TokenProvider | None:
    """The provider behind any accepted token setting: a str, a provider, or a function."""
    if value is None:
        return None
    if isinstance(value, str):
        static = StaticToken(value, source)
        return static if static.token() else None
    if isinstance(value, TokenProvider):
        return value
    if callable(value):
        return CallableToken(value)
    raise TypeError(
        f"{source} must be a str, a TokenProvider or a function returning a str, "
        f"not {type(value).__name__}"
    )
