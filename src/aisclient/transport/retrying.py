"""Retries, applied once, around any transport: the one owner of the retry loop.

A transport's ``send`` is a single attempt. :class:`RetryingTransport` wraps any transport
(urllib3, a user's own, a fault injector) and resends by the policy's :func:`decide`. A
:class:`RetryBudget` counts failures and time for one logical operation; pass the same budget
to every ``send`` of an operation that reopens a stream (a resumed read), so the resumes share
one policy's worth of retries instead of each getting a fresh one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator

from aisclient.clock import SYSTEM_CLOCK, Clock
from aisclient.errors import AISConnectionError
from aisclient.request import IterBody, Request
from aisclient.retry import FailureKind, GiveUp, Outcome, Retry, RetryPolicy, decide
from aisclient.retry_sdk import RetryConfig, as_policy
from aisclient.token import TokenProvider
from aisclient.transport.base import Response, Transport, close_transport, redact_url

log = logging.getLogger("aisclient.transport")

_PHASES = {"connect": FailureKind.CONNECT, "read": FailureKind.READ}


class RetryBudget:
    """What one logical operation has used of its policy: failures of each kind, and time.

    Not thread-safe: one operation, one thread (a resumed read reopens on the reader's thread).
    """

    __slots__ = ("clock", "network_failures", "policy", "start", "status_failures")

    def __init__(self, policy: RetryPolicy, clock: Clock = SYSTEM_CLOCK) -> None:
        self.policy = policy
        self.clock = clock
        self.start = clock.monotonic()
        self.status_failures = 0
        self.network_failures = 0

    def decide(self, request: Request, outcome: Outcome, *, body_sent: bool) -> Retry | GiveUp:
        """Count this failure and decide, by the policy, whether to try again."""
        if outcome.kind is FailureKind.STATUS:
            self.status_failures += 1
            failures = self.status_failures
        else:
            self.network_failures += 1
            failures = self.network_failures
        clock = self.clock
        return decide(
            self.policy,
            request,
            outcome,
            failures,
            clock.monotonic() - self.start,
            clock.random(),
            clock.wall(),
            body_sent=body_sent,
        )


class _PullCounter:
    """An iterator body that counts what the transport took: an upload none of whose chunks
    were pulled (a stale connection, a 429 to the probe) can be sent again."""

    __slots__ = ("_source", "pulled")

    def __init__(self, source: Iterable[bytes]) -> None:
        self._source: Iterator[bytes] = iter(source)
        self.pulled = 0

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        chunk = next(self._source)
        self.pulled += 1
        return chunk


def send_with_retry(
    send_once: Callable[[Request], Response],
    request: Request,
    policy: RetryPolicy,
    *,
    clock: Clock = SYSTEM_CLOCK,
    budget: RetryBudget | None = None,
    tokens: TokenProvider | None = None,
) -> Response:
    """Send ``request`` until it succeeds or the policy gives up.

    A retryable status that outlives the policy is returned as a response, so the caller maps
    it to the AIS error with the server's message (not a bare "too many retries"). A 401 makes
    ``tokens`` look for a new token once; the request is resent only if it found one.
    """
    budget = RetryBudget(policy, clock) if budget is None else budget
    counter: _PullCounter | None = None
    if isinstance(request.body, IterBody):
        counter = _PullCounter(request.body.source)
        request = request.replace(
            body=IterBody(counter, request.body.length, request.body.content_type)
        )
    refreshed = False
    while True:
        try:
            response = send_once(request)
        except AISConnectionError as err:
            kind = _PHASES.get(err.phase)
            if kind is None:
                raise
            decision = budget.decide(request, Outcome(kind), body_sent=_sent(counter))
            if isinstance(decision, GiveUp):
                err.add_note(f"not retried: {decision.reason}")
                raise
            _log_retry(request, err.url, f"{err.phase} failure: {err}", budget, decision)
            budget.clock.sleep(decision.after)
            continue
        status = response.status
        resendable = request.replayable or not _sent(counter)
        if status == 401 and tokens is not None and not refreshed and resendable:
            refreshed = True
            if tokens.refresh():
                response.close()
                log.info(
                    "%s %s answered 401; resending with a new token", request.method, _url(response)
                )
                continue
            return response
        if status not in budget.policy.statuses:
            return response
        outcome = Outcome(FailureKind.STATUS, status, response.headers.get("retry-after"))
        decision = budget.decide(request, outcome, body_sent=_sent(counter))
        if isinstance(decision, GiveUp):
            return response
        response.close()
        _log_retry(request, _url(response), f"answered {status}", budget, decision)
        budget.clock.sleep(decision.after)


def _sent(counter: _PullCounter | None) -> bool:
    """Whether a one-shot body lost anything to an attempt (always so for no counter)."""
    return counter is None or counter.pulled > 0


def _url(response: Response) -> str:
    return redact_url(response.url)


def _log_retry(
    request: Request, url: str, reason: str, budget: RetryBudget, decision: Retry
) -> None:
    # INFO, not WARNING: a retry is the policy working. A user who wonders why a call is slow
    # (a refused connection takes the default policy about half a minute) sees why here.
    log.info(
        "%s %s: %s; retry %d in %.2f s",
        request.method,
        url,
        reason,
        budget.status_failures + budget.network_failures,
        decision.after,
    )


class RetryingTransport:
    """Adds the retry policy to any transport; the client wraps every transport in one.

    ``tokens``: asked to refresh once on a 401 (see :mod:`aisclient.token`).
    """

    def __init__(
        self,
        inner: Transport,
        policy: RetryPolicy | RetryConfig | None = None,
        *,
        clock: Clock = SYSTEM_CLOCK,
        tokens: TokenProvider | None = None,
    ) -> None:
        self.inner = inner
        self.policy = RetryPolicy() if policy is None else as_policy(policy)
        self.clock = clock
        self.tokens = tokens

    def new_budget(self) -> RetryBudget:
        """A budget for one logical operation that may call :meth:`send` several times."""
        return RetryBudget(self.policy, self.clock)

    def send(self, request: Request, *, budget: RetryBudget | None = None) -> Response:
        return send_with_retry(
            self.inner.send,
            request,
            self.policy,
            clock=self.clock,
            budget=budget,
            tokens=self.tokens,
        )

    def close(self) -> None:
        close_transport(self.inner)

    def __repr__(self) -> str:
        return f"RetryingTransport({self.inner!r})"
