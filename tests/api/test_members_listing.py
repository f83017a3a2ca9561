"""GET .../pools/{pool_id}/members and GET /v3/{project_id}/elb/members: filters, paging, isolation.

The catalogue and the paging pool are built once per module; every test here only reads them.
"""

from dataclasses import dataclass
from typing import Any

import pytest

from tests.api.member_helpers import build_topology, members_url, tcp_pool
from tests.api.world import World, assert_elb_error
from tests.conftest import Api

PAGED = 7


@dataclass
class Catalogue:
    """One dual-stack pool holding members of every kind, by role."""

    pool_id: str
    members: dict[str, dict[str, Any]]
    ipv6_subnet_id: str
    running_server_id: str

    def ids(self, *roles: str) -> set[str]:
        return {self.members[role]["id"] for role in roles}


def register_instance(api: Api, subnet_id: str, address: str) -> str:
    body = {"server": {"name": "vm", "nics": [{"subnet_id": subnet_id, "ip_address": address}]}}
    return api.ok("POST", "cloudservers", body, status=200)["serverIds"][0]


@pytest.fixture(scope="module")
def catalogue(api: Api) -> Catalogue:
    topology = build_topology(api)
    subnet_v4 = topology.subnet["neutron_subnet_id"]
    subnet_v6 = api.subnet(topology.vpc["id"], "127.20.0.0/24", ipv6_enable=True, cidr_v6="fd00:20::/64")["id"]
    stopped = register_instance(api, topology.subnet["id"], "127.10.0.30")
    running = register_instance(api, topology.subnet["id"], "127.10.0.31")
    pool_id = tcp_pool(api, topology.lb["id"])["id"]
    specs = {
        "stopped": {"address": "127.10.0.30", "protocol_port": 80, "subnet_cidr_id": subnet_v4},
        "running": {"address": "127.10.0.31", "protocol_port": 80, "subnet_cidr_id": subnet_v4, "weight": 5},
        "named": {"address": "127.10.0.32", "protocol_port": 8080, "subnet_cidr_id": subnet_v4, "weight": 5, "name": "web"},
        "ip": {"address": "10.0.0.5", "protocol_port": 80, "weight": 0},
        "v6": {"address": "fd00:20::10", "protocol_port": 80, "subnet_cidr_id": subnet_v6},
    }
    members = {role: api.member(pool_id, **spec)["member"] for role, spec in specs.items()}
    api.ok("POST", "cloudservers/action", {"os-stop": {"servers": [{"id": stopped}]}}, status=200)
    return Catalogue(pool_id, members, subnet_v6, running)


@pytest.fixture(scope="module")
def paged(api: Api) -> tuple[str, list[str]]:
    """A pool of PAGED members, and their ids in creation order."""
    topology = build_topology(api)
    subnet = topology.subnet["neutron_subnet_id"]
    ids = [
        api.member(topology.pool["id"], address=f"127.10.0.{20 + n}", protocol_port=80, subnet_cidr_id=subnet)["member"]["id"]
        for n in range(PAGED)
    ]
    return topology.pool["id"], ids


def listed(api: Api, pool_id: str, query: str = "") -> dict[str, Any]:
    return api.ok("GET", f"{members_url(pool_id)}{'?' + query if query else ''}")


def listed_ids(api: Api, pool_id: str, query: str = "") -> set[str]:
    return {m["id"] for m in listed(api, pool_id, query)["members"]}


# filters


def test_unfiltered_list_shows_every_member_with_page_info(api: Api, catalogue: Catalogue) -> None:
    body = listed(api, catalogue.pool_id)
    assert {m["id"] for m in body["members"]} == catalogue.ids(*catalogue.members)
    assert body["page_info"]["current_count"] == len(catalogue.members) and "next_marker" not in body["page_info"]


@pytest.mark.parametrize(
    ("query", "roles"),
    [
        ("address=127.10.0.30&address=10.0.0.5", ("stopped", "ip")),
        ("address=FD00:20:0::10", ("v6",)),
        ("weight=5", ("running", "named")),
        ("weight=5&weight=0", ("running", "named", "ip")),
        ("protocol_port=8080", ("named",)),
        ("member_type=ip", ("ip",)),
        ("member_type=instance", ("stopped", "running", "named", "v6")),
        ("ip_version=v6", ("v6",)),
        ("ip_version=v4", ("stopped", "running", "named", "ip")),
        ("operating_status=OFFLINE", ("stopped",)),
        ("operating_status=NO_MONITOR", ("running", "named", "ip", "v6")),
        ("operating_status=ONLINE", ()),
        ("admin_state_up=true", ("stopped", "running")),
        ("admin_state_up=false", ("named", "ip", "v6")),
        ("name=web", ("named",)),
        ("member_type=instance&weight=5", ("running", "named")),
        ("operating_status=NO_MONITOR&admin_state_up=true", ("running",)),
        ("enterprise_project_id=0", ("stopped", "running", "named", "ip", "v6")),
        ("enterprise_project_id=all_granted_eps", ("stopped", "running", "named", "ip", "v6")),
        ("enterprise_project_id=elsewhere", ()),
    ],
)
def test_filters_select_matching_members(api: Api, catalogue: Catalogue, query: str, roles: tuple[str, ...]) -> None:
    assert listed_ids(api, catalogue.pool_id, query) == catalogue.ids(*roles)


def test_filters_by_id_subnet_and_instance(api: Api, catalogue: Catalogue) -> None:
    running, ip = catalogue.members["running"]["id"], catalogue.members["ip"]["id"]
    assert listed_ids(api, catalogue.pool_id, f"id={running}&id={ip}") == {running, ip}
    assert listed_ids(api, catalogue.pool_id, f"subnet_cidr_id={catalogue.ipv6_subnet_id}") == catalogue.ids("v6")
    assert listed_ids(api, catalogue.pool_id, f"instance_id={catalogue.running_server_id}") == catalogue.ids("running")


@pytest.mark.parametrize(
    "query",
    ["color=blue", "pool_id=x", "loadbalancer_id=x", "weight=heavy", "protocol_port=http", "admin_state_up=maybe", "limit=2001", "limit=-1", "limit=x"],
)
def test_unknown_or_malformed_query_parameters_are_400(api: Api, catalogue: Catalogue, query: str) -> None:
    assert_elb_error(api.call("GET", f"{members_url(catalogue.pool_id)}?{query}"), 400, "ELB.8902")


# paging


def test_paging_forward_visits_every_member_once_in_creation_order(api: Api, paged: tuple[str, list[str]]) -> None:
    pool_id, ids = paged
    seen: list[str] = []
    counts: list[int] = []
    query = "limit=3"
    for _ in range(PAGED + 1):
        body = listed(api, pool_id, query)
        seen += [m["id"] for m in body["members"]]
        counts.append(body["page_info"]["current_count"])
        if "next_marker" not in body["page_info"]:
            break
        assert body["page_info"]["next_marker"] == seen[-1]
        query = f"limit=3&marker={body['page_info']['next_marker']}"
    assert seen == ids
    assert counts == [3, 3, 1]


def test_page_info_markers_are_the_first_and_last_ids(api: Api, paged: tuple[str, list[str]]) -> None:
    pool_id, ids = paged
    info = listed(api, pool_id, f"limit=2&marker={ids[1]}")["page_info"]
    assert info == {"previous_marker": ids[2], "next_marker": ids[3], "current_count": 2}


def test_page_reverse_with_previous_marker_walks_back(api: Api, paged: tuple[str, list[str]]) -> None:
    pool_id, ids = paged
    last = listed(api, pool_id, f"limit=3&marker={ids[5]}")
    assert [m["id"] for m in last["members"]] == ids[6:]
    back = listed(api, pool_id, f"limit=3&page_reverse=true&marker={last['page_info']['previous_marker']}")
    assert [m["id"] for m in back["members"]] == ids[3:6]
    first = listed(api, pool_id, f"limit=3&page_reverse=true&marker={back['page_info']['previous_marker']}")
    assert [m["id"] for m in first["members"]] == ids[:3]
    before = listed(api, pool_id, f"limit=3&page_reverse=true&marker={ids[0]}")
    assert before["members"] == [] and before["page_info"]["current_count"] == 0


def test_limit_zero_or_absent_lists_everything(api: Api, paged: tuple[str, list[str]]) -> None:
    pool_id, ids = paged
    assert [m["id"] for m in listed(api, pool_id, "limit=0")["members"]] == ids
    assert [m["id"] for m in listed(api, pool_id)["members"]] == ids


def test_marker_without_limit_is_ignored(api: Api, paged: tuple[str, list[str]]) -> None:
    pool_id, ids = paged
    assert [m["id"] for m in listed(api, pool_id, "marker=not-a-member&page_reverse=true")["members"]] == ids


@pytest.mark.parametrize("marker", ["not-a-member", "5b8c1a8e-0000-4000-8000-000000000000", "%20", "x" * 37])
def test_invalid_marker_is_400(api: Api, paged: tuple[str, list[str]], marker: str) -> None:
    assert_elb_error(api.call("GET", f"{members_url(paged[0])}?limit=3&marker={marker}"), 400, "ELB.8902")


def test_a_marker_from_another_pool_is_400(api: Api, paged: tuple[str, list[str]], catalogue: Catalogue) -> None:
    marker = catalogue.members["ip"]["id"]
    assert_elb_error(api.call("GET", f"{members_url(paged[0])}?limit=3&marker={marker}"), 400, "ELB.8902")


def test_paging_a_derived_filter_fills_pages(api: Api, catalogue: Catalogue) -> None:
    first = listed(api, catalogue.pool_id, "operating_status=NO_MONITOR&limit=3")
    assert first["page_info"]["current_count"] == 3
    rest = listed(api, catalogue.pool_id, f"operating_status=NO_MONITOR&limit=3&marker={first['page_info']['next_marker']}")
    assert "next_marker" not in rest["page_info"]
    assert {m["id"] for m in first["members"] + rest["members"]} == catalogue.ids("running", "named", "ip", "v6")


# isolation


def test_another_projects_pool_is_404(other_api: Api, catalogue: Catalogue) -> None:
    assert_elb_error(other_api.call("GET", members_url(catalogue.pool_id)), 404, "ELB.8904")


def test_unknown_pool_is_404(api: Api) -> None:
    assert_elb_error(api.call("GET", members_url("5b8c1a8e-0000-4000-8000-000000000000")), 404, "ELB.8904")


# the project-wide list


@dataclass
class Project:
    api: Api
    lb_ids: list[str]
    pool_ids: list[str]
    member_pool: dict[str, str]


@pytest.fixture(scope="module")
def project(world: World) -> Project:
    """A project of its own: two load balancers with a pool each, and a pool on no load balancer."""
    api = world.project()
    first, second = build_topology(api), build_topology(api)
    detached = api.pool(type="instance", vpc_id=first.vpc["id"])
    pools = [first.pool["id"], second.pool["id"], detached["id"]]
    subnets = [first.subnet["neutron_subnet_id"], second.subnet["neutron_subnet_id"], first.subnet["neutron_subnet_id"]]
    member_pool = {}
    for pool_id, subnet_id in zip(pools, subnets):
        for host in (20, 21):
            member = api.member(pool_id, address=f"127.10.0.{host}", protocol_port=80, subnet_cidr_id=subnet_id)["member"]
            member_pool[member["id"]] = pool_id
    return Project(api, [first.lb["id"], second.lb["id"]], pools, member_pool)


def all_members(api: Api, query: str = "") -> list[dict[str, Any]]:
    return api.ok("GET", f"members{'?' + query if query else ''}")["members"]


def test_project_list_shows_every_member_with_its_pool_and_load_balancer(project: Project) -> None:
    items = all_members(project.api)
    assert {m["id"]: m["pool_id"] for m in items} == project.member_pool
    lb_of_pool = dict(zip(project.pool_ids, project.lb_ids))
    for member in items:
        expected = lb_of_pool.get(member["pool_id"])
        assert member["loadbalancer_id"] == expected
        assert member["loadbalancers"] == ([{"id": expected}] if expected else [])
        assert member["project_id"] == project.api.project_id


def test_project_list_filters_by_pool_and_load_balancer(project: Project) -> None:
    first, second, detached = project.pool_ids
    by_pool = all_members(project.api, f"pool_id={first}&pool_id={detached}")
    assert {m["pool_id"] for m in by_pool} == {first, detached} and len(by_pool) == 4
    by_lb = all_members(project.api, f"loadbalancer_id={project.lb_ids[1]}")
    assert {m["pool_id"] for m in by_lb} == {second} and len(by_lb) == 2
    both = all_members(project.api, f"loadbalancer_id={project.lb_ids[0]}&loadbalancer_id={project.lb_ids[1]}")
    assert {m["pool_id"] for m in both} == {first, second}
    assert all_members(project.api, f"loadbalancer_id={project.lb_ids[0]}&pool_id={second}") == []


def test_project_list_filters_and_pages_like_the_pool_list(project: Project) -> None:
    assert {m["address"] for m in all_members(project.api, "address=127.10.0.21")} == {"127.10.0.21"}
    assert len(all_members(project.api, "address=127.10.0.21")) == 3
    unknown = all_members(project.api, "operating_status=UNKNOWN")
    assert {m["pool_id"] for m in unknown} == {project.pool_ids[2]}
    seen: list[str] = []
    query = "limit=4"
    for _ in range(len(project.member_pool) + 1):
        body = project.api.ok("GET", f"members?{query}")
        seen += [m["id"] for m in body["members"]]
        if "next_marker" not in body["page_info"]:
            break
        query = f"limit=4&marker={body['page_info']['next_marker']}"
    assert sorted(seen) == sorted(project.member_pool) and len(seen) == len(set(seen))


def test_project_list_refuses_unknown_parameters(project: Project) -> None:
    assert_elb_error(project.api.call("GET", "members?colour=red"), 400, "ELB.8902")


def test_lists_never_show_another_projects_members(project: Project, other_api: Api, catalogue: Catalogue) -> None:
    mine = set(project.member_pool)
    theirs = {m["id"] for m in all_members(other_api)}
    assert not mine & theirs
    assert not mine & {m["id"] for m in all_members(other_api, f"pool_id={project.pool_ids[0]}")}
    assert not catalogue.ids(*catalogue.members) & {m["id"] for m in all_members(project.api)}


def test_another_projects_path_is_403(project: Project, other_api: Api) -> None:
    assert_elb_error(other_api.call("GET", f"/v3/{project.api.project_id}/elb/members"), 403, "APIGW.0302")
