"""The baseline: raw urllib3 doing the same HTTP exchanges as the clients, proxy hop included."""

from __future__ import annotations

from urllib.parse import quote, urljoin

import urllib3


class RawClient:
    """Minimal AIS object I/O on a bare urllib3 PoolManager, following redirects by hand."""

    def __init__(
        self, endpoint: str, pool_size: int = 10, timeout: tuple[float, float] = (3, 20)
    ) -> None:
        # The same pool size, send block and timeouts as the clients it is compared with (a
        # socket with a timeout costs a poll() per read or write; one without would not).
        self.endpoint = endpoint.rstrip("/")
        self.pool = urllib3.PoolManager(
            maxsize=pool_size,
            retries=False,
            blocksize=1 << 20,
            timeout=urllib3.Timeout(connect=timeout[0], read=timeout[1]),
        )

    def url(self, bucket: str, name: str) -> str:
        return f"{self.endpoint}/v1/objects/{bucket}/{quote(name)}?provider=ais"

    def _hop(self, method: str, url: str, **kwargs: object) -> str:
        response = self.pool.request(method, url, redirect=False, **kwargs)  # type: ignore[arg-type]
        return urljoin(url, response.headers["Location"])

    def get(self, bucket: str, name: str) -> bytes:
        target = self._hop("GET", self.url(bucket, name))
        return self.pool.request("GET", target, redirect=False).data

    def head(self, bucket: str, name: str) -> int:
        target = self._hop("HEAD", self.url(bucket, name))
        return int(self.pool.request("HEAD", target, redirect=False).headers["Content-Length"])

    def put(self, bucket: str, name: str, data: bytes) -> None:
        # Small bodies go to the proxy and again to the target, as a plain HTTP client does.
        target = self._hop("PUT", self.url(bucket, name), body=data)
        self.pool.request("PUT", target, body=data, redirect=False)

    def get_stream(self, bucket: str, name: str, chunk: int) -> int:
        target = self._hop("GET", self.url(bucket, name))
        response = self.pool.request("GET", target, redirect=False, preload_content=False)
        total = 0
        while data := response.read(chunk):
            total += len(data)
        response.release_conn()
        return total

    def get_archive(self, url: str, body: bytes, chunk: int) -> int:
        """A Get-Batch archive (the request rendered by aisclient's builder), streamed."""
        headers = {"Content-Type": "application/json"}
        target = self._hop("GET", url, body=body, headers=headers)
        response = self.pool.request(
            "GET", target, body=body, headers=headers, redirect=False, preload_content=False
        )
        total = 0
        for data in response.stream(chunk):  # urllib3's fastest way through a chunked body
            total += len(data)
        response.release_conn()
        return total

    def put_file(self, bucket: str, name: str, path: str, size: int) -> None:
        # Learn the target with a header-only request, then send the file there once.
        target = self._hop("PUT", self.url(bucket, name), headers={"Content-Length": "0"})
        with open(path, "rb") as handle:
            self.pool.request(
                "PUT", target, body=handle, headers={"Content-Length": str(size)}, redirect=False
            )
