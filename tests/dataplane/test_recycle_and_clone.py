"""On real traffic: a load balancer in the recycle bin serves nothing and, restored, serves again with
its listeners, pools and members; a clone serves on its own VIP to the source's backends, a listener's
clone on its own port."""

from collections.abc import Callable

from tests.conftest import Api
from tests.dataplane.conftest import VIP, fetch, make_site, wait_for
from tests.dataplane.fake_backend import FakeBackend
from tests.ports import free_port_on

CLONE_VIP = "127.20.0.3"


def _answer(port: int, address: str = VIP) -> str | None:
    try:
        return fetch(port, address)[1]
    except OSError:
        return None


def test_a_load_balancer_in_the_bin_serves_nothing_and_serves_again_once_restored(cloud: Api, backends: Callable[..., FakeBackend]) -> None:
    site = make_site(cloud)
    site.add(backends("kept"))
    wait_for(lambda: _answer(site.port) == "kept", timeout_s=30)
    cloud.ok("PUT", "recycle-bin", {"recycle_bin": {"enable": True}})
    cloud.ok("DELETE", f"loadbalancers/{site.lb['id']}/force-elb", status=204)
    assert _answer(site.port) is None  # the delete answers once the data plane no longer serves it
    assert [one["id"] for one in cloud.ok("GET", "recycle-bin/loadbalancers")["loadbalancers"]] == [site.lb["id"]]
    cloud.ok("PUT", f"recycle-bin/loadbalancers/{site.lb['id']}/recover")
    wait_for(lambda: _answer(site.port) == "kept", timeout_s=30)
    assert cloud.ok("GET", f"loadbalancers/{site.lb['id']}")["loadbalancer"]["vip_address"] == VIP


def test_a_clone_serves_on_its_own_vip_to_the_sources_backends(cloud: Api, backends: Callable[..., FakeBackend]) -> None:
    site = make_site(cloud)
    site.add(backends("shared"))
    wait_for(lambda: _answer(site.port) == "shared", timeout_s=30)
    body = {"target_loadbalancer_param": {"vip_address": CLONE_VIP}}
    [made] = cloud.ok("POST", f"loadbalancers/{site.lb['id']}/clone", body, status=201)["loadbalancer_list"]
    wait_for(lambda: _answer(site.port, CLONE_VIP) == "shared", timeout_s=30)
    assert _answer(site.port) == "shared"  # the source still serves
    cloud.ok("DELETE", f"loadbalancers/{made['id']}/force-elb", status=204)
    assert _answer(site.port, CLONE_VIP) is None
    assert _answer(site.port) == "shared"


def test_a_listeners_clone_serves_on_its_own_port(cloud: Api, backends: Callable[..., FakeBackend]) -> None:
    site = make_site(cloud)
    site.add(backends("copied"))
    wait_for(lambda: _answer(site.port) == "copied", timeout_s=30)
    port = free_port_on(VIP)
    body = {"target_listener_params": [{"protocol_port": port}]}
    [made] = cloud.ok("POST", f"listeners/{site.listener['id']}/clone", body, status=201)["listener_list"]
    assert made["protocol_port"] == port
    wait_for(lambda: _answer(port) == "copied", timeout_s=30)
    assert _answer(site.port) == "copied"
