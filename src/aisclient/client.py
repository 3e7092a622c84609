"""``Client``: the entry point. Resolves configuration once and hands out offline handles.

Sending, retries and the connection pool belong to :class:`~aisclient.session.Session`;
``Client`` is a session plus the factories of handles (``bucket``, ``job``, ...).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from aisclient.clock import SYSTEM_CLOCK, Clock
from aisclient.config import ClientConfig, TimeoutArg, resolve_config
from aisclient.provider import Namespace, Provider, parse_object_url
from aisclient.session import Session
from aisclient.timeouts import Timeout

if TYPE_CHECKING:
    from collections.abc import Mapping

    from aisclient.batch import Batch, Colocation
    from aisclient.bucket import Bucket
    from aisclient.cluster import Cluster
    from aisclient.dsort import Dsort
    from aisclient.etl import Etl
    from aisclient.job import Job
    from aisclient.obj import Object
    from aisclient.retry import RetryPolicy
    from aisclient.retry_sdk import RetryConfig
    from aisclient.transport.base import Transport

__all__ = ["Client", "parse_object_url"]


class Client(Session):
    """A client for one AIS cluster.

    Takes the official SDK's arguments (``Client(endpoint, skip_verify, ca_cert, client_cert,
    timeout, retry_config, token, max_pool_size)``) plus, keyword-only: ``transport`` (any
    object with ``send(Request) -> Response``; default: urllib3), ``env`` (the mapping to
    read ``AIS_*`` variables from; default ``os.environ``), ``token_file`` (a file holding the
    token, read again when the server refuses it) and ``clock`` (how retries and waits
    sleep and read time; tests pass a fake one). ``endpoint`` may be omitted when
    ``AIS_ENDPOINT`` is set. ``with Client(...) as client:`` releases its connections at the end
    (as does ``client.close()``).
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
        clock: Clock = SYSTEM_CLOCK,
        token_file: str | os.PathLike[str] | None = None,
    ) -> None:
        config = config or resolve_config(
            endpoint,
            skip_verify=skip_verify,
            ca_cert=ca_cert,
            client_cert=client_cert,
            timeout=timeout,
            retry=retry_config,
            token=token,
            max_pool_size=max_pool_size,
            env=env,
            token_file=token_file,
        )
        super().__init__(config, transport, clock=clock)

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
