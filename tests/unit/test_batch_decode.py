"""Incremental decoders of the Get-Batch response: archives (tar/tgz/zip) and multipart."""

from __future__ import annotations

import io
import tarfile
import zipfile

import pytest

from aisclient.batch.archive_stream import StreamFile, iter_members, iter_zip
from aisclient.batch.errors import BatchArchiveError
from aisclient.batch.multipart import MultipartReader, parse_boundary
from aisclient.errors import MultipartDecodeError

BOUNDARY = "12c6d0f880cd4bbb6205f365bf85ae1e61684396d5a2eb30bf804e6e0b91"


def make_tar(members: list[tuple[str, bytes]], gz: bool = False, with_dir: bool = False) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz" if gz else "w") as archive:
        if with_dir:
            info = tarfile.TarInfo("somedir")
            info.type = tarfile.DIRTYPE
            archive.addfile(info)
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def make_zip(members: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("dir/", b"")
        for name, data in members:
            archive.writestr(name, data)
    return out.getvalue()


class Feeder:
    """A read(n) source that hands out at most ``step`` bytes per call; records request sizes."""

    def __init__(self, data: bytes, step: int = 1 << 20) -> None:
        self.data = data
        self.pos = 0
        self.step = step
        self.largest_request = 0

    def read(self, n: int) -> bytes:
        self.largest_request = max(self.largest_request, n)
        end = min(len(self.data), self.pos + min(n, self.step))
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk


MEMBERS = [("b/a.txt", b"hello"), ("__404__/b/gone", b""), ("b/big", bytes(range(256)) * 300)]


@pytest.mark.parametrize("fmt", [".tar", ".tgz", ".tar.gz", ".zip"])
@pytest.mark.parametrize("step", [1, 7, 512, 1 << 20])
def test_archives_decode_in_order_whatever_the_read_sizes(fmt: str, step: int) -> None:
    if fmt == ".zip":
        data = make_zip(MEMBERS)
    else:
        data = make_tar(MEMBERS, gz=fmt != ".tar", with_dir=True)
    source = StreamFile(Feeder(data, step).read)
    assert list(iter_members(source, fmt)) == MEMBERS


class RecordingFeeder(Feeder):
    """A Feeder that records every request and every object it handed out."""

    def __init__(self, data: bytes, step: int = 1 << 20) -> None:
        super().__init__(data, step)
        self.requests: list[int] = []
        self.handed: list[bytes] = []

    def read(self, n: int) -> bytes:
        self.requests.append(n)
        chunk = super().read(n)
        self.handed.append(chunk)
        return chunk


def test_tar_members_are_read_with_exact_sizes_into_their_final_bytes() -> None:
    members = [("b/one", b"1" * 5000), ("b/huge", b"x" * (3 << 20)), ("b/two", b"22")]
    feeder = RecordingFeeder(make_tar(members), step=8 << 20)
    decoded = list(iter_members(StreamFile(feeder.read), ".tar"))
    assert decoded == members
    # Never asked for more than one header, one member or one padding: memory stays one
    # member, and a member delivered by one read is that very object, never copied again.
    assert max(feeder.requests) == 3 << 20
    assert feeder.requests[:4] == [512, 5000, -5000 % 512, 512]
    assert any(content is handed for _, content in decoded[1:2] for handed in feeder.handed)


def test_tgz_decoding_reads_compressed_input_in_bounded_steps() -> None:
    big = [("b/huge", b"x" * (3 << 20))]
    feeder = Feeder(make_tar(big, gz=True))
    members = list(iter_members(StreamFile(feeder.read), ".tgz", tar_buffer_size=4096))
    assert members == big
    assert feeder.largest_request <= 4096


def test_zip_spools_beyond_its_memory_limit() -> None:
    members = [(f"b/{i}", bytes([i]) * 5000) for i in range(20)]
    source = StreamFile(Feeder(make_zip(members)).read)
    # A spool limit far below the archive size forces the temporary-file path.
    assert list(iter_zip(source, spool=1024)) == members


@pytest.mark.parametrize("fmt", [".tar", ".tgz", ".zip"])
def test_empty_body_yields_no_members(fmt: str) -> None:
    assert list(iter_members(StreamFile(Feeder(b"").read), fmt)) == []


def test_empty_tar_archive_yields_no_members() -> None:
    assert list(iter_members(StreamFile(Feeder(b"\0" * 1024).read), ".tar")) == []


@pytest.mark.parametrize("fmt", [".tar", ".tgz"])
def test_truncated_tar_raises_archive_error(fmt: str) -> None:
    data = make_tar([("b/a", b"y" * 5000)], gz=fmt == ".tgz")
    cut = data[:700] if fmt == ".tar" else data[: len(data) // 2]
    with pytest.raises(BatchArchiveError, match="Failed to read"):
        list(iter_members(StreamFile(Feeder(cut).read), fmt))


def test_garbage_zip_raises_archive_error() -> None:
    with pytest.raises(BatchArchiveError, match="zip"):
        list(iter_members(StreamFile(Feeder(b"not a zip at all").read), ".zip"))


def test_errors_are_runtime_errors_like_the_sdk() -> None:
    assert issubclass(BatchArchiveError, RuntimeError)


def test_unknown_format_has_no_decoder() -> None:
    with pytest.raises(ValueError):
        iter_members(StreamFile(Feeder(b"").read), ".tar.lz4")


# -- multipart ----------------------------------------------------------------------------


def multipart(
    parts: list[tuple[str, bytes]], boundary: str = BOUNDARY, preamble: bytes = b""
) -> bytes:
    out = bytearray(preamble)
    for headers, body in parts:
        out += f"--{boundary}\r\n{headers}\r\n\r\n".encode() + body + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out)


def read_parts(data: bytes, step: int, chunk: int = 64) -> list[tuple[dict[str, str], bytes]]:
    reader = MultipartReader(Feeder(data, step).read, BOUNDARY, chunk_size=chunk)
    found = []
    while (part := reader.next_part()) is not None:
        found.append((part.headers, part.read()))
    return found


# Bytes that end like a boundary line would, and trailing whitespace: all must survive.
ARCHIVE_TAIL = b"binary\r\n\r\n--not-the-boundary\r\n \t\r\n"


@pytest.mark.parametrize("step", [1, 3, 17, 64, 1 << 20])
def test_multipart_parts_are_exact(step: int) -> None:
    data = multipart(
        [
            ('Content-Disposition: form-data; name="metadata"', b'{"uuid":"x","out":[]}\n'),
            (
                'Content-Disposition: form-data; name="archive"; filename="get-batch[x]"\r\n'
                "Content-Type: application/octet-stream",
                ARCHIVE_TAIL,
            ),
        ],
        preamble=b"ignored preamble\r\n",
    )
    parts = read_parts(data, step)
    assert [body for _, body in parts] == [b'{"uuid":"x","out":[]}\n', ARCHIVE_TAIL]
    assert parts[1][0]["content-type"] == "application/octet-stream"


def test_part_names_and_small_reads() -> None:
    data = multipart([('Content-Disposition: form-data; name="archive"', b"abcdef")])
    reader = MultipartReader(Feeder(data).read, BOUNDARY)
    part = reader.next_part()
    assert part is not None and part.name == "archive"
    assert part.read(2) == b"ab"
    assert part.read(0) == b""
    assert part.read(100) == b"cdef"
    assert part.read(100) == b""
    assert reader.next_part() is None


def test_next_part_skips_an_unread_part() -> None:
    data = multipart([("X-A: 1", b"first" * 100), ("X-B: 2", b"second")])
    reader = MultipartReader(Feeder(data, 10).read, BOUNDARY, chunk_size=16)
    assert reader.next_part() is not None
    second = reader.next_part()
    assert second is not None and second.headers == {"x-b": "2"} and second.read() == b"second"


def test_part_without_headers() -> None:
    data = f"--{BOUNDARY}\r\n\r\nbody\r\n--{BOUNDARY}--".encode()
    assert read_parts(data, 5) == [({}, b"body")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "ended inside a part"),
        (f"--{BOUNDARY}\r\nX: 1\r\n\r\nno end".encode(), "ended inside a part"),
        (f"--{BOUNDARY}\r\nX: 1".encode(), "inside part headers"),
        (f"--{BOUNDARY}junk\r\n".encode(), "malformed"),
    ],
)
def test_malformed_multipart(data: bytes, message: str) -> None:
    with pytest.raises(MultipartDecodeError, match=message):
        read_parts(data, 4)


def test_oversized_headers_are_refused() -> None:
    data = f"--{BOUNDARY}\r\nX: {'a' * 5000}\r\n\r\nb\r\n--{BOUNDARY}--".encode()
    reader = MultipartReader(Feeder(data).read, BOUNDARY, max_header_size=1024)
    with pytest.raises(MultipartDecodeError, match="exceed"):
        reader.next_part()


@pytest.mark.parametrize(
    ("header", "boundary"),
    [
        (f"multipart/mixed; boundary={BOUNDARY}", BOUNDARY),
        ('multipart/mixed; boundary="a b"', "a b"),
        ("Multipart/Mixed;Boundary=xyz;charset=utf-8", "xyz"),
    ],
)
def test_parse_boundary(header: str, boundary: str) -> None:
    assert parse_boundary(header) == boundary


@pytest.mark.parametrize("header", [None, "", "application/x-tar", "multipart/mixed"])
def test_parse_boundary_errors(header: str | None) -> None:
    with pytest.raises(MultipartDecodeError):
        parse_boundary(header)


def test_stream_file_counts_and_drains() -> None:
    source = StreamFile(Feeder(b"x" * 100, 9).read)
    assert source.read(10) == b"x" * 9
    source.drain()
    assert source.eof and source.consumed == 100
    assert source.read(5) == b""
    assert StreamFile(Feeder(b"abc").read).read() == b"abc"
