"""A listing whose continuation token never advances stops with a typed error instead of
asking for the same page forever (a raw server on 127.0.0.1 that always answers one token)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from _support.httpserver import TestServer
from aisclient import Client
from aisclient.errors import UnexpectedResponseError


@pytest.fixture
def server() -> Iterator[TestServer]:
    with TestServer() as srv:
        yield srv


def page(token: str, *names: str) -> str:
    entries = [{"name": name, "size": 1} for name in names]
    return json.dumps({"uuid": "u1", "continuation_token": token, "entries": entries})


@pytest.mark.parametrize("tokens", [["t1", "t1"], ["t1", "t2", "t1"]], ids=["repeated", "cycle"])
def test_a_token_that_comes_back_stops_the_listing(server: TestServer, tokens: list[str]) -> None:
    answers = iter([page(token, f"o{i}") for i, token in enumerate(tokens)])
    server.handler = lambda call: call.reply(200, next(answers, page(tokens[-1], "again")))
    client = Client(server.url, env={})
    listing = client.bucket("b").list_objects_iter()
    names = []
    with pytest.raises(UnexpectedResponseError, match="does not advance"):
        for entry in listing:
            names.append(entry.name)
            assert len(names) < 50, "the listing never ends"
    assert names == [f"o{i}" for i in range(len(tokens) - 1)]
    assert len(server.seen) == len(tokens)  # bounded: no request after the repeated token


def test_a_listing_that_advances_ends_normally(server: TestServer) -> None:
    answers = iter([page("t1", "a"), page("t2"), page("", "b")])  # an empty middle page is fine
    server.handler = lambda call: call.reply(200, next(answers))
    names = [e.name for e in Client(server.url, env={}).bucket("b").list_objects_iter()]
    assert names == ["a", "b"]
