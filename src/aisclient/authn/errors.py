"""AuthN errors: one :class:`AuthNError` (an :class:`~aisclient.errors.APIRequestError`) with the
official SDK's subclasses, chosen from the status and the server's message by a pure function.

401 and 403 answers are also :class:`~aisclient.errors.ErrUnauthorized` and
:class:`~aisclient.errors.ErrAccessDenied`, so one ``except`` covers both servers.
"""

from __future__ import annotations

from collections.abc import Mapping

from aisclient.errors import (
    APIRequestError,
    ErrAccessDenied,
    ErrTokenExpired,
    ErrTokenRevoked,
    ErrUnauthorized,
    error_from_response,
)
from aisclient.request import Request

__all__ = [
    "AuthNError",
    "ErrAuthNAccessDenied",
    "ErrAuthNTokenExpired",
    "ErrAuthNTokenRevoked",
    "ErrAuthNUnauthorized",
    "ErrClusterAlreadyRegistered",
    "ErrClusterNotFound",
    "ErrRoleAlreadyExists",
    "ErrRoleNotFound",
    "ErrUserAlreadyExists",
    "ErrUserInvalidCredentials",
    "ErrUserNotFound",
    "authn_error_from_response",
]


class AuthNError(APIRequestError):
    """An error status from the AuthN server. ``message`` is the body, tokens redacted."""


class ErrAuthNUnauthorized(AuthNError, ErrUnauthorized):
    """401: no token, or one the AuthN server refuses (expired, revoked, not an admin's)."""


class ErrAuthNTokenExpired(ErrAuthNUnauthorized, ErrTokenExpired):
    """401: the token has expired."""


class ErrAuthNTokenRevoked(ErrAuthNUnauthorized, ErrTokenRevoked):
    """401: the token was revoked (a logout, or an explicit revoke)."""


class ErrUserInvalidCredentials(ErrAuthNUnauthorized):
    """401 at login: unknown user or wrong password (the server does not say which)."""


class ErrAuthNAccessDenied(AuthNError, ErrAccessDenied):
    """403: e.g. deleting the ``admin`` user or changing the ``Admin`` role."""


class ErrClusterNotFound(AuthNError):
    """404: no cluster registered under that id or alias."""


class ErrRoleNotFound(AuthNError):
    """404: no role of that name."""


class ErrUserNotFound(AuthNError):
    """404: no user of that name."""


class ErrClusterAlreadyRegistered(AuthNError):
    """409: a cluster with that id or alias is already registered."""


class ErrRoleAlreadyExists(AuthNError):
    """409: a role of that name exists."""


class ErrUserAlreadyExists(AuthNError):
    """409: a user of that name exists."""


# (word in the message, class for 404, class for 409). Checked in this order and the last
# match wins, as the official SDK does: "failed to add user bob, err: role ..." is a user error.
_SUBJECTS: tuple[tuple[str, type[AuthNError], type[AuthNError]], ...] = (
    ("cluster ", ErrClusterNotFound, ErrClusterAlreadyRegistered),
    ("role ", ErrRoleNotFound, ErrRoleAlreadyExists),
    ("user ", ErrUserNotFound, ErrUserAlreadyExists),
)


def _classify(status: int, text: str) -> type[AuthNError]:
    if status == 401:
        if "invalid credentials" in text:
            return ErrUserInvalidCredentials
        if "token revoked" in text:
            return ErrAuthNTokenRevoked
        if "token expired" in text:
            return ErrAuthNTokenExpired
        return ErrAuthNUnauthorized
    if status == 403:
        return ErrAuthNAccessDenied
    found: type[AuthNError] = AuthNError
    if status in (404, 409):
        for word, missing, taken in _SUBJECTS:
            if word in text:
                found = missing if status == 404 else taken
    return found


def authn_error_from_response(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    request: Request | None = None,
    *,
    url: str = "",
) -> AuthNError:
    """Map an AuthN error answer to the most specific :class:`AuthNError`. Total: never raises.

    The body is parsed (and any token in it redacted) by the same rules as AIS errors.
    """
    generic = error_from_response(status, headers, body, request, url=url)
    cls = _classify(status, generic.message)
    return cls(status, generic.message, url, request, tcode=generic.tcode, detail=generic.detail)
