"""LocalCluster list-objects: paging, props, flags, archives, MessagePack."""

from __future__ import annotations

import io
import json
import tarfile
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import urllib3

from aisclient.testing.local import LocalCluster


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(targets=2, page_size=10) as c:
        yield c


@pytest.fixture(scope="module")
def http() -> urllib3.PoolManager:
    return urllib3.PoolManager(retries=False)


def call(
    http: urllib3.PoolManager,
    cluster: LocalCluster,
    method: str,
    path: str,
    js: Any = None,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> urllib3.BaseHTTPResponse:
    data = json.dumps(js).encode() if js is not None else body
    r = http.request(method, cluster.endpoint + path, body=data, headers=headers, redirect=False)
    if r.status in (301, 307):
        r = http.request(method, r.headers["Location"], body=data, headers=headers, redirect=False)
    return r


@pytest.fixture(scope="module")
def bck(cluster: LocalCluster, http: urllib3.PoolManager) -> str:
    name = f"l-{uuid.uuid4().hex[:8]}"
    assert (
        call(http, cluster, "POST", f"/v1/buckets/{name}", {"action": "create-bck"}).status == 200
    )
    for i in range(25):
        call(http, cluster, "PUT", f"/v1/objects/{name}/img/{i:03d}.jpg", body=b"x" * (i + 1))
    for obj in ("a.txt", "dir/sub/b.txt", "dir/c.txt", "imgs.txt"):
        call(http, cluster, "PUT", f"/v1/objects/{name}/{obj}", body=b"abc")
    return name


def lso(http: urllib3.PoolManager, cluster: LocalCluster, bck: str, **value: Any) -> dict[str, Any]:
    r = call(
        http, cluster, "GET", f"/v1/buckets/{bck}", {"action": "list", "name": "", "value": value}
    )
    assert r.status == 200, r.data
    assert r.headers["Content-Type"].startswith("application/json")
    out: dict[str, Any] = r.json()
    return out


def list_all(
    http: urllib3.PoolManager, cluster: LocalCluster, bck: str, **value: Any
) -> tuple[list[dict[str, Any]], int]:
    entries: list[dict[str, Any]] = []
    token, uuid_, pages = "", "", 0
    while True:
        page = lso(http, cluster, bck, uuid=uuid_, continuation_token=token, **value)
        pages += 1
        entries += page["entries"] or []
        uuid_, token = page["uuid"], page["continuation_token"]
        if not token:
            return entries, pages


def test_paging_default_page_size(
    cluster: LocalCluster, http: urllib3.PoolManager, bck: str
) -> None:
    entries, pages = list_all(http, cluster, bck)
    names = [e["name"] for e in entries]
    assert len(names) == 29
    assert names == sorted(names)
    assert pages == 3
    first = lso(http, cluster, bck)
    assert len(first["entries"]) == 10
    assert first["continuation_token"] == first["entries"][-1]["name"]
    assert first["entries"][0] == {"name": "a.txt", "size": "3", "flags": 64}


def test_paging_full_last_page_then_empty(
    cluster: LocalCluster, http: urllib3.PoolManager, bck: str
) -> None:
    page = lso(http, cluster, bck, prefix="img/", pagesize=25)
    assert len(page["entries"]) == 25
    assert page["continuation_token"] == "img/024.jpg"
    nxt = lso(
        http,
        cluster,
        bck,
        prefix="img/",
        pagesize=25,
        uuid=page["uuid"],
        continuation_token="img/024.jpg",
    )
    assert nxt["entries"] is None
    assert nxt["continuation_token"] == ""


def test_prefix_start_after_and_props(
    cluster: LocalCluster, http: urllib3.PoolManager, bck: str
) -> None:
    page = lso(http, cluster, bck, prefix="dir/", props="name")
    assert page["entries"] == [
        {"name": "dir/c.txt", "flags": 64},
        {"name": "dir/sub/b.txt", "flags": 64},
    ]
    page = lso(http, cluster, bck, prefix="img/", start_after="img/020.jpg", props="name,size")
    assert [e["name"] for e in page["entries"]] == [f"img/{i:03d}.jpg" for i in range(21, 25)]
    page = lso(
        http, cluster, bck, prefix="a.txt", props="name,size,checksum,atime,version,copies,location"
    )
    (e,) = page["entries"]
    assert e["checksum"] == "900150983cd24fb0d6963f7d28e17f72"
    assert e["version"] == "1"
    assert e["copies"] == 1
    assert e["location"].startswith("t[")
    assert e["atime"].endswith(" UTC")
    page = lso(http, cluster, bck, prefix="zzz")
    assert page["entries"] is None


def test_non_recursive(cluster: LocalCluster, http: urllib3.PoolManager, bck: str) -> None:
    page = lso(http, cluster, bck, flags="2048", props="name")
    assert [(e["name"], e["flags"]) for e in page["entries"]] == [
        ("a.txt", 64),
        ("dir/", 256),
        ("img/", 256),
        ("imgs.txt", 64),
    ]
    page = lso(http, cluster, bck, flags=str(2048 | 8192), prefix="dir/", props="name")
    assert [e["name"] for e in page["entries"]] == ["dir/c.txt"]


def test_msgpack(cluster: LocalCluster, http: urllib3.PoolManager, bck: str) -> None:
    r = call(
        http,
        cluster,
        "GET",
        f"/v1/buckets/{bck}",
        {"action": "list", "value": {"prefix": "a.txt", "props": "name,size"}},
        headers={"Accept": "application/msgpack"},
    )
    assert r.headers["Content-Type"] == "application/msgpack"
    # {"UUID": .., "ContinuationToken": "", "Entries": [{"n": "a.txt", "s": 3, "f": 64}], ...}
    assert r.data[0] == 0x84
    assert b"\xa4UUID" in r.data
    assert b"\xa7Entries\x91\x83\xa1n\xa5a.txt\xa1s\x03\xa1f\x40\xa5Flags\x00" in r.data


def test_list_archives(cluster: LocalCluster, http: urllib3.PoolManager) -> None:
    name = f"la-{uuid.uuid4().hex[:8]}"
    call(http, cluster, "POST", f"/v1/buckets/{name}", {"action": "create-bck"})
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for member, data in (("x/1.txt", b"1"), ("a.txt", b"22")):
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    call(http, cluster, "PUT", f"/v1/objects/{name}/s.tar", body=buf.getvalue())
    page = lso(http, cluster, name, flags="8", props="name,size")
    assert [(e["name"], e["flags"]) for e in page["entries"]] == [
        ("s.tar", 64 | 512),
        ("s.tar/a.txt", 64 | 128),
        ("s.tar/x/1.txt", 64 | 128),
    ]
    assert page["entries"][1]["size"] == "2"
    page = lso(http, cluster, name, flags="8", prefix="s.tar/x/", props="name")
    assert [e["name"] for e in page["entries"]] == ["s.tar/x/1.txt"]


def test_list_errors(cluster: LocalCluster, http: urllib3.PoolManager, bck: str) -> None:
    r = call(http, cluster, "GET", "/v1/buckets/no-such-bucket", {"action": "list", "value": {}})
    assert r.status == 404
    r = call(
        http, cluster, "GET", f"/v1/buckets/{bck}", {"action": "list", "value": {"flags": "512"}}
    )
    assert r.status == 400
    r = call(http, cluster, "GET", f"/v1/buckets/{bck}", body=b"notjson")
    assert r.status == 400
    assert "failed to unmarshal" in r.json()["message"]
    # no body at all: list objects (easy URL)
    r = call(http, cluster, "GET", f"/v1/buckets/{bck}")
    assert r.status == 200
    assert len(r.json()["entries"]) == 10
