"""Transports: the protocol, the urllib3 implementation, and offline helpers."""

from typing import TYPE_CHECKING, Any

from aisclient.headers import Headers
from aisclient.transport.base import BytesResponse, Response, Transport, redact_url
from aisclient.transport.mock import (
    Exchange,
    MockTransport,
    RecordingTransport,
    StubTransport,
    UnexpectedRequest,
)
from aisclient.transport.retrying import RetryBudget, RetryingTransport, send_with_retry
from aisclient.transport.urllib3 import Urllib3Transport

if TYPE_CHECKING:
    from aisclient.transport._urllib3_io import Urllib3Response

__all__ = [
    "BytesResponse",
    "Exchange",
    "Headers",
    "MockTransport",
    "RecordingTransport",
    "Response",
    "RetryBudget",
    "RetryingTransport",
    "StubTransport",
    "Transport",
    "UnexpectedRequest",
    "Urllib3Response",
    "Urllib3Transport",
    "redact_url",
    "send_with_retry",
]


def __getattr__(name: str) -> Any:
    # Loads urllib3: only when asked for by name (the transport itself loads it on first send).
    if name == "Urllib3Response":
        from aisclient.transport._urllib3_io import Urllib3Response

        return Urllib3Response
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
