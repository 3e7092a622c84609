"""``DataShard``: a set of shards (a bucket and a prefix) for ``AISMultiShardStream``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aisclient.provider import Provider

if TYPE_CHECKING:
    from aisclient.bucket import Bucket
    from aisclient.client import Client


@dataclass
class DataShard:
    """``DataShard(client_url, bucket_name, provider="ais", prefix="", etl_name=None)``; makes
    its ``client`` and ``bucket`` handles (no request is sent)."""

    client_url: str
    bucket_name: str
    provider: str = Provider.AIS.value
    prefix: str = ""
    etl_name: str | None = None
    client: Client = field(init=False, repr=False, compare=False)
    bucket: Bucket = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        from aisclient.client import Client

        self.client = Client(self.client_url)
        self.bucket = self.client.bucket(self.bucket_name, self.provider)
