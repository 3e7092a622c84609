"""Range templates (``shard-{0000..0999}.tar``): a pure parser and a lazy expander.

The grammar and its corner cases follow the server's parser, so the names expanded here are
exactly the names a multi-object job acts on:

* ``""`` and ``"*"`` select the whole bucket;
* a template with ``{`` and ``}`` is a brace template: ``{start..end}`` or
  ``{start..end..step}``, several ranges give their cartesian product (leftmost varies
  slowest), and each number is zero-padded to the shorter of the two bounds' spellings;
* otherwise a template with ``@`` is an "at" template: ``@00100`` means ``0..100`` padded to
  5 digits;
* otherwise a template with one ``%`` is a printf template: ``%06d`` is the open-ended
  sequence 0, 1, 2, ... padded to 6 digits;
* anything else is a plain prefix (a trailing ``*`` is dropped).

Nothing is materialised: :meth:`ParsedTemplate.count` is arithmetic and iteration is a
generator, so a template naming millions of objects costs O(number of ranges) memory.
"""

from __future__ import annotations

from collections.abc import Iterator

from attrs import frozen

MATCH_ALL = frozenset({"", "*"})
# The server's printf style has no upper bound; it stops at the largest int64 minus one.
_OPEN_END = (1 << 63) - 2


@frozen
class TemplateRange:
    """One numeric range of a template and the literal text that follows it."""

    start: int
    end: int
    step: int = 1
    pad: int = 0
    gap: str = ""

    @property
    def count(self) -> int:
        return (self.end - self.start) // self.step + 1

    def render(self, index: int) -> str:
        return str(index).zfill(self.pad)


@frozen
class ParsedTemplate:
    """A parsed template: a prefix, then ranges (each carrying the text after it)."""

    text: str
    prefix: str
    ranges: tuple[TemplateRange, ...] = ()
    style: str = "prefix"  # "all", "prefix", "brace", "at" or "fmt"

    @property
    def is_range(self) -> bool:
        return bool(self.ranges)

    @property
    def is_prefix_only(self) -> bool:
        return not self.ranges

    @property
    def matches_all(self) -> bool:
        return self.style == "all"

    @property
    def count(self) -> int:
        """How many names the template expands to, computed without expanding it."""
        total = 1
        for item in self.ranges:
            total *= item.count
        return total

    def __iter__(self) -> Iterator[str]:
        return expand(self)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and _matches(name, self.prefix, self.ranges)


def parse_template(text: str) -> ParsedTemplate:
    """Parse ``text``; raise ``ValueError`` naming the problem when it is malformed."""
    if not isinstance(text, str):
        raise TypeError(f"a template must be a str, not {type(text).__name__}")
    if text in MATCH_ALL:
        return ParsedTemplate(text, "", (), "all")
    first_open = text.find("{")
    if first_open != -1 and text.rfind("}") != -1:
        return _parse_brace(text, first_open)
    if "@" in text:
        return _parse_at(text)
    if text.count("%") == 1:
        return _parse_fmt(text)
    return ParsedTemplate(text, text.removesuffix("*"))


def expand(template: ParsedTemplate) -> Iterator[str]:
    """Yield the names of ``template`` in the server's order, one at a time.

    A prefix-only template yields its text once (as the official SDK's brace expansion does);
    note that the server treats such a template as a prefix *selection*, not as one name.
    """
    if not template.ranges:
        yield template.text
        return
    yield from _product(template.prefix, template.ranges)


def _product(head: str, ranges: tuple[TemplateRange, ...]) -> Iterator[str]:
    first, rest = ranges[0], ranges[1:]
    indices = range(first.start, first.end + 1, first.step)
    if not rest:
        for index in indices:
            yield head + first.render(index) + first.gap
        return
    for index in indices:
        yield from _product(head + first.render(index) + first.gap, rest)


def _invalid(style: str, text: str, problem: str) -> ValueError:
    return ValueError(f"invalid {style} template {text!r}: {problem}")


def _number(style: str, text: str, token: str, what: str) -> int:
    if not token or not token.isascii() or not token.isdigit():
        raise _invalid(style, text, f"{what} {token!r} is not a non-negative decimal integer")
    return int(token)


def _checked(style: str, text: str, item: TemplateRange) -> TemplateRange:
    if item.step <= 0:
        raise _invalid(style, text, f"step {item.step} must be positive")
    if item.start > item.end:
        raise _invalid(style, text, f"start {item.start} is greater than end {item.end}")
    return item


def _parse_brace(text: str, first_open: int) -> ParsedTemplate:
    style = "brace"
    ranges: list[TemplateRange] = []
    rest = text
    while (open_at := rest.find("{")) != -1:
        close_at = rest.find("}")
        if close_at == -1:
            raise _invalid(style, text, "a '{' is never closed")
        if close_at < open_at:
            raise _invalid(style, text, "a '}' comes before its '{'")
        parts = rest[open_at + 1 : close_at].split("..")
        if len(parts) not in (2, 3):
            raise _invalid(
                style, text, f"{{{rest[open_at + 1 : close_at]}}} is not {{start..end[..step]}}"
            )
        start = _number(style, text, parts[0], "start")
        end = _number(style, text, parts[1], "end")
        step = _number(style, text, parts[2], "step") if len(parts) == 3 else 1
        rest = rest[close_at + 1 :]
        next_open = rest.find("{")
        gap = rest if next_open == -1 else rest[:next_open]
        pad = min(len(parts[0]), len(parts[1]))
        ranges.append(_checked(style, text, TemplateRange(start, end, step, pad, gap)))
    return ParsedTemplate(text, text[:first_open], tuple(ranges), style)


def _parse_at(text: str) -> ParsedTemplate:
    style = "at"
    ranges: list[TemplateRange] = []
    rest = text
    while (at := rest.find("@")) != -1:
        digits_end = at + 1
        while digits_end < len(rest) and rest[digits_end].isascii() and rest[digits_end].isdigit():
            digits_end += 1
        digits = rest[at + 1 : digits_end]
        if not digits:
            raise _invalid(style, text, "'@' must be followed by the last index, e.g. '@00100'")
        rest = rest[digits_end:]
        next_at = rest.find("@")
        gap = rest if next_at == -1 else rest[:next_at]
        ranges.append(_checked(style, text, TemplateRange(0, int(digits), 1, len(digits), gap)))
    return ParsedTemplate(text, text[: text.find("@")], tuple(ranges), style)


def _parse_fmt(text: str) -> ParsedTemplate:
    style = "printf"
    percent = text.find("%")
    verb = text.find("d", percent)
    if verb == -1:
        raise _invalid(style, text, "'%' must be followed by a 'd' verb, e.g. '%06d'")
    flags = text[percent + 1 : verb]
    pad = 0
    if flags:
        if len(flags) < 2 or flags[0] != "0":
            raise _invalid(style, text, f"width {flags!r} must be '0' then digits, e.g. '%06d'")
        pad = _number(style, text, flags[1:], "width")
    only = TemplateRange(0, _OPEN_END, 1, pad, text[verb + 1 :])
    return ParsedTemplate(text, text[:percent], (only,), "fmt")


def _matches(name: str, head: str, ranges: tuple[TemplateRange, ...]) -> bool:
    """Whether ``name`` is one of the expanded names, without expanding (backtracking match)."""
    if not name.startswith(head):
        return False
    if not ranges:
        return name == head
    tail = name[len(head) :]
    first, rest = ranges[0], ranges[1:]
    # The number is a run of digits at least ``pad`` long; try every split of that run.
    run = 0
    while run < len(tail) and tail[run].isascii() and tail[run].isdigit():
        run += 1
    for width in range(max(1, first.pad), run + 1):
        token = tail[:width]
        value = int(token)
        if first.render(value) != token:
            continue
        if not (first.start <= value <= first.end and (value - first.start) % first.step == 0):
            continue
        if _matches(tail[width:], first.gap, rest):
            return True
    return False
