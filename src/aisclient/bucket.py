"""``Bucket``: a handle to one bucket. Creating it validates the name once and sends nothing."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aisclient.enums import FLTPresence, ListObjectFlag
from aisclient.errors import (
    APIRequestError,
    ErrBckAlreadyExists,
    ErrBckNotFound,
    InvalidBckProvider,
    UnexpectedHTTPStatusCode,
    UnexpectedResponseError,
    WaitTimeoutError,
)
from aisclient.models.bucket import (
    BucketEntry,
    BucketList,
    BucketModel,
    BucketProps,
    NBIInfo,
    decode_bucket_list,
    decode_bucket_props,
    decode_inventories,
)
from aisclient.obj import Object
from aisclient.ops import bucket as bck_ops
from aisclient.ops.copy import CopyOptions, EtlStage
from aisclient.provider import BucketRef, Namespace, Provider, as_bucket_ref
from aisclient.session import decode_job_id
from aisclient.transport.base import Headers

if TYPE_CHECKING:
    from aisclient.clock import Clock
    from aisclient.dataset.config import DatasetConfig
    from aisclient.etl_config import ETLConfig
    from aisclient.models.object import ObjectProps
    from aisclient.multiobj import ObjectGroup
    from aisclient.session import Session
    from aisclient.transport.base import Response

log = logging.getLogger("aisclient.bucket")

HDR_BUCKET_PROPS = "ais-bucket-props"
HDR_BUCKET_SUMM = "ais-bucket-summ"
HDR_XACTION_ID = "ais-xaction-id"


class BucketHeaders(Headers):
    """The headers of a bucket HEAD (a case-insensitive mapping, as the SDK returns), plus
    ``props``: the ``Ais-Bucket-Props`` JSON decoded into :class:`BucketProps`."""

    @property
    def props(self) -> BucketProps:
        return decode_bucket_props(self.get(HDR_BUCKET_PROPS) or "{}")


class ObjectIterator:
    """Entries of a listing, one page fetched at a time, only when the previous is used up."""

    def __init__(self, list_objects: Callable[..., BucketList], what: str = "the bucket") -> None:
        self._fetch = list_objects
        self._what = what
        self._uuid = ""
        self._token = ""
        self._seen_tokens: set[str] = set()
        self._entries: Iterator[BucketEntry] = iter(())
        self._started = False
        self._done = False

    def __iter__(self) -> ObjectIterator:
        return self

    def __next__(self) -> BucketEntry:
        while True:
            entry = next(self._entries, None)
            if entry is not None:
                return entry
            if self._done:
                raise StopIteration
            page = self._fetch(uuid=self._uuid, token=self._token)
            self._started = True
            self._uuid, self._token = page.uuid, page.continuation_token
            if self._token in self._seen_tokens:
                # A token that comes back would page through the same entries forever.
                self._done = True
                raise UnexpectedResponseError(
                    f"the listing of {self._what} does not advance: the server returned the "
                    f"continuation token {self._token[:80]!r} again"
                )
            self._seen_tokens.add(self._token)
            self._entries = iter(page.entries)
            # Only an empty token ends a listing: pages may be short, or even empty.
            self._done = not self._token


class Bucket:
    """A bucket: ``Bucket(name, client, provider="ais", namespace=None)`` (the SDK's order).

    Usually made by ``client.bucket(name, provider, namespace)``; keywords work too:
    ``Bucket(name, provider="gcp", namespace=ns, client=client)``.
    """

    def __init__(
        self,
        name: str,
        client: Session | None = None,
        provider: Provider | str = Provider.AIS,
        namespace: Namespace | str | None = None,
    ) -> None:
        self._ref = BucketRef(name, provider, namespace)
        self._client = client
        self._clock: Clock | None = None

    # -- identity ----------------------------------------------------------------------------

    @property
    def client(self) -> Session:
        if self._client is None:
            raise ValueError(f"bucket {self._ref} has no client: make it with client.bucket()")
        return self._client

    @client.setter
    def client(self, client: Session) -> None:
        self._client = client

    @property
    def clock(self) -> Clock:
        """How this bucket's polling waits sleep and read time: its session's clock, unless
        one was set here."""
        return self._clock if self._clock is not None else self.client.clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self._clock = clock

    @property
    def ref(self) -> BucketRef:
        return self._ref

    @property
    def name(self) -> str:
        return self._ref.name

    @property
    def provider(self) -> Provider:
        return self._ref.provider

    @property
    def namespace(self) -> Namespace | None:
        return self._ref.namespace

    @property
    def qparam(self) -> dict[str, str]:
        return dict(self._ref.query)

    def get_path(self) -> str:
        """``provider/@uuid#ns/name/`` (the bucket's uname)."""
        return self._ref.uname

    def as_model(self) -> BucketModel:
        return BucketModel(self.name, self.provider.value, self.namespace)

    def verify_cloud_bucket(self) -> None:
        self._ref.require_remote("this operation")

    def _require_ais(self, operation: str) -> None:
        if self.provider is not Provider.AIS:
            raise InvalidBckProvider(
                self.provider.value, f"{operation} is only for ais:// buckets, not {self._ref}"
            )

    def __repr__(self) -> str:
        return f"Bucket({str(self._ref)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Bucket):
            return NotImplemented
        return self._ref == other._ref

    def __hash__(self) -> int:
        return hash(self._ref)

    def _send(self, request: Any) -> Response:
        return self.client.send(request)

    def make_request(
        self,
        method: str,
        action: str,
        value: Any = None,
        params: Mapping[str, str] | None = None,
        name: str = "",
    ) -> Response:
        """Send any action message to this bucket's endpoint (low level)."""
        return self._send(bck_ops.bucket_action(self._ref, method, action, value, params, name))

    # -- lifecycle ---------------------------------------------------------------------------

    def create(self, exist_ok: bool = False, props: Mapping[str, Any] | None = None) -> Bucket:
        """Create this ais:// bucket (with optional partial ``props``); returns ``self``."""
        self._require_ais("create")
        try:
            self._send(bck_ops.create_bucket(self._ref, props))
        except ErrBckAlreadyExists:
            if not exist_ok:
                raise
        return self

    def delete(self, missing_ok: bool = False) -> None:
        """Destroy this ais:// bucket and everything in it."""
        self._require_ais("delete")
        try:
            self._send(bck_ops.destroy_bucket(self._ref))
        except ErrBckNotFound:
            if not missing_ok:
                raise

    def exists(self) -> bool:
        try:
            self._send(bck_ops.head_bucket(self._ref))
        except APIRequestError as err:
            if err.status_code == 404:
                return False
            raise
        return True

    def head(self) -> BucketHeaders:
        """HEAD the bucket: its response headers, with ``.props`` decoded."""
        return BucketHeaders(self._send(bck_ops.head_bucket(self._ref)).headers)

    @property
    def props(self) -> BucketProps:
        """The bucket's properties (one HEAD)."""
        return self.head().props

    def set_props(self, props: Mapping[str, Any]) -> str:
        """Change some properties, e.g. ``{"versioning": {"enabled": True}}``; returns the
        job ID if the change started one, else ``""``."""
        return self._send(bck_ops.set_bucket_props(self._ref, props)).text

    def reset_props(self) -> str:
        """Back to the cluster defaults; returns a job ID or ``""``."""
        return self._send(bck_ops.reset_bucket_props(self._ref)).text

    def rename(self, to_bck_name: str) -> str:
        """Rename this ais:// bucket (a job); this handle takes the new name at once."""
        self._require_ais("rename")
        to_ref = BucketRef(to_bck_name, self.provider, self.namespace)
        job_id = self.client.send_job_id(bck_ops.rename_bucket(self._ref, to_ref))
        self._ref = to_ref
        return job_id

    def evict(self, keep_md: bool = False) -> None:
        """Drop a remote bucket's in-cluster objects (and its metadata unless ``keep_md``)."""
        self.verify_cloud_bucket()
        self._send(bck_ops.evict_bucket(self._ref, keep_md))

    # -- summary / info ----------------------------------------------------------------------

    def summary(
        self,
        uuid: str = "",
        prefix: str = "",
        cached: bool = True,
        present: bool = True,
        *,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Run a bucket-summary job and wait for its result (polls 0.2 s, x1.5, up to 10 s)."""
        clock = self.clock
        start = clock.now()
        if not uuid:
            response = self._send(
                bck_ops.summary(self._ref, prefix=prefix, cached=cached, present=present)
            )
            if response.status != 202:
                raise UnexpectedHTTPStatusCode([202], response.status)
            uuid = decode_job_id(response.text, "a bucket summary")
        pause = 0.2
        while True:
            response = self._send(
                bck_ops.summary(self._ref, uuid=uuid, prefix=prefix, cached=cached, present=present)
            )
            if response.status == 200:
                result = response.json() or [{}]
                return dict(result[0])
            if response.status not in (202, 206):
                raise UnexpectedHTTPStatusCode([200, 202, 206], response.status)
            response.close()
            _check_deadline(clock, start, timeout, "bucket summary")
            clock.sleep(pause)
            if response.status == 202:
                pause = min(pause * 1.5, 10.0)

    def info(
        self,
        flt_presence: int = FLTPresence.FLT_EXISTS,
        bsumm_remote: bool = True,
        prefix: str = "",
        *,
        timeout: float | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """Bucket props (raw JSON text) and its summary, through the HEAD-based job."""
        clock = self.clock
        start = clock.now()
        first = self._send(
            bck_ops.info(
                self._ref, flt_presence=flt_presence, bsumm_remote=bsumm_remote, prefix=prefix
            )
        )
        if first.status != 202:
            raise UnexpectedHTTPStatusCode([202], first.status)
        props = first.headers.get(HDR_BUCKET_PROPS, "")
        uuid = first.headers.get(HDR_XACTION_ID, "")
        pause, polls = 2.0, 0
        while True:
            _check_deadline(clock, start, timeout, "bucket info")
            clock.sleep(pause)
            response = self._send(
                bck_ops.info(
                    self._ref, flt_presence=flt_presence, bsumm_remote=bsumm_remote, uuid=uuid
                )
            )
            summary_text = response.headers.get(HDR_BUCKET_SUMM)
            if response.status == 200:
                return props, json.loads(summary_text) if summary_text else {}
            if response.status not in (202, 206):
                raise UnexpectedHTTPStatusCode([200, 202, 206], response.status)
            polls += 1
            if response.status == 202 and polls in (8, 16):
                pause *= 2

    # -- copy / transform --------------------------------------------------------------------

    def copy(
        self,
        to_bck: Bucket,
        prefix_filter: str = "",
        prepend: str = "",
        ext: Mapping[str, str] | None = None,
        dry_run: bool = False,
        force: bool = False,
        latest: bool = False,
        sync: bool = False,
        num_workers: int | None = 0,
        cont_on_err: bool = False,
    ) -> str:
        """Copy this bucket's objects into ``to_bck`` (created if missing); returns job ID."""
        options = CopyOptions(
            prefix_filter, prepend, ext, dry_run, force, latest, sync, num_workers, cont_on_err
        )
        request = bck_ops.copy_bucket(self._ref, as_bucket_ref(to_bck, "to_bck"), options)
        return self.client.send_job_id(request)

    def transform(
        self,
        etl_name: str,
        to_bck: Bucket,
        timeout: str = bck_ops.DEFAULT_ETL_TIMEOUT,
        prefix_filter: str = "",
        prepend: str = "",
        ext: Mapping[str, str] | None = None,
        force: bool = False,
        dry_run: bool = False,
        latest: bool = False,
        sync: bool = False,
        num_workers: int | None = 0,
        cont_on_err: bool = False,
        etl_pipeline: Sequence[str] | None = None,
    ) -> str:
        """Run an ETL over this bucket into ``to_bck`` (offline transform); returns job ID."""
        etl = EtlStage(etl_name, timeout, etl_pipeline)  # first: a bad name sends nothing
        options = CopyOptions(
            prefix_filter, prepend, ext, dry_run, force, latest, sync, num_workers, cont_on_err
        )
        request = bck_ops.transform_bucket(self._ref, as_bucket_ref(to_bck, "to_bck"), etl, options)
        return self.client.send_job_id(request)

    def inspect(
        self,
        etl_name: str,
        timeout: str = bck_ops.DEFAULT_ETL_TIMEOUT,
        prefix_filter: str = "",
        latest: bool = False,
        num_workers: int | None = None,
        etl_pipeline: Sequence[str] | None = None,
    ) -> str:
        """A dry-run transform into this same bucket, continuing on errors."""
        return self.transform(
            etl_name,
            self,
            timeout=timeout,
            prefix_filter=prefix_filter,
            dry_run=True,
            latest=latest,
            num_workers=num_workers,
            cont_on_err=True,
            etl_pipeline=etl_pipeline,
        )

    # -- listing -----------------------------------------------------------------------------

    def list_objects(
        self,
        prefix: str = "",
        props: str = "",
        page_size: int = 0,
        uuid: str = "",
        continuation_token: str = "",
        flags: list[ListObjectFlag] | None = None,
        target: str = "",
        inventory_name: str = "",
        start_after: str = "",
    ) -> BucketList:
        """One page; pass back ``uuid`` and ``continuation_token`` for the next one."""
        if start_after and self.provider.is_remote():
            raise NotImplementedError("start_after is supported for ais:// buckets only")
        request = bck_ops.list_objects(
            self._ref,
            prefix=prefix,
            props=props,
            page_size=page_size,
            uuid=uuid,
            continuation_token=continuation_token,
            flags=ListObjectFlag.join_flags(flags) if flags is not None else 0,
            target=target,
            inventory_name=inventory_name,
            start_after=start_after,
        )
        page = decode_bucket_list(self.client.send_json(request))
        for entry in page.entries:
            entry._bucket = self
        return page

    def list_objects_iter(
        self,
        prefix: str = "",
        props: str = "",
        page_size: int = 0,
        flags: list[ListObjectFlag] | None = None,
        target: str = "",
        inventory_name: str = "",
        start_after: str = "",
    ) -> ObjectIterator:
        """Every entry, lazily; ``start_after`` applies to the first page only."""
        if start_after and self.provider.is_remote():
            raise NotImplementedError("start_after is supported for ais:// buckets only")

        def fetch(uuid: str, token: str) -> BucketList:
            return self.list_objects(
                prefix=prefix,
                props=props,
                page_size=page_size,
                uuid=uuid,
                continuation_token=token,
                flags=flags,
                target=target,
                inventory_name=inventory_name,
                start_after="" if uuid or token else start_after,
            )

        return ObjectIterator(fetch, str(self._ref))

    def list_all_objects(
        self,
        prefix: str = "",
        props: str = "",
        page_size: int = 0,
        flags: list[ListObjectFlag] | None = None,
        target: str = "",
        inventory_name: str = "",
        start_after: str = "",
    ) -> list[BucketEntry]:
        """Every entry, reading all pages before returning."""
        return list(
            self.list_objects_iter(
                prefix, props, page_size, flags, target, inventory_name, start_after
            )
        )

    def list_all_objects_iter(
        self, prefix: str = "", props: str = "name,size", start_after: str = ""
    ) -> Iterator[Object]:
        """An :class:`Object` per listed entry, its props filled in from the listing."""
        for entry in self.list_objects_iter(prefix=prefix, props=props, start_after=start_after):
            yield self.object(entry.name, props=entry.generate_object_props())

    def list_urls(self, prefix: str = "", etl: ETLConfig | None = None) -> Iterator[str]:
        """The full GET URL of every object under ``prefix``."""
        for entry in self.list_objects_iter(prefix=prefix, props="name"):
            yield self.object(entry.name).get_url(etl=etl)

    def list_archive(
        self,
        archive_obj_name: str,
        include_archive_obj: bool = False,
        props: str = "",
        page_size: int = 0,
    ) -> list[BucketEntry]:
        """The files inside an archived object (shard), as entries ``<archive>/<path>``."""
        if not isinstance(archive_obj_name, str) or not archive_obj_name:
            # An empty prefix would list the whole bucket instead of one archive.
            raise ValueError(
                f"archive_obj_name must be the name of an archived object, not {archive_obj_name!r}"
            )
        entries = self.list_all_objects(
            prefix=archive_obj_name,
            props=props,
            page_size=page_size,
            flags=[ListObjectFlag.ARCH_DIR],
        )
        if include_archive_obj:
            return entries
        return [entry for entry in entries if entry.name != archive_obj_name]

    # -- inventories -------------------------------------------------------------------------

    def create_inventory(
        self,
        name: str = "",
        prefix: str = "",
        props: str = "",
        names_per_chunk: int = 0,
        force: bool = False,
    ) -> str:
        request = bck_ops.create_inventory(
            self._ref,
            name=name,
            prefix=prefix,
            props=props,
            names_per_chunk=names_per_chunk,
            force=force,
        )
        return self._send(request).text

    def destroy_inventory(self, name: str = "") -> None:
        self._send(bck_ops.destroy_inventory(self._ref, name))

    def show_inventory(self, name: str = "") -> dict[str, NBIInfo]:
        return decode_inventories(self.client.send_json(bck_ops.show_inventory(self._ref, name)))

    # -- objects -----------------------------------------------------------------------------

    def object(self, obj_name: str, props: ObjectProps | None = None) -> Object:
        return Object(self.client, self._ref, obj_name, props)

    def objects(
        self,
        obj_names: list[str] | None = None,
        obj_range: Any = None,
        obj_template: str | None = None,
    ) -> ObjectGroup:
        from aisclient.multiobj import ObjectGroup

        return ObjectGroup(
            self, obj_names=obj_names, obj_range=obj_range, obj_template=obj_template
        )

    def put_files(
        self,
        path: str | os.PathLike[str],
        prefix_filter: str = "",
        pattern: str = "*",
        basename: bool = False,
        prepend: str | None = None,
        recursive: bool = False,
        dry_run: bool = False,
        verbose: bool = True,
    ) -> list[str]:
        """Upload the files of a local directory (streamed); returns the object names.

        Names are the paths relative to ``path`` (or the base names with ``basename``),
        with ``prepend`` in front; ``prefix_filter`` keeps only relative paths starting
        with it.
        """
        root = Path(path)
        if not root.is_dir():
            raise ValueError(f"{os.fspath(path)!r} is not a directory")
        files: Iterable[Path] = root.rglob(pattern) if recursive else root.glob(pattern)
        names = []
        for file in sorted(files):
            if not file.is_file():
                continue
            relative = file.relative_to(root).as_posix()
            if prefix_filter and not relative.startswith(prefix_filter):
                continue
            obj_name = (prepend or "") + (file.name if basename else relative)
            if not dry_run:
                self.object(obj_name).get_writer().put_file(file)
            if verbose:
                log.info("%s %s -> %s", "would put" if dry_run else "put", file, obj_name)
            names.append(obj_name)
        return names

    def write_dataset(
        self, config: DatasetConfig, skip_missing: bool = True, **kwargs: Any
    ) -> list[str]:
        """Write ``config``'s samples as WebDataset tar shards, each streamed as one PUT
        (``pattern``, ``maxcount``, ``maxsize``, ``start_shard``, ``post``); see
        :func:`aisclient.dataset.write_dataset`. Returns the shard object names."""
        from aisclient.dataset.writer import write_dataset

        return write_dataset(self, config, skip_missing, **kwargs)


def _check_deadline(clock: Clock, start: float, timeout: float | None, what: str) -> None:
    if timeout is not None and clock.now() - start >= timeout:
        raise WaitTimeoutError(what, f"after {timeout:g}s")
