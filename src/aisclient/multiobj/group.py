"""``ObjectGroup``: one selection of objects in a bucket, and the jobs that act on it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from aisclient.etl_config import etl_pairs
from aisclient.multiobj.collection import ObjectCollection, ObjectNames, ObjectRange, ObjectTemplate
from aisclient.ops import multiobj as ops
from aisclient.ops._common import object_url
from aisclient.ops.copy import CopyOptions, EtlStage
from aisclient.provider import as_bucket_ref
from aisclient.request import Request

if TYPE_CHECKING:
    from aisclient.session import Session


def _pipeline_names(pipeline: Sequence[Any] | None) -> list[str] | None:
    if not pipeline:
        return None
    return [item if isinstance(item, str) else str(item.name) for item in pipeline]


class ObjectGroup:
    """Several objects of one bucket, chosen by names, an :class:`ObjectRange` or a template.

    Exactly one of ``obj_names``, ``obj_range`` and ``obj_template`` must be given. Creating a
    group sends nothing; each action below starts one job and returns its id(s).
    """

    def __init__(
        self,
        bck: Any,
        obj_names: list[str] | None = None,
        obj_range: ObjectRange | None = None,
        obj_template: str | None = None,
    ) -> None:
        given = [arg for arg in (obj_names, obj_range, obj_template) if arg is not None]
        if len(given) != 1:
            raise ValueError(
                f"give exactly one of obj_names, obj_range and obj_template ({len(given)} given)"
            )
        self.bck = bck
        self._ref = as_bucket_ref(bck)
        self._collection: ObjectCollection
        if obj_names is not None:
            self._collection = ObjectNames(obj_names)
            if not self._collection.count:
                raise ValueError("obj_names must not be empty")
        elif obj_range is not None:
            if not isinstance(obj_range, ObjectRange):
                raise TypeError(f"obj_range must be an ObjectRange, not {type(obj_range).__name__}")
            self._collection = obj_range
        else:
            if not isinstance(obj_template, str):
                raise TypeError("obj_template must be a str")
            if not obj_template:
                raise ValueError("obj_template must not be empty")
            self._collection = ObjectTemplate(obj_template)

    # -- plumbing -------------------------------------------------------------------------

    @property
    def client(self) -> Session:
        client: Session = self.bck.client
        return client

    @client.setter
    def client(self, client: Session) -> None:
        self.bck.client = client

    @property
    def collection(self) -> ObjectCollection:
        return self._collection

    @property
    def selection(self) -> dict[str, Any]:
        """The selection as sent in every action's ``value``."""
        return self._collection.get_value()

    def __repr__(self) -> str:
        return f"ObjectGroup({self._ref}, {self._collection!r})"

    def _start(self, request: Request) -> str:
        return self.client.send_job_id(request)

    # -- jobs -----------------------------------------------------------------------------

    def delete(self) -> str:
        """Delete the selected objects (``delete-listrange``); returns the job id."""
        return self._start(ops.delete_objects(self._ref, self.selection))

    def evict(self) -> str:
        """Drop in-cluster copies of the selection (remote buckets only); returns the job id."""
        return self._start(ops.evict_objects(self._ref, self.selection))

    def prefetch(
        self,
        blob_threshold: int | None = None,
        num_workers: int | None = None,
        latest: bool = False,
        continue_on_error: bool = False,
    ) -> str:
        """Fetch the selection from the remote backend into the cluster; returns the job id."""
        return self._start(
            ops.prefetch_objects(
                self._ref,
                self.selection,
                blob_threshold=blob_threshold,
                num_workers=num_workers,
                latest=latest,
                continue_on_error=continue_on_error,
            )
        )

    def copy(
        self,
        to_bck: Any,
        prepend: str = "",
        continue_on_error: bool = False,
        dry_run: bool = False,
        force: bool = False,
        latest: bool = False,
        sync: bool = False,
        num_workers: int | None = None,
        prefix: str = "",
    ) -> list[str]:
        """Copy the selection into ``to_bck``; returns the job ids (the server may run several)."""
        options = CopyOptions(
            prefix=prefix,
            prepend=prepend,
            dry_run=dry_run,
            force=force,
            latest=latest,
            sync=sync,
            num_workers=num_workers,
            continue_on_error=continue_on_error,
        )
        request = ops.copy_objects(
            self._ref, self.selection, as_bucket_ref(to_bck, "to_bck"), options
        )
        return self.client.send_job_ids(request)

    def transform(
        self,
        to_bck: Any,
        etl_name: str,
        timeout: str = ops.DEFAULT_ETL_TIMEOUT,
        prepend: str = "",
        ext: Mapping[str, str] | None = None,
        continue_on_error: bool = False,
        dry_run: bool = False,
        force: bool = False,
        latest: bool = False,
        sync: bool = False,
        num_workers: int | None = None,
        etl_pipeline: Sequence[Any] | None = None,
    ) -> str:
        """Run ETL ``etl_name`` over the selection, writing into ``to_bck``; returns the job id."""
        etl = EtlStage(etl_name, timeout, _pipeline_names(etl_pipeline))
        options = CopyOptions(
            prepend=prepend,
            ext=ext,
            dry_run=dry_run,
            force=force,
            latest=latest,
            sync=sync,
            num_workers=num_workers,
            continue_on_error=continue_on_error,
        )
        request = ops.transform_objects(
            self._ref, self.selection, as_bucket_ref(to_bck, "to_bck"), etl, options
        )
        return self._start(request)

    def inspect(
        self,
        etl_name: str,
        timeout: str = ops.DEFAULT_ETL_TIMEOUT,
        latest: bool = False,
        num_workers: int | None = None,
        etl_pipeline: Sequence[Any] | None = None,
    ) -> str:
        """A dry-run transform into this bucket (writes nothing, continues on errors)."""
        return self.transform(
            self._ref,
            etl_name,
            timeout=timeout,
            continue_on_error=True,
            dry_run=True,
            latest=latest,
            num_workers=num_workers,
            etl_pipeline=etl_pipeline,
        )

    def archive(
        self,
        archive_name: str,
        mime: str = "",
        to_bck: Any = None,
        include_source_name: bool = False,
        allow_append: bool = False,
        continue_on_err: bool = False,
    ) -> list[str]:
        """Pack the selection into shard ``archive_name`` (in ``to_bck``, default this bucket).

        The format comes from the name's extension (``.tar``, ``.tgz``, ``.tar.gz``, ``.zip``,
        ``.tar.lz4``); ``mime`` may restate it. Returns the job ids.
        """
        request = ops.archive_objects(
            self._ref,
            self.selection,
            archive_name,
            mime=mime,
            to_bck=None if to_bck is None else as_bucket_ref(to_bck, "to_bck"),
            include_source_name=include_source_name,
            allow_append=allow_append,
            continue_on_err=continue_on_err,
        )
        return self.client.send_job_ids(request)

    # -- names, objects and URLs (client side) -----------------------------------------

    def list_names(self) -> list[str]:
        """The selected names, expanded here (a template is expanded in full)."""
        return list(self._collection)

    def iter_names(self) -> Iterator[str]:
        """The selected names, one at a time (nothing is materialised)."""
        return iter(self._collection)

    def list_urls(self, prefix: str = "", etl: Any = None) -> Iterable[str]:
        """Full object URLs of the selection (``prefix`` is ignored, as in the official SDK)."""
        base = self.client.endpoint
        query = etl_pairs(etl)
        for name in self._collection:
            yield object_url(base, self._ref, name, query)

    def list_all_objects_iter(
        self, prefix: str = "", props: str | None = "name,size"
    ) -> Iterator[Any]:
        """Object handles of the selected names that start with ``prefix``.

        Each object is HEADed (with ``props``) to fill in its properties, unless ``props`` is
        ``None``.
        """
        for name in self._collection:
            if prefix and not name.startswith(prefix):
                continue
            obj = self.bck.object(name)
            if props is not None:
                obj.head(props)
            yield obj
