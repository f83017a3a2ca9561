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


def test_a_thousand_entry_ipgroup_body_is_handled_without_a_collection() -> None:
    """After freeze_startup_heap, the objects of one 1,000-entry PUT (its model, its entries, the view's
    dicts) live and die between collections: none of them reaches an older generation."""
    from elbd.heap import freeze_startup_heap
    from elbd.schemas.ipgroups import IpGroupUpdateRequest

    body = {"ipgroup": {"ip_list": [{"ip": f"11.{index // 256}.{index % 256}.1"} for index in range(1_000)]}}
    collections: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    threshold = gc.get_threshold()
    freeze_startup_heap()
    gc.callbacks.append(count)
    try:
        for _ in range(3):
            request = IpGroupUpdateRequest.model_validate(body)
            view = [{"ip": entry.ip, "description": entry.description or ""} for entry in request.ipgroup.ip_list or []]
            assert len(view) == 1_000
            del request, view
    finally:
        gc.callbacks.remove(count)
        gc.set_threshold(*threshold)
        gc.unfreeze()
    assert collections == []
