"""aisclient: a fast, lean, testable Python client for AIStore.

Importing the package is cheap: names load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "Client": "aisclient.client",
    "ClientConfig": "aisclient.config",
    "Timeout": "aisclient.timeouts",
    "TlsConfig": "aisclient.config",
    "resolve_config": "aisclient.config",
    "RetryPolicy": "aisclient.retry",
    "RetryConfig": "aisclient.retry_sdk",
    "ColdGetConf": "aisclient.retry",
    "Request": "aisclient.request",
    "render_url": "aisclient.request",
    "Provider": "aisclient.provider",
    "Namespace": "aisclient.provider",
    "BucketRef": "aisclient.provider",
    "AISError": "aisclient.errors",
    "Transport": "aisclient.transport.base",
    "Response": "aisclient.transport.base",
    "MockTransport": "aisclient.transport.mock",
    "RecordingTransport": "aisclient.transport.mock",
    "StubTransport": "aisclient.transport.mock",
    "Urllib3Transport": "aisclient.transport.urllib3",
    "Bucket": "aisclient.bucket",
    "Object": "aisclient.obj",
    "ObjectGroup": "aisclient.multiobj",
    "ArchiveConfig": "aisclient.archive_config",
    "BlobDownloadConfig": "aisclient.archive_config",
    "ListObjectFlag": "aisclient.enums",
    "Colocation": "aisclient.enums",
    "ETLConfig": "aisclient.etl_config",
    "ObjectRange": "aisclient.multiobj",
    "ObjectNames": "aisclient.multiobj",
    "ObjectTemplate": "aisclient.multiobj",
    "Job": "aisclient.job",
    "WaitResult": "aisclient.wait",
    "Cluster": "aisclient.cluster",
    "Etl": "aisclient.etl",
    "Dsort": "aisclient.dsort",
    "Batch": "aisclient.batch",
}

__all__ = [
    "AISError",
    "ArchiveConfig",
    "Batch",
    "BlobDownloadConfig",
    "Bucket",
    "BucketRef",
    "Client",
    "ClientConfig",
    "Cluster",
    "ColdGetConf",
    "Colocation",
    "Dsort",
    "ETLConfig",
    "Etl",
    "Job",
    "ListObjectFlag",
    "MockTransport",
    "Namespace",
    "Object",
    "ObjectGroup",
    "ObjectNames",
    "ObjectRange",
    "ObjectTemplate",
    "Provider",
    "RecordingTransport",
    "Request",
    "Response",
    "RetryConfig",
    "RetryPolicy",
    "StubTransport",
    "Timeout",
    "TlsConfig",
    "Transport",
    "Urllib3Transport",
    "WaitResult",
    "__version__",
    "render_url",
    "resolve_config",
]

if TYPE_CHECKING:
    from aisclient.archive_config import ArchiveConfig, BlobDownloadConfig
    from aisclient.client import Client
    from aisclient.config import ClientConfig, TlsConfig, resolve_config
    from aisclient.enums import Colocation, ListObjectFlag
    from aisclient.errors import AISError
    from aisclient.etl_config import ETLConfig
    from aisclient.multiobj import ObjectNames, ObjectRange, ObjectTemplate
    from aisclient.provider import BucketRef, Namespace, Provider
    from aisclient.request import Request, render_url
    from aisclient.retry import ColdGetConf, RetryPolicy
    from aisclient.retry_sdk import RetryConfig
    from aisclient.timeouts import Timeout
    from aisclient.transport.base import Response, Transport
    from aisclient.transport.mock import MockTransport, RecordingTransport, StubTransport
    from aisclient.transport.urllib3 import Urllib3Transport
    from aisclient.wait import WaitResult


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'aisclient' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
