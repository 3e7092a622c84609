"""error_from_response is total, and classifies the server's messages as AIS writes them."""

from __future__ import annotations

import json
import pickle
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from aisclient.errors import (
    APIRequestError,
    ErrBckAlreadyExists,
    ErrBckNotFound,
    ErrETLAlreadyExists,
    ErrETLNotFound,
    ErrGETConflict,
    ErrObjNotFound,
    ErrRemoteBckNotFound,
    error_from_response,
)
from aisclient.request import Request

EXAMPLES = settings(max_examples=300, deadline=None)

header_values = st.one_of(st.text(), st.integers(), st.none(), st.binary(max_size=10))
headers = st.dictionaries(
    st.one_of(st.text(max_size=12), st.sampled_from(["Hdr-Error", "hdr-error", "HDR-ERROR"])),
    header_values,
    max_size=5,
)
bodies = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(str.encode),
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20)),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
        ),
        max_leaves=10,
    ).map(lambda doc: json.dumps(doc).encode()),
    st.integers(1, 5000).map(lambda depth: b'{"a":' * depth),  # hostile nesting
)
methods = st.one_of(st.none(), st.sampled_from(["GET", "HEAD", "PUT", "POST", "DELETE"]), st.text())


@EXAMPLES
@given(st.integers(-(10**6), 10**6), headers, bodies, methods, st.text(max_size=40))
def test_error_from_response_is_total(
    status: int, hdrs: dict[str, Any], body: bytes, method: str | None, url: str
) -> None:
    request = None if method is None else Request(method, ("x",))
    err = error_from_response(status, hdrs, body, request, url=url)
    assert isinstance(err, APIRequestError)
    assert err.status_code == status and err.req_url == url and err.req is request
    assert str(err).startswith(f"STATUS:{status}, MESSAGE:")
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is type(err) and str(copy) == str(err)


scheme_providers = st.sampled_from(
    [
        ("ais", "local"),
        ("s3", "remote"),
        ("aws", "remote"),
        ("gs", "remote"),
        ("gcp", "remote"),
        ("az", "remote"),
        ("azure", "remote"),
        ("oc", "remote"),
        ("oci", "remote"),
    ]
)
bucket_names = st.from_regex(r"[A-Za-z0-9_\-]([A-Za-z0-9_\-]|\.(?!\.)){0,30}", fullmatch=True)
namespaces = st.one_of(
    st.just(""),
    st.builds(
        lambda uuid, name: f"@{uuid}#{name}/" if name else f"@{uuid}/",
        st.from_regex(r"[A-Za-z0-9_\-]{1,12}", fullmatch=True),
        st.from_regex(r"[A-Za-z0-9_\-]{0,8}", fullmatch=True),
    ),
)
object_names = st.text(min_size=1, max_size=30).filter(
    lambda s: '"' not in s and "etl job" not in s
)


def _body(message: str, status: int) -> bytes:
    return json.dumps({"message": message, "status": status}).encode()


@EXAMPLES
@given(scheme_providers, namespaces, bucket_names, st.sampled_from(["HEAD", "GET", "DELETE"]))
def test_missing_buckets(scheme: tuple[str, str], ns: str, bucket: str, method: str) -> None:
    name, kind = scheme
    message = f'bucket "{name}://{ns}{bucket}" does not exist'
    err = error_from_response(404, {}, _body(message, 404), Request(method, ("x",)))
    remote = kind == "remote" or ns != ""
    assert type(err) is (ErrRemoteBckNotFound if remote else ErrBckNotFound)


@EXAMPLES
@given(scheme_providers, namespaces, bucket_names, object_names)
def test_missing_objects(scheme: tuple[str, str], ns: str, bucket: str, obj: str) -> None:
    message = f"t[kWQt8081]: {scheme[0]}://{ns}{bucket}/{obj} does not exist"
    header = _body(message, 404).decode("utf-8")
    # a GET carries it in the body, a HEAD in the Hdr-Error header; both map the same
    assert (
        type(error_from_response(404, {}, header.encode(), Request("GET", ("x",))))
        is ErrObjNotFound
    )
    head = error_from_response(404, {"Hdr-Error": header}, b"", Request("HEAD", ("x",)))
    assert type(head) is ErrObjNotFound


@EXAMPLES
@given(scheme_providers, bucket_names, st.sampled_from(["POST", "PUT", "DELETE", "GET"]))
def test_conflicts(scheme: tuple[str, str], bucket: str, method: str) -> None:
    message = f'bucket "{scheme[0]}://{bucket}" already exists'
    err = error_from_response(409, {}, _body(message, 409), Request(method, ("x",)))
    assert type(err) is (ErrGETConflict if method == "GET" else ErrBckAlreadyExists)


@EXAMPLES
@given(st.text(max_size=20), st.sampled_from([404, 409]), st.sampled_from(["POST", "DELETE"]))
def test_etl_messages(name: str, status: int, method: str) -> None:
    message = f"etl job {name} " + ("does not exist" if status == 404 else "already exists")
    err = error_from_response(status, {}, _body(message, status), Request(method, ("etl", "x")))
    assert type(err) is (ErrETLNotFound if status == 404 else ErrETLAlreadyExists)
