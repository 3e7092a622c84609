"""Raw HTTP helpers shared by the LocalCluster tests: AIS redirects are followed by hand."""

from __future__ import annotations

import json
from typing import Any

import urllib3


class Ais:
    """A tiny raw HTTP client for one cluster endpoint."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.pool = urllib3.PoolManager(retries=False)

    def req(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        js: Any = None,
        headers: dict[str, str] | None = None,
        follow: bool = True,
        **kw: Any,
    ) -> urllib3.BaseHTTPResponse:
        """``kw`` (e.g. ``preload_content=False``) applies to the redirected request only."""
        hdrs = dict(headers or {})
        if js is not None:
            body = json.dumps(js).encode()
            hdrs["Content-Type"] = "application/json"
        url = path if path.startswith("http") else self.endpoint + path
        resp = self.pool.request(method, url, body=body, headers=hdrs, redirect=False)
        if follow and resp.status in (301, 307):
            resp = self.pool.request(
                method, resp.headers["Location"], body=body, headers=hdrs, redirect=False, **kw
            )
        return resp

    def create(self, name: str) -> None:
        r = self.req(
            "POST", f"/v1/buckets/{name}", js={"action": "create-bck", "name": "", "value": None}
        )
        assert r.status == 200, r.data

    def put(self, bck: str, obj: str, data: bytes, **hdrs: str) -> urllib3.BaseHTTPResponse:
        r = self.req("PUT", f"/v1/objects/{bck}/{obj}", data, headers=hdrs)
        assert r.status == 200, r.data
        return r

    def get(self, bck: str, obj: str, query: str = "", **hdrs: str) -> urllib3.BaseHTTPResponse:
        return self.req("GET", f"/v1/objects/{bck}/{obj}{query}", headers=hdrs)


def err(resp: urllib3.BaseHTTPResponse) -> dict[str, Any]:
    """The AIS error document of a response (from ``Hdr-Error`` when the body is empty)."""
    raw = resp.headers.get("Hdr-Error") if not resp.data else resp.data
    assert raw, "no error body"
    out: dict[str, Any] = json.loads(raw)
    return out
