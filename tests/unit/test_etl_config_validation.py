"""ETLConfig checks ETL names like ``Etl.validate_etl_name``; SDK import paths re-export it."""

from __future__ import annotations

import pytest

from aisclient import Client
from aisclient.etl import Etl
from aisclient.transport.mock import StubTransport


@pytest.mark.parametrize("name", ["BAD NAME", "ab", "", "Upper-etl", "x" * 33, "trail-"])
def test_bad_names_fail_when_the_config_is_made(name: str) -> None:
    from aisclient.etl_config import ETLConfig

    with pytest.raises(ValueError, match="ETL name") as from_config:
        ETLConfig(name, {"k": "v"})
    with pytest.raises(ValueError) as from_etl:
        Etl.validate_etl_name(name)
    assert str(from_config.value) == str(from_etl.value)  # one rule, one message


def test_wrong_name_types_and_etl_values() -> None:
    from aisclient.etl_config import ETLConfig

    with pytest.raises(TypeError, match="ETLConfig name"):
        ETLConfig(5)  # type: ignore[arg-type]
    client = Client("http://ais.invalid:8080", transport=StubTransport())
    chain = client.etl("first-etl") >> client.etl("second-etl")
    assert ETLConfig(chain).query_pairs()[:2] == (
        ("etl_name", "first-etl"),
        ("etl_pipeline", "second-etl"),
    )
    assert ETLConfig().query_pairs() == ()


def test_no_request_carries_a_bad_name() -> None:
    from aisclient.etl_config import ETLConfig

    stub = StubTransport()
    client = Client("http://ais.invalid:8080", transport=stub)
    obj = client.bucket("b").object("o")
    with pytest.raises(ValueError, match="ETL name"):
        obj.get_reader(etl=ETLConfig("BAD NAME")).read_all()
    stub.assert_done()


def test_sdk_import_paths() -> None:
    from aisclient import ETLConfig as top
    from aisclient.dsort import (
        Dsort,
        DsortAlgorithm,
        DsortFramework,
        DsortMetrics,
        DsortShardsGroup,
        ExternalKeyMap,
        JobInfo,
        LocalExtraction,
        MetaSorting,
        ShardCreation,
    )
    from aisclient.etl import ETLConfig
    from aisclient.etl_config import ETLConfig as original
    from aisclient.multiobj import (
        ObjectCollection,
        ObjectGroup,
        ObjectNames,
        ObjectRange,
        ObjectTemplate,
    )

    assert ETLConfig is original is top
    assert all(
        isinstance(cls, type)
        for cls in (
            Dsort,
            DsortAlgorithm,
            DsortFramework,
            DsortMetrics,
            DsortShardsGroup,
            ExternalKeyMap,
            JobInfo,
            LocalExtraction,
            MetaSorting,
            ShardCreation,
            ObjectCollection,
            ObjectGroup,
            ObjectNames,
            ObjectRange,
            ObjectTemplate,
        )
    )
