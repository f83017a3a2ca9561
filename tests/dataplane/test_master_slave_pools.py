"""An active/standby (master-slave) pool on real traffic: every connection goes to the master while its
check passes; the standby takes them while the master is down, and gives them back when it returns."""

from collections import Counter
from collections.abc import Callable
from typing import Any

from tests.dataplane.conftest import VIP, SharedLoadBalancer, fetch, wait_for
from tests.dataplane.fake_backend import FakeBackend
from tests.ports import free_port_on

FAST_TCP_CHECK = {"type": "TCP", "delay": 1, "timeout": 1, "max_retries": 1, "max_retries_down": 1}


def _answered_by(port: int) -> str | None:
    try:
        return fetch(port, timeout_s=3)[1]
    except OSError:
        return None


def _member(site: SharedLoadBalancer, backend: FakeBackend, role: str) -> dict[str, Any]:
    return {"address": backend.address, "protocol_port": backend.port, "role": role, "subnet_cidr_id": site.subnet["neutron_subnet_id"]}


def test_the_standby_serves_only_while_the_master_is_down(shared: SharedLoadBalancer, backends: Callable[..., FakeBackend]) -> None:
    master, standby = backends("master"), backends("standby")
    port = free_port_on(VIP)
    listener = shared.api.listener(shared.lb["id"], protocol="TCP", port=port)
    body = {"pool": {"protocol": "TCP", "lb_algorithm": "ROUND_ROBIN", "listener_id": listener["id"], "healthmonitor": FAST_TCP_CHECK,
                     "members": [_member(shared, master, "master"), _member(shared, standby, "slave")]}}
    pool = shared.api.ok("POST", "master-slave-pools", body)["pool"]
    member_ids = {member["role"]: member["id"] for member in pool["members"]}

    def status(role: str) -> str:
        return shared.api.ok("GET", f"master-slave-pools/{pool['id']}")["pool"]["members"][[*member_ids].index(role)]["operating_status"]

    wait_for(lambda: status("master") == "ONLINE" and status("slave") == "ONLINE", timeout_s=20)
    wait_for(lambda: _answered_by(port) == "master")
    assert Counter(_answered_by(port) for _ in range(20)) == Counter({"master": 20})
    assert standby.served == 0

    master.stop()  # the master goes down: its check fails, the standby takes over
    wait_for(lambda: _answered_by(port) == "standby", timeout_s=20)
    wait_for(lambda: status("master") == "OFFLINE", timeout_s=20)
    assert Counter(_answered_by(port) for _ in range(20)) == Counter({"standby": 20})

    served_by_master = master.served
    master.start()  # back: its check passes again, and new connections go to it again
    wait_for(lambda: _answered_by(port) == "master", timeout_s=20)
    assert Counter(_answered_by(port) for _ in range(20)) == Counter({"master": 20})
    assert master.served > served_by_master
    wait_for(lambda: status("master") == "ONLINE", timeout_s=20)

    shared.api.ok("DELETE", f"master-slave-pools/{pool['id']}")  # answered once the data plane serves it no more
    assert _answered_by(port) in (None, "")
