"""Get-Batch against both clusters: real archives in every format, archpath, ranges, errors."""

from __future__ import annotations

import contextlib
import io
import os
import tarfile
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from aisclient import Client
from aisclient.batch import Batch, BatchEntryError, IncompleteBatchError
from aisclient.enums import Colocation
from aisclient.errors import APIRequestError, ErrObjNotFound
from aisclient.models.batch import MISSING_ENTRY_ERROR
from aisclient.ops._common import action_body
from aisclient.provider import BucketRef
from aisclient.request import BytesBody, Request
from aisclient.testing.local import LocalCluster

FORMATS = [".tar", ".tgz", ".tar.gz", ".zip"]
SHARD_FILES = {"d/f1.txt": b"file one", "d/f2.bin": bytes(range(256)) * 4, "top.json": b"{}"}


def put(client: Client, bucket: BucketRef, name: str, data: bytes) -> None:
    request = Request(
        "PUT",
        ("objects", bucket.name, name),
        query=bucket.query,
        body=BytesBody(data),
        probe_redirect=True,
    )
    client.send(request).close()


def make_bucket(client: Client) -> BucketRef:
    ref = BucketRef(f"gb-{uuid.uuid4().hex[:10]}")
    client.send(
        Request("POST", ("buckets", ref.name), query=ref.query, body=action_body("create-bck"))
    )
    return ref


def drop_bucket(client: Client, ref: BucketRef) -> None:
    request = Request(
        "DELETE", ("buckets", ref.name), query=ref.query, body=action_body("destroy-bck")
    )
    with contextlib.suppress(APIRequestError):
        client.send(request).close()


def tar_shard(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


@pytest.fixture
def data_bucket(client: Client) -> Iterator[tuple[BucketRef, dict[str, bytes]]]:
    ref = make_bucket(client)
    objects = {
        "small.txt": b"hello batch",
        "dir/nested.bin": os.urandom(70_000),
        "big.bin": os.urandom(1_200_000),
        "empty": b"",
        "ends-with-crlf": b"payload\r\n",
        "shard.tar": tar_shard(SHARD_FILES),
    }
    for name, data in objects.items():
        put(client, ref, name, data)
    yield ref, objects
    drop_bucket(client, ref)


PLAIN = ["small.txt", "dir/nested.bin", "big.bin", "empty", "ends-with-crlf"]


@pytest.mark.parametrize("streaming", [True, False], ids=["stream", "multipart"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_every_format(
    client: Client, data_bucket: tuple[BucketRef, dict[str, bytes]], fmt: str, streaming: bool
) -> None:
    ref, objects = data_bucket
    batch = client.batch(bucket=client.bucket(ref.name), output_format=fmt, streaming_get=streaming)
    for index, name in enumerate(PLAIN):
        batch.add(name, opaque=f"tag-{index}".encode())
    results = list(batch.get())
    assert [out.obj_name for out, _ in results] == PLAIN
    for index, (out, data) in enumerate(results):
        assert data == objects[out.obj_name]
        assert out.size == len(data) and out.err_msg is None
        assert out.bucket == ref.name and out.provider == "ais"
        assert out.opaque == f"tag-{index}".encode()


@pytest.mark.parametrize("streaming", [True, False], ids=["stream", "multipart"])
def test_archpath_and_ranges(
    client: Client, data_bucket: tuple[BucketRef, dict[str, bytes]], streaming: bool
) -> None:
    ref, objects = data_bucket
    batch = Batch(client, bucket=ref, streaming_get=streaming)
    batch.add("shard.tar", archpath="d/f1.txt")
    batch.add("shard.tar", archpath="d/f2.bin", start=10, length=20)
    batch.add("big.bin", start=1000, length=5000)
    batch.add("big.bin", start=1_199_990, length=-1)
    batch.add("small.txt", start=0, length=5)
    results = list(batch.get())
    assert [data for _, data in results] == [
        SHARD_FILES["d/f1.txt"],
        SHARD_FILES["d/f2.bin"][10:30],
        objects["big.bin"][1000:6000],
        objects["big.bin"][1_199_990:],
        b"hello",
    ]
    assert [out.archpath or "" for out, _ in results][:2] == ["d/f1.txt", "d/f2.bin"]
    assert all(out.err_msg is None and out.size == len(data) for out, data in results)


def test_missing_entries_with_cont_on_err_streaming(
    client: Client, data_bucket: tuple[BucketRef, dict[str, bytes]]
) -> None:
    ref, objects = data_bucket
    batch = Batch(client, ["small.txt", "no-such-object", "empty"], bucket=ref)
    batch.add("shard.tar", archpath="d/absent.txt")
    batch.add("no-such-shard.tar", archpath="d/f1.txt")
    results = list(batch.get())
    assert [(out.obj_name, out.err_msg, data) for out, data in results] == [
        ("small.txt", None, objects["small.txt"]),
        ("no-such-object", MISSING_ENTRY_ERROR, b""),
        ("empty", None, b""),
        ("shard.tar", MISSING_ENTRY_ERROR, b""),
        ("no-such-shard.tar", MISSING_ENTRY_ERROR, b""),
    ]


def test_missing_entries_with_cont_on_err_multipart(
    client: Client, data_bucket: tuple[BucketRef, dict[str, bytes]]
) -> None:
    ref, objects = data_bucket
    batch = Batch(client, ["small.txt", "no-such-object"], bucket=ref, streaming_get=False)
    (first, first_data), (second, second_data) = batch.get()
    assert first_data == objects["small.txt"] and first.err_msg is None
    assert second_data == b"" and second.size == 0 and second.missing
    assert second.err_msg is not None and "no-such-object" in second.err_msg


def test_missing_entry_without_cont_on_err_multipart_raises_mapped_error(
    client: Client, data_bucket: tuple[BucketRef, dict[str, bytes]]
) -> None:
    ref, _ = data_bucket
    batch = Batch(
        client, ["small.txt", "no-such-object"], bucket=ref, cont_on_err=False, streaming_get=False
    )
    with pytest.raises(ErrObjNotFound) as info:
        batch.get()
    assert info.value.status_code == 404 and "no-such-object" in info.value.message


def test_missing_entry_without_cont_on_err_streaming_raises_incomplete(
    client: Client, data_bucket: tuple[BucketRef, dict[str, bytes]]
) -> None:
    # Streaming answers 200 before it meets the missing object; the archive just ends early.
    ref, objects = data_bucket
    batch = Batch(client, ["small.txt", "no-such-object", "empty"], bucket=ref, cont_on_err=False)
    results = batch.get()
    out, data = next(results)
    assert out.obj_name == "small.txt" and data == objects["small.txt"]
    with pytest.raises(IncompleteBatchError) as info:
        next(results)
    assert info.value.index == 1 and "no-such-object" in info.value.entry


@pytest.mark.parametrize("streaming", [True, False], ids=["stream", "multipart"])
@pytest.mark.parametrize("fmt", [".tar", ".zip"])
def test_missing_entry_without_cont_on_err_never_yields_an_empty_sample(
    client: Client, data_bucket: tuple[BucketRef, dict[str, bytes]], fmt: str, streaming: bool
) -> None:
    # However the cluster answers (a failed request, an archive cut short, or, on several
    # targets, a placeholder member for the missing object), the missing entry is an error.
    ref, objects = data_bucket
    batch = Batch(
        client,
        ["small.txt", "no-such-object", "empty"],
        bucket=ref,
        output_format=fmt,
        cont_on_err=False,
        streaming_get=streaming,
    )
    received = []
    with pytest.raises((BatchEntryError, IncompleteBatchError, ErrObjNotFound)) as info:
        for out, data in batch.get():
            received.append((out.obj_name, data))
    assert received in ([], [("small.txt", objects["small.txt"])])
    assert "no-such-object" in str(info.value)


@pytest.mark.parametrize("streaming", [True, False], ids=["stream", "multipart"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_placeholder_for_a_missing_entry_without_cont_on_err_raises(
    local_cluster: LocalCluster, fmt: str, streaming: bool
) -> None:
    # LocalCluster made to answer as aisnode on several targets does: a `__404__/` member
    # (and err_msg in multipart metadata) for the missing object, although coer is off.
    client = Client(local_cluster.endpoint)
    ref = make_bucket(client)
    try:
        put(client, ref, "a", b"first")
        put(client, ref, "c", b"third")
        local_cluster.faults.batch_placeholders()
        batch = Batch(
            client,
            ["a", "gone", "c"],
            bucket=ref,
            output_format=fmt,
            cont_on_err=False,
            streaming_get=streaming,
        )
        received = []
        with pytest.raises(BatchEntryError) as info:
            for out, data in batch.get():
                received.append((out.obj_name, data))
        assert local_cluster.faults.pending == 0  # the server did send the placeholder
        assert received == [("a", b"first")]
        assert info.value.index == 1 and info.value.entry == f"ais://{ref.name}/gone"
        if not streaming:
            assert "gone" in info.value.reason
    finally:
        local_cluster.faults.clear()
        drop_bucket(client, ref)


def test_entries_from_several_buckets_and_only_obj_name(
    client: Client, data_bucket: tuple[BucketRef, dict[str, bytes]]
) -> None:
    ref, objects = data_bucket
    other = make_bucket(client)
    try:
        put(client, other, "elsewhere", b"other bucket")
        batch = Batch(client, only_obj_name=True, colocation=Colocation.TARGET_AWARE)
        batch.add("small.txt", bck=ref.name, provider="ais")
        batch.add(client.bucket(other.name).object("elsewhere"))
        results = list(batch.get())
        assert [(out.bucket, data) for out, data in results] == [
            (ref.name, objects["small.txt"]),
            (other.name, b"other bucket"),
        ]
    finally:
        drop_bucket(client, other)


def test_unknown_bucket_is_an_error_before_any_archive(client: Client) -> None:
    batch = Batch(client, ["x"], bucket=BucketRef(f"missing-{uuid.uuid4().hex[:8]}"))
    with pytest.raises(APIRequestError) as info:
        batch.get()
    assert info.value.status_code == 404


@pytest.mark.parametrize("streaming", [True, False], ids=["stream", "multipart"])
def test_get_to_file_writes_a_readable_archive(
    client: Client,
    data_bucket: tuple[BucketRef, dict[str, bytes]],
    tmp_path: Path,
    streaming: bool,
) -> None:
    ref, objects = data_bucket
    target = tmp_path / "batch.zip"
    batch = Batch(client, PLAIN, bucket=ref, output_format=".zip", streaming_get=streaming)
    meta = batch.get_to_file(target)
    with zipfile.ZipFile(target) as archive:
        names = [info.filename for info in archive.infolist() if not info.is_dir()]
        assert names == [f"{ref.name}/{name}" for name in PLAIN]
        assert archive.read(f"{ref.name}/big.bin") == objects["big.bin"]
    if streaming:
        assert meta is None
    else:
        assert meta is not None and [o.obj_name for o in meta.out] == PLAIN


def test_raw_response_is_the_archive(
    client: Client, data_bucket: tuple[BucketRef, dict[str, bytes]]
) -> None:
    ref, objects = data_bucket
    with Batch(client, ["small.txt"], bucket=ref, output_format=".tgz").get(raw=True) as raw:
        data = raw.read()
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        member = archive.extractfile(f"{ref.name}/small.txt")
        assert member is not None and member.read() == objects["small.txt"]
