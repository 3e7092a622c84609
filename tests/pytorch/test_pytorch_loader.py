"""The datasets under a real torch DataLoader, against LocalCluster and a real aisnode."""

from __future__ import annotations

import time
from typing import Any

import pytest
import torch
from torch.utils.data import DataLoader

from _support.torch_samples import CountingTransport, fill, make_client
from aisclient import Client
from aisclient.pytorch import (
    AISBatchIterDataset,
    AISIterDataset,
    AISMapDataset,
    AISParallelMapDataset,
    DynamicBatchSampler,
    SampleError,
)

Samples = tuple[Client, Any, dict[str, bytes]]


def _names_and_contents(loader: DataLoader[Any]) -> list[tuple[str, bytes]]:
    got = []
    for names, contents in loader:
        got += list(zip(names, contents, strict=True))
    return got


def _iter_dataset(kind: str, client: Client, bucket: Any, **options: Any) -> Any:
    if kind == "batch":
        return AISBatchIterDataset(bucket, client, max_batch_size=6, **options)
    return AISIterDataset(bucket, **options)


@pytest.mark.parametrize("kind", ["iter", "batch"])
def test_two_fork_workers_read_every_object_once(samples: Samples, kind: str) -> None:
    client, bucket, expected = samples
    dataset = _iter_dataset(kind, client, bucket)
    loader = DataLoader(
        dataset, batch_size=4, num_workers=2, multiprocessing_context="fork", collate_fn=_pairs
    )
    got = [pair for batch in loader for pair in batch]
    assert sorted(got) == sorted(expected.items())


def _pairs(batch: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    return batch


def test_two_spawn_workers_read_every_object_once(samples: Samples) -> None:
    client, bucket, expected = samples
    dataset = AISBatchIterDataset(bucket, client, max_batch_size=8, shuffle=True)
    loader = DataLoader(dataset, batch_size=5, num_workers=2, multiprocessing_context="spawn")
    got = _names_and_contents(loader)
    assert sorted(got) == sorted(expected.items())


@pytest.mark.parametrize("kind", ["iter", "batch"])
def test_ranks_times_workers_split_without_loss_or_duplicates(samples: Samples, kind: str) -> None:
    client, bucket, expected = samples
    per_rank = []
    for rank in range(2):
        dataset = _iter_dataset(kind, client, bucket, rank=rank, world_size=2, shuffle=True)
        assert len(dataset) == len(expected) // 2
        loader = DataLoader(dataset, batch_size=3, num_workers=2, multiprocessing_context="fork")
        per_rank.append({name for name, _ in _names_and_contents(loader)})
    assert per_rank[0].isdisjoint(per_rank[1])
    assert per_rank[0] | per_rank[1] == set(expected)
    assert [len(names) for names in per_rank] == [20, 20]


def test_set_epoch_shuffles_identically_across_ranks_and_differently_per_epoch(
    samples: Samples,
) -> None:
    _client, bucket, expected = samples

    def order(rank: int | None, epoch: int) -> list[str]:
        split = {} if rank is None else {"rank": rank, "world_size": 2}
        dataset = AISIterDataset(bucket, shuffle=True, seed=11, **split)
        dataset.set_epoch(epoch)
        return [name for name, _ in dataset]

    whole = order(None, 0)
    assert sorted(whole) == sorted(expected) and whole != sorted(expected)
    assert order(None, 0) == whole  # reproducible
    assert order(None, 1) != whole  # a new epoch, a new order
    # Every rank reads its slice of the one global order of the epoch.
    assert order(0, 0) == whole[0::2]
    assert order(1, 0) == whole[1::2]
    assert order(0, 1) == order(None, 1)[0::2]


@pytest.mark.parametrize("kind", ["iter", "batch"])
def test_state_dict_resumes_mid_epoch_without_repeats_or_gaps(samples: Samples, kind: str) -> None:
    client, bucket, _expected = samples
    full = [name for name, _ in _iter_dataset(kind, client, bucket, shuffle=True, seed=3)]

    first = _iter_dataset(kind, client, bucket, shuffle=True, seed=3)
    seen = []
    for name, _ in first:
        seen.append(name)
        if len(seen) == 13:  # mid-epoch, and mid Get-Batch chunk (chunks of 6)
            break
    state = first.state_dict()

    restarted = _iter_dataset(kind, client, bucket, shuffle=True, seed=3)
    restarted.load_state_dict(state)
    rest = [name for name, _ in restarted]
    assert seen + rest == full
    # The position applied to one pass only: the next pass is a whole epoch again.
    assert [name for name, _ in restarted] == full


def test_state_dict_resumes_each_worker_part(samples: Samples) -> None:
    """Per-worker states (what torchdata's StatefulDataLoader keeps) resume every part."""
    client, bucket, expected = samples
    from torch.utils.data import get_worker_info

    states: dict[int, dict[str, Any]] = {}
    delivered: list[str] = []
    # Stand in for two workers in this process by faking the worker info the dataset reads.
    for worker in range(2):
        dataset = AISBatchIterDataset(bucket, client, max_batch_size=4)
        with _as_worker(worker, 2, dataset):
            assert get_worker_info() is not None
            for name, _ in dataset:
                delivered.append(name)
                if len(delivered) in (7, 17):
                    break
            states[worker] = dataset.state_dict()
    for worker in range(2):
        dataset = AISBatchIterDataset(bucket, client, max_batch_size=4)
        dataset.load_state_dict(states[worker])
        with _as_worker(worker, 2, dataset):
            delivered += [name for name, _ in dataset]
    assert sorted(delivered) == sorted(expected)


def test_partition_sources_by_worker_gives_whole_sources(samples: Samples) -> None:
    _client, bucket, _expected = samples
    first = bucket.objects(obj_names=[f"img/{i:03d}.bin" for i in range(5)])
    second = bucket.objects(obj_names=[f"img/{i:03d}.bin" for i in range(5, 8)])
    dataset = AISIterDataset([first, second, bucket], partition_sources_by_worker=True)
    assert len(dataset) == 48
    by_worker = []
    for worker in range(2):
        with _as_worker(worker, 2, dataset):
            by_worker.append([name for name, _ in dataset])
    assert by_worker[0] == first.list_names() + sorted(_expected)  # sources 0 and 2
    assert by_worker[1] == second.list_names()
    ranked = AISIterDataset(
        [first, second, bucket], partition_sources_by_worker=True, rank=1, world_size=2
    )
    assert len(ranked) == 3


class _as_worker:
    """Make ``get_worker_info()`` report worker ``id`` of ``count`` inside the block."""

    def __init__(self, worker: int, count: int, dataset: Any) -> None:
        from torch.utils.data import _utils

        self._utils = _utils
        self._info = _utils.worker.WorkerInfo(id=worker, num_workers=count, seed=0, dataset=dataset)

    def __enter__(self) -> None:
        self._old = self._utils.worker._worker_info
        self._utils.worker._worker_info = self._info

    def __exit__(self, *_: object) -> None:
        self._utils.worker._worker_info = self._old


@pytest.mark.parametrize(
    "options",
    [{"streaming": False}, {"output_format": ".tgz"}, {"output_format": ".zip"}],
    ids=["multipart", "tgz", "zip"],
)
def test_other_get_batch_formats(cluster_endpoint: str, options: dict[str, Any]) -> None:
    client = make_client(cluster_endpoint)
    bucket, expected = fill(client, 9)
    try:
        dataset = AISBatchIterDataset(bucket, client, max_batch_size=4, cont_on_err=True, **options)
        bucket.object("img/005.bin").delete()
        assert dict(dataset) == {k: v for k, v in expected.items() if k != "img/005.bin"}
        assert dataset.skipped == 1
    finally:
        bucket.delete(missing_ok=True)


def test_the_next_get_batch_runs_while_a_batch_is_consumed(cluster_endpoint: str) -> None:
    counting = CountingTransport(make_client(cluster_endpoint).transport)
    client = make_client(cluster_endpoint, counting)
    bucket, expected = fill(client, 20)
    try:
        dataset = AISBatchIterDataset(bucket, client, max_batch_size=4)
        counting.seen.clear()
        samples = iter(dataset)
        got = [next(samples)]  # the consumer now holds batch 1 of 5
        deadline = time.monotonic() + 10
        while counting.count("GET", "ml", "moss") < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)  # room for a runaway fetcher to send more
        assert counting.count("GET", "ml", "moss") == 2  # batch 2 in flight, and no further
        got += list(samples)
        assert dict(got) == expected
        assert counting.count("GET", "ml", "moss") == 5
    finally:
        bucket.delete(missing_ok=True)


# -- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["iter", "batch"])
def test_an_unreadable_object_fails_in_the_main_process_with_its_name(
    cluster_endpoint: str, kind: str
) -> None:
    client = make_client(cluster_endpoint)
    bucket, _expected = fill(client, 12)
    try:
        dataset = _iter_dataset(kind, client, bucket)
        bucket.object("img/007.bin").delete()  # listed, then gone
        loader = DataLoader(dataset, batch_size=2, num_workers=2, multiprocessing_context="fork")
        with pytest.raises(SampleError, match=r"ais://pt-\w+/img/007\.bin"):
            list(loader)
    finally:
        bucket.delete(missing_ok=True)


@pytest.mark.parametrize("kind", ["iter", "batch"])
def test_cont_on_err_skips_and_counts(cluster_endpoint: str, kind: str) -> None:
    client = make_client(cluster_endpoint)
    bucket, expected = fill(client, 12)
    try:
        dataset = _iter_dataset(kind, client, bucket, cont_on_err=True)
        for name in ("img/003.bin", "img/010.bin"):
            bucket.object(name).delete()
        got = dict(dataset)
        assert dataset.skipped == 2
        assert dataset.state_dict()["skipped"] == 2
        assert got == {k: v for k, v in expected.items() if k not in ("img/003.bin", "img/010.bin")}
    finally:
        bucket.delete(missing_ok=True)


# -- map datasets and the size-aware sampler -------------------------------------------------


def test_map_dataset_fetches_a_loader_batch_with_one_get_batch(cluster_endpoint: str) -> None:
    counting = CountingTransport(make_client(cluster_endpoint).transport)
    client = make_client(cluster_endpoint, counting)
    bucket, expected = fill(client, 12)
    try:
        dataset = AISMapDataset(bucket)
        assert len(dataset) == 12
        assert dataset[3] == ("img/003.bin", expected["img/003.bin"])
        counting.seen.clear()
        loader = DataLoader(dataset, batch_size=4, collate_fn=_pairs)
        got = [pair for batch in loader for pair in batch]
        assert got == sorted(expected.items())
        assert counting.count("GET", "ml", "moss") == 3
        assert counting.count("GET", "objects") == 0
        with pytest.raises(IndexError, match="AISMapDataset index must be in bounds"):
            dataset[12]
    finally:
        bucket.delete(missing_ok=True)


def test_direct_reads_skip_the_proxy(cluster_endpoint: str) -> None:
    counting = CountingTransport(make_client(cluster_endpoint).transport)
    client = make_client(cluster_endpoint, counting)
    bucket, expected = fill(client, 6)
    try:
        counting.seen.clear()
        assert dict(AISIterDataset(bucket, direct=True)) == expected
        assert counting.count("GET", "objects", direct=True) == 6
        assert counting.count("GET", "objects", direct=False) == 0
    finally:
        bucket.delete(missing_ok=True)


def test_map_dataset_under_two_workers_with_the_size_sampler(samples: Samples) -> None:
    _client, bucket, expected = samples
    dataset = AISMapDataset(bucket, prefix_map={bucket: ["img/0", "img/00"]})  # overlapping
    sizes = [len(expected[obj.name]) for obj in dataset.get_obj_list()]
    assert len(sizes) == 40  # listed once despite the overlap
    sampler = DynamicBatchSampler(dataset, max_batch_size=2000)
    loader = DataLoader(
        dataset,
        batch_sampler=sampler,
        num_workers=2,
        multiprocessing_context="fork",
        collate_fn=_pairs,
    )
    batches = list(loader)
    assert len(batches) == len(sampler)  # len() counts batches, not samples
    assert all(sum(len(c) for _, c in batch) <= 2000 for batch in batches)
    assert sorted(pair for batch in batches for pair in batch) == sorted(expected.items())


def test_parallel_map_dataset(samples: Samples) -> None:
    _client, bucket, expected = samples
    dataset = AISParallelMapDataset(bucket, num_workers=2)
    name, buffer = dataset[39]
    with buffer:
        assert (name, buffer.tobytes()) == ("img/039.bin", expected["img/039.bin"])


def test_an_object_group_is_a_source(samples: Samples) -> None:
    _client, bucket, expected = samples
    group = bucket.objects(obj_names=["img/001.bin", "img/002.bin", "img/005.bin"])
    assert dict(AISIterDataset(group)) == {
        n: expected[n] for n in ("img/001.bin", "img/002.bin", "img/005.bin")
    }
    assert len(AISIterDataset([bucket, group])) == 43


def test_bad_arguments_fail_before_any_request() -> None:
    client = Client("http://127.0.0.1:9")  # nothing listens: a request would fail differently
    with pytest.raises(ValueError, match="ais_source_list must be provided"):
        AISIterDataset([])
    with pytest.raises(TypeError, match="a source must be a Bucket"):
        AISIterDataset("bucket-name")
    with pytest.raises(TypeError, match="prefix_map must map sources"):
        AISMapDataset(client.bucket("b"), True)
    with pytest.raises(ValueError, match="rank and world_size"):
        AISIterDataset(client.bucket("b"), rank=1)
    with pytest.raises(ValueError, match="max_batch_size"):
        AISBatchIterDataset(client.bucket("b"), client, max_batch_size=0)
    with pytest.raises(ValueError, match=r"output format|output_format"):
        AISBatchIterDataset(client.bucket("b"), client, output_format=".rar")
    assert torch.utils.data.get_worker_info() is None
