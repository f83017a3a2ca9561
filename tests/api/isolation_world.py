"""One of every resource in a project, named by the path parameters that address it, and a snapshot
of the whole database, to show a refused request changed nothing."""

import time
from dataclasses import astuple, dataclass, fields
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from elbd.store.models import Base
from tests.certificates import issue, server_body
from tests.conftest import Api


@dataclass(frozen=True)
class Resources:
    """A project's resources by path-parameter name, plus `neutron_subnet_id`, what bodies name a subnet by."""

    project_id: str
    vpc_id: str
    subnet_id: str
    neutron_subnet_id: str
    loadbalancer_id: str
    listener_id: str
    pool_id: str
    healthmonitor_id: str
    member_id: str
    server_id: str
    security_policy_id: str
    certificate_id: str
    l7policy_id: str
    l7rule_id: str
    job_id: str
    ipgroup_id: str
    logtank_id: str
    batch_job_id: str
    master_slave_pool_id: str  # what {pool_id} names under master-slave-pools

    def path_value(self, parameter: str) -> str | None:
        """The id a path parameter of this name takes, or None if no resource answers to it."""
        if parameter not in PATH_PARAMETERS:
            return None
        return getattr(self, parameter)

    def ids(self) -> set[str]:
        return set(astuple(self))

    def named(self) -> dict[str, str]:
        return {field.name: getattr(self, field.name) for field in fields(self)}


PATH_PARAMETERS = frozenset(field.name for field in fields(Resources)) - {"neutron_subnet_id", "batch_job_id", "master_slave_pool_id"}


def furnish(api: Api) -> Resources:
    """A VPC and subnet, an instance in it, a load balancer with a listener, its pool, a monitor and an
    instance member, a security policy, a server certificate, a forwarding policy of the listener
    (to a pool of its own) with a rule, a finished check job of the member, an IP address group, a
    batch delete's job, an active/standby pool and a log tank of the load balancer."""
    vpc = api.vpc()
    subnet = api.subnet(vpc["id"])
    server_id = api.ok("POST", "cloudservers", {"server": {"name": "backend", "nics": [{"subnet_id": subnet["id"]}]}}, status=200)["serverIds"][0]
    [nic] = api.ok("GET", f"cloudservers/{server_id}")["server"]["addresses"][vpc["id"]]
    lb = api.load_balancer(subnet, ip_target_enable=True)
    listener = api.listener(lb["id"])
    pool = api.pool(listener_id=listener["id"])
    monitor = api.monitor(pool["id"])
    member = api.member(pool["id"], address=nic["addr"], protocol_port=8080, subnet_cidr_id=subnet["neutron_subnet_id"])["member"]
    policy = api.ok("POST", "security-policies", {"security_policy": {"protocols": ["TLSv1.2"], "ciphers": ["AES128-GCM-SHA256"]}})
    certificate = api.ok("POST", "certificates", server_body(issue("isolation.example.com")))["certificate"]
    policy_pool = api.pool(loadbalancer_id=lb["id"])
    rule = {"type": "PATH", "compare_type": "STARTS_WITH", "value": "/isolated"}
    l7policy = api.ok(
        "POST", "l7policies", {"l7policy": {"listener_id": listener["id"], "action": "REDIRECT_TO_POOL", "redirect_pool_id": policy_pool["id"], "rules": [rule]}}
    )["l7policy"]
    job_id = api.ok(
        "POST", f"members/{member['id']}/health-check", {"member_check": {"listener_id": listener["id"], "subject": "config"}}, status=200
    )["member_check"]["job_id"]
    _wait_until_finished(api, job_id)  # its result is written meanwhile: snapshots must not see it change
    ipgroup = api.ok("POST", "ipgroups", {"ipgroup": {"ip_list": [{"ip": "127.0.0.1"}]}})["ipgroup"]
    logtank = api.ok("POST", "logtanks", {"logtank": {"loadbalancer_id": lb["id"], "log_group_id": "group", "log_topic_id": "topic"}})["logtank"]
    doomed = api.listener(lb["id"], port=81)
    batch_job_id = api.ok("POST", "listeners/batch-delete", {"listener_ids": [doomed["id"]]}, status=200)["job_id"]
    pair = [
        {"address": f"127.10.0.{host}", "protocol_port": 8080, "role": role, "subnet_cidr_id": subnet["neutron_subnet_id"]}
        for host, role in ((240, "master"), (241, "slave"))
    ]
    check = {"type": "TCP", "delay": 5, "timeout": 3, "max_retries": 3}
    master_slave_pool = api.ok(
        "POST", "master-slave-pools", {"pool": {"protocol": "TCP", "lb_algorithm": "ROUND_ROBIN", "loadbalancer_id": lb["id"], "members": pair, "healthmonitor": check}}
    )["pool"]
    return Resources(
        project_id=api.project_id,
        vpc_id=vpc["id"],
        subnet_id=subnet["id"],
        neutron_subnet_id=subnet["neutron_subnet_id"],
        loadbalancer_id=lb["id"],
        listener_id=listener["id"],
        pool_id=pool["id"],
        healthmonitor_id=monitor["id"],
        member_id=member["id"],
        server_id=server_id,
        security_policy_id=policy["security_policy"]["id"],
        certificate_id=certificate["id"],
        l7policy_id=l7policy["id"],
        l7rule_id=l7policy["rules"][0]["id"],
        job_id=job_id,
        ipgroup_id=ipgroup["id"],
        logtank_id=logtank["id"],
        batch_job_id=batch_job_id,
        master_slave_pool_id=master_slave_pool["id"],
    )


def _wait_until_finished(api: Api, job_id: str) -> None:
    deadline = time.monotonic() + 10
    while api.ok("GET", f"members/check/jobs/{job_id}")["member_check"]["status"] == "processing":
        assert time.monotonic() < deadline, f"check job {job_id} still processing"
        time.sleep(0.05)


def database_rows(client: TestClient) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order: equal before and after means a request changed nothing,
    for either project, in any column."""
    with client.app.state.db.read() as session:
        return {table.name: sorted(map(tuple, session.execute(select(table))), key=repr) for table in Base.metadata.sorted_tables}
