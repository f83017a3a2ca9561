"""quic_cid_hash_strategy belongs to QUIC backend server groups, which elbd does not serve yet
(test_unserved.py): every other group is refused it, on create and on update, and shows none."""

from typing import Any

from tests.api.world import assert_elb_error
from tests.conftest import Api

STRATEGY = {"len": 7, "offset": 2}


def _assert_refused(response: Any) -> None:
    assert "'quic_cid_hash_strategy'" in assert_elb_error(response, 400, "ELB.8902")["error_msg"]


def test_quic_cid_hash_strategy_is_for_quic_pools_only(api: Api) -> None:
    body = {"pool": {"protocol": "TCP", "lb_algorithm": "ROUND_ROBIN", "type": "ip", "quic_cid_hash_strategy": STRATEGY}}
    _assert_refused(api.call("POST", "pools", body))
    pool = api.pool("TCP", type="ip")
    assert pool["quic_cid_hash_strategy"] is None
    _assert_refused(api.call("PUT", f"pools/{pool['id']}", {"pool": {"quic_cid_hash_strategy": STRATEGY}}))
    assert api.ok("GET", f"pools/{pool['id']}")["pool"] == pool
