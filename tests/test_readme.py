"""The README's code blocks run as written (the tour uses a LocalCluster, the secured-cluster
example real servers; the rest are offline)."""

from __future__ import annotations

import os
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
    if "RealCluster(" in code:
        _need_real_servers()
    exec(compile(code, f"README.md block {index}", "exec"), {"__name__": "readme"})
    out = capsys.readouterr().out
    for expected in re.findall(r"^# (http\S+)$", code, re.M):  # documented output lines
        assert expected in out


def _need_real_servers() -> None:
    from aisclient.testing.real import aisnode_binary, authn_binary

    if aisnode_binary() is None or authn_binary() is None:
        msg = "this example runs real aisnode and authn binaries (`.ci/install-aisnode`)"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {msg} are missing")
        pytest.skip(msg)
