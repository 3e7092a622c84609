"""AIS errors as the Python errors fsspec users catch, with the AIS error chained."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator

from aisclient.errors import AISError, APIRequestError, ErrBckAlreadyExists

# HTTP status → (OSError subclass, errno) for the statuses that have a file-system meaning.
_BY_STATUS: dict[int, tuple[type[OSError], int]] = {
    404: (FileNotFoundError, errno.ENOENT),
    401: (PermissionError, errno.EACCES),
    403: (PermissionError, errno.EACCES),
}
# aisnode answers a GET of a name that is a virtual directory on its disks with 500 and this
# code ("no data available"): no object has that name.
_MISSING_CODES = frozenset({"ErrLmetaNotFound"})


def as_os_error(err: AISError, path: str) -> OSError | None:
    """The OSError that stands for ``err`` on ``path``, or ``None`` if it has no such meaning."""
    if isinstance(err, ErrBckAlreadyExists):
        return FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), path)
    status = err.status_code
    if isinstance(err, APIRequestError) and err.tcode in _MISSING_CODES:
        status = 404
    mapped = _BY_STATUS.get(status)
    if mapped is None:
        return None
    cls, code = mapped
    return cls(code, f"{os.strerror(code)}: {err.message or err}", path)


@contextlib.contextmanager
def os_errors(path: str) -> Iterator[None]:
    """Re-raise AIS errors that have a file-system meaning as that OSError (``from`` the AIS
    error); every other error passes through unchanged (it is an AISError already)."""
    try:
        yield
    except AISError as err:
        mapped = as_os_error(err, path)
        if mapped is None:
            raise
        raise mapped from err


def missing(path: str, detail: str = "") -> FileNotFoundError:
    text = os.strerror(errno.ENOENT) + (f": {detail}" if detail else "")
    return FileNotFoundError(errno.ENOENT, text, path)
