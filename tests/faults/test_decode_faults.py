"""Answers a client cannot decode (a proxy's HTML page behind a 200, JSON of the wrong shape,
hostile nesting, garbled headers) are one typed error, UnexpectedResponseError, naming what
was wrong; never a bare JSONDecodeError, TypeError or RecursionError."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from _support.httpserver import TestServer
from aisclient import Client
from aisclient.errors import AISError, UnexpectedResponseError
from aisclient.models._convert import structure
from aisclient.models.bucket import BucketProps, decode_bucket_list, decode_bucket_props
from aisclient.models.cluster import Smap, decode_smap
from aisclient.models.dsort import decode_job_list, decode_job_map
from aisclient.models.etl import decode_list, decode_logs
from aisclient.models.job import decode_running
from aisclient.request import Request
from aisclient.transport.base import BytesResponse

DEEP = "[" * 100_000 + "]" * 100_000
HOSTILE_BODIES = ["<html>proxy error</html>", DEEP, '{"a": ', "\xff\xfe not text"]


@pytest.fixture
def server() -> Iterator[TestServer]:
    with TestServer() as srv:
        yield srv


@pytest.mark.parametrize("body", HOSTILE_BODIES, ids=["html", "deep", "truncated", "binary"])
def test_a_json_answer_that_is_not_json_is_unexpected(server: TestServer, body: str) -> None:
    server.reply_with(200, body.encode("latin-1"))
    client = Client(server.url, env={})
    response = client.send(Request("GET", ("daemon",)))
    with pytest.raises(UnexpectedResponseError) as info:
        response.json()
    assert info.value.req_url.startswith(server.url)
    assert "GET" in str(info.value) and len(str(info.value)) < 400  # names it, briefly


@pytest.mark.parametrize("body", ["<html>proxy error</html>", "[1,2]", DEEP, '"text"'])
def test_the_cluster_map_call_raises_only_ais_errors(server: TestServer, body: str) -> None:
    server.reply_with(200, body)
    with pytest.raises(AISError) as info:
        Client(server.url, env={}).cluster().get_info()
    assert isinstance(info.value, UnexpectedResponseError)


WRONG_SHAPES: list[Any] = [[1, 2], "text", 7, {"tmap": [1]}, {"smap": {"tmap": "x"}}, None]


@pytest.mark.parametrize("doc", WRONG_SHAPES)
def test_model_decoders_raise_unexpected_response(doc: Any) -> None:
    decoders = [
        lambda: decode_smap(doc),
        lambda: structure(doc, Smap),
        lambda: structure(doc, BucketProps),
        lambda: decode_job_map(doc),
    ]
    for decode in decoders:
        # The one allowed failure (a decoder may also accept a lenient shape).
        with contextlib.suppress(UnexpectedResponseError):
            decode()


@pytest.mark.parametrize(
    "call",
    [
        lambda: decode_smap([1, 2]),
        lambda: decode_bucket_props("<html>"),
        lambda: decode_bucket_props("[1,2]"),
        lambda: decode_bucket_props("[" * 100_000),
        lambda: decode_bucket_list([1, 2]),  # type: ignore[arg-type]
        lambda: decode_bucket_list({"entries": [1, 2]}),
        lambda: decode_job_map([1]),
        lambda: decode_job_list(7),
        lambda: structure({"tmap": [1]}, Smap),
        lambda: decode_list(7),
        lambda: decode_logs(5),
        lambda: decode_running(3),
    ],
    ids=[
        "smap-list",
        "props-html",
        "props-list",
        "props-deep",
        "list-list",
        "list-entries",
        "jobmap",
        "joblist",
        "smap-node",
        "etl-list",
        "etl-logs",
        "running",
    ],
)
def test_each_decoder_names_what_it_could_not_decode(call: Any) -> None:
    with pytest.raises(UnexpectedResponseError, match="cannot decode"):
        call()


def test_a_mocked_answer_decodes_by_the_same_rules() -> None:
    with pytest.raises(UnexpectedResponseError):
        BytesResponse(200, b"<html/>").json()
    assert BytesResponse(200, b"").json() is None
    assert BytesResponse(200, b'{"a": 1}').json() == {"a": 1}
