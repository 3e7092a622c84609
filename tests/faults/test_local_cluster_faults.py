"""LocalCluster keeps users' test output clean: clients that reset their connections, and
connections still open when the cluster stops, print no tracebacks."""

from __future__ import annotations

import socket
import struct

import pytest

from aisclient import Client
from aisclient.testing.local import LocalCluster


def test_resets_and_shutdown_print_no_tracebacks(capfd: pytest.CaptureFixture[str]) -> None:
    cluster = LocalCluster(targets=1)
    cluster.start()
    try:
        client = Client(cluster.endpoint, env={})
        bucket = client.bucket("b").create()
        bucket.object("big").get_writer().put_content(b"x" * (8 << 20))
        host, port = cluster.endpoint.rsplit("//", 1)[1].rsplit(":", 1)
        for _ in range(3):  # clients that ask, read a little, then reset the connection
            with socket.create_connection((host, int(port)), timeout=10) as sock:
                sock.sendall(b"GET /v1/objects/b/big?provider=ais HTTP/1.1\r\nHost: h\r\n\r\n")
                sock.recv(100)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        response = bucket.object("big").get_reader().raw()  # still open at shutdown
        response.read(1000)
    finally:
        cluster.stop()
    err = capfd.readouterr().err
    assert "Traceback" not in err and "ConnectionResetError" not in err, err
