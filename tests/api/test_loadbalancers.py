"""/v3/{project_id}/elb/loadbalancers: VIPs, zones, the VPC, protections, listing."""

import re
from typing import Any

from tests.api.world import Net, assert_elb_error, ids, net
from tests.conftest import Api

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def _body(**fields: Any) -> dict[str, Any]:
    return {"loadbalancer": {"availability_zone_list": ["local-1a"], **fields}}


def _create(api: Api, lan: Net, **fields: Any) -> dict[str, Any]:
    return api.ok("POST", "loadbalancers", _body(vip_subnet_cidr_id=lan.subnet_id, **fields))["loadbalancer"]


def _lbs_in(api: Api, vpc_id: str, query: str = "") -> list[dict[str, Any]]:
    return api.ok("GET", f"loadbalancers?vpc_id={vpc_id}{query}")["loadbalancers"]


def _assert_create_refused(api: Api, lan: Net, body: dict[str, Any], status: int, code: str) -> dict[str, Any]:
    error = assert_elb_error(api.call("POST", "loadbalancers", body), status, code)
    assert _lbs_in(api, lan.vpc["id"]) == []
    return error


def test_create_answers_201_with_loadbalancer_and_its_id(alpha: Api) -> None:
    lan = net(alpha, "127.70.0.0/24")
    response = alpha.call("POST", "loadbalancers", _body(name="web", vip_subnet_cidr_id=lan.subnet_id))
    assert response.status_code == 201, response.text
    body = response.json()
    lb = body["loadbalancer"]
    assert body["loadbalancer_id"] == lb["id"] and body["request_id"] == response.headers["X-Request-Id"]
    assert lb["name"] == "web" and lb["vpc_id"] == lan.vpc["id"] and lb["vip_subnet_cidr_id"] == lan.subnet_id
    assert lb["provisioning_status"] == "ACTIVE" and lb["operating_status"] == "ONLINE" and lb["provider"] == "vlb"
    assert lb["guaranteed"] is True and lb["admin_state_up"] is True and lb["ip_target_enable"] is False
    assert lb["listeners"] == [] and lb["pools"] == [] and lb["availability_zone_list"] == ["local-1a"]
    assert lb["elb_virsubnet_ids"] == [lan.subnet["id"]] and lb["ipv6_vip_address"] is None
    assert TIME.match(lb["created_at"]) and TIME.match(lb["updated_at"])
    shown = alpha.ok("GET", f"loadbalancers/{lb['id']}")["loadbalancer"]
    assert shown == lb


def test_vip_is_the_lowest_free_host_skipping_the_gateway(alpha: Api) -> None:
    lan = net(alpha, "127.71.0.0/24")
    assert [_create(alpha, lan)["vip_address"] for _ in range(3)] == ["127.71.0.2", "127.71.0.3", "127.71.0.4"]


def test_vip_skips_a_gateway_that_is_not_the_first_host(alpha: Api) -> None:
    lan = net(alpha, "127.72.0.0/24", gateway_ip="127.72.0.2")
    assert [_create(alpha, lan)["vip_address"] for _ in range(2)] == ["127.72.0.1", "127.72.0.3"]


def test_vip_skips_addresses_held_by_instances(alpha: Api) -> None:
    lan = net(alpha, "127.73.0.0/24")
    nic = {"subnet_id": lan.subnet["id"], "ip_address": "127.73.0.2"}
    alpha.ok("POST", "cloudservers", {"server": {"name": "vm", "nics": [nic]}}, status=200)
    assert _create(alpha, lan)["vip_address"] == "127.73.0.3"


def _member_at(api: Api, lan: Net, address: str) -> dict[str, Any]:
    pool = api.pool(type="instance", vpc_id=lan.vpc["id"])
    return api.member(pool["id"], address=address, protocol_port=80, subnet_cidr_id=lan.subnet_id)["member"]


def test_vip_skips_addresses_of_backend_servers(alpha: Api, beta: Api) -> None:
    """A VIP at a member's address would loop that member's traffic into the load balancer, whoever's it is."""
    lan = net(alpha, "127.114.0.0/24")
    _member_at(alpha, lan, "127.114.0.2")
    _member_at(beta, net(beta, "127.114.0.0/24"), "127.114.0.3")
    assert _create(alpha, lan)["vip_address"] == "127.114.0.4"


def test_a_vip_address_a_backend_server_has_is_refused(alpha: Api, beta: Api) -> None:
    lan = net(alpha, "127.115.0.0/24")
    ours = _member_at(alpha, lan, "127.115.0.7")
    _member_at(beta, net(beta, "127.115.0.0/24"), "127.115.0.8")
    error = _assert_create_refused(alpha, lan, _body(vip_subnet_cidr_id=lan.subnet_id, vip_address="127.115.0.7"), 409, "ELB.8907")
    assert f"in use by backend server {ours['id']}" in error["error_msg"]
    error = _assert_create_refused(alpha, lan, _body(vip_subnet_cidr_id=lan.subnet_id, vip_address="127.115.0.8"), 409, "ELB.8907")
    assert error["error_msg"] == "IP address 127.115.0.8 is not available."


def test_vip_allocation_skips_the_vips_of_every_subnet_on_the_host(alpha: Api, beta: Api) -> None:
    """Every load balancer binds in the host's one network namespace: one VIP, one load balancer."""
    one, two, theirs = net(alpha, "127.74.0.0/24"), net(alpha, "127.74.0.0/24"), net(beta, "127.74.0.0/24")
    assert [_create(alpha, one)["vip_address"], _create(alpha, two)["vip_address"]] == ["127.74.0.2", "127.74.0.3"]
    assert _create(beta, theirs)["vip_address"] == "127.74.0.4"


def test_full_subnet_conflicts(alpha: Api) -> None:
    lan = net(alpha, "127.75.0.0/30")
    assert _create(alpha, lan)["vip_address"] == "127.75.0.2"
    error = assert_elb_error(alpha.call("POST", "loadbalancers", _body(vip_subnet_cidr_id=lan.subnet_id)), 409, "ELB.8907")
    assert "No free IP" in error["error_msg"]


def test_given_vip_address_is_used(alpha: Api) -> None:
    lan = net(alpha, "127.76.0.0/24")
    assert _create(alpha, lan, vip_address="127.76.0.200")["vip_address"] == "127.76.0.200"


def test_given_vip_address_must_be_inside_the_subnet(alpha: Api) -> None:
    lan = net(alpha, "127.77.0.0/24")
    for address in ("127.78.0.5", "127.77.0.0", "127.77.0.255", "fd00::5", "nonsense"):
        _assert_create_refused(alpha, lan, _body(vip_subnet_cidr_id=lan.subnet_id, vip_address=address), 400, "ELB.8902")


def test_given_vip_address_must_be_free(alpha: Api) -> None:
    lan = net(alpha, "127.79.0.0/24")
    first = _create(alpha, lan)
    nic = {"subnet_id": lan.subnet["id"], "ip_address": "127.79.0.50"}
    alpha.ok("POST", "cloudservers", {"server": {"name": "vm", "nics": [nic]}}, status=200)
    for address in (first["vip_address"], "127.79.0.50", lan.subnet["gateway_ip"]):
        assert_elb_error(alpha.call("POST", "loadbalancers", _body(vip_subnet_cidr_id=lan.subnet_id, vip_address=address)), 409, "ELB.8907")
    assert ids(_lbs_in(alpha, lan.vpc["id"])) == [first["id"]]


def test_vip_address_needs_a_subnet(alpha: Api) -> None:
    lan = net(alpha, "127.80.0.0/24")
    _assert_create_refused(alpha, lan, _body(vpc_id=lan.vpc["id"], vip_address="127.80.0.9"), 400, "ELB.8902")


def test_availability_zones_are_listed(alpha: Api) -> None:
    body = alpha.ok("GET", "availability-zones")
    codes = [zone["code"] for group in body["availability_zones"] for zone in group]
    assert codes == ["local-1a", "local-1b"]
    assert all(zone["state"] == "ACTIVE" for group in body["availability_zones"] for zone in group)


def test_every_listed_zone_is_accepted(alpha: Api) -> None:
    lan = net(alpha, "127.81.0.0/24")
    groups = alpha.ok("GET", "availability-zones")["availability_zones"]
    codes = [zone["code"] for group in groups for zone in group]
    assert _create(alpha, lan, availability_zone_list=codes)["availability_zone_list"] == codes


def test_an_omitted_availability_zone_list_is_the_hosts_first_zone(alpha: Api) -> None:
    lan = net(alpha, "127.82.0.0/24")
    created = alpha.ok("POST", "loadbalancers", {"loadbalancer": {"vip_subnet_cidr_id": lan.subnet_id}})["loadbalancer"]
    assert created["availability_zone_list"] == ["local-1a"]


def test_availability_zone_list_must_not_be_empty(alpha: Api) -> None:
    lan = net(alpha, "127.83.0.0/24")
    _assert_create_refused(alpha, lan, _body(vip_subnet_cidr_id=lan.subnet_id, availability_zone_list=[]), 400, "ELB.8902")


def test_availability_zones_must_be_known(alpha: Api) -> None:
    lan = net(alpha, "127.84.0.0/24")
    for zones in (["cn-north-4a"], ["local-1a", "nowhere"], ["local-1a", "local-1a"]):
        _assert_create_refused(alpha, lan, _body(vip_subnet_cidr_id=lan.subnet_id, availability_zone_list=zones), 400, "ELB.8902")


def test_vpc_and_subnets_must_not_all_be_empty(alpha: Api) -> None:
    lan = net(alpha, "127.85.0.0/24")
    _assert_create_refused(alpha, lan, _body(), 400, "ELB.8902")


def test_vpc_alone_makes_a_load_balancer_without_a_vip(alpha: Api) -> None:
    lan = net(alpha, "127.86.0.0/24")
    lb = alpha.ok("POST", "loadbalancers", _body(vpc_id=lan.vpc["id"]))["loadbalancer"]
    assert lb["vpc_id"] == lan.vpc["id"] and lb["vip_address"] is None and lb["vip_subnet_cidr_id"] is None


def test_vpc_id_contradicting_the_subnet_is_refused(alpha: Api) -> None:
    lan, elsewhere = net(alpha, "127.87.0.0/24"), net(alpha, "127.87.0.0/24")
    _assert_create_refused(alpha, lan, _body(vpc_id=elsewhere.vpc["id"], vip_subnet_cidr_id=lan.subnet_id), 400, "ELB.8902")
    assert _lbs_in(alpha, elsewhere.vpc["id"]) == []


def test_vpc_id_agreeing_with_the_subnet_is_fine(alpha: Api) -> None:
    lan = net(alpha, "127.88.0.0/24")
    assert _create(alpha, lan, vpc_id=lan.vpc["id"])["vpc_id"] == lan.vpc["id"]


def test_ipv4_and_ipv6_subnets_must_share_a_vpc(alpha: Api) -> None:
    lan = net(alpha, "127.110.0.0/24")
    elsewhere = net(alpha, "127.110.0.0/24", ipv6_enable=True)
    body = _body(vip_subnet_cidr_id=lan.subnet_id, ipv6_vip_virsubnet_id=elsewhere.subnet["id"])
    _assert_create_refused(alpha, lan, body, 400, "ELB.8902")
    assert _lbs_in(alpha, elsewhere.vpc["id"]) == []


def test_backend_subnets_must_be_in_the_vpc(alpha: Api) -> None:
    lan, elsewhere = net(alpha, "127.111.0.0/24"), net(alpha, "127.111.0.0/24")
    body = _body(vip_subnet_cidr_id=lan.subnet_id, elb_virsubnet_ids=[elsewhere.subnet["id"]])
    _assert_create_refused(alpha, lan, body, 400, "ELB.8902")
    second = alpha.subnet(lan.vpc["id"], "127.112.0.0/24")
    assert _create(alpha, lan, elb_virsubnet_ids=[second["id"]])["elb_virsubnet_ids"] == [second["id"]]


def test_unknown_subnet_is_not_found(alpha: Api) -> None:
    missing = "f2d6ecf7-0000-4000-8000-000000000000"
    error = assert_elb_error(alpha.call("POST", "loadbalancers", _body(vip_subnet_cidr_id=missing)), 404, "ELB.8904")
    assert error["error_msg"] == f"subnet {missing} could not be found."


def test_subnet_network_id_is_not_a_vip_subnet_cidr_id(alpha: Api) -> None:
    lan = net(alpha, "127.89.0.0/24")
    response = alpha.call("POST", "loadbalancers", _body(vip_subnet_cidr_id=lan.subnet["id"]))
    assert_elb_error(response, 400, "ELB.8902")
    message = response.json()["error_msg"]
    assert f"{lan.subnet['id']} is the id (neutron_network_id) of subnet" in message
    assert f"takes its IPv4 neutron_subnet_id, {lan.subnet['neutron_subnet_id']}" in message
    _assert_create_refused(alpha, lan, _body(vip_subnet_cidr_id=lan.subnet["id"]), 400, "ELB.8902")


def test_a_neutron_subnet_id_is_not_an_ipv6_vip_virsubnet_id(alpha: Api) -> None:
    lan = net(alpha, "127.89.2.0/24", ipv6_enable=True, cidr_v6="fd00:89:2::/64")
    response = alpha.call("POST", "loadbalancers", _body(ipv6_vip_virsubnet_id=lan.subnet_id))
    message = assert_elb_error(response, 400, "ELB.8902")["error_msg"]
    assert f"{lan.subnet_id} is the IPv4 neutron_subnet_id of subnet" in message and f"takes its id (neutron_network_id), {lan.subnet['id']}" in message


def test_another_projects_subnet_id_is_not_named(alpha: Api, beta: Api) -> None:
    lan = net(alpha, "127.89.1.0/24")
    response = beta.call("POST", "loadbalancers", _body(vip_subnet_cidr_id=lan.subnet["id"]))
    assert_elb_error(response, 404, "ELB.8904")
    assert lan.subnet["neutron_subnet_id"] not in response.text


def test_unknown_vpc_is_not_found(alpha: Api) -> None:
    assert_elb_error(alpha.call("POST", "loadbalancers", _body(vpc_id="0" * 36)), 404, "ELB.8904")


def test_guaranteed_false_is_refused(alpha: Api) -> None:
    lan = net(alpha, "127.90.0.0/24")
    _assert_create_refused(alpha, lan, _body(vip_subnet_cidr_id=lan.subnet_id, guaranteed=False), 400, "ELB.8902")


def test_admin_state_up_is_only_true(alpha: Api) -> None:
    lan = net(alpha, "127.113.0.0/24")
    _assert_create_refused(alpha, lan, _body(vip_subnet_cidr_id=lan.subnet_id, admin_state_up=False), 400, "ELB.8902")
    lb = _create(alpha, lan, admin_state_up=True)
    assert_elb_error(alpha.call("PUT", f"loadbalancers/{lb['id']}", {"loadbalancer": {"admin_state_up": False}}), 400, "ELB.8902")
    assert alpha.ok("GET", f"loadbalancers/{lb['id']}")["loadbalancer"]["admin_state_up"] is True


def test_publicip_is_not_supported(alpha: Api) -> None:
    lan = net(alpha, "127.91.0.0/24")
    publicip = {"ip_version": 4, "network_type": "5_bgp", "bandwidth": {"size": 1, "share_type": "PER"}}
    _assert_create_refused(alpha, lan, _body(vip_subnet_cidr_id=lan.subnet_id, publicip=publicip), 400, "ELB.8902")
    _assert_create_refused(alpha, lan, _body(vip_subnet_cidr_id=lan.subnet_id, publicip_ids=["0" * 36]), 400, "ELB.8902")


def test_unknown_attribute_is_refused(alpha: Api) -> None:
    lan = net(alpha, "127.92.0.0/24")
    _assert_create_refused(alpha, lan, _body(vip_subnet_cidr_id=lan.subnet_id, colour="blue"), 400, "ELB.8902")


def test_ipv6_vip_comes_from_an_ipv6_subnet(alpha: Api) -> None:
    lan = net(alpha, "127.93.0.0/24", ipv6_enable=True, cidr_v6="fd00:93::/64")
    body = _body(vip_subnet_cidr_id=lan.subnet_id, ipv6_vip_virsubnet_id=lan.subnet["id"])
    lb = alpha.ok("POST", "loadbalancers", body)["loadbalancer"]
    assert lb["ipv6_vip_virsubnet_id"] == lan.subnet["id"] and lb["ipv6_vip_address"] == "fd00:93::2"
    assert lb["vip_address"] == "127.93.0.2" and lb["elb_virsubnet_type"] == "dualstack"
    second = alpha.ok("POST", "loadbalancers", _body(ipv6_vip_virsubnet_id=lan.subnet["id"]))["loadbalancer"]
    assert second["ipv6_vip_address"] == "fd00:93::3" and second["vip_address"] is None


def test_ipv6_vip_needs_an_ipv6_subnet(alpha: Api) -> None:
    lan = net(alpha, "127.94.0.0/24")
    _assert_create_refused(alpha, lan, _body(ipv6_vip_virsubnet_id=lan.subnet["id"]), 400, "ELB.8931")


def test_given_ipv6_vip_address_must_be_inside_and_free(alpha: Api) -> None:
    lan = net(alpha, "127.95.0.0/24", ipv6_enable=True, cidr_v6="fd00:95::/64")
    first = alpha.ok("POST", "loadbalancers", _body(ipv6_vip_virsubnet_id=lan.subnet["id"], ipv6_vip_address="fd00:95::99"))
    assert first["loadbalancer"]["ipv6_vip_address"] == "fd00:95::99"
    body = _body(ipv6_vip_virsubnet_id=lan.subnet["id"], ipv6_vip_address="fd00:96::5")
    assert_elb_error(alpha.call("POST", "loadbalancers", body), 400, "ELB.8902")
    body = _body(ipv6_vip_virsubnet_id=lan.subnet["id"], ipv6_vip_address="fd00:95::99")
    assert_elb_error(alpha.call("POST", "loadbalancers", body), 409, "ELB.8907")
    assert ids(_lbs_in(alpha, lan.vpc["id"])) == [first["loadbalancer_id"]]


def test_ip_target_enable_can_be_turned_on(alpha: Api) -> None:
    lb = _create(alpha, net(alpha, "127.96.0.0/24"))
    body = alpha.ok("PUT", f"loadbalancers/{lb['id']}", {"loadbalancer": {"ip_target_enable": True}})
    assert body["loadbalancer"]["ip_target_enable"] is True


def test_ip_target_enable_cannot_be_turned_off(alpha: Api) -> None:
    lb = _create(alpha, net(alpha, "127.97.0.0/24"), ip_target_enable=True)
    assert_elb_error(alpha.call("PUT", f"loadbalancers/{lb['id']}", {"loadbalancer": {"ip_target_enable": False}}), 400, "ELB.8902")
    assert alpha.ok("GET", f"loadbalancers/{lb['id']}")["loadbalancer"]["ip_target_enable"] is True


def test_update_changes_name_and_description(alpha: Api) -> None:
    lb = _create(alpha, net(alpha, "127.98.0.0/24"))
    body = alpha.ok("PUT", f"loadbalancers/{lb['id']}", {"loadbalancer": {"name": "renamed", "description": "d"}})
    assert body["loadbalancer_id"] == lb["id"]
    shown = alpha.ok("GET", f"loadbalancers/{lb['id']}")["loadbalancer"]
    assert shown["name"] == "renamed" and shown["description"] == "d" and shown["vip_address"] == lb["vip_address"]


def test_vip_is_not_updatable(alpha: Api) -> None:
    lb = _create(alpha, net(alpha, "127.99.0.0/24"))
    assert_elb_error(alpha.call("PUT", f"loadbalancers/{lb['id']}", {"loadbalancer": {"vip_address": "127.99.0.50"}}), 400, "ELB.8902")
    assert alpha.ok("GET", f"loadbalancers/{lb['id']}")["loadbalancer"]["vip_address"] == lb["vip_address"]


def test_deletion_protection_blocks_delete(alpha: Api) -> None:
    lb = _create(alpha, net(alpha, "127.100.0.0/24"), deletion_protection_enable=True)
    assert_elb_error(alpha.call("DELETE", f"loadbalancers/{lb['id']}", None), 409, "ELB.8907")
    assert alpha.ok("GET", f"loadbalancers/{lb['id']}")["loadbalancer"]["id"] == lb["id"]
    alpha.ok("PUT", f"loadbalancers/{lb['id']}", {"loadbalancer": {"deletion_protection_enable": False}})
    alpha.ok("DELETE", f"loadbalancers/{lb['id']}")


def test_delete_with_a_listener_conflicts(alpha: Api) -> None:
    lb = _create(alpha, net(alpha, "127.101.0.0/24"))
    listener = alpha.listener(lb["id"])
    assert_elb_error(alpha.call("DELETE", f"loadbalancers/{lb['id']}", None), 409, "ELB.8907")
    assert alpha.ok("GET", f"loadbalancers/{lb['id']}")["loadbalancer"]["listeners"] == [{"id": listener["id"]}]


def test_delete_with_a_pool_conflicts(alpha: Api) -> None:
    lb = _create(alpha, net(alpha, "127.102.0.0/24"))
    pool = alpha.pool(loadbalancer_id=lb["id"])
    assert_elb_error(alpha.call("DELETE", f"loadbalancers/{lb['id']}", None), 409, "ELB.8907")
    assert alpha.ok("GET", f"loadbalancers/{lb['id']}")["loadbalancer"]["pools"] == [{"id": pool["id"]}]


def test_delete_frees_the_vip(alpha: Api) -> None:
    lan = net(alpha, "127.103.0.0/24")
    lb = _create(alpha, lan)
    alpha.ok("DELETE", f"loadbalancers/{lb['id']}")
    assert_elb_error(alpha.call("GET", f"loadbalancers/{lb['id']}", None), 404, "ELB.8904")
    assert _create(alpha, lan)["vip_address"] == lb["vip_address"]
    assert _create(alpha, lan, vip_address="127.103.0.9")["vip_address"] == "127.103.0.9"


def test_list_filters_by_fields(alpha: Api) -> None:
    lan = net(alpha, "127.104.0.0/24")
    one, two = _create(alpha, lan, name="one"), _create(alpha, lan, name="two", deletion_protection_enable=True)
    vpc_id = lan.vpc["id"]
    assert ids(_lbs_in(alpha, vpc_id)) == [one["id"], two["id"]]
    assert ids(_lbs_in(alpha, vpc_id, "&name=two")) == [two["id"]]
    assert ids(_lbs_in(alpha, vpc_id, "&name=one&name=two")) == [one["id"], two["id"]]
    assert ids(_lbs_in(alpha, vpc_id, f"&vip_address={one['vip_address']}")) == [one["id"]]
    assert ids(_lbs_in(alpha, vpc_id, "&deletion_protection_enable=true")) == [two["id"]]
    assert ids(_lbs_in(alpha, vpc_id, f"&id={one['id']}")) == [one["id"]]
    assert _lbs_in(alpha, vpc_id, "&name=three") == []


def test_list_pages_with_marker_and_limit(alpha: Api) -> None:
    lan = net(alpha, "127.105.0.0/24")
    created = [_create(alpha, lan)["id"] for _ in range(5)]
    vpc_id = lan.vpc["id"]
    seen: list[str] = []
    marker = ""
    for _ in range(5):
        body = alpha.ok("GET", f"loadbalancers?vpc_id={vpc_id}&limit=2{marker}")
        seen += ids(body["loadbalancers"])
        assert body["page_info"]["current_count"] == len(body["loadbalancers"])
        if "next_marker" not in body["page_info"]:
            break
        marker = f"&marker={body['page_info']['next_marker']}"
    assert seen == created
    assert len(body["loadbalancers"]) == 1


def test_last_full_page_has_no_next_marker(alpha: Api) -> None:
    lan = net(alpha, "127.106.0.0/24")
    created = [_create(alpha, lan)["id"] for _ in range(2)]
    body = alpha.ok("GET", f"loadbalancers?vpc_id={lan.vpc['id']}&limit=2")
    assert ids(body["loadbalancers"]) == created and "next_marker" not in body["page_info"]


def test_list_with_marker_of_an_unknown_record_is_refused(alpha: Api) -> None:
    assert_elb_error(alpha.call("GET", f"loadbalancers?limit=2&marker={'0' * 36}", None), 400, "ELB.8902")


def test_list_unknown_filter_is_refused(alpha: Api) -> None:
    assert_elb_error(alpha.call("GET", "loadbalancers?colour=blue", None), 400, "ELB.8902")


def test_another_projects_load_balancer_is_not_found(alpha: Api, beta: Api) -> None:
    theirs_net = net(beta, "127.107.0.0/24")
    theirs = _create(beta, theirs_net)
    assert_elb_error(alpha.call("GET", f"loadbalancers/{theirs['id']}", None), 404, "ELB.8904")
    assert_elb_error(alpha.call("PUT", f"loadbalancers/{theirs['id']}", {"loadbalancer": {"name": "x"}}), 404, "ELB.8904")
    assert_elb_error(alpha.call("DELETE", f"loadbalancers/{theirs['id']}", None), 404, "ELB.8904")
    error = assert_elb_error(alpha.call("POST", "loadbalancers", _body(vip_subnet_cidr_id=theirs_net.subnet_id)), 404, "ELB.8904")
    assert error["error_msg"] == f"subnet {theirs_net.subnet_id} could not be found."
    assert_elb_error(alpha.call("POST", "loadbalancers", _body(vpc_id=theirs_net.vpc["id"])), 404, "ELB.8904")
    assert_elb_error(alpha.call("POST", "loadbalancers", _body(ipv6_vip_virsubnet_id=theirs_net.subnet["id"])), 404, "ELB.8904")
    assert beta.ok("GET", f"loadbalancers/{theirs['id']}")["loadbalancer"]["name"] == ""


def test_lists_never_show_another_projects_load_balancers(alpha: Api, beta: Api) -> None:
    theirs_net = net(beta, "127.108.0.0/24")
    theirs = _create(beta, theirs_net)
    assert theirs["id"] not in ids(alpha.ok("GET", "loadbalancers")["loadbalancers"])
    assert _lbs_in(alpha, theirs_net.vpc["id"]) == []
    assert alpha.ok("GET", f"loadbalancers?id={theirs['id']}")["loadbalancers"] == []
    assert_elb_error(alpha.call("GET", f"loadbalancers?limit=1&marker={theirs['id']}", None), 400, "ELB.8902")


def test_marker_without_limit_is_ignored(alpha: Api) -> None:
    """elb-v3-api.md 4.3: marker and page_reverse count only together with limit."""
    lan = net(alpha, "127.109.0.0/24")
    created = [_create(alpha, lan)["id"] for _ in range(3)]
    assert ids(_lbs_in(alpha, lan.vpc["id"], f"&marker={created[0]}")) == created


def test_zones_are_added_and_removed_and_one_stays(alpha: Api) -> None:
    lb = _create(alpha, net(alpha, "127.71.0.0/24"))
    added = alpha.ok("POST", f"loadbalancers/{lb['id']}/availability-zone/batch-add", {"availability_zone_list": ["local-1b"]}, status=200)
    assert added["loadbalancer"]["availability_zone_list"] == ["local-1a", "local-1b"] and added["loadbalancer_id"] == lb["id"]
    for body, path in (
        ({"availability_zone_list": ["local-1b"]}, "batch-add"),  # already in it
        ({"availability_zone_list": ["local-9z"]}, "batch-add"),  # no such zone
        ({"availability_zone_list": []}, "batch-add"),
        ({"availability_zone_list": ["local-1a", "local-1b"]}, "batch-remove"),  # none would stay
    ):
        assert_elb_error(alpha.call("POST", f"loadbalancers/{lb['id']}/availability-zone/{path}", body), 400, "ELB.8902")
    removed = alpha.ok("POST", f"loadbalancers/{lb['id']}/availability-zone/batch-remove", {"availability_zone_list": ["local-1a"]}, status=200)
    assert removed["loadbalancer"]["availability_zone_list"] == ["local-1b"]
    assert alpha.ok("GET", f"loadbalancers/{lb['id']}")["loadbalancer"]["availability_zone_list"] == ["local-1b"]
    assert_elb_error(alpha.call("POST", f"loadbalancers/{lb['id']}/availability-zone/batch-remove", {"availability_zone_list": ["local-1a"]}), 400, "ELB.8902")


def test_a_load_balancer_takes_no_local_ports_in_its_subnets(alpha: Api, beta: Api) -> None:
    """elbd's HAProxy reaches members from the host's own addresses: the VIP is all it takes."""
    lb = _create(alpha, net(alpha, "127.72.0.0/24"))
    assert alpha.ok("GET", f"loadbalancers/{lb['id']}/local-ports")["ports"] == []
    assert alpha.ok("GET", f"loadbalancers/{lb['id']}/local-ports?type=l7&ip_address=127.72.0.9")["ports"] == []
    assert_elb_error(alpha.call("GET", f"loadbalancers/{lb['id']}/local-ports?member=1"), 400, "ELB.8902")
    assert_elb_error(beta.call("GET", f"/v3/{beta.project_id}/elb/loadbalancers/{lb['id']}/local-ports"), 404, "ELB.8904")
