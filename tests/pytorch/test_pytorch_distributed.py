"""Two ranks of torch.distributed (gloo, two processes on 127.0.0.1) split a bucket between
them, each with two DataLoader workers: every object is read exactly once."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from aisclient import Client

SCRIPT = Path(__file__).with_name("_dist_rank.py")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_two_ranks_with_two_workers_each_read_every_object_once(
    cluster_endpoint: str, samples: tuple[Client, Any, dict[str, bytes]]
) -> None:
    _client, bucket, expected = samples
    port = str(_free_port())
    ranks = [
        subprocess.Popen(
            [sys.executable, str(SCRIPT), cluster_endpoint, bucket.name, port, str(rank)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for rank in range(2)
    ]
    results = []
    for process in ranks:
        out, err = process.communicate(timeout=180)
        assert process.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    mine = [set(result["mine"]) for result in results]
    assert mine[0].isdisjoint(mine[1])
    assert mine[0] | mine[1] == set(expected)
    assert [len(m) for m in mine] == [result["length"] for result in results] == [20, 20]
    # Both ranks saw the same split (all_gather), so they agreed on the one shuffled order.
    assert results[0]["all"] == results[1]["all"] == [results[0]["mine"], results[1]["mine"]]
