"""URL rendering round trips: any object name and any query survive encoding exactly."""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlsplit

import urllib3.util
from hypothesis import given, settings
from hypothesis import strategies as st

from aisclient.request import Request, render_path, render_query, render_url

EXAMPLES = settings(max_examples=300, deadline=None)
BASES = st.sampled_from(
    ["http://proxy:8080", "http://proxy:8080/", "https://10.0.0.1:51080", "http://[::1]:8080"]
)
SPECIAL = " %?#+/&=;:@ü€\t\\'\"<>[]{}|^`~."
names = st.one_of(
    st.text(min_size=1),
    st.text(alphabet=SPECIAL + "ab", min_size=1),
    st.builds(lambda a, b: a + "//" + b, st.text(), st.text()),
    st.text().map(lambda s: "/" + s),
)
query_text = st.one_of(st.text(), st.text(alphabet=SPECIAL + "ab="))
queries = st.lists(st.tuples(query_text, query_text), max_size=6).map(tuple)
bucket_names = st.from_regex(r"[A-Za-z0-9_\-]([A-Za-z0-9_\-]|\.(?!\.)){0,20}", fullmatch=True)


def _is_dot_segment_free(name: str) -> bool:
    return all(part not in (".", "..") for part in name.split("/"))


@EXAMPLES
@given(BASES, bucket_names, names, queries)
def test_object_url_round_trip(base: str, bucket: str, name: str, query: tuple) -> None:
    request = Request("GET", ("objects", bucket, name), query=query)
    url = render_url(base, request)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == base.rstrip("/")
    assert parts.fragment == ""  # a '#' in a name never starts a fragment
    prefix = f"/v1/objects/{bucket}/"
    assert parts.path.startswith(prefix)
    assert unquote(parts.path[len(prefix) :], errors="strict") == name
    assert parse_qsl(parts.query, keep_blank_values=True, errors="strict") == list(query)
    assert ("?" in url) == bool(query)


@EXAMPLES
@given(st.lists(names, min_size=1, max_size=4))
def test_path_segments_decode_back_exactly(segments: list[str]) -> None:
    path = render_path(Request("GET", tuple(segments)))
    assert "?" not in path and "#" not in path and " " not in path
    # '/' is kept as is (the server splits on it); everything else comes back byte for byte
    assert unquote(path[len("/v1/") :], errors="strict") == "/".join(segments)


@EXAMPLES
@given(queries)
def test_query_round_trip(query: tuple) -> None:
    rendered = render_query(query)
    assert parse_qsl(rendered, keep_blank_values=True, errors="strict") == list(query)
    assert "+" not in rendered and " " not in rendered  # no form-style ambiguity


@EXAMPLES
@given(bucket_names, names.filter(_is_dot_segment_free), queries)
def test_urllib3_sends_the_rendered_url_unchanged(bucket: str, name: str, query: tuple) -> None:
    """What goes on the wire is what we rendered: urllib3 neither re-encodes nor normalises."""
    url = render_url("http://h:1", Request("PUT", ("objects", bucket, name), query=query))
    parsed = urllib3.util.parse_url(url)
    assert parsed.request_uri == url[len("http://h:1") :]


@EXAMPLES
@given(st.text(), st.text())
def test_rendering_is_pure(name: str, value: str) -> None:
    request = Request("GET", ("objects", "b", name), query=(("k", value),))
    assert render_url("http://h:1", request) == render_url("http://h:1", request)
