"""Client configuration as frozen values, resolved once by a function of arguments and env.

Precedence for every field: explicit argument > environment variable > default. Invalid
environment values warn and fall back to the default; invalid arguments raise at once.

The token is the one field with three sources: the ``token`` argument (a str, a
:class:`~aisclient.token.TokenProvider` or a function returning a str), else a token file
(the ``token_file`` argument, else ``AIS_AUTHN_TOKEN_FILE``; re-read when it changes), else
``AIS_AUTHN_TOKEN``. Surrounding whitespace is stripped from every token.

Resolution reads the environment mapping it is given and, to fail before the first request,
checks that the certificate and token files it names exist; nothing else touches the system.
"""

from __future__ import annotations

import errno
import math
import os
import warnings
from collections.abc import Mapping
from urllib.parse import SplitResult, urlsplit

from attrs import field, frozen

from aisclient.retry import RetryPolicy
from aisclient.retry_sdk import RetryConfig, as_policy
from aisclient.timeouts import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_READ_TIMEOUT,
    Timeout,
    check_seconds,
)
from aisclient.token import FileToken, StaticToken, TokenArg, TokenProvider, as_token_provider

DEFAULT_MAX_POOL_SIZE = 10
_TRUTHY = frozenset({"1", "t", "true", "y", "yes", "on"})

TimeoutArg = float | int | tuple[float | int | None, float | int | None] | None
# A retry setting: our policy, or the official SDK's RetryConfig (converted to a policy).
RetryArg = RetryPolicy | RetryConfig


@frozen(repr=False)
class TlsConfig:
    """TLS policy: verify against the system store (default) or ``ca_cert``; optional mTLS."""

    skip_verify: bool = False
    ca_cert: str | None = None
    client_cert: str | None = None
    client_key: str | None = None

    def __repr__(self) -> str:
        # Paths are not secrets, but keep the repr short and never show key material.
        key = "set" if self.client_key else None
        return (
            f"TlsConfig(skip_verify={self.skip_verify}, ca_cert={self.ca_cert!r}, "
            f"client_cert={self.client_cert!r}, client_key={key})"
        )


def _hidden(provider: TokenProvider | None) -> str:
    if provider is None:
        return "None"
    return "'***'" if isinstance(provider, StaticToken) else repr(provider)


def _provider(value: TokenArg | None) -> TokenProvider | None:
    return as_token_provider(value)


@frozen(repr=False)
class ClientConfig:
    """Everything a transport needs, resolved. Compares, hashes and pickles; hides the token.

    ``token`` (the constructor argument) may be a str, a provider or a function; it is kept as
    :attr:`token_provider`, and :attr:`token` reads the provider's current token.
    """

    endpoint: str
    timeout: Timeout = field(factory=Timeout)
    retry: RetryPolicy = field(factory=RetryPolicy, converter=as_policy)
    tls: TlsConfig = field(factory=TlsConfig)
    token_provider: TokenProvider | None = field(default=None, converter=_provider, alias="token")
    max_pool_size: int = DEFAULT_MAX_POOL_SIZE

    @property
    def token(self) -> str | None:
        """The token to send now (``None``: none)."""
        provider = self.token_provider
        return None if provider is None else provider.token()

    def __repr__(self) -> str:
        return (
            f"ClientConfig(endpoint={redact_userinfo(self.endpoint)!r}, timeout={self.timeout!r}, "
            f"retry={self.retry!r}, tls={self.tls!r}, token={_hidden(self.token_provider)}, "
            f"max_pool_size={self.max_pool_size})"
        )

    __str__ = __repr__


def resolve_config(
    endpoint: str | None = None,
    *,
    skip_verify: bool = False,
    ca_cert: str | os.PathLike[str] | None = None,
    client_cert: str | os.PathLike[str] | tuple[str, str] | None = None,
    timeout: TimeoutArg | Timeout = None,
    retry: RetryArg | None = None,
    token: TokenArg | None = None,
    max_pool_size: int | None = None,
    env: Mapping[str, str] | None = None,
    token_file: str | os.PathLike[str] | None = None,
) -> ClientConfig:
    """Resolve a :class:`ClientConfig` from explicit arguments, then ``env``, then defaults.

    ``env`` defaults to ``os.environ``; pass a dict to resolve without touching the process.
    The endpoint may come from ``AIS_ENDPOINT`` when not given (an extension over the SDK).
    The token: ``token`` > ``token_file`` > ``AIS_AUTHN_TOKEN_FILE`` > ``AIS_AUTHN_TOKEN``.
    Certificate and token files must exist (``FileNotFoundError`` naming the setting).
    """
    environ: Mapping[str, str] = os.environ if env is None else env
    # An SDK RetryConfig counts as the policy it converts to (it was converted when built).
    policy = RetryPolicy() if retry is None else as_policy(retry)
    tls = resolve_tls(skip_verify, ca_cert, client_cert, environ)
    _check_tls_files(tls)
    return ClientConfig(
        endpoint=resolve_endpoint(endpoint, environ),
        timeout=resolve_timeout(timeout, environ),
        retry=policy,
        tls=tls,
        token=resolve_token(token, token_file, environ),
        max_pool_size=resolve_max_pool_size(max_pool_size, environ),
    )


def resolve_token(
    token: TokenArg | None, token_file: str | os.PathLike[str] | None, env: Mapping[str, str]
) -> TokenProvider | None:
    """The token's provider: argument > token file (argument, then env) > env token."""
    if token is not None and token != "":
        return as_token_provider(token, "token")
    path = _path(token_file, "token_file") or env.get("AIS_AUTHN_TOKEN_FILE") or None
    if path is not None:
        return FileToken(path)
    return as_token_provider(env.get("AIS_AUTHN_TOKEN") or None, "AIS_AUTHN_TOKEN")


def _check_tls_files(tls: TlsConfig) -> None:
    """Fail at configuration, not at the first request, when a certificate file is missing."""
    for what, path in (
        ("ca_cert (or AIS_CLIENT_CA)", tls.ca_cert),
        ("client_cert (or AIS_CRT)", tls.client_cert),
        ("the client_cert key (or AIS_CRT_KEY)", tls.client_key),
    ):
        if path is not None and not os.path.isfile(path):
            raise FileNotFoundError(errno.ENOENT, f"{what} is not a file", path)


def redact_userinfo(url: str) -> str:
    """``url`` with a password in its userinfo replaced by ``***`` (fit for reprs and errors)."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:  # unparsable (e.g. a bad IPv6 host): hide all that may be userinfo
        scheme, sep, rest = url.rpartition("://")
        return f"{scheme}{sep}***@{rest.rpartition('@')[2]}" if "@" in rest else url
    if password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return SplitResult(parts.scheme, f"{user}:***@{host}", parts.path, parts.query, "").geturl()


def resolve_endpoint(endpoint: str | None, env: Mapping[str, str]) -> str:
    value = endpoint if endpoint else env.get("AIS_ENDPOINT", "")
    if not isinstance(value, str):
        raise TypeError(f"endpoint must be a str, not {type(value).__name__}")
    if not value:
        raise ValueError("endpoint is required (pass it, or set AIS_ENDPOINT)")
    shown = redact_userinfo(value)  # a password in the URL never reaches a message
    try:
        parts = urlsplit(value)
    except ValueError as err:
        raise ValueError(f"endpoint {shown!r} is not a valid URL: {err}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"endpoint {shown!r} must look like http://host:port or https://host:port")
    if parts.query or parts.fragment:
        raise ValueError(f"endpoint {shown!r} must not have a query or fragment")
    try:
        parts.port  # noqa: B018 - validates the port number
    except ValueError:
        raise ValueError(f"endpoint {shown!r} has an invalid port") from None
    return value.rstrip("/")


def resolve_timeout(timeout: TimeoutArg | Timeout, env: Mapping[str, str]) -> Timeout:
    if isinstance(timeout, Timeout):
        return timeout
    if timeout is None:
        return Timeout(
            connect=_env_seconds(env, "AIS_CONNECT_TIMEOUT", DEFAULT_CONNECT_TIMEOUT),
            read=_env_seconds(env, "AIS_READ_TIMEOUT", DEFAULT_READ_TIMEOUT),
        )
    if isinstance(timeout, tuple | list):
        if len(timeout) != 2:
            raise ValueError(f"timeout tuple must be (connect, read), got {len(timeout)} items")
        # A None member means no limit for that phase, as 0 does (so as_sdk_value() round-trips).
        return Timeout(connect=timeout[0], read=timeout[1])
    seconds = check_seconds(timeout, "value")
    return Timeout(connect=seconds, read=seconds)


def _env_seconds(env: Mapping[str, str], name: str, default: float) -> float | None:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        number = float(raw)
    except ValueError:
        number = math.nan
    if math.isnan(number) or math.isinf(number) or number < 0:
        warnings.warn(
            f"Invalid value for {name}={raw!r}. Using default timeout of {default:g} seconds.",
            UserWarning,
            stacklevel=4,
        )
        return default
    return None if number == 0 else number


def resolve_max_pool_size(max_pool_size: int | None, env: Mapping[str, str]) -> int:
    if max_pool_size is not None:
        if isinstance(max_pool_size, bool) or not isinstance(max_pool_size, int):
            raise TypeError(f"max_pool_size must be an int, not {max_pool_size!r}")
        if max_pool_size < 1:
            raise ValueError(f"max_pool_size must be >= 1, not {max_pool_size}")
        return max_pool_size
    raw = env.get("AIS_MAX_CONN_POOL", "").strip()
    if not raw:
        return DEFAULT_MAX_POOL_SIZE
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        warnings.warn(
            f"Invalid value for AIS_MAX_CONN_POOL={raw!r}. "
            f"Using default max_pool_size of {DEFAULT_MAX_POOL_SIZE}.",
            UserWarning,
            stacklevel=3,
        )
        return DEFAULT_MAX_POOL_SIZE
    return value


def _truthy(value: str | None) -> bool:
    return value is not None and value.strip().lower() in _TRUTHY


def _path(value: object, what: str) -> str | None:
    """A file path argument (``str`` or ``os.PathLike``) as text; ``None``/``""`` give ``None``."""
    if value is None:
        return None
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a file path (str or os.PathLike), not {value!r}")
    return value or None


def resolve_tls(
    skip_verify: bool,
    ca_cert: str | os.PathLike[str] | None,
    client_cert: str | os.PathLike[str] | tuple[str, str] | None,
    env: Mapping[str, str],
) -> TlsConfig:
    """TLS settings; the certificate arguments are checked here, before any connection."""
    ca_arg = _path(ca_cert, "ca_cert")
    cert: str | None
    key: str | None
    if isinstance(client_cert, tuple | list):
        if len(client_cert) != 2:
            raise ValueError("client_cert must be a path or a (cert, key) pair of paths")
        cert = _path(client_cert[0], "client_cert[0] (the certificate)")
        key = _path(client_cert[1], "client_cert[1] (the key)")
    else:
        cert, key = _path(client_cert, "client_cert"), None
    if cert is None and env.get("AIS_CRT") and env.get("AIS_CRT_KEY"):
        cert, key = env["AIS_CRT"], env["AIS_CRT_KEY"]
    if skip_verify:
        skip = True
    elif "AIS_SKIP_VERIFY_CRT" in env:  # canonical; the legacy name counts only when this is unset
        skip = _truthy(env["AIS_SKIP_VERIFY_CRT"])
    else:
        skip = _truthy(env.get("AIS_SKIP_VERIFY"))
    ca = None if skip else (ca_arg or env.get("AIS_CLIENT_CA") or None)
    return TlsConfig(skip_verify=skip, ca_cert=ca, client_cert=cert, client_key=key)
