"""Bucket identity: providers, namespaces and validated bucket references."""

from __future__ import annotations

import enum
import re

from attrs import field, frozen

from aisclient.errors import InvalidBckProvider

_ALIASES = {"s3": "aws", "gs": "gcp", "az": "azure", "oc": "oci"}
_SCHEMES = {"ais": "ais", "aws": "s3", "gcp": "gs", "azure": "az", "oci": "oc"}
MAX_BUCKET_NAME = 64
_BUCKET_NAME = re.compile(r"[A-Za-z0-9_.\-]+")


class Provider(enum.Enum):
    """Backend provider of a bucket, with the values AIS uses on the wire."""

    AIS = "ais"
    AMAZON = "aws"
    AZURE = "azure"
    GOOGLE = "gcp"
    OCI = "oci"

    def is_remote(self) -> bool:
        """True for cloud backends; a method, as in the official SDK (``p.is_remote()``)."""
        return self is not Provider.AIS

    @property
    def scheme(self) -> str:
        """The scheme used when a bucket is written as a URL, e.g. ``s3`` for ``aws``."""
        return _SCHEMES[self.value]

    @staticmethod
    def parse(provider: Provider | str) -> Provider:
        if isinstance(provider, Provider):
            return provider
        if not isinstance(provider, str):
            raise InvalidBckProvider(str(provider))
        text = provider.strip().lower()
        try:
            return Provider(_ALIASES.get(text, text))
        except ValueError:
            raise InvalidBckProvider(provider) from None


@frozen
class Namespace:
    """A bucket namespace: a remote cluster's uuid (or alias) and a name under it."""

    uuid: str = ""
    name: str = ""

    def get_path(self) -> str:
        return f"@{self.uuid}#{self.name}"

    @property
    def is_global(self) -> bool:
        return not self.uuid and not self.name

    @staticmethod
    def parse(text: str) -> Namespace:
        """Inverse of :meth:`get_path`; a missing ``#`` means the whole text is the uuid."""
        body = text[1:] if text.startswith("@") else text
        uuid, _, name = body.partition("#")
        return Namespace(uuid=uuid, name=name)

    def as_json(self) -> dict[str, str]:
        return {"uuid": self.uuid, "name": self.name}


def validate_bucket_name(name: str) -> str:
    """Return ``name`` if AIS accepts it as a bucket name, else raise ``ValueError`` saying why."""
    if not isinstance(name, str):
        raise TypeError(f"bucket name must be a str, not {type(name).__name__}")
    if not name:
        raise ValueError("bucket name must not be empty")
    if len(name.encode()) > MAX_BUCKET_NAME:
        raise ValueError(f"bucket name {name!r} is longer than {MAX_BUCKET_NAME} bytes")
    if not _BUCKET_NAME.fullmatch(name):
        raise ValueError(
            f"bucket name {name!r} has characters other than letters, digits, '-', '_' and '.'"
        )
    if ".." in name:
        raise ValueError(f"bucket name {name!r} must not contain '..'")
    return name


def _to_provider(value: Provider | str) -> Provider:
    return Provider.parse(value)


def _to_namespace(value: Namespace | str | None) -> Namespace | None:
    """A :class:`Namespace`, ``None``, or its path text ``"@uuid#name"`` (parsed)."""
    if value is None or isinstance(value, Namespace):
        return value
    if isinstance(value, str):
        if not value.startswith("@"):
            raise ValueError(
                f"namespace {value!r} must be a Namespace or its path '@uuid#name' "
                "(e.g. '@remote-uuid#ns' or '@#ns')"
            )
        return Namespace.parse(value)
    raise TypeError(f"namespace must be a Namespace (or None), not {type(value).__name__}")


def _check_name(_: object, __: object, value: str) -> None:
    validate_bucket_name(value)


@frozen
class BucketRef:
    """The identity of one bucket: name, provider and namespace. Validated on creation."""

    name: str = field(validator=_check_name)
    provider: Provider = field(default=Provider.AIS, converter=_to_provider)
    namespace: Namespace | None = field(default=None, converter=_to_namespace)

    @property
    def query(self) -> tuple[tuple[str, str], ...]:
        """The ``provider`` (and ``namespace``) query pairs every bucket-scoped request carries."""
        if self.namespace is None or self.namespace.is_global:
            return (("provider", self.provider.value),)
        return (("provider", self.provider.value), ("namespace", self.namespace.get_path()))

    @property
    def uname(self) -> str:
        """``provider/@uuid#ns/name/`` as AIS writes bucket unames (with the trailing slash)."""
        ns = self.namespace.get_path() if self.namespace else "@#"
        return f"{self.provider.value}/{ns}/{self.name}/"

    def is_remote(self) -> bool:
        """A cloud bucket, or an ``ais`` bucket of a remote AIS cluster (namespace uuid)."""
        return self.provider.is_remote() or bool(self.namespace and self.namespace.uuid)

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "provider": self.provider.value,
            "namespace": self.namespace.as_json() if self.namespace else None,
        }

    def __str__(self) -> str:
        ns = (
            ""
            if self.namespace is None or self.namespace.is_global
            else self.namespace.get_path() + "/"
        )
        return f"{self.provider.scheme}://{ns}{self.name}"
