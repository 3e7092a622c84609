"""Direct reads over real sockets (urllib3 transport, two local HTTP servers as proxy and
target): where each request lands, and who gets the token."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest

from _support.httpserver import Call, TestServer, serving
from aisclient import Client
from aisclient.models.cluster import HRW_SEED, xxhash64


@pytest.fixture
def servers() -> Iterator[tuple[TestServer, TestServer]]:
    with serving() as proxy, serving() as target:
        yield proxy, target


def smap_json(proxy: TestServer, target: TestServer) -> bytes:
    def node(tid: str, kind: str, url: str) -> dict[str, object]:
        net = {"node_ip_addr": "127.0.0.1", "daemon_port": url.rsplit(":", 1)[1], "direct_url": url}
        return {
            "daemon_id": tid,
            "daemon_type": kind,
            "public_net": net,
            "intra_control_net": net,
            "intra_data_net": net,
            "flags": 0,
            "id_digest": xxhash64(tid.encode(), HRW_SEED),
        }

    doc = {
        "tmap": {"t1": node("t1", "target", target.url)},
        "pmap": {"p1": node("p1", "proxy", proxy.url)},
        "proxy_si": node("p1", "proxy", proxy.url),
        "version": "3",
        "uuid": "u",
    }
    return json.dumps(doc).encode()


def proxy_handler(proxy: TestServer, target: TestServer) -> Callable[[Call], None]:
    def handle(call: Call) -> None:
        if call.path == "/v1/daemon":
            call.reply(200, smap_json(proxy, target), {"Content-Type": "application/json"})
        else:
            call.reply(200, b"via proxy")

    return handle


def test_direct_get_and_head_go_to_the_target_with_the_token(
    servers: tuple[TestServer, TestServer],
) -> None:
    proxy, target = servers
    proxy.handler = proxy_handler(proxy, target)
    target.reply_with(200, b"from target", Ais_Checksum_Type="xxhash", Ais_Checksum_Value="ab12")
    client = Client(proxy.url, token="s3cret")
    reader = client.bucket("b").object("dir/o 1").get_reader(direct=True)
    assert reader.read_all() == b"from target"
    assert reader.head().checksum_value == "ab12"
    assert [(s.method, s.target) for s in proxy.seen] == [("GET", "/v1/daemon?what=smap")]
    assert [(s.method, s.path) for s in target.seen] == [
        ("GET", "/v1/objects/b/dir/o%201"),
        ("HEAD", "/v1/objects/b/dir/o%201"),
    ]
    # the target is the host each request was addressed to, so it gets the token
    assert {s.headers.get("authorization") for s in target.seen} == {"Bearer s3cret"}
    assert proxy.seen[0].headers.get("authorization") == "Bearer s3cret"


def test_refused_direct_read_goes_to_the_proxy(servers: tuple[TestServer, TestServer]) -> None:
    proxy, target = servers
    proxy.handler = proxy_handler(proxy, target)
    target.reply_with(403, b'{"message":"direct access denied","status":403}')
    client = Client(proxy.url)
    for _ in range(3):
        assert client.bucket("b").object("o").get_reader(direct=True).read_all() == b"via proxy"
    assert len(target.seen) == 1
    assert [s.path for s in proxy.seen] == ["/v1/daemon"] + ["/v1/objects/b/o"] * 3
