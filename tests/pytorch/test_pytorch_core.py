"""The torch-free core of aisclient.pytorch: split, order, progress, grouping, prefetch, packing.

Nothing here needs torch or a cluster; a subprocess checks the core imports with torch
blocked, and that ``import aisclient`` never loads torch.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
import textwrap
import threading
import time
from collections.abc import Callable, Sequence

import pytest

from aisclient.batch.tar_reader import TarFormatError, iter_tar_members
from aisclient.dataset.tar import END_OF_ARCHIVE, encode_value, member, sample_members
from aisclient.pytorch.core.batches import chunked, prefetched
from aisclient.pytorch.core.packing import pack_by_size
from aisclient.pytorch.core.samples import ExtensionFiller, group_samples, split_member_name
from aisclient.pytorch.core.sources import prefixes_for
from aisclient.pytorch.core.split import Part, Progress, epoch_order, validate_rank

# -- split across ranks × workers --------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 7, 10, 33])
@pytest.mark.parametrize(("world", "workers"), [(1, 1), (2, 2), (3, 2), (2, 5), (4, 1)])
def test_parts_cover_every_item_exactly_once(size: int, world: int, workers: int) -> None:
    items = list(range(size))
    taken = [
        x
        for r in range(world)
        for w in range(workers)
        for x in Part(r, world, w, workers).take(items)
    ]
    assert sorted(taken) == items  # nothing lost, nothing twice


def test_ranks_get_balanced_shares_whatever_the_worker_count() -> None:
    items = list(range(10))
    for workers in (1, 2, 3):
        shares = [
            sum(len(Part(r, 2, w, workers).take(items)) for w in range(workers)) for r in range(2)
        ]
        assert shares == [5, 5]
    assert list(Part(1, 2).rank_share(items)) == [1, 3, 5, 7, 9]


def test_part_index_and_count() -> None:
    part = Part(rank=1, world_size=3, worker=1, num_workers=2)
    assert (part.index, part.count) == (3, 6)


@pytest.mark.parametrize(
    ("rank", "world"), [(2, 2), (-1, 2), (0, 0)], ids=["rank=world", "negative", "empty world"]
)
def test_bad_rank_is_refused(rank: int, world: int) -> None:
    with pytest.raises(ValueError, match="rank"):
        validate_rank(rank, world)


def test_rank_needs_world_size() -> None:
    with pytest.raises(ValueError, match="together"):
        validate_rank(0, None)


# -- per-epoch order ---------------------------------------------------------------------


def test_epoch_order_is_a_permutation_fixed_by_seed_and_epoch() -> None:
    first = list(epoch_order(100, True, seed=7, epoch=0))
    assert sorted(first) == list(range(100))
    assert first != list(range(100))
    assert list(epoch_order(100, True, seed=7, epoch=0)) == first
    assert list(epoch_order(100, True, seed=7, epoch=1)) != first
    assert list(epoch_order(100, True, seed=8, epoch=0)) != first
    assert list(epoch_order(5, False, seed=7, epoch=3)) == [0, 1, 2, 3, 4]


def test_epoch_order_is_the_same_in_another_process() -> None:
    code = (
        "from aisclient.pytorch.core.split import epoch_order;"
        "print(list(epoch_order(20, True, 3, 2)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(list(epoch_order(20, True, 3, 2)))


# -- progress (state_dict) ---------------------------------------------------------------


def test_progress_resumes_each_part_once_in_its_epoch() -> None:
    parts = [Part(0, 1, w, 2) for w in range(2)]
    first = Progress()
    for part, count in zip(parts, (3, 5), strict=True):
        assert first.start(part) == 0
        for _ in range(count):
            first.advance(part)
    state = first.state_dict()
    assert state == {"epoch": 0, "parts": 2, "done": {"0": 3, "1": 5}}

    second = Progress()
    second.load_state_dict(state)
    assert [second.start(p) for p in parts] == [3, 5]
    assert [second.start(p) for p in parts] == [0, 0]  # a position applies once


def test_progress_forgets_a_position_of_another_epoch() -> None:
    progress = Progress()
    progress.load_state_dict({"epoch": 0, "parts": 1, "done": {"0": 4}})
    progress.set_epoch(1)
    assert progress.start(Part()) == 0


def test_progress_refuses_a_state_of_another_layout() -> None:
    progress = Progress()
    progress.load_state_dict({"epoch": 0, "parts": 4, "done": {"0": 4}})
    with pytest.raises(ValueError, match="4 parts"):
        progress.start(Part(0, 1, 0, 2))


@pytest.mark.parametrize("state", [{}, {"epoch": "x"}, {"epoch": 0, "done": {"0": -1}}])
def test_progress_refuses_what_is_not_a_state(state: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="not a dataset state"):
        Progress().load_state_dict(state)


# -- tar members → samples ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("k1.jpg", ("k1", "jpg")),
        ("dir/k2.txt", ("dir/k2", "txt")),
        ("a.b.seg.PNG", ("a", "b.seg.png")),
        ("d.x/k3.cls", ("d.x/k3", "cls")),
        ("noext", None),
        (".hidden", None),
        ("dir/.hidden", None),
    ],
)
def test_member_names_split_as_webdataset_does(name: str, expected: object) -> None:
    assert split_member_name(name) == expected


def test_consecutive_members_with_one_key_form_a_sample() -> None:
    members = [
        ("k1.jpg", b"1"),
        ("k1.cls", b"c1"),
        ("noext", b"skipped"),
        ("dir/k1.jpg", b"other"),  # another key: the directory is part of it
        ("k3.seg.png", b"3"),
    ]
    assert list(group_samples(members)) == [
        ("k1", {"jpg": b"1", "cls": b"c1"}),
        ("dir/k1", {"jpg": b"other"}),
        ("k3", {"seg.png": b"3"}),
    ]


def test_missing_extensions_are_filled_with_what_was_seen_before() -> None:
    filler = ExtensionFiller()
    assert filler.fill({"jpg": b"1", "cls": b"2"}) == {"jpg": b"1", "cls": b"2"}
    assert filler.fill({"json": b"3"}) == {"json": b"3", "jpg": b"", "cls": b""}
    assert filler.fill({"jpg": b"4"}) == {"jpg": b"4", "cls": b"", "json": b""}


# -- tar encoding of the writer ----------------------------------------------------------


def test_encoded_members_read_back_with_tarfile() -> None:
    long_name = "d/" + "x" * 150 + ".bin"
    data = b"".join(
        [
            *sample_members({"__key__": "s_01", "img.jpg": b"\xff\xd8", "label": "cat"}),
            member(long_name, bytes(1000)),
            END_OF_ARCHIVE,
        ]
    )
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
        got = {m.name: archive.extractfile(m).read() for m in archive}  # type: ignore[union-attr]
    assert got == {"s_01.img.jpg": b"\xff\xd8", "s_01.label": b"cat", long_name: bytes(1000)}


@pytest.mark.parametrize(
    ("value", "encoded"),
    [(b"b", b"b"), ("é", "é".encode()), (3, b"3"), (0.5, b"0.5"), ({"a": [1]}, b'{"a":[1]}')],
)
def test_field_values_are_encoded(value: object, encoded: bytes) -> None:
    assert encode_value(value, "x") == encoded


def test_a_field_that_cannot_be_stored_is_named() -> None:
    with pytest.raises(TypeError, match=r"sample 's' field 'f'"):
        sample_members({"__key__": "s", "f": object()})


# -- Get-Batch chunks and bounded prefetch -------------------------------------------------


def test_chunks() -> None:
    assert list(chunked(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    with pytest.raises(ValueError, match="chunk size"):
        list(chunked([], 0))


def test_prefetch_overlaps_the_next_fetch_with_consumption() -> None:
    started: list[int] = []
    second_started = threading.Event()

    def fetch(chunk: Sequence[int]) -> list[int]:
        started.append(chunk[0])
        if chunk[0] == 1:
            second_started.set()
        return list(chunk)

    results = prefetched([[0], [1], [2]], fetch, depth=1)
    assert next(results) == [0]
    # The consumer holds batch 0 and the fetch of batch 1 runs meanwhile.
    assert second_started.wait(5)
    assert list(results) == [[1], [2]]
    assert started == [0, 1, 2]


@pytest.mark.parametrize("depth", [0, 1, 3])
def test_prefetch_keeps_at_most_depth_plus_one_results(depth: int) -> None:
    fetched = 0
    consumed = 0
    most_ahead = 0
    lock = threading.Lock()

    def fetch(chunk: Sequence[int]) -> int:
        nonlocal fetched, most_ahead
        with lock:
            fetched += 1
            most_ahead = max(most_ahead, fetched - consumed)
        return chunk[0]

    order = []
    for value in prefetched([[i] for i in range(20)], fetch, depth=depth):
        time.sleep(0.002)  # a slow consumer: the fetcher would run far ahead if it could
        order.append(value)
        with lock:
            consumed += 1
    assert order == list(range(20))
    assert most_ahead <= depth + 1


def test_prefetch_raises_a_fetch_error_when_its_result_is_due() -> None:
    def fetch(chunk: Sequence[int]) -> int:
        if chunk[0] == 1:
            raise KeyError("boom")
        return chunk[0]

    results = prefetched([[0], [1], [2]], fetch, depth=1)
    assert next(results) == 0
    with pytest.raises(KeyError, match="boom"):
        next(results)


def test_closing_prefetch_early_stops_the_fetching() -> None:
    calls: list[int] = []
    results = prefetched([[i] for i in range(100)], lambda c: calls.append(c[0]), depth=2)
    next(results)
    results.close()
    assert len(calls) <= 4


# -- packing by size -------------------------------------------------------------------------


SIZES = [4, 3, 3, 0, 12, 5, 5, 2]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, [[0, 1, 2], [5, 6], [7]]),
        ({"drop_last": True}, [[0, 1, 2], [5, 6]]),
        ({"allow_oversized_samples": True}, [[0, 1, 2], [4], [5, 6], [7]]),
        ({"drop_last": True, "saturation_factor": 0.1}, [[0, 1, 2], [5, 6], [7]]),
    ],
)
def test_packing_by_size(options: dict[str, object], expected: list[list[int]]) -> None:
    got = pack_by_size(range(len(SIZES)), SIZES.__getitem__, 10, **options)  # type: ignore[arg-type]
    assert list(got) == expected


@pytest.mark.parametrize(("size", "factor"), [(0, 0.5), (10, 1.5), (-1, 0.5)])
def test_bad_packing_options_are_refused(size: int, factor: float) -> None:
    with pytest.raises(ValueError, match=r"max_batch_size|saturation_factor"):
        list(pack_by_size([0], lambda i: 1, size, saturation_factor=factor))


# -- prefix maps -------------------------------------------------------------------------------


def test_overlapping_prefixes_are_listed_once() -> None:
    source = object()
    assert prefixes_for(source, {source: ["a1", "a", "b", "a"]}) == ["a", "b"]
    assert prefixes_for(source, {source: "x/"}) == ["x/"]
    assert prefixes_for(source, {}) == [""]
    assert prefixes_for(source, {object(): "other"}) == [""]


def test_an_equal_bucket_handle_finds_its_prefixes() -> None:
    from aisclient import Client

    client = Client("http://127.0.0.1:1")
    assert prefixes_for(client.bucket("b"), {client.bucket("b"): "p/"}) == ["p/"]


# -- torch stays optional ----------------------------------------------------------------


def _run_without_torch(code: str) -> subprocess.CompletedProcess[str]:
    blocker = "import sys; sys.modules['torch'] = None\n"  # any `import torch` now fails
    return subprocess.run(
        [sys.executable, "-c", blocker + textwrap.dedent(code)], capture_output=True, text=True
    )


def test_the_core_and_the_writer_work_without_torch() -> None:
    out = _run_without_torch(
        """
        from aisclient.pytorch.core.split import Part, epoch_order
        from aisclient.pytorch.core.samples import group_samples
        from aisclient.pytorch.core.packing import pack_by_size
        import aisclient.dataset
        print(list(Part(1, 2).take(list(epoch_order(4, False, 0, 0)))))
        """
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[1, 3]"


def test_the_datasets_say_how_to_install_torch() -> None:
    out = _run_without_torch("from aisclient.pytorch import AISIterDataset")
    assert out.returncode != 0
    assert "ImportError" in out.stderr
    assert "pip install 'aisclient[torch]'" in out.stderr


def test_import_aisclient_never_imports_torch() -> None:
    code = """
        import sys
        import aisclient
        from aisclient import Bucket, Client, ObjectGroup, Batch
        import aisclient.dataset, aisclient.pytorch, aisclient.pytorch.core.split
        client = Client("http://127.0.0.1:1")
        client.bucket("b").object("o")
        print("torch" in sys.modules)
    """
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


# -- the streaming tar decoder -------------------------------------------------------------


def _archive(mode: str, fmt: int = tarfile.PAX_FORMAT) -> tuple[bytes, list[tuple[str, bytes]]]:
    files = [
        ("k1.jpg", b"\xff" * 700),
        ("d/" + "long-" * 40 + ".txt", b"long name"),  # > 100 bytes: PAX or GNU long name
        ("p" * 120 + "/short.cls", b"7"),  # a long directory: the ustar prefix field
        ("empty.bin", b""),
        ("é.json", b"{}"),
    ]
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode, format=fmt) as archive:  # type: ignore[call-overload]
        directory = tarfile.TarInfo("adir")
        directory.type = tarfile.DIRTYPE
        archive.addfile(directory)  # skipped: not a regular file
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue(), files


def _reads_of(data: bytes, size: int) -> Callable[[int], bytes]:
    stream = io.BytesIO(data)
    return lambda n: stream.read(min(n, size))  # short reads, as a socket gives


@pytest.mark.parametrize("fmt", [tarfile.PAX_FORMAT, tarfile.GNU_FORMAT, tarfile.USTAR_FORMAT])
@pytest.mark.parametrize("mode", ["w", "w:gz"])
@pytest.mark.parametrize("read_size", [1, 511, 1 << 20])
def test_tar_decoder_reads_what_tarfile_wrote(mode: str, fmt: int, read_size: int) -> None:
    # ustar cannot hold the long names of the full archive: a smaller one for it.
    data, files = _ustar_archive(mode) if fmt == tarfile.USTAR_FORMAT else _archive(mode, fmt)
    assert list(iter_tar_members(_reads_of(data, read_size))) == files


def _ustar_archive(mode: str) -> tuple[bytes, list[tuple[str, bytes]]]:
    files = [("a.jpg", b"1" * 513), ("p" * 120 + "/b.cls", b"2")]
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode, format=tarfile.USTAR_FORMAT) as archive:  # type: ignore[call-overload]
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue(), files


def test_tar_decoder_on_empty_and_broken_streams() -> None:
    assert list(iter_tar_members(io.BytesIO(b"").read)) == []
    with pytest.raises(TarFormatError, match="bad header checksum"):
        list(iter_tar_members(io.BytesIO(b"not a tar archive" * 64).read))
    data, _files = _archive("w")
    with pytest.raises(TarFormatError, match="ends inside a member"):
        list(iter_tar_members(io.BytesIO(data[:1700]).read))
    with pytest.raises(TarFormatError, match="broken gzip"):
        list(iter_tar_members(io.BytesIO(b"\x1f\x8b" + b"\x00" * 600).read))
