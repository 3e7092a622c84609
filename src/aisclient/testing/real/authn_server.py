"""A real AuthN server on 127.0.0.1 (HS256 tokens, its database in its own directory)."""

from __future__ import annotations

import atexit
import secrets
from pathlib import Path
from types import TracebackType
from typing import Final

import urllib3

from aisclient.testing.real.config import ServerTls, free_ports, node_url, write_authn_config
from aisclient.testing.real.install import AUTHN, AisnodeNotFoundError, authn_binary
from aisclient.testing.real.process import (
    LOG_TAIL_LINES,
    STOP_TIMEOUT,
    ClusterStartError,
    NotReady,
    ServerProcess,
    child_environment,
    spawn,
    stop_process,
    wait_until_ready,
)

ADMIN_NAME: Final = "admin"
AUTHN_STARTUP_TIMEOUT: Final = 30.0
_BIND_FAILURE: Final = "address already in use"


class AuthNServer:
    """One AuthN server process, as a context manager; ``endpoint`` is its URL.

    ``conf_dir`` holds ``authn.json``, the user database and the logs; it is created and
    left in place (the caller owns it). The first start creates the ``admin`` user with
    ``admin_password`` (random unless given). A start whose port was taken meanwhile is
    retried on a new port, up to ``attempts`` tries. With ``tls`` the server speaks HTTPS
    with that certificate and verifies HTTPS clusters with that CA (not the system store).
    """

    def __init__(
        self,
        conf_dir: Path,
        binary: Path | str | None = None,
        *,
        install: bool = False,
        secret: str | None = None,
        admin_password: str | None = None,
        startup_timeout: float = AUTHN_STARTUP_TIMEOUT,
        stop_timeout: float = STOP_TIMEOUT,
        attempts: int = 3,
        tls: ServerTls | None = None,
    ) -> None:
        if binary is None:
            found = authn_binary(install=install)
            if found is None:
                raise AisnodeNotFoundError(
                    f"no AuthN server binary: set {AUTHN.env_var}, or run "
                    "`python -m aisclient.testing.real install --authn`"
                )
            binary = found
        self.binary = Path(binary)
        self.conf_dir = conf_dir
        self.secret = secret or secrets.token_urlsafe(32)
        self.admin_name = ADMIN_NAME
        self.admin_password = admin_password or secrets.token_urlsafe(16)
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self.attempts = max(1, attempts)
        self.tls = tls
        self.port: int | None = None
        self.exit_code: int | None = None
        self._server: ServerProcess | None = None

    def __repr__(self) -> str:
        where = self.endpoint if self.port is not None else "not started"
        return f"AuthNServer({where}, admin={self.admin_name!r}, password='***', secret='***')"

    @property
    def endpoint(self) -> str:
        if self.port is None:
            raise RuntimeError("AuthNServer is not started")
        return node_url(self.port, https=self.tls is not None)

    @property
    def pid(self) -> int | None:
        return None if self._server is None else self._server.proc.pid

    @property
    def running(self) -> bool:
        return self._server is not None and self._server.running

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        return "" if self._server is None else self._server.tail(lines)

    def __enter__(self) -> AuthNServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> AuthNServer:
        if self._server is not None:
            raise RuntimeError("AuthNServer is already started")
        for attempt in range(1, self.attempts + 1):
            atexit.register(self.stop)
            self.port = free_ports(1)[0]
            config = write_authn_config(self.conf_dir, self.port, secret=self.secret, tls=self.tls)
            env = child_environment()
            # Read only when the database is empty (the first start).
            env["AIS_AUTHN_SU_NAME"] = self.admin_name
            env["AIS_AUTHN_SU_PASS"] = self.admin_password
            if self.tls is not None:
                # AuthN calls clusters over HTTPS but has no CA option; Go reads the roots
                # from this file instead of the system store.
                env["SSL_CERT_FILE"] = str(self.tls.ca_cert)
            self._server = spawn(
                "authn",
                [str(self.binary), f"-config={config.parent}"],
                workdir=self.conf_dir,
                info_log=self.conf_dir / "logs" / "authn.INFO",
                env=env,
            )
            try:
                self._wait_ready()
                return self
            except NotReady as err:
                tail = self.log_tail()
                self.stop()
                if err.exited and _BIND_FAILURE in tail and attempt < self.attempts:
                    continue
                raise ClusterStartError(f"AuthN server: {err}\n{tail}") from None
            except BaseException:
                self.stop()
                raise
        raise AssertionError("unreachable")

    def _wait_ready(self) -> None:
        assert self._server is not None
        ca = None if self.tls is None else str(self.tls.ca_cert)
        with urllib3.PoolManager(
            retries=False, timeout=urllib3.Timeout(connect=1.0, read=5.0), ca_certs=ca
        ) as http:
            # GET /v1/roles needs no token and answers once the database is open.
            url = f"{self.endpoint}/v1/roles"
            wait_until_ready(url, [self._server], http, timeout=self.startup_timeout, interval=0.1)

    def stop(self) -> int | None:
        """Stop the server (idempotent); return its exit code."""
        atexit.unregister(self.stop)
        server, self._server = self._server, None
        if server is not None:
            self.exit_code = stop_process(server.proc, self.stop_timeout)
        return self.exit_code
