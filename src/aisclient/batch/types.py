"""The Get-Batch value types, importable from here as in the official SDK (``batch.types``)."""

from __future__ import annotations

from aisclient.models.batch import MossIn, MossOut, MossReq, MossResp

__all__ = ["MossIn", "MossOut", "MossReq", "MossResp"]
