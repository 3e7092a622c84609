"""fsspec's own abstract test suites (copy, get, put, open, pipe) run on ``ais://``, against
LocalCluster and the real aisnode (the ``fs`` fixture is parametrised over both)."""

from __future__ import annotations

import posixpath
import uuid
from collections.abc import Callable, Iterator

import pytest

abstract = pytest.importorskip("fsspec.tests.abstract")

from aisclient.fsspec import AISFileSystem  # noqa: E402


@pytest.fixture(scope="module")
def suite_buckets() -> Iterator[dict[str, tuple[str, AISFileSystem]]]:
    """One bucket per cluster for this module (tests work under their own prefix in it)."""
    made: dict[str, tuple[str, AISFileSystem]] = {}
    yield made
    for name, fs in made.values():
        fs.client.bucket(name).delete(missing_ok=True)


class AISFixtures(abstract.AbstractFixtures):  # type: ignore[misc]
    @pytest.fixture
    def fs(self, ais_fs: AISFileSystem) -> AISFileSystem:
        return ais_fs

    @pytest.fixture
    def fs_path(
        self, fs: AISFileSystem, suite_buckets: dict[str, tuple[str, AISFileSystem]]
    ) -> str:
        endpoint = fs.client.endpoint
        if endpoint not in suite_buckets:
            suite_buckets[endpoint] = (f"fsabs-{uuid.uuid4().hex[:10]}", fs)
            fs.mkdir(suite_buckets[endpoint][0])
        return f"{suite_buckets[endpoint][0]}/{uuid.uuid4().hex[:8]}"

    @pytest.fixture
    def fs_join(self) -> Callable[..., str]:
        return posixpath.join

    @pytest.fixture
    def supports_empty_directories(self) -> bool:
        return False  # directories are prefixes of object names


class TestAISCopy(abstract.AbstractCopyTests, AISFixtures):  # type: ignore[misc]
    pass


class TestAISGet(abstract.AbstractGetTests, AISFixtures):  # type: ignore[misc]
    pass


class TestAISPut(abstract.AbstractPutTests, AISFixtures):  # type: ignore[misc]
    pass


class TestAISOpen(abstract.AbstractOpenTests, AISFixtures):  # type: ignore[misc]
    pass


class TestAISPipe(abstract.AbstractPipeTests, AISFixtures):  # type: ignore[misc]
    pass
