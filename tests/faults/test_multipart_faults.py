"""A multipart part that failed can be uploaded again: it is recorded once, after success,
and ``complete()`` then works. On LocalCluster and on aisnode."""

from __future__ import annotations

from typing import Any

import pytest

from _support.fault_hooks import Hook
from aisclient import Client
from aisclient.errors import APIRequestError
from aisclient.request import Request
from aisclient.transport.base import BytesResponse, Response


def test_a_retried_part_is_recorded_once(cluster_endpoint: str, bucket_name: str) -> None:
    failed = False

    def fail_part_one_once(request: Request) -> Response | None:
        nonlocal failed
        if request.method == "PUT" and request.query_value("partNumber") == "1" and not failed:
            failed = True
            return BytesResponse(400, b"injected failure", request=request)
        return None

    hook = Hook(cluster_endpoint, before=fail_part_one_once)
    with Client(cluster_endpoint, transport=hook) as client:
        bucket: Any = client.bucket(bucket_name).create()
        try:
            upload = bucket.object("mp").multipart_upload().create()
            with pytest.raises(APIRequestError):
                upload.upload_part(1, b"A" * 1000)
            assert upload.parts == []
            upload.upload_part(1, b"A" * 1000)
            upload.upload_part(2, b"C" * 10)
            assert upload.parts == [1, 2]
            upload.complete()
            assert bucket.object("mp").get_reader().read_all() == b"A" * 1000 + b"C" * 10
        finally:
            bucket.delete(missing_ok=True)
