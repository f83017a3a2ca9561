"""`elbd serve` builds its routes before it freezes its startup heap: a request then leaves few objects
behind for the garbage collector to walk on every full collection."""

import gc
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from elbd.api.app import build_routes, create_app
from elbd.config import load_settings

FEW = 3_000  # a request to a router not built yet leaves some 20,000


def _lasting_objects_after_a_request(client: TestClient) -> int:
    gc.collect()
    before = len(gc.get_objects())
    assert client.get("/v3/no-such-project/elb/no-such-resource").status_code in (401, 404)  # matched against every route
    gc.collect()
    return len(gc.get_objects()) - before


@pytest.fixture
def settings_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ELBD_DATAPLANE", "none")
    return tmp_path


def test_routes_built_at_startup_leave_few_objects_to_the_first_request(settings_dir: Path) -> None:
    app = create_app(load_settings(settings_dir))
    build_routes(app)
    assert _lasting_objects_after_a_request(TestClient(app)) < FEW


def test_routes_built_lazily_leave_many(settings_dir: Path) -> None:
    """The measure above tells the two apart: without build_routes the first request builds them."""
    assert _lasting_objects_after_a_request(TestClient(create_app(load_settings(settings_dir)))) > FEW
