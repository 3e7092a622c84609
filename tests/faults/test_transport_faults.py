"""Transport faults against a raw server on 127.0.0.1: malformed redirects, repeated headers,
a 429 to an iterator upload's probe, and what the logs and warnings show while retrying."""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterator

import pytest

from _support.httpserver import Call, TestServer
from aisclient import Client
from aisclient.clock import FakeClock
from aisclient.config import resolve_config
from aisclient.errors import AISError, RedirectError
from aisclient.models.object import ObjectAttributes
from aisclient.request import BytesBody, IterBody, Request
from aisclient.retry import RetryPolicy
from aisclient.transport.base import BytesResponse, Response
from aisclient.transport.mock import MockTransport
from aisclient.transport.retrying import RetryingTransport
from aisclient.transport.urllib3 import Urllib3Transport

GET = Request("GET", ("objects", "b", "o"))
BIG = 300 * 1024  # past the size from which uploads probe first


@pytest.fixture
def server() -> Iterator[TestServer]:
    with TestServer() as srv:
        yield srv


def stack(server: TestServer, policy: RetryPolicy | None = None) -> RetryingTransport:
    """The transport as a client composes it: one urllib3 attempt, retries around it."""
    config = resolve_config(server.url, timeout=(2, 5), env={})
    return RetryingTransport(Urllib3Transport(config), policy, clock=FakeClock().clock)


# -- redirects ---------------------------------------------------------------------------------


@pytest.mark.parametrize("location", ["//[bad", "http://[::1/x", "http://h:99999999/x"])
def test_a_malformed_redirect_location_is_a_redirect_error(
    server: TestServer, location: str
) -> None:
    server.handler = lambda call: call.redirect(server.url, location=location)
    with pytest.raises(RedirectError, match="cannot follow the redirect"):
        stack(server).send(GET)


def test_a_malformed_location_in_the_answer_to_a_probe_is_a_redirect_error(
    server: TestServer,
) -> None:
    server.handler = lambda call: call.redirect(server.url, location="//[bad")
    request = Request(
        "PUT", ("objects", "b", "o"), body=BytesBody(os.urandom(BIG)), probe_redirect=True
    )
    with pytest.raises(RedirectError):
        stack(server).send(request)
    assert [len(seen.body) for seen in server.seen] == [0]  # nothing was sent on a guess


# -- headers -----------------------------------------------------------------------------------

MD_LINES = [("Ais-Custom-Md", "a=x, y=z"), ("Ais-Custom-Md", "b=2")]


def test_custom_metadata_decodes_the_same_over_urllib3_and_a_mock(server: TestServer) -> None:
    def two_lines(call: Call) -> None:
        lines = "".join(f"{name}: {value}\r\n" for name, value in MD_LINES)
        call.write(f"HTTP/1.1 200 OK\r\n{lines}Content-Length: 0\r\n\r\n".encode())
        call.replied = True

    server.handler = two_lines
    over_http = Client(server.url, env={})
    mocked = Client(
        "http://h:1", transport=MockTransport(lambda r: BytesResponse(200, b"", MD_LINES))
    )
    expected = {"a": "x, y=z", "b": "2"}  # one entry per line: a value may hold ", k=v"
    for client in (over_http, mocked):
        assert client.bucket("b").object("o").head().custom_metadata == expected
        response = client.send(GET)
        assert ObjectAttributes(response.headers).custom_metadata == expected
        assert response.headers.get_list("ais-custom-md") == [v for _, v in MD_LINES]


@pytest.mark.parametrize("length", ["99999999999999999999999", "5, 6"])
def test_a_garbled_content_length_is_an_ais_error(server: TestServer, length: str) -> None:
    def garbled(call: Call) -> None:
        call.write(f"HTTP/1.1 200 OK\r\nContent-Length: {length}\r\n\r\nhello".encode())
        call.hang_up()

    server.handler = garbled
    for stream in (False, True):
        with pytest.raises(AISError):
            stack(server, RetryPolicy.never()).send(Request("GET", ("x",), stream=stream)).read()


# -- one-shot bodies ---------------------------------------------------------------------------


def test_an_iterator_upload_is_retried_when_the_probe_got_429(server: TestServer) -> None:
    def busy_once(call: Call) -> None:
        if len(server.seen) == 1:
            call.reply(429, '{"message":"too many requests"}', {"Retry-After": "0"})
        else:
            call.body()
            call.reply(200, b"")

    server.handler = busy_once
    pulled: list[bytes] = []

    def chunks() -> Iterator[bytes]:
        for part in (b"a" * 1000, b"b" * 1000):
            pulled.append(part)
            yield part

    request = Request("PUT", ("objects", "b", "o"), body=IterBody(chunks()), probe_redirect=True)
    response = stack(server).send(request)
    assert response.status == 200
    assert server.seen[-1].body == b"a" * 1000 + b"b" * 1000
    assert len(pulled) == 2  # each chunk taken once


def test_an_iterator_upload_is_not_retried_once_a_chunk_was_taken(server: TestServer) -> None:
    def fail(call: Call) -> None:
        call.body()
        call.reply(503, "busy")

    server.handler = fail
    request = Request("PUT", ("objects", "b", "o"), body=IterBody(iter([b"x" * 10])))
    assert stack(server).send(request).status == 503
    assert len(server.seen) == 1


# -- logs and warnings -------------------------------------------------------------------------


def test_each_retry_is_logged_at_info_with_its_reason_and_wait(
    server: TestServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.script(lambda call: call.reply(503, "busy"), lambda call: call.reply(200, "ok"))
    caplog.set_level(logging.INFO, logger="aisclient")
    assert stack(server).send(GET).status == 200
    [record] = [r for r in caplog.records if r.name.startswith("aisclient")]
    assert record.levelno == logging.INFO
    assert "answered 503" in record.getMessage() and "in 0.00 s" in record.getMessage()


def test_urllib3_debug_log_hides_signed_query_values(
    server: TestServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.reply_with(200, "ok")
    caplog.set_level(logging.DEBUG)
    request = Request("GET", ("objects", "b", "o"), query=(("x", "signature-value-123"),))
    stack(server).send(request).close()
    assert "/v1/objects/b/o" in caplog.text  # the line is there
    assert "signature-value-123" not in caplog.text


def test_skip_verify_installs_no_process_wide_warnings_filter(server: TestServer) -> None:
    server.reply_with(200, "ok")
    import urllib3  # noqa: F401 - loaded first: importing it adds urllib3's own filters

    config = resolve_config(server.url, skip_verify=True, env={})
    with pytest.warns(UserWarning, match="insecure"):
        before = list(warnings.filters)  # as they are inside this block, which restores them
        Urllib3Transport(config).send(GET).close()
        after = list(warnings.filters)
    assert after == before


# -- lifecycle and budgets ---------------------------------------------------------------------


def test_closing_the_stack_closes_the_pooled_connections(server: TestServer) -> None:
    server.reply_with(200, "ok")
    transport = stack(server)
    transport.send(GET).close()
    transport.send(GET).close()
    transport.close()
    transport.send(GET).close()
    first, reused, after_close = (seen.client for seen in server.seen)
    assert first == reused  # kept alive in the pool
    assert after_close != first  # the pool was released: a new connection


def test_a_budget_is_shared_by_the_sends_of_one_operation() -> None:
    answers: list[int] = []

    def busy(request: Request) -> Response:
        answers.append(503)
        return BytesResponse(503)

    transport = RetryingTransport(
        MockTransport(busy), RetryPolicy(status_retries=3), clock=FakeClock().clock
    )
    budget = transport.new_budget()
    assert transport.send(GET, budget=budget).status == 503
    assert len(answers) == 4  # the first open: 1 try + 3 retries
    assert transport.send(GET, budget=budget).status == 503
    assert len(answers) == 5  # a resume of the same read: no fresh retries
