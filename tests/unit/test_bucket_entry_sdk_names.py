"""``BucketEntry``/``BucketList`` take the SDK's wire-name keywords as well as readable names."""

from __future__ import annotations

import pytest

from aisclient.models.bucket import (
    ENTRY_IS_CACHED,
    BucketEntry,
    BucketList,
    decode_bucket_list,
    decode_entry,
)


def test_entry_from_wire_names_matches_readable_names() -> None:
    wire = BucketEntry(n="a/b.txt", cs="abc", a="atime", v="3", t="loc", s=12, c=2, f=64)
    readable = BucketEntry("a/b.txt", 12, "abc", "atime", "3", "loc", 2, 64)
    assert wire == readable
    assert (wire.name, wire.size, wire.checksum, wire.atime) == ("a/b.txt", 12, "abc", "atime")
    assert (wire.version, wire.location, wire.copies, wire.flags) == ("3", "loc", 2, 64)
    assert (wire.n, wire.s, wire.cs, wire.a, wire.v, wire.t, wire.c, wire.f) == (
        "a/b.txt", 12, "abc", "atime", "3", "loc", 2, 64,
    )  # fmt: skip
    assert wire.is_cached() and ENTRY_IS_CACHED == 64


def test_entry_wire_defaults_and_object_keyword() -> None:
    entry = BucketEntry(n="x")
    assert (entry.name, entry.size, entry.checksum, entry.flags) == ("x", 0, "", 0)
    assert entry.object is None
    handle = object()
    with_obj = BucketEntry(n="x", object=handle)  # type: ignore[arg-type]
    assert with_obj.object is handle


def test_entry_wire_attributes_are_writable_like_sdk_fields() -> None:
    entry = BucketEntry(n="x")
    entry.s = 5
    entry.n = "y"
    assert (entry.name, entry.size) == ("y", 5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "needs the object name"),
        ({"cs": "abc"}, "needs the object name"),
        ({"name": "a", "n": "b"}, "both name= and n="),
        ({"name": "a", "size": 3, "s": 4}, "both size= and s="),
        ({"n": "a", "bogus": 1}, "unexpected keyword argument 'bogus'"),
    ],
)
def test_entry_bad_keywords_are_type_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        BucketEntry(**kwargs)  # type: ignore[call-overload]


def test_list_from_wire_names() -> None:
    entries = [BucketEntry(n="a")]
    page = BucketList(UUID="u1", ContinuationToken="tok", Flags=3, Entries=entries)
    assert (page.uuid, page.continuation_token, page.flags) == ("u1", "tok", 3)
    assert page.entries is entries and page.Entries is entries
    assert (page.UUID, page.ContinuationToken, page.Flags) == ("u1", "tok", 3)
    readable = BucketList("u1", "tok", 3, entries)
    assert (readable.uuid, readable.continuation_token, readable.flags) == ("u1", "tok", 3)
    assert BucketList().entries == [] and BucketList(Entries=None).entries == []
    with pytest.raises(TypeError, match="both uuid= and UUID="):
        BucketList("a", UUID="b")


def test_decoders_give_the_same_entries_for_both_key_sets() -> None:
    json_doc = {"name": "o", "size": "7", "checksum": "c", "version": "1", "copies": 1, "flags": 64}
    short_doc = {"n": "o", "s": 7, "cs": "c", "v": "1", "c": "1", "f": 64}
    assert (
        decode_entry(json_doc)
        == decode_entry(short_doc)
        == BucketEntry(n="o", s=7, cs="c", v="1", c=1, f=64)
    )
    assert decode_entry({"name": None, "size": None}) == BucketEntry("")
    page = decode_bucket_list({"UUID": "u", "ContinuationToken": "", "Entries": [short_doc] * 3})
    assert page.uuid == "u" and len(page.entries) == 3
    assert all(entry == decode_entry(json_doc) for entry in page.entries)
