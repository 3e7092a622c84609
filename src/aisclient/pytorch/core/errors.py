"""The error a dataset raises for one sample it could not read."""

from __future__ import annotations

from aisclient.errors import AISError


class SampleError(AISError):
    """Reading one sample failed; the message names it (``ais://bucket/object``) and the
    cause is chained.

    It takes a single message argument on purpose: a DataLoader rebuilds a worker's exception
    in the main process as ``type(err)(message)``, so the type and the object name survive.
    """

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
