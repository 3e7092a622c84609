"""Properties of the dSort spec builder, job-info decoding and the wait decision."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from aisclient.dsort import wait_outcome
from aisclient.models.dsort import decode_job_map
from aisclient.ops.dsort import (
    DsortAlgorithm,
    DsortFramework,
    DsortShardsGroup,
    ExternalKeyMap,
    plan_start,
)
from aisclient.provider import BucketRef, Namespace, Provider

bucket_names = st.from_regex(r"[a-z0-9_\-]{1,16}", fullmatch=True)
namespaces = st.none() | st.builds(
    Namespace,
    st.from_regex(r"[a-z0-9]{0,6}", fullmatch=True),
    st.from_regex(r"[a-z]{0,6}", fullmatch=True),
)
buckets = st.builds(BucketRef, bucket_names, st.sampled_from(list(Provider)), namespaces)
templates = st.from_regex(r"[a-z]{1,6}-\{0{0,2}0\.\.[1-9]{1,2}\}\.tar", fullmatch=True)
names = st.lists(st.from_regex(r"[a-z0-9./]{1,12}", fullmatch=True), min_size=1, max_size=5)
extensions = st.sampled_from([".tar", ".tgz", ".tar.gz", ".zip", ".tar.lz4"])
algorithms = st.one_of(
    st.builds(DsortAlgorithm, st.just("alphanumeric"), st.booleans()),
    st.builds(
        DsortAlgorithm,
        st.just("shuffle"),
        st.booleans(),
        st.from_regex(r"[0-9]{0,8}", fullmatch=True),
    ),
    st.builds(
        DsortAlgorithm,
        st.just("content"),
        st.booleans(),
        st.just(""),
        st.from_regex(r"\.[a-z]{1,4}", fullmatch=True),
        st.sampled_from(["int", "float", "string"]),
    ),
)


@st.composite
def frameworks(draw: st.DrawFn) -> DsortFramework:
    in_format = draw(st.one_of(templates, names))
    return DsortFramework(
        DsortShardsGroup(draw(buckets), "input", in_format, draw(extensions)),
        DsortShardsGroup(draw(buckets), "output", draw(templates), draw(extensions)),
        draw(algorithms),
        draw(st.none() | st.text(max_size=20)),
        draw(st.none() | st.sampled_from(["1KiB", "10MiB", "2G"]) | st.integers(1, 2**40)),
        extra=draw(
            st.dictionaries(
                st.sampled_from(["dry_run", "max_mem_usage", "dsorter_type"]), st.text(max_size=5)
            )
        ),
    )


@settings(max_examples=300)
@given(frameworks())
def test_spec_round_trips_through_from_spec(framework: DsortFramework) -> None:
    spec = framework.to_spec()
    assert DsortFramework.from_spec(spec).to_spec() == spec


@settings(max_examples=300)
@given(frameworks())
def test_spec_shape(framework: DsortFramework) -> None:
    spec = framework.to_spec()
    for role in ("input", "output"):
        bck = spec[f"{role}_bck"]
        ref = getattr(framework, f"{role}_shards").bck
        assert bck["name"] == ref.name and bck["provider"] == ref.provider.value
        global_ns = ref.namespace is None or ref.namespace.is_global
        assert ("namespace" in bck) is not global_ns
    assert len(spec["input_format"]) == 1
    assert set(spec["input_format"]) <= {"template", "objnames"}
    algorithm = spec["algorithm"]
    assert {"kind", "decreasing", "seed"} <= set(algorithm)
    assert ("extension" in algorithm) == (algorithm["kind"] == "content")
    assert ("output_shard_size" in spec) == bool(framework.output_shard_size)
    assert "ekm_file" not in spec
    assert plan_start(framework, "http://p:1") == (None, spec)


@settings(max_examples=300)
@given(st.dictionaries(st.text(min_size=1, max_size=10), names, max_size=5))
def test_external_key_map_keeps_its_content(mapping: dict[str, list[str]]) -> None:
    ekm = ExternalKeyMap(mapping)
    assert ekm.as_dict() == mapping and str(ekm) == ""


def target_info(finished: bool, aborted: bool, as_text: bool, count: int) -> dict[str, Any]:
    counter: Any = str(count) if as_text else count
    return {
        "id": "srt-1",
        "loc-objs": counter,
        "Metrics": {
            "shard_creation": {"finished": finished, "created_count": counter},
            "aborted": aborted,
        },
    }


states = st.lists(
    st.tuples(st.booleans(), st.booleans(), st.booleans(), st.integers(0, 2**62)),
    min_size=1,
    max_size=6,
)


@settings(max_examples=300)
@given(states)
def test_wait_decision_and_lenient_counters(targets: list[tuple[bool, bool, bool, int]]) -> None:
    doc = {f"t{i}": target_info(*state) for i, state in enumerate(targets)}
    infos = decode_job_map(doc)
    for (_, _, _, count), info in zip(targets, infos.values(), strict=True):
        assert info.objects == count
        assert info.metrics is not None and info.metrics.shard_creation.created_count == count
    any_aborted = any(aborted for _, aborted, _, _ in targets)
    all_finished = all(finished for finished, _, _, _ in targets)
    outcome = wait_outcome("srt-1", infos)
    if not any_aborted and not all_finished:
        assert outcome is None
    else:
        assert outcome is not None
        assert outcome.success == (all_finished and not any_aborted)
