"""The transport's wire behaviour end to end, against LocalCluster and a real aisnode."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def test_every_custom_metadata_key_of_a_put_arrives(bucket: Any) -> None:
    # Each key is one repeated Ais-Custom-Md header; a value may hold a comma.
    obj = bucket.object("md")
    metadata = {"k1": "v1", "k2": "v,2", "k3": "v3"}
    obj.get_writer().put_content(b"abc", custom_metadata=metadata)
    assert obj.props.custom_metadata == metadata


def test_put_file_past_the_probe_threshold_round_trips(bucket: Any, tmp_path: Path) -> None:
    data = os.urandom(3 << 20)  # 3 MiB: probed, then streamed from the file in 1 MiB writes
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    obj = bucket.object("big")
    obj.get_writer().put_file(path)
    assert obj.get_reader().read_all() == data
    assert b"".join(obj.get_reader(chunk_size=1 << 20)) == data


def test_small_puts_and_reads_over_one_client_stay_consistent(bucket: Any) -> None:
    # Coalesced head+body writes on pooled, reused connections.
    for i in range(40):
        bucket.object(f"o{i % 5}").get_writer().put_content(b"%d" % i * (i + 1))
    for i in range(35, 40):
        assert bucket.object(f"o{i % 5}").get_reader().read_all() == b"%d" % i * (i + 1)
