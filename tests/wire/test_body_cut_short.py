"""A body that ends before its framing says (fewer bytes than ``Content-Length``, a chunk cut
off, no last chunk) is :class:`IncompleteBodyError` on every way of reading it, never a raw
``http.client.IncompleteRead`` / urllib3 ``ProtocolError`` and never a short result. The
server is a raw socket on 127.0.0.1 that writes exactly the bytes given, then closes."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import pytest

from aisclient import Client
from aisclient.config import ClientConfig
from aisclient.errors import IncompleteBodyError
from aisclient.request import Request
from aisclient.retry import RetryPolicy
from aisclient.transport.base import Response
from aisclient.transport.urllib3 import Urllib3Transport

HEAD_FIXED = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nContent-Type: application/x-tar\r\n\r\n"
HEAD_CHUNKED = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
ANSWERS = {
    # 70 000 of the 100 000 bytes announced: the object's size was misreported, or the
    # connection closed early.
    "short-content-length": HEAD_FIXED + b"x" * 70_000,
    "nothing-after-head": HEAD_FIXED,
    # A chunk announced as 0x10000 bytes of which 5 000 arrive.
    "chunk-cut-off": HEAD_CHUNKED + b"10000\r\n" + b"y" * 5_000,
    # Whole chunks, but the last (zero-length) chunk never comes.
    "no-last-chunk": HEAD_CHUNKED + (b"1000\r\n" + b"z" * 4096 + b"\r\n") * 3,
}


class CutServer:
    """Answers every request on 127.0.0.1 with ``answer`` and closes the connection."""

    def __init__(self, answer: bytes) -> None:
        self.answer = answer
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.02)  # how long close() may wait for the loop
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                request = b""
                while b"\r\n\r\n" not in request and len(request) < 65536:
                    data = conn.recv(65536)
                    if not data:
                        break
                    request += data
                conn.sendall(self.answer)
                conn.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


@pytest.fixture(params=sorted(ANSWERS))
def server(request: pytest.FixtureRequest) -> Iterator[CutServer]:
    srv = CutServer(ANSWERS[request.param])
    yield srv
    srv.close()


def _read_all(response: Response) -> bytes:
    return response.read()


def _read_in_pieces(response: Response) -> bytes:
    parts = []
    while piece := response.read(8192):
        parts.append(piece)
    return b"".join(parts)


def _read_large(response: Response) -> bytes:
    return response.read(1 << 20)


def _readinto(response: Response) -> bytes:
    buffer = bytearray(1 << 20)
    total = 0
    while count := response.readinto(memoryview(buffer)[total:]):
        total += count
    return bytes(buffer[:total])


def _iter_bytes(response: Response) -> bytes:
    return b"".join(response.iter_bytes(10_000))


def _content(response: Response) -> bytes:
    return response.content


READS: dict[str, Callable[[Response], bytes]] = {
    "read()": _read_all,
    "read(8192) loop": _read_in_pieces,
    "read(1 MiB)": _read_large,
    "readinto": _readinto,
    "iter_bytes": _iter_bytes,
    "content": _content,
}


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "preloaded"])
@pytest.mark.parametrize("how", sorted(READS))
def test_every_read_of_a_cut_body_raises_incomplete_body_error(
    server: CutServer, how: str, stream: bool
) -> None:
    transport = Urllib3Transport(ClientConfig(endpoint=server.url))
    try:
        with pytest.raises(IncompleteBodyError) as info:
            response = transport.send(Request("GET", ("objects", "b", "o"), stream=stream))
            READS[how](response)
        assert info.value.phase == "read"
        assert "/v1/objects/b/o" in str(info.value)
        assert len(str(info.value)) < 500  # names the cut, never carries the partial body
    finally:
        transport.close()


def test_object_reads_through_the_client_raise_the_typed_error(server: CutServer) -> None:
    # Retried (a broken body is worth another attempt), quickly, and still the typed error.
    quick = RetryPolicy(backoff_factor=0.01, network_wait_min=0.01, network_wait_max=0.02)
    client = Client(server.url, env={}, retry_config=quick)
    obj = client.bucket("b").object("o")
    with pytest.raises(IncompleteBodyError):
        obj.get_reader().read_all()
    with pytest.raises(IncompleteBodyError):
        b"".join(obj.get_reader(chunk_size=4096))
