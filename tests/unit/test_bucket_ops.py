"""The exact requests the bucket builders produce, checked against the wire spec."""

from __future__ import annotations

import pytest

from aisclient.ops import bucket as ops
from aisclient.ops.copy import CopyOptions, EtlStage
from aisclient.provider import BucketRef, Namespace, Provider
from aisclient.request import render_url

SRC = BucketRef("src")
DST = BucketRef("dst")
BASE = "http://proxy:8080"


def test_create_bucket_sends_create_bck_action() -> None:
    request = ops.create_bucket(SRC)
    assert (request.method, request.path, request.query) == (
        "POST",
        ("buckets", "src"),
        (("provider", "ais"),),
    )
    assert request.json == {"action": "create-bck", "name": "", "value": None}
    assert not request.idempotent


def test_create_bucket_with_props_and_dont_head_remote() -> None:
    request = ops.create_bucket(
        BucketRef("b", "aws"), {"versioning": {"enabled": False}}, dont_head_remote=True
    )
    assert request.query == (("provider", "aws"), ("dont_head_remote_bck", "true"))
    assert request.json["value"] == {"versioning": {"enabled": False}}


def test_destroy_bucket() -> None:
    request = ops.destroy_bucket(SRC)
    assert request.method == "DELETE"
    assert request.json == {"action": "destroy-bck", "name": "", "value": None}


def test_head_bucket_with_namespace_and_presence() -> None:
    ref = BucketRef("b", Provider.AIS, Namespace("uuid1", "ns"))
    request = ops.head_bucket(ref, presence=2, dont_add_remote=True)
    assert request.method == "HEAD"
    assert request.body is None
    assert request.query == (
        ("provider", "ais"),
        ("namespace", "@uuid1#ns"),
        ("presence", "2"),
        ("dont_add_remote_bck_md", "true"),
    )
    assert render_url(BASE, request) == (
        "http://proxy:8080/v1/buckets/b?provider=ais&namespace=%40uuid1%23ns&presence=2"
        "&dont_add_remote_bck_md=true"
    )


def test_set_and_reset_props() -> None:
    request = ops.set_bucket_props(SRC, {"mirror": {"enabled": True, "copies": 2}})
    assert request.method == "PATCH"
    assert request.json == {
        "action": "set-bprops",
        "name": "",
        "value": {"mirror": {"enabled": True, "copies": 2}},
    }
    assert ops.reset_bucket_props(SRC).json["action"] == "reset-bprops"
    with pytest.raises(ValueError):
        ops.set_bucket_props(SRC, {})


def test_list_objects_first_page_matches_spec_example() -> None:
    request = ops.list_objects(SRC, prefix="img/", props="name,size,checksum", page_size=1000)
    assert request.method == "GET"
    assert request.idempotent
    assert request.json == {
        "action": "list",
        "name": "",
        "value": {
            "prefix": "img/",
            "pagesize": 1000,
            "uuid": "",
            "props": "name,size,checksum",
            "continuation_token": "",
            "flags": "0",
            "target": "",
        },
    }
    # JSON answers: no msgpack Accept header
    assert request.header("Accept") is None


def test_list_objects_start_after_flags_and_inventory() -> None:
    request = ops.list_objects(
        SRC, start_after="k", flags=8, inventory_name="inv1", uuid="u", continuation_token="t"
    )
    value = request.json["value"]
    assert value["start_after"] == "k"
    assert value["flags"] == str(8 | (1 << 15))
    assert (value["uuid"], value["continuation_token"]) == ("u", "t")
    assert request.header("Ais-Inv-Name") == "inv1"
    with pytest.raises(ValueError):
        ops.list_objects(SRC, page_size=-1)


def test_summary_body() -> None:
    request = ops.summary(SRC, uuid="j1", prefix="p")
    assert request.method == "GET"
    assert request.json == {
        "action": "summary-bck",
        "name": "",
        "value": {"uuid": "j1", "prefix": "p", "cached": True, "present": True},
    }


def test_info_prefix_in_path_only_on_first_request() -> None:
    first = ops.info(SRC, prefix="dir/sub")
    assert first.method == "HEAD"
    assert first.path == ("buckets", "src", "dir/sub")
    assert first.query == (("provider", "ais"), ("bsumm_remote", "true"), ("presence", "0"))
    poll = ops.info(SRC, prefix="dir/sub", uuid="x1", bsumm_remote=False, flt_presence=2)
    assert poll.path == ("buckets", "src")
    assert poll.query == (
        ("provider", "ais"),
        ("bsumm_remote", "false"),
        ("presence", "2"),
        ("uuid", "x1"),
    )


def test_copy_bucket_matches_spec_example() -> None:
    request = ops.copy_bucket(SRC, DST, CopyOptions(prefix="img/"))
    assert request.method == "POST"
    assert request.query == (("provider", "ais"), ("bck_to", "ais/@#/dst/"))
    assert request.json == {
        "action": "copy-bck",
        "name": "",
        "value": {
            "prefix": "img/",
            "prepend": "",
            "dry_run": False,
            "force": False,
            "latest-ver": False,
            "synchronize": False,
        },
    }
    assert not request.idempotent


def test_copy_bucket_optional_fields() -> None:
    request = ops.copy_bucket(
        SRC,
        BucketRef("dst", "gcp"),
        CopyOptions(
            ext={"jpg": "png"},
            num_workers=4,
            continue_on_error=True,
            dry_run=True,
            force=True,
            latest=True,
            sync=True,
        ),
    )
    value = request.json["value"]
    assert value["ext"] == {"jpg": "png"}
    assert value["num-workers"] == 4
    assert value["coer"] is True
    assert value["dry_run"] and value["force"] and value["latest-ver"] and value["synchronize"]
    assert request.query_value("bck_to") == "gcp/@#/dst/"
    with pytest.raises(ValueError, match="prepend"):
        ops.copy_bucket(SRC, DST, CopyOptions(prepend="x/", sync=True))


def test_transform_bucket_matches_etl_spec_example() -> None:
    request = ops.transform_bucket(
        SRC,
        BucketRef("dst", "aws"),
        EtlStage("my-etl1", pipeline=["etl-two2"]),
        CopyOptions(
            prefix="a/", prepend="x-", ext={"jpg": "png"}, num_workers=4, continue_on_error=True
        ),
    )
    assert request.query == (("provider", "ais"), ("bck_to", "aws/@#/dst/"))
    assert request.json == {
        "action": "etl-bck",
        "name": "",
        "value": {
            "ext": {"jpg": "png"},
            "num-workers": 4,
            "coer": True,
            "prefix": "a/",
            "prepend": "x-",
            "dry_run": False,
            "force": False,
            "latest-ver": False,
            "synchronize": False,
            "id": "my-etl1",
            "request_timeout": "5m",
            "pipeline": ["etl-two2"],
        },
    }


def test_transform_pipeline_null_when_unused() -> None:
    value = ops.transform_bucket(SRC, DST, EtlStage("etl-one1", timeout="1m")).json["value"]
    assert value["pipeline"] is None
    assert value["request_timeout"] == "1m"
    assert "coer" not in value and "num-workers" not in value and "ext" not in value
    with pytest.raises(ValueError):
        ops.transform_bucket(SRC, DST, EtlStage(""))


def test_rename_and_evict() -> None:
    request = ops.rename_bucket(SRC, BucketRef("new"))
    assert request.query == (("provider", "ais"), ("bck_to", "ais/@#/new/"))
    assert request.json == {"action": "move-bck", "name": "", "value": None}
    with pytest.raises(ValueError):
        ops.rename_bucket(SRC, SRC)
    evict = ops.evict_bucket(BucketRef("c", "aws"), keep_md=True)
    assert evict.method == "DELETE"
    assert evict.query == (("provider", "aws"), ("keep_bck_md", "true"))
    assert evict.json["action"] == "evict-remote-bck"


def test_inventory_builders_send_only_non_default_keys() -> None:
    assert ops.create_inventory(SRC).json["value"] == {}
    full = ops.create_inventory(
        SRC, name="i", prefix="p", props="name", names_per_chunk=5, force=True
    )
    assert full.json["value"] == {
        "name": "i",
        "prefix": "p",
        "props": "name",
        "names_per_chunk": 5,
        "force": True,
    }
    assert ops.destroy_inventory(SRC, "i").json == {
        "action": "destroy-inventory",
        "name": "i",
        "value": None,
    }
    assert ops.show_inventory(SRC).method == "GET"


def test_bucket_action_uses_given_params() -> None:
    request = ops.bucket_action(SRC, "post", "make-n-copies", 2, {"provider": "ais", "x": "1"})
    assert request.method == "POST"
    assert request.query == (("provider", "ais"), ("x", "1"))
    assert request.json == {"action": "make-n-copies", "name": "", "value": 2}
