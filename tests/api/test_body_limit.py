"""A request body over ELBD_MAX_BODY_BYTES is 413 APIGW.0201 in the ELB error body, nothing stored,
whether its size is declared up front or it streams in chunks; the default admits the largest batch."""

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from elbd.api.app import create_app
from elbd.config import DEFAULT_MAX_BODY_BYTES, load_settings
from tests.api.world import assert_elb_error
from tests.conftest import Api, new_project, token_for

LIMIT = 4096
CHUNK = 512


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    settings = replace(load_settings(tmp_path_factory.mktemp("body-limit") / "elbd-data"), max_body_bytes=LIMIT)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        credentials = new_project(client, "limited")
        yield Api(client, credentials, token_for(client, credentials))


@pytest.fixture
def pool_id(api: Api) -> str:
    vpc = api.vpc()
    lb = api.load_balancer(api.subnet(vpc["id"]), ip_target_enable=True)
    return api.pool("TCP", loadbalancer_id=lb["id"])["id"]


def batch(count: int) -> bytes:
    members = [{"address": f"127.50.{n // 250}.{n % 250 + 1}", "protocol_port": 80, "name": f"member-{n}"} for n in range(count)]
    return json.dumps({"members": members}).encode()


def batch_add(api: Api, pool_id: str, content: Any) -> Any:
    headers = {"X-Auth-Token": api.token, "Content-Type": "application/json"}
    return api.client.post(api.url(f"pools/{pool_id}/members/batch-add"), content=content, headers=headers)


def members_of(api: Api, pool_id: str) -> list[dict[str, Any]]:
    return api.ok("GET", f"pools/{pool_id}/members")["members"]


def chunks(body: bytes) -> Iterator[bytes]:
    """`body` sent chunked, with no Content-Length (the test client joins the chunks into one ASGI message:
    tests/unit/test_body_limit.py shows the middleware stops reading one chunk past the limit)."""
    for start in range(0, len(body), CHUNK):
        yield body[start : start + CHUNK]


def test_a_declared_body_over_the_limit_is_413_and_stores_nothing(api: Api, pool_id: str) -> None:
    body = batch(60)
    assert len(body) > LIMIT
    response = batch_add(api, pool_id, body)
    error = assert_elb_error(response, 413, "APIGW.0201")
    assert str(LIMIT) in error["error_msg"]
    assert members_of(api, pool_id) == []


def test_a_chunked_body_over_the_limit_is_413_and_stores_nothing(api: Api, pool_id: str) -> None:
    response = batch_add(api, pool_id, chunks(batch(60)))
    assert "content-length" not in {name.lower() for name in response.request.headers}
    assert_elb_error(response, 413, "APIGW.0201")
    assert members_of(api, pool_id) == []


@pytest.mark.parametrize("streamed", [False, True])
def test_a_body_under_the_limit_passes(api: Api, pool_id: str, streamed: bool) -> None:
    body = batch(20)
    assert len(body) < LIMIT
    response = batch_add(api, pool_id, chunks(body) if streamed else body)
    assert response.status_code == 200, response.text
    assert len(members_of(api, pool_id)) == 20


def test_the_token_endpoint_is_limited_too(api: Api) -> None:
    response = api.client.post("/v3/auth/tokens", content=b"{" + b" " * LIMIT + b"}", headers={"Content-Type": "application/json"})
    assert_elb_error(response, 413, "APIGW.0201")


def test_the_default_admits_500_members_with_every_field_at_its_longest() -> None:
    member = {
        "address": "fd00:1234:5678:9abc:def0:1234:5678:9abc",
        "protocol_port": 65535,
        "subnet_cidr_id": "5b8c1a8e-0000-4000-8000-000000000000",
        "weight": 100,
        "name": "名" * 255,
        "availability_zone": "z" * 64,
    }
    largest = json.dumps({"members": [member] * 500}, indent=2).encode()
    assert len(largest) < DEFAULT_MAX_BODY_BYTES
