"""The Request value, body kinds and URL rendering."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from aisclient.config import Timeout
from aisclient.request import (
    BytesBody,
    FileBody,
    IterBody,
    JsonBody,
    Request,
    render_path,
    render_query,
    render_url,
)

BASE = "http://proxy:8080"


def obj(name: str) -> Request:
    return Request("GET", ("objects", "bck", name), query=(("provider", "ais"),))


@pytest.mark.parametrize(
    ("name", "wire"),
    [
        ("plain.txt", "plain.txt"),
        ("dir/sub/o", "dir/sub/o"),
        ("a b", "a%20b"),
        ("ü", "%C3%BC"),
        ("100%", "100%25"),
        ("what?", "what%3F"),
        ("#1", "%231"),
        ("a+b", "a%2Bb"),
        ("A-Z_a.z~0", "A-Z_a.z~0"),
        ("//lead", "//lead"),
        ("/abs", "/abs"),
        ("x&y=z;", "x%26y%3Dz%3B"),
    ],
)
def test_object_names_are_encoded_as_the_sdk_does(name: str, wire: str) -> None:
    assert render_url(BASE, obj(name)) == f"{BASE}/v1/objects/bck/{wire}?provider=ais"


def test_base_url_layout() -> None:
    assert render_url(BASE + "/", Request("GET", ("buckets",))) == f"{BASE}/v1/buckets"
    assert render_url(BASE, Request("GET", ())) == f"{BASE}/v1/"
    assert render_path(Request("GET", ("daemon",))) == "/v1/daemon"


def test_request_endpoint_overrides_the_base() -> None:
    request = Request("GET", ("health",), endpoint="http://other:9/")
    assert render_url(BASE, request) == "http://other:9/v1/health"


def test_query_values_are_form_encoded_without_plus_for_space() -> None:
    pairs = (("namespace", "@uuid#ns"), ("prefix", "a b/c"), ("x", "1+1=2&"))
    assert render_query(pairs) == "namespace=%40uuid%23ns&prefix=a%20b%2Fc&x=1%2B1%3D2%26"


def test_repeated_query_keys_keep_their_order() -> None:
    request = Request("GET", ("x",), query=(("k", "1"), ("k", "2")))
    assert render_url(BASE, request).endswith("?k=1&k=2")
    assert request.query_value("k") == "2" and request.query_value("missing") is None


def test_default_idempotence_by_method() -> None:
    for method in ("GET", "HEAD", "PUT", "DELETE", "OPTIONS"):
        assert Request(method, ()).idempotent
    for method in ("POST", "PATCH"):
        assert not Request(method, ()).idempotent
    assert Request("POST", (), idempotent=True).idempotent
    assert not Request("PUT", (), idempotent=False).idempotent


def test_request_is_an_immutable_comparable_value() -> None:
    request = obj("o").with_headers(("X-A", "1"))
    assert request == obj("o").with_headers(("X-A", "1"))
    assert hash(request) == hash(obj("o").with_headers(("X-A", "1")))
    assert pickle.loads(pickle.dumps(request)) == request
    with pytest.raises(AttributeError):
        request.method = "PUT"  # type: ignore[misc]
    changed = request.replace(method="HEAD").with_query(("props", "size"))
    assert changed.method == "HEAD" and request.method == "GET"
    assert changed.query == (("provider", "ais"), ("props", "size"))


def test_header_lookup_is_case_insensitive_and_last_wins() -> None:
    request = Request("GET", (), headers=(("Range", "bytes=0-1"), ("range", "bytes=2-3")))
    assert request.header("RANGE") == "bytes=2-3" and request.header("nope") is None


def test_json_body() -> None:
    body = JsonBody.of({"action": "list", "name": "", "value": None})
    assert body.data == b'{"action":"list","name":"","value":null}'
    assert body.content_type == "application/json" and body.replayable
    assert Request("POST", (), body=body).json == {"action": "list", "name": "", "value": None}
    assert Request("POST", (), body=BytesBody(b"{}")).json is None
    assert body.size() == len(body.data)


def test_bytes_body() -> None:
    body = BytesBody(b"abc", content_type="text/plain")
    assert (body.size(), body.replayable, body.content_type) == (3, True, "text/plain")
    assert Request("PUT", (), body=body).replayable


def test_file_body_streams_a_range_and_can_be_sent_again(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(bytes(range(100)))
    whole = FileBody(path)
    assert whole.size() == 100 and whole.path == str(path)
    assert b"".join(bytes(c) for c in whole.chunks(7)) == bytes(range(100))
    assert b"".join(bytes(c) for c in whole.chunks(7)) == bytes(range(100))  # replayable
    part = FileBody(str(path), offset=90, length=50)
    assert part.size() == 10 and b"".join(bytes(c) for c in part.chunks()) == bytes(range(90, 100))
    assert FileBody(path, offset=200).size() == 0
    assert list(FileBody(path, offset=200).chunks()) == []


def test_file_body_that_shrinks_while_sending_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 100)
    chunks = FileBody(path).chunks(10)
    next(chunks)
    path.write_bytes(b"x" * 5)
    with pytest.raises(OSError, match="shrank"):
        list(chunks)


def test_iter_body_is_one_shot() -> None:
    body = IterBody(iter([b"a"]), length=1)
    request = Request("PUT", (), body=body)
    assert not body.replayable and not request.replayable
    assert body.size() == 1 and IterBody([b"x"]).size() is None
    assert Request("GET", ()).replayable


def test_hints_default_off() -> None:
    request = Request("GET", ())
    assert (request.stream, request.probe_redirect, request.timeout, request.endpoint) == (
        False,
        False,
        None,
        None,
    )
    assert Request("GET", (), timeout=Timeout(1, 2)).timeout == Timeout(1.0, 2.0)


def test_replacing_the_method_recomputes_default_idempotence() -> None:
    assert not Request("GET", ()).replace(method="POST").idempotent
    assert Request("POST", ()).replace(method="PUT").idempotent
    # a value set by hand is kept
    assert Request("POST", (), idempotent=True).replace(method="PATCH").idempotent
    assert not Request("GET", (), idempotent=False).replace(method="HEAD").idempotent


def test_method_is_upper_case() -> None:
    request = Request("get", ("x",))
    assert request.method == "GET" and request.idempotent and request == Request("GET", ("x",))
