"""The torch-free logic behind ``aisclient.pytorch``: listing sources, splitting work across
ranks and workers, per-epoch order, resumable progress, Get-Batch chunking with bounded
prefetch, grouping tar members into samples, and packing samples by size.

Nothing here imports torch, so all of it is tested (and usable) without it.
"""
