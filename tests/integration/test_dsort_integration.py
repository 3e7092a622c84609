"""dSort against both clusters.

The real aisnode is built with ``-tags dsort``: a small sort over tar shards must run to the
end and write sorted output shards. A cluster without dSort (LocalCluster, like a default
build) must fail with the typed errors instead. Each cluster is tested for what it is.
"""

from __future__ import annotations

import contextlib
import io
import json
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from aisclient import Client
from aisclient.dsort import (
    Dsort,
    DsortAlgorithm,
    DsortFramework,
    DsortNotEnabledError,
    DsortShardsGroup,
)
from aisclient.errors import APIRequestError
from aisclient.multiobj import ObjectRange
from aisclient.ops._common import action_body
from aisclient.provider import BucketRef
from aisclient.request import BytesBody, Request

SHARDS, RECORDS = 3, 4


def make_bucket(client: Client, prefix: str) -> BucketRef:
    ref = BucketRef(f"{prefix}-{uuid.uuid4().hex[:10]}")
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


def list_names(client: Client, ref: BucketRef) -> list[str]:
    body = action_body("list", value={"props": "name,size"})
    page = client.send_json(Request("GET", ("buckets", ref.name), query=ref.query, body=body))
    return sorted(entry["name"] for entry in page.get("entries") or [])


def get(client: Client, ref: BucketRef, name: str) -> bytes:
    return client.send(Request("GET", ("objects", ref.name, name), query=ref.query)).content


def shard(index: int) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as archive:
        # Records are added out of order so that sorting has something to do.
        for record in reversed(range(RECORDS)):
            for ext, data in ((".txt", f"rec-{index}-{record}"), (".cls", str(record))):
                info = tarfile.TarInfo(f"r{index}{record}{ext}")
                payload = data.encode()
                info.size = len(payload)
                archive.addfile(info, io.BytesIO(payload))
    return out.getvalue()


@pytest.fixture
def shards(client: Client) -> Iterator[BucketRef]:
    ref = make_bucket(client, "dsin")
    for index in range(SHARDS):
        put = Request(
            "PUT",
            ("objects", ref.name, f"shard-{index}.tar"),
            query=ref.query,
            body=BytesBody(shard(index)),
            probe_redirect=True,
        )
        client.send(put).close()
    yield ref
    drop_bucket(client, ref)


def framework(src: BucketRef, dst: BucketRef, decreasing: bool = False) -> DsortFramework:
    return DsortFramework(
        DsortShardsGroup(src, "input", ObjectRange("shard-", 0, SHARDS - 1, suffix=".tar"), ".tar"),
        DsortShardsGroup(dst, "output", ObjectRange("out-", 0, 99, suffix=".tar"), ".tar"),
        DsortAlgorithm(kind="alphanumeric", decreasing=decreasing),
        description="aisclient integration",
        output_shard_size="1KiB",
    )


def dsort_enabled(client: Client, src: BucketRef) -> bool:
    """Whether the cluster has dSort: aborting an unknown job is 404 there, 501 without."""
    try:
        client.dsort("srt-probe-does-not-exist").abort()
    except APIRequestError as err:
        if err.status_code == 501:
            return False
        assert err.status_code == 404  # a dSort build: the job is unknown
        return True
    raise AssertionError("aborting an unknown dSort job must fail")


def test_dsort_end_to_end_or_typed_unsupported(client: Client, shards: BucketRef) -> None:
    out = BucketRef(f"dsout-{uuid.uuid4().hex[:10]}")
    dsort = client.dsort()
    if not dsort_enabled(client, shards):
        with pytest.raises(APIRequestError) as info:
            dsort.start(framework(shards, out))
        assert info.value.status_code == 501
        assert "dsort not enabled" in info.value.message
        with pytest.raises(DsortNotEnabledError):
            client.dsort("srt-anything").get_job_info()
        assert client.dsort().list() == []
        return
    try:
        job_id = dsort.start(framework(shards, out))
        assert job_id.startswith("srt-") and dsort.dsort_id == job_id
        result = dsort.wait(timeout=60)
        assert result.success and result.error is None and result.job_id == job_id
        assert result.end_time is not None

        outputs = list_names(client, out)
        assert outputs and all(
            name.startswith("out-") and name.endswith(".tar") for name in outputs
        )
        members: list[str] = []
        contents: dict[str, bytes] = {}
        for name in sorted(outputs, key=lambda n: int(n[4:-4])):
            with tarfile.open(fileobj=io.BytesIO(get(client, out, name))) as archive:
                for member in archive.getmembers():
                    members.append(member.name)
                    handle = archive.extractfile(member)
                    assert handle is not None
                    contents[member.name] = handle.read()
        expected = [
            f"r{s}{r}{ext}"
            for s in range(SHARDS)
            for r in range(RECORDS)
            for ext in (".cls", ".txt")
        ]
        assert sorted(members) == sorted(expected)
        keys = [m.rsplit(".", 1)[0] for m in members]
        assert keys == sorted(keys)  # records come out in increasing key order
        assert contents["r21.txt"] == b"rec-2-1"

        infos = dsort.get_job_info()
        assert infos and all(info.id == job_id for info in infos.values())
        metrics = dsort.metrics()
        assert sum(m.local_extraction.extracted_record_count for m in metrics.values()) == (
            SHARDS * RECORDS * 2
        )
        assert all(m.shard_creation.finished and not m.aborted for m in metrics.values())
        assert sum(m.shard_creation.created_count for m in metrics.values()) == len(outputs)
        assert job_id in [job.id for job in dsort.list()]
        # The server matches ``regex`` against the job's description.
        assert job_id in [job.id for job in dsort.list(regex="^aisclient integ")]
        assert job_id not in [job.id for job in dsort.list(regex="no-such-job")]
        assert all(m.description == "aisclient integration" for m in metrics.values())
        dsort.remove()
        assert job_id not in [job.id for job in dsort.list()]
    finally:
        drop_bucket(client, out)


def test_dsort_from_json_spec_file(client: Client, shards: BucketRef, tmp_path: Path) -> None:
    out = BucketRef(f"dsout-{uuid.uuid4().hex[:10]}")
    spec = framework(shards, out, decreasing=True).to_spec()
    spec["dsorter_type"] = "dsort_general"
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    dsort = client.dsort()
    if not dsort_enabled(client, shards):
        with pytest.raises(APIRequestError) as info:
            dsort.start(path)
        assert info.value.status_code == 501
        return
    try:
        dsort.start(path)
        assert dsort.wait(timeout=60).success
        names: list[str] = []
        for name in sorted(list_names(client, out), key=lambda n: int(n[4:-4])):
            with tarfile.open(fileobj=io.BytesIO(get(client, out, name))) as archive:
                names.extend(member.name.rsplit(".", 1)[0] for member in archive.getmembers())
        assert names == sorted(names, reverse=True) and len(names) == SHARDS * RECORDS * 2
    finally:
        drop_bucket(client, out)


def test_unknown_job_errors(client: Client, shards: BucketRef) -> None:
    unknown = Dsort(client, f"srt-{uuid.uuid4().hex[:8]}")
    if not dsort_enabled(client, shards):
        with pytest.raises(DsortNotEnabledError):
            unknown.get_job_info()
        return
    with pytest.raises(APIRequestError) as info:
        unknown.get_job_info()
    assert info.value.status_code == 404
    with pytest.raises(APIRequestError) as abort_info:
        unknown.abort()
    assert abort_info.value.status_code == 404
