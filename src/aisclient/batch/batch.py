"""``Batch``: Get-Batch (MOSS), many objects (or files inside shards) in one archive stream.

Build the entry list (``Batch(client, objects, bucket, ...)``, ``add(...)``), then ``get()``:
the request is sent at once and the results come back lazily, one archive member at a time,
as ``(MossOut, bytes)`` pairs in request order.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Generator, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

import attrs

from aisclient.batch.archive_stream import StreamFile, iter_members
from aisclient.batch.errors import BatchArchiveError, BatchEntryError, IncompleteBatchError
from aisclient.batch.multipart import MultipartReader, Part, parse_boundary
from aisclient.enums import Colocation
from aisclient.errors import MultipartDecodeError
from aisclient.models.batch import (
    EXT_TAR,
    EXT_ZIP,
    MISSING_ENTRY_ERROR,
    MossIn,
    MossOut,
    MossReq,
    MossResp,
    decode_moss_resp,
    decode_opaque,
)
from aisclient.ops import batch as ops
from aisclient.provider import BucketRef, Provider, as_bucket_ref
from aisclient.transport.base import redact_url
from aisclient.validators import is_int

if TYPE_CHECKING:
    from aisclient.session import Session
    from aisclient.transport.base import Response

BatchResult = Generator[tuple[MossOut, bytes], None, None]
_FILE_CHUNK = 1 << 20
_TAIL_LIMIT = 64 * 1024


def object_parts(value: Any) -> tuple[str, BucketRef] | None:
    """``(name, bucket)`` of an ``Object`` (anything with a name and a bucket), else ``None``.

    Accepts the facade's ``bucket_ref``, a ``bucket`` attribute (Bucket or BucketRef), or the
    SDK-style ``bucket_name``/``bucket_provider``/``bucket_namespace`` trio.
    """
    if isinstance(value, str):
        return None
    name = getattr(value, "name", None)
    if not isinstance(name, str):
        return None
    ref = getattr(value, "bucket_ref", None)
    if isinstance(ref, BucketRef):
        return name, ref
    bucket = getattr(value, "bucket", None)
    if bucket is not None:
        return name, as_bucket_ref(bucket)
    bucket_name = getattr(value, "bucket_name", None)
    if isinstance(bucket_name, str):
        provider = getattr(value, "bucket_provider", None) or Provider.AIS
        return name, BucketRef(bucket_name, provider, getattr(value, "bucket_namespace", None))
    return None


class Batch:
    """A Get-Batch request being built, and the way to send it.

    ``objects`` may be a name, a list of names (both need ``bucket``), an ``Object``, or a list
    of ``Object`` s. ``output_format`` is one of ``.tar``, ``.tgz``, ``.tar.gz``, ``.zip``.
    """

    def __init__(
        self,
        client: Session,
        objects: Any = None,
        bucket: Any = None,
        output_format: str = EXT_TAR,
        cont_on_err: bool = True,
        only_obj_name: bool = False,
        streaming_get: bool = True,
        colocation: Colocation | int = Colocation.NONE,
    ) -> None:
        self.client = client
        self.bucket = bucket
        self._bucket_ref = as_bucket_ref(bucket) if bucket is not None else None
        self.request: MossReq = ops.new_request(
            output_format=output_format,
            cont_on_err=cont_on_err,
            only_obj_name=only_obj_name,
            streaming_get=streaming_get,
            colocation=colocation,
        )
        if objects is None:
            return
        items: Sequence[Any] = objects if isinstance(objects, list | tuple) else [objects]
        for item in items:
            if not isinstance(item, str) and object_parts(item) is None:
                raise ValueError(
                    f"objects must be names or Objects (or a list of them), "
                    f"got {type(item).__name__}"
                )
            self.add(item)

    # -- building ------------------------------------------------------------------------

    @property
    def request_client(self) -> Session:
        return self.client

    @property
    def output_format(self) -> str:
        return self.request.output_format

    @property
    def requests_list(self) -> list[MossIn]:
        """The entries queued so far, in order."""
        return list(self.request.moss_in)

    def add(
        self,
        obj: Any,
        opaque: bytes | None = None,
        archpath: str | None = None,
        start: int | None = None,
        length: int | None = None,
        bck: str | None = None,
        provider: Provider | str | None = None,
    ) -> Batch:
        """Queue one entry: an ``Object``, or a name in ``bck``/``provider`` or the default bucket.

        ``archpath`` picks a file inside a shard; ``start``/``length`` a byte range
        (``length=-1``: to the end); ``opaque`` bytes come back with the result.
        """
        if (bck is None) != (provider is None):
            raise ValueError("bck and provider must be given together")
        parts = object_parts(obj)
        if parts is not None:
            if bck is not None:
                raise ValueError(
                    "bck/provider can only be given with an object name, not an Object"
                )
            name, ref = parts
        elif isinstance(obj, str):
            name = obj
            if bck is not None and provider is not None:
                ref = BucketRef(bck, provider)
            elif self._bucket_ref is not None:
                ref = self._bucket_ref
            else:
                raise ValueError(
                    f"object name {obj!r} needs a bucket: pass bucket= to the Batch or bck= and "
                    "provider= to add()"
                )
        else:
            raise ValueError(f"expected an Object or an object name, got {type(obj).__name__}")
        entry = ops.make_entry(
            name, ref, opaque=opaque, archpath=archpath, start=start, length=length
        )
        self.request = self.request.add(entry)
        return self

    def clear(self) -> Batch:
        self.request = self.request.cleared()
        return self

    def __len__(self) -> int:
        return len(self.request.moss_in)

    def __repr__(self) -> str:
        return f"Batch(objects={len(self)}, format={self.request.output_format})"

    # -- sending ---------------------------------------------------------------------------

    def _send(self, clear_batch: bool) -> tuple[Response, MossReq]:
        # A snapshot: MossReq is mutable, and with clear_batch=False an add() made before the
        # lazy results are read would otherwise shift the pairing of members and entries.
        req = attrs.evolve(self.request, moss_in=list(self.request.moss_in))
        response = self.client.send(ops.get_batch(req, self._bucket_ref))
        if clear_batch:  # only once sent: a failed call keeps the entries for a retry
            self.clear()
        return response, req

    @overload
    def get(
        self,
        raw: Literal[False] = False,
        decode_as_stream: bool = False,
        clear_batch: bool = True,
        *,
        tar_buffer_size: int | None = None,
    ) -> BatchResult: ...

    @overload
    def get(
        self,
        raw: Literal[True],
        decode_as_stream: bool = False,
        clear_batch: bool = True,
        *,
        tar_buffer_size: int | None = None,
    ) -> Response: ...

    def get(
        self,
        raw: bool = False,
        decode_as_stream: bool = False,
        clear_batch: bool = True,
        *,
        tar_buffer_size: int | None = None,
    ) -> BatchResult | Response:
        """Send the request now; return a lazy generator of ``(MossOut, bytes)`` in request order.

        ``raw=True`` returns the undecoded response instead (close it when done). Decoding is
        always incremental with a bounded buffer, so ``decode_as_stream`` is accepted for
        compatibility only. Missing entries (with ``cont_on_err``) come back with
        ``err_msg`` set and empty content; an archive that ends early raises
        :class:`IncompleteBatchError`.
        """
        if tar_buffer_size is not None:
            if not is_int(tar_buffer_size):
                raise ValueError("tar_buffer_size must be a positive int")
            if tar_buffer_size <= 0:
                raise ValueError("tar_buffer_size must be a positive int")
            if raw:
                raise ValueError("tar_buffer_size cannot be used with raw=True")
            if self.request.output_format == EXT_ZIP:
                raise ValueError("tar_buffer_size applies to tar formats, not .zip")
        del decode_as_stream  # both modes stream; see the docstring
        response, req = self._send(clear_batch)
        if raw:
            return response
        return _results(response, req, tar_buffer_size)

    def get_to_file(
        self, path: str | os.PathLike[str], clear_batch: bool = True
    ) -> MossResp | None:
        """Send the request and write the archive to ``path`` in chunks (never all in memory).

        Returns the server's per-entry metadata in multipart mode (``streaming_get=False``)
        and ``None`` in streaming mode. The file appears only when the download completed.
        Without ``cont_on_err`` a failed entry in the multipart metadata raises
        :class:`BatchEntryError`; in streaming mode a failed entry only shortens the archive
        or leaves an empty ``__404__/`` member in it, which this method does not parse.
        """
        response, req = self._send(clear_batch)
        target = os.fspath(path)
        partial = f"{target}.part"
        try:
            with response, open(partial, "wb") as handle:
                if req.streaming_get:
                    meta = None
                    for chunk in response.iter_bytes(_FILE_CHUNK):
                        handle.write(chunk)
                else:
                    meta, archive = _open_multipart(response)
                    _check_entries(meta, req)
                    while chunk := archive.read(_FILE_CHUNK):
                        handle.write(chunk)
            os.replace(partial, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.remove(partial)
            raise
        return meta


# -- decoding ------------------------------------------------------------------------------


def _results(response: Response, req: MossReq, tar_buffer_size: int | None) -> BatchResult:
    with response:
        if req.streaming_get:
            source = StreamFile(response.read)
            members = iter_members(source, req.output_format, tar_buffer_size=tar_buffer_size)
            yield from _pair_streaming(members, req)
        else:
            meta, archive = _open_multipart(response)
            source = StreamFile(archive.read)
            members = iter_members(source, req.output_format, tar_buffer_size=tar_buffer_size)
            yield from _pair_multipart(members, req, meta)
        source.drain()
        # Read the few bytes left (closing boundary, archive padding) so the connection can
        # go back to the pool instead of being dropped.
        StreamFile(response.read).drain(_TAIL_LIMIT)


def _open_multipart(response: Response) -> tuple[MossResp, Part]:
    boundary = parse_boundary(response.headers.get("content-type"))
    reader = MultipartReader(response.read, boundary)
    first = reader.next_part()
    if first is None:
        raise MultipartDecodeError("the multipart response has no metadata part")
    try:
        meta = decode_moss_resp(json.loads(first.read().decode("utf-8")))
    except (ValueError, RecursionError) as err:  # UnicodeDecodeError is a ValueError
        what = "nested too deeply" if isinstance(err, RecursionError) else str(err)
        raise MultipartDecodeError(
            f"invalid Get-Batch metadata part: {what}", req_url=redact_url(response.url)
        ) from None
    second = reader.next_part()
    if second is None:
        raise MultipartDecodeError("the multipart response has no archive part")
    return meta, second


def _pair_streaming(members: Iterator[tuple[str, bytes]], req: MossReq) -> BatchResult:
    entries = req.moss_in
    count = 0
    for name, content in members:
        if count >= len(entries):
            raise BatchArchiveError(
                f"missing batch metadata for archive member {name!r}: the archive has more "
                f"members than the {len(entries)} requested"
            )
        entry = entries[count]
        _check_member(name, count, entry, req.only_obj_name)
        failed = not content and name in ops.missing_member_names(entry, req.only_obj_name)
        if failed and not req.cont_on_err:
            raise _entry_error(count, entry, None)
        out = MossOut(
            obj_name=entry.obj_name,
            archpath=entry.archpath or "",
            bucket=entry.bck or "",
            provider=entry.provider or "",
            opaque=decode_opaque(entry.opaque),
            err_msg=MISSING_ENTRY_ERROR if failed else None,
            size=len(content),
        )
        count += 1
        yield out, content
    _check_complete(count, entries, req.cont_on_err)


def _pair_multipart(
    members: Iterator[tuple[str, bytes]], req: MossReq, meta: MossResp
) -> BatchResult:
    count = 0
    for name, content in members:
        if count >= len(meta.out):
            raise BatchArchiveError(
                f"missing batch metadata for archive member {name!r} (index {count}, "
                f"metadata has {len(meta.out)} entries)"
            )
        out = meta.out[count]
        if count < len(req.moss_in):
            entry = req.moss_in[count]
            _check_member(name, count, entry, req.only_obj_name)
            failed = out.err_msg or name in ops.missing_member_names(entry, req.only_obj_name)
            if failed and not req.cont_on_err:
                raise _entry_error(count, entry, out.err_msg)
        count += 1
        yield out, content
    _check_complete(count, req.moss_in, req.cont_on_err)


def _check_entries(meta: MossResp, req: MossReq) -> None:
    """Without ``cont_on_err``, a failed entry in the metadata fails the whole answer."""
    if req.cont_on_err:
        return
    for index, (out, entry) in enumerate(zip(meta.out, req.moss_in, strict=False)):
        if out.err_msg:
            raise _entry_error(index, entry, out.err_msg)


def _check_member(name: str, index: int, entry: MossIn, only_obj_name: bool) -> None:
    """Members are paired with requested entries by position; a member whose name is not the
    entry's (``bucket/object[/archpath]``, or the server's name for a missing one) means the
    answer does not match the request, and pairing on would hand out wrong content."""
    expected = ops.member_name(entry, only_obj_name)
    if name == expected or name in ops.missing_member_names(entry, only_obj_name):
        return
    if entry.archpath and name == ops.member_name(entry, only_obj_name).rpartition("/")[0] + (
        "/" + entry.archpath
    ):
        return  # an archpath with a leading "/" kept as given
    raise BatchArchiveError(
        f"Get-Batch archive member {index} is {name!r}, but entry {index} asked for "
        f"{expected!r}: the answer does not match the request"
    )


def _where(entry: MossIn) -> str:
    where = f"{entry.provider or 'ais'}://{entry.bck}/{entry.obj_name}"
    if entry.archpath:
        where += f" (archpath {entry.archpath!r})"
    return where


def _entry_error(index: int, entry: MossIn, reason: str | None) -> BatchEntryError:
    """A failed entry of a request without ``cont_on_err``: the server sent a placeholder for
    it (as aisnode on several targets does) where it should have failed the request."""
    where = _where(entry)
    because = f": {reason}" if reason else " (an empty placeholder in its place)"
    return BatchEntryError(
        f"Get-Batch entry {index} ({where}) failed on the server{because}; pass "
        "cont_on_err=True to receive failed entries as results with err_msg set",
        index=index,
        entry=where,
        reason=reason or MISSING_ENTRY_ERROR,
    )


def _check_complete(count: int, entries: Sequence[MossIn], cont_on_err: bool) -> None:
    if count >= len(entries):
        return
    entry = entries[count]
    where = _where(entry)
    hint = (
        "the server stops the archive at the first entry it cannot read; pass "
        "cont_on_err=True to get the other entries, or streaming_get=False for the reason"
        if not cont_on_err
        else "the entry could not be served (e.g. its byte range is out of bounds)"
    )
    raise IncompleteBatchError(
        f"Get-Batch archive ended after {count} of {len(entries)} entries; entry {count} "
        f"({where}) did not arrive: {hint}",
        index=count,
        expected=len(entries),
        entry=where,
    )
