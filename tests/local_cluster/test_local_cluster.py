"""LocalCluster: lifecycle, cluster map, health, redirects, buckets, errors, faults.

Plain urllib3 against a started cluster, checking the wire behaviour of real AIS.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import urllib3

from _support.local_cluster_http import Ais, err
from aisclient.testing.local import LocalCluster


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(targets=3) as c:
        yield c


@pytest.fixture
def ais(cluster: LocalCluster) -> Ais:
    cluster.faults.clear()
    return Ais(cluster.endpoint)


@pytest.fixture
def bck(ais: Ais) -> str:
    name = f"b-{uuid.uuid4().hex[:10]}"
    ais.create(name)
    return name


# ---- lifecycle ------------------------------------------------------------------


def test_lifecycle_and_temp_root_removed() -> None:
    c = LocalCluster(targets=1)
    with pytest.raises(RuntimeError):
        _ = c.endpoint
    c.start()
    root = c.root
    assert root.exists()
    assert c.endpoint.startswith("http://127.0.0.1:")
    assert len(c.target_endpoints) == 1
    c.stop()
    assert not root.exists()
    assert not c.running


def test_fixed_port_and_persistent_root(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with LocalCluster(targets=1, port=port, root=tmp_path) as c:
        assert c.endpoint == f"http://127.0.0.1:{port}"
        ais = Ais(c.endpoint)
        ais.create("keep")
        ais.put("keep", "x/y", b"persisted")
    assert tmp_path.exists()
    with LocalCluster(targets=2, root=tmp_path) as c:
        ais = Ais(c.endpoint)
        assert ais.req("GET", "/v1/objects/keep/x/y").data == b"persisted"


def test_main_module_prints_endpoint() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "aisclient.testing.local", "--targets", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("http://127.0.0.1:")
        r = urllib3.request("GET", line + "/v1/health")
        assert r.status == 200
    finally:
        proc.terminate()
        assert proc.wait(10) == 0


def test_plugin_fixture(ais_local_cluster: LocalCluster) -> None:
    r = urllib3.request("GET", ais_local_cluster.endpoint + "/v1/health?readiness=true")
    assert r.status == 200


def test_lazy_reexport() -> None:
    import aisclient.testing as t

    assert t.LocalCluster is LocalCluster


# ---- cluster map and health --------------------------------------------------------


def test_smap(cluster: LocalCluster, ais: Ais) -> None:
    r = ais.req("GET", "/v1/daemon?what=smap")
    assert r.status == 200
    smap = r.json()
    assert smap["proxy_si"]["daemon_id"] == cluster.proxy_id
    assert smap["proxy_si"]["public_net"]["direct_url"] == cluster.endpoint
    assert sorted(smap["tmap"]) == sorted(cluster.target_ids)
    for tid, node in smap["tmap"].items():
        assert node["daemon_type"] == "target"
        assert node["daemon_id"] == tid
        assert node["public_net"]["direct_url"] in cluster.target_endpoints
        assert isinstance(node["id_digest"], int)
    assert isinstance(smap["version"], str)
    assert ais.req("GET", "/v1/cluster?what=smap").json()["uuid"] == smap["uuid"]


def test_health(ais: Ais) -> None:
    for query in ("", "?prr=true", "?readiness=true"):
        r = ais.req("GET", "/v1/health" + query)
        assert r.status == 200
        assert int(r.headers["Ais-Node-Uptime"]) > 0
        assert r.data == b""
    info = ais.req("GET", "/v1/health?cii=true").json()
    assert info["smap"]["Primary"]["pub_url"] == ais.endpoint


def test_unknown_requests(ais: Ais) -> None:
    r = ais.req("GET", "/v1/foo")
    assert r.status == 400
    assert "invalid request URI" in err(r)["message"]
    r = ais.req("GET", "/v1/cluster?what=bogus")
    assert r.status == 400
    assert err(r)["message"] == "unexpected query [what=bogus]"
    r = ais.req("GET", "/v1/daemon?what=bogus")
    assert r.status == 400


def test_etl_and_dsort_stubs(ais: Ais, bck: str) -> None:
    for method, path in (("GET", "/v1/etl"), ("PUT", "/v1/etl"), ("POST", "/v1/etl/x/stop")):
        r = ais.req(method, path, js={} if method != "GET" else None)
        assert r.status == 501
        body = err(r)
        assert body["tcode"] == "ErrUnsupp"
        assert body["message"] == (
            "cannot use ETL in a build without ETL support - operation not supported"
        )
    ais.put(bck, "o", b"data")
    r = ais.req("GET", f"/v1/objects/{bck}/o?etl_name=foo")
    assert r.status == 501
    assert err(r)["tcode"] == "ErrUnsupp"
    r = ais.req("GET", "/v1/sort")
    assert (r.status, r.data) == (200, b"[]")
    r = ais.req("POST", "/v1/sort", js={})
    assert r.status == 501
    assert r.data == b"dsort not enabled (build with -tags=dsort)"


# ---- redirects -------------------------------------------------------------------


def test_redirects(cluster: LocalCluster, ais: Ais, bck: str) -> None:
    obj = "dir/some obj.bin"
    qobj = "dir/some%20obj.bin"
    owner = cluster.owner(bck, obj)
    owner_url = dict(zip(cluster.target_ids, cluster.target_endpoints, strict=True))[owner]
    for method, status in (("PUT", 307), ("GET", 301), ("HEAD", 307), ("DELETE", 307)):
        r = ais.req(
            method,
            f"/v1/objects/{bck}/{qobj}?provider=ais",
            b"x" if method == "PUT" else None,
            follow=False,
        )
        assert r.status == status, method
        loc = urlsplit(r.headers["Location"])
        assert f"{loc.scheme}://{loc.netloc}" == owner_url
        assert loc.path == f"/v1/objects/{bck}/{qobj}"
        q = parse_qs(loc.query)
        assert q["provider"] == ["ais"]
        assert q["pid"] == [cluster.proxy_id]
        assert q["utm"]
        if method == "PUT":
            assert ais.req("PUT", r.headers["Location"], b"x").status == 200
    # the same object always lands on the same target
    assert cluster.owner(bck, obj) == owner


def test_direct_target_writes_refused(cluster: LocalCluster, ais: Ais, bck: str) -> None:
    target = cluster.target_endpoints[0]
    r = ais.req("PUT", f"{target}/v1/objects/{bck}/x", b"data")
    assert r.status == 400
    assert err(r)["message"].endswith("PUT(obj) is expected to be redirected")
    ais.put(bck, "x", b"data")
    # direct reads are fine, on any target
    for t in cluster.target_endpoints:
        assert ais.req("GET", f"{t}/v1/objects/{bck}/x").data == b"data"


def test_put_body_sent_to_proxy_is_drained(ais: Ais, bck: str) -> None:
    # keep-alive survives a body the proxy never reads
    big = b"z" * (3 << 20)
    for i in range(3):
        ais.put(bck, f"big{i}", big)
    assert ais.req("GET", f"/v1/objects/{bck}/big2").data == big


def test_expect_continue_redirect_closes_without_body(cluster: LocalCluster, bck: str) -> None:
    host, port = cluster.endpoint.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as s:
        s.sendall(
            f"PUT /v1/objects/{bck}/e HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n"
            "Expect: 100-continue\r\n\r\n".encode()
        )
        s.settimeout(5)
        data = b""
        while b"\r\n\r\n" not in data:
            data += s.recv(4096)
    head = data.decode()
    assert head.startswith("HTTP/1.1 307")
    assert "Connection: close" in head
    assert "100 Continue" not in head


# ---- errors -------------------------------------------------------------------------


def test_error_format(cluster: LocalCluster, ais: Ais) -> None:
    r = ais.req("HEAD", "/v1/buckets/nope-missing")
    assert r.status == 404
    assert r.data == b""
    assert r.headers["Content-Type"] == "application/json"
    body = json.loads(r.headers["Hdr-Error"])
    assert body == {
        "tcode": "ErrBckNotFound",
        "message": 'bucket "ais://nope-missing" does not exist',
        "method": "HEAD",
        "url_path": "/v1/buckets/nope-missing",
        "remote_addr": body["remote_addr"],
        "caller": "",
        "node": f"p[{cluster.proxy_id}]",
        "status": 404,
    }
    r = ais.req("GET", "/v1/objects/nope-missing/o")
    assert r.status == 404
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert err(r)["message"] == 'bucket "ais://nope-missing" does not exist'
    assert not r.data.endswith(b"\n")


def test_object_not_found_messages(cluster: LocalCluster, ais: Ais, bck: str) -> None:
    r = ais.req("GET", f"/v1/objects/{bck}/missing.txt")
    assert r.status == 404
    body = err(r)
    owner = cluster.owner(bck, "missing.txt")
    assert body["tcode"] == "ErrNotFound"
    assert body["message"] == f"t[{owner}]: ais://{bck}/missing.txt does not exist"
    assert body["node"] == f"t[{owner}]"
    r = ais.req("HEAD", f"/v1/objects/{bck}/missing.txt?props=name,size")
    assert r.status == 404
    assert json.loads(r.headers["Hdr-Error"])["tcode"] == "ErrNotFound"
    r = ais.req("DELETE", f"/v1/objects/{bck}/missing.txt")
    assert r.status == 404
    assert err(r)["message"] == f"ais://{bck}/missing.txt doesn't exist"


def test_invalid_names_and_providers(ais: Ais) -> None:
    r = ais.req("POST", "/v1/buckets/a..b", js={"action": "create-bck"})
    assert r.status == 400
    assert err(r)["message"].startswith("bucket name is invalid")
    r = ais.req("PUT", "/v1/objects/whatever/a/", b"x")
    assert r.status == 400
    assert err(r) | {} and err(r)["tcode"] == "errInvalidPath"
    r = ais.req("GET", "/v1/buckets/x?provider=bogus", js={"action": "list", "value": {}})
    assert r.status == 400
    assert err(r)["tcode"] == "ErrInvalidBackendProvider"
    r = ais.req("HEAD", "/v1/buckets/x?provider=aws")
    assert r.status == 404
    assert "AWS backend is missing" in json.loads(r.headers["Hdr-Error"])["message"]


# ---- buckets -------------------------------------------------------------------------


def test_bucket_create_head_destroy(ais: Ais) -> None:
    name = f"c-{uuid.uuid4().hex[:8]}"
    ais.create(name)
    r = ais.req(
        "POST", f"/v1/buckets/{name}", js={"action": "create-bck", "name": "", "value": None}
    )
    assert r.status == 409
    assert err(r) == err(r) and err(r)["message"] == f'bucket "ais://{name}" already exists'
    r = ais.req("HEAD", f"/v1/buckets/{name}?provider=ais")
    assert r.status == 200
    props = json.loads(r.headers["Ais-Bucket-Props"])
    assert props["provider"] == "ais"
    assert props["versioning"]["enabled"] is True
    assert props["checksum"]["type"] == "md5"
    assert isinstance(props["access"], str) and isinstance(props["bid"], str)
    r = ais.req(
        "DELETE", f"/v1/buckets/{name}", js={"action": "destroy-bck", "name": "", "value": None}
    )
    assert r.status == 200
    r = ais.req(
        "DELETE", f"/v1/buckets/{name}", js={"action": "destroy-bck", "name": "", "value": None}
    )
    assert r.status == 404


def test_bucket_props_set_reset(ais: Ais, bck: str) -> None:
    upd = {"versioning": {"enabled": False}, "checksum": {"type": "sha256"}}
    r = ais.req("PATCH", f"/v1/buckets/{bck}", js={"action": "set-bprops", "value": upd})
    assert r.status == 200
    props = json.loads(ais.req("HEAD", f"/v1/buckets/{bck}").headers["Ais-Bucket-Props"])
    assert props["checksum"]["type"] == "sha256"
    assert props["checksum"]["validate_cold_get"] is False  # untouched leaves stay
    assert props["versioning"]["enabled"] is False
    r = ais.put(bck, "o", b"abc")
    assert r.headers["Ais-Checksum-Type"] == "sha256"
    assert "Ais-Version" not in r.headers
    bad = ais.req(
        "PATCH",
        f"/v1/buckets/{bck}",
        js={"action": "set-bprops", "value": {"checksum": {"type": "bogus"}}},
    )
    assert bad.status == 400
    assert "invalid checksum type" in err(bad)["message"]
    bad = ais.req("PATCH", f"/v1/buckets/{bck}", js={"action": "set-bprops", "value": {"foo": 1}})
    assert bad.status == 400
    assert ais.req("PATCH", f"/v1/buckets/{bck}", js={"action": "reset-bprops"}).status == 200
    props = json.loads(ais.req("HEAD", f"/v1/buckets/{bck}").headers["Ais-Bucket-Props"])
    assert props["checksum"]["type"] == "md5"


def test_create_with_props(ais: Ais) -> None:
    name = f"p-{uuid.uuid4().hex[:8]}"
    r = ais.req(
        "POST",
        f"/v1/buckets/{name}",
        js={"action": "create-bck", "value": {"checksum": {"type": "sha512"}}},
    )
    assert r.status == 200
    props = json.loads(ais.req("HEAD", f"/v1/buckets/{name}").headers["Ais-Bucket-Props"])
    assert props["checksum"]["type"] == "sha512"


def test_list_buckets(ais: Ais, bck: str) -> None:
    for query in ("", "?provider=ais", "?provider="):
        r = ais.req("GET", "/v1/buckets" + query, js={"action": "list", "name": "", "value": None})
        assert r.status == 200
        assert {"name": bck, "provider": "ais", "namespace": {"uuid": "", "name": ""}} in r.json()
    r = ais.req("GET", "/v1/buckets?provider=aws", js={"action": "list", "value": None})
    assert r.status == 400
    assert err(r)["tcode"] == "ErrMissingBackend"
    r = ais.req("GET", "/v1/buckets", js={"action": "list", "name": bck, "value": None})
    assert [b["name"] for b in r.json()] == [bck]


def test_evict_and_prefetch_refused_for_ais(ais: Ais, bck: str) -> None:
    r = ais.req("DELETE", f"/v1/buckets/{bck}?keep_bck_md=True", js={"action": "evict-remote-bck"})
    assert r.status == 400
    assert err(r)["tcode"] == "ErrNotRemoteBck"
    r = ais.req(
        "POST",
        f"/v1/buckets/{bck}",
        js={"action": "prefetch-listrange", "value": {"objnames": ["a"]}},
    )
    assert r.status == 400
    r = ais.req("POST", f"/v1/buckets/{bck}", js={"action": "bogus"})
    assert r.status == 400
    assert err(r)["message"] == 'invalid action "bogus"'


def test_bucket_summary(ais: Ais, bck: str) -> None:
    ais.put(bck, "a", b"1")
    ais.put(bck, "b", b"123")
    msg = {
        "action": "summary-bck",
        "name": "",
        "value": {"uuid": "", "prefix": "", "cached": True, "present": True},
    }
    r = ais.req("GET", f"/v1/buckets/{bck}", js=msg)
    assert r.status == 202
    job_id = r.data.decode()
    msg["value"]["uuid"] = job_id  # type: ignore[index]
    for _ in range(100):
        r = ais.req("GET", f"/v1/buckets/{bck}", js=msg)
        if r.status == 200:
            break
        time.sleep(0.02)
    (summ,) = r.json()
    assert summ["name"] == bck
    assert summ["ObjCount"]["obj_count_present"] == "2"
    assert summ["TotalSize"]["size_all_present_objs"] == "4"
    assert summ["ObjSize"]["obj_max_size"] == 3
    r = ais.req("HEAD", f"/v1/buckets/{bck}?bsumm_remote=false&presence=0")
    assert r.status == 202
    xid = r.headers["Ais-Xaction-Id"]
    for _ in range(100):
        r = ais.req("HEAD", f"/v1/buckets/{bck}?bsumm_remote=false&presence=0&uuid={xid}")
        if r.status == 200:
            break
        time.sleep(0.02)
    assert json.loads(r.headers["Ais-Bucket-Summ"])["ObjCount"]["obj_count_present"] == "2"


# ---- faults and the request log -----------------------------------------------------


def test_fault_status(cluster: LocalCluster, ais: Ais, bck: str) -> None:
    ais.put(bck, "f", b"data")
    cluster.faults.status(rf"/v1/objects/{bck}/f$", 503, 2, retry_after=1)
    for _ in range(2):
        r = ais.req("GET", f"/v1/objects/{bck}/f")
        assert r.status == 503
        assert r.headers["Retry-After"] == "1"
        assert err(r)["status"] == 503
    assert ais.req("GET", f"/v1/objects/{bck}/f").data == b"data"
    cluster.faults.status("/v1/buckets/", 429, method="HEAD", body="slow down")
    r = ais.req("HEAD", f"/v1/buckets/{bck}")
    assert r.status == 429
    cluster.faults.status(r"/v1/objects/", 500, node="target", body=b"boom")
    r = ais.req("GET", f"/v1/objects/{bck}/f")
    assert (r.status, r.data) == (500, b"boom")
    assert cluster.faults.pending == 0


def test_fault_delay(cluster: LocalCluster, ais: Ais) -> None:
    cluster.faults.delay("/v1/health", 0.3, 1)
    t0 = time.monotonic()
    assert ais.req("GET", "/v1/health").status == 200
    assert time.monotonic() - t0 >= 0.3
    t0 = time.monotonic()
    ais.req("GET", "/v1/health")
    assert time.monotonic() - t0 < 0.3


def test_fault_reset_mid_body(cluster: LocalCluster, ais: Ais, bck: str) -> None:
    payload = bytes(range(256)) * 4096  # 1 MiB
    ais.put(bck, "r", payload)
    cluster.faults.reset_mid_body(rf"/v1/objects/{bck}/r$", 1000, 1)
    pool = urllib3.PoolManager(retries=False)
    redirect = pool.request("GET", f"{cluster.endpoint}/v1/objects/{bck}/r", redirect=False)
    assert redirect.status == 301
    resp = pool.request("GET", redirect.headers["Location"], preload_content=False)
    assert resp.status == 200
    assert resp.headers["Content-Length"] == str(len(payload))
    assert resp.read(1000) == payload[:1000]
    with pytest.raises(urllib3.exceptions.ProtocolError):
        resp.read()
    # the fault is used up: next read is whole
    assert ais.req("GET", f"/v1/objects/{bck}/r").data == payload
    # ranged re-read from the break point works
    r = ais.req("GET", f"/v1/objects/{bck}/r", headers={"Range": "bytes=1000-"})
    assert r.status == 206
    assert r.data == payload[1000:]


def test_faults_clear(cluster: LocalCluster, ais: Ais) -> None:
    cluster.faults.status("/v1/health", 500, 5)
    assert cluster.faults.pending == 5
    cluster.faults.clear()
    assert ais.req("GET", "/v1/health").status == 200
    with pytest.raises(ValueError):
        cluster.faults.status("x", 500, 0)


def test_request_log(cluster: LocalCluster, ais: Ais, bck: str) -> None:
    cluster.requests.clear()
    ais.put(bck, "logged", b"x")
    ais.req("GET", f"/v1/objects/{bck}/logged")
    log = cluster.requests.snapshot()
    owner = cluster.owner(bck, "logged")
    assert [(r.method, r.node) for r in log] == [
        ("PUT", cluster.proxy_id),
        ("PUT", owner),
        ("GET", cluster.proxy_id),
        ("GET", owner),
    ]
    assert log[1].path == f"/v1/objects/{bck}/logged"
    assert "pid=" in log[1].query
    assert cluster.requests.matching(method="get", node=owner) == [log[3]]
    assert len(cluster.requests) == 4


def test_method_not_allowed_is_plain_text(ais: Ais) -> None:
    r = ais.req("DELETE", "/v1/daemon")
    assert r.status == 405
    assert r.headers["Content-Type"] == "text/plain"
    assert r.headers["Allow"] == "GET"
    assert r.data == b"Method Not Allowed\n"


def test_bmd_reverse_and_target_health(cluster: LocalCluster, ais: Ais, bck: str) -> None:
    bmd = ais.req("GET", "/v1/cluster?what=bmd").json()
    assert bck in bmd["providers"]["ais"]["@#"]
    assert isinstance(bmd["version"], str)
    r = ais.req("GET", "/v1/reverse/daemon?what=node_status")
    assert r.status == 400
    assert err(r)["message"] == "missing node ID"
    tid = cluster.target_ids[0]
    r = ais.req("GET", "/v1/reverse/daemon?what=node_status", headers={"Ais-Node-Id": tid})
    assert r.json()["snode"]["daemon_id"] == tid
    for t in cluster.target_endpoints:
        assert ais.req("GET", f"{t}/v1/health").status == 200
        assert ais.req("GET", f"{t}/v1/daemon?what=smap").json()["uuid"]


def test_multiobj_template_errors_are_synchronous(ais: Ais, bck: str) -> None:
    for template, tcode in (("{a..b}", "NumError"), ("x{5..1}", "errTemplateInvalid")):
        msg = {"action": "delete-listrange", "value": {"template": template}}
        r = ais.req("DELETE", f"/v1/buckets/{bck}", js=msg)
        assert r.status == 400
        assert err(r)["tcode"] == tcode
        assert 'failed to "delete-listrange" List/Range' in err(r)["message"]


def test_summary_of_all_buckets(ais: Ais, bck: str) -> None:
    msg: dict[str, Any] = {"action": "summary-bck", "value": {"uuid": "", "cached": True}}
    r = ais.req("GET", "/v1/buckets/", js=msg)
    assert r.status == 202
    msg["value"]["uuid"] = r.data.decode()
    for _ in range(100):
        r = ais.req("GET", "/v1/buckets/", js=msg)
        if r.status == 200:
            break
        time.sleep(0.02)
    assert bck in [s["name"] for s in r.json()]
