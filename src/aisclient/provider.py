"""Bucket identity: providers, namespaces and validated bucket references."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from typing import Any

from attrs import field, frozen

from aisclient.errors import InvalidBckProvider, InvalidURLException

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

    def require_remote(self, operation: str) -> None:
        """Raise ``InvalidBckProvider`` unless this bucket is remote (cloud or remote AIS)."""
        if not self.is_remote():
            raise InvalidBckProvider(
                self.provider.value,
                f"{operation} needs a remote bucket (cloud or remote AIS), not {self}",
            )

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


def as_bucket_ref(value: Any, what: str = "bucket") -> BucketRef:
    """The :class:`BucketRef` of a bucket argument: a BucketRef, a ``Bucket`` (its ``.ref``),
    a bucket model (``name`` and ``provider`` attributes) or a ``{"name", "provider",
    "namespace"}`` mapping. Anything else is a ``TypeError`` that names the argument."""
    if isinstance(value, BucketRef):
        return value
    ref = getattr(value, "ref", None)
    if isinstance(ref, BucketRef):
        return ref
    if isinstance(value, Mapping):
        if isinstance(value.get("name"), str):
            return BucketRef(
                value["name"],
                value.get("provider") or Provider.AIS,
                _namespace_of(value.get("namespace")),
            )
    else:
        name = getattr(value, "name", None)
        # A provider attribute too: an Object has a name but is no bucket.
        if isinstance(name, str) and hasattr(value, "provider"):
            namespace = _namespace_of(getattr(value, "namespace", None))
            return BucketRef(name, getattr(value, "provider", None) or Provider.AIS, namespace)
    raise TypeError(
        f"{what} must be a Bucket (e.g. client.bucket('name')) or BucketRef, "
        f"not {type(value).__name__}"
    )


def _namespace_of(value: object) -> Namespace | str | None:
    if isinstance(value, Mapping):
        return Namespace(**value)
    return value or None  # type: ignore[return-value]


def parse_object_url(url: str) -> tuple[Provider, str, str]:
    """Split ``provider://bucket/object``.

    The object name is everything after ``bucket/``, verbatim: ``?``, ``#`` and further
    slashes are part of it (an object may be called ``report?v=2.csv``). A URL without all three
    parts, with an invalid bucket name, or with a control character raises
    ``InvalidURLException``; an unknown provider raises ``InvalidBckProvider``.
    """
    if not isinstance(url, str) or _CONTROL_CHAR(url):
        raise InvalidURLException(repr(url) if not isinstance(url, str) else url)
    scheme, sep, rest = url.partition("://")
    bucket, _, name = rest.partition("/")
    if not sep or not scheme or not bucket or not name:
        raise InvalidURLException(url)
    provider = Provider.parse(scheme)
    try:
        validate_bucket_name(bucket)
    except ValueError as err:
        raise InvalidURLException(url) from err
    return provider, bucket, name


# C0 controls and DEL: no object name AIS stores contains them, and a URL that does was cut
# or pasted wrongly.
_CONTROL_CHAR = re.compile(r"[\x00-\x1f\x7f]").search
