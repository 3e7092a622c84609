"""Offline pieces of ``ais://``: path splitting, info dicts, error mapping, options, repr."""

from __future__ import annotations

import errno
import pickle
from datetime import UTC, datetime

import pytest

from aisclient.errors import ErrBckAlreadyExists, ErrObjNotFound, error_from_response
from aisclient.fsspec import AISFileSystem
from aisclient.fsspec.details import from_entry, listing_time, nanoseconds_time
from aisclient.fsspec.errors import as_os_error, os_errors
from aisclient.fsspec.paths import depth_below, parent_dirs, require_object, split_path
from aisclient.models.bucket import BucketEntry


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("", ("", "")),
        ("b", ("b", "")),
        ("b/", ("b", "")),
        ("b/k", ("b", "k")),
        ("b/d/e/k.txt", ("b", "d/e/k.txt")),
        ("/k", ("", "k")),
    ],
)
def test_split_path(path: str, expected: tuple[str, str]) -> None:
    assert split_path(path) == expected


def test_bad_bucket_names_and_missing_keys() -> None:
    with pytest.raises(ValueError, match="bad name"):
        split_path("bad name/k")
    with pytest.raises(ValueError, match="names no bucket"):
        require_object("/k")
    with pytest.raises(IsADirectoryError):
        require_object("bucket")


def test_depths_and_parents() -> None:
    assert depth_below("", "a") == 1
    assert depth_below("d", "d/e/f") == 2
    assert parent_dirs("d", "d/e/f/g") == ["d/e", "d/e/f"]
    assert parent_dirs("", "a/b") == ["a"]


def test_entries_become_info_dicts() -> None:
    file = from_entry("b", BucketEntry("d/k", size=5, checksum="ab", atime="04 Dec 26 17:55 UTC"))
    assert file == {
        "name": "b/d/k",
        "size": 5,
        "type": "file",
        "mtime": datetime(2026, 12, 4, 17, 55, tzinfo=UTC),
        "checksum": "ab",
        "version": None,
    }
    assert from_entry("b", BucketEntry("d/e/", flags=256))["type"] == "directory"
    assert listing_time("garbage") is None
    assert nanoseconds_time("1700000000000000000") == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert nanoseconds_time("") is None


def _error(status: int, tcode: str = "", message: str = "m") -> object:
    body = f'{{"tcode":"{tcode}","message":"{message}","status":{status}}}'.encode()
    return error_from_response(status, {}, body, url="http://ais/v1/objects/b/k")


def test_error_mapping() -> None:
    missing = as_os_error(ErrObjNotFound(404, "gone", "u"), "b/k")
    assert isinstance(missing, FileNotFoundError)
    assert (missing.errno, missing.filename) == (errno.ENOENT, "b/k")
    assert isinstance(as_os_error(_error(403), "b/k"), PermissionError)  # type: ignore[arg-type]
    assert isinstance(as_os_error(_error(401), "b/k"), PermissionError)  # type: ignore[arg-type]
    assert isinstance(as_os_error(ErrBckAlreadyExists(409, "x", "u"), "b"), FileExistsError)
    lmeta = _error(500, "ErrLmetaNotFound", "no data available")
    assert isinstance(as_os_error(lmeta, "b/d"), FileNotFoundError)  # type: ignore[arg-type]
    assert as_os_error(_error(500), "b/k") is None  # type: ignore[arg-type]


def test_os_errors_chains_the_ais_error_and_passes_others() -> None:
    original = ErrObjNotFound(404, "gone", "u")
    with pytest.raises(FileNotFoundError) as caught, os_errors("b/k"):
        raise original
    assert caught.value.__cause__ is original
    server = _error(500)
    with pytest.raises(type(server)) as passed, os_errors("b/k"):  # type: ignore[arg-type]
        raise server  # type: ignore[misc]
    assert passed.value is server


def test_options_reach_the_client_and_the_buckets() -> None:
    fs = AISFileSystem(
        "http://ais:8080", provider="gcp", namespace="@remote#ns", skip_instance_cache=True
    )
    url = fs.object("b/k").get_url()
    assert url.startswith("http://ais:8080/v1/objects/b/k?")
    assert "provider=gcp" in url and "namespace=%40remote%23ns" in url
    with pytest.raises(ValueError, match="max_workers"):
        AISFileSystem("http://ais:8080", max_workers=0, skip_instance_cache=True)
    with pytest.raises(ValueError, match="page_size"):
        AISFileSystem("http://ais:8080", page_size=-1, skip_instance_cache=True)


def test_the_token_stays_out_of_the_repr_and_survives_pickling() -> None:
    fs = AISFileSystem("http://ais:8080", token="s3cret-token", skip_instance_cache=True)
    assert "s3cret" not in repr(fs)
    clone = pickle.loads(pickle.dumps(fs))
    assert clone.client.config.token == "s3cret-token"
    assert "s3cret" not in repr(clone)
