"""``Object``: a handle to one object. Factories are offline; each other method is one call."""

from __future__ import annotations

from typing import TYPE_CHECKING, BinaryIO

from aisclient.content_stream import parse_byte_range
from aisclient.direct import DirectRoute
from aisclient.errors import APIRequestError
from aisclient.etl_config import etl_pairs
from aisclient.models.object import ObjectProps
from aisclient.obj_reader import ObjectReader
from aisclient.obj_writer import ObjectWriter
from aisclient.ops import object as obj_ops
from aisclient.ops._common import object_url
from aisclient.provider import BucketRef, Namespace, Provider
from aisclient.request import Pairs
from aisclient.validators import is_int

if TYPE_CHECKING:
    from aisclient.archive_config import ArchiveConfig, BlobDownloadConfig
    from aisclient.etl_config import ETLConfig
    from aisclient.multipart import MultipartUpload
    from aisclient.session import Session
    from aisclient.transport.base import Response


class Object:
    """One object in a bucket: ``Object(client, bucket_ref, name, props=None)``.

    Usually made by ``bucket.object(name)``. Creating it sends nothing.
    """

    __slots__ = ("_bucket", "_client", "_name", "_props")

    def __init__(
        self,
        client: Session,
        bck_details: BucketRef,
        name: str,
        props: ObjectProps | None = None,
    ) -> None:
        if not isinstance(name, str):
            raise TypeError(f"object name must be a str, not {type(name).__name__}")
        self._client = client
        self._bucket = bck_details
        self._name = name
        self._props = props

    def __repr__(self) -> str:
        return f"Object({self._bucket}/{self._name})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Object):
            return NotImplemented
        return self._bucket == other._bucket and self._name == other._name

    def __hash__(self) -> int:
        return hash((self._bucket, self._name))

    # -- identity ----------------------------------------------------------------------------

    @property
    def client(self) -> Session:
        return self._client

    @property
    def name(self) -> str:
        return self._name

    @property
    def bucket_ref(self) -> BucketRef:
        return self._bucket

    @property
    def bucket_name(self) -> str:
        return self._bucket.name

    @property
    def bucket_provider(self) -> Provider:
        return self._bucket.provider

    @property
    def bucket_namespace(self) -> Namespace | None:
        return self._bucket.namespace

    @property
    def query_params(self) -> dict[str, str]:
        return dict(self._bucket.query)

    @property
    def uname(self) -> str:
        """``provider/@uuid#ns/bucket/object``, as AIS names objects in ``object_to``."""
        return self._bucket.uname + self._name

    def get_semantic_url(self) -> str:
        return f"{self._bucket.provider.value}://{self._bucket.name}/{self._name}"

    def get_url(self, archpath: str = "", etl: ETLConfig | None = None) -> str:
        """The full GET URL (with provider, and ``archpath``/ETL parameters when given).

        ETL parameters are encoded as a GET sends them (dict args as JSON), not as the SDK's
        ``get_url`` does (a Python repr).
        """
        query: Pairs = (("archpath", archpath),) if archpath else ()
        query += etl_pairs(etl)
        return object_url(self._client.endpoint, self._bucket, self._name, query)

    # -- properties --------------------------------------------------------------------------

    def head(self, props: str = "") -> ObjectProps:
        """HEAD the object (``props`` empty → ``name,size``) and refresh the cached props.

        A missing object raises ``ErrObjNotFound`` (or ``ErrBckNotFound``), decoded from the
        server's ``Hdr-Error`` header.
        """
        request = obj_ops.head_object(self._bucket, self._name, props)
        response = self._client.send(request)
        self._props = ObjectProps(
            response.headers,
            name=self._name,
            bucket_name=self._bucket.name,
            bucket_provider=self._bucket.provider.value,
        )
        return self._props

    @property
    def props(self) -> ObjectProps:
        """Always a fresh HEAD (checksum, atime, version, copies, custom, location)."""
        return self.head(obj_ops.PROPS_FULL)

    @property
    def props_cached(self) -> ObjectProps | None:
        return self._props

    def exists(self) -> bool:
        """True if a HEAD finds the object; False on 404."""
        try:
            self._client.send(obj_ops.head_object(self._bucket, self._name))
        except APIRequestError as err:
            if err.status_code == 404:
                return False
            raise
        return True

    # -- reading -----------------------------------------------------------------------------

    def get_reader(
        self,
        archive_config: ArchiveConfig | None = None,
        blob_download_config: BlobDownloadConfig | None = None,
        chunk_size: int | None = None,
        etl: ETLConfig | None = None,
        writer: BinaryIO | None = None,
        latest: bool = False,
        byte_range: str | None = None,
        direct: bool = False,
        num_workers: int | None = None,
    ) -> ObjectReader:
        """A lazy reader: nothing is sent until it is read (unless ``writer`` is given, in
        which case the whole object is streamed into it before returning).

        ``byte_range`` is one RFC 7233 range (``"bytes=0-499"``, ``"bytes=500-"``,
        ``"bytes=-500"``). ``num_workers`` (≥ 2) reads byte ranges in parallel threads.
        ``direct=True`` sends the GET (and any HEAD) straight to the target that owns the
        object, found from the client's cached cluster map (fetched here on first use;
        ``NoTargetError`` if no target is usable). Needs a cluster without AuthN and request
        signing: when a target refuses, the read (and every later one of this client) goes
        through the proxy.
        """
        if byte_range is not None:
            if blob_download_config is not None:
                raise ValueError("byte_range cannot be combined with blob_download_config")
            if archive_config is not None:
                raise ValueError("byte_range cannot be combined with archive_config")
            parse_byte_range(byte_range)
        if num_workers is not None:
            if not is_int(num_workers):
                raise TypeError(
                    f"num_workers must be an int or None, not {type(num_workers).__name__}"
                )
            if num_workers < 2:
                raise ValueError(f"num_workers must be at least 2, got {num_workers}")
            if byte_range is not None or blob_download_config is not None or etl is not None:
                raise ValueError(
                    "num_workers cannot be combined with byte_range, blob_download_config or etl"
                )
        request = obj_ops.get_object(
            self._bucket,
            self._name,
            byte_range=byte_range,
            latest=latest,
            archive=archive_config,
            etl=etl,
            blob=blob_download_config,
        )
        reader = ObjectReader(
            self._client,
            self._bucket,
            self._name,
            request,
            chunk_size=chunk_size,
            offset_ok=archive_config is None and etl is None,
            num_workers=num_workers,
            send=DirectRoute(self._client, self.uname).send if direct else None,
        )
        if writer is not None:
            reader.write_to(writer)
        return reader

    # -- writing -----------------------------------------------------------------------------

    def get_writer(self) -> ObjectWriter:
        return ObjectWriter(self._client, self._bucket, self._name)

    def multipart_upload(self) -> MultipartUpload:
        from aisclient.multipart import MultipartUpload

        return MultipartUpload(self._client, self._bucket, self._name)

    def delete(self) -> Response:
        return self._client.send(obj_ops.delete_object(self._bucket, self._name))

    def copy(
        self,
        to_obj: Object,
        etl: ETLConfig | None = None,
        latest: bool = False,
        sync: bool = False,
    ) -> Response:
        """Server-side copy to ``to_obj`` (any bucket), optionally through an ETL.

        ``to_obj`` is an :class:`Object` (e.g. ``client.bucket("dst").object("name")``).
        """
        if not isinstance(to_obj, Object):
            raise TypeError(
                f"to_obj must be an Object (e.g. bucket.object(name)), not {type(to_obj).__name__}"
            )
        obj_ops.check_write_name(to_obj.name)
        request = obj_ops.copy_object(
            self._bucket, self._name, to_obj.uname, latest=latest, sync=sync, etl=etl
        )
        return self._client.send(request)

    def rename(self, to_obj_name: str) -> Response:
        """Rename within the bucket (not for remote or EC buckets); this handle follows."""
        response = self._client.send(obj_ops.rename_object(self._bucket, self._name, to_obj_name))
        self._name = to_obj_name
        self._props = None
        return response

    def promote(
        self,
        path: str,
        target_id: str = "",
        recursive: bool = False,
        overwrite_dest: bool = False,
        delete_source: bool = False,
        src_not_file_share: bool = False,
    ) -> str:
        """Turn files on the targets' filesystems into objects; job ID ("" if synchronous)."""
        request = obj_ops.promote(
            self._bucket,
            path,
            self._name,
            target_id=target_id,
            recursive=recursive,
            overwrite_dest=overwrite_dest,
            delete_source=delete_source,
            src_not_file_share=src_not_file_share,
        )
        return self._client.send(request).text

    # -- remote objects ----------------------------------------------------------------------

    def evict(self) -> Response:
        """Drop the in-cluster copy of this remote object (the remote one stays)."""
        self._bucket.require_remote("evict")
        return self._client.send(obj_ops.evict_object(self._bucket, self._name))

    def prefetch(
        self,
        latest: bool = False,
        blob_threshold: int | None = None,
        num_workers: int | None = None,
        continue_on_error: bool = False,
    ) -> str:
        """Fetch this remote object into the cluster; returns the job ID."""
        self._bucket.require_remote("prefetch")
        request = obj_ops.prefetch_objects(
            self._bucket,
            [self._name],
            latest=latest,
            continue_on_error=continue_on_error,
            blob_threshold=blob_threshold,
            num_workers=num_workers,
        )
        return self._client.send_job_id(request)

    def blob_download(
        self,
        chunk_size: int | None = None,
        num_workers: int | None = None,
        latest: bool = False,
    ) -> str:
        """Start a blob-download job for this (large, remote) object; returns the job ID."""
        self._bucket.require_remote("blob_download")
        request = obj_ops.blob_download(
            self._bucket,
            self._name,
            chunk_size=chunk_size,
            num_workers=num_workers,
            latest=latest,
        )
        return self._client.send_job_id(request)
