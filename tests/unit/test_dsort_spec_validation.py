"""A raw dSort spec (mapping or file) must name its input and output before it is sent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aisclient import Client
from aisclient.dsort import check_spec
from aisclient.transport.mock import StubTransport

GOOD: dict[str, Any] = {
    "input_bck": {"name": "in", "provider": "ais"},
    "input_format": {"template": "shard-{0..9}.tar"},
    "output_format": "out-{00..99}.tar",
}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({}, "'input_bck' must be a bucket object with a 'name'"),
        ({**GOOD, "input_bck": "in"}, "'input_bck'"),
        ({**GOOD, "input_format": {}}, "'input_format'"),
        ({k: v for k, v in GOOD.items() if k != "output_format"}, "'output_format'"),
        ({**GOOD, "output_format": "", "ekm_file": "http://x/ekm"}, "'output_shard_size'"),
    ],
)
def test_incomplete_specs_are_rejected_before_sending(spec: dict[str, Any], message: str) -> None:
    stub = StubTransport()
    with pytest.raises(ValueError, match=message):
        Client("http://ais.invalid:8080", transport=stub).dsort().start(spec)
    stub.assert_done()


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(ValueError) as info:
        check_spec({})
    text = str(info.value)
    assert "'input_bck'" in text and "'input_format'" in text and "'output_format'" in text


def test_complete_specs_pass_unchanged(tmp_path: Path) -> None:
    assert check_spec(GOOD) == GOOD and check_spec(GOOD) is not GOOD
    ekm = {**GOOD, "output_format": "", "ekm_file": "http://x/ekm", "output_shard_size": "1MiB"}
    assert check_spec(ekm) == ekm
    names = {**GOOD, "input_format": {"objnames": ["a.tar"]}}
    assert check_spec(names) == names
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"input_bck": {"name": "in"}}))
    with pytest.raises(ValueError, match="'input_format'"):
        Client("http://ais.invalid:8080", transport=StubTransport()).dsort().start(path)
