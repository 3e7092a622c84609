"""Cluster map decoding and HRW target selection."""

from __future__ import annotations

import pytest

from aisclient.errors import NoTargetError, UnexpectedResponseError
from aisclient.models._convert import structure
from aisclient.models.cluster import (
    HRW_SEED,
    SNODE_DECOMM,
    SNODE_MAINT,
    Bmd,
    ETLInfo,
    NetInfo,
    Smap,
    Snode,
    _splitmix64,
    decode_buckets,
    decode_smap,
    xoshiro256_hash,
    xxhash64,
)


def net(port: int) -> dict[str, str]:
    return {
        "node_ip_addr": "127.0.0.1",
        "daemon_port": str(port),
        "direct_url": f"http://127.0.0.1:{port}",
    }


def node(node_id: str, kind: str, port: int, flags: int = 0) -> dict[str, object]:
    return {
        "daemon_id": node_id,
        "daemon_type": kind,
        "public_net": net(port),
        "intra_control_net": net(port + 100),
        "intra_data_net": net(port + 200),
        "flags": flags,
        "id_digest": xxhash64(node_id.encode(), HRW_SEED),
    }


SMAP = {
    "pmap": {"p1": node("p1", "proxy", 51080, 2)},
    "proxy_si": node("p1", "proxy", 51080, 2),
    "tmap": {
        "t1": node("t1", "target", 51081),
        "t2": node("t2", "target", 51082),
        "t3": node("t3", "target", 51083),
    },
    "uuid": "wjGF3nciO",
    "creation_time": "2026-11-25 08:40:16",
    "version": "123",
    "ext": None,
}


def test_smap_decoding() -> None:
    smap = decode_smap(SMAP)
    assert smap.version == 123 and smap.uuid == "wjGF3nciO"
    assert smap.primary_url == "http://127.0.0.1:51080"
    assert sorted(smap.tmap) == ["t1", "t2", "t3"]
    t1 = smap.tmap["t1"]
    assert t1.is_target and not t1.is_proxy
    assert t1.public_net == NetInfo("127.0.0.1", "51081", "http://127.0.0.1:51081")
    assert t1.public_net.node_hostname == "127.0.0.1"
    assert t1.intra_data_net is not None and t1.intra_data_net.daemon_port == "51281"
    assert smap.proxy_si.flags == 2 and smap.proxy_si.is_proxy
    assert [n.daemon_id for n in smap.proxies] == ["p1"]


def test_smap_without_data_net_and_with_numeric_version() -> None:
    doc = {**SMAP, "version": 7, "tmap": {"t": {"daemon_id": "t", "daemon_type": "target"}}}
    smap = decode_smap(doc)
    assert smap.version == 7 and smap.tmap["t"].intra_data_net is None


def test_decode_smap_rejects_non_objects() -> None:
    with pytest.raises(UnexpectedResponseError, match="cluster map"):
        decode_smap([1, 2])


def test_xxhash64_known_vectors() -> None:
    assert xxhash64(b"") == 0xEF46DB3751D8E999
    assert xxhash64(b"abc") == 0x44BC2CF5AD770999
    # a node id digest as a real aisnode put it into its cluster map
    assert xxhash64(b"KWVt41833", HRW_SEED) == 3161708449725133360
    long_input = bytes(range(256)) * 3  # exercises the 32-byte stripes and every tail size
    assert xxhash64(long_input[:77], HRW_SEED) != xxhash64(long_input[:78], HRW_SEED)


def test_splitmix_and_xoshiro_scramble() -> None:
    assert _splitmix64(0) == 0xE220A8397B1DCDAF
    assert _splitmix64(1) == 0x910A2DEC89025CC1
    s1 = _splitmix64(_splitmix64(12345))
    mask = (1 << 64) - 1
    rotated = (((s1 * 5) & mask) << 7 | ((s1 * 5) & mask) >> 57) & mask
    assert xoshiro256_hash(12345) == (rotated * 9) & mask


def test_hrw_picks_the_highest_weight_and_skips_maintenance() -> None:
    smap = decode_smap(SMAP)
    uname = "ais/@#/bck/some/object.bin"
    digest = xxhash64(uname.encode(), HRW_SEED)
    weights = {tid: xoshiro256_hash(n.id_digest ^ digest) for tid, n in smap.tmap.items()}
    winner = max(weights, key=lambda tid: weights[tid])
    assert smap.get_target_for_object(uname).daemon_id == winner
    # put the winner into maintenance: the runner-up takes over
    tmap = dict(SMAP["tmap"])  # type: ignore[call-overload]
    tmap[winner] = {**tmap[winner], "flags": SNODE_MAINT}
    second = max((t for t in weights if t != winner), key=lambda tid: weights[tid])
    assert decode_smap({**SMAP, "tmap": tmap}).get_target_for_object(uname).daemon_id == second


def test_hrw_spreads_objects_over_targets() -> None:
    smap = decode_smap(SMAP)
    owners = {smap.get_target_for_object(f"ais/@#/b/obj-{i}").daemon_id for i in range(200)}
    assert owners == {"t1", "t2", "t3"}


def test_hrw_without_usable_targets() -> None:
    dead = Snode("t", "target", flags=SNODE_DECOMM)
    with pytest.raises(NoTargetError, match="Total nodes: 1"):
        Smap(tmap={"t": dead}).get_target_for_object("ais/@#/b/o")
    with pytest.raises(NoTargetError):
        Smap().get_target_for_object("ais/@#/b/o")


def test_bmd_decoding() -> None:
    doc = {
        "providers": {"ais": {"@#": {"b2": {"provider": "ais"}, "b1": {"provider": "ais"}}}},
        "uuid": "u",
        "version": "3",
    }
    bmd = structure(doc, Bmd)
    assert bmd.version == 3 and bmd.uuid == "u"
    assert bmd.bucket_names() == ["b1", "b2"]
    assert bmd.bucket_names("aws") == []


def test_bucket_list_decoding() -> None:
    doc = [{"name": "b1", "provider": "ais", "namespace": {"uuid": "", "name": ""}}]
    (bucket,) = decode_buckets(doc)
    assert bucket.name == "b1" and bucket.get_path() == "ais/@#/b1/"
    assert decode_buckets(None) == []


def test_etl_info_decoding() -> None:
    info = structure(
        {
            "id": "my-etl",
            "stage": "Running",
            "xaction_id": "etl-x",
            "obj_count": "5",
            "in_bytes": 10,
            "out_bytes": 20,
        },
        ETLInfo,
    )
    assert info == ETLInfo("my-etl", "etl-x", "Running", 5, 10, 20)
    assert info.name == "my-etl"
