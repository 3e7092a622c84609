"""``Client.get_object_from_url``: every row of (no request is sent)."""

from __future__ import annotations

import pytest

from aisclient import Client
from aisclient.client import parse_object_url
from aisclient.errors import InvalidBckProvider, InvalidURLException
from aisclient.provider import Provider
from aisclient.transport.mock import StubTransport


@pytest.fixture
def client() -> Client:
    return Client("http://proxy:8080", transport=StubTransport())  # any request would fail


@pytest.mark.parametrize(
    ("url", "provider", "bucket", "name"),
    [
        ("ais://b/o", Provider.AIS, "b", "o"),
        ("AIS://b/dir/o.txt", Provider.AIS, "b", "dir/o.txt"),
        ("s3://b/o", Provider.AMAZON, "b", "o"),
        ("gs://b/o", Provider.GOOGLE, "b", "o"),
        ("aws://b/o", Provider.AMAZON, "b", "o"),
        ("azure://b/o", Provider.AZURE, "b", "o"),
        ("ais://b//o", Provider.AIS, "b", "/o"),  # every character after "bucket/" is the name
        ("ais://b/o?x=1#f", Provider.AIS, "b", "o?x=1#f"),
    ],
)
def test_valid_urls(client: Client, url: str, provider: Provider, bucket: str, name: str) -> None:
    obj = client.get_object_from_url(url)
    assert (obj.bucket_provider, obj.bucket_name, obj.name) == (provider, bucket, name)
    assert obj.bucket_namespace is None  # always the global namespace


@pytest.mark.parametrize(
    ("url", "provider"),
    [("az://b/o", Provider.AZURE), ("oc://b/o", Provider.OCI)],
)
def test_server_scheme_aliases_are_accepted(client: Client, url: str, provider: Provider) -> None:
    # Spec row: the SDK raises InvalidBckProvider here, but the server accepts these schemes
    # and aisclient's Provider.parse does too (a deliberate superset of the SDK).
    assert client.get_object_from_url(url).bucket_provider is provider


def test_unknown_scheme_is_invalid_provider(client: Client) -> None:
    with pytest.raises(InvalidBckProvider) as info:
        client.get_object_from_url("http://h/x/y")
    assert info.value.provider == "http"
    assert not isinstance(info.value, InvalidURLException)


@pytest.mark.parametrize("url", ["ais://b", "ais://b/", "ais:///o", "b/o", "ais://@uuid#ns/b/o"])
def test_missing_parts_are_invalid_urls(client: Client, url: str) -> None:
    with pytest.raises(InvalidURLException) as info:
        client.get_object_from_url(url)
    assert str(info.value) == (
        f"Invalid URL: {url!r}. Ensure it follows the format 'provider://bucket/object'."
    )


@pytest.mark.parametrize("url", ["ais://user@b/o", "ais://b:80/o", "ais://[b/o"])
def test_invalid_bucket_names_are_invalid_urls(client: Client, url: str) -> None:
    with pytest.raises(InvalidURLException) as info:
        parse_object_url(url)
    assert isinstance(info.value.__cause__, ValueError)  # says which rule the name broke
    with pytest.raises(InvalidURLException):
        client.get_object_from_url(url)


def test_non_string_url(client: Client) -> None:
    with pytest.raises(InvalidURLException):
        client.get_object_from_url(None)  # type: ignore[arg-type]
