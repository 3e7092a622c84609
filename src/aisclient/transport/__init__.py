"""Transports: the protocol, the urllib3 implementation, and offline helpers."""

from aisclient.transport.base import BytesResponse, Headers, Response, Transport, redact_url
from aisclient.transport.mock import (
    Exchange,
    MockTransport,
    RecordingTransport,
    StubTransport,
    UnexpectedRequest,
)
from aisclient.transport.retrying import RetryingTransport, send_with_retry
from aisclient.transport.urllib3 import Urllib3Response, Urllib3Transport

__all__ = [
    "BytesResponse",
    "Exchange",
    "Headers",
    "MockTransport",
    "RecordingTransport",
    "Response",
    "RetryingTransport",
    "StubTransport",
    "Transport",
    "UnexpectedRequest",
    "Urllib3Response",
    "Urllib3Transport",
    "redact_url",
    "send_with_retry",
]
