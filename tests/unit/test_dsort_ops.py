"""dSort builders and spec values: the exact start body and every request."""

from __future__ import annotations

import pytest

from aisclient.ops import dsort as ops
from aisclient.ops.dsort import DsortAlgorithm, DsortFramework, DsortShardsGroup, ExternalKeyMap
from aisclient.provider import BucketRef, Namespace
from aisclient.request import BytesBody, JsonBody, Request

IN = BucketRef("in")
OUT = BucketRef("out")


class Range:
    """Stands in for multiobj.ObjectRange: only ``get_value`` matters."""

    def __init__(self, template: str) -> None:
        self.template = template

    def get_value(self) -> dict[str, str]:
        return {"template": self.template}


class Names:
    def __init__(self, names: list[str]) -> None:
        self.names = names

    def get_value(self) -> dict[str, list[str]]:
        return {"objnames": self.names}


def framework(**kwargs: object) -> DsortFramework:
    return DsortFramework(
        DsortShardsGroup(IN, "input", Range("shard-{0..9..1}"), ".tar"),
        DsortShardsGroup(OUT, "output", Range("out-{00..99..1}"), ".tar"),
        **kwargs,  # type: ignore[arg-type]
    )


def test_spec_matches_the_sdk_example() -> None:
    spec = framework(output_shard_size="10MiB").to_spec()
    assert spec == {
        "input_bck": {"name": "in", "provider": "ais"},
        "input_format": {"template": "shard-{0..9..1}"},
        "input_extension": ".tar",
        "output_bck": {"name": "out", "provider": "ais"},
        "output_format": "out-{00..99..1}",
        "output_extension": ".tar",
        "algorithm": {"kind": "alphanumeric", "decreasing": False, "seed": ""},
        "description": "",
        "output_shard_size": "10MiB",
    }
    assert list(spec) == [
        "input_bck",
        "input_format",
        "input_extension",
        "output_bck",
        "output_format",
        "output_extension",
        "algorithm",
        "description",
        "output_shard_size",
    ]


def test_spec_variants() -> None:
    ns_bucket = BucketRef("nsb", "aws", Namespace("u", "n"))
    fw = DsortFramework(
        DsortShardsGroup(ns_bucket, "input", Names(["a.tar", "b.tar"]), ".tgz"),
        DsortShardsGroup(OUT, "output", "o-{0..3}.tgz", ".tgz"),
        DsortAlgorithm(kind="content", extension=".cls", content_key_type="int", decreasing=True),
        "desc",
        1024,
        extra={"dsorter_type": "dsort_general", "max_mem_usage": "50%"},
    )
    spec = fw.to_spec()
    assert spec["input_bck"] == {
        "name": "nsb",
        "provider": "aws",
        "namespace": {"uuid": "u", "name": "n"},
    }
    assert spec["input_format"] == {"objnames": ["a.tar", "b.tar"]}
    assert spec["output_format"] == "o-{0..3}.tgz"
    assert spec["algorithm"] == {
        "kind": "content",
        "decreasing": True,
        "seed": "",
        "extension": ".cls",
        "content_key_type": "int",
    }
    assert spec["description"] == "desc" and spec["output_shard_size"] == "1024"
    assert spec["dsorter_type"] == "dsort_general" and spec["max_mem_usage"] == "50%"
    assert "output_shard_size" not in framework().to_spec()


def test_plain_values_are_accepted_as_formats() -> None:
    group = DsortShardsGroup(IN, "input", ["x.tar"], ".tar")
    assert group.as_dict()["input_format"] == {"objnames": ["x.tar"]}
    assert DsortShardsGroup(IN, "input", "s-{0..1}.tar").as_dict()["input_format"] == {
        "template": "s-{0..1}.tar"
    }


def test_shards_group_validation() -> None:
    with pytest.raises(ValueError, match="role"):
        DsortShardsGroup(IN, "middle", "x", ".tar")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="input format"):
        DsortShardsGroup(IN, "input", ExternalKeyMap(), ".tar")
    with pytest.raises(ValueError, match="input format"):
        DsortShardsGroup(IN, "input", 42, ".tar")
    with pytest.raises(ValueError, match="output format"):
        DsortShardsGroup(OUT, "output", Names(["a"]), ".tar")
    with pytest.raises(ValueError, match="extension"):
        DsortShardsGroup(IN, "input", "x", "")
    with pytest.raises(TypeError):
        DsortShardsGroup(object(), "input", "x", ".tar")
    with pytest.raises(ValueError, match="role 'input'"):
        DsortFramework(
            DsortShardsGroup(OUT, "output", "o-{0..1}", ".tar"),
            DsortShardsGroup(OUT, "output", "o-{0..1}", ".tar"),
        )


def test_algorithm_rules() -> None:
    assert DsortAlgorithm(kind="shuffle", seed="42").as_dict() == {
        "kind": "shuffle",
        "decreasing": False,
        "seed": "42",
    }
    with pytest.raises(ValueError, match="kind"):
        DsortAlgorithm(kind="md5")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="digits"):
        DsortAlgorithm(kind="shuffle", seed="abc")
    with pytest.raises(ValueError, match="extension"):
        DsortAlgorithm(kind="content", content_key_type="int")
    with pytest.raises(ValueError, match="content_key_type"):
        DsortAlgorithm(kind="content", extension=".cls")
    with pytest.raises(ValueError, match="only to kind='content'"):
        DsortAlgorithm(extension=".cls")
    assert framework(algorithm=None).algorithm == DsortAlgorithm()


def test_external_key_map() -> None:
    ekm = ExternalKeyMap()
    ekm["shard-{0..9}.tar"] = Names(["r1", "r2"])
    ekm["other.tar"] = ["r3"]
    assert ekm.as_dict() == {"shard-{0..9}.tar": ["r1", "r2"], "other.tar": ["r3"]}
    assert str(ekm) == ""
    with pytest.raises(TypeError):
        ekm["bad"] = 5
    with pytest.raises(TypeError):
        ExternalKeyMap({"x": "not names"})


def test_plan_start_with_ekm_uploads_the_map_first() -> None:
    ekm = ExternalKeyMap({"o-{0..9}.tar": ["r1"]})
    fw = DsortFramework(
        DsortShardsGroup(IN, "input", "s-{0..2}.tar", ".tar"),
        DsortShardsGroup(OUT, "output", ekm, ".tar"),
        output_shard_size="1MiB",
    )
    upload, spec = ops.plan_start(fw, "http://proxy:8080")
    assert upload == Request(
        "PUT",
        ("objects", "in", "ekm-file.json"),
        query=(("provider", "ais"),),
        body=BytesBody(b'{"o-{0..9}.tar":["r1"]}', "application/json"),
        probe_redirect=True,
    )
    assert spec["output_format"] == ""
    assert spec["ekm_file"] == "http://proxy:8080/v1/objects/in/ekm-file.json?provider=ais"
    assert spec["ekm_file_sep"] == ""
    assert ops.plan_start(framework(), "http://p:1") == (None, framework().to_spec())


def test_requests() -> None:
    assert ops.start({"a": 1}) == Request(
        "POST", ("sort",), body=JsonBody.of({"a": 1}), idempotent=False
    )
    assert ops.job_info("srt-1") == Request("GET", ("sort",), query=(("uuid", "srt-1"),))
    assert ops.abort("srt-1") == Request("DELETE", ("sort", "abort"), query=(("uuid", "srt-1"),))
    assert ops.remove("srt-1") == Request(
        "DELETE", ("sort",), query=(("uuid", "srt-1"),), idempotent=False
    )
    assert ops.list_jobs() == Request("GET", ("sort",))
    assert ops.list_jobs("^srt-", True) == Request(
        "GET", ("sort",), query=(("regex", "^srt-"), ("only_active", "true"))
    )
    for builder in (ops.job_info, ops.abort, ops.remove):
        with pytest.raises(ValueError, match="job id"):
            builder("")
    with pytest.raises(ValueError, match="mapping"):
        ops.start(["not", "a", "mapping"])  # type: ignore[arg-type]


def test_framework_from_spec_round_trips() -> None:
    spec = framework(description="d", output_shard_size="5KiB").to_spec()
    spec["dry_run"] = True
    again = DsortFramework.from_spec(spec)
    assert again.to_spec() == spec
    assert again.extra == {"dry_run": True}
    minimal = DsortFramework.from_spec(
        {"input_bck": {"name": "in"}, "input_format": {"objnames": ["a"]}, "output_format": "o"}
    )
    assert minimal.output_shards.bck == IN and minimal.output_shards.extension == ".tar"
    with pytest.raises(ValueError, match="input_bck"):
        DsortFramework.from_spec({"output_format": "x"})
