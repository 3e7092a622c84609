"""``Client.close()`` and ``with Client(...) as client:`` release pooled connections (a raw
server on 127.0.0.1 sees which connection each request came on); the client stays usable."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from _support.httpserver import TestServer
from aisclient import Client
from aisclient.request import Request
from aisclient.transport.base import BytesResponse
from aisclient.transport.mock import MockTransport

GET = Request("GET", ("daemon",))


@pytest.fixture
def server() -> Iterator[TestServer]:
    with TestServer() as srv:
        srv.reply_with(200, b"{}")
        yield srv


def test_requests_share_a_connection_until_close(server: TestServer) -> None:
    client = Client(server.url, env={})
    client.send(GET)
    client.send(GET)
    assert server.seen[0].client == server.seen[1].client  # pooled
    client.close()
    client.send(GET)  # still usable: a new pool, a new connection
    assert server.seen[2].client != server.seen[1].client


def test_leaving_with_closes(server: TestServer) -> None:
    with Client(server.url, env={}) as client:
        client.send(GET)
    client.send(GET)
    assert server.seen[1].client != server.seen[0].client


def test_any_transport_is_closed_if_it_can_be() -> None:
    closed = []

    class Closable(MockTransport):
        def close(self) -> None:
            closed.append(True)

    with Client("http://127.0.0.1:9", transport=Closable(lambda r: BytesResponse(200))):
        pass
    assert closed == [True]
    with Client("http://127.0.0.1:9", transport=MockTransport(lambda r: BytesResponse(200))):
        pass  # a transport without close() is fine
