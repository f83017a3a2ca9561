"""POST .../loadbalancers/batch-create: `number` load balancers alike, all or none, as a job."""

from typing import Any

import pytest

from tests.api.world import World, assert_elb_error, net
from tests.conftest import Api


def _body(subnet_id: str, **fields: Any) -> dict[str, Any]:
    return {"loadbalancer": {"availability_zone_list": ["local-1a"], "vip_subnet_cidr_id": subnet_id, **fields}}


def _count(api: Api) -> int:
    return len(api.ok("GET", "loadbalancers")["loadbalancers"])


def test_number_load_balancers_each_with_its_vip_and_a_job(world: World) -> None:
    api = world.project()
    lan = net(api)
    answer = api.ok("POST", "loadbalancers/batch-create", _body(lan.subnet_id, name="edge", number=3, tags=[{"key": "env", "value": "a"}]))
    made = [api.ok("GET", f"loadbalancers/{lb_id}")["loadbalancer"] for lb_id in answer["loadbalancer_ids"]]
    assert [lb["name"] for lb in made] == ["edge"] * 3 and all(lb["tags"] == [{"key": "env", "value": "a"}] for lb in made)
    assert len({lb["vip_address"] for lb in made}) == 3
    job = api.ok("GET", f"jobs/{answer['job_id']}")["job"]
    assert (job["job_type"], job["status"]) == ("batchCreateV3Loadbalancer", "COMPLETE")
    assert [sub["resource_id"] for sub in job["sub_jobs"]] == answer["loadbalancer_ids"]


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"number": 2, "vip_address": "127.10.0.50"}, 400, "ELB.8902"),
        ({"number": 11}, 400, "ELB.8902"),
        ({"number": 0}, 400, "ELB.8902"),
        ({"number": 2, "bandwidth": {"size": 10}}, 400, "ELB.8902"),
        ({"number": 2, "ids": ["x"]}, 400, "ELB.8902"),
        ({"number": 3}, 409, "ELB.8905"),  # the quota of 2 holds the whole batch
    ],
)
def test_a_refused_batch_creates_none(world: World, fields: dict[str, Any], status: int, code: str) -> None:
    api = world.project(loadbalancer=2)
    lan = net(api)
    assert_elb_error(api.call("POST", "loadbalancers/batch-create", _body(lan.subnet_id, **fields)), status, code)
    assert _count(api) == 0 and api.ok("GET", "jobs")["jobs"] == []
