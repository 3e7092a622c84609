"""ObjectReader and ObjectFileReader through offline transports: laziness, chunking, ranges,
resume after dropped connections, seeking."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest

from aisclient import Client
from aisclient.archive_config import ArchiveConfig
from aisclient.clock import Clock
from aisclient.errors import (
    AISConnectionError,
    ErrObjNotFound,
    IncompleteBodyError,
    ObjectFileReaderMaxResumeError,
)
from aisclient.obj_reader import ParallelBuffer
from aisclient.request import Request
from aisclient.transport.base import BytesResponse, Response
from aisclient.transport.mock import MockTransport, RecordingTransport

DATA = bytes(range(256)) * 40  # 10 KiB, every offset distinguishable by value pattern


class FlakyResponse(Response):
    """A body that breaks (raises, or ends early) after ``cut`` bytes."""

    def __init__(
        self,
        status: int,
        body: bytes,
        headers: dict[str, str],
        cut: int | None = None,
        mode: str = "raise",
    ) -> None:
        self.status = status
        self._body = body
        self._pos = 0
        self._cut = cut
        self._mode = mode
        from aisclient.transport.base import Headers

        self.headers = Headers(headers)
        self.url = ""
        self.request = None
        self.closed = False

    def read(self, amt: int | None = None) -> bytes:
        limit = len(self._body) if self._cut is None else self._cut
        if self._pos >= limit and self._cut is not None and self._mode == "raise":
            raise IncompleteBodyError("connection reset", phase="read")
        end = limit if amt is None else min(limit, self._pos + amt)
        data = self._body[self._pos : end]
        self._pos = end
        return data

    def close(self) -> None:
        self.closed = True


class ObjectServer:
    """Serves one object with Range support; ``cuts`` scripts broken bodies per GET."""

    def __init__(
        self, data: bytes = DATA, cuts: list[int | None] | None = None, mode: str = "raise"
    ):
        self.data = data
        self.cuts = list(cuts or [])
        self.mode = mode
        self.gets: list[Request] = []
        self.heads: list[Request] = []

    def __call__(self, request: Request) -> Response:
        if request.method == "HEAD":
            self.heads.append(request)
            return BytesResponse(
                200,
                b"",
                {"Content-Length": str(len(self.data)), "Ais-Checksum-Type": "xxhash2"},
            )
        self.gets.append(request)
        size = len(self.data)
        status, body, headers = 200, self.data, {}
        spec = request.header("Range")
        if spec:
            match = re.fullmatch(r"bytes=(\d*)-(\d*)", spec)
            assert match
            if match.group(1):
                start = int(match.group(1))
                end = int(match.group(2)) if match.group(2) else size - 1
            else:
                start, end = max(0, size - int(match.group(2))), size - 1
            end = min(end, size - 1)
            if start >= size:
                return BytesResponse(416, b'{"message":"not satisfiable"}', {})
            status, body = 206, self.data[start : end + 1]
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        headers["Content-Length"] = str(len(body))
        headers["Ais-Version"] = "3"
        cut = self.cuts.pop(0) if self.cuts else None
        return FlakyResponse(status, body, headers, cut, self.mode)


def make_client(handler: Callable[[Request], Response]) -> tuple[Client, RecordingTransport]:
    recording = RecordingTransport(MockTransport(handler))
    return Client("http://ais.invalid:8080", transport=recording), recording


def test_get_reader_is_lazy_and_read_all_sends_one_get() -> None:
    server = ObjectServer()
    client, recording = make_client(server)
    reader = client.bucket("b").object("dir/o").get_reader()
    assert recording.requests == []
    assert reader.read_all() == DATA
    assert len(server.gets) == 1
    sent = server.gets[0]
    assert sent.path == ("objects", "b", "dir/o")
    assert sent.stream is False  # read_all wants the whole body: no streaming
    assert reader.request.stream is True


def test_iteration_yields_bounded_chunks_in_order() -> None:
    client, _ = make_client(ObjectServer())
    reader = client.bucket("b").object("o").get_reader(chunk_size=1000)
    chunks = list(reader)
    assert b"".join(chunks) == DATA
    assert all(len(chunk) <= 1000 for chunk in chunks)
    assert [len(c) for c in chunks[:-1]] == [1000] * (len(chunks) - 1)


def test_default_chunk_size_is_one_mib() -> None:
    client, _ = make_client(ObjectServer())
    assert client.bucket("b").object("o").get_reader().chunk_size == 1 << 20


def test_iteration_surfaces_broken_stream() -> None:
    client, _ = make_client(ObjectServer(cuts=[100]))
    with pytest.raises(IncompleteBodyError):
        list(client.bucket("b").object("o").get_reader(chunk_size=64))


def test_byte_range_is_sent_as_range_header() -> None:
    server = ObjectServer()
    client, _ = make_client(server)
    assert (
        client.bucket("b").object("o").get_reader(byte_range="bytes=10-19").read_all()
        == (DATA[10:20])
    )
    assert server.gets[0].header("Range") == "bytes=10-19"


@pytest.mark.parametrize("bad", ["10-20", "bytes=5-1", "bytes=-", "bytes=0-1,5-6", "items=0-1"])
def test_bad_byte_range_raises_before_sending(bad: str) -> None:
    client, recording = make_client(ObjectServer())
    with pytest.raises(ValueError):
        client.bucket("b").object("o").get_reader(byte_range=bad)
    assert recording.requests == []


def test_get_reader_argument_checks() -> None:
    client, recording = make_client(ObjectServer())
    obj = client.bucket("b").object("o")
    from aisclient.archive_config import BlobDownloadConfig
    from aisclient.etl_config import ETLConfig

    with pytest.raises(ValueError):
        obj.get_reader(byte_range="bytes=0-1", blob_download_config=BlobDownloadConfig())
    with pytest.raises(ValueError):
        obj.get_reader(num_workers=1)
    with pytest.raises(ValueError):
        obj.get_reader(num_workers=2, byte_range="bytes=0-1")
    with pytest.raises(ValueError):
        obj.get_reader(num_workers=2, etl=ETLConfig("etl-one1"))
    with pytest.raises(ValueError):
        obj.get_reader(num_workers=2, blob_download_config=BlobDownloadConfig())
    assert recording.requests == []


def test_writer_argument_streams_everything_before_returning() -> None:
    server = ObjectServer()
    client, _ = make_client(server)
    sink = io.BytesIO()
    client.bucket("b").object("o").get_reader(writer=sink, chunk_size=333)
    assert sink.getvalue() == DATA
    assert len(server.gets) == 1


def test_raw_sets_attributes_and_streams() -> None:
    server = ObjectServer()
    client, _ = make_client(server)
    reader = client.bucket("b").object("o").get_reader()
    raw = reader.raw()
    assert raw.read(5) == DATA[:5]
    raw.close()
    assert reader.attributes.obj_version == "3"
    assert server.heads == []  # attributes came from the GET


def test_attributes_without_raw_send_a_head() -> None:
    server = ObjectServer()
    client, _ = make_client(server)
    reader = client.bucket("b").object("o").get_reader()
    reader.read_all()
    assert reader.attributes.size == len(DATA)
    assert reader.attributes.checksum_type == "xxhash2"
    assert len(server.heads) == 1
    assert server.heads[0].query_value("props") == "checksum,atime,version,custom"


def test_parallel_read_all_and_iteration() -> None:
    server = ObjectServer()
    client, _ = make_client(server)
    reader = client.bucket("b").object("o").get_reader(num_workers=3, chunk_size=1000)
    assert bytes(reader.read_all()) == DATA
    ranges = sorted(r.header("Range") or "" for r in server.gets)
    assert len(ranges) == 11 and "bytes=10000-10239" in ranges
    assert server.heads[0].query_value("props") == "size,chunked,version,checksum"
    assert b"".join(reader) == DATA


def test_parallel_read_all_has_the_sdk_parallel_buffer_surface() -> None:
    client, _ = make_client(ObjectServer(data=DATA))
    reader = client.bucket("b").object("o").get_reader(num_workers=3, chunk_size=1000)
    with reader.read_all() as result:
        assert isinstance(result, ParallelBuffer)
        assert len(result) == len(DATA) and result == DATA
        assert result.buf[:10].tobytes() == DATA[:10] and result.tobytes() == DATA
        assert result.name == ""
    with pytest.raises(ValueError, match="closed"):
        result.tobytes()


def test_parallel_rejects_empty_object() -> None:
    client, _ = make_client(ObjectServer(data=b""))
    with pytest.raises(ValueError, match="empty"):
        client.bucket("b").object("o").get_reader(num_workers=2).read_all()


# -- ObjectFileReader -------------------------------------------------------------------------


def test_file_reads_sizes_lines_and_eof() -> None:
    text = b"line one\nline two\nlast"
    client, _ = make_client(ObjectServer(data=text))
    with client.bucket("b").object("o").get_reader().as_file() as f:
        assert f.readable() and not f.writable()
        assert f.read(0) == b""
        assert f.readline() == b"line one\n"
        assert list(f) == [b"line two\n", b"last"]
        assert f.read() == b""
        assert f.read(10) == b""
    assert f.closed
    with pytest.raises(ValueError):
        f.read()


def test_file_resumes_from_the_first_missing_byte() -> None:
    server = ObjectServer(cuts=[1000, 2500, None])
    client, _ = make_client(server)
    f = client.bucket("b").object("o").get_reader().as_file()
    assert f.read() == DATA
    assert [r.header("Range") for r in server.gets] == [None, "bytes=1000-", "bytes=3500-"]
    assert f.resumes == 2


def test_file_resumes_after_a_short_clean_eof() -> None:
    server = ObjectServer(cuts=[4000, None], mode="short")
    client, _ = make_client(server)
    f = client.bucket("b").object("o").get_reader().as_file()
    buffer = bytearray(len(DATA))
    assert f.readinto(buffer) == len(DATA)
    assert bytes(buffer) == DATA
    assert [r.header("Range") for r in server.gets] == [None, "bytes=4000-"]


def test_file_gives_up_after_max_resume() -> None:
    server = ObjectServer(cuts=[10, 20, 30, 40])
    client, _ = make_client(server)
    f = client.bucket("b").object("o").get_reader().as_file(max_resume=2)
    with pytest.raises(ObjectFileReaderMaxResumeError) as info:
        f.read()
    assert isinstance(info.value.original_error, IncompleteBodyError)
    assert info.value.max_retries == 2
    assert len(server.gets) == 3
    assert f.closed  # a failure inside read closes the file


def test_file_with_max_resume_zero_fails_on_first_break() -> None:
    client, _ = make_client(ObjectServer(cuts=[10]))
    f = client.bucket("b").object("o").get_reader().as_file(max_resume=0)
    with pytest.raises(ObjectFileReaderMaxResumeError):
        f.read()
    with pytest.raises(ValueError):
        client.bucket("b").object("o").get_reader().as_file(max_resume=-1)


def test_file_resumes_inside_a_byte_range() -> None:
    server = ObjectServer(cuts=[50, None])
    client, _ = make_client(server)
    f = client.bucket("b").object("o").get_reader(byte_range="bytes=100-299").as_file()
    assert f.read() == DATA[100:300]
    assert [r.header("Range") for r in server.gets] == ["bytes=100-299", "bytes=150-299"]


def test_file_resumes_a_suffix_range_using_content_range() -> None:
    server = ObjectServer(cuts=[30, None])
    client, _ = make_client(server)
    f = client.bucket("b").object("o").get_reader(byte_range="bytes=-100").as_file()
    assert f.read() == DATA[-100:]
    size = len(DATA)
    assert server.gets[1].header("Range") == f"bytes={size - 70}-{size - 1}"


def test_archive_content_resumes_from_start_and_skips() -> None:
    server = ObjectServer(cuts=[700, None])
    client, _ = make_client(server)
    reader = (
        client.bucket("b").object("a.tar").get_reader(archive_config=ArchiveConfig(archpath="x"))
    )
    f = reader.as_file()
    assert not f.seekable()
    assert f.read() == DATA
    assert [r.header("Range") for r in server.gets] == [None, None]
    with pytest.raises(io.UnsupportedOperation):
        f.seek(0)


def test_file_seek_and_tell() -> None:
    server = ObjectServer()
    client, _ = make_client(server)
    f = client.bucket("b").object("o").get_reader().as_file()
    assert f.seekable()
    assert f.tell() == 0
    assert f.seek(5000) == 5000
    assert f.read(4) == DATA[5000:5004]
    assert f.tell() == 5004
    assert f.seek(-10, io.SEEK_CUR) == 4994
    assert f.read(2) == DATA[4994:4996]
    assert f.seek(-3, io.SEEK_END) == len(DATA) - 3
    assert f.read() == DATA[-3:]
    assert f.seek(len(DATA) + 50) == len(DATA) + 50
    assert f.read(10) == b""
    f.seek(0)
    assert f.read(3) == DATA[:3]
    with pytest.raises(ValueError):
        f.seek(-1)


def test_seek_end_uses_a_head_when_nothing_read_yet() -> None:
    server = ObjectServer()
    client, _ = make_client(server)
    f = client.bucket("b").object("o").get_reader().as_file()
    assert f.seek(0, io.SEEK_END) == len(DATA)
    assert len(server.heads) == 1 and server.gets == []
    assert f.read() == b""


def test_peek_does_not_consume() -> None:
    client, _ = make_client(ObjectServer())
    f = client.bucket("b").object("o").get_reader().as_file()
    ahead = f.peek(4)
    assert ahead[:4] == DATA[:4]
    assert f.read(4) == DATA[:4]
    assert f.tell() == 4
    assert f.read1(2) == DATA[4:6]


def test_enter_restarts_from_the_beginning() -> None:
    client, _ = make_client(ObjectServer())
    f = client.bucket("b").object("o").get_reader().as_file()
    assert f.read(10) == DATA[:10]
    with f:
        assert f.read(10) == DATA[:10]


def test_not_found_is_not_resumed() -> None:
    def handler(request: Request) -> Response:
        return BytesResponse(404, b'{"message":"t[x]: ais://b/o does not exist","status":404}', {})

    client, recording = make_client(handler)
    f = client.bucket("b").object("o").get_reader().as_file()
    with pytest.raises(ErrObjNotFound):
        f.read()
    assert len(recording.requests) == 1


def test_connection_errors_when_opening_count_as_resumes() -> None:
    calls = []

    def handler(request: Request) -> Response:
        calls.append(request)
        raise AISConnectionError("refused", phase="connect")

    client = Client(
        "http://ais.invalid:8080",
        transport=MockTransport(handler),
        clock=Clock(sleep=lambda _: None),
    )
    f = client.bucket("b").object("o").get_reader().as_file(max_resume=1)
    with pytest.raises(ObjectFileReaderMaxResumeError):
        f.read(1)
    # The first open spends the read's retry budget (7 attempts); the resume draws on the same
    # budget, so it makes one attempt instead of seven more.
    assert len(calls) == client.retry_config.network_attempts + 1
