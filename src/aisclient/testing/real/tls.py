"""Throw-away certificates for an HTTPS cluster on 127.0.0.1 (needs ``trustme``, a test extra)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aisclient.testing.real.config import ServerTls

if TYPE_CHECKING:
    from trustme import LeafCert


@dataclass(frozen=True)
class TlsFiles:
    """A private CA, a server certificate for 127.0.0.1/localhost, and a client certificate.

    Every file is PEM.  Clients verify the server with ``ca_cert``; when the cluster requires
    client certificates, a client presents ``client_cert`` with ``client_key``.
    """

    ca_cert: Path
    server_crt: Path
    server_key: Path
    client_cert: Path
    client_key: Path

    def server(self, *, require_client_cert: bool = False) -> ServerTls:
        return ServerTls(
            self.server_crt, self.server_key, self.ca_cert, require_client_cert=require_client_cert
        )


def make_tls_files(directory: Path) -> TlsFiles:
    """Issue a fresh CA and leaf certificates into ``directory`` (created, mode 0700)."""
    try:
        import trustme
    except ImportError as err:  # pragma: no cover - trustme ships with the test extra
        raise RuntimeError(
            "an HTTPS cluster needs the `trustme` package (pip install 'aisclient[test]')"
        ) from err
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    ca = trustme.CA(organization_name="aisclient test CA")
    # Leaves carry both serverAuth and clientAuth usages, so a node's certificate also serves
    # as its client certificate towards the other nodes.
    server = ca.issue_cert("127.0.0.1", "localhost")
    client = ca.issue_cert("aisclient-test-client")
    files = TlsFiles(
        ca_cert=directory / "ca.pem",
        server_crt=directory / "server.pem",
        server_key=directory / "server.key",
        client_cert=directory / "client.pem",
        client_key=directory / "client.key",
    )
    ca.cert_pem.write_to_path(str(files.ca_cert))
    server.private_key_pem.write_to_path(str(files.server_key))
    _write_chain(server, files.server_crt)
    client.private_key_pem.write_to_path(str(files.client_key))
    _write_chain(client, files.client_cert)
    for key in (files.server_key, files.client_key):
        key.chmod(0o600)
    return files


def _write_chain(leaf: LeafCert, path: Path) -> None:
    blobs = [pem.bytes() for pem in leaf.cert_chain_pems]
    path.write_bytes(b"".join(blobs))
