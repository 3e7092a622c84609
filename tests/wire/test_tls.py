"""TLS and mTLS against HTTPS servers on 127.0.0.1 with certificates from a throwaway CA."""

from __future__ import annotations

import os
import ssl
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from _support.httpserver import Call, TestServer
from aisclient.clock import FakeClock
from aisclient.config import resolve_config
from aisclient.errors import AISConnectionError
from aisclient.request import BytesBody, Request
from aisclient.retry import RetryPolicy
from aisclient.transport.retrying import RetryingTransport
from aisclient.transport.urllib3 import Urllib3Transport

GET = Request("GET", ("daemon",), query=(("what", "smap"),))


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def pems(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Paths: the CA, a client cert+key in one file, and the same as a separate pair."""
    root = tmp_path_factory.mktemp("pki")
    client = ca.issue_cert("client.example")
    paths = {
        "ca": root / "ca.pem",
        "other_ca": root / "other-ca.pem",
        "combined": root / "client.pem",
        "cert": root / "client-cert.pem",
        "key": root / "client-key.pem",
    }
    ca.cert_pem.write_to_path(str(paths["ca"]))
    trustme.CA().cert_pem.write_to_path(str(paths["other_ca"]))
    client.private_key_and_cert_chain_pem.write_to_path(str(paths["combined"]))
    client.cert_chain_pems[0].write_to_path(str(paths["cert"]))
    client.private_key_pem.write_to_path(str(paths["key"]))
    return {name: str(path) for name, path in paths.items()}


def _server_context(ca: trustme.CA, *, require_client_cert: bool) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    if require_client_cert:
        context.verify_mode = ssl.CERT_REQUIRED
        ca.configure_trust(context)
    return context


@pytest.fixture
def https(ca: trustme.CA) -> Iterator[TestServer]:
    with TestServer(context=_server_context(ca, require_client_cert=False)) as srv:
        srv.reply_with(200, "secure")
        yield srv


@pytest.fixture
def mtls(ca: trustme.CA) -> Iterator[TestServer]:
    with TestServer(context=_server_context(ca, require_client_cert=True)) as srv:
        srv.reply_with(200, "mutual")
        yield srv


def transport(endpoint: str, **kw: Any) -> Urllib3Transport:
    kw.setdefault("env", {})
    config = resolve_config(endpoint, retry=RetryPolicy.never(), timeout=(2, 5), **kw)
    return Urllib3Transport(config)


def test_verified_with_the_right_ca(https: TestServer, pems: dict[str, str]) -> None:
    assert transport(https.url, ca_cert=pems["ca"]).send(GET).content == b"secure"


def test_ca_from_the_environment(https: TestServer, pems: dict[str, str]) -> None:
    t = transport(https.url, env={"AIS_CLIENT_CA": pems["ca"]})
    assert t.send(GET).content == b"secure"


@pytest.mark.parametrize("which", ["other_ca", "system"])
def test_unverifiable_server_is_a_tls_error_not_retried(
    https: TestServer, pems: dict[str, str], which: str
) -> None:
    ca_cert = pems["other_ca"] if which == "other_ca" else None
    config = resolve_config(https.url, ca_cert=ca_cert, env={}, timeout=(2, 5))
    fake = FakeClock()
    # The default policy would retry a network error; a TLS failure is not one.
    t = RetryingTransport(Urllib3Transport(config), config.retry, clock=fake.clock)
    with pytest.raises(AISConnectionError) as info:
        t.send(GET)
    assert "TLS" in str(info.value) and info.value.phase == ""
    assert https.url in str(info.value)
    assert fake.sleeps == [] and https.seen == []


@pytest.mark.parametrize("where", ["argument", "AIS_SKIP_VERIFY_CRT", "AIS_SKIP_VERIFY"])
def test_skip_verify_passes_and_warns(https: TestServer, where: str) -> None:
    kw: dict[str, Any] = {"skip_verify": True} if where == "argument" else {"env": {where: "yes"}}
    t = transport(https.url, **kw)
    with pytest.warns(UserWarning, match="insecure") as seen:
        assert t.send(GET).content == b"secure"
        assert t.send(GET).content == b"secure"
    # Warned once, when the pool was made; not again for every unverified request.
    assert [w.category for w in seen] == [UserWarning]


def test_skip_verify_ignores_a_wrong_ca(https: TestServer, pems: dict[str, str]) -> None:
    t = transport(https.url, skip_verify=True, ca_cert=pems["other_ca"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert t.send(GET).status == 200


@pytest.mark.parametrize("form", ["combined", "pair", "env"])
def test_mtls_client_certificate_is_accepted(
    mtls: TestServer, pems: dict[str, str], form: str
) -> None:
    if form == "combined":
        t = transport(mtls.url, ca_cert=pems["ca"], client_cert=pems["combined"])
    elif form == "pair":
        t = transport(mtls.url, ca_cert=pems["ca"], client_cert=(pems["cert"], pems["key"]))
    else:
        env = {"AIS_CLIENT_CA": pems["ca"], "AIS_CRT": pems["cert"], "AIS_CRT_KEY": pems["key"]}
        t = transport(mtls.url, env=env)
    assert t.send(GET).content == b"mutual"
    assert mtls.tls_failures == []


@pytest.mark.parametrize("env", [{}, {"AIS_CRT": "only-the-cert.pem"}], ids=["none", "half"])
def test_mtls_without_a_client_certificate_is_refused(
    mtls: TestServer, pems: dict[str, str], env: dict[str, str]
) -> None:
    t = transport(mtls.url, ca_cert=pems["ca"], env=env)
    assert t.config.tls.client_cert is None  # AIS_CRT alone is not enough
    with pytest.raises(AISConnectionError):
        t.send(GET)
    assert mtls.seen == []


def test_large_put_probe_works_over_tls(
    ca: trustme.CA, pems: dict[str, str], https: TestServer
) -> None:
    """The SDK's reason for its manual redirect: HTTPS, a body, and a 307 to a target."""
    with TestServer(context=_server_context(ca, require_client_cert=False)) as target:

        def store(call: Call) -> None:
            call.reply(200, call.body())

        target.handler = store
        https.handler = lambda call: call.redirect(target.url)
        data = os.urandom(300 * 1024)
        request = Request("PUT", ("objects", "b", "o"), body=BytesBody(data), probe_redirect=True)
        response = transport(https.url, ca_cert=pems["ca"]).send(request)
        assert response.content == data
        assert [s.body for s in https.seen] == [b""]
        assert target.seen[0].body == data


def test_probe_to_an_unverifiable_server_is_a_tls_error(
    https: TestServer, pems: dict[str, str]
) -> None:
    request = Request("PUT", ("o",), body=BytesBody(b"x" * 300 * 1024), probe_redirect=True)
    with pytest.raises(AISConnectionError, match="TLS") as info:
        transport(https.url, ca_cert=pems["other_ca"]).send(request)
    assert info.value.phase == ""


def test_client_key_is_not_in_the_config_repr(pems: dict[str, str], tmp_path: Path) -> None:
    config = resolve_config("https://h:1", client_cert=(pems["cert"], pems["key"]), env={})
    assert pems["key"] not in repr(config)
    assert config.tls.client_key == pems["key"]
