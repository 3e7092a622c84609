"""Get-Batch (MOSS): fetch many objects, or files inside shards, as one archive stream.

``Batch`` builds and sends the request; ``MossIn``/``MossOut``/``MossReq``/``MossResp`` are
its values; the errors are in :mod:`aisclient.batch.errors`.
"""

from __future__ import annotations

from aisclient.batch.batch import Batch, BatchResult
from aisclient.batch.errors import (
    BatchArchiveError,
    BatchEntryError,
    BatchError,
    IncompleteBatchError,
    MultipartDecodeError,
)
from aisclient.enums import Colocation
from aisclient.models.batch import (
    EXT_TAR,
    EXT_TAR_GZ,
    EXT_TGZ,
    EXT_ZIP,
    MossIn,
    MossOut,
    MossReq,
    MossResp,
)

__all__ = [
    "EXT_TAR",
    "EXT_TAR_GZ",
    "EXT_TGZ",
    "EXT_ZIP",
    "Batch",
    "BatchArchiveError",
    "BatchEntryError",
    "BatchError",
    "BatchResult",
    "Colocation",
    "IncompleteBatchError",
    "MossIn",
    "MossOut",
    "MossReq",
    "MossResp",
    "MultipartDecodeError",
]
