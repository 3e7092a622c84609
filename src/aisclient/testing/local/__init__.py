"""An AIS-compatible HTTP server that runs inside the current process.

>>> from aisclient.testing.local import LocalCluster
>>> with LocalCluster() as cluster:
...     endpoint = cluster.endpoint  # http://127.0.0.1:<port>

See :class:`LocalCluster` for options, :class:`Faults` for fault injection.
"""

from .cluster import LocalCluster
from .faults import Faults, RequestLog, RequestRecord

__all__ = ["Faults", "LocalCluster", "RequestLog", "RequestRecord"]
