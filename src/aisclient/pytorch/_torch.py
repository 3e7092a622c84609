"""The one place that imports torch, with a clear error when it is missing, and what the
datasets ask torch about: the DataLoader worker and the distributed rank of this process."""

from __future__ import annotations

try:
    import torch
    import torch.utils.data
except ImportError as err:  # pragma: no cover - exercised in a subprocess without torch
    raise ImportError(
        "aisclient.pytorch needs PyTorch: install it with `pip install 'aisclient[torch]'` "
        "(or `pip install torch`)"
    ) from err

from aisclient.pytorch.core.split import Part

Dataset = torch.utils.data.Dataset
IterableDataset = torch.utils.data.IterableDataset
Sampler = torch.utils.data.Sampler


def distributed_rank() -> tuple[int, int] | None:
    """``(rank, world_size)`` of an initialised default process group, else ``None``."""
    dist = torch.distributed
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return None


def current_part(rank_world: tuple[int, int] | None) -> Part:
    """This process's part: the given (or distributed) rank × the DataLoader worker."""
    rank, world_size = rank_world or distributed_rank() or (0, 1)
    info = torch.utils.data.get_worker_info()
    worker, num_workers = (info.id, info.num_workers) if info is not None else (0, 1)
    return Part(rank, world_size, worker, num_workers)
