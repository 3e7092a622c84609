"""LocalCluster object requests: PUT/GET/HEAD, ranges, archives, append, multipart, copy."""

from __future__ import annotations

import hashlib
import http.client
import io
import resource
import tarfile
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import urllib3

from _support.local_cluster_http import Ais, err
from aisclient.testing.local import LocalCluster


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(targets=2) as c:
        yield c


@pytest.fixture
def ais(cluster: LocalCluster) -> Ais:
    return Ais(cluster.endpoint)


@pytest.fixture
def bck(ais: Ais) -> str:
    name = f"o-{uuid.uuid4().hex[:10]}"
    r = ais.req(
        "POST", f"/v1/buckets/{name}", js={"action": "create-bck", "name": "", "value": None}
    )
    assert r.status == 200
    return name


def test_put_get_head(ais: Ais, bck: str) -> None:
    data = b"hello world"
    md5 = hashlib.md5(data).hexdigest()
    r = ais.put(bck, "dir/a.txt", data)
    assert r.headers["Ais-Checksum-Type"] == "md5"
    assert r.headers["Ais-Checksum-Value"] == md5
    assert r.headers["Ais-Version"] == "1"
    assert int(r.headers["Ais-Atime"]) > 0
    assert r.data == b""
    r = ais.get(bck, "dir/a.txt")
    assert r.status == 200
    assert r.data == data
    assert r.headers["Content-Type"] == "application/octet-stream"
    assert r.headers["Ais-Checksum-Value"] == md5
    # v2 HEAD: only what was asked for, plus presence and size
    r = ais.req("HEAD", f"/v1/objects/{bck}/dir/a.txt?props=name,size")
    assert r.status == 200
    assert r.headers["Content-Length"] == "11"
    assert r.headers["Ais-Present"] == "true"
    assert "Ais-Checksum-Type" not in r.headers
    props = "checksum,atime,version,custom,location,copies,last-modified,etag"
    r = ais.req("HEAD", f"/v1/objects/{bck}/dir/a.txt?props={props}")
    h = r.headers
    assert (h["Ais-Checksum-Type"], h["Ais-Checksum-Value"]) == ("md5", md5)
    assert h["Ais-Version"] == "1"
    assert h["Ais-Mirror-Copies"] == "1"
    assert h["Ais-Location"].startswith("t[")
    assert h["ETag"].startswith('"v1-')
    assert h["Last-Modified"].endswith("GMT")
    # v1 HEAD (no props): everything, plus names
    h = ais.req("HEAD", f"/v1/objects/{bck}/dir/a.txt").headers
    assert (h["Ais-Name"], h["Ais-Bucket-Name"], h["Ais-Bucket-Provider"]) == (
        "dir/a.txt",
        bck,
        "ais",
    )
    r = ais.req("HEAD", f"/v1/objects/{bck}/dir/a.txt?props=cached")
    assert r.status == 400
    assert err(r)["message"] == 'invalid property "cached" in props list'


def test_versions_and_empty_objects(ais: Ais, bck: str) -> None:
    for i in range(1, 4):
        assert ais.put(bck, "v", f"v{i}".encode()).headers["Ais-Version"] == str(i)
    ais.put(bck, "empty", b"")
    r = ais.get(bck, "empty")
    assert (r.status, r.data, r.headers["Content-Length"]) == (200, b"", "0")
    r = ais.req("HEAD", f"/v1/objects/{bck}/empty?props=size")
    assert r.headers["Content-Length"] == "0"


def test_odd_object_names(ais: Ais, bck: str) -> None:
    names = {
        "a b/c d.txt": "a%20b/c%20d.txt",
        "ü/ß": "%C3%BC/%C3%9F",
        "q?x#y+z%": "q%3Fx%23y%2Bz%25",
    }
    for name, quoted in names.items():
        ais.put(bck, quoted, name.encode())
        assert ais.get(bck, quoted).data == name.encode()
    listing = ais.req(
        "GET", f"/v1/buckets/{bck}", js={"action": "list", "value": {"props": "name"}}
    )
    assert sorted(e["name"] for e in listing.json()["entries"]) == sorted(names)


def test_checksum_verification(ais: Ais, bck: str) -> None:
    data = b"payload"
    good = {"Ais-Checksum-Type": "sha256", "Ais-Checksum-Value": hashlib.sha256(data).hexdigest()}
    r = ais.req("PUT", f"/v1/objects/{bck}/c", data, headers=good)
    assert r.status == 200
    assert r.headers["Ais-Checksum-Type"] == "md5"  # stored with the bucket's type
    bad = {"Ais-Checksum-Type": "md5", "Ais-Checksum-Value": "0123"}
    r = ais.req("PUT", f"/v1/objects/{bck}/c", b"other", headers=bad)
    assert r.status == 500
    body = err(r)
    assert body["tcode"] == "ErrBadCksum"
    assert body["message"].startswith("BAD DATA CHECKSUM: md5(0123 != ")
    assert ais.get(bck, "c").data == data  # unchanged
    r = ais.req(
        "PUT",
        f"/v1/objects/{bck}/c",
        b"x",
        headers={"Ais-Checksum-Type": "foo", "Ais-Checksum-Value": "1"},
    )
    assert r.status == 400
    # same checksum as stored: a no-op that keeps the version
    same = {"Ais-Checksum-Type": "md5", "Ais-Checksum-Value": hashlib.md5(data).hexdigest()}
    r = ais.req("PUT", f"/v1/objects/{bck}/c", data, headers=same)
    assert r.headers["Ais-Version"] == "1"


def test_ranges(ais: Ais, bck: str) -> None:
    ais.put(bck, "r", b"hello world")
    cases = {"bytes=2-4": (206, b"llo"), "bytes=-3": (206, b"rld"), "bytes=5-100": (206, b" world")}
    for spec, (status, body) in cases.items():
        r = ais.get(bck, "r", Range=spec)
        assert (r.status, r.data) == (status, body), spec
        assert r.headers["Accept-Ranges"] == "bytes"
    assert ais.get(bck, "r", Range="bytes=2-4").headers["Content-Range"] == "bytes 2-4/11"
    r = ais.get(bck, "r", Range="bytes=20-")
    assert r.status == 416
    assert r.headers["Content-Range"] == "bytes */11"
    assert err(r)["tcode"] == "ErrRangeNotSatisfiable"
    r = ais.get(bck, "r", Range="bytes=0-1,3-4")
    assert r.status == 416
    assert err(r)["tcode"] == "ErrUnsupp"
    assert ais.get(bck, "r", Range="garbage").status == 416


def _tar(files: dict[str, bytes], mode: str = "w") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tf:  # type: ignore[call-overload]
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


FILES = {"a.txt": b"aaa", "d/b.jpg": b"bbbb", "d/b.cls": b"cls"}


def test_archpath(ais: Ais, bck: str) -> None:
    shards = {"s.tar": _tar(FILES), "s.tgz": _tar(FILES, "w:gz"), "s.zip": _zip(FILES)}
    for name, data in shards.items():
        ais.put(bck, f"sh/{name}", data)
        for path in ("d/b.jpg", "/d/b.jpg", f"sh/{name}/d/b.jpg"):
            r = ais.get(bck, f"sh/{name}", f"?archpath={path}")
            assert (r.status, r.data) == (200, b"bbbb"), (name, path)
            assert r.headers["Content-Type"] == "application/octet-stream"
    r = ais.get(bck, "sh/s.tar", "?archpath=zz")
    assert r.status == 404
    assert err(r)["message"].endswith(f"zz in ais://{bck}/sh/s.tar does not exist")
    r = ais.get(bck, "sh/s.tar", "?archpath=a.txt", Range="bytes=0-1")
    assert r.status == 400
    ais.put(bck, "plain.txt", b"x")
    r = ais.get(bck, "plain.txt", "?archpath=a")
    assert r.status == 400
    assert "unrecognized or unsupported file format" in err(r)["message"]


def test_archregx(ais: Ais, bck: str) -> None:
    ais.put(bck, "s.zip", _zip(FILES))
    r = ais.get(bck, "s.zip", "?archregx=d/&archmode=prefix")
    assert r.status == 200
    assert r.headers["Content-Type"] == "application/x-tar"
    with tarfile.open(fileobj=io.BytesIO(r.data)) as tf:
        assert sorted(tf.getnames()) == ["d/b.cls", "d/b.jpg"]
    r = ais.get(bck, "s.zip", "?archregx=d/b&archmode=wdskey")
    with tarfile.open(fileobj=io.BytesIO(r.data)) as tf:
        assert sorted(tf.getnames()) == ["d/b.cls", "d/b.jpg"]
    r = ais.get(bck, "s.zip", r"?archregx=\.jpg$&archmode=regexp")
    with tarfile.open(fileobj=io.BytesIO(r.data)) as tf:
        assert tf.getnames() == ["d/b.jpg"]
    assert ais.get(bck, "s.zip", "?archregx=zzz&archmode=prefix").status == 404
    assert ais.get(bck, "s.zip", "?archregx=zzz&archmode=bogus").status == 400
    assert ais.get(bck, "s.zip", "?archpath=a.txt&archregx=a&archmode=prefix").status == 400


def test_delete_rename_patch(cluster: LocalCluster, ais: Ais, bck: str) -> None:
    ais.put(bck, "old", b"data")
    r = ais.req(
        "POST", f"/v1/objects/{bck}/old", js={"action": "rename-obj", "name": "new", "value": None}
    )
    assert r.status == 200
    assert ais.get(bck, "old").status == 404
    assert ais.get(bck, "new").data == b"data"
    r = ais.req(
        "POST", f"/v1/objects/{bck}/gone", js={"action": "rename-obj", "name": "x", "value": None}
    )
    assert r.status == 404
    r = ais.req(
        "PATCH",
        f"/v1/objects/{bck}/new",
        js={"action": "", "name": "", "value": {"k1": "v1", "k2": "v2"}},
    )
    assert r.status == 200
    h = ais.req("HEAD", f"/v1/objects/{bck}/new?props=custom,version")
    assert h.headers["Ais-Custom-Md"] == "k1=v1, k2=v2"
    assert h.headers["Ais-Version"] == "1"  # metadata updates do not bump the version
    ais.req(
        "PATCH",
        f"/v1/objects/{bck}/new?set-new-custom=true",
        js={"action": "", "value": {"k3": "v3"}},
    )
    assert (
        ais.req("HEAD", f"/v1/objects/{bck}/new?props=custom").headers["Ais-Custom-Md"] == "k3=v3"
    )
    # custom metadata survives an overwrite; ETag comes from it
    ais.req("PATCH", f"/v1/objects/{bck}/new", js={"action": "", "value": {"ETag": '"abc"'}})
    r = ais.put(bck, "new", b"data2")
    assert r.headers["ETag"] == '"abc"'
    assert (
        ais.req("PATCH", f"/v1/objects/{bck}/none", js={"action": "", "value": {"a": "b"}}).status
        == 404
    )
    assert ais.req("DELETE", f"/v1/objects/{bck}/new").status == 200
    assert ais.get(bck, "new").status == 404
    r = ais.req("POST", f"/v1/objects/{bck}/x", js={"action": "bogus"})
    assert r.status == 400


def test_custom_md_header_on_put(cluster: LocalCluster, ais: Ais, bck: str) -> None:
    loc = ais.pool.request("PUT", f"{ais.endpoint}/v1/objects/{bck}/cm", redirect=False)
    target = urllib3.util.parse_url(loc.headers["Location"])
    conn = http.client.HTTPConnection(target.host or "", target.port)
    conn.putrequest("PUT", target.request_uri)
    conn.putheader("Ais-Custom-Md", "a=1")
    conn.putheader("Ais-Custom-Md", "b=2")
    conn.putheader("Content-Length", "1")
    conn.endheaders(b"x")
    assert conn.getresponse().status == 200
    conn.close()
    listing = ais.req(
        "GET", f"/v1/buckets/{bck}", js={"action": "list", "value": {"props": "name,custom"}}
    )
    assert listing.json()["entries"][0]["custom-md"] == "[a:1 b:2]"


def test_copy_object(ais: Ais, bck: str) -> None:
    dst = f"d-{uuid.uuid4().hex[:8]}"
    ais.req("POST", f"/v1/buckets/{dst}", js={"action": "create-bck"})
    ais.put(bck, "src", b"copy me")
    r = ais.req(
        "PUT",
        f"/v1/objects/{bck}/src?object_to=ais/@%23/{dst}/a/b&latest-ver=false&synchronize=false",
    )
    assert r.status == 200
    assert ais.get(dst, "a/b").data == b"copy me"
    r = ais.req("PUT", f"/v1/objects/{bck}/src?object_to=ais/@%23/nonexistent-bck/x")
    assert r.status == 404
    r = ais.req("PUT", f"/v1/objects/{bck}/src?object_to=ais/@%23/{dst}/")
    assert r.status == 400
    assert "missing object name" in err(r)["message"]
    r = ais.req("PUT", f"/v1/objects/{bck}/src?object_to=ais/@%23/{dst}/y&etl_name=e")
    assert r.status == 501


def test_append_flush(cluster: LocalCluster, ais: Ais, bck: str) -> None:
    base = f"/v1/objects/{bck}/app.txt"
    r = ais.req("PUT", f"{base}?append_type=append&append_handle=", b"part1-")
    assert r.status == 200
    handle = r.headers["Ais-Append-Handle"]
    assert handle.split("|")[0] in cluster.target_ids
    assert ais.req("HEAD", f"{base}?props=size").status == 404  # not visible before flush
    quoted = quote(handle, safe="")
    r = ais.req("PUT", f"{base}?append_type=append&append_handle={quoted}", b"part2")
    handle = r.headers["Ais-Append-Handle"]
    quoted = quote(handle, safe="")
    md5 = hashlib.md5(b"part1-part2").hexdigest()
    r = ais.req(
        "PUT",
        f"{base}?append_type=flush&append_handle={quoted}",
        headers={"Ais-Checksum-Type": "md5", "Ais-Checksum-Value": md5},
    )
    assert r.status == 200
    assert ais.get(bck, "app.txt").data == b"part1-part2"
    r = ais.req("PUT", f"{base}?append_type=flush&append_handle=")
    assert r.status == 400
    r = ais.req("PUT", f"{base}?append_type=foo", b"x")
    assert r.status == 400
    # appending to an existing object starts from its content
    h = ais.req("PUT", f"{base}?append_type=append&append_handle=", b"+more").headers[
        "Ais-Append-Handle"
    ]
    ais.req("PUT", f"{base}?append_type=flush&append_handle={quote(h, safe='')}")
    assert ais.get(bck, "app.txt").data == b"part1-part2+more"


def test_multipart_upload(ais: Ais, bck: str) -> None:
    base = f"/v1/objects/{bck}/mpt.bin"
    r = ais.req("POST", base, js={"action": "mpt-upload", "name": "", "value": None})
    assert r.status == 200
    upload = r.data.decode()
    assert ais.req("PUT", f"{base}?uploadId={upload}&partNumber=2", b"BBB").status == 200
    assert ais.req("PUT", f"{base}?uploadId={upload}&partNumber=1", b"AAAA").status == 200
    assert ais.req("PUT", f"{base}?uploadId={upload}&partNumber=x", b"A").status == 400
    assert ais.req("PUT", f"{base}?uploadId=nope&partNumber=1", b"A").status == 404
    parts = [{"part-number": 1, "etag": ""}, {"part-number": 2, "etag": ""}]
    r = ais.req(
        "POST",
        f"{base}?uploadId={upload}",
        js={"action": "mpt-complete", "name": "", "value": parts},
    )
    assert r.status == 200
    assert ais.get(bck, "mpt.bin").data == b"AAAABBB"
    h = ais.req("HEAD", f"{base}?props=chunked").headers
    assert (h["Ais-Chunks-Count"], h["Ais-Chunks-Max-Chunk-Size"]) == ("2", "4")
    # abort
    upload = ais.req("POST", base, js={"action": "mpt-upload"}).data.decode()
    r = ais.req(
        "DELETE", f"{base}?uploadId={upload}", js={"action": "mpt-abort", "name": "", "value": None}
    )
    assert r.status == 200
    r = ais.req("POST", f"{base}?uploadId={upload}", js={"action": "mpt-complete", "value": parts})
    assert r.status == 404


def test_chunked_upload_and_large_object_streams(ais: Ais, bck: str) -> None:
    """A 256 MiB object goes up (chunked) and down without being held in memory."""
    chunk = bytes(range(256)) * 4096  # 1 MiB
    count = 256
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def gen() -> Iterator[bytes]:
        for _ in range(count):
            yield chunk

    loc = ais.pool.request("PUT", f"{ais.endpoint}/v1/objects/{bck}/big", body=b"", redirect=False)
    r = ais.pool.request("PUT", loc.headers["Location"], body=gen(), chunked=True, redirect=False)
    assert r.status == 200, r.data
    expected = hashlib.md5()
    for _ in range(count):
        expected.update(chunk)
    assert r.headers["Ais-Checksum-Value"] == expected.hexdigest()
    resp = ais.req("GET", f"/v1/objects/{bck}/big", preload_content=False)
    assert resp.headers["Content-Length"] == str(count << 20)
    got = hashlib.md5()
    for data in resp.stream(1 << 20):
        got.update(data)
    assert got.hexdigest() == expected.hexdigest()
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 100 * 1024


def test_promote(tmp_path: Path) -> None:
    root = tmp_path / "promote"
    (root / "d" / "sub").mkdir(parents=True)
    (root / "one.txt").write_bytes(b"one")
    (root / "d" / "a.txt").write_bytes(b"A")
    (root / "d" / "sub" / "b.txt").write_bytes(b"B")
    with LocalCluster(targets=1, promote_root=root) as c:
        ais = Ais(c.endpoint)
        ais.req("POST", "/v1/buckets/pb", js={"action": "create-bck"})

        def promote(src: str, **args: Any) -> urllib3.BaseHTTPResponse:
            value = {"tid": "", "src": src, "rcr": False, "ovw": False, "dls": False, **args}
            return ais.req(
                "POST", "/v1/objects/pb", js={"action": "promote", "name": src, "value": value}
            )

        r = promote(str(root / "one.txt"), obj="p/one.txt")
        assert (r.status, r.data) == (200, b"")
        assert ais.get("pb", "p/one.txt").data == b"one"
        assert promote(str(root / "d"), obj="pd/", rcr=True).status == 200
        listing = ais.req(
            "GET", "/v1/buckets/pb", js={"action": "list", "value": {"prefix": "pd/"}}
        )
        assert [e["name"] for e in listing.json()["entries"]] == ["pd/a.txt", "pd/sub/b.txt"]
        r = promote(str(tmp_path), obj="x")
        assert r.status == 400
        assert err(r)["tcode"] == "errInvalidPromoteSource"
        assert promote(str(root / "nope"), obj="x").status == 404
        assert (root / "one.txt").exists()
