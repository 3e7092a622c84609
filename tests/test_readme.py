"""The README's code blocks run as written (the tour uses a LocalCluster; the rest are offline)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_readme_has_examples() -> None:
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_block_runs(index: int, capsys: pytest.CaptureFixture[str]) -> None:
    code = BLOCKS[index]
    exec(compile(code, f"README.md block {index}", "exec"), {"__name__": "readme"})
    out = capsys.readouterr().out
    for expected in re.findall(r"^# (http\S+)$", code, re.M):  # documented output lines
        assert expected in out
