"""The instance registry in ECS v1 shapes: /v1/{project_id}/cloudservers."""

from typing import Any

import pytest

from tests.api.world import assert_elb_error, ids, net
from tests.conftest import Api


def _server_body(*nics: dict[str, Any], name: str = "vm") -> dict[str, Any]:
    return {"server": {"name": name, "imageRef": "ignored", "flavorRef": "ignored", "nics": list(nics)}}


def _create(api: Api, *nics: dict[str, Any]) -> str:
    body = api.ok("POST", "cloudservers", _server_body(*nics), status=200)
    assert body["job_id"] and len(body["serverIds"]) == 1
    return body["serverIds"][0]


def _addresses(api: Api, server_id: str) -> list[str]:
    server = api.ok("GET", f"cloudservers/{server_id}")["server"]
    return [entry["addr"] for entries in server["addresses"].values() for entry in entries]


def _server_ids(api: Api) -> list[str]:
    return ids(api.ok("GET", "cloudservers/detail")["servers"])


def test_create_with_an_explicit_address(alpha: Api) -> None:
    lan = net(alpha, "127.50.0.0/24")
    server_id = _create(alpha, {"subnet_id": lan.subnet["id"], "ip_address": "127.50.0.77"})
    assert _addresses(alpha, server_id) == ["127.50.0.77"]


def test_allocated_address_is_the_lowest_free_skipping_gateway_and_vips(alpha: Api) -> None:
    lan = net(alpha, "127.51.0.0/24")
    lb = alpha.load_balancer(lan.subnet)
    assert lb["vip_address"] == "127.51.0.2"
    first = _create(alpha, {"subnet_id": lan.subnet["id"]})
    second = _create(alpha, {"subnet_id": lan.subnet["id"]})
    assert _addresses(alpha, first) == ["127.51.0.3"]
    assert _addresses(alpha, second) == ["127.51.0.4"]


def test_allocation_skips_addresses_held_by_instances(alpha: Api) -> None:
    lan = net(alpha, "127.52.0.0/24")
    _create(alpha, {"subnet_id": lan.subnet["id"], "ip_address": "127.52.0.2"})
    assert _addresses(alpha, _create(alpha, {"subnet_id": lan.subnet["id"]})) == ["127.52.0.3"]


def test_several_nics_each_get_an_address(alpha: Api) -> None:
    lan = net(alpha, "127.53.0.0/24")
    other = alpha.subnet(lan.vpc["id"], "127.54.0.0/24")
    server_id = _create(alpha, {"subnet_id": lan.subnet["id"]}, {"subnet_id": other["id"], "ip_address": "127.54.0.9"})
    assert sorted(_addresses(alpha, server_id)) == ["127.53.0.2", "127.54.0.9"]


def test_address_outside_the_subnet_is_refused(alpha: Api) -> None:
    lan = net(alpha, "127.55.0.0/24")
    before = _server_ids(alpha)
    for address in ("127.56.0.5", "127.55.0.0", "127.55.0.255", "not-an-ip"):
        assert_elb_error(alpha.call("POST", "cloudservers", _server_body({"subnet_id": lan.subnet["id"], "ip_address": address})), 400, "ELB.8902")
    assert _server_ids(alpha) == before


def test_address_held_by_an_instance_conflicts(alpha: Api) -> None:
    lan = net(alpha, "127.57.0.0/24")
    _create(alpha, {"subnet_id": lan.subnet["id"], "ip_address": "127.57.0.10"})
    before = _server_ids(alpha)
    assert_elb_error(alpha.call("POST", "cloudservers", _server_body({"subnet_id": lan.subnet["id"], "ip_address": "127.57.0.10"})), 409, "ELB.8907")
    assert _server_ids(alpha) == before


def test_address_held_by_a_vip_or_the_gateway_conflicts(alpha: Api) -> None:
    lan = net(alpha, "127.58.0.0/24")
    lb = alpha.load_balancer(lan.subnet)
    before = _server_ids(alpha)
    for address in (lb["vip_address"], lan.subnet["gateway_ip"]):
        assert_elb_error(alpha.call("POST", "cloudservers", _server_body({"subnet_id": lan.subnet["id"], "ip_address": address})), 409, "ELB.8907")
    assert _server_ids(alpha) == before


def test_a_failing_second_nic_stores_nothing(alpha: Api) -> None:
    lan = net(alpha, "127.59.0.0/24")
    before = _server_ids(alpha)
    nics = ({"subnet_id": lan.subnet["id"], "ip_address": "127.59.0.5"}, {"subnet_id": lan.subnet["id"], "ip_address": "127.59.0.5"})
    assert_elb_error(alpha.call("POST", "cloudservers", _server_body(*nics)), 409, "ELB.8907")
    assert _server_ids(alpha) == before
    assert _addresses(alpha, _create(alpha, {"subnet_id": lan.subnet["id"]})) == ["127.59.0.2"]


def test_unknown_subnet_is_not_found(alpha: Api) -> None:
    assert_elb_error(alpha.call("POST", "cloudservers", _server_body({"subnet_id": "0" * 36})), 404, "ELB.8904")


def test_detail_and_show_have_the_ecs_shape(alpha: Api) -> None:
    lan = net(alpha, "127.60.0.0/24")
    server_id = _create(alpha, {"subnet_id": lan.subnet["id"], "ip_address": "127.60.0.8"})
    server = alpha.ok("GET", f"cloudservers/{server_id}")["server"]
    assert server["id"] == server_id and server["name"] == "vm" and server["status"] == "ACTIVE"
    assert server["tenant_id"] == alpha.project_id and server["metadata"]["vpc_id"] == lan.vpc["id"]
    [address] = server["addresses"][lan.vpc["id"]]
    assert address["addr"] == "127.60.0.8" and address["version"] == "4" and address["OS-EXT-IPS:type"] == "fixed"
    detail = alpha.ok("GET", "cloudservers/detail")
    assert detail["count"] == len(detail["servers"])
    assert [s for s in detail["servers"] if s["id"] == server_id] == [server]


def test_os_stop_and_os_start_switch_the_status(alpha: Api) -> None:
    lan = net(alpha, "127.61.0.0/24")
    server_id = _create(alpha, {"subnet_id": lan.subnet["id"]})
    alpha.ok("POST", "cloudservers/action", {"os-stop": {"type": "SOFT", "servers": [{"id": server_id}]}}, status=200)
    assert alpha.ok("GET", f"cloudservers/{server_id}")["server"]["status"] == "SHUTOFF"
    alpha.ok("POST", "cloudservers/action", {"os-start": {"servers": [{"id": server_id}]}}, status=200)
    assert alpha.ok("GET", f"cloudservers/{server_id}")["server"]["status"] == "ACTIVE"


def test_an_action_names_exactly_one_verb(alpha: Api) -> None:
    lan = net(alpha, "127.62.0.0/24")
    server_id = _create(alpha, {"subnet_id": lan.subnet["id"]})
    both = {"os-stop": {"servers": [{"id": server_id}]}, "os-start": {"servers": [{"id": server_id}]}}
    assert_elb_error(alpha.call("POST", "cloudservers/action", both), 400, "ELB.8902")
    assert_elb_error(alpha.call("POST", "cloudservers/action", {}), 400, "ELB.8902")
    assert alpha.ok("GET", f"cloudservers/{server_id}")["server"]["status"] == "ACTIVE"


@pytest.mark.filterwarnings("error::sqlalchemy.exc.SAWarning")
def test_batch_delete_removes_the_servers_and_frees_their_addresses(alpha: Api) -> None:
    lan = net(alpha, "127.63.0.0/24")
    one = _create(alpha, {"subnet_id": lan.subnet["id"]})
    two = _create(alpha, {"subnet_id": lan.subnet["id"]})
    alpha.ok("POST", "cloudservers/delete", {"servers": [{"id": one}, {"id": two}], "delete_publicip": False}, status=200)
    assert_elb_error(alpha.call("GET", f"cloudservers/{one}", None), 404, "ELB.8904")
    assert not {one, two} & set(_server_ids(alpha))
    assert _addresses(alpha, _create(alpha, {"subnet_id": lan.subnet["id"]})) == ["127.63.0.2"]


@pytest.mark.filterwarnings("error::sqlalchemy.exc.SAWarning")
def test_delete_by_id(alpha: Api) -> None:
    lan = net(alpha, "127.64.0.0/24")
    server_id = _create(alpha, {"subnet_id": lan.subnet["id"]})
    alpha.ok("DELETE", f"cloudservers/{server_id}")
    assert_elb_error(alpha.call("GET", f"cloudservers/{server_id}", None), 404, "ELB.8904")
    assert_elb_error(alpha.call("DELETE", f"cloudservers/{server_id}", None), 404, "ELB.8904")


def test_another_projects_server_is_not_found(alpha: Api, beta: Api) -> None:
    lan = net(beta, "127.65.0.0/24")
    theirs = _create(beta, {"subnet_id": lan.subnet["id"]})
    assert_elb_error(alpha.call("GET", f"cloudservers/{theirs}", None), 404, "ELB.8904")
    assert_elb_error(alpha.call("POST", "cloudservers/action", {"os-stop": {"servers": [{"id": theirs}]}}), 404, "ELB.8904")
    assert_elb_error(alpha.call("POST", "cloudservers/delete", {"servers": [{"id": theirs}]}), 404, "ELB.8904")
    assert_elb_error(alpha.call("DELETE", f"cloudservers/{theirs}", None), 404, "ELB.8904")
    assert_elb_error(alpha.call("POST", "cloudservers", _server_body({"subnet_id": lan.subnet["id"]})), 404, "ELB.8904")
    assert theirs not in _server_ids(alpha)
    assert beta.ok("GET", f"cloudservers/{theirs}")["server"]["status"] == "ACTIVE"
