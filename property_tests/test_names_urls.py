"""Names reach the server intact: object names survive URL rendering exactly, bucket names are
validated once and carried verbatim, and names AIS refuses never leave the client."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aisclient import Client
from aisclient.ops import object as obj_ops
from aisclient.provider import BucketRef, validate_bucket_name
from aisclient.request import BytesBody, render_url
from aisclient.transport.mock import RecordingTransport, StubTransport

BASE = "http://proxy:8080"
SPECIAL = "/%?#+ &=;:@!$'()*,~.\\\"<>[]{}|^`"
object_names = st.text(
    alphabet=st.one_of(st.sampled_from(SPECIAL), st.characters(codec="utf-8")), min_size=1
) | st.sampled_from(["a//b", "/lead", "//x", "dir/sub/", "%2F", "a%20b", "+", "ü/日本/🙂"])

bucket_names = st.from_regex(r"[A-Za-z0-9_\-][A-Za-z0-9_.\-]{0,63}", fullmatch=True).filter(
    lambda n: ".." not in n and len(n.encode()) <= 64
)


def path_name(url: str, bucket: str) -> str:
    """The object name as the server reads it: the decoded path after /v1/objects/<bck>/."""
    path = urlsplit(url).path
    prefix = f"/v1/objects/{bucket}/"
    assert path.startswith(prefix)
    return unquote(path[len(prefix) :])


@settings(max_examples=300, deadline=None)
@given(name=object_names, bucket=bucket_names)
def test_object_name_round_trips_through_the_url(name: str, bucket: str) -> None:
    request = obj_ops.get_object(BucketRef(bucket), name)
    assert request.path == ("objects", bucket, name)  # the request keeps the raw name
    url = render_url(BASE, request)
    parts = urlsplit(url)
    assert parts.query == "provider=ais"  # no '?' or '#' of the name leaked out
    assert parts.fragment == ""
    assert path_name(url, bucket) == name


@settings(max_examples=300, deadline=None)
@given(name=object_names)
def test_object_url_of_the_facade_round_trips(name: str) -> None:
    client = Client(BASE, transport=StubTransport())
    url = client.bucket("bck").object(name).get_url()
    assert path_name(url, "bck") == name


@settings(max_examples=300, deadline=None)
@given(name=bucket_names)
def test_valid_bucket_names_are_carried_intact(name: str) -> None:
    client = Client(BASE, transport=StubTransport())
    bucket = client.bucket(name)
    request = obj_ops.put_object(bucket.ref, "o", BytesBody(b""))
    assert request.path[1] == name
    assert urlsplit(render_url(BASE, request)).path == f"/v1/objects/{name}/o"


invalid_bucket_names = st.one_of(
    st.just(""),
    st.text(min_size=65, max_size=80, alphabet="abc"),
    st.builds(
        lambda a, b: f"{a}..{b}",
        st.text(alphabet="ab", max_size=3),
        st.text(alphabet="ab", max_size=3),
    ),
    st.builds(
        lambda a, c, b: a + c + b,
        st.text(alphabet="ab", max_size=5),
        st.sampled_from(list("/ ?#%+@:ü\t\n*")),
        st.text(alphabet="ab", max_size=5),
    ),
)


@settings(max_examples=300, deadline=None)
@given(name=invalid_bucket_names)
def test_invalid_bucket_names_fail_before_any_byte_is_sent(name: str) -> None:
    recording = RecordingTransport(StubTransport())
    client = Client(BASE, transport=recording)
    with pytest.raises(ValueError):
        validate_bucket_name(name)
    with pytest.raises(ValueError):
        client.bucket(name).create()
    with pytest.raises(ValueError):
        client.bucket(name).object("o").get_reader().read_all()
    assert recording.requests == []


forbidden_write_names = st.one_of(
    st.just(""),
    object_names.map(lambda n: n.rstrip("/") + "/"),
    object_names.map(lambda n: "~/" + n),
    st.builds(
        lambda a, dots, b: "/".join(p for p in (a, dots, b) if p is not None),
        st.one_of(st.none(), st.text(alphabet="ab/", max_size=4)),
        st.sampled_from([".", ".."]),
        st.one_of(st.none(), st.text(alphabet="ab", min_size=1, max_size=4)),
    ),
    # NUL: the target cannot make a file path of it. Empty path components: AIS stores the
    # object but lists it collapsed ("a//b" as "a/b") or not at all.
    st.builds(lambda a, b: f"{a}\x00{b}", object_names, object_names),
    object_names.map(lambda n: "/" + n),
    st.builds(lambda a, b: f"{a}//{b}", object_names, object_names),
)


@settings(max_examples=300, deadline=None)
@given(name=forbidden_write_names)
def test_names_ais_refuses_for_writes_never_leave_the_client(name: str) -> None:
    recording = RecordingTransport(StubTransport())
    obj = Client(BASE, transport=recording).bucket("b").object(name)
    with pytest.raises(ValueError):
        obj.get_writer().put_content(b"x")
    with pytest.raises(ValueError):
        obj.get_writer().append_content(b"x")
    with pytest.raises(ValueError):
        obj.multipart_upload().create()
    assert recording.requests == []


@settings(max_examples=300, deadline=None)
@given(name=object_names)
def test_write_check_accepts_exactly_what_ais_stores(name: str) -> None:
    parts = name.split("/")
    refused = (
        name.endswith("/")
        or name.startswith("~/")
        or "\x00" in name
        or any(p in ("", ".", "..") for p in parts)  # "" is a leading "/" or a "//"
    )
    if refused:
        with pytest.raises(ValueError):
            obj_ops.check_write_name(name)
    else:
        assert obj_ops.check_write_name(name) == name
