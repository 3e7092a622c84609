"""Urllib3Transport against real HTTP servers on 127.0.0.1 that each test programs."""

from __future__ import annotations

import logging
import os
import pickle
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from _support.httpserver import Call, TestServer, answer
from aisclient.clock import FakeClock
from aisclient.config import ClientConfig, Timeout, resolve_config
from aisclient.errors import (
    AISConnectionError,
    AISTimeoutError,
    ErrObjNotFound,
    IncompleteBodyError,
    RedirectError,
    UnreplayableBodyError,
)
from aisclient.request import BytesBody, FileBody, IterBody, JsonBody, Request
from aisclient.retry import RetryPolicy, network_backoff
from aisclient.transport.retrying import RetryingTransport
from aisclient.transport.urllib3 import USER_AGENT, Urllib3Transport

TOKEN = "tok-3f1b9c0e-SECRET"
BIG = 300 * 1024  # past the 256 KiB probe threshold


@pytest.fixture
def server() -> Iterator[TestServer]:
    with TestServer() as srv:
        yield srv
    assert not srv.errors, srv.errors


@pytest.fixture
def target() -> Iterator[TestServer]:
    """A second server on another port: the redirect target."""
    with TestServer() as srv:
        yield srv
    assert not srv.errors, srv.errors


@pytest.fixture
def fake() -> FakeClock:
    return FakeClock()


def make(
    endpoint: str,
    fake: FakeClock | None = None,
    *,
    retry: RetryPolicy | None = None,
    timeout: Any = (2, 5),
    token: str | None = TOKEN,
    rand: float = 0.5,
) -> RetryingTransport:
    """The urllib3 transport (one attempt per send) with the retries a client adds."""
    config = resolve_config(endpoint, timeout=timeout, retry=retry, token=token, env={})
    clock = fake or FakeClock()
    clock.random = rand
    return RetryingTransport(
        Urllib3Transport(config), config.retry, clock=clock.clock, tokens=config.token_provider
    )


def bare(endpoint: str) -> Urllib3Transport:
    """The urllib3 transport alone: one attempt per send."""
    return Urllib3Transport(resolve_config(endpoint, timeout=(2, 5), token=TOKEN, env={}))


def get(*path: str, **kw: Any) -> Request:
    return Request("GET", path or ("daemon",), **kw)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def assert_no_token(err: BaseException) -> None:
    texts = [str(err), repr(err), *map(str, err.args), *getattr(err, "__notes__", [])]
    for text in texts:
        assert TOKEN not in text


# -- bodies -------------------------------------------------------------------------------


def test_preloaded_body_is_readable_whole_in_chunks_and_into_a_buffer(server: TestServer) -> None:
    server.reply_with(200, b"0123456789", Content_Type="application/json")
    t = make(server.url)
    assert t.send(get()).content == b"0123456789"
    response = t.send(get())
    assert [response.read(4), response.read(4), response.read(4), response.read(4)] == [
        b"0123",
        b"4567",
        b"89",
        b"",
    ]
    buffer = bytearray(6)
    response = t.send(get())
    assert response.readinto(buffer) == 6 and bytes(buffer) == b"012345"
    assert list(t.send(get()).iter_bytes(3)) == [b"012", b"345", b"678", b"9"]


def test_streamed_body_read_to_the_end_returns_the_connection(server: TestServer) -> None:
    server.reply_with(200, b"x" * 100_000)
    t = make(server.url)
    response = t.send(get(stream=True))
    assert b"".join(response.iter_bytes(4096)) == b"x" * 100_000
    t.send(get()).close()
    assert len(server.seen) == 2
    assert server.seen[0].client == server.seen[1].client  # the same keep-alive connection


def test_closing_a_half_read_stream_drops_the_connection(server: TestServer) -> None:
    server.reply_with(200, b"y" * 500_000)
    t = make(server.url)
    response = t.send(get(stream=True))
    assert response.read(10) == b"y" * 10
    response.close()
    response.close()  # idempotent
    assert t.send(get()).content == b"y" * 500_000
    assert server.seen[0].client != server.seen[1].client  # a fresh connection, not a dirty one


def test_chunked_response_streams_to_the_end(server: TestServer) -> None:
    def chunked(call: Call) -> None:
        call.send_head(200, {"Transfer-Encoding": "chunked"})
        for part in (b"abc", b"defg", b"h"):
            call.write(b"%x\r\n%b\r\n" % (len(part), part))
        call.write(b"0\r\n\r\n")

    server.handler = chunked
    t = make(server.url)
    assert t.send(get()).content == b"abcdefgh"
    assert b"".join(t.send(get(stream=True)).iter_bytes(2)) == b"abcdefgh"


def test_user_agent_and_token_are_sent(server: TestServer) -> None:
    make(server.url).send(get()).close()
    headers = server.seen[0].headers
    assert headers["user-agent"] == USER_AGENT
    assert headers["authorization"] == f"Bearer {TOKEN}"


def test_no_token_no_authorization_header(server: TestServer) -> None:
    make(server.url, token=None).send(get()).close()
    assert "authorization" not in server.seen[0].headers


def test_content_type_per_body_kind(server: TestServer, tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"file")
    t = make(server.url)
    cases = [
        (None, None),
        (BytesBody(b"b"), "application/octet-stream"),
        (BytesBody(b"b", content_type="text/plain"), "text/plain"),
        (JsonBody.of({"action": "x"}), "application/json"),
        (FileBody(path), "application/octet-stream"),
        (IterBody([b"i"], length=1), "application/octet-stream"),
    ]
    for body, _ in cases:
        t.send(Request("PUT", ("objects", "b", "o"), body=body)).close()
    assert [seen.headers.get("content-type") for seen in server.seen] == [c for _, c in cases]
    assert [seen.body for seen in server.seen] == [
        b"",
        b"b",
        b"b",
        b'{"action":"x"}',
        b"file",
        b"i",
    ]


def test_caller_content_type_replaces_ours_without_doubling(server: TestServer) -> None:
    request = Request(
        "PUT", ("objects", "b", "o"), body=BytesBody(b"x"), headers=(("content-type", "a/b"),)
    )
    make(server.url).send(request).close()
    assert server.seen[0].headers["content-type"] == "a/b"


def test_chunked_upload_of_an_iterator_without_length(server: TestServer) -> None:
    server.handler = lambda call: call.reply(200, call.body())
    body = IterBody(iter([b"ab", b"", b"cd", b"e"]))
    response = make(server.url).send(Request("PUT", ("objects", "b", "o"), body=body))
    assert response.content == b"abcde"
    assert server.seen[0].headers["transfer-encoding"] == "chunked"


# -- status retries ------------------------------------------------------------------------


def test_503_then_200_is_retried_without_real_waiting(server: TestServer, fake: FakeClock) -> None:
    server.script(answer(503, "busy"), answer(200, "fine"))
    response = make(server.url, fake).send(get())
    assert (response.status, response.content) == (200, b"fine")
    assert len(server.seen) == 2
    assert fake.sleeps == [0.0]  # the first status retry is immediate (urllib3 2.x backoff)


def test_status_retries_follow_the_sdk_backoff_then_return_the_error(
    server: TestServer, fake: FakeClock
) -> None:
    server.reply_with(503, '{"message":"starting up"}')
    response = make(server.url, fake, rand=0.5).send(get())
    assert response.status == 503
    assert len(server.seen) == 6  # 1 + 5 retries
    assert fake.sleeps == [0.0, 6.0, 12.0, 24.0, 48.0]
    assert b"starting up" in response.content


def test_429_waits_the_retry_after_hint(server: TestServer, fake: FakeClock) -> None:
    server.script(answer(429, "", Retry_After="7"), answer(200, "ok"))
    assert make(server.url, fake).send(get()).status == 200
    assert fake.sleeps == [7.0]


def test_post_is_not_retried_on_503(server: TestServer, fake: FakeClock) -> None:
    server.script(answer(503), answer(200))
    request = Request("POST", ("buckets", "b"), body=JsonBody.of({"action": "create-bck"}))
    assert make(server.url, fake).send(request).status == 503
    assert len(server.seen) == 1 and fake.sleeps == []


def test_post_is_retried_on_429(server: TestServer, fake: FakeClock) -> None:
    server.script(answer(429), answer(200))
    request = Request("POST", ("buckets", "b"), body=JsonBody.of({"action": "create-bck"}))
    assert make(server.url, fake).send(request).status == 200
    assert [s.body for s in server.seen] == [b'{"action":"create-bck"}'] * 2


def test_safe_post_marked_idempotent_is_retried_on_503(server: TestServer, fake: FakeClock) -> None:
    server.script(answer(503), answer(200))
    request = Request("POST", ("etl",), idempotent=True)
    assert make(server.url, fake).send(request).status == 200


def test_404_is_not_retried_and_maps_to_the_sdk_class(server: TestServer, fake: FakeClock) -> None:
    server.reply_with(404, '{"message":"t[x]: ais://b/o does not exist","status":404}')
    response = make(server.url, fake).send(get("objects", "b", "o"))
    assert len(server.seen) == 1
    err = response.error()
    assert isinstance(err, ErrObjNotFound)
    assert err.req_url == f"{server.url}/v1/objects/b/o"


def test_head_error_is_specific_through_hdr_error(server: TestServer) -> None:
    err_json = '{"message":"bucket \\"ais://nope\\" does not exist","status":404}'
    server.reply_with(404, b"", Hdr_Error=err_json)
    response = make(server.url).send(Request("HEAD", ("buckets", "nope")))
    with pytest.raises(Exception) as info:
        response.raise_for_status()
    assert type(info.value).__name__ == "ErrBckNotFound"


# -- network failures ---------------------------------------------------------------------


def test_refused_connection_names_the_request_and_hides_the_token(fake: FakeClock) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    t = make(url, fake)
    with pytest.raises(AISConnectionError) as info:
        t.send(get("objects", "b", "o", query=(("provider", "ais"),)))
    err = info.value
    assert not isinstance(err, AISTimeoutError)  # refused is not a timeout
    assert err.phase == "connect" and err.method == "GET"
    assert err.url == f"{url}/v1/objects/b/o?provider=ais"
    assert "GET" in str(err) and f"{url}/v1/objects/b/o" in str(err)
    assert_no_token(err)
    assert any("gave up after 7 attempts" in note for note in err.__notes__)


def test_connect_failure_is_retried_the_policy_number_of_times(fake: FakeClock) -> None:
    policy = RetryPolicy()
    with pytest.raises(AISConnectionError):
        make(f"http://127.0.0.1:{free_port()}", fake, retry=policy, rand=0.25).send(get())
    assert fake.sleeps == [network_backoff(policy, n, 0.25) for n in range(1, 7)]
    assert fake.sleeps[:3] == [1.0, 1.25, 1.75]


def test_connect_failure_of_a_post_is_retried_too(fake: FakeClock) -> None:
    # Nothing was sent, so even a non-idempotent request may be tried again.
    policy = RetryPolicy(network_attempts=3)
    with pytest.raises(AISConnectionError):
        make(f"http://127.0.0.1:{free_port()}", fake, retry=policy).send(Request("POST", ("x",)))
    assert len(fake.sleeps) == 2


def test_read_timeout_fires_and_is_retried_for_get(server: TestServer, fake: FakeClock) -> None:
    server.handler = lambda call: call.wait(2)
    t = make(server.url, fake, timeout=(1, 0.05), retry=RetryPolicy(network_attempts=2))
    started = time.monotonic()
    with pytest.raises(AISTimeoutError) as info:
        t.send(get())
    assert time.monotonic() - started < 1.5
    assert info.value.phase == "read"
    assert len(server.seen) == 2 and len(fake.sleeps) == 1


def test_read_timeout_of_a_post_is_not_retried(server: TestServer, fake: FakeClock) -> None:
    server.handler = lambda call: call.wait(2)
    t = make(server.url, fake, timeout=(1, 0.05))
    with pytest.raises(AISTimeoutError) as info:
        t.send(Request("POST", ("buckets", "b"), body=JsonBody.of({})))
    assert len(server.seen) == 1
    assert any("not idempotent" in note for note in info.value.__notes__)


def test_per_request_timeout_overrides_the_client_default(server: TestServer) -> None:
    server.handler = lambda call: call.wait(2)
    t = make(server.url, timeout=(1, 30), retry=RetryPolicy.never())
    with pytest.raises(AISTimeoutError):
        t.send(get(timeout=Timeout(1, 0.05)))


def test_read_timeout_in_the_middle_of_a_streamed_body(server: TestServer) -> None:
    def slow(call: Call) -> None:
        call.send_head(200, {"Content-Length": "100"})
        call.write(b"z" * 10)
        call.wait(2)

    server.handler = slow
    response = make(server.url, timeout=(1, 0.05)).send(get(stream=True))
    assert response.read(10) == b"z" * 10
    with pytest.raises(AISTimeoutError) as info:
        response.read(10)
    assert info.value.phase == "read"


def _reset_mid_body(call: Call) -> None:
    call.send_head(200, {"Content-Length": "100000"})
    call.write(b"r" * 1000)
    call.reset()


def _short_body(call: Call) -> None:
    call.reply(200, b"s" * 1000, content_length=100000)


@pytest.mark.parametrize("breaker", [_reset_mid_body, _short_body], ids=["reset", "short"])
def test_broken_preloaded_body_is_an_error_never_a_short_result(
    server: TestServer, fake: FakeClock, breaker: Any
) -> None:
    server.handler = breaker
    t = make(server.url, fake, retry=RetryPolicy(network_attempts=2))
    with pytest.raises(IncompleteBodyError) as info:
        t.send(get())
    assert info.value.phase == "read"
    assert len(server.seen) == 2  # a GET whose body broke is tried again


@pytest.mark.parametrize("breaker", [_reset_mid_body, _short_body], ids=["reset", "short"])
@pytest.mark.parametrize("how", ["read", "readinto", "iter_bytes"])
def test_broken_streamed_body_is_an_error_never_a_short_result(
    server: TestServer, breaker: Any, how: str
) -> None:
    server.handler = breaker
    response = make(server.url).send(get(stream=True))
    with pytest.raises(IncompleteBodyError):
        if how == "read":
            while response.read(4096):
                pass
        elif how == "readinto":
            buffer = bytearray(4096)
            while response.readinto(buffer):
                pass
        else:
            for _ in response.iter_bytes(4096):
                pass


# -- redirects ----------------------------------------------------------------------------


def _store(call: Call) -> None:
    call.reply(200, call.body())


@pytest.mark.parametrize("kind", ["bytes", "file"])
def test_307_put_small_body_reaches_the_target_once(
    server: TestServer, target: TestServer, tmp_path: Path, kind: str
) -> None:
    data = bytes(range(256)) * 40
    server.handler = lambda call: call.redirect(target.url)
    target.handler = _store
    path = tmp_path / "small"
    path.write_bytes(data)
    body = BytesBody(data) if kind == "bytes" else FileBody(path)
    request = Request("PUT", ("objects", "b", "dir/o"), query=(("provider", "ais"),), body=body)
    response = make(server.url).send(request)
    assert response.content == data
    assert len(target.seen) == 1 and target.seen[0].body == data
    assert target.seen[0].target == "/v1/objects/b/dir/o?provider=ais"
    # the token went to the proxy only, never across the redirect to another port
    assert server.seen[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert "authorization" not in target.seen[0].headers


@pytest.mark.parametrize("kind", ["bytes", "file"])
def test_large_put_probes_the_proxy_and_sends_the_body_once(
    server: TestServer, target: TestServer, tmp_path: Path, kind: str
) -> None:
    data = os.urandom(BIG)
    server.handler = lambda call: call.redirect(target.url)
    target.handler = _store
    path = tmp_path / "big"
    path.write_bytes(data)
    body = BytesBody(data) if kind == "bytes" else FileBody(path)
    request = Request("PUT", ("objects", "b", "o"), body=body, probe_redirect=True)
    response = make(server.url).send(request)
    assert response.status == 200 and response.content == data
    [probe] = server.seen
    assert probe.headers["expect"] == "100-continue"
    assert probe.headers["content-length"] == str(BIG)  # the proxy signs with the real length
    assert probe.headers["authorization"] == f"Bearer {TOKEN}"
    assert probe.body == b""  # the proxy never got the bytes
    [put] = target.seen
    assert put.body == data and "authorization" not in put.headers


def test_probe_falls_back_at_once_when_the_server_asks_for_the_body(server: TestServer) -> None:
    data = os.urandom(BIG)
    server.handler = _store  # a server that reads bodies itself: answers 100 Continue
    started = time.monotonic()
    response = make(server.url, timeout=(2, 5)).send(
        Request("PUT", ("objects", "b", "o"), body=BytesBody(data), probe_redirect=True)
    )
    assert response.content == data
    assert time.monotonic() - started < 2.0  # did not sit out the read timeout
    assert [len(s.body) for s in server.seen] == [0, BIG]  # the probe, then the real PUT


def test_a_probe_left_unanswered_for_the_read_timeout_is_a_read_timeout(
    server: TestServer,
) -> None:
    data = os.urandom(BIG)
    server.send_continue = False  # ignores Expect: waits for a body that never comes
    server.handler = _store
    transport = make(server.url, timeout=(2, 0.3), retry=RetryPolicy.never())
    started = time.monotonic()
    with pytest.raises(AISTimeoutError, match="probe") as info:
        transport.send(
            Request("PUT", ("objects", "b", "o"), body=BytesBody(data), probe_redirect=True)
        )
    elapsed = time.monotonic() - started
    assert info.value.phase == "read"
    assert 0.3 <= elapsed < 2.0  # one read timeout, not one for the probe and one for the body
    assert [s.body for s in server.seen] == [b""]  # the body was never sent


def test_probe_error_answer_is_returned_without_sending_the_body(server: TestServer) -> None:
    server.reply_with(404, '{"message":"bucket \\"ais://b\\" does not exist"}')
    response = make(server.url).send(
        Request("PUT", ("objects", "b", "o"), body=BytesBody(b"q" * BIG), probe_redirect=True)
    )
    assert response.status == 404
    assert type(response.error()).__name__ == "ErrBckNotFound"
    assert [s.body for s in server.seen] == [b""]


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        part = bytes([sent // size % 251]) * min(size, total - sent)
        sent += len(part)
        yield part


@pytest.mark.parametrize("length", [BIG, None], ids=["sized", "chunked"])
def test_iterator_put_redirected_after_it_was_consumed_is_refused(
    server: TestServer, target: TestServer, length: int | None
) -> None:
    def consume_then_redirect(call: Call) -> None:
        call.body()
        call.redirect(target.url)

    server.handler = consume_then_redirect
    request = Request("PUT", ("objects", "b", "o"), body=IterBody(_chunks(BIG), length=length))
    with pytest.raises(UnreplayableBodyError):
        make(server.url).send(request)
    assert target.seen == []
    assert len(server.seen) == 1  # and never retried


@pytest.mark.parametrize("length", [BIG, None], ids=["sized", "chunked"])
def test_iterator_put_with_probe_redirect_goes_straight_to_the_target(
    server: TestServer, target: TestServer, length: int | None
) -> None:
    server.handler = lambda call: call.redirect(target.url)
    target.handler = _store
    body = IterBody(_chunks(BIG), length=length)
    request = Request("PUT", ("objects", "b", "o"), body=body, probe_redirect=True)
    response = make(server.url).send(request)
    assert response.content == b"".join(_chunks(BIG))
    [probe] = server.seen
    assert probe.body == b""
    if length is None:  # never a false "Content-Length: 0" that a server could act on
        assert probe.headers["transfer-encoding"] == "chunked"
        assert "content-length" not in probe.headers
    assert target.seen[0].body == b"".join(_chunks(BIG))


def test_get_follows_301_and_drops_the_token(server: TestServer, target: TestServer) -> None:
    server.handler = lambda call: call.redirect(target.url, 301)
    target.reply_with(200, "data")
    assert make(server.url).send(get("objects", "b", "o")).content == b"data"
    assert "authorization" not in target.seen[0].headers


def test_same_origin_redirect_keeps_the_token(server: TestServer) -> None:
    server.script(
        lambda call: call.redirect(server.url, location=f"{server.url}/v1/other"), answer(200)
    )
    make(server.url).send(get()).close()
    assert [s.headers.get("authorization") for s in server.seen] == [f"Bearer {TOKEN}"] * 2


def test_request_endpoint_override_gets_the_token(server: TestServer, target: TestServer) -> None:
    make(server.url).send(get("health", endpoint=target.url)).close()
    assert server.seen == []
    assert target.seen[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_303_turns_into_a_get_without_body(server: TestServer, target: TestServer) -> None:
    server.handler = lambda call: call.redirect(target.url, 303)
    target.handler = _store
    response = make(server.url).send(Request("POST", ("x",), body=JsonBody.of({"a": 1})))
    assert response.content == b""
    assert target.seen[0].method == "GET"


def test_redirect_loop_is_an_error(server: TestServer, target: TestServer) -> None:
    server.handler = lambda call: call.redirect(target.url)
    target.handler = lambda call: call.redirect(server.url)
    with pytest.raises(RedirectError, match="loop"):
        make(server.url).send(get())


def _hop(call: Call) -> None:
    hops = int(dict(call.query).get("hop", "0"))
    if hops < int(dict(call.query)["limit"]):
        base = f"http://127.0.0.1:{call.server.port}/v1/daemon"
        call.reply(
            307, b"", {"Location": f"{base}?limit={dict(call.query)['limit']}&hop={hops + 1}"}
        )
    else:
        call.reply(200, b"arrived")


def test_five_redirects_are_followed(server: TestServer) -> None:
    server.handler = _hop
    assert make(server.url).send(get(query=(("limit", "5"),))).content == b"arrived"


def test_more_than_five_redirects_is_an_error(server: TestServer) -> None:
    server.handler = _hop
    with pytest.raises(RedirectError, match="more than 5 redirects"):
        make(server.url).send(get(query=(("limit", "6"),)))
    assert len(server.seen) == 6


def test_redirect_without_location_is_an_error(server: TestServer) -> None:
    server.reply_with(307)
    with pytest.raises(RedirectError, match="without Location"):
        make(server.url).send(get())


# -- secrets stay out of errors and logs --------------------------------------------------


def test_token_is_absent_from_log_records(
    server: TestServer, target: TestServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="aisclient")
    caplog.set_level(logging.DEBUG, logger="urllib3")
    server.script(answer(503), lambda call: call.redirect(target.url))
    t = make(server.url)
    t.send(Request("PUT", ("objects", "b", "o"), body=BytesBody(b"x"))).close()
    with pytest.raises(AISConnectionError) as info:
        make(f"http://127.0.0.1:{free_port()}", retry=RetryPolicy(network_attempts=2)).send(get())
    assert_no_token(info.value)
    messages = [record.getMessage() for record in caplog.records]
    assert any("answered 503" in m for m in messages)  # the retry was logged...
    assert any("127.0.0.1" in m for m in messages)  # ...and urllib3 logged at DEBUG
    assert all(TOKEN not in m for m in messages)
    assert all(TOKEN not in repr(record.args) for record in caplog.records)


def test_signed_query_values_are_redacted_in_errors(fake: FakeClock) -> None:
    t = make(f"http://127.0.0.1:{free_port()}", fake, retry=RetryPolicy.never())
    with pytest.raises(AISConnectionError) as info:
        t.send(get("objects", "b", "o", query=(("provider", "ais"), ("x", "NONCE"), ("u", "SIG"))))
    assert "NONCE" not in str(info.value) and "SIG" not in str(info.value)
    assert "provider=ais" in str(info.value)


def test_config_and_transport_reprs_hide_the_token(server: TestServer) -> None:
    t = bare(server.url)
    assert TOKEN not in repr(t) and TOKEN not in repr(t.config) and TOKEN not in str(t.config)


# -- processes ----------------------------------------------------------------------------


def test_pool_is_rebuilt_in_a_forked_child(server: TestServer) -> None:
    server.reply_with(200, "pong")
    t = bare(server.url)
    assert t.send(get()).content == b"pong"
    parent_pool = t.pool
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: must never return into pytest
        code = 1
        try:
            os.close(read_end)
            fresh = t.pool is not parent_pool
            ok = t.send(get()).content == b"pong"
            os.write(write_end, b"fresh" if fresh and ok else b"stale")
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        verdict = pipe.read()
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0 and verdict == b"fresh"
    assert t.pool is parent_pool  # the parent keeps its own
    assert t.send(get()).content == b"pong"
    assert len(server.seen) == 3


def test_pool_follows_the_process_id(server: TestServer, monkeypatch: pytest.MonkeyPatch) -> None:
    t = bare(server.url)
    first = t.pool
    assert t.pool is first
    monkeypatch.setattr(os, "getpid", lambda: -12345)
    assert t.pool is not first
    assert t.send(get()).status == 200


def test_transport_pickles_into_a_working_copy(server: TestServer) -> None:
    server.reply_with(200, "copy")
    t = bare(server.url)
    t.send(get()).close()
    copy = pickle.loads(pickle.dumps(t))
    assert isinstance(copy, Urllib3Transport) and copy.config == t.config
    assert copy.pool is not t.pool
    assert copy.send(get()).content == b"copy"


def test_close_then_send_builds_a_new_pool(server: TestServer) -> None:
    t = make(server.url)
    t.send(get()).close()
    t.close()
    assert t.send(get()).status == 200


def test_default_config_values_reach_urllib3() -> None:
    config = ClientConfig("http://127.0.0.1:1", max_pool_size=3)
    t = Urllib3Transport(config)
    assert t.pool.connection_pool_kw["maxsize"] == 3
    assert t._default_timeout.connect_timeout == 3.0
    assert t._default_timeout.read_timeout == 20.0
