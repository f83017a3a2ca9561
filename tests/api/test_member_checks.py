"""On-demand member checks through the API: a job per POST, its result by GET, with the pool's monitor
run by elbd itself against real members on loopback."""

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from elbd.clock import utcnow
from elbd.service.member_checks import STALE_AFTER, status_of
from elbd.store.models import HealthMonitor, MemberCheckJob
from tests.api.world import assert_elb_error, stored_earlier
from tests.conftest import Api, Topology
from tests.dataplane.fake_backend import Behaviour, FakeBackend
from tests.ports import free_port_on

MEMBER_ADDRESS = "127.10.0.20"
POLL_LIMIT_S = 10.0


def start_job(api: Api, member_id: str, listener_id: str, subject: str = "config") -> str:
    body = {"member_check": {"listener_id": listener_id, "subject": subject}}
    return api.ok("POST", f"members/{member_id}/health-check", body, status=200)["member_check"]["job_id"]


def finished(api: Api, job_id: str) -> dict[str, Any]:
    """The job once it is no longer processing (polled, bounded)."""
    deadline = time.monotonic() + POLL_LIMIT_S
    while True:
        job = api.ok("GET", f"members/check/jobs/{job_id}")["member_check"]
        if job["status"] != "processing" or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


@pytest.fixture
def backend() -> Iterator[FakeBackend]:
    served = FakeBackend("member", MEMBER_ADDRESS, free_port_on(MEMBER_ADDRESS)).start()
    yield served
    served.stop()


def add_member(api: Api, topology: Topology, port: int) -> dict[str, Any]:
    fields = {"address": MEMBER_ADDRESS, "protocol_port": port, "subnet_cidr_id": topology.subnet["neutron_subnet_id"]}
    return api.member(topology.pool["id"], **fields)["member"]


def test_a_healthy_member_passes(api: Api, topology: Topology, backend: FakeBackend) -> None:
    api.monitor(topology.pool["id"], url_path="/health", domain_name="www.example.com")
    member = add_member(api, topology, backend.port)
    job_id = start_job(api, member["id"], topology.listener["id"])
    job = finished(api, job_id)
    assert job["status"] == "processed" and job["job_id"] == job_id
    assert job["result"] == {"config": {"check_result": True, "check_items": [], "check_status": "processed"}, "acl": None, "security_group": None}
    assert (job["member_id"], job["listener_id"]) == (member["id"], topology.listener["id"])
    assert (job["check_item_total_num"], job["check_item_finished_num"]) == (1, 1)
    assert backend.last_request.startswith(b"GET /health HTTP/1.1\r\nHost: www.example.com\r\n")


def test_a_wrong_status_is_a_mismatch_with_both_codes(api: Api, topology: Topology, backend: FakeBackend) -> None:
    backend.behaviour = Behaviour(health_status=503)
    api.monitor(topology.pool["id"], url_path="/health", expected_codes="200-204")
    member = add_member(api, topology, backend.port)
    job = finished(api, start_job(api, member["id"], topology.listener["id"], subject="all"))
    config = job["result"]["config"]
    assert job["status"] == "processed" and config["check_result"] is False
    [item] = config["check_items"]
    assert item["reason_template"] == "RESPONSE_MISMATCH" and item["reason_params"] == ["200-204", "503"]
    assert item["reason"].startswith("RESPONSE_MISMATCH: ") and item["subject"] == "config" and item["severity"] == "Major"


def test_a_member_nobody_listens_for_is_refused(api: Api, topology: Topology) -> None:
    api.monitor(topology.pool["id"], "TCP", monitor_port=free_port_on(MEMBER_ADDRESS))
    member = add_member(api, topology, 8080)
    job = finished(api, start_job(api, member["id"], topology.listener["id"]))
    assert [item["reason_template"] for item in job["result"]["config"]["check_items"]] == ["CONNECT_REFUSED"]


def test_a_garbage_answer_is_a_format_error(api: Api, topology: Topology, backend: FakeBackend) -> None:
    backend.behaviour = Behaviour(mode="garbage")
    api.monitor(topology.pool["id"], url_path="/health")
    member = add_member(api, topology, backend.port)
    job = finished(api, start_job(api, member["id"], topology.listener["id"]))
    assert [item["reason_template"] for item in job["result"]["config"]["check_items"]] == ["RESPONSE_FORMAT_ERROR"]


def test_a_pool_reached_through_a_forwarding_policy_can_be_checked(api: Api, topology: Topology, backend: FakeBackend) -> None:
    pool = api.pool(loadbalancer_id=topology.lb["id"])
    api.monitor(pool["id"], "TCP")
    policy = {"listener_id": topology.listener["id"], "action": "REDIRECT_TO_POOL", "redirect_pool_id": pool["id"]}
    api.ok("POST", "l7policies", {"l7policy": policy})
    fields = {"address": MEMBER_ADDRESS, "protocol_port": backend.port, "subnet_cidr_id": topology.subnet["neutron_subnet_id"]}
    member = api.member(pool["id"], **fields)["member"]
    assert finished(api, start_job(api, member["id"], topology.listener["id"]))["result"]["config"]["check_result"] is True


def test_a_check_that_cannot_run_fails_its_job(api: Api, topology: Topology, backend: FakeBackend) -> None:
    """A url_path an older elbd stored with a space would change the request's shape: never sent."""
    monitor = api.monitor(topology.pool["id"], url_path="/health")
    stored_earlier(api, HealthMonitor, monitor["id"], url_path="/he alth")
    member = add_member(api, topology, backend.port)
    job = finished(api, start_job(api, member["id"], topology.listener["id"]))
    assert job["status"] == "failed" and job["check_item_finished_num"] == 0
    assert job["result"]["config"] == {"check_result": False, "check_items": [], "check_status": "failed"}
    assert backend.last_request == b""


def test_refusals(api: Api, topology: Topology) -> None:
    member = add_member(api, topology, 8080)
    url = f"members/{member['id']}/health-check"
    listener_id = topology.listener["id"]
    for subject in ("securityGroup", "networkAcl"):
        body = assert_elb_error(api.call("POST", url, {"member_check": {"listener_id": listener_id, "subject": subject}}), 400, "ELB.8902")
        assert "'config'" in body["error_msg"]
    assert_elb_error(api.call("POST", url, {"member_check": {"listener_id": listener_id, "subject": "everything"}}), 400, "ELB.8902")
    assert_elb_error(api.call("POST", url, {"member_check": {"listener_id": listener_id}}), 400, "ELB.8902")
    body = assert_elb_error(api.call("POST", url, {"member_check": {"listener_id": listener_id, "subject": "config"}}), 409, "ELB.8907")
    assert "no health monitor" in body["error_msg"]
    other_listener = api.listener(topology.lb["id"], port=81)
    api.monitor(topology.pool["id"], "TCP")
    body = assert_elb_error(api.call("POST", url, {"member_check": {"listener_id": other_listener["id"], "subject": "config"}}), 400, "ELB.8902")
    assert "does not forward" in body["error_msg"]
    with api.client.app.state.db.read() as session:
        assert session.query(MemberCheckJob).filter_by(member_id=member["id"]).count() == 0


def test_unknown_and_other_projects_ids_are_not_found(api: Api, other_api: Api, topology: Topology) -> None:
    api.monitor(topology.pool["id"], "TCP", monitor_port=free_port_on(MEMBER_ADDRESS))
    member = add_member(api, topology, 8080)
    job_id = start_job(api, member["id"], topology.listener["id"])
    finished(api, job_id)
    body = {"member_check": {"listener_id": topology.listener["id"], "subject": "config"}}
    assert_elb_error(api.call("POST", "members/no-such-member/health-check", body), 404, "ELB.8904")
    assert_elb_error(api.call("POST", f"members/{member['id']}/health-check", {"member_check": {"listener_id": "nope", "subject": "config"}}), 404, "ELB.8904")
    assert_elb_error(api.call("GET", "members/check/jobs/no-such-job"), 404, "ELB.8904")
    # another project: neither the member, nor the listener, nor the job exists for it
    assert_elb_error(other_api.call("POST", f"members/{member['id']}/health-check", body), 404, "ELB.8904")
    assert_elb_error(other_api.call("GET", f"members/check/jobs/{job_id}"), 404, "ELB.8904")


def test_a_job_processing_long_after_any_check_could_end_reads_as_failed() -> None:
    now = utcnow()
    job = MemberCheckJob(id="j", project_id="p", member_id="m", listener_id="l", subject="config", status="processing", created_at=now, updated_at=now)
    assert status_of(job, now + STALE_AFTER) == "processing"
    assert status_of(job, now + STALE_AFTER + timedelta(seconds=1)) == "failed"
    job.status = "processed"
    assert status_of(job, now + timedelta(days=1)) == "processed"
