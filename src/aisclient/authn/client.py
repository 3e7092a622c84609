"""``AuthNClient``: log in and out of an AuthN server and manage its clusters, roles and users.

The client keeps the token of its last login and sends it on every later request, as the
official SDK's does. Its configuration follows :func:`aisclient.resolve_config` (argument >
``AIS_*`` variable > default) and requests go through the same transport as a ``Client``'s;
only the cluster's own settings (``AIS_ENDPOINT``, ``AIS_AUTHN_TOKEN``) are not taken over.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from attrs import evolve

from aisclient.authn import ops
from aisclient.authn.errors import authn_error_from_response
from aisclient.config import ClientConfig, RetryArg, TimeoutArg, resolve_config
from aisclient.errors import AISError
from aisclient.request import Request
from aisclient.transport.base import Response, Transport, redact_url

if TYPE_CHECKING:
    from aisclient.authn.managers import ClusterManager, RoleManager, TokenManager, UserManager

__all__ = ["AuthNClient", "TransportFactory"]

#: Builds the transport for a configuration; called again when the token changes.
TransportFactory = Callable[[ClientConfig], Transport]

# Settings that belong to the AIS cluster, not to the AuthN server.
_CLUSTER_ONLY_ENV = frozenset({"AIS_ENDPOINT", "AIS_AUTHN_TOKEN"})


def _default_transport(config: ClientConfig) -> Transport:
    from aisclient.transport.urllib3 import Urllib3Transport

    return Urllib3Transport(config)


class AuthNClient:
    """A client of one AuthN server.

    ``endpoint`` is the server's URL (else ``AIS_AUTHN_URL``). ``skip_verify``, ``ca_cert``,
    ``client_cert``, ``timeout`` and ``retry`` mean what they mean for ``Client``; ``token``
    is an existing AuthN token (admin operations need an admin's). ``transport_factory``
    replaces the urllib3 transport, e.g. with a mock in tests.
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
        transport_factory: TransportFactory | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        environ: Mapping[str, str] = os.environ if env is None else env
        if endpoint is None:
            endpoint = environ.get("AIS_AUTHN_URL", "")
        if not endpoint:
            raise ValueError("endpoint is required (the AuthN server's URL, or set AIS_AUTHN_URL)")
        scoped = {k: v for k, v in environ.items() if k not in _CLUSTER_ONLY_ENV}
        self._config = resolve_config(
            endpoint,
            skip_verify=skip_verify,
            ca_cert=ca_cert,
            client_cert=client_cert,
            timeout=timeout,
            retry=retry,
            token=token,
            env=scoped,
        )
        self._factory: TransportFactory = transport_factory or _default_transport
        self._transport = self._factory(self._config)

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
        return self._config.token

    @token.setter
    def token(self, value: str | None) -> None:
        if value is not None and not isinstance(value, str):
            raise TypeError(f"token must be a str or None, not {type(value).__name__}")
        if (value or None) == self._config.token:
            return
        # The configuration is a frozen value; a new token means a new transport around it.
        self._config = evolve(self._config, token=value or None)
        old, self._transport = self._transport, self._factory(self._config)
        _close(old)

    def __repr__(self) -> str:
        token = "'***'" if self._config.token else "None"
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
            raise AISError(f"AuthN at {self.endpoint} answered the login without a token")
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
        from aisclient.authn.managers import ClusterManager

        return ClusterManager(self)

    def role_manager(self) -> RoleManager:
        from aisclient.authn.managers import RoleManager

        return RoleManager(self)

    def user_manager(self) -> UserManager:
        from aisclient.authn.managers import UserManager

        return UserManager(self)

    def token_manager(self) -> TokenManager:
        from aisclient.authn.managers import TokenManager

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
        response = self.send(request)
        try:
            return response.json()
        except ValueError as err:
            raise AISError(
                f"{request.method} {redact_url(response.url)}: the answer is not JSON"
            ) from err

    def close(self) -> None:
        _close(self._transport)

    def __enter__(self) -> AuthNClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _close(transport: Transport) -> None:
    close = getattr(transport, "close", None)
    if callable(close):
        close()
