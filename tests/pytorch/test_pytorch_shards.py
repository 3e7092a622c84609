"""Shards: the dataset writer, AISShardReader and AISMultiShardStream, on both clusters.

Shards the writer makes are read back with AISShardReader and with the ``webdataset``
package itself; tricky member names are grouped as ``webdataset`` groups them.
"""

from __future__ import annotations

import io
import itertools
import logging
import tarfile
from pathlib import Path
from typing import Any

import pytest
from torch.utils.data import DataLoader

from _support.torch_samples import CountingTransport, make_client
from aisclient import Client
from aisclient.dataset import DataAttribute, DatasetConfig, DataShard, LabelAttribute
from aisclient.pytorch import AISMultiShardStream, AISShardReader, SampleError
from aisclient.request import IterBody


def _tar(members: list[tuple[str, bytes]], mode: str = "w") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:  # type: ignore[call-overload]
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _images(tmp_path: Path, count: int, size: int = 100, ext: str = "jpg") -> Path:
    folder = tmp_path / "images"
    folder.mkdir()
    for i in range(count):
        (folder / f"img_{i:02d}.{ext}").write_bytes(bytes([i]) * size)
    return folder


def _label(filename: str) -> str:
    return f"class-{int(filename[-2:]) % 3}"


# -- the writer -----------------------------------------------------------------------------


def test_written_shards_read_back_with_the_shard_reader(
    bucket: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = _images(tmp_path, 12)
    (tmp_path / "meta").mkdir()
    for i in range(12):
        if i != 4:  # sample 4 has no metadata: skipped
            (tmp_path / "meta" / f"img_{i:02d}.json").write_bytes(b'{"i": %d}' % i)
    config = DatasetConfig(
        DataAttribute(folder, "image", "jpg"),
        [DataAttribute(tmp_path / "meta", "meta", "json"), LabelAttribute("cls", _label)],
    )
    stored: list[str] = []
    with caplog.at_level(logging.WARNING, logger="aisclient.dataset"):
        names = bucket.write_dataset(config, pattern="train/part", maxcount=5, post=stored.append)
    assert names == stored == ["train/part-0.tar", "train/part-1.tar", "train/part-2.tar"]
    assert "img_04 - meta.json" in caplog.text and "Skipping sample" in caplog.text

    samples = list(AISShardReader(bucket, prefix_map={bucket: "train/"}))
    assert [key for key, _ in samples] == [f"sample_{i}" for i in range(12) if i != 4]
    key, fields = samples[5]  # file img_06
    assert key == "sample_6"
    assert fields == {"image.jpg": bytes([6]) * 100, "meta.json": b'{"i": 6}', "cls": b"class-0"}


def test_written_shards_read_back_with_webdataset(bucket: Any, tmp_path: Path) -> None:
    wds = pytest.importorskip("webdataset")
    config = DatasetConfig(
        DataAttribute(_images(tmp_path, 7), "image", "jpg"), [LabelAttribute("cls", _label)]
    )
    names = bucket.write_dataset(config, skip_missing=False, maxcount=3)
    assert names == ["dataset-0.tar", "dataset-1.tar", "dataset-2.tar"]
    paths = []
    for name in names:
        path = tmp_path / name
        path.write_bytes(bucket.object(name).get_reader().read_all())
        paths.append(str(path))
    read = [
        (s["__key__"], s["image.jpg"], s["cls"]) for s in wds.WebDataset(paths, shardshuffle=False)
    ]
    assert read == [
        (f"sample_{i}", bytes([i]) * 100, _label(f"img_{i:02d}").encode()) for i in range(7)
    ]


def test_shards_are_split_by_size_and_streamed(cluster_endpoint: str, tmp_path: Path) -> None:
    counting = CountingTransport(make_client(cluster_endpoint).transport)
    client = make_client(cluster_endpoint, counting)
    bucket = client.bucket(f"pt-size-{tmp_path.name[-8:].lower()}").create()
    bodies: list[object] = []
    original = counting.send

    def recording(request: Any) -> Any:
        if request.method == "PUT":
            bodies.append(request.body)
        return original(request)

    counting.send = recording  # type: ignore[method-assign]
    try:
        # One 1000-byte member per sample: 1536 bytes in the tar; a shard closes at >= 4000.
        config = DatasetConfig(DataAttribute(_images(tmp_path, 8, 1000, "bin"), "x", "bin"))
        names = bucket.write_dataset(config, pattern="s", maxsize=4000)
        assert names == [f"s-{i:06d}.tar" for i in range(3)]
        per_shard = [len(list(AISShardReader(bucket.objects(obj_names=[n])))) for n in names]
        assert per_shard == [3, 3, 2]
        # Streamed: each shard went up as an iterator body of unknown size, never as one buffer.
        assert len(bodies) == 3
        assert all(isinstance(body, IterBody) and body.length is None for body in bodies)
    finally:
        bucket.delete(missing_ok=True)


def test_writer_refuses_bad_arguments_before_sending(tmp_path: Path) -> None:
    bucket = Client("http://127.0.0.1:9").bucket("b")  # nothing listens there
    config = DatasetConfig(DataAttribute(_images(tmp_path, 1), "image", "jpg"))
    with pytest.raises(ValueError, match="maxcount"):
        bucket.write_dataset(config, maxcount=0)
    with pytest.raises(ValueError, match="pattern"):
        bucket.write_dataset(config, pattern="a-%d")
    with pytest.raises(TypeError, match="DatasetConfig"):
        bucket.write_dataset({"primary": "x"})
    with pytest.raises(TypeError, match="primary_attribute must be a DataAttribute"):
        DatasetConfig(LabelAttribute("cls", _label))  # type: ignore[arg-type]


def test_an_empty_dataset_writes_no_shard(bucket: Any, tmp_path: Path) -> None:
    (tmp_path / "none").mkdir()
    config = DatasetConfig(DataAttribute(tmp_path / "none", "image", "jpg"))
    assert bucket.write_dataset(config) == []
    assert bucket.list_all_objects() == []


# -- the shard reader ---------------------------------------------------------------------------

TRICKY = [
    ("k1.jpg", b"1"),
    ("k1.cls", b"c1"),
    ("dir/k1.txt", b"t"),
    ("noext", b"-"),
    ("k3.seg.png", b"3"),
    ("k3.JPG", b"3j"),
]


def test_members_group_into_samples_as_webdataset_groups_them(bucket: Any, tmp_path: Path) -> None:
    wds = pytest.importorskip("webdataset")
    data = _tar(TRICKY)
    bucket.object("s.tar").get_writer().put_content(data)
    (tmp_path / "s.tar").write_bytes(data)
    ours = [(key, dict(fields)) for key, fields in AISShardReader(bucket)]
    theirs = [
        (s["__key__"], {k: v for k, v in s.items() if not k.startswith("__")})
        for s in wds.WebDataset(str(tmp_path / "s.tar"), shardshuffle=False)
    ]
    filled = {"jpg": b"", "cls": b"", "txt": b"", "seg.png": b""}
    assert ours == [
        (key, {**{k: v for k, v in filled.items() if k in _seen_before(key)}, **fields})
        for key, fields in theirs
    ]
    assert [key for key, _ in ours] == ["k1", "dir/k1", "k3"]
    assert ours[2][1] == {"seg.png": b"3", "jpg": b"3j", "cls": b"", "txt": b""}


def _seen_before(key: str) -> set[str]:
    order = {"k1": {"jpg", "cls"}, "dir/k1": {"jpg", "cls", "txt"}}
    return order.get(key, {"jpg", "cls", "txt", "seg.png"})


def test_shards_stream_without_reading_whole_objects(
    bucket: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket.object("a.tgz").get_writer().put_content(_tar(TRICKY[:2], mode="w:gz"))
    bucket.object("b.tar").get_writer().put_content(_tar([("m.json", b"{}")]))

    def whole_object_read(*_: object, **__: object) -> bytes:
        raise AssertionError("a shard was read whole into memory")

    monkeypatch.setattr("aisclient.obj_reader.ObjectReader.read_all", whole_object_read)
    got = list(AISShardReader(bucket))
    assert got == [
        ("k1", {"jpg": b"1", "cls": b"c1"}),
        ("m", {"json": b"{}", "jpg": b"", "cls": b""}),
    ]


def test_shard_reader_under_two_workers_and_resume(bucket: Any) -> None:
    expected = []
    for s in range(4):
        members = [
            (f"s{s}_{i}.{ext}", f"{s}{i}{ext}".encode()) for i in range(5) for ext in ("a", "b")
        ]
        bucket.object(f"shards/{s}.tar").get_writer().put_content(_tar(members))
        expected += [f"s{s}_{i}" for i in range(5)]
    reader = AISShardReader([bucket], prefix_map={bucket: "shards/"})
    assert len(reader) == 4  # shards
    loader = DataLoader(reader, batch_size=3, num_workers=2, multiprocessing_context="fork")
    keys = [key for keys, _fields in loader for key in keys]
    assert sorted(keys) == sorted(expected)

    first = AISShardReader(bucket, shuffle=True, seed=2)
    seen = [key for key, _ in itertools.islice(first, 7)]
    again = AISShardReader(bucket, shuffle=True, seed=2)
    again.load_state_dict(first.state_dict())
    rest = [key for key, _ in again]
    assert sorted(seen + rest) == sorted(expected) and len(seen + rest) == 20


def test_a_broken_shard_is_named(bucket: Any) -> None:
    bucket.object("bad.tar").get_writer().put_content(b"this is not a tar archive" * 40)
    with pytest.raises(SampleError, match=r"ais://\S+/bad\.tar"):
        list(AISShardReader(bucket))


# -- several shard sets side by side ------------------------------------------------------------


def test_multi_shard_stream_reads_each_shard_with_one_get_batch(
    cluster_endpoint: str, bucket: Any
) -> None:
    for s in range(2):
        images = [(f"{s}_{i}.jpg", f"image {s}{i}".encode()) for i in range(3)]
        labels = [(f"{s}_{i}.cls", f"label {s}{i}".encode()) for i in range(3)]
        bucket.object(f"img/{s}.tar").get_writer().put_content(_tar(images))
        bucket.object(f"lbl/{s}.tar").get_writer().put_content(_tar(labels))
    counting = CountingTransport(make_client(cluster_endpoint).transport)
    sources = [DataShard(cluster_endpoint, bucket.name, prefix=p) for p in ("img/", "lbl/")]
    for source in sources:
        source.client = make_client(cluster_endpoint, counting)
        source.bucket = source.client.bucket(bucket.name)
    got = list(AISMultiShardStream(sources))
    assert got == [
        (f"image {s}{i}".encode(), f"label {s}{i}".encode()) for s in range(2) for i in range(3)
    ]
    assert counting.count("GET", "ml", "moss") == 4  # one per shard
    assert counting.count("GET", "objects") == 0  # no GET per member
