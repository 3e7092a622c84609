"""Direct reads under arbitrary clusters and membership changes: every read lands on the
object's owner in the map the client holds, and a read after a membership change costs at
most one extra map fetch and one extra GET."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from aisclient import Client
from aisclient.models.cluster import HRW_SEED, xoshiro256_hash, xxhash64
from aisclient.request import Request
from aisclient.transport.base import BytesResponse, Response
from aisclient.transport.mock import MockTransport

target_ids = st.lists(
    st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10),
    min_size=1,
    max_size=6,
    unique=True,
)
object_names = st.lists(
    st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=40).filter(
        lambda n: not n.endswith("/")
    ),
    min_size=1,
    max_size=8,
)


def owner(uname: str, targets: list[str]) -> str:
    digest = xxhash64(uname.encode(), HRW_SEED)
    return max(targets, key=lambda t: xoshiro256_hash(xxhash64(t.encode(), HRW_SEED) ^ digest))


def smap(targets: list[str]) -> dict[str, Any]:
    def node(tid: str) -> dict[str, Any]:
        net = {"node_ip_addr": tid, "daemon_port": "1", "direct_url": f"http://{tid}.t:1"}
        digest = xxhash64(tid.encode(), HRW_SEED)
        return {"daemon_id": tid, "daemon_type": "target", "public_net": net, "id_digest": digest}

    return {"tmap": {tid: node(tid) for tid in targets}, "version": "1"}


class Cluster:
    """Serves map ``maps[k]`` on the k-th fetch (the last one after that); objects live on
    their owner among ``truth``; any other target answers 404."""

    def __init__(self, maps: list[list[str]], truth: list[str]) -> None:
        self.maps, self.truth = maps, truth
        self.fetches = 0
        self.gets: list[str | None] = []

    def __call__(self, request: Request) -> Response:
        if request.path == ("daemon",):
            doc = smap(self.maps[min(self.fetches, len(self.maps) - 1)])
            self.fetches += 1
            return BytesResponse.of_json(doc)
        name = request.path[2]
        self.gets.append(request.endpoint)
        tid = request.endpoint.split("//")[1].split(".t:")[0] if request.endpoint else None
        if tid is not None and tid != owner(f"ais/@#/b/{name}", self.truth):
            body = {"message": f"ais://b/{name} does not exist", "status": 404}
            return BytesResponse.of_json(body, status=404)
        return BytesResponse(200, name.encode())


def client_of(cluster: Cluster) -> Client:
    return Client("http://proxy.t:1", transport=MockTransport(cluster))


@given(targets=target_ids, names=object_names)
def test_every_read_goes_to_its_owner_with_one_map_fetch(
    targets: list[str], names: list[str]
) -> None:
    cluster = Cluster([targets], targets)
    client = client_of(cluster)
    for name in names:
        assert client.bucket("b").object(name).get_reader(direct=True).read_all() == name.encode()
    assert cluster.fetches == 1
    assert cluster.gets == [f"http://{owner(f'ais/@#/b/{n}', targets)}.t:1" for n in names]


@given(old=target_ids, new=target_ids, name=object_names.map(lambda names: names[0]))
def test_a_membership_change_costs_at_most_one_refresh_and_one_resend(
    old: list[str], new: list[str], name: str
) -> None:
    cluster = Cluster([old, new], new)
    client = client_of(cluster)
    assert client.bucket("b").object(name).get_reader(direct=True).read_all() == name.encode()
    moved = owner(f"ais/@#/b/{name}", old) != owner(f"ais/@#/b/{name}", new)
    assert cluster.fetches == (2 if moved else 1)
    assert len(cluster.gets) == (2 if moved else 1)
    assert cluster.gets[-1] == f"http://{owner(f'ais/@#/b/{name}', new)}.t:1"
