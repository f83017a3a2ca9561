"""Batch deletes of listeners, load balancers and pools, and the jobs the first two are recorded as.
One transaction each: an item refused deletes none and records no job."""

from typing import Any

import pytest

from tests.api.world import World, assert_elb_error, net
from tests.conftest import Api


@pytest.fixture
def api(world: World) -> Api:
    return world.project()


@pytest.fixture
def lb(api: Api) -> dict[str, Any]:
    return api.load_balancer(net(api).subnet)


def _jobs(api: Api, query: str = "") -> list[dict[str, Any]]:
    return api.ok("GET", f"jobs{query}")["jobs"]


def test_listeners_go_in_one_job_the_api_shows(api: Api, lb: dict[str, Any]) -> None:
    doomed = [api.listener(lb["id"], port=port)["id"] for port in (80, 81)]
    kept = api.listener(lb["id"], port=82)["id"]
    answer = api.ok("POST", "listeners/batch-delete", {"listener_ids": doomed}, status=200)
    assert answer["listener_ids"] == doomed and answer["request_id"]
    assert [one["id"] for one in api.ok("GET", f"listeners?loadbalancer_id={lb['id']}")["listeners"]] == [kept]
    job = api.ok("GET", f"jobs/{answer['job_id']}")["job"]
    assert (job["job_id"], job["job_type"], job["status"], job["project_id"]) == (answer["job_id"], "batchDeleteListener", "COMPLETE", api.project_id)
    assert [sub["entities"] for sub in job["sub_jobs"]] == [[{"resource_id": one, "resource_type": "listener"}] for one in doomed]
    assert job["begin_time"] <= job["end_time"] and all(sub["status"] == "COMPLETE" for sub in job["sub_jobs"])
    assert [one["job_id"] for one in _jobs(api)] == [answer["job_id"]]
    assert _jobs(api, "?job_type=batchDeleteLoadbalancer") == [] and _jobs(api, "?status=FAIL") == []
    assert _jobs(api, "?error_code=ELB.8907") == []
    assert [one["job_id"] for one in _jobs(api, f"?job_id={answer['job_id']}&begin_time=2000-01-01T00:00:00")] == [answer["job_id"]]
    assert _jobs(api, "?begin_time=2999-01-01T00:00:00") == []


def test_a_listener_refused_deletes_none_and_records_no_job(api: Api, lb: dict[str, Any]) -> None:
    plain = api.listener(lb["id"], port=80)["id"]
    busy = api.listener(lb["id"], port=81)["id"]
    pool = api.pool(loadbalancer_id=lb["id"])
    api.ok("POST", "l7policies", {"l7policy": {"listener_id": busy, "action": "REDIRECT_TO_POOL", "redirect_pool_id": pool["id"]}})
    assert_elb_error(api.call("POST", "listeners/batch-delete", {"listener_ids": [plain, busy]}), 409, "ELB.8907")
    assert_elb_error(api.call("POST", "listeners/batch-delete", {"listener_ids": [plain, "5b8c1a8e-0000-4000-8000-000000000000"]}), 404, "ELB.8904")
    assert_elb_error(api.call("POST", "listeners/batch-delete", {"listener_ids": [plain, plain]}), 400, "ELB.8902")
    assert_elb_error(api.call("POST", "listeners/batch-delete", {"listener_ids": [plain] * 11}), 400, "ELB.8902")
    assert len(api.ok("GET", f"listeners?loadbalancer_id={lb['id']}")["listeners"]) == 2
    assert _jobs(api) == []


def test_load_balancers_go_with_everything_under_them(api: Api) -> None:
    lan = net(api)
    first, second = api.load_balancer(lan.subnet), api.load_balancer(lan.subnet)
    listener = api.listener(first["id"])
    pool = api.pool(listener_id=listener["id"])
    api.member(pool["id"], address="127.10.0.30", protocol_port=8080, subnet_cidr_id=lan.subnet_id)
    answer = api.ok("POST", "loadbalancers/batch-delete", {"loadbalancer_ids": [first["id"], second["id"]]}, status=200)
    assert answer["loadbalancer_ids"] == [first["id"], second["id"]]
    for path in (f"loadbalancers/{first['id']}", f"loadbalancers/{second['id']}", f"listeners/{listener['id']}", f"pools/{pool['id']}"):
        assert_elb_error(api.call("GET", path), 404, "ELB.8904")
    assert api.ok("GET", f"jobs/{answer['job_id']}")["job"]["job_type"] == "batchDeleteLoadbalancer"


def test_load_balancers_batch_keeping_pools_and_refusing_a_protected_one(api: Api) -> None:
    lan = net(api)
    lb = api.load_balancer(lan.subnet)
    pool = api.pool(loadbalancer_id=lb["id"])
    protected = api.load_balancer(lan.subnet, deletion_protection_enable=True)
    assert_elb_error(api.call("POST", "loadbalancers/batch-delete", {"loadbalancer_ids": [lb["id"], protected["id"]]}), 409, "ELB.8907")
    assert api.ok("GET", f"pools/{pool['id']}")["pool"]["loadbalancers"] == [{"id": lb["id"]}]
    api.ok("POST", "loadbalancers/batch-delete", {"loadbalancer_ids": [lb["id"]], "unbounded_pool": False}, status=200)
    assert api.ok("GET", f"pools/{pool['id']}")["pool"]["loadbalancers"] == []


def test_pools_answer_each_id_and_a_refused_one_deletes_none(api: Api) -> None:
    lan = net(api, "127.11.0.0/24")
    lb = api.load_balancer(lan.subnet)
    empty = [api.pool(loadbalancer_id=lb["id"])["id"] for _ in range(2)]
    full = api.pool(loadbalancer_id=lb["id"])["id"]
    api.member(full, address="127.11.0.31", protocol_port=8080, subnet_cidr_id=lan.subnet_id)
    missing = "5b8c1a8e-0000-4000-8000-000000000000"
    assert_elb_error(api.call("POST", "pools/batch-delete", {"pools": [*empty, full]}), 409, "ELB.8907")
    assert all(api.call("GET", f"pools/{pool}").status_code == 200 for pool in empty)
    answer = api.ok("POST", "pools/batch-delete", {"pools": [*empty, missing]}, status=200)
    assert answer["pools"] == [{"id": empty[0], "ret_status": "successful"}, {"id": empty[1], "ret_status": "successful"}, {"id": missing, "ret_status": "not found"}]
    assert all(api.call("GET", f"pools/{pool}").status_code == 404 for pool in empty)
