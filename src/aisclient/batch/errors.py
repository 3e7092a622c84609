"""Errors of Get-Batch decoding. All are :class:`~aisclient.errors.AISError` subclasses."""

from __future__ import annotations

from aisclient.errors import AISError, MultipartDecodeError

__all__ = [
    "BatchArchiveError",
    "BatchEntryError",
    "BatchError",
    "IncompleteBatchError",
    "MultipartDecodeError",
]


class BatchError(AISError):
    """Base of the Get-Batch errors raised while reading a response."""


class BatchArchiveError(BatchError, RuntimeError):
    """The archive in the response could not be read (corrupt, truncated, or too many members).

    Also a ``RuntimeError``, the class the official SDK raises for a broken archive stream.
    """


class IncompleteBatchError(BatchArchiveError):
    """The archive ended before every requested entry arrived.

    In streaming mode the server has already answered 200 when an entry fails, so it can
    only end the archive early; the entry at ``index`` (``entry``) is the first one missing.
    """

    def __init__(self, message: str, *, index: int, expected: int, entry: str) -> None:
        super().__init__(message)
        self.index = index
        self.expected = expected
        self.entry = entry


class BatchEntryError(BatchError):
    """An entry of a Get-Batch requested without ``cont_on_err`` failed on the server.

    A server spread over several targets may answer such a request with a placeholder for the
    entry (an empty ``__404__/...`` member, and an ``err_msg`` in multipart metadata) instead of
    failing it; without ``cont_on_err`` that is an error, never an empty sample. ``index`` is
    the entry's position, ``entry`` names it (``ais://bucket/object``), ``reason`` is the
    server's message when it sent one.
    """

    def __init__(self, message: str, *, index: int, entry: str, reason: str) -> None:
        super().__init__(message)
        self.index = index
        self.entry = entry
        self.reason = reason
