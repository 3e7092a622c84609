"""``Session``: what every handle sends through (configuration, transport, retries, the
direct-read cache), below the handles and the :class:`~aisclient.client.Client` factories.

Handles (``Bucket``, ``Object``, ``Job``, ...) depend on this module only, never on
``aisclient.client``: the client builds handles, handles never build clients.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from aisclient.clock import SYSTEM_CLOCK, Clock
from aisclient.config import redact_userinfo
from aisclient.direct import DirectReads
from aisclient.errors import UnexpectedResponseError
from aisclient.request import render_path
from aisclient.transport.base import close_transport, redact_url
from aisclient.transport.retrying import RetryBudget, RetryingTransport

if TYPE_CHECKING:
    from types import TracebackType

    from aisclient.config import ClientConfig
    from aisclient.models.cluster import Smap
    from aisclient.request import Request
    from aisclient.retry import RetryPolicy
    from aisclient.transport.base import Response, Transport

T = TypeVar("T")
S = TypeVar("S", bound="Session")


class Session:
    """One cluster's connection state, shared by every handle made from it.

    ``transport`` is any object with ``send(Request) -> Response`` (default: urllib3). It is
    wrapped once in a :class:`RetryingTransport` with ``config.retry``, so the retry policy
    applies whichever transport sends: a transport makes one attempt per call. A
    ``RetryingTransport`` given as ``transport`` is refused (``TypeError``): its retries would
    multiply the client's; set ``retry_config`` instead.
    ``clock`` is where retries and waits get the time and how they pause (tests pass a fake).
    ``close()`` (or leaving a ``with`` block) releases the transport's connections.
    """

    def __init__(
        self,
        config: ClientConfig,
        transport: Transport | None = None,
        *,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.config = config
        self.clock = clock
        if transport is None:
            from aisclient.transport.urllib3 import Urllib3Transport

            transport = Urllib3Transport(config)
        elif isinstance(transport, RetryingTransport):
            raise TypeError(
                "transport is a RetryingTransport, but the client already retries around its "
                "transport: pass the inner transport, and the policy as retry_config"
            )
        self.transport: Transport = transport
        self._sender = RetryingTransport(
            transport, config.retry, clock=clock, tokens=config.token_provider
        )
        # The cached cluster map of direct reads (``get_reader(direct=True)``).
        self.direct_reads = DirectReads()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(endpoint={redact_userinfo(self.config.endpoint)!r})"

    @property
    def endpoint(self) -> str:
        return self.config.endpoint

    @property
    def retry_config(self) -> RetryPolicy:
        return self.config.retry

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        """Release pooled connections. Handles stay usable: a later request opens new ones."""
        close_transport(self.transport)

    def __enter__(self: S) -> S:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- sending -----------------------------------------------------------------------------

    def send(self, request: Request, *, budget: RetryBudget | None = None) -> Response:
        """Send ``request`` (with retries); the response of a success status, else its AISError.

        ``budget`` (from :meth:`new_budget`) is shared by the sends of one logical operation
        that reopens a stream, so its resumes draw on one policy's worth of retries.
        """
        return self._sender.send(request, budget=budget).raise_for_status()

    def new_budget(self) -> RetryBudget:
        return self._sender.new_budget()

    def send_json(self, request: Request) -> Any:
        """Send ``request`` and return its decoded JSON body (``None`` when empty)."""
        return self.send(request).json()

    def send_text(self, request: Request) -> str:
        """Send ``request`` and return its body as text."""
        return self.send(request).text

    def send_model(self, request: Request, cls: type[T]) -> T:
        """Send ``request`` and decode its JSON body into ``cls``."""
        from aisclient.models._convert import structure

        response = self.send(request)
        try:
            return structure(response.json(), cls)
        except UnexpectedResponseError as err:
            if not err.req_url:  # name the request the answer came to
                err.req_url = redact_url(response.url)
            raise

    def send_job_id(self, request: Request) -> str:
        """Send a request that starts a job and return the job id it answers with."""
        return decode_job_id(self.send_text(request), f"{request.method} {render_path(request)}")

    def send_job_ids(self, request: Request) -> list[str]:
        """Send a request that starts one job per target group; return every job id."""
        return decode_job_ids(self.send_text(request))

    def get_smap(self, force_update: bool = False) -> Smap:
        """The cluster map, fetched on first use and then cached for this session
        (``force_update=True`` fetches it again). Direct reads find targets with it."""
        return self.direct_reads.get_smap(self, force_update)


def decode_job_id(text: str, what: str = "the request") -> str:
    """A job id as AIS answers it: plain text, sometimes JSON-quoted, maybe with a newline."""
    job_id = text.strip().strip('"')
    if any(ch.isspace() or ch in '",' for ch in job_id):
        raise UnexpectedResponseError(f"the answer to {what} is not a job id: {text[:80]!r}")
    return job_id


def decode_job_ids(text: str) -> list[str]:
    """The job ids of a comma-separated answer (``id1,id2``); quotes and blanks dropped."""
    return [part.strip().strip('"') for part in text.split(",") if part.strip().strip('"')]
