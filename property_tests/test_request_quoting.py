"""The fast paths of URL rendering encode exactly as ``urllib.parse.quote`` does."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st

from aisclient.request import Request, _quote_query_part, _quote_segment, render_query, render_url

EXAMPLES = settings(max_examples=500, deadline=None)
# Mostly-plain text exercises the skip-quote path; the rest needs encoding.
PLAIN = "abcXYZ019_.~-/"
texts = st.one_of(st.text(alphabet=PLAIN), st.text(alphabet=PLAIN + " %?#+&=;ü\n"), st.text())
pairs = st.lists(st.tuples(texts, texts), max_size=5)


@EXAMPLES
@given(texts)
def test_segment_encoding_equals_quote(text: str) -> None:
    assert _quote_segment(text) == quote(text, safe="/")


@EXAMPLES
@given(texts)
def test_query_part_encoding_equals_quote(text: str) -> None:
    assert _quote_query_part(text) == quote(text, safe="")


@EXAMPLES
@given(pairs)
def test_cached_query_rendering_equals_fresh_rendering(query: list[tuple[str, str]]) -> None:
    expected = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in query)
    assert render_query(tuple(query)) == expected  # cached path
    assert render_query(tuple(query)) == expected  # a cache hit gives the same
    assert render_query(query) == expected  # type: ignore[arg-type]  # a list: not cacheable


@EXAMPLES
@given(st.lists(texts, min_size=1, max_size=4), pairs)
def test_url_is_base_plus_quoted_segments_plus_query(path: list[str], query: list) -> None:
    request = Request("GET", tuple(path), query=tuple(query))
    expected = "http://h:1/v1/" + "/".join(quote(p, safe="/") for p in path)
    if query:
        expected += "?" + "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in query)
    assert render_url("http://h:1/", request) == expected
