"""ObjectNames, ObjectRange and ObjectTemplate: validation, wire value, expansion."""

from __future__ import annotations

import pytest

from aisclient.errors import InvalidObjectRangeIndex
from aisclient.multiobj import ObjectNames, ObjectRange, ObjectTemplate


def test_object_names() -> None:
    names = ObjectNames(["a", "b/c"])
    assert names.get_value() == {"objnames": ["a", "b/c"]}
    assert list(names) == ["a", "b/c"]
    assert names.count == 2


def test_object_names_rejects_a_single_string_and_non_str_items() -> None:
    with pytest.raises(TypeError):
        ObjectNames("abc")
    with pytest.raises(TypeError):
        ObjectNames(["a", 1])  # type: ignore[list-item]


def test_object_names_copies_its_input() -> None:
    source = ["a"]
    names = ObjectNames(source)
    source.append("b")
    assert names.get_value() == {"objnames": ["a"]}


def test_range_string_form_is_what_the_server_gets() -> None:
    rng = ObjectRange("input-", 0, 99, pad_width=2, suffix=".txt")
    assert str(rng) == "input-{00..99..1}.txt"
    assert rng.get_value() == {"template": "input-{00..99..1}.txt"}
    assert rng.count == 100
    assert list(rng)[:2] == ["input-00.txt", "input-01.txt"]
    assert list(rng)[-1] == "input-99.txt"


def test_range_with_step_and_no_padding() -> None:
    rng = ObjectRange("x", 5, 20, step=5)
    assert str(rng) == "x{5..20..5}"
    assert list(rng) == ["x5", "x10", "x15", "x20"]


def test_range_pad_shorter_than_max_pads_to_pad_width_only() -> None:
    rng = ObjectRange("s", 0, 12345, pad_width=4)
    assert str(rng) == "s{0000..12345..1}"
    names = list(rng)
    assert names[0] == "s0000" and names[9999] == "s9999" and names[-1] == "s12345"


def test_range_without_indices_is_a_prefix() -> None:
    rng = ObjectRange("logs/")
    assert str(rng) == "logs/"
    assert rng.get_value() == {"template": "logs/"}
    with pytest.raises(RuntimeError):
        list(rng)
    with pytest.raises(RuntimeError):
        _ = rng.count


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        ({"min_index": 1}, InvalidObjectRangeIndex, "both"),
        ({"max_index": 1}, InvalidObjectRangeIndex, "both"),
        ({"min_index": 5, "max_index": 4}, InvalidObjectRangeIndex, "greater"),
        ({"min_index": -1, "max_index": 4}, InvalidObjectRangeIndex, "negative"),
        ({"min_index": 0, "max_index": 4, "step": 0}, InvalidObjectRangeIndex, "step"),
        ({"min_index": 100, "max_index": 400, "pad_width": 2}, InvalidObjectRangeIndex, "digits"),
        ({"min_index": 0, "max_index": 4, "pad_width": -1}, InvalidObjectRangeIndex, "pad"),
        ({"suffix": ".txt"}, ValueError, "suffix"),
        ({"min_index": 1.0, "max_index": 4}, TypeError, "min_index"),
        ({"min_index": True, "max_index": 4}, TypeError, "min_index"),
    ],
)
def test_range_validation(kwargs: dict[str, object], error: type[Exception], text: str) -> None:
    with pytest.raises(error) as info:
        ObjectRange("p", **kwargs)  # type: ignore[arg-type]
    assert text in str(info.value)


def test_range_prefix_with_braces_is_rejected() -> None:
    with pytest.raises(ValueError, match="prefix"):
        ObjectRange("a{", 0, 2)
    with pytest.raises(ValueError, match="suffix"):
        ObjectRange("a", 0, 2, suffix="}")


def test_invalid_range_index_is_also_a_value_error() -> None:
    with pytest.raises(ValueError):
        ObjectRange("p", 5, 1)


def test_from_string_round_trip() -> None:
    rng = ObjectRange.from_string("input-{00..99..1}.txt")
    assert (rng.prefix, rng.min_index, rng.max_index, rng.pad_width, rng.step, rng.suffix) == (
        "input-",
        0,
        99,
        2,
        1,
        ".txt",
    )
    assert str(rng) == "input-{00..99..1}.txt"


def test_from_string_without_step_and_server_padding() -> None:
    rng = ObjectRange.from_string("a{0001..20}b")
    assert rng.step == 1 and rng.pad_width == 2
    assert next(iter(rng)) == "a01b"


@pytest.mark.parametrize(
    "text",
    ["no-range", "a{0..1}b{2..3}", "a{1..0}", "a{x..2}", "a@5", "{0..1", "a{0..1}b{"],
)
def test_from_string_errors(text: str) -> None:
    with pytest.raises(ValueError):
        ObjectRange.from_string(text)


def test_template_value_iteration_and_validation() -> None:
    tmpl = ObjectTemplate("d/{0..2}.bin")
    assert tmpl.get_value() == {"template": "d/{0..2}.bin"}
    assert list(tmpl) == ["d/0.bin", "d/1.bin", "d/2.bin"]
    assert tmpl.count == 3
    assert "d/1.bin" in tmpl and "d/3.bin" not in tmpl
    with pytest.raises(ValueError, match="greater"):
        ObjectTemplate("d/{3..2}")
