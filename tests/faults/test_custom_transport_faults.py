"""Retries apply whatever transport the client has: a user's wrapper around urllib3 gets the
client's retry policy (a raw server on 127.0.0.1 that answers 503 twice), and a transport that
already retries is refused rather than retrying twice."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from _support.httpserver import Call, TestServer
from aisclient import Client
from aisclient.config import resolve_config
from aisclient.request import Request
from aisclient.retry import RetryPolicy
from aisclient.transport.base import Response
from aisclient.transport.retrying import RetryingTransport
from aisclient.transport.urllib3 import Urllib3Transport

GET = Request("GET", ("daemon",))


class Counting:
    """A user's transport: wraps urllib3 and counts what it sends."""

    def __init__(self, inner: Urllib3Transport) -> None:
        self.inner, self.sent = inner, 0

    def send(self, request: Request) -> Response:
        self.sent += 1
        return self.inner.send(request)


@pytest.fixture
def server() -> Iterator[TestServer]:
    with TestServer() as srv:
        yield srv


def test_a_wrapped_transport_gets_the_retry_policy(server: TestServer) -> None:
    answers = iter([503, 503, 200])
    server.handler = lambda call: Call.reply(call, next(answers), b"{}")
    policy = RetryPolicy(status_retries=3, backoff_factor=0, jitter=0)
    config = resolve_config(server.url, retry=policy, env={})
    transport = Counting(Urllib3Transport(config))
    client = Client(config=config, transport=transport)
    assert client.send_json(GET) == {}
    assert transport.sent == 3  # every attempt went through the user's transport


def test_a_retrying_transport_is_refused(server: TestServer) -> None:
    config = resolve_config(server.url, env={})
    with pytest.raises(TypeError, match="retry_config"):
        Client(config=config, transport=RetryingTransport(Urllib3Transport(config)))
