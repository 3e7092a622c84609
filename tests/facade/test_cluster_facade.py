"""Cluster builders and facade through mock transports."""

from __future__ import annotations

from typing import Any

import pytest

from aisclient import Client
from aisclient.enums import FLTPresence, LogSeverity, NodeFilter
from aisclient.errors import AISConnectionError
from aisclient.ops import cluster as ops
from aisclient.provider import Namespace, Provider
from aisclient.request import Request, render_url
from aisclient.retry import RetryPolicy
from aisclient.transport.base import BytesResponse, Response
from aisclient.transport.mock import MockTransport

# Retries are tested elsewhere; here every failure must reach the code under test at once.
NO_RETRY = RetryPolicy.never()

ENDPOINT = "http://proxy.invalid:8080"


def _node(node_id: str, kind: str, port: int) -> dict[str, Any]:
    public = {"node_ip_addr": "127.0.0.1", "daemon_port": str(port)}
    public["direct_url"] = f"http://127.0.0.1:{port}"
    return {"daemon_id": node_id, "daemon_type": kind, "public_net": public, "flags": 0}


SMAP = {
    "pmap": {"p1": _node("p1", "proxy", 51080)},
    "proxy_si": _node("p1", "proxy", 51080),
    "tmap": {f"t{i}": _node(f"t{i}", "target", 51080 + i) for i in (1, 2, 3)},
    "uuid": "wjGF3nciO",
    "version": "5",
}


def client_with(handler: Any) -> tuple[Client, list[Request]]:
    seen: list[Request] = []

    def handle(request: Request) -> Response:
        seen.append(request)
        answer = handler(request)
        if isinstance(answer, Response):
            return answer
        if isinstance(answer, str):
            return BytesResponse(200, answer)
        return BytesResponse.of_json(answer)

    return Client(
        ENDPOINT, retry_config=NO_RETRY, transport=MockTransport(handle, base_url=ENDPOINT)
    ), seen


def url(request: Request) -> str:
    return render_url(ENDPOINT, request)


# -- builders ------------------------------------------------------------------------------


def test_smap_and_bmd_requests() -> None:
    assert url(ops.get_smap()) == f"{ENDPOINT}/v1/daemon?what=smap"
    assert url(ops.get_bmd()) == f"{ENDPOINT}/v1/daemon?what=bmd"
    assert url(ops.cluster_query("target_ips")) == f"{ENDPOINT}/v1/cluster?what=target_ips"
    with pytest.raises(ValueError, match="node_status"):
        ops.cluster_query("node_status")


def test_list_buckets_request() -> None:
    req = ops.list_buckets()
    assert req.method == "GET" and url(req) == f"{ENDPOINT}/v1/buckets?provider=ais"
    assert req.json == {"action": "list", "name": "", "value": None}
    assert ops.list_buckets("s3").query == (("provider", "aws"),)
    assert ops.list_buckets("").query == (("provider", ""),)
    req = ops.list_buckets(
        Provider.GOOGLE, namespace=Namespace("u", "n"), presence=FLTPresence.FLT_PRESENT
    )
    assert req.query == (("provider", "gcp"), ("namespace", "@u#n"), ("presence", "2"))


def test_node_requests_carry_the_node_id_header() -> None:
    req = ops.node_status("t1")
    assert url(req) == f"{ENDPOINT}/v1/reverse/daemon?what=node_status"
    assert req.header("Ais-Node-Id") == "t1"
    log_req = ops.node_log("t1", "warning", all_logs=True)
    assert log_req.query == (("what", "log"), ("severity", "warning"), ("all", "true"))
    assert log_req.stream
    with pytest.raises(ValueError):
        ops.node_status("")
    with pytest.raises(ValueError, match="severity"):
        ops.node_log("t1", "debug")


def test_health_requests() -> None:
    req = ops.health("http://primary:1", primary_ready=True)
    assert render_url(ENDPOINT, req) == "http://primary:1/v1/health?prr=true"
    assert ops.health(cluster_info=True).query == (("cii", "true"),)
    with pytest.raises(ValueError):
        ops.health(primary_ready=True, cluster_info=True)


# -- facade --------------------------------------------------------------------------------


def test_get_info_uuid_and_primary() -> None:
    client, seen = client_with(lambda r: SMAP)
    cluster = client.cluster()
    assert seen == []  # the factory sends nothing
    smap = cluster.get_info()
    assert len(smap.tmap) == 3
    assert cluster.get_uuid() == "wjGF3nciO"
    assert cluster.get_primary_url() == "http://127.0.0.1:51080"
    assert all(r.path == ("daemon",) for r in seen)


def test_list_buckets() -> None:
    reply = [
        {"name": "b1", "provider": "ais", "namespace": {"uuid": "", "name": ""}},
        {"name": "c1", "provider": "aws", "namespace": {"uuid": "", "name": ""}},
    ]
    client, seen = client_with(lambda r: reply)
    buckets = client.cluster().list_buckets(provider="")
    assert [(b.name, b.provider) for b in buckets] == [("b1", "ais"), ("c1", "aws")]
    assert seen[0].query == (("provider", ""),)


def test_jobs_lists_tolerate_null() -> None:
    client, seen = client_with(lambda r: None)
    cluster = client.cluster()
    assert cluster.list_jobs_status() == []
    assert cluster.list_running_jobs("archive") == []
    assert seen[0].json == {"kind": "", "node": "", "show_active": False}
    assert seen[1].json == {"kind": "archive", "node": "", "show_active": True}


def test_jobs_lists_decode() -> None:
    def reply(request: Request) -> Any:
        if request.query_value("what") == "status_all":
            return [{"uuid": "j1", "kind": "copy-bck", "end_time": "0", "aborted": False}]
        return ["copy-listrange[tco-1]"]

    client, seen = client_with(reply)
    cluster = client.cluster()
    (status,) = cluster.list_jobs_status("copy-bck", bucket=client.bucket("b"))
    assert status.uuid == "j1" and not status.is_finished
    assert seen[0].json["bck"] == {"name": "b", "provider": "ais", "namespace": None}
    assert cluster.list_running_jobs() == ["copy-listrange[tco-1]"]


def test_list_etls_filters_by_stage() -> None:
    reply = [
        {"id": "etl-one", "stage": "Running"},
        {"id": "etl-two", "stage": "Aborted"},
        {"id": "etl-three", "stage": "Initializing"},
    ]
    client, seen = client_with(lambda r: reply)
    cluster = client.cluster()
    assert [e.name for e in cluster.list_etls()] == ["etl-one"]
    assert [e.name for e in cluster.list_running_etls()] == ["etl-one"]
    assert [e.name for e in cluster.list_etls(["Aborted", "Initializing"])] == [
        "etl-two",
        "etl-three",
    ]
    assert seen[0].method == "GET" and seen[0].path == ("etl",)


def test_is_ready_asks_the_primary() -> None:
    def reply(request: Request) -> Any:
        if request.path == ("health",):
            return BytesResponse(200, b"")
        return SMAP

    client, seen = client_with(reply)
    assert client.cluster().is_ready() is True
    health = seen[-1]
    assert health.endpoint == "http://127.0.0.1:51080"
    assert health.query == (("prr", "true"),)


@pytest.mark.parametrize(
    "failure",
    [
        lambda r: BytesResponse(503, b'{"message":"not ready"}') if r.path == ("health",) else SMAP,
        lambda r: BytesResponse(500, b"no smap"),
    ],
)
def test_is_ready_is_false_on_any_failure(failure: Any) -> None:
    client, _ = client_with(failure)
    assert client.cluster().is_ready() is False


def test_is_ready_is_false_on_network_errors() -> None:
    def broken(_: Request) -> Response:
        raise AISConnectionError("refused", method="GET", url=ENDPOINT, phase="connect")

    client = Client(ENDPOINT, retry_config=NO_RETRY, transport=MockTransport(broken))
    assert client.cluster().is_ready() is False


def test_performance_logs_and_capacity_per_node() -> None:
    def reply(request: Request) -> Any:
        if request.path == ("daemon",):
            return SMAP
        node = request.header("Ais-Node-Id")
        what = request.query_value("what")
        if what == "node_status":
            return {"snode": {"daemon_id": node}, "capacity": {"used": 1, "node": node}}
        if request.query_value("all") == "true":
            return BytesResponse(200, b"\x1f\x8b tgz of " + str(node).encode())
        return f"log of {node} at {request.query_value('severity')}"

    client, _ = client_with(reply)
    cluster = client.cluster()
    perf = cluster.get_performance()
    assert sorted(perf) == ["t1", "t2", "t3"] and perf["t2"]["snode"]["daemon_id"] == "t2"
    assert cluster.get_capacity()["t3"] == {"used": 1, "node": "t3"}
    assert cluster.get_node_log("t1", LogSeverity.ERROR) == "log of t1 at error"
    assert cluster.get_node_log_archive("p1") == b"\x1f\x8b tgz of p1"
    logs = cluster.get_cluster_logs(role=NodeFilter.ALL)
    assert logs == {n: f"log of {n} at info" for n in ("t1", "t2", "t3", "p1")}
    assert sorted(cluster.get_cluster_logs(role="proxy")) == ["p1"]


def test_cluster_queries() -> None:
    replies = {
        "bmd": {"providers": {"ais": {"@#": {"b": {}}}}, "uuid": "u", "version": "2"},
        "backends": ["aws", "gcp"],
        "target_ips": "127.0.0.1,127.0.0.2 ,10.0.0.1",
        "cluster_config": {"space": {"highwm": 90}},
        "sysinfo": {"proxy": {}, "target": {}},
        "node_stats": {"proxy": {}, "target": {}},
        "mountpaths": {"targets": {}},
        "remote": {"a": []},
    }

    def reply(request: Request) -> Any:
        return replies[str(request.query_value("what"))]

    client, seen = client_with(reply)
    cluster = client.cluster()
    assert cluster.get_bmd().bucket_names() == ["b"]
    assert cluster.get_backends() == ["aws", "gcp"]
    assert cluster.get_target_ips() == ["127.0.0.1", "127.0.0.2", "10.0.0.1"]
    assert cluster.get_config() == {"space": {"highwm": 90}}
    assert cluster.get_sysinfo() == {"proxy": {}, "target": {}}
    assert cluster.get_node_stats() == {"proxy": {}, "target": {}}
    assert cluster.get_mountpaths() == {"targets": {}}
    assert cluster.get_remote_clusters() == {"a": []}
    assert [r.path for r in seen[1:]] == [("cluster",)] * 7


def test_cluster_state() -> None:
    client, seen = client_with(lambda r: {"smap": {"uuid": "u", "version": "4"}})
    assert client.cluster().get_cluster_state()["smap"]["uuid"] == "u"
    assert seen[0].path == ("health",) and seen[0].query == (("cii", "true"),)
