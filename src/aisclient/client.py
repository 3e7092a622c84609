"""``Client``: the entry point. Resolves configuration once and hands out offline handles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from aisclient.config import ClientConfig, Timeout, TimeoutArg, resolve_config
from aisclient.direct import DirectReads
from aisclient.errors import InvalidURLException
from aisclient.provider import Namespace, Provider
from aisclient.request import Request
from aisclient.retry import RetryPolicy
from aisclient.retry_sdk import RetryConfig
from aisclient.transport.base import Response, Transport

if TYPE_CHECKING:
    from collections.abc import Mapping

    from aisclient.batch import Batch, Colocation
    from aisclient.bucket import Bucket
    from aisclient.cluster import Cluster
    from aisclient.dsort import Dsort
    from aisclient.etl import Etl
    from aisclient.job import Job
    from aisclient.models.cluster import Smap
    from aisclient.obj import Object

T = TypeVar("T")


class Client:
    """A client for one AIS cluster.

    Takes the official SDK's arguments (``Client(endpoint, skip_verify, ca_cert, client_cert,
    timeout, retry_config, token, max_pool_size)``) plus, keyword-only: ``transport`` (any
    object with ``send(Request) -> Response``; default: urllib3) and ``env`` (the mapping to
    read ``AIS_*`` variables from; default ``os.environ``). ``endpoint`` may be omitted when
    ``AIS_ENDPOINT`` is set.
    """

    def __init__(
        self,
        endpoint: str | None = None,
        skip_verify: bool = False,
        ca_cert: str | None = None,
        client_cert: str | tuple[str, str] | None = None,
        timeout: TimeoutArg | Timeout = None,
        retry_config: RetryPolicy | RetryConfig | None = None,
        token: str | None = None,
        max_pool_size: int | None = None,
        *,
        transport: Transport | None = None,
        env: Mapping[str, str] | None = None,
        config: ClientConfig | None = None,
    ) -> None:
        self.config = config or resolve_config(
            endpoint,
            skip_verify=skip_verify,
            ca_cert=ca_cert,
            client_cert=client_cert,
            timeout=timeout,
            retry=retry_config,
            token=token,
            max_pool_size=max_pool_size,
            env=env,
        )
        if transport is None:
            from aisclient.transport.urllib3 import Urllib3Transport

            transport = Urllib3Transport(self.config)
        self.transport: Transport = transport
        # The cached cluster map of direct reads (``get_reader(direct=True)``).
        self.direct_reads = DirectReads()

    def __repr__(self) -> str:
        return f"Client(endpoint={self.config.endpoint!r})"

    @property
    def endpoint(self) -> str:
        return self.config.endpoint

    @property
    def retry_config(self) -> RetryPolicy:
        return self.config.retry

    # -- sending -----------------------------------------------------------------------------

    def send(self, request: Request) -> Response:
        """Send ``request``; return the response for a success status, else raise its AISError."""
        return self.transport.send(request).raise_for_status()

    def send_json(self, request: Request) -> Any:
        """Send ``request`` and return its decoded JSON body (``None`` when empty)."""
        return self.send(request).json()

    def send_text(self, request: Request) -> str:
        """Send ``request`` and return its body as text (e.g. a job id)."""
        return self.send(request).text

    def send_model(self, request: Request, cls: type[T]) -> T:
        """Send ``request`` and decode its JSON body into ``cls``."""
        from aisclient.models._convert import structure

        return structure(self.send_json(request), cls)

    def get_smap(self, force_update: bool = False) -> Smap:
        """The cluster map, fetched on first use and then cached for this client
        (``force_update=True`` fetches it again). Direct reads find targets with it."""
        return self.direct_reads.get_smap(self, force_update)

    # -- offline factories (no request is sent) ----------------------------------------------

    def bucket(
        self,
        bck_name: str,
        provider: Provider | str = Provider.AIS,
        namespace: Namespace | None = None,
    ) -> Bucket:
        from aisclient.bucket import Bucket

        return Bucket(bck_name, provider=provider, namespace=namespace, client=self)

    def cluster(self) -> Cluster:
        from aisclient.cluster import Cluster

        return Cluster(self)

    def job(self, job_id: str = "", job_kind: str = "") -> Job:
        from aisclient.job import Job

        return Job(self, job_id=job_id, job_kind=job_kind)

    def etl(self, etl_name: str) -> Etl:
        from aisclient.etl import Etl

        return Etl(self, etl_name)

    def dsort(self, dsort_id: str = "") -> Dsort:
        from aisclient.dsort import Dsort

        return Dsort(self, dsort_id=dsort_id)

    def batch(
        self,
        objects: Any = None,
        bucket: Bucket | None = None,
        output_format: str = ".tar",
        cont_on_err: bool = True,
        only_obj_name: bool = False,
        streaming_get: bool = True,
        colocation: Colocation | int = 0,
    ) -> Batch:
        from aisclient.batch import Batch

        return Batch(
            self,
            objects=objects,
            bucket=bucket,
            output_format=output_format,
            cont_on_err=cont_on_err,
            only_obj_name=only_obj_name,
            streaming_get=streaming_get,
            colocation=colocation,
        )

    def get_object_from_url(self, url: str) -> Object:
        """``provider://bucket/object`` → an :class:`Object` handle (no request)."""
        provider, bucket, name = parse_object_url(url)
        return self.bucket(bucket, provider=provider).object(name)


def parse_object_url(url: str) -> tuple[Provider, str, str]:
    """Split ``provider://bucket/object``; raise InvalidURLException (or InvalidBckProvider)."""
    if not isinstance(url, str):
        raise InvalidURLException(repr(url))
    parts = urlsplit(url)
    scheme, bucket, name = parts.scheme, parts.netloc, parts.path.lstrip("/")
    if not scheme or not bucket or not name:
        raise InvalidURLException(url)
    return Provider.parse(scheme), bucket, name
