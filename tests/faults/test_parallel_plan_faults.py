"""A parallel read plans its ranges from a HEAD; a HEAD whose size is garbage or negative is
an UnexpectedResponseError naming the request, never an IndexError or a range() surprise
(a raw server on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from _support.httpserver import Call, TestServer
from aisclient import Client
from aisclient.errors import UnexpectedResponseError


@pytest.fixture
def server() -> Iterator[TestServer]:
    with TestServer() as srv:
        yield srv


@pytest.mark.parametrize("size", ["-5", "abc", "1e3", ""])
def test_a_head_with_an_unusable_size_is_unexpected(server: TestServer, size: str) -> None:
    def answer(call: Call) -> None:
        # Only HEADs come: the plan fails before any ranged GET.
        headers = {"Ais-Version": "1", "Content-Length": size}
        call.send_head(200, headers if size else {"Ais-Version": "1"})
        call.hang_up()

    server.handler = answer
    reader = Client(server.url, env={}).bucket("b").object("o").get_reader(num_workers=2)
    with pytest.raises(UnexpectedResponseError) as info:
        reader.read_all()
    assert info.value.req_url.startswith(server.url) or "HEAD" in str(info.value)
