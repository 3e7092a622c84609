"""The range-template parser: the server's grammar, padding rules, errors, laziness."""

from __future__ import annotations

import itertools
import tracemalloc

import pytest

from aisclient.multiobj.template import TemplateRange, parse_template


def names(text: str) -> list[str]:
    return list(parse_template(text))


def test_simple_brace_range_with_padding() -> None:
    assert names("shard-{000..003}.tar") == [
        "shard-000.tar",
        "shard-001.tar",
        "shard-002.tar",
        "shard-003.tar",
    ]


def test_step_and_no_padding() -> None:
    assert names("{0..10..5}") == ["0", "5", "10"]
    assert names("a{0..100..2}b")[:3] == ["a0b", "a2b", "a4b"]
    assert names("a{0..100..2}b")[-1] == "a100b"
    assert parse_template("a{0..100..2}b").count == 51


def test_step_that_does_not_land_on_end() -> None:
    assert names("x{1..10..4}") == ["x1", "x5", "x9"]
    assert parse_template("x{1..10..4}").count == 3


def test_padding_is_the_shorter_bound_spelling_as_on_the_server() -> None:
    # {0001..99}: min(4, 2) = 2 digits
    assert names("p{0001..12}")[:3] == ["p01", "p02", "p03"]
    # {1..0100}: min(1, 4) = 1 digit, i.e. no padding
    assert names("p{1..0100}")[:2] == ["p1", "p2"]
    assert names("p{1..0100}")[-1] == "p100"
    # numbers wider than the pad are not cut
    assert names("p{98..100}") == ["p98", "p99", "p100"]


def test_several_ranges_give_the_cartesian_product_leftmost_slowest() -> None:
    assert names("a-{0..1}-b-{00..10..5}.txt") == [
        "a-0-b-00.txt",
        "a-0-b-05.txt",
        "a-0-b-10.txt",
        "a-1-b-00.txt",
        "a-1-b-05.txt",
        "a-1-b-10.txt",
    ]
    assert parse_template("a-{0..1}-b-{00..10..5}.txt").count == 6


def test_parsed_structure() -> None:
    parsed = parse_template("pre{01..10..3}mid{5..6}end")
    assert parsed.style == "brace"
    assert parsed.prefix == "pre"
    assert parsed.ranges == (
        TemplateRange(1, 10, 3, 2, "mid"),
        TemplateRange(5, 6, 1, 1, "end"),
    )
    assert parsed.is_range and not parsed.is_prefix_only


def test_single_index_range() -> None:
    assert names("only-{7..7}") == ["only-7"]


def test_closing_brace_in_the_trailing_text_is_literal() -> None:
    assert names("a{0..1}b}c") == ["a0b}c", "a1b}c"]


def test_at_style_range() -> None:
    assert names("prefix-@003-suffix") == [
        "prefix-000-suffix",
        "prefix-001-suffix",
        "prefix-002-suffix",
        "prefix-003-suffix",
    ]
    assert names("a@1-b@2") == ["a0-b0", "a0-b1", "a0-b2", "a1-b0", "a1-b1", "a1-b2"]


def test_printf_style_is_open_ended_and_lazy() -> None:
    parsed = parse_template("img-%04d.jpg")
    assert parsed.style == "fmt"
    assert parsed.count == (1 << 63) - 1
    assert list(itertools.islice(parsed, 3)) == ["img-0000.jpg", "img-0001.jpg", "img-0002.jpg"]
    assert list(itertools.islice(parse_template("n%d"), 11))[-1] == "n10"


@pytest.mark.parametrize("text", ["", "*"])
def test_match_all(text: str) -> None:
    parsed = parse_template(text)
    assert parsed.matches_all and parsed.is_prefix_only


def test_plain_prefix_yields_its_text_once() -> None:
    parsed = parse_template("logs/2025/")
    assert parsed.style == "prefix" and parsed.prefix == "logs/2025/"
    assert list(parsed) == ["logs/2025/"]
    assert parsed.count == 1
    assert parse_template("logs*").prefix == "logs"


def test_unclosed_braces_without_any_close_are_a_prefix_like_the_server() -> None:
    assert parse_template("a{0..3").style == "prefix"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a{3..1}", "start 3 is greater than end 1"),
        ("a{0..10..0}", "step 0 must be positive"),
        ("a{x..3}", "start 'x' is not a non-negative decimal integer"),
        ("a{0..y}", "end 'y' is not a non-negative decimal integer"),
        ("a{0..3..z}", "step 'z' is not a non-negative decimal integer"),
        ("a{-1..3}", "start '-1'"),
        ("a{0..3}b{c", "never closed"),
        ("a}b{0..3}", "comes before"),
        ("a{0}", "is not {start..end[..step]}"),
        ("a{0..1..2..3}", "is not {start..end[..step]}"),
        ("a{a,b}", "is not {start..end[..step]}"),
        ("a{{0..1}}", "not a non-negative decimal integer"),
        ("a{}", "is not {start..end[..step]}"),
        ("a{٣..5}", "not a non-negative decimal integer"),
        ("user@host", "'@' must be followed"),
        ("a%x", "must be followed by a 'd'"),
        ("a%6d", "width '6' must be '0' then digits"),
    ],
)
def test_errors_name_the_problem(text: str, problem: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_template(text)
    assert problem in str(info.value)
    assert repr(text) in str(info.value)


def test_non_str_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        parse_template(123)  # type: ignore[arg-type]


def test_count_of_a_huge_template_is_instant_and_expansion_is_lazy() -> None:
    parsed = parse_template("x-{0000..9999}-{0000..9999}-{000..999}")
    assert parsed.count == 10_000 * 10_000 * 1000
    tracemalloc.start()
    try:
        first = list(itertools.islice(parsed, 5))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert first[0] == "x-0000-0000-000" and first[-1] == "x-0000-0000-004"
    assert peak < 100_000


def test_a_million_names_stream_in_bounded_memory() -> None:
    parsed = parse_template("obj-{000000..999999}")
    tracemalloc.start()
    try:
        seen = 0
        last = ""
        for name in parsed:
            seen += 1
            last = name
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == 1_000_000 == parsed.count
    assert last == "obj-999999"
    assert peak < 1_000_000  # a materialised list would need tens of MB


def test_membership_without_expanding() -> None:
    parsed = parse_template("s-{000..999..3}.tar")
    assert "s-003.tar" in parsed
    assert "s-999.tar" in parsed
    assert "s-004.tar" not in parsed  # off-step
    assert "s-03.tar" not in parsed  # under-padded
    assert "s-0003.tar" not in parsed  # over-padded
    assert "t-003.tar" not in parsed
    assert "s-1002.tar" not in parsed
    multi = parse_template("a{1..12}b{0..5}")
    assert "a12b3" in multi and "a1b5" in multi and "a13b0" not in multi
