"""The ``ais://`` surface on both clusters: listing, metadata, reads, writes, bulk calls, errors.

Where a call promises a shape of traffic (ranged reads, one Get-Batch, one multi-object delete,
a server-side copy, nothing sent for bad input), the client's transport is wrapped in a
:class:`RecordingTransport` and the requests are checked.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aisclient import AISError, Client, RecordingTransport, Request
from aisclient.fsspec import AISFileSystem


@contextmanager
def recording(fs: AISFileSystem) -> Iterator[RecordingTransport]:
    """Record what ``fs`` sends: its client, for a while, sends through a recorder."""
    original = fs.client
    recorder = RecordingTransport(original.transport)
    fs.client = Client(config=original.config, transport=recorder)
    try:
        yield recorder
    finally:
        fs.client = original


def object_requests(requests: list[Request], method: str) -> list[Request]:
    return [r for r in requests if r.method == method and r.path[:1] == ("objects",)]


def header(request: Request, name: str) -> str | None:
    return next((v for k, v in request.headers if k.lower() == name.lower()), None)


@pytest.fixture
def tree(ais_fs: AISFileSystem, fs_bucket: str) -> str:
    """``bucket/{a.txt, d/b.txt, d/e/c.txt}``; returns the bucket."""
    ais_fs.pipe({f"{fs_bucket}/a.txt": b"A", f"{fs_bucket}/d/b.txt": b"BB"})
    ais_fs.pipe_file(f"{fs_bucket}/d/e/c.txt", b"CCC")
    return fs_bucket


# -- listing and metadata -------------------------------------------------------------------


def test_ls_lists_buckets_at_the_root_and_prefixes_below(ais_fs: AISFileSystem, tree: str) -> None:
    assert tree in ais_fs.ls("", detail=False)
    assert ais_fs.ls(f"ais://{tree}", detail=False) == [f"{tree}/a.txt", f"{tree}/d"]
    detail = {e["name"]: e for e in ais_fs.ls(f"{tree}/d")}
    assert detail[f"{tree}/d/b.txt"]["type"] == "file"
    assert detail[f"{tree}/d/b.txt"]["size"] == 2
    assert detail[f"{tree}/d/e"] == {"name": f"{tree}/d/e", "size": 0, "type": "directory"}


def test_ls_is_cached_until_invalidated(ais_fs: AISFileSystem, tree: str) -> None:
    ais_fs.ls(tree)
    with recording(ais_fs) as recorder:
        ais_fs.ls(tree)
        assert recorder.requests == []
        ais_fs.invalidate_cache(tree)
        ais_fs.ls(tree)
        assert len(recorder.requests) >= 1


def test_ls_and_find_page_through_long_listings(ais_fs: AISFileSystem, fs_bucket: str) -> None:
    names = [f"{fs_bucket}/many/{i:04d}" for i in range(30)]
    ais_fs.pipe({name: b"x" for name in names})
    paged = AISFileSystem(ais_fs.client.endpoint, page_size=7, skip_instance_cache=True)
    with recording(paged) as recorder:
        assert paged.ls(f"{fs_bucket}/many", detail=False) == names
        assert paged.find(fs_bucket) == names
    listings = [r for r in recorder.requests if r.path[:1] == ("buckets",)]
    assert len(listings) >= 2 * 5  # 30 entries, 7 a page, for each of ls and find


def test_info_of_file_directory_bucket_and_missing(ais_fs: AISFileSystem, tree: str) -> None:
    info = ais_fs.info(f"{tree}/d/e/c.txt")
    assert info["type"] == "file" and info["size"] == 3
    assert info["checksum"] and isinstance(info["mtime"], datetime)
    assert ais_fs.info(f"{tree}/d") == {"name": f"{tree}/d", "size": 0, "type": "directory"}
    assert ais_fs.info(tree)["type"] == "directory"
    assert ais_fs.isdir(f"{tree}/d/e") and not ais_fs.isfile(f"{tree}/d/e")
    assert ais_fs.isfile(f"{tree}/a.txt") and not ais_fs.isdir(f"{tree}/a.txt")
    assert not ais_fs.exists(f"{tree}/nope") and not ais_fs.exists(f"{tree}/d/b")
    with pytest.raises(FileNotFoundError) as caught:
        ais_fs.info(f"{tree}/nope")
    assert caught.value.filename == f"{tree}/nope"


def test_find_glob_walk_du(ais_fs: AISFileSystem, tree: str) -> None:
    every = [f"{tree}/a.txt", f"{tree}/d/b.txt", f"{tree}/d/e/c.txt"]
    assert ais_fs.find(tree) == every
    assert ais_fs.find(f"{tree}/d", maxdepth=1) == [f"{tree}/d/b.txt"]
    assert ais_fs.find(tree, withdirs=True) == sorted([tree, *every, f"{tree}/d", f"{tree}/d/e"])
    assert ais_fs.find(f"{tree}/a.txt") == [f"{tree}/a.txt"]
    assert ais_fs.glob(f"{tree}/**/*.txt") == every
    assert ais_fs.glob(f"{tree}/d/*") == [f"{tree}/d/b.txt", f"{tree}/d/e"]
    walked = {root: (sorted(dirs), sorted(files)) for root, dirs, files in ais_fs.walk(tree)}
    assert walked == {
        tree: (["d"], ["a.txt"]),
        f"{tree}/d": (["e"], ["b.txt"]),
        f"{tree}/d/e": ([], ["c.txt"]),
    }
    assert ais_fs.du(tree) == 6
    assert ais_fs.du(f"{tree}/d", total=False) == {f"{tree}/d/b.txt": 2, f"{tree}/d/e/c.txt": 3}


def test_buckets_are_made_and_removed_as_directories(ais_fs: AISFileSystem, fs_bucket: str) -> None:
    other = f"{fs_bucket}-x"
    ais_fs.mkdir(other)
    try:
        assert ais_fs.client.bucket(other).exists()
        with pytest.raises(FileExistsError) as caught:
            ais_fs.mkdir(other)
        assert isinstance(caught.value.__cause__, AISError)
        ais_fs.makedirs(f"{other}/deep/dir", exist_ok=True)
        ais_fs.pipe_file(f"{other}/k", b"v")
        with pytest.raises(OSError, match="not empty"):
            ais_fs.rmdir(other)
        ais_fs.rm_file(f"{other}/k")
        ais_fs.rmdir(other)
        assert not ais_fs.client.bucket(other).exists()
        assert other not in ais_fs.ls("", detail=False)
    finally:
        ais_fs.client.bucket(other).delete(missing_ok=True)


def test_modified_checksum_ukey(ais_fs: AISFileSystem, fs_bucket: str) -> None:
    path = f"{fs_bucket}/m"
    before = datetime.now(UTC) - timedelta(minutes=5)
    ais_fs.pipe_file(path, b"one")
    assert before < ais_fs.modified(path) < datetime.now(UTC) + timedelta(minutes=5)
    first = (ais_fs.checksum(path), ais_fs.ukey(path))
    ais_fs.pipe_file(f"{fs_bucket}/same", b"one")
    assert ais_fs.checksum(f"{fs_bucket}/same") == first[0]
    ais_fs.pipe_file(path, b"two")
    ais_fs.invalidate_cache()
    assert ais_fs.checksum(path) != first[0] and ais_fs.ukey(path) != first[1]
    ais_fs.pipe_file(f"{fs_bucket}/dir/x", b"x")
    with pytest.raises(IsADirectoryError):
        ais_fs.modified(f"{fs_bucket}/dir")


# -- reading --------------------------------------------------------------------------------


def test_open_reads_large_objects_in_ranges_through_a_readahead_cache(
    ais_fs: AISFileSystem, fs_bucket: str
) -> None:
    data = os.urandom(4 << 20)
    path = f"{fs_bucket}/big.bin"
    ais_fs.pipe_file(path, data)
    fs = AISFileSystem(ais_fs.client.endpoint, whole_read_limit=1 << 20, skip_instance_cache=True)
    with recording(fs) as recorder, fs.open(path, block_size=1 << 20) as f:
        assert f.seekable() and f.size == len(data)
        f.seek(1 << 20)
        assert f.read(10) == data[1 << 20 : (1 << 20) + 10]
        assert f.read(10) == data[(1 << 20) + 10 : (1 << 20) + 20]  # from the cache
        f.seek(-5, io.SEEK_END)
        assert f.read() == data[-5:]
        gets = object_requests(recorder.requests, "GET")
    ranges = [header(r, "Range") for r in gets]
    assert len(gets) == 2 and all(ranges), ranges  # never the whole object
    first, last = (int(r.split("=")[1].split("-")[0]) for r in ranges)  # type: ignore[union-attr]
    assert first == 1 << 20 and last >= len(data) - (1 << 20)


def test_a_small_object_is_fetched_whole_at_its_first_read(
    ais_fs: AISFileSystem, fs_bucket: str
) -> None:
    data = os.urandom(100_000)
    path = f"{fs_bucket}/small.bin"
    ais_fs.pipe_file(path, data)
    with recording(ais_fs) as recorder, ais_fs.open(path) as f:
        assert object_requests(recorder.requests, "GET") == []  # opening reads nothing
        f.seek(-1000, io.SEEK_END)
        assert f.read() == data[-1000:]  # a footer read ...
        f.seek(10)
        assert f.read(50) == data[10:60]  # ... and the rest from memory
        assert len(object_requests(recorder.requests, "GET")) == 1


def test_cat_file_ranges(ais_fs: AISFileSystem, fs_bucket: str) -> None:
    path = f"{fs_bucket}/r"
    ais_fs.pipe_file(path, b"0123456789")
    assert ais_fs.cat_file(path) == b"0123456789"
    assert ais_fs.cat_file(path, 2, 5) == b"234"
    assert ais_fs.cat_file(path, -3) == b"789"
    assert ais_fs.cat_file(path, 1, -1) == b"12345678"
    assert ais_fs.cat_file(path, 8, 100) == b"89"
    assert ais_fs.cat_file(path, 10) == b""
    assert ais_fs.cat_file(path, 20, 30) == b""
    assert ais_fs.read_block(path, 4, 3) == b"456"


def test_cat_ranges_fetches_in_parallel(ais_fs: AISFileSystem, fs_bucket: str) -> None:
    ais_fs.pipe({f"{fs_bucket}/p{i}": bytes(range(i, i + 20)) for i in range(5)})
    paths = [f"{fs_bucket}/p{i}" for i in range(5)] + [f"{fs_bucket}/missing"]
    out = ais_fs.cat_ranges(paths, 3, 6)
    assert out[:5] == [bytes(range(i + 3, i + 6)) for i in range(5)]
    assert isinstance(out[5], FileNotFoundError)
    with pytest.raises(FileNotFoundError):
        ais_fs.cat_ranges(paths, 0, 1, on_error="raise")


def test_cat_of_many_paths_is_one_get_batch(ais_fs: AISFileSystem, tree: str) -> None:
    with recording(ais_fs) as recorder:
        out = ais_fs.cat([f"{tree}/a.txt", f"{tree}/d/b.txt", f"{tree}/d/e/c.txt"])
    assert out == {f"{tree}/a.txt": b"A", f"{tree}/d/b.txt": b"BB", f"{tree}/d/e/c.txt": b"CCC"}
    assert [r.path[:1] for r in recorder.requests] == [("ml",)]  # Get-Batch, no object GETs
    assert ais_fs.cat(f"{tree}/d", recursive=True) == {
        f"{tree}/d/b.txt": b"BB",
        f"{tree}/d/e/c.txt": b"CCC",
    }
    assert ais_fs.cat(f"{tree}/*.txt") == {f"{tree}/a.txt": b"A"}
    assert ais_fs.cat(f"{tree}/a.txt") == b"A"
    mixed = [f"{tree}/a.txt", f"{tree}/gone"]
    returned = ais_fs.cat(mixed, on_error="return")
    assert returned[f"{tree}/a.txt"] == b"A"
    assert isinstance(returned[f"{tree}/gone"], FileNotFoundError)
    assert ais_fs.cat(mixed, on_error="omit") == {f"{tree}/a.txt": b"A"}
    with pytest.raises(FileNotFoundError):
        ais_fs.cat(mixed)


# -- writing --------------------------------------------------------------------------------


def test_small_write_is_one_put_at_close(ais_fs: AISFileSystem, fs_bucket: str) -> None:
    path = f"{fs_bucket}/small"
    with recording(ais_fs) as recorder, ais_fs.open(path, "wb") as f:
        f.write(b"hello ")
        f.write(b"world")
        assert not ais_fs.exists(path)  # nothing visible before close
        assert object_requests(recorder.requests, "PUT") == []
    puts = object_requests(recorder.requests, "PUT")
    assert len(puts) == 1
    assert ais_fs.cat_file(path) == b"hello world"


def test_large_write_streams_parts_and_shows_only_at_close(
    ais_fs: AISFileSystem, fs_bucket: str
) -> None:
    path = f"{fs_bucket}/large"
    block = 1 << 20
    chunks = [os.urandom(block // 2 + 17) for _ in range(5)]
    with ais_fs.open(path, "wb", block_size=block) as f:
        for chunk in chunks:
            f.write(chunk)
            assert f.buffer.tell() < block + len(chunk)  # bounded: at most one block held
        assert not ais_fs.exists(path)
    assert ais_fs.cat_file(path) == b"".join(chunks)


@pytest.mark.parametrize("size", [10, 3 << 20])
def test_an_exception_in_a_with_block_writes_nothing(
    ais_fs: AISFileSystem, fs_bucket: str, size: int
) -> None:
    path = f"{fs_bucket}/aborted"
    with pytest.raises(RuntimeError), ais_fs.open(path, "wb", block_size=1 << 20) as f:
        f.write(b"x" * size)
        raise RuntimeError("stop")
    assert not ais_fs.exists(path)
    assert ais_fs.find(fs_bucket) == []


def test_a_transaction_commits_together_or_not_at_all(
    ais_fs: AISFileSystem, fs_bucket: str
) -> None:
    with ais_fs.transaction:
        ais_fs.pipe_file(f"{fs_bucket}/direct", b"d")  # not a file object: written at once
        with ais_fs.open(f"{fs_bucket}/t1", "wb") as f:
            f.write(b"one")
        with ais_fs.open(f"{fs_bucket}/t2", "wb", block_size=1 << 20) as f:
            f.write(os.urandom(3 << 20))
        assert ais_fs.find(fs_bucket) == [f"{fs_bucket}/direct"]
    assert ais_fs.find(fs_bucket) == [f"{fs_bucket}/direct", f"{fs_bucket}/t1", f"{fs_bucket}/t2"]
    with pytest.raises(RuntimeError), ais_fs.transaction:
        with ais_fs.open(f"{fs_bucket}/t3", "wb") as f:
            f.write(b"three")
        raise RuntimeError("roll back")
    assert not ais_fs.exists(f"{fs_bucket}/t3")


def test_text_mode_round_trip_and_nothing_on_an_exception(
    ais_fs: AISFileSystem, fs_bucket: str
) -> None:
    with ais_fs.open(f"{fs_bucket}/t.txt", "w", encoding="utf-8") as f:
        f.write("zwölf\nlines\n")
    with ais_fs.open(f"{fs_bucket}/t.txt", "r", encoding="utf-8") as f:
        assert f.readlines() == ["zwölf\n", "lines\n"]
    with pytest.raises(RuntimeError), ais_fs.open(f"{fs_bucket}/partial.txt", "wt") as f:
        f.write("half a line")
        raise RuntimeError("stop")
    del f  # a later close (here: garbage collection) must not write it either
    assert not ais_fs.exists(f"{fs_bucket}/partial.txt")


def test_put_and_get_stream_local_trees(
    ais_fs: AISFileSystem, fs_bucket: str, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "one.bin").write_bytes(os.urandom(1000))
    (src / "sub" / "two.bin").write_bytes(b"two")
    with recording(ais_fs) as recorder:
        ais_fs.put(str(src), f"{fs_bucket}/up", recursive=True)
    puts = object_requests(recorder.requests, "PUT")
    assert len(puts) == 2 and all(type(r.body).__name__ == "FileBody" for r in puts)
    assert ais_fs.find(f"{fs_bucket}/up") == [
        f"{fs_bucket}/up/one.bin",
        f"{fs_bucket}/up/sub/two.bin",
    ]
    ais_fs.get(f"{fs_bucket}/up", str(tmp_path / "down"), recursive=True)
    assert (tmp_path / "down" / "one.bin").read_bytes() == (src / "one.bin").read_bytes()
    assert (tmp_path / "down" / "sub" / "two.bin").read_bytes() == b"two"
    with pytest.raises(FileNotFoundError):
        ais_fs.get_file(f"{fs_bucket}/up/none", str(tmp_path / "none"))
    assert not (tmp_path / "none").exists()


def test_cp_file_is_server_side_and_mv_moves(ais_fs: AISFileSystem, tree: str) -> None:
    with recording(ais_fs) as recorder:
        ais_fs.cp_file(f"{tree}/d/b.txt", f"{tree}/copy.txt")
    assert [r.method for r in recorder.requests] == ["PUT"]
    assert recorder.requests[0].body is None  # no bytes through the client
    assert ais_fs.cat_file(f"{tree}/copy.txt") == b"BB"
    ais_fs.mv(f"{tree}/d", f"{tree}/moved", recursive=True)
    assert ais_fs.find(f"{tree}/moved") == [f"{tree}/moved/b.txt", f"{tree}/moved/e/c.txt"]
    assert not ais_fs.exists(f"{tree}/d")
    with pytest.raises(FileNotFoundError) as caught:
        ais_fs.cp_file(f"{tree}/none", f"{tree}/other")
    assert isinstance(caught.value.__cause__, AISError)


def test_rm_of_many_objects_is_one_multi_object_delete(
    ais_fs: AISFileSystem, fs_bucket: str
) -> None:
    ais_fs.pipe({f"{fs_bucket}/rm/{i}": b"x" for i in range(12)})
    ais_fs.pipe_file(f"{fs_bucket}/keep", b"k")
    with recording(ais_fs) as recorder:
        ais_fs.rm(f"{fs_bucket}/rm", recursive=True)
    deletes = [r for r in recorder.requests if r.method == "DELETE"]
    assert len(deletes) == 1 and deletes[0].path[:1] == ("buckets",)
    assert ais_fs.find(fs_bucket) == [f"{fs_bucket}/keep"]
    ais_fs.rm(f"{fs_bucket}/keep")
    assert ais_fs.find(fs_bucket) == []
    with pytest.raises(FileNotFoundError):
        ais_fs.rm(f"{fs_bucket}/keep")


def test_rm_recursive_of_a_bucket_destroys_it(ais_fs: AISFileSystem, fs_bucket: str) -> None:
    ais_fs.pipe_file(f"{fs_bucket}/x/y", b"1")
    ais_fs.rm(f"ais://{fs_bucket}", recursive=True)
    assert not ais_fs.client.bucket(fs_bucket).exists()


# -- errors and bad input -------------------------------------------------------------------


def test_missing_objects_and_buckets_are_file_not_found(
    ais_fs: AISFileSystem, fs_bucket: str
) -> None:
    for call in (
        lambda: ais_fs.cat_file(f"{fs_bucket}/nope"),
        lambda: ais_fs.open(f"{fs_bucket}/nope"),
        lambda: ais_fs.ls(f"{fs_bucket}/nope"),
        lambda: ais_fs.ls(f"{fs_bucket}-none"),
        lambda: ais_fs.pipe_file(f"{fs_bucket}-none/k", b"x"),
    ):
        with pytest.raises(FileNotFoundError) as caught:
            call()
        assert caught.value.errno == 2
    with pytest.raises(FileNotFoundError) as caught:
        ais_fs.cat_file(f"{fs_bucket}/nope")
    assert isinstance(caught.value.__cause__, AISError)
    assert caught.value.__cause__.status_code == 404


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda fs, b: fs.open("ais://", "rb"), ValueError),
        (lambda fs, b: fs.cat_file("ais:///key"), ValueError),
        (lambda fs, b: fs.pipe_file("ais://bad name/k", b"x"), ValueError),
        (lambda fs, b: fs.open(f"{b}", "wb"), IsADirectoryError),
        (lambda fs, b: fs.pipe_file(f"{b}", b"x"), IsADirectoryError),
        (lambda fs, b: fs.open(f"{b}/k", "ab"), ValueError),
        (lambda fs, b: fs.open(f"{b}/k", "r+b"), ValueError),
        (lambda fs, b: fs.cat_ranges(f"{b}/k", 0, 1), TypeError),
        (lambda fs, b: fs.cat_ranges([f"{b}/k"], [0, 1], 1), ValueError),
        (lambda fs, b: fs.cat_ranges([f"{b}/k"], 0, 1, on_error="omit"), ValueError),
        (lambda fs, b: fs.cat([f"{b}/k", f"{b}/j"], on_error="ignore"), ValueError),
    ],
)
def test_bad_input_is_refused_before_anything_is_sent(
    ais_fs: AISFileSystem, fs_bucket: str, call: object, error: type[Exception]
) -> None:
    with recording(ais_fs) as recorder, pytest.raises(error):
        call(ais_fs, fs_bucket)  # type: ignore[operator]
    assert recorder.requests == []


def test_writing_to_a_missing_bucket_fails_at_open(ais_fs: AISFileSystem, fs_bucket: str) -> None:
    with recording(ais_fs) as recorder:
        with pytest.raises(FileNotFoundError) as caught:
            ais_fs.open(f"{fs_bucket}-none/k", "wb")
        assert isinstance(caught.value.__cause__, AISError)
    assert [r.method for r in recorder.requests] == ["HEAD"]  # the bucket check, no bytes


def test_opening_a_directory_and_wrong_direction_calls(ais_fs: AISFileSystem, tree: str) -> None:
    with pytest.raises(IsADirectoryError):
        ais_fs.open(f"{tree}/d", "rb")
    with pytest.raises(IsADirectoryError):
        ais_fs.open(f"{tree}/d/", "wb")
    with ais_fs.open(f"{tree}/a.txt", "rb") as f, pytest.raises(io.UnsupportedOperation):
        f.write(b"x")
    with ais_fs.open(f"{tree}/new", "wb") as f, pytest.raises(io.UnsupportedOperation):
        f.read()
    with pytest.raises(FileExistsError):
        ais_fs.open(f"{tree}/a.txt", "xb")
