"""The one exception type handlers raise; the server renders it as an AIS error."""

from __future__ import annotations


class HttpError(Exception):
    """An error answered in the AIS JSON error format.

    ``status`` is the HTTP status, ``tcode`` the Go-style type code that AIS puts
    in the body (empty to omit it), ``headers`` extra response headers.
    """

    def __init__(
        self,
        status: int,
        message: str,
        tcode: str = "",
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.tcode = tcode
        self.headers = headers or []
        self.plain = False


def method_not_allowed(allow: str) -> HttpError:
    """405 is the one error AIS answers in plain text (with an ``Allow`` header)."""
    err = HttpError(405, "Method Not Allowed", "", [("Allow", allow)])
    err.plain = True
    return err


def bad_request(message: str, tcode: str = "") -> HttpError:
    return HttpError(400, message, tcode)


def not_found(message: str, tcode: str = "ErrNotFound") -> HttpError:
    return HttpError(404, message, tcode)


ETL_UNSUPPORTED = "cannot use ETL in a build without ETL support - operation not supported"
