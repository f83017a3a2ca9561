"""Helpers shared by API test modules: one elbd app with two projects that a whole module reuses
(password hashing makes a fresh project per test cost ~0.4 s), and the ELB error-body check."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from elbd.api.app import create_app
from elbd.config import load_settings
from tests.conftest import Api, new_project, token_for


@dataclass
class World:
    client: TestClient
    api: Api
    other_api: Api
    data_dir: Path


@contextmanager
def open_world(data_dir: Path) -> Iterator[World]:
    app = create_app(load_settings(data_dir))
    with TestClient(app, raise_server_exceptions=False) as client:
        alpha, beta = new_project(client, "alpha"), new_project(client, "beta")
        yield World(client, Api(client, alpha, token_for(client, alpha)), Api(client, beta, token_for(client, beta)), data_dir)


def assert_elb_error(response: httpx.Response, status: int | tuple[int, ...], code: str | None = None) -> dict[str, Any]:
    """An ELB error body {"error_code", "error_msg", "request_id"} whose request_id is the X-Request-Id header."""
    statuses = (status,) if isinstance(status, int) else status
    assert response.status_code in statuses, f"{response.status_code} {response.text}"
    body = response.json()
    assert isinstance(body, dict), body
    assert isinstance(body.get("error_code"), str) and body["error_code"], body
    assert isinstance(body.get("error_msg"), str) and body["error_msg"], body
    assert body.get("request_id") and body["request_id"] == response.headers["X-Request-Id"], body
    if code is not None:
        assert body["error_code"] == code, body
    return body
