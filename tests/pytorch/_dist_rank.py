"""One rank of the two-rank run: ``python _dist_rank.py ENDPOINT BUCKET PORT RANK``.

Joins a gloo process group on 127.0.0.1, reads its share of the bucket through a DataLoader
with two spawned workers (which have no process group: the rank travels with the dataset),
and prints the names it read and the names every rank read (all_gather) as JSON.
"""

from __future__ import annotations

import json
import sys

import torch.distributed as dist
from torch.utils.data import DataLoader

from aisclient import Client
from aisclient.pytorch import AISBatchIterDataset


def main(endpoint: str, bucket_name: str, port: int, rank: int) -> None:
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=2)
    try:
        client = Client(endpoint, timeout=(3, 60))
        dataset = AISBatchIterDataset(
            client.bucket(bucket_name), client, max_batch_size=4, shuffle=True, seed=9
        )
        dataset.set_epoch(1)
        loader = DataLoader(dataset, batch_size=4, num_workers=2, multiprocessing_context="spawn")
        mine = [name for names, _contents in loader for name in names]
        everyone: list[list[str] | None] = [None, None]
        dist.all_gather_object(everyone, mine)
        print(json.dumps({"rank": rank, "length": len(dataset), "mine": mine, "all": everyone}))
    finally:
        dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
