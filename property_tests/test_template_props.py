"""Property tests of the range-template parser and ObjectRange."""

from __future__ import annotations

import itertools

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from aisclient.multiobj import ObjectRange, ObjectTemplate, parse_template

# Literal text between ranges: anything but the characters that start template syntax.
literal = st.text(
    alphabet=st.characters(blacklist_characters="{}@%", blacklist_categories=("Cs",)),
    max_size=6,
)


@st.composite
def brace_range(draw: st.DrawFn) -> tuple[str, list[int], int]:
    """A ``{a..b[..s]}`` token, its values, and the pad the server derives."""
    start = draw(st.integers(0, 120))
    end = draw(st.integers(start, start + 40))
    step = draw(st.integers(1, 15))
    start_text = str(start).zfill(draw(st.integers(0, 4)))
    end_text = str(end).zfill(draw(st.integers(0, 4)))
    with_step = draw(st.booleans()) or step != 1
    token = f"{{{start_text}..{end_text}" + (f"..{step}}}" if with_step else "}")
    return token, list(range(start, end + 1, step)), min(len(start_text), len(end_text))


@st.composite
def brace_template(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A brace template and its expansion, computed independently of the parser."""
    prefix = draw(literal)
    parts = draw(st.lists(st.tuples(brace_range(), literal), min_size=1, max_size=3))
    text = prefix + "".join(token + gap for (token, _, _), gap in parts)
    pieces = [[str(value).zfill(pad) + gap for value in values] for (_, values, pad), gap in parts]
    expected = [prefix + "".join(combo) for combo in itertools.product(*pieces)]
    return text, expected


@settings(max_examples=300, deadline=None)
@given(brace_template())
def test_expansion_matches_an_independent_cartesian_product(case: tuple[str, list[str]]) -> None:
    text, expected = case
    parsed = parse_template(text)
    assert parsed.count == len(expected)
    assert list(parsed) == expected
    assert list(ObjectTemplate(text)) == expected


@settings(max_examples=300, deadline=None)
@given(brace_template())
def test_every_expanded_name_is_a_member(case: tuple[str, list[str]]) -> None:
    text, expected = case
    parsed = parse_template(text)
    assert all(name in parsed for name in expected)


@settings(max_examples=300, deadline=None)
@given(brace_template(), st.text(max_size=12))
def test_membership_agrees_with_expansion(case: tuple[str, list[str]], other: str) -> None:
    text, expected = case
    assert (other in parse_template(text)) == (other in set(expected))


@settings(max_examples=300, deadline=None)
@given(brace_template())
def test_parsing_is_deterministic_and_iteration_restartable(case: tuple[str, list[str]]) -> None:
    text, _ = case
    parsed = parse_template(text)
    assert parse_template(text) == parsed
    assert list(parsed) == list(parsed)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=30))
def test_parser_is_total_value_error_or_a_result(text: str) -> None:
    try:
        parsed = parse_template(text)
    except ValueError as err:
        assert repr(text) in str(err)
        return
    assert parsed.count >= 1
    first = next(iter(parsed))
    assert isinstance(first, str)


@settings(max_examples=300, deadline=None)
@given(
    prefix=literal,
    suffix=literal,
    low=st.integers(0, 10_000),
    span=st.integers(0, 300),
    step=st.integers(1, 50),
    pad=st.integers(0, 7),
)
def test_object_range_string_round_trips(
    prefix: str, suffix: str, low: int, span: int, step: int, pad: int
) -> None:
    assume(pad == 0 or len(str(low)) <= pad)
    rng = ObjectRange(prefix, low, low + span, pad_width=pad, step=step, suffix=suffix)
    again = ObjectRange.from_string(str(rng))
    assert str(again) == str(rng)
    assert list(again) == list(rng)
    names = list(rng)
    assert len(names) == rng.count == span // step + 1
    width = max(pad, 1)
    assert names[0] == prefix + str(low).zfill(width) + suffix
    assert all(name.startswith(prefix) and name.endswith(suffix) for name in names)


@settings(max_examples=300, deadline=None)
@given(brace_template())
def test_from_string_of_a_single_range_expands_like_the_template(
    case: tuple[str, list[str]],
) -> None:
    text, expected = case
    parsed = parse_template(text)
    assume(len(parsed.ranges) == 1)
    assert list(ObjectRange.from_string(text)) == expected


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 50),
    st.integers(0, 50),
    st.integers(-3, 0),
)
def test_bad_bounds_are_rejected(a: int, b: int, step: int) -> None:
    import pytest

    if a > b:
        with pytest.raises(ValueError, match="greater"):
            parse_template(f"x{{{a}..{b}}}")
    with pytest.raises(ValueError):
        parse_template(f"x{{{min(a, b)}..{max(a, b)}..{step}}}")
