"""Two `elbd serve` processes on one PostgreSQL database, as API replicas: every rule a write checks by
reading first holds when the same request races through both (SQLite's single writer made them safe in
one process; on PostgreSQL the write transactions take turns on an advisory lock, store/db.py, except
member creates, which run beside each other under locks of their own: members.create_locks)."""

import json
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from elbd.service.identity import ProjectCredentials
from tests import postgres
from tests.conftest import Api, LiveServer, free_port, token_for

pytestmark = pytest.mark.skipif(not postgres.ON_POSTGRES, reason="replicas share a PostgreSQL database: run with ELBD_TEST_DATABASE=postgresql")

RACERS = 8
SAME_MEMBER_CREATES = 50
QUOTA = 5
QUOTA_RACERS = 20


@pytest.fixture
def replicas(tmp_path: Path) -> Iterator[tuple[LiveServer, LiveServer]]:
    first = LiveServer(tmp_path / "a", free_port(), serve_args=("--no-agent",))
    first.start()
    second = LiveServer(tmp_path / "b", free_port(), serve_args=("--no-agent",))
    try:
        second.data_dir.mkdir(mode=0o700)
        shutil.copy2(first.data_dir / "secret.key", second.data_dir / "secret.key")  # every replica holds the same key
        second.start()
        yield first, second
    finally:
        second.stop()
        first.stop()


@pytest.fixture
def apis(replicas: tuple[LiveServer, LiveServer]) -> Iterator[list[Api]]:
    credentials = ProjectCredentials(**json.loads(replicas[0].elbd("project", "create", "replicated")))
    with httpx.Client(base_url=replicas[0].url, timeout=30) as one, httpx.Client(base_url=replicas[1].url, timeout=30) as two:
        yield [Api(client, credentials, token_for(client, credentials)) for client in (one, two)]  # type: ignore[arg-type]


def race(apis: list[Api], request: Callable[[Api, int], httpx.Response], count: int = RACERS) -> Counter[int]:
    """`count` requests, RACERS at a time, alternately through each replica: how many got each status."""
    with ThreadPoolExecutor(RACERS) as pool:
        return Counter(response.status_code for response in pool.map(lambda n: request(apis[n % 2], n), range(count)))


def post(api: Api, path: str, body: dict[str, Any]) -> httpx.Response:
    return api.call("POST", path, body)


def test_the_same_member_raced_through_two_replicas_is_added_once(apis: list[Api]) -> None:
    subnet = apis[0].subnet(apis[0].vpc()["id"])
    lb = apis[0].load_balancer(subnet)
    pool = apis[0].pool(loadbalancer_id=lb["id"])
    member = {"member": {"address": "127.10.0.50", "protocol_port": 8080, "subnet_cidr_id": subnet["neutron_subnet_id"]}}
    statuses = race(apis, lambda api, _: post(api, f"pools/{pool['id']}/members", member), SAME_MEMBER_CREATES)
    assert statuses == Counter({201: 1, 409: SAME_MEMBER_CREATES - 1})
    assert len(apis[1].ok("GET", f"pools/{pool['id']}/members")["members"]) == 1


def test_two_members_raced_through_two_replicas_are_each_added_once(apis: list[Api]) -> None:
    """Creates of the same two members, in whatever order the batches of either replica hold them."""
    vpc = apis[0].vpc()
    subnet = apis[0].subnet(vpc["id"])
    pool = apis[0].pool(type="instance", vpc_id=vpc["id"])

    def create(api: Api, n: int) -> httpx.Response:
        member = {"address": f"127.10.0.{60 + n % 2}", "protocol_port": 8080, "subnet_cidr_id": subnet["neutron_subnet_id"]}
        return post(api, f"pools/{pool['id']}/members", {"member": member})

    assert race(apis, create, SAME_MEMBER_CREATES) == Counter({201: 2, 409: SAME_MEMBER_CREATES - 2})
    assert len(apis[1].ok("GET", f"pools/{pool['id']}/members")["members"]) == 2


def test_a_member_quota_raced_through_two_replicas_is_never_passed(apis: list[Api], replicas: tuple[LiveServer, LiveServer]) -> None:
    """Member creates run beside each other on PostgreSQL: the quota's count holds only under the
    project's lock. Three rounds, each raising the quota by QUOTA, as one race may miss the moment."""
    vpc = apis[0].vpc()
    subnet = apis[0].subnet(vpc["id"])
    pool = apis[0].pool(type="instance", vpc_id=vpc["id"])
    for lap in range(3):
        replicas[1].elbd("quota", "set", apis[0].project_id, "member", str(QUOTA * (lap + 1)))

        def create(api: Api, n: int, lap: int = lap) -> httpx.Response:
            address = f"127.10.0.{10 + QUOTA_RACERS * lap + n}"
            member = {"address": address, "protocol_port": 8080, "subnet_cidr_id": subnet["neutron_subnet_id"]}
            return post(api, f"pools/{pool['id']}/members", {"member": member})

        assert race(apis, create, QUOTA_RACERS) == Counter({201: QUOTA, 409: QUOTA_RACERS - QUOTA})
    assert len(apis[1].ok("GET", f"pools/{pool['id']}/members")["members"]) == 3 * QUOTA


def test_a_vip_raced_through_two_replicas_is_taken_once_and_allocated_ones_differ(apis: list[Api]) -> None:
    subnet = apis[0].subnet(apis[0].vpc()["id"])
    body = {"loadbalancer": {"availability_zone_list": ["local-1a"], "vip_subnet_cidr_id": subnet["neutron_subnet_id"], "vip_address": "127.10.0.9"}}
    assert race(apis, lambda api, _: post(api, "loadbalancers", body)) == Counter({201: 1, 409: RACERS - 1})
    allocated = {key: value for key, value in body["loadbalancer"].items() if key != "vip_address"}
    statuses = race(apis, lambda api, _: post(api, "loadbalancers", {"loadbalancer": allocated}))
    assert statuses == Counter({201: RACERS})
    vips = [lb["vip_address"] for lb in apis[1].ok("GET", "loadbalancers")["loadbalancers"]]
    assert len(vips) == len(set(vips)) == RACERS + 1


def test_a_member_and_a_vip_raced_for_one_address_get_one_of_them(apis: list[Api]) -> None:
    subnet = apis[0].subnet(apis[0].vpc()["id"])
    pool = apis[0].pool(loadbalancer_id=apis[0].load_balancer(subnet)["id"])
    address = "127.10.0.77"
    member = {"member": {"address": address, "protocol_port": 8080, "subnet_cidr_id": subnet["neutron_subnet_id"]}}
    balancer = {"loadbalancer": {"availability_zone_list": ["local-1a"], "vip_subnet_cidr_id": subnet["neutron_subnet_id"], "vip_address": address}}

    def either(api: Api, n: int) -> httpx.Response:
        return post(api, f"pools/{pool['id']}/members", member) if n % 4 < 2 else post(api, "loadbalancers", balancer)

    statuses = race(apis, either)
    assert statuses[201] == 1 and sum(statuses.values()) == RACERS
    assert all(status in (400, 409) for status in statuses if status != 201)


def test_a_quota_raced_through_two_replicas_is_never_passed(apis: list[Api], replicas: tuple[LiveServer, LiveServer]) -> None:
    replicas[1].elbd("quota", "set", apis[0].project_id, "loadbalancer", str(QUOTA))
    subnet = apis[0].subnet(apis[0].vpc()["id"])
    body = {"availability_zone_list": ["local-1a"], "vip_subnet_cidr_id": subnet["neutron_subnet_id"]}
    statuses = race(apis, lambda api, n: post(api, "loadbalancers", {"loadbalancer": {**body, "vip_address": f"127.10.0.{100 + n}"}}), QUOTA_RACERS)
    assert statuses == Counter({201: QUOTA, 409: QUOTA_RACERS - QUOTA})
    assert len(apis[1].ok("GET", "loadbalancers")["loadbalancers"]) == QUOTA


def test_a_listener_port_raced_through_two_replicas_is_taken_once(apis: list[Api]) -> None:
    lb = apis[0].load_balancer(apis[0].subnet(apis[0].vpc()["id"]))
    body = {"listener": {"loadbalancer_id": lb["id"], "protocol": "HTTP", "protocol_port": 8088}}
    assert race(apis, lambda api, _: post(api, "listeners", body)) == Counter({201: 1, 409: RACERS - 1})
