"""``get_object_from_url`` keeps the object name verbatim: what was stored under that name
is what is read back, on both clusters."""

from __future__ import annotations

from typing import Any

import pytest

from aisclient import Client
from aisclient.errors import InvalidURLException

NAMES = ["report?v=2.csv", "a#1", "dir/x?y#z"]


@pytest.mark.parametrize("name", NAMES)
def test_the_named_object_is_read(client: Client, bucket: Any, name: str) -> None:
    bucket.object(name).get_writer().put_content(name.encode())
    bucket.object(name.split("?")[0].split("#")[0]).get_writer().put_content(b"decoy")
    obj = client.get_object_from_url(f"ais://{bucket.name}/{name}")
    assert obj.name == name
    assert obj.get_reader().read_all() == name.encode()


@pytest.mark.parametrize(
    "url",
    ["ais://b/line\nbreak", "ais://b/tab\there", "ais://b/nul\x00", "ais://[b/o", "ais://b"],
)
def test_control_characters_and_malformed_urls_are_refused(url: str) -> None:
    client = Client("http://127.0.0.1:9", retry_config=None)  # never reached
    with pytest.raises(InvalidURLException):
        client.get_object_from_url(url)
