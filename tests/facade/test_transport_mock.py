"""MockTransport, RecordingTransport and StubTransport: the offline testing tools."""

from __future__ import annotations

import threading

import pytest

from aisclient.errors import AISConnectionError, ErrBckNotFound
from aisclient.request import BytesBody, JsonBody, Request
from aisclient.transport import (
    BytesResponse,
    Exchange,
    MockTransport,
    RecordingTransport,
    Response,
    StubTransport,
    Transport,
    UnexpectedRequest,
)
from aisclient.transport.mock import routes

LIST = Request("GET", ("buckets",), query=(("provider", "ais"),))
CREATE = Request(
    "POST",
    ("buckets", "b"),
    query=(("provider", "ais"),),
    body=JsonBody.of({"action": "create-bck"}),
)


def test_mock_transport_answers_with_its_handler() -> None:
    seen: list[Request] = []

    def handler(request: Request) -> Response:
        seen.append(request)
        return BytesResponse.of_json([{"name": "b"}])

    transport = MockTransport(handler, base_url="http://mock:1")
    assert isinstance(transport, Transport)
    response = transport.send(LIST)
    assert response.json() == [{"name": "b"}]
    assert response.headers["Content-Type"] == "application/json"
    assert response.url == "http://mock:1/v1/buckets?provider=ais"
    assert response.request is LIST and seen == [LIST]


def test_mock_transport_keeps_a_url_the_handler_set() -> None:
    transport = MockTransport(lambda r: BytesResponse(200, url="http://t:2/x"))
    assert transport.send(LIST).url == "http://t:2/x"


def test_mock_error_response_maps_to_the_sdk_error() -> None:
    body = '{"message":"bucket \\"ais://b\\" does not exist","status":404}'
    transport = MockTransport(lambda r: BytesResponse(404, body))
    with pytest.raises(ErrBckNotFound) as info:
        transport.send(Request("GET", ("buckets", "b"))).raise_for_status()
    assert info.value.req_url == "http://ais.invalid:8080/v1/buckets/b"


def test_routes_table() -> None:
    handler = routes(
        [
            ("GET", "/buckets", BytesResponse.of_json([])),
            ("POST", "buckets/", lambda r: BytesResponse(200, r.json["action"])),
        ]
    )
    transport = MockTransport(handler)
    assert transport.send(LIST).json() == []
    assert transport.send(CREATE).text == "create-bck"
    missing = transport.send(Request("GET", ("daemon",)))
    assert missing.status == 404 and "no route for GET daemon" in missing.text


def test_recording_transport_records_statuses_and_errors() -> None:
    def handler(request: Request) -> Response:
        if request.method == "DELETE":
            raise AISConnectionError("down", method="DELETE", url="u", phase="connect")
        return BytesResponse(201 if request.method == "POST" else 200)

    recorder = RecordingTransport(MockTransport(handler))
    recorder.send(LIST)
    recorder.send(CREATE)
    delete = Request("DELETE", ("buckets", "b"))
    with pytest.raises(AISConnectionError) as info:
        recorder.send(delete)
    assert recorder.requests == [LIST, CREATE, delete]
    assert [e.status for e in recorder.exchanges] == [200, 201, None]
    assert recorder.exchanges[2] == Exchange(delete, None, info.value)
    recorder.clear()
    assert recorder.requests == []


def test_recording_transport_is_thread_safe() -> None:
    recorder = RecordingTransport(MockTransport(lambda r: BytesResponse(200)))
    threads = [
        threading.Thread(target=lambda: [recorder.send(LIST) for _ in range(200)]) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(recorder.requests) == 1600


def test_stub_answers_expected_requests_in_order() -> None:
    stub = StubTransport()
    stub.expect(LIST, [{"name": "b"}]).expect(CREATE, 200).expect(
        lambda r: r.method == "HEAD", BytesResponse(404, "", {"Hdr-Error": "x"})
    )
    assert stub.send(LIST).json() == [{"name": "b"}]
    assert stub.send(CREATE).status == 200
    head = Request("HEAD", ("buckets", "b"))
    response = stub.send(head)
    assert response.status == 404 and response.request is head
    stub.assert_done()


def test_stub_matching_rules() -> None:
    # query pairs compare as a set; expected headers must be present (extra ones are fine);
    # an expectation without a body matches any body
    expected = Request(
        "PUT", ("objects", "b", "o"), query=(("a", "1"), ("b", "2")), headers=(("X-One", "1"),)
    )
    actual = Request(
        "PUT",
        ("objects", "b", "o"),
        query=(("b", "2"), ("a", "1")),
        headers=(("X-One", "1"), ("X-Two", "2")),
        body=BytesBody(b"data"),
    )
    stub = StubTransport().expect(expected, 200)
    assert stub.send(actual).status == 200


def test_stub_assert_done_fails_while_expectations_remain() -> None:
    stub = StubTransport().expect(LIST).expect(CREATE)
    stub.send(LIST)
    with pytest.raises(AssertionError, match=r"1 expected request\(s\) never sent") as info:
        stub.assert_done()
    assert "POST /v1/buckets/b?provider=ais" in str(info.value)


def test_stub_mismatch_raises_a_readable_diff() -> None:
    stub = StubTransport().expect(CREATE)
    wrong = Request(
        "PUT",
        ("buckets", "c"),
        query=(("provider", "aws"),),
        body=JsonBody.of({"action": "destroy-bck"}),
    )
    with pytest.raises(UnexpectedRequest) as info:
        stub.send(wrong)
    text = str(info.value)
    assert isinstance(info.value, AssertionError)
    assert "expected POST /v1/buckets/b?provider=ais" in text
    assert "got PUT /v1/buckets/c?provider=aws" in text
    assert "method: expected 'POST', got 'PUT'" in text
    assert "path: expected ('buckets', 'b'), got ('buckets', 'c')" in text
    assert "query: missing [('provider', 'ais')], unexpected [('provider', 'aws')]" in text
    assert (
        "body: expected JSON {'action': 'create-bck'}, got JSON {'action': 'destroy-bck'}" in text
    )


def test_stub_mismatch_names_missing_headers_and_failed_predicates() -> None:
    expected = Request("GET", ("x",), headers=(("Range", "bytes=0-9"),))
    with pytest.raises(UnexpectedRequest, match=r"headers: missing \[\('Range', 'bytes=0-9'\)\]"):
        StubTransport().expect(expected).send(Request("GET", ("x",)))
    with pytest.raises(UnexpectedRequest, match="predicate returned False"):
        StubTransport().expect(lambda r: False).send(LIST)


def test_stub_with_nothing_left_rejects_a_request() -> None:
    with pytest.raises(UnexpectedRequest, match="no more requests expected, got GET /v1/buckets"):
        StubTransport().send(LIST)
