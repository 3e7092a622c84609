"""Direct reads end to end, against both the embedded LocalCluster (2 targets) and a real
aisnode: the same bytes as proxied reads, sent straight to the owning target."""

from __future__ import annotations

from typing import Any

import pytest

from aisclient import Client
from aisclient.errors import ErrObjNotFound
from aisclient.transport.mock import RecordingTransport

NAMES = [
    *(f"plain-{i}" for i in range(30)),
    "dir/sub/deep.bin",
    "with space.txt",
    "ünïcödé/名前.dat",
    "q?mark&amp=1#hash",
    "percent%20literal",
    "a+b",
]


def payload(name: str) -> bytes:
    return (name.encode() + b"|") * 37


def local_cluster_or_none(request: pytest.FixtureRequest) -> Any:
    callspec = getattr(request.node, "callspec", None)
    if callspec is None or callspec.params.get("cluster_endpoint") != "local":
        return None
    return request.getfixturevalue("local_cluster")


def recording_client(client: Client) -> tuple[Client, RecordingTransport]:
    recording = RecordingTransport(client.transport)
    return Client(config=client.config, transport=recording), recording


def test_direct_reads_match_proxied_reads_and_skip_the_proxy(
    client: Client,
    bucket: Any,
    request: pytest.FixtureRequest,
) -> None:
    for name in NAMES:
        bucket.object(name).get_writer().put_content(payload(name))
    proxied = {name: bucket.object(name).get_reader().read_all() for name in NAMES}
    direct_client, recording = recording_client(client)
    direct_bucket = direct_client.bucket(bucket.name)
    targets = {node.public_url for node in direct_client.get_smap().targets}
    for name in NAMES:
        reader = direct_bucket.object(name).get_reader(direct=True)
        response = reader.raw()
        try:
            data = response.content
        finally:
            response.close()
        assert data == proxied[name] == payload(name), name
        # answered by a target without a redirect (a proxy's redirect adds pid= and utm=)
        assert any(response.url.startswith(url + "/v1/objects/") for url in targets)
        assert "pid=" not in response.url and "utm=" not in response.url
    smap_gets = [r for r in recording.requests if r.path == ("daemon",)]
    assert len(smap_gets) == 1
    object_gets = [r for r in recording.requests if r.path[0] == "objects"]
    assert len(object_gets) == len(NAMES) and all(r.endpoint in targets for r in object_gets)

    cluster = local_cluster_or_none(request)
    if cluster is not None:
        wanted = {f"/v1/objects/{bucket.name}/{name}" for name in NAMES}
        direct_gets = [r for r in cluster.requests.matching(method="GET") if r.path in wanted]
        proxied_count = len([r for r in direct_gets if r.node == cluster.proxy_id])
        assert proxied_count == len(NAMES)  # only the proxied round above reached the proxy
        on_targets = [r for r in direct_gets if r.node != cluster.proxy_id]
        # each object was read twice from its owner: once redirected, once direct
        assert len(on_targets) == 2 * len(NAMES)
        for record in on_targets:
            name = record.path.split("/", 4)[4]
            assert record.node == cluster.owner(bucket.name, name)
        assert {r.node for r in on_targets} == set(cluster.target_ids)  # both targets used


def test_direct_head_range_file_and_parallel_reads(bucket: Any) -> None:
    data = bytes(range(256)) * 1000
    obj = bucket.object("ranged.bin")
    obj.get_writer().put_content(data)
    reader = obj.get_reader(direct=True)
    assert reader.head().size == len(data)
    assert obj.get_reader(direct=True, byte_range="bytes=1000-1999").read_all() == data[1000:2000]
    with obj.get_reader(direct=True).as_file() as handle:
        handle.seek(5000)
        assert handle.read(100) == data[5000:5100]
    parallel = obj.get_reader(direct=True, num_workers=3, chunk_size=40_000).read_all()
    assert bytes(parallel) == data
    assert b"".join(obj.get_reader(direct=True, chunk_size=9999)) == data


def test_direct_read_of_a_missing_object_refreshes_the_map_once(
    client: Client, bucket: Any
) -> None:
    direct_client, recording = recording_client(client)
    obj = direct_client.bucket(bucket.name).object("does-not-exist")
    with pytest.raises(ErrObjNotFound):
        obj.get_reader(direct=True).read_all()
    smap_gets = [r for r in recording.requests if r.path == ("daemon",)]
    object_gets = [r for r in recording.requests if r.path[0] == "objects"]
    assert len(smap_gets) == 2  # the first fetch, and one refresh after the 404
    assert len(object_gets) == 1 and object_gets[0].endpoint is not None  # same owner: no resend
    assert not direct_client.direct_reads.refused


def test_cached_map_agrees_with_the_cluster(client: Client) -> None:
    smap = client.get_smap()
    assert client.get_smap() is smap
    info = client.cluster().get_info()
    assert set(smap.tmap) == set(info.tmap)
    assert all(node.public_url.startswith("http") for node in smap.targets)
    assert client.get_smap(force_update=True) is not smap
