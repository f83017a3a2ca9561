"""Hostile text in every request field that reaches the data plane: refused with 400 ELB.8902 and
nothing stored, or (where the API's own grammar allows quotes, `#` or `%`) stored exactly as sent, for
the renderer to quote (tests/unit/test_hostile_values.py)."""

from typing import Any

import pytest

from tests.api.world import alpha, assert_elb_error, net, world  # noqa: F401
from tests.conftest import Api

LINE_BREAKS_AND_CONTROLS = ["\n", "\r", "\x00", "\t", "\x7f"]


def monitor_body(pool_id: str, **fields: Any) -> dict[str, Any]:
    return {"healthmonitor": {"pool_id": pool_id, "type": "HTTP", "delay": 5, "timeout": 3, "max_retries": 3, **fields}}


def monitor_of(api: Api, pool_id: str) -> str:
    return api.ok("GET", f"pools/{pool_id}")["pool"]["healthmonitor_id"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("url_path", f"/a{control}b") for control in LINE_BREAKS_AND_CONTROLS]
    + [
        ("url_path", "/a b"),
        ("url_path", "/é"),
        ("url_path", "/" + "x" * 80),
        ("url_path", "/a\nserver e 127.0.0.1:9876 #"),
        ("expected_codes", "２００"),
        ("expected_codes", "200\n"),
        ("expected_codes", "200\ndisable frontend x"),
        ("expected_codes", "200;201"),
        ("expected_codes", "2\x0000"),
        ("expected_codes", "%[src]"),
        ("domain_name", "a b"),
        ("domain_name", "a\nb"),
        ("domain_name", "é.example.com"),
        ("domain_name", "%[src]"),
        ("domain_name", "a'b"),
        ("http_method", "GET\n"),
        ("http_method", "GET /x"),
    ],
)
def test_hostile_monitor_text_is_refused_on_create_and_update(alpha: Api, field: str, value: str) -> None:
    pool = alpha.pool(type="ip")
    assert_elb_error(alpha.call("POST", "healthmonitors", monitor_body(pool["id"], **{field: value})), 400, "ELB.8902")
    assert monitor_of(alpha, pool["id"]) == ""
    monitor = alpha.monitor(pool["id"])
    assert_elb_error(alpha.call("PUT", f"healthmonitors/{monitor['id']}", {"healthmonitor": {field: value}}), 400, "ELB.8902")
    assert alpha.ok("GET", f"healthmonitors/{monitor['id']}")["healthmonitor"] == monitor


@pytest.mark.parametrize("url_path", ["/health#x", "/'", "/a'b", "/%[src]", "/a;b", "/$HOME"])
def test_a_url_path_the_api_allows_is_stored_exactly_as_sent(alpha: Api, url_path: str) -> None:
    pool = alpha.pool(type="ip")
    assert alpha.monitor(pool["id"], url_path=url_path)["url_path"] == url_path


HOSTILE_ADDRESSES = [
    "fd00::5%x]:1 init-addr none\nserver e 127.0.0.1:9876 #",
    "fd00::5%x\ndisable frontend f",
    "127.31.9.5\n",
    "127.31.9.5 ",
    "127.31.9.5#",
    "127.31.9.5;",
    "١٢٧.31.9.5",
    "",
    "x" * 64,
]


@pytest.mark.parametrize("address", HOSTILE_ADDRESSES, ids=range(len(HOSTILE_ADDRESSES)))
def test_hostile_addresses_are_refused_wherever_an_address_is_taken(alpha: Api, address: str) -> None:
    lan = net(alpha, "127.31.9.0/24", ipv6_enable=True, cidr_v6="fd00:31:9::/64")
    lb = alpha.load_balancer(lan.subnet, ip_target_enable=True)
    pool = alpha.pool("TCP", loadbalancer_id=lb["id"], ip_version="dualstack")
    member = {"address": address, "protocol_port": 80}
    refused = [
        alpha.call("POST", f"pools/{pool['id']}/members", {"member": member}),
        alpha.call("POST", f"pools/{pool['id']}/members", {"member": {**member, "subnet_cidr_id": lan.subnet["id"]}}),
        alpha.call("POST", f"pools/{pool['id']}/members/batch-add", {"members": [member]}),
        alpha.call("POST", f"pools/{pool['id']}/members/batch-delete", {"members": [member]}),
        alpha.call("POST", "loadbalancers", {"loadbalancer": {"availability_zone_list": ["local-1a"], "vip_subnet_cidr_id": lan.subnet_id, "vip_address": address}}),
        alpha.call(
            "POST",
            "loadbalancers",
            {"loadbalancer": {"availability_zone_list": ["local-1a"], "ipv6_vip_virsubnet_id": lan.subnet["id"], "ipv6_vip_address": address}},
        ),
        alpha.call("POST", "subnets", {"subnet": {"name": "s", "cidr": "127.31.10.0/24", "vpc_id": lan.vpc["id"], "gateway_ip": address}}),
        alpha.call("POST", "cloudservers", {"server": {"name": "vm", "nics": [{"subnet_id": lan.subnet["id"], "ip_address": address}]}}),
    ]
    for response in refused:
        assert_elb_error(response, 400, "ELB.8902")
    assert alpha.ok("GET", f"pools/{pool['id']}/members")["members"] == []
    assert [one["id"] for one in alpha.ok("GET", f"loadbalancers?vpc_id={lan.vpc['id']}")["loadbalancers"]] == [lb["id"]]
    assert [subnet["id"] for subnet in alpha.ok("GET", f"subnets?vpc_id={lan.vpc['id']}")["subnets"]] == [lan.subnet["id"]]
    alpha.ok("DELETE", f"pools/{pool['id']}")
    alpha.ok("DELETE", f"loadbalancers/{lb['id']}")
