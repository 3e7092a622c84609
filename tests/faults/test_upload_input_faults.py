"""Upload input is checked before anything is sent: a bad chunk, size, metadata or checksum
value raises a typed error naming the parameter, and no request leaves the client. What is
accepted is stored and read back unchanged (on LocalCluster and on aisnode)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from _support.fault_hooks import Hook
from aisclient import Client


@pytest.fixture
def hooked(cluster_endpoint: str, bucket_name: str) -> Iterator[tuple[Any, Hook]]:
    hook = Hook(cluster_endpoint)
    with Client(cluster_endpoint, transport=hook) as client:
        bucket = client.bucket(bucket_name).create()
        hook.requests.clear()
        yield bucket, hook
        bucket.delete(missing_ok=True)


def chunks(*items: object) -> Iterator[Any]:
    yield from items


BAD_PUT_ITER: list[tuple[str, Any, dict[str, Any], type[Exception], str]] = [
    ("str chunks in a list", ["text"], {}, TypeError, r"chunks\[0\]"),
    ("a str chunk first", lambda: chunks("text", b"x"), {}, TypeError, r"chunks\[0\]"),
    ("an int chunk first", lambda: chunks(7), {}, TypeError, r"chunks\[0\]"),
    ("an int chunk in a tuple", (b"a", 7), {}, TypeError, r"chunks\[1\]"),
    ("a str instead of chunks", "text", {}, TypeError, "chunks"),
    ("size=True", [b"x"], {"size": True}, TypeError, "size"),
    ("size=1.5", [b"x"], {"size": 1.5}, TypeError, "size"),
    ("size='2'", [b"x"], {"size": "2"}, TypeError, "size"),
    ("size=-1", [b"x"], {"size": -1}, ValueError, "size"),
]


@pytest.mark.parametrize(
    ("source", "kwargs", "error", "names"),
    [case[1:] for case in BAD_PUT_ITER],
    ids=[case[0] for case in BAD_PUT_ITER],
)
def test_put_iter_refuses_bad_input_before_sending(
    hooked: tuple[Any, Hook], source: Any, kwargs: dict[str, Any], error: type, names: str
) -> None:
    bucket, hook = hooked
    if callable(source):
        source = source()  # a fresh generator for each cluster
    with pytest.raises(error, match=names):
        bucket.object("o").get_writer().put_iter(source, **kwargs)
    assert hook.requests == []


BAD_HEADERS: list[tuple[str, dict[str, Any], str]] = [
    (
        "metadata with CR/LF",
        {"custom_metadata": {"k": "a\r\nX-Evil: 1"}},
        r"custom_metadata\['k'\]",
    ),
    ("metadata with LF", {"custom_metadata": {"k": "line\nbreak"}}, r"custom_metadata\['k'\]"),
    ("metadata not Latin-1", {"custom_metadata": {"k": "日本"}}, r"custom_metadata\['k'\]"),
    ("metadata key with NUL", {"custom_metadata": {"k\x00": "v"}}, "custom_metadata key"),
    (
        "checksum value with LF",
        {"checksum_type": "md5", "checksum_value": "ab\ncd"},
        "checksum_value",
    ),
    (
        "checksum type not Latin-1",
        {"checksum_type": "мд5", "checksum_value": "ab"},
        "checksum_type",
    ),
]


@pytest.mark.parametrize(
    ("kwargs", "names"), [case[1:] for case in BAD_HEADERS], ids=[case[0] for case in BAD_HEADERS]
)
@pytest.mark.parametrize("how", ["put_content", "put_iter"])
def test_header_values_http_cannot_carry_are_refused_before_sending(
    hooked: tuple[Any, Hook], kwargs: dict[str, Any], names: str, how: str
) -> None:
    bucket, hook = hooked
    writer = bucket.object("o").get_writer()
    with pytest.raises(ValueError, match=names):
        if how == "put_content":
            writer.put_content(b"x", **kwargs)
        else:
            writer.put_iter([b"x"], **kwargs)
    assert hook.requests == []


def test_accepted_input_is_stored_as_given(hooked: tuple[Any, Hook]) -> None:
    bucket, _ = hooked
    meta = {"k": "Größe = 3, ok; é"}
    source = chunks(b"ab", bytearray(b"cd"), memoryview(b"ef"))
    bucket.object("o").get_writer().put_iter(source, size=6, custom_metadata=meta)
    reader = bucket.object("o").get_reader()
    assert reader.read_all() == b"abcdef"
    assert reader.head().custom_metadata == meta
