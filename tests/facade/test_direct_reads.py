"""Direct reads (``get_reader(direct=True)``) offline: the cached cluster map, the target each
request goes to, refresh-and-retry on 404 or an unreachable target, and the proxy fallback."""

from __future__ import annotations

import logging
import pickle
import threading
import time
from typing import Any

import pytest

from aisclient import Client
from aisclient.direct import DirectReads
from aisclient.errors import (
    AISConnectionError,
    ErrBckNotFound,
    ErrObjNotFound,
    IncompleteBodyError,
    NoTargetError,
)
from aisclient.models.cluster import HRW_SEED, SNODE_MAINT, xoshiro256_hash, xxhash64
from aisclient.request import Request
from aisclient.retry import RetryPolicy
from aisclient.transport.base import BytesResponse, Response
from aisclient.transport.mock import MockTransport

PROXY = "http://ais.invalid:8080"


def url_of(tid: str) -> str:
    return f"http://{tid}.invalid:9000"


def snode(tid: str, kind: str = "target", flags: int = 0, url: str | None = None) -> dict[str, Any]:
    net = {"node_ip_addr": f"{tid}.invalid", "daemon_port": "9000", "direct_url": url_of(tid)}
    if url is not None:
        net["direct_url"] = url
    return {
        "daemon_id": tid,
        "daemon_type": kind,
        "public_net": net,
        "intra_control_net": net,
        "intra_data_net": net,
        "flags": flags,
        "id_digest": xxhash64(tid.encode(), HRW_SEED),
    }


def smap_doc(*targets: str, version: int = 1, **nodes: dict[str, Any]) -> dict[str, Any]:
    tmap = {tid: snode(tid) for tid in targets}
    tmap.update(nodes)
    proxy = snode("p1", "proxy", url=PROXY)
    return {
        "tmap": tmap,
        "pmap": {"p1": proxy},
        "proxy_si": proxy,
        "version": str(version),
        "uuid": "cluster-uuid",
        "creation_time": "",
    }


def owner(uname: str, targets: list[str]) -> str:
    """The HRW owner, computed here from first principles (not through Smap)."""
    digest = xxhash64(uname.encode(), HRW_SEED)
    return max(targets, key=lambda t: xoshiro256_hash(xxhash64(t.encode(), HRW_SEED) ^ digest))


def data_of(name: str) -> bytes:
    return f"content of {name}".encode() * 3


class FakeCluster:
    """Proxy and targets behind one MockTransport.

    ``served`` maps a map version to the smap the proxy returns; ``truth`` lists the targets
    that really hold objects now (a target that is not the owner there answers 404).
    ``status_of`` / ``unreachable`` script per-target behaviour.
    """

    def __init__(self, *maps: dict[str, Any], truth: list[str] | None = None) -> None:
        self.maps = list(maps)
        self.truth = truth if truth is not None else list(self.maps[0]["tmap"])
        self.status_of: dict[str, int] = {}
        self.unreachable: set[str] = set()
        self.smap_delay = 0.0
        self.lock = threading.Lock()
        self.smap_fetches = 0
        self.sent: list[Request] = []

    def targets_hit(self) -> list[str | None]:
        return [r.endpoint for r in self.sent if r.path[0] == "objects"]

    def __call__(self, request: Request) -> Response:
        with self.lock:
            self.sent.append(request)
        if request.path == ("daemon",):
            assert request.endpoint is None  # the map comes from the proxy
            assert request.query == (("what", "smap"),)
            time.sleep(self.smap_delay)
            with self.lock:
                doc = self.maps[min(self.smap_fetches, len(self.maps) - 1)]
                self.smap_fetches += 1
            return BytesResponse.of_json(doc)
        assert request.path[0] == "objects"
        bucket, name = request.path[1], request.path[2]
        if bucket == "gone":
            return BytesResponse.of_json(
                {"message": f'bucket "ais://{bucket}" does not exist', "status": 404}, status=404
            )
        if request.endpoint is not None:
            tid = request.endpoint.split("//")[1].split(".")[0]
            if tid in self.unreachable:
                raise AISConnectionError(
                    "cannot connect", method=request.method, url=request.endpoint, phase="connect"
                )
            if tid in self.status_of:
                return BytesResponse.of_json(
                    {"message": "direct access refused", "status": 403},
                    status=self.status_of[tid],
                )
            namespace = request.query_value("namespace") or "@#"
            uname = f"{request.query_value('provider')}/{namespace}/{bucket}/{name}"
            if tid != owner(uname, self.truth) or name.startswith("missing"):
                return BytesResponse.of_json(
                    {"message": f"ais://{bucket}/{name} does not exist", "status": 404},
                    status=404,
                )
        elif name.startswith("missing"):
            return BytesResponse.of_json(
                {"message": f"ais://{bucket}/{name} does not exist", "status": 404}, status=404
            )
        data = data_of(name)
        spec = request.header("Range")
        if spec:
            low, high = spec.removeprefix("bytes=").split("-")
            first, last = int(low), int(high or len(data) - 1)
            part = data[first : last + 1]
            return BytesResponse(
                206,
                b"" if request.method == "HEAD" else part,
                {
                    "Content-Length": str(len(part)),
                    "Content-Range": f"bytes {first}-{last}/{len(data)}",
                },
            )
        headers = {"Content-Length": str(len(data)), "Ais-Version": "1"}
        return BytesResponse(200, b"" if request.method == "HEAD" else data, headers)


def client_for(fake: FakeCluster) -> Client:
    # No retries: each test counts the requests that reach each node.
    return Client(
        PROXY, transport=MockTransport(fake, base_url=PROXY), retry_config=RetryPolicy.never()
    )


NAMES = [f"dir/obj-{i:03d}.bin" for i in range(60)]


# -- the cached cluster map --------------------------------------------------------------------


def test_map_is_fetched_once_for_many_reads_and_each_goes_to_its_owner() -> None:
    fake = FakeCluster(smap_doc("t1", "t2", "t3"))
    client = client_for(fake)
    bucket = client.bucket("b")
    for name in NAMES:
        assert bucket.object(name).get_reader(direct=True).read_all() == data_of(name)
    assert fake.smap_fetches == 1
    expected = [url_of(owner(f"ais/@#/b/{name}", ["t1", "t2", "t3"])) for name in NAMES]
    assert fake.targets_hit() == expected
    assert set(expected) == {url_of("t1"), url_of("t2"), url_of("t3")}  # spread over all


def test_the_map_is_fetched_when_the_reader_is_made_and_reads_stay_lazy() -> None:
    fake = FakeCluster(smap_doc("t1", "t2"))
    reader = client_for(fake).bucket("b").object("o").get_reader(direct=True)
    assert fake.smap_fetches == 1
    assert fake.targets_hit() == []
    assert reader.request.endpoint is None  # the target is chosen per send, not baked in
    assert reader.read_all() == data_of("o")


def test_namespaced_buckets_hash_their_full_uname() -> None:
    from aisclient.provider import Namespace

    fake = FakeCluster(smap_doc("t1", "t2", "t3", "t4"))
    client = client_for(fake)
    for i in range(20):
        name = f"n{i}"
        ns_obj = client.bucket("b", namespace=Namespace("uuid", "ns")).object(name)
        ns_obj.get_reader(direct=True).raw().close()
        want = url_of(owner(f"ais/@uuid#ns/b/{name}", ["t1", "t2", "t3", "t4"]))
        assert fake.targets_hit()[-1] == want


def test_get_smap_caches_and_force_update_refetches() -> None:
    fake = FakeCluster(smap_doc("t1", version=1), smap_doc("t1", "t2", version=2))
    client = client_for(fake)
    first = client.get_smap()
    assert client.get_smap() is first and first.version == 1
    assert fake.smap_fetches == 1
    fresh = client.get_smap(force_update=True)
    assert fresh.version == 2 and sorted(fresh.tmap) == ["t1", "t2"]
    assert client.get_smap() is fresh and fake.smap_fetches == 2


def test_concurrent_first_reads_fetch_the_map_once() -> None:
    fake = FakeCluster(smap_doc("t1", "t2"))
    fake.smap_delay = 0.05  # every thread arrives while the first fetch is in flight
    client = client_for(fake)
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def read(i: int) -> None:
        try:
            start.wait()
            name = NAMES[i]
            assert client.bucket("b").object(name).get_reader(direct=True).read_all() == (
                data_of(name)
            )
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=read, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert fake.smap_fetches == 1


def test_refresh_of_the_same_stale_map_fetches_once() -> None:
    fake = FakeCluster(smap_doc("t1", version=1), smap_doc("t2", version=2))
    client = client_for(fake)
    state: DirectReads = client.direct_reads
    stale = client.get_smap()
    newer = state.refresh(client, stale)
    assert newer.version == 2 and fake.smap_fetches == 2
    # a second reader that saw the same stale map gets the newer one without a fetch
    assert state.refresh(client, stale) is newer and fake.smap_fetches == 2


def test_client_with_a_cached_map_pickles_and_the_copy_fetches_its_own() -> None:
    client = Client("http://127.0.0.1:1")
    client.direct_reads._smap = object()  # type: ignore[assignment]
    copy = pickle.loads(pickle.dumps(client))
    assert copy.direct_reads.cached_smap is None and not copy.direct_reads.refused


# -- HEAD, ranges, parallel, resume --------------------------------------------------------


def test_head_and_parallel_ranges_go_to_the_target_too() -> None:
    fake = FakeCluster(smap_doc("t1", "t2", "t3"))
    name = "big/object"
    reader = (
        client_for(fake)
        .bucket("b")
        .object(name)
        .get_reader(direct=True, num_workers=2, chunk_size=7)
    )
    assert bytes(reader.read_all()) == data_of(name)
    assert reader.head().size == len(data_of(name))
    want = url_of(owner(f"ais/@#/b/{name}", ["t1", "t2", "t3"]))
    methods = {r.method for r in fake.sent if r.path[0] == "objects"}
    assert methods == {"GET", "HEAD"}
    assert set(fake.targets_hit()) == {want}
    assert len(fake.targets_hit()) > 3  # one HEAD plan + several ranges + HEAD


def test_byte_range_and_writer_are_direct() -> None:
    import io

    fake = FakeCluster(smap_doc("t1", "t2"))
    obj = client_for(fake).bucket("b").object("o")
    out = io.BytesIO()
    obj.get_reader(direct=True, writer=out)
    assert out.getvalue() == data_of("o")
    ranged = obj.get_reader(direct=True, byte_range="bytes=2-5").read_all()
    assert ranged == data_of("o")[2:6]
    assert None not in fake.targets_hit()


class BreakingBody(BytesResponse):
    """A 200 whose body breaks off after ``cut`` bytes."""

    def __init__(self, data: bytes, cut: int) -> None:
        super().__init__(200, data, {"Content-Length": str(len(data))})
        self._left = cut

    def read(self, amt: int | None = None) -> bytes:
        if self._left <= 0:
            raise IncompleteBodyError("connection reset", phase="read")
        chunk = super().read(min(self._left, amt if amt is not None else self._left))
        self._left -= len(chunk)
        return chunk


def test_a_resumed_read_goes_to_the_target_again() -> None:
    fake = FakeCluster(smap_doc("t1", "t2"))
    name = "resumed"

    def handler(request: Request) -> Response:
        response = fake(request)
        if request.path[0] == "objects" and len(fake.targets_hit()) == 1:
            return BreakingBody(data_of(name), cut=5)
        return response

    client = Client(PROXY, transport=MockTransport(handler, base_url=PROXY))
    reader = client.bucket("b").object(name).get_reader(direct=True)
    with reader.as_file() as handle:
        assert handle.read() == data_of(name)
    want = url_of(owner(f"ais/@#/b/{name}", ["t1", "t2"]))
    assert fake.targets_hit() == [want, want]
    resumed = [r for r in fake.sent if r.path[0] == "objects"][1]
    assert resumed.header("Range") == "bytes=5-"
    assert fake.smap_fetches == 1


# -- 404 and unreachable targets: refresh the map once ---------------------------------------


def moved_name(old: list[str], new: list[str]) -> str:
    """A name whose owner differs between the two target lists."""
    for name in NAMES:
        uname = f"ais/@#/b/{name}"
        if owner(uname, old) != owner(uname, new):
            return name
    raise AssertionError("no moved name")


def test_404_refreshes_the_map_and_retries_at_the_new_owner() -> None:
    old, new = ["t1", "t2"], ["t1", "t2", "t3"]
    fake = FakeCluster(smap_doc(*old, version=1), smap_doc(*new, version=2), truth=new)
    client = client_for(fake)
    name = moved_name(old, new)
    assert client.bucket("b").object(name).get_reader(direct=True).read_all() == data_of(name)
    assert fake.smap_fetches == 2
    uname = f"ais/@#/b/{name}"
    assert fake.targets_hit() == [url_of(owner(uname, old)), url_of(owner(uname, new))]
    # the refreshed map serves later reads: no more fetches, no 404 first
    fake.sent.clear()
    other = NAMES[-1]
    client.bucket("b").object(other).get_reader(direct=True).read_all()
    assert fake.smap_fetches == 2
    assert fake.targets_hit() == [url_of(owner(f"ais/@#/b/{other}", new))]


def test_404_with_the_same_owner_after_refresh_raises_without_resending() -> None:
    fake = FakeCluster(smap_doc("t1", "t2", version=1), smap_doc("t1", "t2", version=2))
    reader = client_for(fake).bucket("b").object("missing-1").get_reader(direct=True)
    with pytest.raises(ErrObjNotFound):
        reader.read_all()
    assert fake.smap_fetches == 2  # refreshed once
    assert len(fake.targets_hit()) == 1  # but not re-sent to the same target


def test_404_after_the_retry_is_raised_and_the_map_is_refreshed_only_once() -> None:
    old, new = ["t1", "t2"], ["t1", "t2", "t3"]
    fake = FakeCluster(smap_doc(*old), smap_doc(*new), truth=new)
    name = next(
        n
        for n in (f"missing-{i}" for i in range(100))
        if owner(f"ais/@#/b/{n}", old) != owner(f"ais/@#/b/{n}", new)
    )
    with pytest.raises(ErrObjNotFound):
        client_for(fake).bucket("b").object(name).get_reader(direct=True).read_all()
    assert fake.smap_fetches == 2
    assert len(fake.targets_hit()) == 2


def test_missing_bucket_does_not_refresh_the_map() -> None:
    fake = FakeCluster(smap_doc("t1", "t2"))
    with pytest.raises(ErrBckNotFound):
        client_for(fake).bucket("gone").object("o").get_reader(direct=True).read_all()
    assert fake.smap_fetches == 1


def test_unreachable_target_refreshes_the_map_and_reads_from_the_new_owner() -> None:
    old, new = ["t1", "t2", "t3"], ["t1", "t2"]
    fake = FakeCluster(smap_doc(*old), smap_doc(*new), truth=new)
    fake.unreachable = {"t3"}
    name = next(n for n in NAMES if owner(f"ais/@#/b/{n}", old) == "t3")
    assert client_for(fake).bucket("b").object(name).get_reader(direct=True).read_all() == (
        data_of(name)
    )
    assert fake.smap_fetches == 2
    assert fake.targets_hit() == [url_of("t3"), url_of(owner(f"ais/@#/b/{name}", new))]


def test_unreachable_target_still_in_the_map_raises_the_connection_error() -> None:
    fake = FakeCluster(smap_doc("t1"))
    fake.unreachable = {"t1"}
    with pytest.raises(AISConnectionError):
        client_for(fake).bucket("b").object("o").get_reader(direct=True).read_all()
    assert fake.smap_fetches == 2


# -- no target -------------------------------------------------------------------------------


def test_empty_tmap_raises_no_target_error_when_the_reader_is_made() -> None:
    fake = FakeCluster(smap_doc())
    with pytest.raises(NoTargetError, match="Total nodes: 0"):
        client_for(fake).bucket("b").object("o").get_reader(direct=True)
    assert fake.targets_hit() == []


def test_targets_all_in_maintenance_raise_no_target_error() -> None:
    doc = smap_doc(t1=snode("t1", flags=SNODE_MAINT), t2=snode("t2", flags=SNODE_MAINT))
    fake = FakeCluster(doc)
    with pytest.raises(NoTargetError, match="Total nodes: 2"):
        client_for(fake).bucket("b").object("o").get_reader(direct=True)


def test_maintenance_targets_are_skipped() -> None:
    doc = smap_doc("t1", "t2", t3=snode("t3", flags=SNODE_MAINT))
    fake = FakeCluster(doc, truth=["t1", "t2"])
    client = client_for(fake)
    for name in NAMES[:30]:
        client.bucket("b").object(name).get_reader(direct=True).read_all()
    assert url_of("t3") not in fake.targets_hit()
    assert fake.targets_hit() == [url_of(owner(f"ais/@#/b/{n}", ["t1", "t2"])) for n in NAMES[:30]]


def test_target_without_a_public_url_is_read_through_the_proxy() -> None:
    fake = FakeCluster(smap_doc(t1=snode("t1", url="")))
    assert client_for(fake).bucket("b").object("o").get_reader(direct=True).read_all() == (
        data_of("o")
    )
    assert fake.targets_hit() == [None]


# -- targets that refuse direct access ------------------------------------------------------


@pytest.mark.parametrize("status", [401, 403])
def test_refusing_target_falls_back_to_the_proxy_and_is_remembered(
    status: int, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeCluster(smap_doc("t1", "t2"))
    fake.status_of = {"t1": status, "t2": status}
    client = client_for(fake)
    with caplog.at_level(logging.INFO, logger="aisclient.direct"):
        for name in NAMES[:5]:
            assert client.bucket("b").object(name).get_reader(direct=True).read_all() == (
                data_of(name)
            )
    hits = fake.targets_hit()
    assert hits[0] is not None and hits[1:] == [None] * 5  # one refusal, then the proxy only
    assert client.direct_reads.refused
    records = [r for r in caplog.records if r.name == "aisclient.direct"]
    assert len(records) == 1 and records[0].levelno == logging.INFO
    assert str(status) in records[0].getMessage() and "proxy" in records[0].getMessage()
    assert fake.smap_fetches == 1


def test_a_refused_client_sends_no_map_request_for_new_readers() -> None:
    fake = FakeCluster(smap_doc("t1"))
    client = client_for(fake)
    client.direct_reads._refused = True
    assert client.bucket("b").object("o").get_reader(direct=True).read_all() == data_of("o")
    assert fake.smap_fetches == 0 and fake.targets_hit() == [None]


def test_proxy_404_after_a_refusal_does_not_refresh_the_map() -> None:
    fake = FakeCluster(smap_doc("t1"))
    fake.status_of = {"t1": 403}
    with pytest.raises(ErrObjNotFound):
        client_for(fake).bucket("b").object("missing-x").get_reader(direct=True).read_all()
    assert fake.smap_fetches == 1
    assert fake.targets_hit() == [url_of("t1"), None]


def test_without_direct_nothing_changes() -> None:
    fake = FakeCluster(smap_doc("t1", "t2"))
    client = client_for(fake)
    assert client.bucket("b").object("o").get_reader().read_all() == data_of("o")
    assert fake.smap_fetches == 0 and fake.targets_hit() == [None]
