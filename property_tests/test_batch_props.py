"""Properties of Get-Batch: request building, range rules, multipart and archive decoding."""

from __future__ import annotations

import base64
import io
import tarfile

from hypothesis import given, settings
from hypothesis import strategies as st

from aisclient.batch.archive_stream import StreamFile, iter_members
from aisclient.batch.multipart import MultipartReader
from aisclient.models.batch import decode_opaque, encode_opaque
from aisclient.ops import batch as ops
from aisclient.provider import BucketRef, Provider

bucket_names = st.from_regex(r"[A-Za-z0-9_\-]{1,20}", fullmatch=True).filter(
    lambda n: ".." not in n
)
providers = st.sampled_from(list(Provider))
object_names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\x00"),
    min_size=1,
    max_size=40,
)
valid_ranges = st.one_of(
    st.tuples(st.none(), st.none()),
    st.tuples(st.just(0), st.integers(1, 2**40)),
    st.tuples(st.integers(0, 2**40), st.integers(1, 2**40)),
    st.tuples(st.integers(0, 2**40), st.just(-1)),
)


@st.composite
def entries(draw: st.DrawFn) -> dict[str, object]:
    start, length = draw(valid_ranges)
    return {
        "name": draw(object_names),
        "bucket": BucketRef(draw(bucket_names), draw(providers)),
        "opaque": draw(st.none() | st.binary(max_size=64)),
        "archpath": draw(st.none() | st.from_regex(r"[a-z0-9/._]{1,20}", fullmatch=True)),
        "start": start,
        "length": length,
    }


@settings(max_examples=300)
@given(st.lists(entries(), min_size=1, max_size=12), st.booleans(), st.booleans())
def test_every_entry_appears_once_in_order(
    items: list[dict[str, object]], cont_on_err: bool, streaming: bool
) -> None:
    req = ops.new_request(cont_on_err=cont_on_err, streaming_get=streaming)
    for item in items:
        bucket = item["bucket"]
        assert isinstance(bucket, BucketRef)
        req = req.add(
            ops.make_entry(
                str(item["name"]),
                bucket,
                opaque=item["opaque"],  # type: ignore[arg-type]
                archpath=item["archpath"],  # type: ignore[arg-type]
                start=item["start"],  # type: ignore[arg-type]
                length=item["length"],  # type: ignore[arg-type]
            )
        )
    body = ops.get_batch(req).json
    assert body["coer"] is cont_on_err and body["strm"] is streaming and body["onob"] is False
    assert len(body["in"]) == len(items)
    for wire, item in zip(body["in"], items, strict=True):
        bucket = item["bucket"]
        assert isinstance(bucket, BucketRef)
        assert wire["objname"] == item["name"]
        assert wire["bucket"] == bucket.name and wire["provider"] == bucket.provider.value
        opaque = item["opaque"]
        if opaque:
            assert base64.b64decode(wire["opaque"], validate=True) == opaque
        else:
            assert "opaque" not in wire
        assert wire.get("archpath") == (item["archpath"] or None)
        assert wire.get("start") == (item["start"] or None)
        assert wire.get("length") == (item["length"] or None)


@settings(max_examples=500)
@given(st.none() | st.integers(-5, 5), st.none() | st.integers(-5, 5))
def test_range_validation_matches_the_server_rule(start: int | None, length: int | None) -> None:
    first, size = start or 0, length or 0
    valid = first >= 0 and size >= -1 and not (first != 0 and size == 0)
    try:
        result = ops.validate_range(start, length)
    except ValueError:
        assert not valid
    else:
        assert valid
        assert result == (first or None, size or None)


@settings(max_examples=500)
@given(st.binary(max_size=200))
def test_opaque_round_trips(data: bytes) -> None:
    assert decode_opaque(encode_opaque(data)) == (data or None)


BOUNDARY = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e"
# Bodies rich in the bytes a boundary scanner could trip over.
tricky_bodies = st.lists(
    st.sampled_from([b"\r", b"\n", b"\r\n", b"--", BOUNDARY[:10].encode(), b" ", b"x", b"\0"])
    | st.binary(max_size=30),
    max_size=30,
).map(b"".join)


class Feeder:
    def __init__(self, data: bytes, steps: list[int]) -> None:
        self.data, self.pos, self.steps, self.turn = data, 0, steps, 0

    def read(self, n: int) -> bytes:
        step = self.steps[self.turn % len(self.steps)]
        self.turn += 1
        end = min(len(self.data), self.pos + min(n, step))
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk


@settings(max_examples=300)
@given(
    st.lists(tricky_bodies, min_size=1, max_size=4),
    st.lists(st.integers(1, 97), min_size=1, max_size=5),
    st.integers(1, 80),
    st.integers(0, 3),
)
def test_multipart_round_trips_any_bodies_and_chunking(
    bodies: list[bytes], steps: list[int], chunk: int, small_read: int
) -> None:
    data = bytearray(b"preamble\r\n")
    for index, body in enumerate(bodies):
        data += f"--{BOUNDARY}\r\nX-Index: {index}\r\n\r\n".encode() + body + b"\r\n"
    data += f"--{BOUNDARY}--\r\n".encode()
    reader = MultipartReader(Feeder(bytes(data), steps).read, BOUNDARY, chunk_size=chunk)
    got = []
    while (part := reader.next_part()) is not None:
        pieces = []
        while piece := part.read(small_read + 1):
            assert len(piece) <= small_read + 1
            pieces.append(piece)
        got.append((part.headers["x-index"], b"".join(pieces)))
    assert got == [(str(i), body) for i, body in enumerate(bodies)]


member_names = st.from_regex(r"[a-z0-9_]{1,12}(/[a-z0-9_.]{1,12}){0,2}", fullmatch=True)


@settings(max_examples=120, deadline=None)
@given(
    st.lists(st.tuples(member_names, st.binary(max_size=3000)), max_size=6),
    st.sampled_from([".tar", ".tgz"]),
    st.lists(st.integers(1, 4096), min_size=1, max_size=4),
)
def test_tar_streams_decode_to_their_members(
    members: list[tuple[str, bytes]], fmt: str, steps: list[int]
) -> None:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz" if fmt == ".tgz" else "w") as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    source = StreamFile(Feeder(out.getvalue(), steps).read)
    assert list(iter_members(source, fmt)) == members
