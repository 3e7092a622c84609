"""The SDK's object-file errors: UnexpectedEOF for a short body, and StreamError."""

from __future__ import annotations

import pickle

import pytest

from aisclient import Client
from aisclient.errors import (
    AISError,
    IncompleteBodyError,
    ObjectFileReaderMaxResumeError,
    ObjectFileReaderStreamError,
    ObjectFileReaderUnexpectedEOF,
)
from aisclient.request import Request
from aisclient.retry import RetryPolicy
from aisclient.transport.base import BytesResponse, Response
from aisclient.transport.mock import MockTransport

# Retries are tested elsewhere; here every failure must reach the code under test at once.
NO_RETRY = RetryPolicy.never()


def test_error_shapes_match_the_sdk() -> None:
    eof = ObjectFileReaderUnexpectedEOF(6, 10)
    assert (eof.actual, eof.expected) == (6, 10)
    assert "6" in str(eof) and "10" in str(eof)
    assert isinstance(eof, IncompleteBodyError) and eof.phase == "read"
    cause = OSError("refused")
    stream = ObjectFileReaderStreamError(cause)
    assert stream.original_error is cause and isinstance(stream, AISError)
    again = pickle.loads(pickle.dumps(eof))
    assert (type(again), again.actual, again.expected) == (ObjectFileReaderUnexpectedEOF, 6, 10)


def short_body(request: Request) -> Response:
    """Every GET promises 10 bytes; the first sends 6, resumes (ranged) send nothing."""
    if request.header("Range"):
        return BytesResponse(206, b"", {"content-length": "4", "content-range": "bytes 6-9/10"})
    return BytesResponse(200, b"abcdef", {"content-length": "10"})


@pytest.mark.parametrize("how", ["read", "read_sized", "readinto", "read1"])
def test_short_body_gives_unexpected_eof_after_the_resumes(how: str) -> None:
    client = Client(
        "http://ais.invalid:8080", retry_config=NO_RETRY, transport=MockTransport(short_body)
    )
    f = client.bucket("b").object("o").get_reader().as_file(max_resume=2)
    with pytest.raises(ObjectFileReaderMaxResumeError) as info:
        if how == "read":
            f.read()
        elif how == "read_sized":
            f.read(10)
        elif how == "readinto":
            f.readinto(bytearray(10))
        else:
            while f.read1(4):
                pass
    err = info.value.original_error
    assert isinstance(err, ObjectFileReaderUnexpectedEOF)
    assert (err.actual, err.expected) == (6, 10)
    assert info.value.max_retries == 2
    assert f.closed


def test_other_failures_keep_their_own_cause() -> None:
    from aisclient.errors import AISConnectionError

    def broken(request: Request) -> Response:
        raise AISConnectionError("reset", phase="read")

    client = Client(
        "http://ais.invalid:8080", retry_config=NO_RETRY, transport=MockTransport(broken)
    )
    f = client.bucket("b").object("o").get_reader().as_file(max_resume=1)
    with pytest.raises(ObjectFileReaderMaxResumeError) as info:
        f.read()
    assert type(info.value.original_error) is AISConnectionError
