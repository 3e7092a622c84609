"""Get-Batch (MOSS) values: the request entries, the request, and the per-entry results.

Field names follow the official SDK (``obj_name``, ``bck``, ...); :func:`moss_in_wire` and
:func:`moss_req_wire` give the wire JSON, and :func:`decode_moss_resp` reads the server's
metadata part. Entries and results are frozen; :class:`MossReq` is mutable, as in the SDK
(``req.add(entry)`` appends in place and returns the same request).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from typing import Any

from attrs import define, field, frozen

from aisclient.models._lenient import lenient_int, lenient_str

#: The formats the SDK can decode (exact, lowercased, leading dot required).
EXT_TAR = ".tar"
EXT_TGZ = ".tgz"
EXT_TAR_GZ = ".tar.gz"
EXT_ZIP = ".zip"
EXT_TARLZ4 = ".tar.lz4"
SUPPORTED_FORMATS = (EXT_TAR, EXT_TGZ, EXT_TAR_GZ, EXT_ZIP)

#: The ``err_msg`` given to an entry that the archive marks as missing (streaming mode has
#: no metadata, so the server's reason is unknown).
MISSING_ENTRY_ERROR = "Batch entry failed on the server"
#: Prefix the server puts on the archive names of entries it could not read (``coer``).
MISSING_PREFIX = "__404__/"


def _entries(items: Iterable[MossIn]) -> list[MossIn]:
    entries = list(items)
    for entry in entries:
        _check_entry(entry)
    return entries


def _check_entry(entry: object) -> None:
    if not isinstance(entry, MossIn):
        raise TypeError(f"a Get-Batch request holds MossIn entries, not {type(entry).__name__}")


@frozen
class MossIn:
    """One requested entry: an object (or a file inside a shard), optionally a byte range.

    ``opaque`` is the base64 text sent on the wire (see :func:`encode_opaque`); ``start`` and
    ``length`` are ``None`` for "whole object" and are sent only when non-zero.
    """

    obj_name: str
    bck: str | None = None
    provider: str | None = None
    uname: str | None = None
    opaque: str | None = None
    archpath: str | None = None
    start: int | None = None
    length: int | None = None


@define
class MossReq:
    """The whole Get-Batch request. ``colocation`` is ``None`` for "no hint" (level 0).

    Mutable like the SDK's model: :meth:`add` and :meth:`extend` append in place and return
    ``self``, so ``batch.request.add(MossIn(...))`` queues the entry.
    """

    moss_in: list[MossIn] = field(factory=list, converter=_entries)
    output_format: str = EXT_TAR
    cont_on_err: bool = True
    only_obj_name: bool = False
    streaming_get: bool = True
    colocation: int | None = None

    def add(self, moss_in: MossIn) -> MossReq:
        """Append ``moss_in`` to this request; returns ``self`` (for chaining)."""
        _check_entry(moss_in)
        self.moss_in.append(moss_in)
        return self

    def extend(self, moss_ins: Iterable[MossIn]) -> MossReq:
        """Append all of ``moss_ins``, in order; returns ``self``. Nothing is added if any
        item is not a :class:`MossIn`."""
        self.moss_in.extend(_entries(moss_ins))
        return self

    def cleared(self) -> MossReq:
        """A NEW request with the same options and no entries; ``self`` is left intact.

        ``Batch`` relies on this: it clears after sending while the lazy result reader still
        pairs archive members with the entries of the request that was sent.
        """
        return MossReq(
            output_format=self.output_format,
            cont_on_err=self.cont_on_err,
            only_obj_name=self.only_obj_name,
            streaming_get=self.streaming_get,
            colocation=self.colocation,
        )


@frozen
class MossOut:
    """The result of one entry. ``opaque`` is the caller's bytes, decoded back.

    ``err_msg`` is set (and the content empty) when the server could not read the entry
    and the batch was sent with ``cont_on_err``.
    """

    obj_name: str
    archpath: str | None = None
    bucket: str = ""
    provider: str = ""
    opaque: bytes | None = None
    err_msg: str | None = None
    size: int = 0

    @property
    def missing(self) -> bool:
        """True when the server reported this entry as failed (its content is empty)."""
        return bool(self.err_msg)


@frozen
class MossResp:
    """The metadata part of a multipart Get-Batch response: one ``MossOut`` per entry."""

    out: tuple[MossOut, ...] = ()
    uuid: str = ""


# -- wire encoding ------------------------------------------------------------------------


def encode_opaque(data: bytes) -> str:
    """User bytes as the server expects them: standard base64 (a Go ``[]byte``)."""
    return base64.b64encode(data).decode("ascii")


def decode_opaque(text: str | None) -> bytes | None:
    """Inverse of :func:`encode_opaque`; URL-safe text is accepted too; invalid gives ``None``."""
    if not text:
        return None
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:
        return None
    for altchars in (None, b"-_"):
        try:
            return base64.b64decode(raw, altchars=altchars, validate=True)
        except (binascii.Error, ValueError):
            continue
    return None


def moss_in_wire(entry: MossIn) -> dict[str, Any]:
    """One entry as JSON: ``objname`` always, other keys only when set (and non-zero)."""
    doc: dict[str, Any] = {"objname": entry.obj_name}
    for key, value in (
        ("bucket", entry.bck),
        ("provider", entry.provider),
        ("uname", entry.uname),
        ("opaque", entry.opaque),
        ("archpath", entry.archpath),
        ("start", entry.start),
        ("length", entry.length),
    ):
        if value:
            doc[key] = value
    return doc


def moss_req_wire(req: MossReq) -> dict[str, Any]:
    """The request body: ``coer``, ``onob`` and ``strm`` always; ``coloc`` only when > 0."""
    doc: dict[str, Any] = {
        "in": [moss_in_wire(entry) for entry in req.moss_in],
        "mime": req.output_format,
        "coer": req.cont_on_err,
        "onob": req.only_obj_name,
        "strm": req.streaming_get,
    }
    if req.colocation:
        doc["coloc"] = int(req.colocation)
    return doc


def decode_moss_out(doc: Mapping[str, Any]) -> MossOut:
    """One ``out`` element of the server's metadata. Unknown keys are ignored."""
    archpath = doc.get("archpath")
    err = doc.get("err_msg")
    return MossOut(
        obj_name=lenient_str(doc.get("objname")),
        archpath=lenient_str(archpath) if archpath else None,
        bucket=lenient_str(doc.get("bucket")),
        provider=lenient_str(doc.get("provider")),
        opaque=decode_opaque(doc.get("opaque") if isinstance(doc.get("opaque"), str) else None),
        err_msg=lenient_str(err) if err else None,
        size=lenient_int(doc.get("size")),
    )


def decode_moss_resp(doc: Any) -> MossResp:
    """The metadata JSON (``{"uuid": ..., "out": [...]}``) as a :class:`MossResp`."""
    if not isinstance(doc, Mapping):
        raise ValueError(f"Get-Batch metadata must be a JSON object, got {type(doc).__name__}")
    out = doc.get("out") or []
    if not isinstance(out, list):
        raise ValueError("Get-Batch metadata 'out' must be a list")
    return MossResp(
        out=tuple(decode_moss_out(item if isinstance(item, Mapping) else {}) for item in out),
        uuid=lenient_str(doc.get("uuid")),
    )
