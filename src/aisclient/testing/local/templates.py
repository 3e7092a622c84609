"""Object selection for multi-object jobs: name lists, range templates, prefixes.

Templates follow AIS: bash braces ``pre{0..9..2}post`` (several allowed), the
"at" style ``pre@00100post`` and printf style ``pre%06dpost``; anything else is
a prefix (a trailing ``*`` is dropped, empty or ``*`` means everything).
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass

from .errors import HttpError

_PRINTF = re.compile(r"%(?:0(\d+))?d")
_EXPAND_LIMIT = 200_000


@dataclass(frozen=True)
class _Range:
    start: int
    end: int | None
    step: int
    width: int

    def count(self) -> int:
        assert self.end is not None
        return (self.end - self.start) // self.step + 1

    def values(self) -> Iterator[str]:
        assert self.end is not None
        for i in range(self.start, self.end + 1, self.step):
            yield str(i).zfill(self.width)

    def accepts(self, digits: str) -> bool:
        n = int(digits)
        if n < self.start or (self.end is not None and n > self.end):
            return False
        return (n - self.start) % self.step == 0 and str(n).zfill(self.width) == digits


@dataclass(frozen=True)
class Template:
    literals: tuple[str, ...]
    ranges: tuple[_Range, ...]

    @property
    def prefix(self) -> str:
        return self.literals[0]

    def count(self) -> int | None:
        total = 1
        for r in self.ranges:
            if r.end is None:
                return None
            total *= r.count()
        return total

    def expand(self) -> Iterator[str]:
        for combo in itertools.product(*(r.values() for r in self.ranges)):
            parts = [self.literals[0]]
            for lit, val in zip(self.literals[1:], combo, strict=True):
                parts += [val, lit]
            yield "".join(parts)

    def regex(self) -> re.Pattern[str]:
        body = re.escape(self.literals[0])
        for lit in self.literals[1:]:
            body += r"(\d+)" + re.escape(lit)
        return re.compile(body + r"\Z")

    def matches(self, name: str) -> bool:
        m = self.regex().match(name)
        return m is not None and all(
            r.accepts(d) for r, d in zip(self.ranges, m.groups(), strict=True)
        )


def _invalid(kind: str, text: str, why: str = "") -> HttpError:
    example = {"bash": "prefix-{0001..0010..1}-suffix'", "fmt": "prefix-%06d-suffix"}[kind]
    detail = f": {why}" if why else f" (expecting e.g. '{example})"
    return HttpError(400, f"invalid '{kind}' template \"{text}\"{detail}", "errTemplateInvalid")


def _number(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise HttpError(
            400, f'strconv.ParseInt: parsing "{raw}": invalid syntax', "NumError"
        ) from None


def _parse_bash(text: str) -> Template:
    literals: list[str] = []
    ranges: list[_Range] = []
    rest = text
    while "{" in rest:
        open_at = rest.index("{")
        close_at = rest.find("}", open_at)
        if close_at < 0:
            raise _invalid("bash", rest)
        parts = rest[open_at + 1 : close_at].split("..")
        if len(parts) not in (2, 3):
            raise _invalid("bash", rest)
        start, end = _number(parts[0]), _number(parts[1])
        step = _number(parts[2]) if len(parts) == 3 else 1
        if start < 0:
            raise _invalid("bash", rest, "'start' is negative")
        if start > end:
            raise _invalid("bash", rest, "'start' cannot be greater than 'end'")
        if step <= 0:
            raise _invalid("bash", rest, "'step' is non-positive")
        literals.append(rest[:open_at])
        ranges.append(_Range(start, end, step, min(len(parts[0]), len(parts[1]))))
        rest = rest[close_at + 1 :]
    literals.append(rest)
    return Template(tuple(literals), tuple(ranges))


def _parse_at(text: str) -> Template:
    pieces = text.split("@")
    literals = [pieces[0]]
    ranges: list[_Range] = []
    for piece in pieces[1:]:
        digits = re.match(r"\d*", piece)
        num = digits.group(0) if digits else ""
        ranges.append(_Range(0, _number(num), 1, len(num)))
        literals.append(piece[len(num) :])
    return Template(tuple(literals), tuple(ranges))


def _parse_fmt(text: str) -> Template:
    literals: list[str] = []
    ranges: list[_Range] = []
    pos = 0
    for m in re.finditer("%", text):
        if m.start() < pos:
            continue
        verb = _PRINTF.match(text, m.start())
        if verb is None:
            raise _invalid("fmt", text)
        literals.append(text[pos : m.start()])
        ranges.append(_Range(0, None, 1, int(verb.group(1) or 0)))
        pos = verb.end()
    literals.append(text[pos:])
    return Template(tuple(literals), tuple(ranges))


def parse_template(text: str) -> Template | None:
    """A range template, or None if ``text`` is a plain prefix.

    As in AIS, the style is picked by the characters present: ``{`` and ``}`` make a
    bash template, then ``@`` an "at" template, then ``%`` a printf one; a
    malformed template of the chosen style is an error (400), not a prefix.
    """
    if "{" in text and "}" in text:
        return _parse_bash(text)
    if "@" in text:
        return _parse_at(text)
    if "%" in text:
        return _parse_fmt(text)
    return None


def select(names: list[str], objnames: list[str] | None, template: str) -> tuple[list[str], bool]:
    """Names to act on, and whether they were listed explicitly (missing ones are errors)."""
    if objnames:
        return list(objnames), True
    text = template
    tmpl = parse_template(text)
    if tmpl is None:
        prefix = text.rstrip("*") if text != "*" else ""
        i = bisect_left(names, prefix)
        out = []
        for name in names[i:]:
            if not name.startswith(prefix):
                break
            out.append(name)
        return out, False
    total = tmpl.count()
    if total is not None and total <= _EXPAND_LIMIT:
        present = set(names)
        return [n for n in tmpl.expand() if n in present], False
    i = bisect_left(names, tmpl.prefix)
    out = []
    for name in names[i:]:
        if not name.startswith(tmpl.prefix):
            break
        if tmpl.matches(name):
            out.append(name)
    return out, False
