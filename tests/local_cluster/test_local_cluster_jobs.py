"""LocalCluster jobs: multi-object operations, copy/rename bucket, job queries, Get-Batch."""

from __future__ import annotations

import base64
import io
import json
import tarfile
import time
import uuid
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
import urllib3

from aisclient.testing.local import LocalCluster


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(targets=2) as c:
        yield c


@pytest.fixture(scope="module")
def http() -> urllib3.PoolManager:
    return urllib3.PoolManager(retries=False)


class Api:
    def __init__(self, cluster: LocalCluster, http: urllib3.PoolManager) -> None:
        self.cluster = cluster
        self.http = http

    def call(
        self, method: str, path: str, js: Any = None, body: bytes | None = None
    ) -> urllib3.BaseHTTPResponse:
        data = json.dumps(js).encode() if js is not None else body
        r = self.http.request(method, self.cluster.endpoint + path, body=data, redirect=False)
        if r.status in (301, 307):
            r = self.http.request(method, r.headers["Location"], body=data, redirect=False)
        return r

    def bucket(self, prefix: str = "j") -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:8]}"
        assert self.call("POST", f"/v1/buckets/{name}", {"action": "create-bck"}).status == 200
        return name

    def put(self, bck: str, obj: str, data: bytes) -> None:
        assert self.call("PUT", f"/v1/objects/{bck}/{obj}", body=data).status == 200

    def names(self, bck: str) -> list[str]:
        r = self.call("GET", f"/v1/buckets/{bck}", {"action": "list", "value": {"props": "name"}})
        assert r.status == 200, r.data
        return [e["name"] for e in r.json()["entries"] or []]

    def status(self, job_id: str, kind: str = "") -> urllib3.BaseHTTPResponse:
        q = {"ID": job_id, "Kind": kind, "DaemonID": "", "Bck": None, "Buckets": None}
        return self.call("GET", "/v1/cluster?what=status", q)

    def wait(self, job_id: str) -> dict[str, Any]:
        for _ in range(500):
            r = self.status(job_id)
            assert r.status == 200, r.data
            st: dict[str, Any] = r.json()
            if st["end_time"]:
                return st
            time.sleep(0.01)
        raise AssertionError("job did not finish")

    def snaps(self, job_id: str) -> dict[str, list[dict[str, Any]]]:
        r = self.call("GET", "/v1/cluster?what=qryxstats", {"ID": job_id, "Kind": ""})
        assert r.status == 200, r.data
        out: dict[str, list[dict[str, Any]]] = r.json()
        return out

    def wait_idle(self, job_id: str) -> list[dict[str, Any]]:
        for _ in range(500):
            flat = [s for ss in self.snaps(job_id).values() for s in ss]
            if flat and all(s["is_idle"] for s in flat):
                return flat
            time.sleep(0.01)
        raise AssertionError("job did not go idle")


@pytest.fixture
def api(cluster: LocalCluster, http: urllib3.PoolManager) -> Api:
    return Api(cluster, http)


def test_delete_listrange_names_template_prefix(api: Api) -> None:
    b = api.bucket()
    for i in range(12):
        api.put(b, f"shard-{i:04d}.tar", b"s")
    api.put(b, "keep/x", b"k")
    r = api.call(
        "DELETE",
        f"/v1/buckets/{b}",
        {
            "action": "delete-listrange",
            "name": "",
            "value": {"objnames": ["shard-0000.tar", "nope"]},
        },
    )
    assert r.status == 200
    assert r.headers["Content-Type"].startswith("text/plain")
    st = api.wait(r.data.decode())
    assert st["kind"] == "delete-listrange"
    assert st["err"].endswith(f"ais://{b}/nope does not exist")
    assert st["aborted"] is False
    r = api.call(
        "DELETE",
        f"/v1/buckets/{b}",
        {"action": "delete-listrange", "value": {"template": "shard-{0001..0009..2}.tar"}},
    )
    st = api.wait(r.data.decode())
    assert st["err"] == ""
    names = api.names(b)
    assert (
        "shard-0001.tar" not in names
        and "shard-0002.tar" in names
        and "shard-0009.tar" not in names
    )
    r = api.call(
        "DELETE",
        f"/v1/buckets/{b}",
        {"action": "delete-listrange", "value": {"template": "shard-"}},
    )
    api.wait(r.data.decode())
    assert api.names(b) == ["keep/x"]


def test_job_queries(api: Api) -> None:
    b = api.bucket()
    api.put(b, "a", b"123")
    job_id = api.call(
        "DELETE", f"/v1/buckets/{b}", {"action": "delete-listrange", "value": {"objnames": ["a"]}}
    ).data.decode()
    st = api.wait(job_id)
    assert set(st) == {"kind", "uuid", "err", "end_time", "aborted"}
    assert st["uuid"] == job_id
    r = api.status(job_id, kind="lru")
    assert r.status == 400
    assert r.json()["message"] == f"kind mismatch: x-lru[{job_id}], expected kind=delete-listrange"
    r = api.status("nonexistent1")
    assert r.status == 404
    assert r.json()["tcode"] == "ErrNotFound"
    assert api.call("GET", "/v1/cluster?what=status", {}).status == 400
    snaps = api.snaps(job_id)
    assert sorted(snaps) == sorted(api.cluster.target_ids)
    flat = [s for ss in snaps.values() for s in ss]
    assert sum(int(s["stats"]["loc-objs"]) for s in flat) == 1
    assert sum(int(s["stats"]["loc-bytes"]) for s in flat) == 3
    s = flat[0]
    assert s["id"] == job_id and s["kind"] == "delete-listrange" and s["is_idle"] is True
    assert s["end-time"] != "0001-01-01T00:00:00Z" and s["start-time"].endswith("Z")
    assert api.call("GET", "/v1/cluster?what=qryxstats", {"ID": "nonexistent1"}).status == 404
    r = api.call(
        "GET",
        "/v1/cluster?what=status_all",
        {"kind": "delete-listrange", "node": "", "show_active": False},
    )
    assert job_id in [x["uuid"] for x in r.json()]
    r = api.call(
        "GET", "/v1/cluster?what=running_all", {"kind": "", "node": "", "show_active": True}
    )
    assert r.status == 200 and isinstance(r.json(), list)


def test_copy_bucket(api: Api) -> None:
    src = api.bucket("src")
    for i in range(5):
        api.put(src, f"img/{i}.jpg", b"i" * i)
    api.put(src, "other", b"o")
    dst = f"dst-{uuid.uuid4().hex[:6]}"
    msg = {
        "action": "copy-bck",
        "name": "",
        "value": {
            "prefix": "img/",
            "prepend": "p/",
            "dry_run": False,
            "force": False,
            "latest-ver": False,
            "synchronize": False,
        },
    }
    r = api.call("POST", f"/v1/buckets/{src}?bck_to=ais/@%23/{dst}/", msg)
    assert r.status == 200
    st = api.wait(r.data.decode())
    assert st["kind"] == "copy-bck" and st["err"] == ""
    assert api.names(dst) == [f"p/img/{i}.jpg" for i in range(5)]
    assert api.call("POST", f"/v1/buckets/{src}", msg).status == 400
    r = api.call("POST", f"/v1/buckets/{src}?bck_to=ais/@%23/{src}/", msg)
    assert r.status == 400
    assert "onto itself" in r.json()["message"]


def test_rename_bucket(api: Api) -> None:
    src = api.bucket("mv")
    api.put(src, "x", b"data")
    dst = f"mv2-{uuid.uuid4().hex[:6]}"
    r = api.call(
        "POST",
        f"/v1/buckets/{src}?bck_to=ais/@%23/{dst}/",
        {"action": "move-bck", "name": "", "value": None},
    )
    assert r.status == 200
    st = api.wait(r.data.decode())
    assert st["kind"] == "move-bck"
    assert api.call("GET", f"/v1/objects/{dst}/x").data == b"data"
    assert api.call("HEAD", f"/v1/buckets/{src}").status == 404
    other = api.bucket()
    r = api.call("POST", f"/v1/buckets/{dst}?bck_to=ais/@%23/{other}/", {"action": "move-bck"})
    assert r.status == 400
    assert r.json()["message"] == f'bucket "ais://{other}" already exists'


def test_copy_objects(api: Api) -> None:
    src = api.bucket()
    for i in range(4):
        api.put(src, f"f{i}", str(i).encode())
    dst = f"cp-{uuid.uuid4().hex[:6]}"
    value = {
        "objnames": ["f0", "f2"],
        "prefix": "",
        "prepend": "c/",
        "dry_run": False,
        "force": False,
        "latest-ver": False,
        "synchronize": False,
        "tobck": {"name": dst, "provider": "ais", "namespace": None},
        "coer": False,
    }
    r = api.call(
        "POST", f"/v1/buckets/{src}", {"action": "copy-listrange", "name": "", "value": value}
    )
    assert r.status == 200
    job_id = r.data.decode()
    assert job_id.startswith("tco-")
    snaps = api.wait_idle(job_id)
    assert all(s["kind"] == "copy-listrange" for s in snaps)
    assert api.status(job_id).status == 404  # idle kinds have no status listener, as in AIS
    assert api.names(dst) == ["c/f0", "c/f2"]
    assert api.call("GET", f"/v1/objects/{dst}/c/f2").data == b"2"


def test_archive(api: Api) -> None:
    src = api.bucket()
    for i in range(3):
        api.put(src, f"img/{i}.jpg", f"img{i}".encode())
    msg = {
        "action": "archive",
        "name": "",
        "value": {
            "template": "img/{0..2}.jpg",
            "archname": "shard.tar",
            "isbn": False,
            "aate": False,
            "coer": False,
            "tobck": {"name": src, "provider": "ais", "namespace": None},
        },
    }
    r = api.call("PUT", f"/v1/buckets/{src}", msg)
    assert r.status == 200
    api.wait_idle(r.data.decode())
    data = api.call("GET", f"/v1/objects/{src}/shard.tar").data
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        assert tf.getnames() == ["img/0.jpg", "img/1.jpg", "img/2.jpg"]
        member = tf.extractfile("img/1.jpg")
        assert member is not None and member.read() == b"img1"
    # append to it, zip with bucket names
    msg["value"].update(objnames=["img/0.jpg"], template="", aate=True)  # type: ignore[attr-defined]
    api.wait_idle(api.call("PUT", f"/v1/buckets/{src}", msg).data.decode())
    data = api.call("GET", f"/v1/objects/{src}/shard.tar").data
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        assert len(tf.getnames()) == 4
    zmsg = {
        "action": "archive",
        "value": {"objnames": ["img/0.jpg"], "archname": "s.zip", "isbn": True},
    }
    api.wait_idle(api.call("PUT", f"/v1/buckets/{src}", zmsg).data.decode())
    data = api.call("GET", f"/v1/objects/{src}/s.zip").data
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.namelist() == [f"{src}/img/0.jpg"]
    bad = {"action": "archive", "value": {"objnames": ["img/0.jpg"], "archname": "s.rar"}}
    assert api.call("PUT", f"/v1/buckets/{src}", bad).status == 400


def test_etl_actions_unsupported(api: Api) -> None:
    b = api.bucket()
    r = api.call(
        "POST", f"/v1/buckets/{b}?bck_to=ais/@%23/x/", {"action": "etl-bck", "value": {"id": "foo"}}
    )
    assert r.status == 404
    assert r.json()["tcode"] == "ErrUnsupp"


def test_start_and_abort(cluster: LocalCluster, http: urllib3.PoolManager) -> None:
    with LocalCluster(targets=1, job_delay=5.0) as slow:
        api = Api(slow, http)
        start = {
            "action": "start",
            "name": "",
            "value": {"ID": "", "Kind": "lru", "DaemonID": "", "Bck": None, "Buckets": None},
        }
        r = api.call("PUT", "/v1/cluster", start)
        assert r.status == 200
        job_id = r.data.decode()
        assert api.status(job_id).json()["end_time"] == 0
        running = api.call(
            "GET", "/v1/cluster?what=running_all", {"kind": "", "node": "", "show_active": True}
        ).json()
        assert f"lru[{job_id}]" in running
        stop = {
            "action": "stop",
            "name": "",
            "value": {"ID": job_id, "Kind": "lru", "DaemonID": "", "Bck": None, "Buckets": None},
        }
        assert api.call("PUT", "/v1/cluster", stop).status == 200
        st = api.wait(job_id)
        assert st["aborted"] is True
        assert api.snaps(job_id)[slow.target_ids[0]][0]["abort-err"] == "aborted by user"
        bad = {"action": "start", "value": {"Kind": "nonsense"}}
        assert api.call("PUT", "/v1/cluster", bad).status == 400


# ---- Get-Batch ------------------------------------------------------------------


@pytest.fixture
def batch_bck(api: Api) -> str:
    b = api.bucket("gb")
    api.put(b, "c.txt", b"hello2")
    api.put(b, "app.txt", b"0123456789abcdef")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        info = tarfile.TarInfo("d/b.jpg")
        info.size = 4
        tf.addfile(info, io.BytesIO(b"bbbb"))
    api.put(b, "sh/s.tar", buf.getvalue())
    return b


ENTRIES = [
    {"objname": "c.txt"},
    {"objname": "missing", "bucket": "BCK"},
    {"objname": "sh/s.tar", "archpath": "d/b.jpg"},
    {"objname": "app.txt", "start": 2, "length": 3},
]


def _entries(bck: str) -> list[dict[str, Any]]:
    return [{k: (bck if v == "BCK" else v) for k, v in e.items()} for e in ENTRIES]


def test_get_batch_streaming(api: Api, batch_bck: str) -> None:
    r = api.http.request(
        "GET",
        f"{api.cluster.endpoint}/v1/ml/moss/{batch_bck}?provider=ais",
        body=json.dumps({"in": _entries(batch_bck), "mime": ".tar", "coer": True, "strm": True}),
        redirect=False,
    )
    assert r.status == 307
    loc = r.headers["Location"]
    assert f"/v1/ml/moss/{batch_bck}/gbt-" in loc and "pid=" in loc
    r = api.call(
        "GET",
        f"/v1/ml/moss/{batch_bck}?provider=ais",
        {"in": _entries(batch_bck), "mime": ".tar", "coer": True, "strm": True},
    )
    assert r.status == 200
    assert r.headers["Content-Type"] == "application/x-tar"
    assert r.headers["Transfer-Encoding"] == "chunked"
    with tarfile.open(fileobj=io.BytesIO(r.data)) as tf:
        members = [(m.name, m.size) for m in tf.getmembers()]
        assert members == [
            (f"{batch_bck}/c.txt", 6),
            (f"__404__/{batch_bck}/missing", 0),
            (f"{batch_bck}/sh/s.tar/d/b.jpg", 4),
            (f"{batch_bck}/app.txt", 3),
        ]
        f = tf.extractfile(f"{batch_bck}/app.txt")
        assert f is not None and f.read() == b"234"


def test_get_batch_errors(api: Api, batch_bck: str) -> None:
    # no coer, multipart: a missing object fails the whole request
    r = api.call("GET", f"/v1/ml/moss/{batch_bck}", {"in": _entries(batch_bck), "strm": False})
    assert r.status == 404
    assert r.json()["message"].endswith(f"ais://{batch_bck}/missing does not exist")
    # no coer, streaming: like AIS, 200 and a (well-formed) archive cut before the failure
    r = api.call("GET", f"/v1/ml/moss/{batch_bck}", {"in": _entries(batch_bck), "strm": True})
    assert r.status == 200
    with tarfile.open(fileobj=io.BytesIO(r.data)) as tf:
        assert tf.getnames() == [f"{batch_bck}/c.txt"]
    assert api.call("GET", "/v1/ml/moss", {"in": []}).status == 400
    r = api.call("GET", "/v1/ml/moss", {"in": [{"objname": "x"}]})
    assert r.status == 400
    assert "missing bucket specification" in r.json()["message"]
    r = api.call(
        "GET", f"/v1/ml/moss/{batch_bck}", {"in": [{"objname": "c.txt", "start": 100, "length": 1}]}
    )
    assert r.status == 400
    assert r.json()["tcode"] == "ErrRangeNotSatisfiable"
    r = api.call(
        "GET", f"/v1/ml/moss/{batch_bck}", {"in": [{"objname": "c.txt", "start": 1, "length": 0}]}
    )
    assert r.status == 400
    assert "not satisfiable range" in r.json()["message"]
    r = api.call("GET", f"/v1/ml/moss/{batch_bck}", {"in": [{"objname": "c.txt"}], "mime": "rar"})
    assert r.status == 400
    assert (
        api.call("GET", "/v1/ml/moss/nonexistent-bck", {"in": [{"objname": "c.txt"}]}).status == 404
    )


@pytest.mark.parametrize("mime", [".tar", "tgz", ".zip"])
def test_get_batch_multipart(api: Api, batch_bck: str, mime: str) -> None:
    entries = _entries(batch_bck)
    entries[0]["opaque"] = base64.b64encode(b"hi").decode()
    entries[3]["length"] = -1
    body = {"in": entries, "mime": mime, "coer": True, "onob": True, "strm": False}
    r = api.call("GET", f"/v1/ml/moss/{batch_bck}", body)
    assert r.status == 200
    ctype = r.headers["Content-Type"]
    assert ctype.startswith("multipart/mixed; boundary=")
    boundary = ctype.split("boundary=")[1].encode()
    assert len(boundary) == 60
    parts = r.data.split(b"--" + boundary)
    assert parts[0] == b"" and parts[-1] == b"--\r\n"
    meta_head, meta_body = parts[1].split(b"\r\n\r\n", 1)
    assert b'name="metadata"' in meta_head
    meta = json.loads(meta_body)
    assert [o["size"] for o in meta["out"]] == [6, 0, 4, 14]
    assert meta["out"][0]["opaque"] == "aGk="
    assert "does not exist" in meta["out"][1]["err_msg"]
    assert meta["out"][2]["archpath"] == "d/b.jpg"
    arch_head, arch = parts[2].split(b"\r\n\r\n", 1)
    assert b'name="archive"' in arch_head and f"get-batch[{meta['uuid']}]".encode() in arch_head
    arch = arch[:-2]  # the CRLF before the closing delimiter
    if mime == ".zip":
        with zipfile.ZipFile(io.BytesIO(arch)) as zf:
            names = zf.namelist()
    else:
        with tarfile.open(fileobj=io.BytesIO(arch)) as tf:
            names = tf.getnames()
    assert names == ["c.txt", "__404__/missing", "sh/s.tar/d/b.jpg", "app.txt"]


@pytest.mark.parametrize(
    ("template", "tcode"),
    [
        ("a@b", "NumError"),
        ("q%x", "errTemplateInvalid"),
        ("a{0..1}b{c", "errTemplateInvalid"),
        ("a{0..5..0}", "errTemplateInvalid"),
        ("x{3..1}", "errTemplateInvalid"),
    ],
)
def test_bad_templates_rejected(api: Api, template: str, tcode: str) -> None:
    b = api.bucket()
    r = api.call(
        "DELETE",
        f"/v1/buckets/{b}",
        {"action": "delete-listrange", "value": {"template": template}},
    )
    assert r.status == 400
    assert r.json()["tcode"] == tcode


def test_template_styles(api: Api) -> None:
    cases = [("s-@005", 6), ("s-%03d", 12), ("s-{000..010..5}", 3), ("s-{0..9}", 1)]
    for template, deleted in cases:
        b = api.bucket()
        for i in range(12):
            api.put(b, f"s-{i:03d}", b"x")
        api.put(b, "s-7", b"x")
        msg = {"action": "delete-listrange", "value": {"template": template}}
        api.wait(api.call("DELETE", f"/v1/buckets/{b}", msg).data.decode())
        assert len(api.names(b)) == 13 - deleted, template
