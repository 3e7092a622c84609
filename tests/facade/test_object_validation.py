"""Bad arguments to the object API fail with a typed error naming the parameter, before any
request: every client here sits on a StubTransport with no expectations, which raises
``UnexpectedRequest`` (an AssertionError, not the error asserted) on any send."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from aisclient import Client
from aisclient.archive_config import ArchiveConfig, BlobDownloadConfig
from aisclient.content_stream import parse_byte_range
from aisclient.errors import (
    IncompleteBodyError,
    ObjectFileReaderMaxResumeError,
    ObjectFileReaderUnexpectedEOF,
)
from aisclient.ops import object as ops
from aisclient.provider import BucketRef
from aisclient.request import BytesBody, Request
from aisclient.transport.base import BytesResponse, Headers, Response
from aisclient.transport.mock import MockTransport, StubTransport

BASE = "http://ais.invalid:8080"
BCK = BucketRef("b")


@pytest.fixture
def stub() -> Iterator[StubTransport]:
    transport = StubTransport()
    yield transport
    transport.assert_done()


@pytest.fixture
def client(stub: StubTransport) -> Client:
    return Client(BASE, transport=stub)


def obj(client: Client, name: str = "o") -> Any:
    return client.bucket("b").object(name)


# -- 1. put_content: bytes-like only --------------------------------------------------------


@pytest.mark.parametrize("content", [123, 0, "text", None, [1, 2], 1.5, True])
def test_put_content_refuses_what_is_not_bytes_like(client: Client, content: Any) -> None:
    # bytes(123) would be 123 NUL bytes: an int must never become object data.
    with pytest.raises(TypeError, match="content must be bytes, bytearray or memoryview"):
        obj(client).get_writer().put_content(content)


@pytest.mark.parametrize(
    "content", [b"abc", bytearray(b"abc"), memoryview(b"xabcx")[1:4]], ids=type
)
def test_put_content_accepts_bytes_like(client: Client, stub: StubTransport, content: Any) -> None:
    stub.expect(ops.put_object(BCK, "o", BytesBody(b"abc")), 200)
    obj(client).get_writer().put_content(content)


def test_put_content_of_text_says_to_encode(client: Client) -> None:
    with pytest.raises(TypeError, match="encode text first"):
        obj(client).get_writer().put_content("text")


@pytest.mark.parametrize("content", [5, "text", None])
def test_append_content_refuses_what_is_not_bytes_like(client: Client, content: Any) -> None:
    with pytest.raises(TypeError, match="content must be bytes"):
        obj(client).get_writer().append_content(content)
    with pytest.raises(TypeError, match="content must be bytes"):
        obj(client).get_writer().append_content(content, handle="h", flush=True)


# -- 2. append handle, custom metadata ------------------------------------------------------


@pytest.mark.parametrize("flush", [False, True])
@pytest.mark.parametrize("content", [b"", b"x"])
def test_append_handle_must_be_a_str(client: Client, flush: bool, content: bytes) -> None:
    with pytest.raises(TypeError, match="handle must be the str"):
        obj(client).get_writer().append_content(content, handle=5, flush=flush)


def test_flush_checksum_is_checked_before_the_append_it_follows(client: Client) -> None:
    with pytest.raises(ValueError, match="checksum_type and checksum_value"):
        obj(client).get_writer().append_content(b"x", "h", True, checksum_type="md5")


@pytest.mark.parametrize("metadata", [{1: 2}, {"k": 2}, {1: "v"}, {"k": None}, {b"k": "v"}])
def test_custom_metadata_keys_and_values_must_be_str(client: Client, metadata: Any) -> None:
    writer = obj(client).get_writer()
    with pytest.raises(TypeError, match="custom_metadata keys and values must be str"):
        writer.set_custom_props(metadata)
    with pytest.raises(TypeError, match="custom_metadata keys and values must be str"):
        writer.put_content(b"x", custom_metadata=metadata)


@pytest.mark.parametrize("metadata", ["k=v", [("k", "v")], 5])
def test_custom_metadata_must_be_a_mapping(client: Client, metadata: Any) -> None:
    writer = obj(client).get_writer()
    with pytest.raises(TypeError, match="custom_metadata must be a mapping"):
        writer.set_custom_props(metadata)
    with pytest.raises(TypeError, match="custom_metadata must be a mapping"):
        writer.put_content(b"x", custom_metadata=metadata)


def test_custom_metadata_of_str_is_sent_as_given(client: Client, stub: StubTransport) -> None:
    sent = ops.set_custom_props(BCK, "o", {"k": "v", "n": "1"})
    assert sent.json == {"action": "", "name": "", "value": {"k": "v", "n": "1"}}
    stub.expect(sent, 200)
    obj(client).get_writer().set_custom_props({"k": "v", "n": "1"})


# -- 3. copy target -------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["x", None, BCK])
def test_copy_needs_an_object(client: Client, target: Any) -> None:
    with pytest.raises(TypeError, match="to_obj must be an Object"):
        obj(client).copy(target)


def test_copy_etl_must_be_an_etl_config(client: Client) -> None:
    with pytest.raises(TypeError, match="etl must be a ETLConfig or None"):
        obj(client).copy(obj(client, "dst"), etl="my-etl")


# -- 4. get_reader configs, head props ------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"archive_config": "x"}, "archive_config must be a ArchiveConfig"),
        ({"archive_config": BlobDownloadConfig()}, "archive_config must be a ArchiveConfig"),
        ({"blob_download_config": "x"}, "blob_download_config must be a BlobDownloadConfig"),
        (
            {"blob_download_config": ArchiveConfig(archpath="f")},
            "blob_download_config must be a BlobDownloadConfig",
        ),
        ({"etl": "x"}, "etl must be an ETLConfig"),
        ({"chunk_size": "1"}, "chunk_size must be an int"),
        ({"chunk_size": 1.5}, "chunk_size must be an int"),
        ({"num_workers": "4"}, "num_workers must be an int"),
        ({"byte_range": 5}, "byte_range must be a str"),
    ],
)
def test_get_reader_argument_types(client: Client, kwargs: dict[str, Any], param: str) -> None:
    with pytest.raises(TypeError, match=param):
        obj(client).get_reader(**kwargs)


def test_parse_byte_range_needs_a_str() -> None:
    with pytest.raises(TypeError, match="byte_range must be a str"):
        parse_byte_range(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="byte_range must be a str"):
        parse_byte_range(None)  # type: ignore[arg-type]


@pytest.mark.parametrize("props", [5, None, ["size"]])
def test_head_props_must_be_a_str(client: Client, props: Any) -> None:
    with pytest.raises(TypeError, match="props must be a str"):
        obj(client).head(props)
    with pytest.raises(TypeError, match="props must be a str"):
        ops.head_object(BCK, "o", props)


# -- 5. names AIS would not round-trip ------------------------------------------------------

UNLISTABLE = {
    "a//b": "empty path component",
    "//x": "empty path component",
    "/lead": "empty path component",
    "dir//": "must not end with '/'",
    "a\x00b": "must not contain NUL",
    "\x00": "must not contain NUL",
}


@pytest.mark.parametrize(("name", "why"), UNLISTABLE.items())
def test_writes_of_unlistable_names_fail_with_the_reason(
    client: Client, name: str, why: str
) -> None:
    target = obj(client, name)
    with pytest.raises(ValueError, match=why):
        target.get_writer().put_content(b"x")
    with pytest.raises(ValueError, match=why):
        target.get_writer().put_iter(iter([b"x"]))
    with pytest.raises(ValueError, match=why):
        target.get_writer().append_content(b"x")
    with pytest.raises(ValueError, match=why):
        target.multipart_upload().create()
    with pytest.raises(ValueError, match=why):
        obj(client).copy(target)
    with pytest.raises(ValueError, match=why):
        obj(client).rename(name)


def test_empty_component_message_says_why(client: Client) -> None:
    with pytest.raises(ValueError, match="collapsed name, or not at all"):
        obj(client, "a//b").get_writer().put_content(b"x")
    with pytest.raises(ValueError, match="cannot make a file path"):
        obj(client, "a\x00b").get_writer().put_content(b"x")


@pytest.mark.parametrize("name", ["a//b", "/lead", "a\x00b"])
def test_reads_of_such_names_are_still_sent(client: Client, stub: StubTransport, name: str) -> None:
    # The objects may already exist (written by another client): GET and HEAD go out intact.
    stub.expect(Request("GET", ("objects", "b", name), query=BCK.query), BytesResponse(200, b"old"))
    stub.expect(Request("HEAD", ("objects", "b", name), query=(*BCK.query, ("props", "name,size"))))
    assert obj(client, name).get_reader().read_all() == b"old"
    obj(client, name).head()


# -- 6. a body that ends before its length ---------------------------------------------------


class CutResponse(Response):
    """Promises ``length`` bytes, sends ``body``, then ends cleanly or raises like urllib3."""

    def __init__(self, body: bytes, length: int, raise_at_end: bool = False) -> None:
        self.status, self._body, self._pos, self._raise = 200, body, 0, raise_at_end
        self.headers = Headers({"Content-Length": str(length)})
        self.url, self.request = "", None

    def read(self, amt: int | None = None) -> bytes:
        if self._pos >= len(self._body) and self._raise:
            raise IncompleteBodyError("the body broke off: IncompleteRead", phase="read")
        end = len(self._body) if amt is None else min(len(self._body), self._pos + amt)
        data, self._pos = self._body[self._pos : end], end
        return data

    def close(self) -> None:
        pass


def cut_client(raise_at_end: bool = False) -> Client:
    # Every GET (resumed ones included) promises 10 bytes and stops after 6.
    return Client(BASE, transport=MockTransport(lambda r: CutResponse(b"abcdef", 10, raise_at_end)))


def test_stream_that_ends_early_raises_unexpected_eof() -> None:
    reader = cut_client().bucket("b").object("o").get_reader()
    stream = reader.content_stream(max_resume=0, wrap_errors=False)
    assert stream.read(6) == b"abcdef"
    with pytest.raises(ObjectFileReaderUnexpectedEOF) as info:
        stream.read(4)
    assert (info.value.actual, info.value.expected) == (6, 10)
    assert isinstance(info.value, IncompleteBodyError)  # still caught as one
    with pytest.raises(ObjectFileReaderUnexpectedEOF):
        list(cut_client().bucket("b").object("o").get_reader(chunk_size=4))


@pytest.mark.parametrize("raise_at_end", [False, True], ids=["clean-eof", "transport-error"])
def test_giving_up_on_a_short_body_names_unexpected_eof(raise_at_end: bool) -> None:
    reader = cut_client(raise_at_end).bucket("b").object("o").get_reader()
    stream = reader.content_stream(max_resume=1)  # wrapped, as ObjectFileReader uses it
    with pytest.raises(ObjectFileReaderMaxResumeError) as info:
        while stream.read(4):
            pass
    eof = info.value.original_error
    assert isinstance(eof, ObjectFileReaderUnexpectedEOF)
    assert (eof.actual, eof.expected) == (6, 10)
    if raise_at_end:  # the transport's own error is kept as the cause
        assert isinstance(eof.__cause__, IncompleteBodyError)
        assert "IncompleteRead" in str(eof.__cause__)
    f = cut_client(raise_at_end).bucket("b").object("o").get_reader().as_file(max_resume=1)
    with pytest.raises(ObjectFileReaderMaxResumeError) as info:
        f.read()
    assert isinstance(info.value.original_error, ObjectFileReaderUnexpectedEOF)
    assert f.closed
