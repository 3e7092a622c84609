"""Tar members → samples, the way WebDataset groups them.

A member ``dir/name.seg.png`` belongs to sample ``dir/name`` under extension ``seg.png``: the
key is the path up to the first dot of the last path part, the extension the rest (lower
case). Consecutive members with the same key form one sample. Members without a dot in their
last path part (or with only a leading one) are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

Sample = tuple[str, dict[str, bytes]]


class ZeroDict(dict[str, bytes]):
    """A sample's ``{extension: bytes}``; extensions seen elsewhere but missing here are ``b""``
    (so the default ``collate_fn`` sees the same keys in every sample of a batch)."""


def split_member_name(name: str) -> tuple[str, str] | None:
    """``(key, extension)`` of a member name, or ``None`` when it has no extension."""
    slash = name.rfind("/") + 1
    dot = name.find(".", slash)
    if dot <= slash:  # no dot, or a leading one (".hidden")
        return None
    return name[:dot], name[dot + 1 :].lower()


def group_samples(members: Iterable[tuple[str, bytes]]) -> Iterator[Sample]:
    """Consecutive members with the same key, as ``(key, {extension: content})``.

    A repeated extension within one sample keeps the later member, as WebDataset does.
    """
    key: str | None = None
    fields: dict[str, bytes] = {}
    for name, content in members:
        parts = split_member_name(name)
        if parts is None:
            continue
        member_key, ext = parts
        if member_key != key:
            if key is not None:
                yield key, fields
            key, fields = member_key, {}
        fields[ext] = content
    if key is not None:
        yield key, fields


class ExtensionFiller:
    """Fills in the extensions seen so far (in this process) that a sample lacks, with ``b""``.

    Samples stream, so a sample cannot know extensions that first appear later; every sample
    does get every extension seen before it, across shards.
    """

    def __init__(self) -> None:
        self.seen: dict[str, None] = {}  # insertion-ordered set

    def fill(self, fields: dict[str, bytes]) -> ZeroDict:
        self.seen.update(dict.fromkeys(fields))
        out = ZeroDict(fields)
        for ext in self.seen:
            out.setdefault(ext, b"")
        return out
