"""One exception hierarchy, rooted in :class:`AISError`, and the pure response-to-error mapping.

The class names follow the official SDK so that existing ``except`` clauses keep working.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aisclient.request import Request

__all__ = [
    "AISConnectionError",
    "AISError",
    "AISRetryableError",
    "AISTimeoutError",
    "APIRequestError",
    "ErrAccessDenied",
    "ErrBckAlreadyExists",
    "ErrBckNotFound",
    "ErrETLAlreadyExists",
    "ErrETLNotFound",
    "ErrGETConflict",
    "ErrObjNotFound",
    "ErrRemoteBckNotFound",
    "ErrTokenExpired",
    "ErrTokenRevoked",
    "ErrUnauthorized",
    "IncompleteBodyError",
    "InvalidBckProvider",
    "InvalidObjectRangeIndex",
    "InvalidTokenError",
    "InvalidURLException",
    "JobInfoNotFound",
    "MultipartDecodeError",
    "NoTargetError",
    "ObjectFileReaderMaxResumeError",
    "ObjectFileReaderStreamError",
    "ObjectFileReaderUnexpectedEOF",
    "RedirectError",
    "Timeout",
    "UnexpectedHTTPStatusCode",
    "UnexpectedResponseError",
    "UnreplayableBodyError",
    "WaitTimeoutError",
    "error_from_response",
    "redact_tokens",
]


class AISError(Exception):
    """Root of every error aisclient raises.

    ``status_code``, ``message`` and ``req_url`` are set for errors that came from a server; for
    client-side errors they are ``0``, the text and ``""``.
    """

    def __init__(self, message: str = "", *, status_code: int = 0, req_url: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.req_url = req_url

    def __reduce__(self) -> tuple[object, ...]:
        # Rebuild without calling __init__: subclasses take other arguments than ``args`` holds,
        # and the default reduce would call them with the wrong ones. Notes travel in the dict.
        return (_rebuild_error, (type(self), self.args, self._picklable_state()))

    def _picklable_state(self) -> dict[str, object]:
        return dict(self.__dict__)


def _rebuild_error(
    cls: type[AISError], args: tuple[object, ...], state: dict[str, object]
) -> AISError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class APIRequestError(AISError):
    """An HTTP error status from AIS (or AuthN). ``message`` is the raw body text, as in the SDK."""

    def __init__(
        self,
        status_code: int,
        message: str,
        req_url: str,
        req: Request | None = None,
        *,
        tcode: str = "",
        detail: str = "",
    ) -> None:
        super().__init__(message, status_code=status_code, req_url=req_url)
        self.req = req
        self.tcode = tcode
        # The server's human-readable ``message`` field, when the body was AIS's JSON error.
        self.detail = detail or message

    def __str__(self) -> str:
        return f"STATUS:{self.status_code}, MESSAGE:{self.message}, REQ_URL:{self.req_url}"

    def _picklable_state(self) -> dict[str, object]:
        # The request may hold a one-shot body (an iterator) that cannot cross a process.
        return {**self.__dict__, "req": None}


class AISRetryableError(APIRequestError):
    """Marker base for HTTP errors that are worth trying again."""


class ErrObjNotFound(AISRetryableError):
    """404: the object does not exist."""


class ErrGETConflict(AISRetryableError):
    """409 on a GET: e.g. the object is write-locked by a concurrent cold GET."""


class ErrBckNotFound(APIRequestError):
    """404: the ais:// bucket does not exist."""


class ErrRemoteBckNotFound(APIRequestError):
    """404: the remote (cloud or remote-AIS) bucket does not exist."""


class ErrBckAlreadyExists(APIRequestError):
    """409: the bucket already exists."""


class ErrETLNotFound(APIRequestError):
    """404: the ETL does not exist."""


class ErrETLAlreadyExists(APIRequestError):
    """409: an ETL with that name already exists."""


class ErrUnauthorized(APIRequestError):
    """401: no token, or a token the server does not accept (bad signature, unknown issuer)."""


class ErrTokenExpired(ErrUnauthorized):
    """401: the token has expired; log in again for a new one."""


class ErrTokenRevoked(ErrUnauthorized):
    """401: the token was revoked (logged out, or its user deleted); log in again."""


class ErrAccessDenied(APIRequestError):
    """403: the token is valid but its roles do not allow the operation (or direct target
    access is refused on a secured cluster)."""


class AISConnectionError(AISError, ConnectionError):
    """The request could not be completed over the network (after retries).

    Names the method and URL; never the token or a signed query parameter. ``phase`` is
    ``"connect"`` (nothing was sent), ``"read"`` (the exchange broke after connecting) or
    ``""`` (not worth retrying, e.g. a TLS verification failure).
    """

    def __init__(self, message: str, *, method: str = "", url: str = "", phase: str = "") -> None:
        super().__init__(message, req_url=url)
        self.method = method
        self.url = url
        self.phase = phase


class AISTimeoutError(AISConnectionError, TimeoutError):
    """Connecting or reading timed out (after retries)."""


class IncompleteBodyError(AISConnectionError):
    """The response body ended before its declared length: never a silently short result."""


class RedirectError(AISError):
    """Too many redirects, a redirect loop, or a redirect without a usable ``Location``."""


class UnreplayableBodyError(AISError):
    """The server asked for the request again, but its one-shot body was already sent."""


class InvalidBckProvider(AISError, ValueError):
    """An unknown provider, or an operation the provider does not allow."""

    def __init__(self, provider: str, detail: str = "") -> None:
        text = detail or f"Invalid bucket provider {provider!r}"
        super().__init__(text)
        self.provider = provider


class InvalidURLException(AISError, ValueError):
    """A malformed ``provider://bucket/object`` URL."""

    def __init__(self, url: str) -> None:
        super().__init__(
            f"Invalid URL: {url!r}. Ensure it follows the format 'provider://bucket/object'."
        )
        self.url = url


class WaitTimeoutError(AISError, TimeoutError):
    """Waiting for something (a job, a dSort) took longer than allowed.

    Not to be confused with :class:`aisclient.timeouts.Timeout`, the connect/read limits of one
    request; ``Timeout`` stays as this class's name under the official SDK's spelling.
    """

    def __init__(self, action: str, message: str = "") -> None:
        text = f"Timed out while waiting for {action}."
        super().__init__(f"{text} {message}" if message else text)
        self.action = action


# The official SDK's name for it; ``except aisclient.errors.Timeout`` keeps working.
Timeout = WaitTimeoutError


class UnexpectedResponseError(AISError):
    """An answer that could not be decoded as the call expected: not JSON, JSON of the wrong
    shape, nested past any sane depth, a garbled header. The message says what was wrong and
    ``req_url`` (redacted) which request got it."""


class InvalidTokenError(AISError, ValueError):
    """An authentication token that HTTP cannot carry (e.g. a control character inside it).

    The message names the problem and where the token came from, never the token itself.
    """


class InvalidObjectRangeIndex(AISError, ValueError):
    """Bad indices for an object range template."""


class JobInfoNotFound(AISError):
    """No information about the job could be found."""


class UnexpectedHTTPStatusCode(AISError):
    """A status the call did not expect, although it was not an error status."""

    def __init__(self, expected_status_codes: list[int], received_status_code: int) -> None:
        super().__init__(
            f"Unexpected status code received. Expected one of the following "
            f"{expected_status_codes}, but received {received_status_code}.",
            status_code=received_status_code,
        )
        self.expected_status_codes = expected_status_codes
        self.received_status_code = received_status_code


class NoTargetError(AISError):
    """No usable target in the cluster map."""

    def __init__(self, total_nodes: int) -> None:
        super().__init__(f"No available targets in the cluster map. Total nodes: {total_nodes}")
        self.total_nodes = total_nodes


class MultipartDecodeError(UnexpectedResponseError):
    """A Get-Batch multipart response could not be decoded."""


class ObjectFileReaderMaxResumeError(AISError):
    """An object file reader gave up after resuming ``max_retries`` times."""

    def __init__(self, err: BaseException, max_retries: int) -> None:
        super().__init__(f"Object file reader exceeded max resume attempts ({max_retries}): {err}")
        self.original_error = err
        self.max_retries = max_retries


class ObjectFileReaderUnexpectedEOF(IncompleteBodyError):
    """An object stream ended cleanly at byte ``actual`` while ``expected`` were promised
    (its ``Content-Length``). The reader resumes from there; after ``max_resume`` resumes
    it is the ``original_error`` of :class:`ObjectFileReaderMaxResumeError`.

    Also an :class:`IncompleteBodyError`, so ``except IncompleteBodyError`` catches it.
    """

    def __init__(self, actual: int, expected: int) -> None:
        super().__init__(
            f"the object stream stopped after {actual} bytes, short of the {expected} promised",
            phase="read",
        )
        self.actual = actual
        self.expected = expected


class ObjectFileReaderStreamError(AISError):
    """An object file reader could not open its stream; ``original_error`` says why."""

    def __init__(self, err: BaseException) -> None:
        super().__init__(f"Object file reader failed to open the object stream: {err}")
        self.original_error = err


# A bucket written as a URL: scheme, "://", then the bucket part, optionally after a namespace
# ("@uuid#name/", as in `remote bucket "ais://@uuid#ns/NAME"`); a "/" right after the bucket
# means an object part follows. Wider than the SDK's pattern: also the az:// and oc:// schemes
# that the server uses in its messages, and the namespace form.
_NAME = r"[A-Za-z0-9._\-]"
_BUCKET_URL = re.compile(
    r"\b(ais|aws|azure|gcp|oci|s3|gs|az|oc)://"
    rf"((?:@{_NAME}*(?:#{_NAME}*)?/)?[A-Za-z0-9@#._\-]{{1,132}})(/?)"
)
_ETL_MARKER = "etl job"
# A JWT (header.payload.signature, base64url, the header always starting with '{"'). Servers
# quote a refused token in their error text; it must not reach a message, log or repr.
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def redact_tokens(text: str) -> str:
    """``text`` with every JWT replaced by ``***``."""
    return _JWT.sub("***", text) if "eyJ" in text else text


def _parse_body(body: bytes) -> tuple[str, str, str]:
    """Return (raw text, tcode, message) for any bytes; never raises."""
    text = redact_tokens(body.decode("utf-8", errors="replace"))
    try:
        doc = json.loads(text) if text.lstrip().startswith("{") else None
    except (ValueError, RecursionError):  # hostile nesting must not break error reporting
        doc = None
    if isinstance(doc, dict):
        tcode = doc.get("tcode")
        message = doc.get("message")
        return (
            text,
            tcode if isinstance(tcode, str) else "",
            message if isinstance(message, str) else text,
        )
    return text, "", text


def error_from_response(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    request: Request | None = None,
    *,
    url: str = "",
) -> APIRequestError:
    """Map an error status and body to the most specific exception. Total: never raises.

    HEAD responses have no body; AIS puts the same JSON into the ``Hdr-Error`` header, which
    is used instead (so HEAD errors are specific too, unlike in the SDK).
    """
    if not body:
        header = _header(headers, "Hdr-Error")
        if header:
            body = header.encode("utf-8", errors="replace")
    text, tcode, detail = _parse_body(body)
    method = request.method if request is not None else ""
    cls = _classify(status, method, text)
    return cls(status, text, url, request, tcode=tcode, detail=detail)


def _header(headers: Mapping[str, str], name: str) -> str:
    try:
        value = headers.get(name)
        if value is None:
            lowered = name.lower()
            value = next((v for k, v in headers.items() if k.lower() == lowered), None)
        return value if isinstance(value, str) else ""
    except Exception:  # a hostile mapping must not break error reporting
        return ""


def _classify(status: int, method: str, text: str) -> type[APIRequestError]:
    if status == 401:
        if "token revoked" in text:
            return ErrTokenRevoked
        if "token expired" in text:
            return ErrTokenExpired
        return ErrUnauthorized
    if status == 403:
        return ErrAccessDenied
    if status == 404:
        if _ETL_MARKER in text:
            return ErrETLNotFound
        match = _BUCKET_URL.search(text)
        if match is None:
            return APIRequestError
        if match.group(3):
            return ErrObjNotFound
        scheme, bucket = match.group(1), match.group(2)
        if scheme != "ais" or "@" in bucket:
            return ErrRemoteBckNotFound
        return ErrBckNotFound
    if status == 409:
        if method == "GET":
            return ErrGETConflict
        if _ETL_MARKER in text:
            return ErrETLAlreadyExists
        match = _BUCKET_URL.search(text)
        if match is not None and not match.group(3):
            return ErrBckAlreadyExists
    return APIRequestError
