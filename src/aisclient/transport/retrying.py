"""Applying a :class:`RetryPolicy` around any way of sending: one mechanism for every transport."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable

from aisclient.errors import AISConnectionError
from aisclient.request import Request
from aisclient.retry import FailureKind, GiveUp, Outcome, RetryPolicy, decide
from aisclient.retry_sdk import RetryConfig, as_policy
from aisclient.transport.base import Response, Transport, redact_url

log = logging.getLogger("aisclient.transport")

_PHASES = {"connect": FailureKind.CONNECT, "read": FailureKind.READ}


def send_with_retry(
    send_once: Callable[[Request], Response],
    request: Request,
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    rand: Callable[[], float] = random.random,
    wall: Callable[[], float] = time.time,
) -> Response:
    """Send ``request`` until it succeeds or the policy gives up.

    A retryable status that outlives the policy is returned as a response, so the caller maps
    it to the AIS error with the server's message (not a bare "too many retries").
    """
    start = clock()
    status_failures = network_failures = 0
    while True:
        try:
            response = send_once(request)
        except AISConnectionError as err:
            kind = _PHASES.get(err.phase)
            if kind is None:
                raise
            network_failures += 1
            decision = decide(
                policy, request, Outcome(kind), network_failures, clock() - start, rand(), wall()
            )
            if isinstance(decision, GiveUp):
                err.add_note(f"not retried: {decision.reason}")
                raise
            log.warning(
                "%s %s failed (%s); retry %d in %.2f s",
                request.method,
                err.url,
                err.phase,
                network_failures,
                decision.after,
            )
            sleep(decision.after)
            continue
        if response.status not in policy.statuses:
            return response
        status_failures += 1
        outcome = Outcome(FailureKind.STATUS, response.status, response.headers.get("retry-after"))
        decision = decide(
            policy, request, outcome, status_failures, clock() - start, rand(), wall()
        )
        if isinstance(decision, GiveUp):
            return response
        response.close()
        log.warning(
            "%s %s answered %d; retry %d in %.2f s",
            request.method,
            redact_url(response.url),
            response.status,
            status_failures,
            decision.after,
        )
        sleep(decision.after)


class RetryingTransport:
    """Adds retries to any transport (e.g. a user's own, or a fault-injecting wrapper)."""

    def __init__(
        self,
        inner: Transport,
        policy: RetryPolicy | RetryConfig | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.inner = inner
        self.policy = RetryPolicy() if policy is None else as_policy(policy)
        self._sleep, self._clock, self._rand = sleep, clock, rand

    def send(self, request: Request) -> Response:
        return send_with_retry(
            self.inner.send,
            request,
            self.policy,
            sleep=self._sleep,
            clock=self._clock,
            rand=self._rand,
        )
