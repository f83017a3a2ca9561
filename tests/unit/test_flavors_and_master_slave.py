"""Flavors and active/standby pools, the pure parts: the catalogue's rules, its listing, what a flavor
becomes on each listener (its lines in haproxy.cfg, and HAProxy's check of them), a standby as a
backup server, and the roles an active/standby pool takes."""

import shutil
import subprocess
from dataclasses import replace
from ipaddress import ip_address
from pathlib import Path

import pytest

from elbd import flavors
from elbd.dataplane.desired import desired_config
from elbd.dataplane.haproxy_words import UnsafeValue
from elbd.dataplane.model import Backend, FlavorLimits, Frontend, LoadBalancerConfig, Server
from elbd.dataplane.render import flavor_limit_lines, render, server_options
from elbd.errors import ElbError
from elbd.service import master_slave_rules
from elbd.service.flavors import list_flavors
from elbd.service.paging import PageRequest
from tests.unit.test_dataplane_desired import listener, member, stored

L4_SMALL = next(flavor for flavor in flavors.CATALOGUE if flavor.name == "L4_flavor.elb.s1.small")
L7_SMALL = next(flavor for flavor in flavors.CATALOGUE if flavor.name == "L7_flavor.elb.s1.small")


def test_the_catalogue_has_unique_ids_and_names_and_qps_only_on_l7() -> None:
    assert len({flavor.id for flavor in flavors.CATALOGUE}) == len({flavor.name for flavor in flavors.CATALOGUE}) == len(flavors.CATALOGUE)
    assert {flavor.type for flavor in flavors.CATALOGUE} == {"L4", "L7"}
    assert all((flavor.qps is not None) == (flavor.type == "L7") for flavor in flavors.CATALOGUE)
    assert all(flavor.name.startswith(f"{flavor.type}_flavor.elb.") for flavor in flavors.CATALOGUE)


def test_checked_takes_a_flavor_of_the_fields_kind_and_nothing_else() -> None:
    assert flavors.checked("l4_flavor_id", L4_SMALL.id) == L4_SMALL.id
    assert flavors.checked("l7_flavor_id", L7_SMALL.id) == L7_SMALL.id
    assert flavors.checked("l4_flavor_id", None) is None and flavors.checked("l7_flavor_id", "") is None
    for field, value in (("l4_flavor_id", L7_SMALL.id), ("l7_flavor_id", L4_SMALL.id), ("l4_flavor_id", "nope")):
        with pytest.raises(ElbError) as refused:
            flavors.checked(field, value)
        assert refused.value.status == 400 and field in refused.value.message


def test_udp_listeners_refuse_an_l4_flavor_only() -> None:
    flavors.refuse_unlimited_listeners(None, {"UDP"})
    flavors.refuse_unlimited_listeners(L4_SMALL.id, {"TCP", "HTTP"})
    with pytest.raises(ElbError):
        flavors.refuse_unlimited_listeners(L4_SMALL.id, {"TCP", "UDP"})


def test_listing_filters_and_pages_in_catalogue_order() -> None:
    l7 = [flavor for flavor in flavors.CATALOGUE if flavor.type == "L7"]
    assert list_flavors({"type": ["L7"]}, PageRequest()).items == l7
    page = list_flavors({"type": ["L7"]}, PageRequest(limit=2))
    assert (page.items, page.next_marker) == (l7[:2], l7[1].id)
    last = list_flavors({"type": ["L7"]}, PageRequest(marker=l7[1].id, limit=2))
    assert (last.items, last.next_marker) == (l7[2:], None)
    back = list_flavors({}, PageRequest(marker=l7[0].id, limit=2, page_reverse=True))
    assert back.items == list(flavors.CATALOGUE[1:3])
    assert list_flavors({"shared": False}, PageRequest()).items == []


def test_a_flavor_reaches_the_listeners_of_its_kind_only() -> None:
    both = stored(
        listeners=(listener(), listener(id="l-2", protocol="TCP", protocol_port=81), listener(id="l-3", protocol="HTTPS", protocol_port=82)),
        l4_flavor_id=L4_SMALL.id,
        l7_flavor_id=L7_SMALL.id,
    )
    config = desired_config(both, 4000)
    by_name = {frontend.name: frontend.flavor for frontend in config.frontends}
    assert by_name["l-1"] == FlavorLimits(7, 200, 50, 100)
    assert by_name["l-2"] == FlavorLimits(4, 200, 50, 0)
    assert config.counts_flavor_limits
    none = desired_config(stored(listeners=(listener(), listener(id="l-2", protocol="TCP", protocol_port=81))), 4000)
    assert [frontend.flavor for frontend in none.frontends] == [None, None] and not none.counts_flavor_limits
    only_l4 = desired_config(stored(l4_flavor_id=L4_SMALL.id), 4000)
    assert only_l4.frontends[0].flavor is None  # an HTTP listener, and no L7 flavor


def test_flavor_lines_track_the_kind_and_refuse_past_each_limit() -> None:
    http = Frontend("l-1", (ip_address("127.1.0.5"),), 80, "http", flavor=FlavorLimits(7, 200, 50, 100))
    assert flavor_limit_lines(http) == [
        "tcp-request connection track-sc0 int(7) table elbd-flavor-limits",
        "tcp-request connection reject if { sc0_conn_cur gt 200 }",
        "tcp-request connection reject if { sc0_sess_rate ge 50 }",
        "http-request deny deny_status 429 if { sc0_gpc0_rate ge 100 }",
        "http-request sc-inc-gpc0(0)",
    ]
    tcp = replace(http, mode="tcp", flavor=FlavorLimits(4, 200, 50, 100))
    assert not any(line.startswith("http-request") for line in flavor_limit_lines(tcp))
    assert flavor_limit_lines(replace(http, flavor=None)) == []
    with pytest.raises(UnsafeValue):
        flavor_limit_lines(replace(http, flavor=FlavorLimits(5, 1, 1)))


def test_a_standby_is_a_backup_server() -> None:
    backend = Backend("p-1", "tcp", "roundrobin", servers=(Server("m-1", ip_address("127.1.0.10"), 80, 1), Server("m-2", ip_address("127.1.0.11"), 80, 1, backup=True)))
    assert "backup" not in server_options(backend, backend.servers[0]).split()
    assert "backup" in server_options(backend, backend.servers[1]).split()
    config = desired_config(stored(members=(member("m-1", role="master"), member("m-2", role="slave", address="127.20.0.11"))), 4000)
    assert [server.backup for server in config.backends[0].servers] == [False, True]


@pytest.mark.skipif(shutil.which("haproxy") is None, reason="HAProxy is not installed")
def test_haproxy_takes_the_rendered_flavor_and_backup_lines(tmp_path: Path) -> None:
    config = LoadBalancerConfig(
        "lb-1",
        4000,
        frontends=(
            Frontend("l-1", (ip_address("127.1.0.5"),), 80, "http", backend="p-1", flavor=FlavorLimits(7, 200, 50, 100), max_connections=5),
            Frontend("l-2", (ip_address("127.1.0.5"),), 81, "tcp", flavor=FlavorLimits(4, 200, 50)),
        ),
        backends=(Backend("p-1", "http", "roundrobin", servers=(Server("m-1", ip_address("127.1.0.10"), 80, 1), Server("m-2", ip_address("127.1.0.11"), 80, 1, backup=True))),),
    )
    path = tmp_path / "haproxy.cfg"
    path.write_text(render(config, tmp_path, tmp_path))
    checked = subprocess.run(["haproxy", "-c", "-f", str(path)], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize("roles", [["master", "slave"], ["slave", "master"]])
def test_one_master_and_one_slave_pass(roles: list[str]) -> None:
    master_slave_rules.check_roles(roles)


@pytest.mark.parametrize("roles", [[], ["master"], ["master", "master"], ["slave", "slave"], ["master", "slave", "slave"]])
def test_any_other_roles_are_refused(roles: list[str]) -> None:
    with pytest.raises(ElbError):
        master_slave_rules.check_roles(roles)


def test_an_active_standby_group_refuses_changes_and_others_do_not() -> None:
    master_slave_rules.refuse_change("p-1", False, "members")
    with pytest.raises(ElbError) as refused:
        master_slave_rules.refuse_change("p-1", True, "members")
    assert "active/standby" in refused.value.message
