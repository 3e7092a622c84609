"""Multi-object groups, jobs and the cluster, against LocalCluster and a real aisnode."""

from __future__ import annotations

import io
import tarfile
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from aisclient import Client
from aisclient.errors import APIRequestError, JobInfoNotFound, Timeout
from aisclient.models.cluster import HRW_SEED, xxhash64
from aisclient.multiobj import ObjectRange

WAIT = 60


def put_all(bucket: Any, contents: dict[str, bytes]) -> None:
    for name, data in contents.items():
        bucket.object(name).get_writer().put_content(data)


def read(bucket: Any, name: str) -> bytes:
    data: bytes = bucket.object(name).get_reader().read_all()
    return data


def names_in(bucket: Any) -> set[str]:
    return {entry.name for entry in bucket.list_all_objects()}


@pytest.fixture
def other_bucket(client: Client) -> Iterator[Any]:
    """A destination bucket name; jobs create it. Destroyed afterwards if it exists."""
    bck = client.bucket(f"dst-{uuid.uuid4().hex[:12]}")
    yield bck
    bck.delete(missing_ok=True)


def contents_for(names: list[str]) -> dict[str, bytes]:
    return {name: f"payload of {name} ".encode() * (i + 1) for i, name in enumerate(names)}


def test_copy_bucket_job_is_waited_for_and_every_object_matches(
    client: Client, bucket: Any, other_bucket: Any
) -> None:
    contents = contents_for([f"dir/obj-{i:03d}.bin" for i in range(12)])
    put_all(bucket, contents)
    job_id = bucket.copy(other_bucket)
    assert job_id
    job = client.job(job_id)
    result = job.wait(timeout=WAIT, verbose=False)
    assert result.success and result.error is None
    assert job.job_kind == "copy-bck"  # resolved from the snapshots
    assert result.end_time is not None
    assert names_in(other_bucket) == set(contents)
    for name, data in contents.items():
        assert read(other_bucket, name) == data
    status = job.status()
    assert status.uuid == job_id and status.is_finished and status.succeeded
    assert job.get_total_time() is not None
    listed = client.cluster().list_jobs_status(job_kind="copy-bck")
    assert job_id in {s.uuid for s in listed}


def test_group_delete_by_template_removes_exactly_the_expanded_names(
    client: Client, bucket: Any
) -> None:
    selected_pool = [f"shard-{i:02d}.tar" for i in range(20)]
    others = ["shard-5.tar", "shard-100.tar", "keep/shard-05.tar", "shard-05.tar.bak"]
    put_all(bucket, contents_for(selected_pool + others))
    group = bucket.objects(obj_template="shard-{03..15..3}.tar")
    expanded = group.list_names()
    assert expanded == [f"shard-{i:02d}.tar" for i in (3, 6, 9, 12, 15)]
    job_id = group.delete()
    result = client.job(job_id).wait(timeout=WAIT, verbose=False)
    assert result.success
    assert names_in(bucket) == set(selected_pool + others) - set(expanded)


def test_group_copy_copies_only_the_selection(
    client: Client, bucket: Any, other_bucket: Any
) -> None:
    contents = contents_for([f"img-{i}.jpg" for i in range(10)])
    put_all(bucket, contents)
    group = bucket.objects(obj_range=ObjectRange("img-", 2, 7, step=1, suffix=".jpg"))
    job_ids = group.copy(other_bucket, prepend="copied/")
    assert job_ids and all(job_ids)
    for job_id in job_ids:
        assert client.job(job_id).wait(timeout=WAIT, verbose=False).success
    expected = {f"copied/img-{i}.jpg" for i in range(2, 8)}
    assert names_in(other_bucket) == expected
    for i in range(2, 8):
        assert read(other_bucket, f"copied/img-{i}.jpg") == contents[f"img-{i}.jpg"]


def test_group_copy_by_names_dry_run_writes_nothing(
    client: Client, bucket: Any, other_bucket: Any
) -> None:
    put_all(bucket, contents_for(["a", "b"]))
    other_bucket.create()
    job_ids = bucket.objects(obj_names=["a", "b"]).copy(other_bucket, dry_run=True)
    for job_id in job_ids:
        assert client.job(job_id).wait(timeout=WAIT, verbose=False).success
    assert names_in(other_bucket) == set()


def test_group_archive_packs_the_selection_into_a_shard(client: Client, bucket: Any) -> None:
    contents = contents_for([f"rec-{i}.txt" for i in range(6)])
    put_all(bucket, contents)
    chosen = ["rec-1.txt", "rec-3.txt", "rec-4.txt"]
    job_ids = bucket.objects(obj_names=chosen).archive("shards/out.tar")
    assert job_ids
    for job_id in job_ids:
        assert client.job(job_id).wait(timeout=WAIT, verbose=False).success
    members = {entry.name for entry in bucket.list_archive("shards/out.tar")}
    assert members == {f"shards/out.tar/{name}" for name in chosen}
    shard = read(bucket, "shards/out.tar")
    with tarfile.open(fileobj=io.BytesIO(shard)) as tar:
        assert sorted(tar.getnames()) == chosen
        for name in chosen:
            member = tar.extractfile(name)
            assert member is not None and member.read() == contents[name]


def test_archive_with_a_bad_name_fails_before_any_request(bucket: Any) -> None:
    with pytest.raises(ValueError, match="archive extension"):
        bucket.objects(obj_names=["x"]).archive("shard.rar")


def test_job_wait_with_a_tiny_timeout_raises_timeout(
    client: Client, bucket: Any, other_bucket: Any
) -> None:
    put_all(bucket, contents_for(["t1", "t2"]))
    (job_id, *_) = bucket.objects(obj_names=["t1", "t2"]).copy(other_bucket)
    # an idle-kind job needs two consecutive idle polls, so one poll can never finish it
    with pytest.raises(Timeout) as info:
        client.job(job_id).wait(timeout=1e-6, verbose=False)
    assert job_id in str(info.value)
    assert client.job(job_id).wait(timeout=WAIT, verbose=False).success


def test_unknown_job(client: Client) -> None:
    with pytest.raises(JobInfoNotFound):
        client.job("nosuchjob1").wait(timeout=5, verbose=False)
    with pytest.raises(APIRequestError) as info:
        client.job("nosuchjob1").status()
    assert info.value.status_code == 404


def test_cluster_map_readiness_and_buckets(client: Client, bucket: Any) -> None:
    cluster = client.cluster()
    smap = cluster.get_info()
    assert len(smap.tmap) >= 1 and len(smap.pmap) >= 1
    for target in smap.tmap.values():
        assert target.is_target
        assert urlsplit(target.public_net.direct_url).hostname == "127.0.0.1"
        # the server's HRW digest of a node id is xxhash64 with the AIS seed
        assert target.id_digest == xxhash64(target.daemon_id.encode(), HRW_SEED)
    assert smap.proxy_si.daemon_id in smap.pmap
    assert cluster.get_primary_url() == smap.proxy_si.public_net.direct_url
    assert cluster.get_uuid() == smap.uuid and smap.uuid
    assert cluster.is_ready() is True
    assert bucket.name in {b.name for b in cluster.list_buckets()}
    assert bucket.name in {b.name for b in cluster.list_buckets(provider="")}
    assert bucket.name in cluster.get_bmd().bucket_names()


def test_node_queries(client: Client) -> None:
    cluster = client.cluster()
    targets = set(cluster.get_info().tmap)
    performance = cluster.get_performance()
    assert set(performance) == targets
    for status in performance.values():
        assert status["snode"]["daemon_id"] in targets
    assert isinstance(cluster.list_running_jobs(), list)
    assert all(isinstance(item, str) for item in cluster.list_running_jobs())


def test_start_a_cluster_job_and_wait_for_it(client: Client, bucket: Any) -> None:
    job = client.job(job_kind="cleanup-store")
    job_id = job.start(buckets=[bucket])
    assert job_id and job.job_id == job_id
    result = job.wait(timeout=WAIT, verbose=False)
    assert result.success and result.job_id == job_id and result.end_time is not None
    status = job.status()
    assert status.is_finished and status.kind == "cleanup-store"


@pytest.mark.parametrize("template", ["a@b", "x{3..1}", "q%x", "a{0..1}b{c", "a{0..5..0}"])
def test_templates_the_parser_rejects_are_rejected_by_the_server_too(
    client: Client, bucket: Any, template: str
) -> None:
    from aisclient.multiobj import parse_template
    from aisclient.ops import multiobj as ops

    with pytest.raises(ValueError):
        parse_template(template)
    # sent raw (bypassing the client-side check), the server refuses it as well
    with pytest.raises(APIRequestError) as info:
        client.send_text(ops.delete_objects(bucket.ref, {"template": template}))
    assert info.value.status_code == 400
