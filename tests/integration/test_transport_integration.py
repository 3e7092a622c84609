"""The urllib3 transport against both clusters: redirects, the upload probe, names, errors."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from aisclient import Client
from aisclient.errors import ErrBckAlreadyExists, ErrBckNotFound, ErrObjNotFound
from aisclient.request import Body, BytesBody, FileBody, IterBody, JsonBody, Request

PROVIDER = (("provider", "ais"),)
DATA = os.urandom(3 * 1024 * 1024 + 17)


def _bucket_request(method: str, name: str, action: str) -> Request:
    body = JsonBody.of({"action": action, "name": "", "value": None})
    return Request(method, ("buckets", name), query=PROVIDER, body=body)


@pytest.fixture
def bck(client: Client) -> Iterator[str]:
    name = f"tt-{uuid.uuid4().hex[:10]}"
    client.send(_bucket_request("POST", name, "create-bck")).close()
    yield name
    client.transport.send(_bucket_request("DELETE", name, "destroy-bck")).close()


def put(bck: str, name: str, body: Body, *, probe: bool = True) -> Request:
    return Request("PUT", ("objects", bck, name), query=PROVIDER, body=body, probe_redirect=probe)


def get(bck: str, name: str, *, stream: bool = False) -> Request:
    return Request("GET", ("objects", bck, name), query=PROVIDER, stream=stream)


def _pieces() -> Iterator[bytes]:
    for start in range(0, len(DATA), 1 << 20):
        yield DATA[start : start + (1 << 20)]


@pytest.mark.parametrize("kind", ["bytes", "file", "iter-sized", "iter-chunked", "no-probe"])
def test_large_upload_round_trip(client: Client, bck: str, tmp_path: Path, kind: str) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(DATA)
    body: Body = {
        "bytes": BytesBody(DATA),
        "no-probe": BytesBody(DATA),
        "file": FileBody(path),
        "iter-sized": IterBody(_pieces(), length=len(DATA)),
        "iter-chunked": IterBody(_pieces()),
    }[kind]
    client.send(put(bck, "big", body, probe=kind != "no-probe")).close()
    assert client.send(get(bck, "big")).content == DATA
    streamed = client.send(get(bck, "big", stream=True))
    assert b"".join(streamed.iter_bytes(256 * 1024)) == DATA


@pytest.mark.parametrize(
    "name", ["a b/c", "ü/ñ.txt", "100%", "what?", "#hash", "a+b", "x&y=z;", "dir//twice", "~t.-_"]
)
def test_object_names_reach_the_server_intact(client: Client, bck: str, name: str) -> None:
    client.send(put(bck, name, BytesBody(name.encode()), probe=False)).close()
    assert client.send(get(bck, name)).content == name.encode()
    head = client.send(Request("HEAD", ("objects", bck, name), query=PROVIDER))
    assert head.status == 200


def test_missing_object_maps_to_err_obj_not_found(client: Client, bck: str) -> None:
    with pytest.raises(ErrObjNotFound) as info:
        client.send(get(bck, "nope"))
    assert info.value.status_code == 404 and info.value.tcode
    with pytest.raises(ErrObjNotFound):  # HEAD: the detail comes from Hdr-Error
        client.send(Request("HEAD", ("objects", bck, "nope"), query=PROVIDER))


def test_missing_bucket_maps_to_err_bck_not_found(client: Client) -> None:
    with pytest.raises(ErrBckNotFound):
        client.send(Request("HEAD", ("buckets", f"no-{uuid.uuid4().hex[:8]}"), query=PROVIDER))
    with pytest.raises(ErrBckNotFound):  # the probe's own error answer, body never sent
        client.send(put(f"no-{uuid.uuid4().hex[:8]}", "o", BytesBody(DATA)))


def test_existing_bucket_maps_to_err_bck_already_exists(client: Client, bck: str) -> None:
    with pytest.raises(ErrBckAlreadyExists):
        client.send(_bucket_request("POST", bck, "create-bck"))
