"""Per-project rate limit: a project's burst passes, the next request is 429 APIGW.0308 with Retry-After,
other projects are unaffected, and after Retry-After seconds the project passes again. The buckets run
on a clock the tests move, so nothing sleeps."""

from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from fastapi.testclient import TestClient

from elbd.api.app import create_app
from elbd.config import load_settings
from tests.api.world import assert_elb_error
from tests.conftest import Api, new_project, token_for

RATE = 0.5
BURST = 3


@dataclass
class Clock:
    now: float = 0.0

    def __call__(self) -> float:
        return self.now

    def refill_all(self) -> None:
        self.now += 3600


@dataclass
class Limited:
    client: TestClient
    clock: Clock

    def project(self, name: str) -> Api:
        """A new project and its token, with every bucket full again afterwards."""
        credentials = new_project(self.client, name)
        api = Api(self.client, credentials, token_for(self.client, credentials))
        self.clock.refill_all()
        return api


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Limited]:
    settings = replace(load_settings(tmp_path_factory.mktemp("rate-limit") / "elbd-data"), rate_limit=RATE, rate_burst=BURST)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        clock = Clock()
        client.app.state.rate_buckets.clock = clock
        yield Limited(client, clock)


def spend_burst(api: Api) -> None:
    for _ in range(BURST):
        api.ok("GET", "loadbalancers")


def test_burst_passes_then_429_with_retry_after(limited: Limited) -> None:
    api = limited.project("burst")
    spend_burst(api)
    response = api.call("GET", "loadbalancers")
    body = assert_elb_error(response, 429, "APIGW.0308")
    assert response.headers["Retry-After"] == str(int(1 / RATE))
    assert "throttling threshold" in body["error_msg"]


def test_another_project_is_unaffected(limited: Limited) -> None:
    busy, quiet = limited.project("busy"), limited.project("quiet")
    spend_burst(busy)
    assert_elb_error(busy.call("GET", "vpcs"), 429, "APIGW.0308")
    quiet.ok("GET", "vpcs")


def test_after_retry_after_seconds_the_project_passes_again(limited: Limited) -> None:
    api = limited.project("patient")
    spend_burst(api)
    retry_after = int(api.call("GET", "pools").headers["Retry-After"])
    limited.clock.now += retry_after - 0.01
    assert api.call("GET", "pools").status_code == 429
    limited.clock.now += 0.01
    api.ok("GET", "pools")
    assert api.call("GET", "pools").status_code == 429


def test_a_throttled_write_stores_nothing(limited: Limited) -> None:
    api = limited.project("writer")
    spend_burst(api)
    assert_elb_error(api.call("POST", "vpcs", {"vpc": {"name": "late", "cidr": "10.0.0.0/8"}}), 429, "APIGW.0308")
    limited.clock.refill_all()
    assert api.ok("GET", "vpcs")["vpcs"] == []


def test_token_requests_are_limited_by_client_address(limited: Limited) -> None:
    limited.clock.refill_all()
    credentials = new_project(limited.client, "tokens")
    for _ in range(BURST):
        token_for(limited.client, credentials)
    response = limited.client.post("/v3/auth/tokens", json={})
    assert_elb_error(response, 429, "APIGW.0308")
    assert int(response.headers["Retry-After"]) >= 1


def test_paths_of_no_project_are_not_limited(limited: Limited) -> None:
    limited.clock.refill_all()
    for _ in range(BURST + 2):
        assert limited.client.get("/openapi.json").status_code == 200


def test_the_limit_is_off_by_default(tmp_path_factory: pytest.TempPathFactory) -> None:
    settings = load_settings(tmp_path_factory.mktemp("unlimited") / "elbd-data")
    assert settings.rate_limit == 0
    with TestClient(create_app(settings)) as client:
        assert client.app.state.rate_buckets is None
