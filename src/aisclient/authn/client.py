"""``AuthNClient``: log in and out of an AuthN server and manage its clusters, roles and users.

The client keeps the token of its last login and sends it on every later request, as the
official SDK's does. Its configuration follows :func:`aisclient.resolve_config` (argument >
``AIS_*`` variable > default) and requests go through the same transport and retry layer as a
``Client``'s; only the cluster's own settings (``AIS_ENDPOINT``, ``AIS_AUTHN_TOKEN``,
``AIS_AUTHN_TOKEN_FILE``) are not taken over.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from aisclient.authn import ops
from aisclient.authn.errors import authn_error_from_response
from aisclient.authn.managers import ClusterManager, RoleManager, TokenManager, UserManager
from aisclient.clock import SYSTEM_CLOCK, Clock
from aisclient.config import ClientConfig, RetryArg, TimeoutArg, resolve_config
from aisclient.errors import UnexpectedResponseError
from aisclient.request import Request
from aisclient.token import clean_token
from aisclient.transport.base import Response, Transport, close_transport, redact_url
from aisclient.transport.retrying import RetryingTransport

__all__ = ["AuthNClient"]

# Settings that belong to the AIS cluster, not to the AuthN server.
_CLUSTER_ONLY_ENV = frozenset({"AIS_ENDPOINT", "AIS_AUTHN_TOKEN", "AIS_AUTHN_TOKEN_FILE"})


class SessionToken:
    """The token of the client's current login, as a token provider: the transport asks for
    it at each request, so a login or logout takes effect at once."""

    __slots__ = ("_value",)

    def __init__(self, value: str | None = None) -> None:
        self._value = clean_token(value, "token")

    def token(self) -> str | None:
        return self._value

    def refresh(self) -> bool:
        return False  # only a new login gives a new token

    def set(self, value: str | None) -> None:
        self._value = clean_token(value, "token")

    def __repr__(self) -> str:
        return "SessionToken('***')" if self._value else "SessionToken(None)"


class AuthNClient:
    """A client of one AuthN server.

    ``endpoint`` is the server's URL (else ``AIS_AUTHN_URL``). ``skip_verify``, ``ca_cert``,
    ``client_cert``, ``timeout`` and ``retry`` mean what they mean for ``Client``; ``token``
    is an existing AuthN token (admin operations need an admin's). ``transport`` replaces the
    urllib3 transport (e.g. a mock in tests); the retry policy is applied around it, waiting
    on ``clock``.
    """

    def __init__(
        self,
        endpoint: str | None = None,
        skip_verify: bool = False,
        ca_cert: str | os.PathLike[str] | None = None,
        timeout: TimeoutArg = None,
        retry: RetryArg | None = None,
        token: str | None = None,
        *,
        client_cert: str | os.PathLike[str] | tuple[str, str] | None = None,
        transport: Transport | None = None,
        env: Mapping[str, str] | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        environ: Mapping[str, str] = os.environ if env is None else env
        if endpoint is None:
            endpoint = environ.get("AIS_AUTHN_URL", "")
        if not endpoint:
            raise ValueError("endpoint is required (the AuthN server's URL, or set AIS_AUTHN_URL)")
        if token is not None and not isinstance(token, str):
            raise TypeError(f"token must be a str or None, not {type(token).__name__}")
        scoped = {k: v for k, v in environ.items() if k not in _CLUSTER_ONLY_ENV}
        self._token = SessionToken(token)
        self._config = resolve_config(
            endpoint,
            skip_verify=skip_verify,
            ca_cert=ca_cert,
            client_cert=client_cert,
            timeout=timeout,
            retry=retry,
            token=self._token,
            env=scoped,
        )
        if transport is None:
            from aisclient.transport.urllib3 import Urllib3Transport

            transport = Urllib3Transport(self._config)
        self._transport = RetryingTransport(transport, self._config.retry, clock=clock)

    # -- settings ---------------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        return self._config.endpoint

    @property
    def config(self) -> ClientConfig:
        return self._config

    @property
    def token(self) -> str | None:
        """The token sent with every request: the last login's, or the one given."""
        return self._token.token()

    @token.setter
    def token(self, value: str | None) -> None:
        if value is not None and not isinstance(value, str):
            raise TypeError(f"token must be a str or None, not {type(value).__name__}")
        self._token.set(value)

    def __repr__(self) -> str:
        token = "'***'" if self.token else "None"
        return f"AuthNClient({self.endpoint!r}, token={token})"

    # -- sessions ---------------------------------------------------------------------

    def login(self, username: str, password: str, expires_in: float | None = None) -> str:
        """Log in; the new token is returned and used for this client's later requests.

        ``expires_in`` is the token's lifetime in seconds (``None``: the server's default,
        0: its maximum). Wrong credentials raise ``ErrUserInvalidCredentials``.
        """
        reply = self.send_json(ops.login(username, password, expires_in))
        token = reply.get("token") if isinstance(reply, dict) else None
        if not isinstance(token, str) or not token:
            raise UnexpectedResponseError(
                f"AuthN at {self.endpoint} answered the login without a token"
            )
        self.token = token
        return token

    def logout(self) -> None:
        """Revoke this client's token and forget it."""
        if not self.token:
            raise ValueError("not logged in: there is no token to revoke")
        self.send(ops.revoke_token(self.token)).close()
        self.token = None

    # -- managers ---------------------------------------------------------------------

    def cluster_manager(self) -> ClusterManager:
        return ClusterManager(self)

    def role_manager(self) -> RoleManager:
        return RoleManager(self)

    def user_manager(self) -> UserManager:
        return UserManager(self)

    def token_manager(self) -> TokenManager:
        return TokenManager(self)

    # -- sending ----------------------------------------------------------------------

    def send(self, request: Request) -> Response:
        """Send ``request``; an error status raises the matching ``AuthNError``.

        A request with its own ``endpoint`` (a cluster's proxy) gets AIS's error mapping.
        """
        response = self._transport.send(request)
        if response.status < 400:
            return response
        if request.endpoint is not None:
            raise response.error()
        body = response.content
        raise authn_error_from_response(
            response.status, response.headers, body, request, url=redact_url(response.url)
        )

    def send_json(self, request: Request) -> Any:
        """Send ``request`` and decode its JSON answer (``None`` for an empty body)."""
        return self.send(request).json()

    def close(self) -> None:
        close_transport(self._transport)

    def __enter__(self) -> AuthNClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
