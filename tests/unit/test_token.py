"""Token providers: values that pickle, compare and never show the token."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from aisclient.config import ClientConfig
from aisclient.token import (
    CallableToken,
    FileToken,
    StaticToken,
    TokenProvider,
    as_token_provider,
    clean_token,
)

SECRET = "tok-9b1e"


def fetch() -> str:
    return SECRET


def test_every_form_becomes_a_provider() -> None:
    static = as_token_provider(f" {SECRET}\n")
    assert isinstance(static, StaticToken) and static.token() == SECRET
    assert not static.refresh()
    assert as_token_provider(None) is None and as_token_provider("  \n") is None
    from_function = as_token_provider(fetch)
    assert isinstance(from_function, CallableToken) and from_function.token() == SECRET
    assert as_token_provider(static) is static and isinstance(static, TokenProvider)
    with pytest.raises(TypeError, match="token must be"):
        as_token_provider(42)  # type: ignore[arg-type]


def test_providers_pickle_and_hide_the_token(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text(SECRET)
    for provider in (StaticToken(SECRET), FileToken(path), CallableToken(fetch)):
        copy = pickle.loads(pickle.dumps(provider))
        assert copy.token() == SECRET
        assert SECRET not in repr(provider)
        config = ClientConfig("http://h:1", token=provider)
        assert config.token == SECRET and SECRET not in repr(config)


def test_a_callable_is_asked_again_only_on_refresh() -> None:
    calls: list[int] = []

    def counted() -> str:
        calls.append(1)
        return f"t{len(calls)}"

    provider = CallableToken(counted)
    assert [provider.token(), provider.token()] == ["t1", "t1"]
    assert provider.refresh() and provider.token() == "t2" and len(calls) == 2


def test_a_file_refresh_reports_whether_the_token_changed(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text("one")
    provider = FileToken(path)
    assert not provider.refresh()
    path.write_text("two")
    assert provider.refresh() and provider.token() == "two"


def test_clean_token_names_the_source_never_the_token() -> None:
    assert clean_token("\tabc \r\n", "token") == "abc"
    with pytest.raises(ValueError, match="AIS_AUTHN_TOKEN has a character outside") as info:
        clean_token(f"{SECRET}\u2603", "AIS_AUTHN_TOKEN")
    assert SECRET not in str(info.value)
