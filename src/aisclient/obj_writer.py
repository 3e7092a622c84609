"""Writing an object: whole-object PUT from bytes, a file or an iterator; append; metadata."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, cast

from aisclient.obj_file import ObjectFileWriter
from aisclient.ops import object as obj_ops
from aisclient.request import Body, BytesBody, FileBody, IterBody
from aisclient.validators import check_int

if TYPE_CHECKING:
    from aisclient.provider import BucketRef
    from aisclient.session import Session
    from aisclient.transport.base import Response

Pairs = tuple[tuple[str, str], ...]


class ObjectWriter:
    """Writes one object. Every method sends exactly what it names, nothing is buffered.

    ``put_content``/``put_file``/``put_iter`` accept, keyword-only: ``checksum_type`` and
    ``checksum_value`` (the server verifies them; a PUT whose checksum equals the stored
    object's is a no-op), ``custom_metadata`` (``Ais-Custom-Md`` headers) and ``skip_vc``.
    """

    def __init__(
        self,
        client: Session,
        bucket: BucketRef,
        name: str,
        extra_query: Pairs = (),
        *,
        on_success: Callable[[], None] | None = None,
    ) -> None:
        self._client = client
        self._bucket = bucket
        self._name = name
        self._extra_query = extra_query
        # Called after each successful whole-object PUT (a multipart upload records its part).
        self._on_success = on_success

    @property
    def query_params(self) -> dict[str, str]:
        return dict(self._bucket.query + self._extra_query)

    @property
    def name(self) -> str:
        return self._name

    def put_content(
        self,
        content: bytes,
        *,
        checksum_type: str = "",
        checksum_value: str = "",
        custom_metadata: Mapping[str, str] | None = None,
        skip_vc: bool = False,
    ) -> Response:
        """PUT ``content`` (bytes, bytearray or memoryview) as the whole object."""
        return self._put(
            BytesBody(obj_ops.content_bytes(content)),
            checksum_type,
            checksum_value,
            custom_metadata,
            skip_vc,
        )

    def put_file(
        self,
        path: str | os.PathLike[str],
        *,
        checksum_type: str = "",
        checksum_value: str = "",
        custom_metadata: Mapping[str, str] | None = None,
        skip_vc: bool = False,
    ) -> Response:
        """PUT a local file, streamed from disk (never read into memory; re-sent on retry)."""
        if not os.path.isfile(path):
            raise ValueError(f"path {os.fspath(path)!r} is not a file")
        return self._put(
            FileBody(os.fspath(path)), checksum_type, checksum_value, custom_metadata, skip_vc
        )

    def put_iter(
        self,
        chunks: Iterable[bytes],
        size: int | None = None,
        *,
        checksum_type: str = "",
        checksum_value: str = "",
        custom_metadata: Mapping[str, str] | None = None,
        skip_vc: bool = False,
    ) -> Response:
        """PUT the concatenated ``chunks``; sent once, never retried (the iterator is spent).

        With ``size`` the body has a ``Content-Length`` (and a ``ValueError`` stops the upload
        if the chunks add up to anything else); without it, the body is sent chunked.
        """
        if isinstance(chunks, bytes | bytearray | memoryview | str) or not isinstance(
            chunks, Iterable
        ):
            raise TypeError(
                "chunks must be an iterable of bytes chunks (use put_content for one bytes "
                f"value), not {type(chunks).__name__}"
            )
        if size is not None:
            check_int(size, "size")
        body = _checked_chunks(chunks)
        return self._put(
            IterBody(body if size is None else _exactly(body, size), size),
            checksum_type,
            checksum_value,
            custom_metadata,
            skip_vc,
        )

    def _put(
        self,
        body: Body,
        checksum_type: str,
        checksum_value: str,
        custom_metadata: Mapping[str, str] | None,
        skip_vc: bool,
    ) -> Response:
        request = obj_ops.put_object(
            self._bucket,
            self._name,
            body,
            checksum_type=checksum_type,
            checksum_value=checksum_value,
            custom_metadata=custom_metadata,
            skip_vc=skip_vc,
            extra_query=self._extra_query,
        )
        response = self._client.send(request)
        if self._on_success is not None:
            self._on_success()
        return response

    def append_content(
        self,
        content: bytes,
        handle: str = "",
        flush: bool = False,
        *,
        checksum_type: str = "",
        checksum_value: str = "",
    ) -> str:
        """Append ``content``; return the handle for the next call.

        With ``flush=True`` the object is finalized and becomes visible; ``""`` is returned.
        The server ignores the body of a flush, so content given with ``flush=True`` is first
        appended, then an empty flush is sent (unlike the official SDK, nothing is lost).
        """
        if flush and content:
            # The builders check content and handle; check what the flush needs before the
            # append that precedes it is sent.
            obj_ops.checksum_headers(checksum_type, checksum_value)
            handle = self._append(content, handle)
            content = b""
        if flush and not handle:
            raise ValueError("nothing to flush: pass the handle returned by the last append")
        request = obj_ops.append_object(
            self._bucket,
            self._name,
            content,
            handle,
            flush=flush,
            checksum_type=checksum_type,
            checksum_value=checksum_value,
        )
        response = self._client.send(request)
        if flush:
            return ""
        return str(response.headers.get("ais-append-handle", ""))

    def _append(self, content: bytes, handle: str) -> str:
        request = obj_ops.append_object(self._bucket, self._name, content, handle)
        return str(self._client.send(request).headers.get("ais-append-handle", ""))

    def set_custom_props(
        self, custom_metadata: Mapping[str, str], replace_existing: bool = False
    ) -> Response:
        """Add or update custom metadata keys; ``replace_existing`` drops all others."""
        request = obj_ops.set_custom_props(
            self._bucket, self._name, custom_metadata, replace_existing
        )
        return self._client.send(request)

    def as_file(self, mode: str = "a") -> ObjectFileWriter:
        """A file object writing through the append API (``"w"`` truncates first)."""
        return ObjectFileWriter(self, mode)


def _chunk(chunk: object, index: int) -> bytes:
    # bytearray and memoryview chunks are sent as they are (the transport takes any buffer).
    if isinstance(chunk, bytes | bytearray | memoryview):
        return cast(bytes, chunk)
    hint = "; encode text first" if isinstance(chunk, str) else ""
    raise TypeError(
        f"chunks[{index}] must be bytes, bytearray or memoryview, not {type(chunk).__name__}{hint}"
    )


def _checked_chunks(chunks: Iterable[object]) -> Iterable[bytes]:
    """The chunks, each checked to be bytes-like: all of them now when they are already in
    memory (a list or tuple), else the first now (before the request starts) and each later
    one as it is taken."""
    if isinstance(chunks, list | tuple):
        return [_chunk(chunk, index) for index, chunk in enumerate(chunks)]
    source = iter(chunks)
    try:
        first = _chunk(next(source), 0)
    except StopIteration:
        return []
    return _each_checked(first, source)


def _each_checked(first: bytes, rest: Iterator[object]) -> Iterator[bytes]:
    yield first
    for index, chunk in enumerate(rest, 1):
        yield _chunk(chunk, index)


def _exactly(chunks: Iterable[bytes], size: int) -> Iterator[bytes]:
    """Pass ``chunks`` through, failing fast if they do not add up to ``size`` bytes (else
    the server would wait for missing bytes until a timeout, or see a corrupt request)."""
    sent = 0
    for chunk in chunks:
        sent += len(chunk)
        if sent > size:
            raise ValueError(f"the chunks hold more than the declared size of {size} bytes")
        yield chunk
    if sent != size:
        raise ValueError(f"the chunks hold {sent} bytes, not the declared {size}")
