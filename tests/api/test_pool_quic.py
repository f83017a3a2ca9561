"""A QUIC pool keeps the connection-ID hash strategy it was given."""

from tests.conftest import Api

QUIC_POOL = {"protocol": "QUIC", "algorithm": "QUIC_CID", "type": "ip", "session_persistence": {"type": "SOURCE_IP"}}


def test_quic_cid_hash_strategy_is_stored_and_updated(api: Api) -> None:
    pool = api.pool(**QUIC_POOL, quic_cid_hash_strategy={"len": 7, "offset": 2})
    assert pool["quic_cid_hash_strategy"] == {"len": 7, "offset": 2}
    updated = api.ok("PUT", f"pools/{pool['id']}", {"pool": {"quic_cid_hash_strategy": {"len": 4, "offset": 0}}})["pool"]
    assert updated["quic_cid_hash_strategy"] == {"len": 4, "offset": 0}
    assert api.ok("GET", f"pools/{pool['id']}")["pool"]["quic_cid_hash_strategy"] == {"len": 4, "offset": 0}


def test_quic_cid_hash_strategy_defaults_on_quic_pools_only(api: Api) -> None:
    assert api.pool(**QUIC_POOL)["quic_cid_hash_strategy"] == {"len": 3, "offset": 1}
    assert api.pool("TCP", type="ip")["quic_cid_hash_strategy"] is None
