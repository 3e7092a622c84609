"""The pure URL steps of one attempt: where a redirect leads and which origin gets the token."""

from __future__ import annotations

import pytest

from aisclient.errors import RedirectError
from aisclient.transport.urls import Hop, Origin, Where, next_hop, split_url, token_allowed

URL = "http://proxy:8080/v1/objects/b/o?provider=ais"


def test_a_redirect_keeps_method_and_body_and_records_the_visit() -> None:
    seen = {URL}
    hop = next_hop("PUT", URL, 307, "http://t1:9090/v1/objects/b/o?sig=1", seen)
    assert hop == Hop(
        "PUT",
        "http://t1:9090/v1/objects/b/o?sig=1",
        Where("http", "t1", 9090, "/v1/objects/b/o?sig=1"),
        keeps_body=True,
    )
    assert hop.url in seen


def test_a_303_becomes_a_get_without_body() -> None:
    hop = next_hop("POST", URL, 303, "/v1/status", set())
    assert (hop.method, hop.url, hop.keeps_body) == ("GET", "http://proxy:8080/v1/status", False)


@pytest.mark.parametrize(
    ("location", "message"),
    [
        (None, "without Location"),
        ("", "without Location"),
        ("//[bad", "cannot follow"),
        ("ftp://elsewhere/x", "cannot follow"),
        (URL, "redirect loop"),
    ],
)
def test_bad_redirects_are_redirect_errors(location: str | None, message: str) -> None:
    with pytest.raises(RedirectError, match=message):
        next_hop("GET", URL, 302, location, {URL})


def test_the_token_stays_with_its_origin() -> None:
    origin = split_url(URL).origin
    assert origin == Origin("http", "proxy", 8080)
    assert token_allowed(origin, split_url("http://proxy:8080/v1/buckets"))
    assert not token_allowed(origin, split_url("http://t1:9090/v1/objects/b/o"))
    assert not token_allowed(origin, split_url("https://proxy:8080/v1/objects/b/o"))
    assert not token_allowed(None, split_url(URL))
    # the default port is the same origin whether written or not
    assert token_allowed(split_url("https://h/x").origin, split_url("https://h:443/y"))
