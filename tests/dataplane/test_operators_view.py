"""What an operator looks at, against one real `elbd serve` with HAProxy (and its metrics endpoint) for
the module: Prometheus metrics read back after real traffic through a VIP, each member's health timeline
as a backend breaks and heals, and a VIP the host cannot bind refused at create."""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from elbd.dataplane.haproxy_engine import stop_all
from tests.conftest import Api, LiveServer, free_port
from tests.dataplane.conftest import SUBNET, VIP, SharedLoadBalancer, fetch, listener_site, project_api, wait_for
from tests.dataplane.fake_backend import FakeBackend

FAST_HTTP_CHECK = {"delay": 1, "timeout": 1, "max_retries": 1, "max_retries_down": 1, "url_path": "/health"}
Transition = tuple[str | None, str | None, str | None]


@dataclass(frozen=True)
class Served:
    server: LiveServer
    metrics_url: str
    shared: SharedLoadBalancer


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    metrics_port = free_port()
    server = LiveServer(tmp_path_factory.mktemp("operators") / "data", free_port(), dataplane="haproxy",
                        serve_args=("--metrics-port", str(metrics_port)))
    server.start()
    try:
        with project_api(server) as api:
            subnet = api.subnet(api.vpc()["id"], SUBNET)
            shared = SharedLoadBalancer(api, subnet, api.load_balancer(subnet, vip_address=VIP))
            yield Served(server, f"http://127.0.0.1:{metrics_port}/metrics", shared)
    finally:
        server.stop()
        stop_all(server.data_dir)


@pytest.fixture(scope="module")
def shared(served: Served) -> SharedLoadBalancer:
    return served.shared


_SAMPLE = re.compile(r'^([a-z_]+)\{?(.*?)\}? ([0-9.e+-]+|\+Inf)$')


def _metrics(url: str) -> list[tuple[str, dict[str, str], float]]:
    response = httpx.get(url, timeout=10)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = []
    for line in response.text.splitlines():
        if line.startswith("#") or not line:
            continue
        matched = _SAMPLE.match(line)
        assert matched, line
        name, labels, value = matched.groups()
        samples.append((name, dict(re.findall(r'([a-z_]+)="([^"]*)"', labels)), float(value)))
    return samples


def _value(samples: list[tuple[str, dict[str, str], float]], name: str, **labels: str) -> float:
    """The sum of the samples of `name` whose labels include `labels` (0 when none)."""
    return sum(value for found, have, value in samples if found == name and labels.items() <= have.items())


def test_metrics_count_real_traffic_per_listener_pool_and_member_and_the_api_and_agent_work(
    served: Served, backends: Callable[..., FakeBackend]
) -> None:
    site = listener_site(served.shared)
    site.api.monitor(site.pool["id"], **FAST_HTTP_CHECK)
    member = site.add(backends("counted"))
    wait_for(lambda: site.member(member["id"])["operating_status"] == "ONLINE", timeout_s=15)
    site.api.ok("PUT", f"pools/{site.pool['id']}/members/{member['id']}", {"member": {"weight": 2}})  # a runtime-API change
    answers = [fetch(site.port) for _ in range(12)]
    assert answers == [(200, "counted")] * 12

    listener, pool, member_id = site.listener["id"], site.pool["id"], member["id"]

    def counted() -> list[tuple[str, dict[str, str], float]] | None:
        samples = _metrics(served.metrics_url)
        traffic = _value(samples, "elbd_member_http_responses_total", member_id=member_id, code="2xx") >= 12
        agent = _value(samples, "elbd_dataplane_member_applies_total", outcome="applied") >= 1  # sent every second
        return samples if traffic and agent else None

    samples = wait_for(counted, timeout_s=10, interval_s=0.2)
    owner = {"project_id": site.api.project_id, "loadbalancer_id": site.lb["id"]}
    assert _value(samples, "elbd_listener_requests_total", listener_id=listener, **owner) >= 12
    assert _value(samples, "elbd_listener_http_responses_total", listener_id=listener, code="2xx") >= 12
    assert _value(samples, "elbd_listener_bytes_out_total", listener_id=listener) > 0
    assert _value(samples, "elbd_pool_sessions_total", pool_id=pool, **owner) >= 12
    assert _value(samples, "elbd_member_sessions_total", pool_id=pool, member_id=member_id) >= 12
    assert _value(samples, "elbd_member_up", member_id=member_id) == 1
    assert any(name == "elbd_member_check_duration_seconds" and labels.get("member_id") == member_id for name, labels, _ in samples)
    assert _value(samples, "elbd_listener_http_responses_total", listener_id=listener, code="5xx") == 0

    members_route = "/v3/{project_id}/elb/pools/{pool_id}/members"
    assert _value(samples, "elbd_api_requests_total", method="POST", route=members_route, status="201") >= 1
    assert _value(samples, "elbd_api_request_duration_seconds_count", method="POST", route=members_route) >= 1
    assert not any(site.api.project_id in labels.get("route", "") for _, labels, _ in samples)  # templates, never ids

    assert _value(samples, "elbd_dataplane_reconciles_total", outcome="applied") >= 1
    assert _value(samples, "elbd_dataplane_reconcile_duration_seconds_count") >= 1
    assert _value(samples, "elbd_dataplane_runtime_commands_total") >= 1  # the weight went through the runtime API
    assert _value(samples, "elbd_dataplane_member_apply_duration_seconds_count") >= 1


def test_the_tenants_api_port_serves_no_metrics(served: Served) -> None:
    assert httpx.get(f"{served.server.url}/metrics", timeout=10).status_code == 404


def _timeline(api: Api, pool_id: str, member_id: str) -> list[dict[str, Any]]:
    return api.ok("GET", f"pools/{pool_id}/members/{member_id}/elbd-health-timeline")["health_timeline"]


def _transitions(api: Api, pool_id: str, member_id: str) -> list[Transition]:
    """Oldest first: (from, to, reason code)."""
    return [
        (event["from_status"], event["to_status"], (event["reason"] or {}).get("reason_code"))
        for event in reversed(_timeline(api, pool_id, member_id))
    ]


def _reaches(api: Api, pool_id: str, member_id: str, last: Transition) -> Callable[[], list[Transition] | None]:
    def check() -> list[Transition] | None:
        seen = _transitions(api, pool_id, member_id)
        return seen if seen and seen[-1] == last else None

    return check


def test_a_members_timeline_records_it_breaking_and_healing_with_reasons(
    shared: SharedLoadBalancer, backends: Callable[..., FakeBackend]
) -> None:
    site = listener_site(shared)
    site.api.monitor(site.pool["id"], **FAST_HTTP_CHECK)
    backend = backends("flaky")
    member = site.add(backend)
    pool_id, member_id = site.pool["id"], member["id"]
    assert wait_for(_reaches(site.api, pool_id, member_id, (None, "ONLINE", None)), timeout_s=15) == [(None, "ONLINE", None)]

    backend.behaviour.health_status = 500
    wait_for(_reaches(site.api, pool_id, member_id, ("ONLINE", "OFFLINE", "RESPONSE_MISMATCH")), timeout_s=15)
    backend.behaviour.health_status = 200
    healed = wait_for(_reaches(site.api, pool_id, member_id, ("OFFLINE", "ONLINE", None)), timeout_s=15)
    assert healed == [(None, "ONLINE", None), ("ONLINE", "OFFLINE", "RESPONSE_MISMATCH"), ("OFFLINE", "ONLINE", None)]

    newest_first = _timeline(site.api, pool_id, member_id)
    assert newest_first[1]["reason"] == {"reason_code": "RESPONSE_MISMATCH", "expected_response": "200", "healthcheck_response": "500"}
    assert [event["time"] for event in newest_first] == sorted((event["time"] for event in newest_first), reverse=True)
    assert site.member(member_id)["operating_status"] == "ONLINE"


def test_an_unchecked_member_has_an_empty_timeline_and_an_unknown_one_none(
    shared: SharedLoadBalancer, backends: Callable[..., FakeBackend]
) -> None:
    """Another project's member is 404 as well: tests/api/test_isolation_matrix.py walks this route too."""
    site = listener_site(shared)
    member = site.add(backends("unchecked"))
    assert _timeline(site.api, site.pool["id"], member["id"]) == []  # no monitor: no check, no transition
    unknown = f"pools/{site.pool['id']}/members/{'0' * 8}-0000-0000-0000-{'0' * 12}/elbd-health-timeline"
    response = site.api.call("GET", unknown)
    assert response.status_code == 404 and response.json()["error_code"] == "ELB.8904"


def test_a_vip_the_host_cannot_bind_is_refused_by_elbd_serve_with_haproxy(served: Served) -> None:
    api = served.shared.api
    vpc = api.ok("POST", "vpcs", {"vpc": {"name": "no-cidr"}}, status=200)["vpc"]
    subnet = api.subnet(vpc["id"], "192.168.0.0/24")
    body = {"loadbalancer": {"vip_subnet_cidr_id": subnet["neutron_subnet_id"]}}
    refused = api.call("POST", "loadbalancers", body)
    assert refused.status_code == 400 and "192.168.0.2 is no address of this host" in refused.json()["error_msg"]
    assert api.ok("GET", f"loadbalancers?vpc_id={vpc['id']}")["loadbalancers"] == []
