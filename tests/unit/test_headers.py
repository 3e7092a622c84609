"""The one multi-valued header type: every occurrence kept, read joined or one by one."""

from __future__ import annotations

import pickle

from urllib3 import HTTPHeaderDict

from aisclient.headers import Headers, as_headers


def test_every_occurrence_is_kept_in_order() -> None:
    headers = Headers([("Ais-Custom-Md", "a=x, y=z"), ("X", "1"), ("ais-custom-md", "b=2")])
    assert headers.get_list("AIS-CUSTOM-MD") == ["a=x, y=z", "b=2"]
    assert headers.getlist("x") == ["1"] and headers.get_list("absent") == []
    assert headers["ais-custom-md"] == "a=x, y=z, b=2"  # the joined form HTTP defines
    assert headers.multi_items() == [
        ("ais-custom-md", "a=x, y=z"),
        ("ais-custom-md", "b=2"),
        ("x", "1"),
    ]
    assert list(headers) == ["ais-custom-md", "x"] and len(headers) == 2


def test_add_appends_and_setting_replaces() -> None:
    headers = Headers({"Via": "a"})
    headers.add("VIA", "b")
    assert headers.get_list("via") == ["a", "b"]
    headers["via"] = "c"
    assert headers.get_list("via") == ["c"]


def test_urllib3_and_http_client_repeats_are_read_line_by_line() -> None:
    raw = HTTPHeaderDict()
    raw.add("Ais-Custom-Md", "a=1")
    raw.add("Ais-Custom-Md", "b=2")
    assert Headers(raw).get_list("ais-custom-md") == ["a=1", "b=2"]


def test_values_compare_copy_and_pickle() -> None:
    headers = Headers([("A", "1"), ("a", "2")])
    copy = headers.copy()
    copy.add("a", "3")
    assert headers.get_list("a") == ["1", "2"]  # the copy is its own
    assert pickle.loads(pickle.dumps(headers)) == headers
    assert Headers({"X": "1"}) == {"x": "1"} and Headers({"X": "1"}) != {"x": "2"}
    assert as_headers(headers) is headers and as_headers({"K": "v"}) == Headers({"k": "v"})
    assert repr(headers) == "Headers([('a', '1'), ('a', '2')])"
