"""Real consumers of ``ais://`` on both clusters: fsspec's URL functions, pandas, pyarrow and
dask round-tripping real data; the filesystem crossing pickling and fork as dask ships it."""

from __future__ import annotations

import multiprocessing
import pickle
from typing import Any

import pytest

import fsspec
from aisclient.fsspec import AISFileSystem

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
ds = pytest.importorskip("pyarrow.dataset")


def frame(rows: int = 1000) -> Any:
    return pd.DataFrame(
        {
            "id": range(rows),
            "group": [f"g{i % 3}" for i in range(rows)],
            "value": [i * 0.5 for i in range(rows)],
        }
    )


@pytest.fixture
def options(cluster_endpoint: str) -> dict[str, str]:
    return {"endpoint": cluster_endpoint}


def test_registered_for_the_ais_protocol(options: dict[str, str], fs_bucket: str) -> None:
    assert fsspec.get_filesystem_class("ais") is AISFileSystem
    with fsspec.open(f"ais://{fs_bucket}/hello.txt", "wt", **options) as f:
        f.write("hello")
    with fsspec.open(f"ais://{fs_bucket}/hello.txt", "rt", **options) as f:
        assert f.read() == "hello"
    fs, path = fsspec.core.url_to_fs(f"ais://{fs_bucket}/hello.txt", **options)
    assert isinstance(fs, AISFileSystem) and path == f"{fs_bucket}/hello.txt"
    mapper = fsspec.get_mapper(f"ais://{fs_bucket}/kv", **options)
    mapper["a/b"] = b"1"
    assert dict(mapper) == {"a/b": b"1"}


def test_endpoint_from_the_environment(
    cluster_endpoint: str, fs_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIS_ENDPOINT", cluster_endpoint)
    fs = fsspec.filesystem("ais", skip_instance_cache=True)
    assert fs.client.endpoint == cluster_endpoint
    assert fs.exists(fs_bucket)


def test_pandas_parquet_and_csv_round_trip(options: dict[str, str], fs_bucket: str) -> None:
    df = frame()
    df.to_parquet(f"ais://{fs_bucket}/t.parquet", storage_options=options)
    pd.testing.assert_frame_equal(
        pd.read_parquet(f"ais://{fs_bucket}/t.parquet", storage_options=options), df
    )
    df.to_csv(f"ais://{fs_bucket}/t.csv", index=False, storage_options=options)
    pd.testing.assert_frame_equal(
        pd.read_csv(f"ais://{fs_bucket}/t.csv", storage_options=options), df
    )


def test_pandas_reads_a_parquet_directory(options: dict[str, str], fs_bucket: str) -> None:
    df = frame()
    for part in range(3):
        chunk = df.iloc[part * 334 : (part + 1) * 334]
        chunk.to_parquet(f"ais://{fs_bucket}/dir/part-{part}.parquet", storage_options=options)
    back = pd.read_parquet(f"ais://{fs_bucket}/dir/", storage_options=options)
    pd.testing.assert_frame_equal(back.sort_values("id").reset_index(drop=True), df)


def test_pyarrow_partitioned_dataset_through_fsspec(ais_fs: AISFileSystem, fs_bucket: str) -> None:
    table = pa.Table.from_pandas(frame(), preserve_index=False)
    root = f"{fs_bucket}/ds"
    pq.write_to_dataset(table, root, partition_cols=["group"], filesystem=ais_fs)
    assert ais_fs.ls(root, detail=False) == [
        f"{root}/group=g0",
        f"{root}/group=g1",
        f"{root}/group=g2",
    ]
    dataset = ds.dataset(root, filesystem=ais_fs, format="parquet", partitioning="hive")
    back = dataset.to_table().to_pandas().sort_values("id").reset_index(drop=True)
    assert back["id"].tolist() == list(range(1000))
    assert back["group"].astype(str).tolist() == frame()["group"].tolist()
    assert back["value"].tolist() == frame()["value"].tolist()
    only = dataset.to_table(filter=ds.field("group") == "g1").to_pandas()
    assert sorted(only["id"]) == [i for i in range(1000) if i % 3 == 1]


def test_dask_reads_parquet_on_the_threaded_scheduler(
    options: dict[str, str], fs_bucket: str
) -> None:
    dd = pytest.importorskip("dask.dataframe")
    import dask

    df = frame()
    for part in range(2):
        chunk = df.iloc[part * 500 : (part + 1) * 500]
        chunk.to_parquet(f"ais://{fs_bucket}/dk/part-{part}.parquet", storage_options=options)
    lazy = dd.read_parquet(f"ais://{fs_bucket}/dk/", storage_options=options)
    with dask.config.set(scheduler="threads"):
        back = lazy.compute()
        total = lazy["value"].sum().compute()
    # dask may pick another missing-value marker for strings: compare values, not dtypes
    sorted_back = back.sort_values("id").reset_index(drop=True)
    pd.testing.assert_frame_equal(sorted_back, df, check_dtype=False)
    assert total == df["value"].sum()


def test_pickles_with_its_options(ais_fs: AISFileSystem, fs_bucket: str) -> None:
    ais_fs.pipe_file(f"{fs_bucket}/p", b"pickled")
    clone = pickle.loads(pickle.dumps(ais_fs))
    assert clone.client.endpoint == ais_fs.client.endpoint
    assert clone.cat_file(f"{fs_bucket}/p") == b"pickled"
    with ais_fs.open(f"{fs_bucket}/p") as f:
        f.read(3)
        reopened = pickle.loads(pickle.dumps(f))
    assert reopened.read() == b"kled"


def _read_in_child(fs: AISFileSystem, path: str, queue: Any) -> None:
    try:
        queue.put(fs.cat_file(path))
    except BaseException as err:  # the parent reports it
        queue.put(repr(err))


def test_survives_fork(ais_fs: AISFileSystem, fs_bucket: str) -> None:
    path = f"{fs_bucket}/forked"
    ais_fs.pipe_file(path, b"from the parent")
    assert ais_fs.cat_file(path) == b"from the parent"  # the parent's pool now holds sockets
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_read_in_child, args=(ais_fs, path, queue))
    child.start()
    try:
        assert queue.get(timeout=60) == b"from the parent"
    finally:
        child.join(timeout=60)
    assert child.exitcode == 0
    assert ais_fs.cat_file(path) == b"from the parent"  # the parent's pool still works
