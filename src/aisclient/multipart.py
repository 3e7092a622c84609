"""Native multipart upload: create, upload numbered parts, then complete (or abort)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from aisclient.obj_writer import ObjectWriter
from aisclient.ops import object as obj_ops
from aisclient.validators import is_int

if TYPE_CHECKING:
    from aisclient.provider import BucketRef
    from aisclient.session import Session
    from aisclient.transport.base import Response


class MultipartUpload:
    """Upload an object in parts (each lands on the object's target).

    ``upload_id`` is ``None`` until :meth:`create`. ``parts`` lists the numbers of the parts
    uploaded so far, once each: a part is recorded only when its upload succeeded, so a failed
    part can simply be uploaded again. :meth:`complete` sends them in that order.
    """

    def __init__(self, client: Session, bucket: BucketRef, name: str) -> None:
        self.client = client
        self._bucket = bucket
        self._name = name
        self.upload_id: str | None = None
        self.parts: list[int] = []

    @property
    def object_name(self) -> str:
        return self._name

    @property
    def params(self) -> dict[str, str]:
        return dict(self._bucket.query)

    def create(self) -> MultipartUpload:
        """Start the upload; the server's answer (plain text) is the upload ID."""
        response = self.client.send(obj_ops.mpt_create(self._bucket, self._name))
        upload_id = response.text.strip()
        if not upload_id:
            raise ValueError("the server returned an empty upload ID")
        self.upload_id = upload_id
        self.parts = []
        return self

    def _require_id(self) -> str:
        if self.upload_id is None:
            raise ValueError("call create() before adding, completing or aborting parts")
        return self.upload_id

    def add_part(self, part_number: int) -> ObjectWriter:
        """A writer that uploads part ``part_number`` (≥ 1); the part is recorded in
        :attr:`parts` when that upload succeeds (uploading it again replaces it)."""
        upload_id = self._require_id()
        if not is_int(part_number) or part_number < 1:
            raise ValueError(f"part_number must be a positive int, got {part_number!r}")
        query = obj_ops.mpt_part_query(upload_id, part_number)

        def uploaded() -> None:
            if part_number not in self.parts:
                self.parts.append(part_number)

        return ObjectWriter(self.client, self._bucket, self._name, query, on_success=uploaded)

    def upload_part(self, part_number: int, data: bytes | str | os.PathLike[str]) -> Response:
        """Shortcut: add part ``part_number`` and upload ``data`` (bytes, or a file path)."""
        writer = self.add_part(part_number)
        if isinstance(data, bytes | bytearray | memoryview):
            return writer.put_content(bytes(data))
        return writer.put_file(data)

    def complete(self) -> Response:
        """Finish the upload with every recorded part; the object becomes visible."""
        upload_id = self._require_id()
        if not self.parts:
            raise ValueError("no parts were added")
        return self.client.send(
            obj_ops.mpt_complete(self._bucket, self._name, upload_id, self.parts)
        )

    def abort(self) -> Response:
        """Cancel the upload and drop its parts."""
        upload_id = self._require_id()
        return self.client.send(obj_ops.mpt_abort(self._bucket, self._name, upload_id))
