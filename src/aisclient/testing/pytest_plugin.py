"""pytest plugin (entry point ``pytest11``): LocalCluster fixtures.

Nothing heavy is imported until a test asks for a fixture, so having the plugin
installed costs nothing for test suites that do not use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from aisclient.testing.local import Faults, LocalCluster


@pytest.fixture(scope="session")
def ais_local_cluster() -> Iterator[LocalCluster]:
    """A started :class:`~aisclient.testing.local.LocalCluster`, shared by the session."""
    from aisclient.testing.local import LocalCluster

    with LocalCluster() as cluster:
        yield cluster


@pytest.fixture
def ais_local_faults(ais_local_cluster: LocalCluster) -> Iterator[Faults]:
    """The session cluster's fault injector, cleared after the test."""
    ais_local_cluster.faults.clear()
    yield ais_local_cluster.faults
    ais_local_cluster.faults.clear()
