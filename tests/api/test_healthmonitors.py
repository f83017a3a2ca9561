"""/v3/{project_id}/elb/healthmonitors: fields and ranges, the type each pool protocol allows, one
monitor per pool, and the expected_codes syntax."""

from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.api.world import assert_elb_error, ids
from tests.conftest import Api

REQUIRED = {"type": "HTTP", "delay": 5, "timeout": 3, "max_retries": 3}


def _pool(api: Api, protocol: str = "HTTP", **fields: Any) -> dict[str, Any]:
    return api.pool(protocol, type="ip", **fields)


def _body(pool_id: str, **fields: Any) -> dict[str, Any]:
    return {"healthmonitor": {"pool_id": pool_id, **REQUIRED, **fields}}


def _create(api: Api, pool_id: str, **fields: Any) -> dict[str, Any]:
    return api.ok("POST", "healthmonitors", _body(pool_id, **fields))["healthmonitor"]


def _show(api: Api, monitor_id: str) -> dict[str, Any]:
    return api.ok("GET", f"healthmonitors/{monitor_id}")["healthmonitor"]


def _accepts(api: Api, **fields: Any) -> dict[str, Any]:
    return _create(api, _pool(api)["id"], **fields)


@dataclass
class Spare:
    """One monitor-less pool per protocol, for requests that must be refused: a refusal stores nothing,
    so the pool stays monitor-less and serves the next one."""

    api: Api
    pools: dict[str, str] = field(default_factory=dict)

    def pool_id(self, protocol: str) -> str:
        if protocol not in self.pools:
            self.pools[protocol] = _pool(self.api, protocol)["id"]
        return self.pools[protocol]

    def assert_refuses(self, protocol: str = "HTTP", **fields: Any) -> str:
        """The refusal's message."""
        pool_id = self.pool_id(protocol)
        error = assert_elb_error(self.api.call("POST", "healthmonitors", _body(pool_id, **fields)), 400, "ELB.8902")
        assert self.api.ok("GET", f"pools/{pool_id}")["pool"]["healthmonitor_id"] == "", fields
        return error["error_msg"]


@pytest.fixture(scope="module")
def spare(alpha: Api) -> Spare:
    return Spare(alpha)


def _assert_update_refused(api: Api, monitor: dict[str, Any], **fields: Any) -> None:
    assert_elb_error(api.call("PUT", f"healthmonitors/{monitor['id']}", {"healthmonitor": fields}), 400, "ELB.8902")
    assert _show(api, monitor["id"]) == monitor


def test_create_answers_201_with_the_monitor(alpha: Api) -> None:
    pool = _pool(alpha)
    response = alpha.call("POST", "healthmonitors", _body(pool["id"], name="web"))
    assert response.status_code == 201, response.text
    monitor = response.json()["healthmonitor"]
    assert monitor["name"] == "web" and monitor["type"] == "HTTP" and monitor["pools"] == [{"id": pool["id"]}]
    assert (monitor["delay"], monitor["timeout"], monitor["max_retries"]) == (5, 3, 3)
    assert monitor["max_retries_down"] == 3 and monitor["monitor_port"] is None and monitor["admin_state_up"] is True
    assert monitor["url_path"] == "/" and monitor["http_method"] == "GET" and monitor["expected_codes"] == "200"
    assert monitor["domain_name"] is None
    assert _show(alpha, monitor["id"]) == monitor
    assert alpha.ok("GET", f"pools/{pool['id']}")["pool"]["healthmonitor_id"] == monitor["id"]


@pytest.mark.parametrize("missing", ["pool_id", "type", "delay", "timeout", "max_retries"])
def test_required_fields(alpha: Api, missing: str) -> None:
    pool = _pool(alpha)
    body = _body(pool["id"])
    del body["healthmonitor"][missing]
    error = assert_elb_error(alpha.call("POST", "healthmonitors", body), 400, "ELB.8902")
    assert missing in error["error_msg"]
    assert alpha.ok("GET", f"pools/{pool['id']}")["pool"]["healthmonitor_id"] == ""


RANGES = [
    ("delay", 1, 50), ("timeout", 1, 50), ("max_retries", 1, 10), ("max_retries_down", 1, 10), ("monitor_port", 1, 65535),
]


@pytest.mark.parametrize(("field", "low", "high"), RANGES)
def test_ranges_accept_their_bounds(alpha: Api, field: str, low: int, high: int) -> None:
    assert _accepts(alpha, **{field: low})[field] == low
    assert _accepts(alpha, **{field: high})[field] == high


@pytest.mark.parametrize(("field", "low", "high"), RANGES)
def test_ranges_refuse_beyond_their_bounds(spare: Spare, field: str, low: int, high: int) -> None:
    spare.assert_refuses(**{field: low - 1})
    spare.assert_refuses(**{field: high + 1})
    spare.assert_refuses(**{field: str(low)})


def test_unknown_type_is_refused(spare: Spare) -> None:
    spare.assert_refuses(type="PING")


# The pool-protocol table of the API reference (section 3) for the pools elbd serves, written out
# independently of the code; tests/unit/test_protocol_rules.py checks the whole table.
TYPES_FOR_POOL = {
    "TCP": {"TCP", "HTTP", "HTTPS"},
    "HTTP": {"TCP", "HTTP", "HTTPS", "TLS", "GRPC"},
}
MONITOR_TYPES = ("TCP", "UDP_CONNECT", "HTTP", "HTTPS", "GRPC", "TLS")
UNSERVED_TYPES = ("GRPC", "UDP_CONNECT")  # allowed by the API, not run by elbd yet (test_unserved.py)


@pytest.mark.parametrize("pool_protocol", sorted(TYPES_FOR_POOL))
def test_type_per_pool_protocol(alpha: Api, spare: Spare, pool_protocol: str) -> None:
    for monitor_type in MONITOR_TYPES:
        allowed = monitor_type in TYPES_FOR_POOL[pool_protocol]
        if allowed and monitor_type not in UNSERVED_TYPES:
            assert _create(alpha, _pool(alpha, pool_protocol)["id"], type=monitor_type)["type"] == monitor_type
        else:
            message = spare.assert_refuses(pool_protocol, type=monitor_type)
            assert ("elbd does not serve" in message) is allowed, message


def test_one_monitor_per_pool(alpha: Api) -> None:
    pool = _pool(alpha)
    first = _create(alpha, pool["id"])
    assert_elb_error(alpha.call("POST", "healthmonitors", _body(pool["id"], type="TCP")), 409, "ELB.8907")
    assert ids(alpha.ok("GET", f"healthmonitors?id={first['id']}")["healthmonitors"]) == [first["id"]]
    assert alpha.ok("GET", f"pools/{pool['id']}")["pool"]["healthmonitor_id"] == first["id"]
    assert _show(alpha, first["id"])["type"] == "HTTP"


def test_unknown_pool_is_not_found(alpha: Api) -> None:
    assert_elb_error(alpha.call("POST", "healthmonitors", _body("0" * 36)), 404, "ELB.8904")


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("200", "200"),
        ("200,202", "200,202"),
        ("200-204", "200-204"),
        ("200-204,300-399", "200-204,300-399"),
        ("200, 202", "200,202"),
        ("200 - 204 , 300", "200-204,300"),
        ("599", "599"),
        ("200,201,202,203,204", "200,201,202,203,204"),
    ],
)
def test_expected_codes_syntax(alpha: Api, given: str, stored: str) -> None:
    assert _accepts(alpha, expected_codes=given)["expected_codes"] == stored


@pytest.mark.parametrize(
    "given",
    ["200,201,202,203,204,205", "199", "600", "204-200", "200-", "abc", "", "200--204", "200-204-206", "2000", "200,,202"],
)
def test_expected_codes_refused(spare: Spare, given: str) -> None:
    spare.assert_refuses(expected_codes=given)


def test_grpc_expected_codes_are_0_to_99_and_checked_before_grpc_is_refused(spare: Spare) -> None:
    for codes in ("100", "200"):
        assert "'expected_codes'" in spare.assert_refuses(type="GRPC", expected_codes=codes)
    for codes in ({}, {"expected_codes": "0-99"}):
        assert "'type': elbd does not serve GRPC" in spare.assert_refuses(type="GRPC", **codes)


@pytest.mark.parametrize("path", ["/", "/health", "/a/b.html?x&y#z", "/status_ok;v:1", "/%7Euser/(x)*[y]@$^!,'+"])
def test_url_path_accepted(alpha: Api, path: str) -> None:
    assert _accepts(alpha, url_path=path)["url_path"] == path


@pytest.mark.parametrize("path", ["health", "", "/has space", "/" + "a" * 80, "/<script>", "/q?x=1"])
def test_url_path_must_start_with_a_slash_and_use_allowed_characters(spare: Spare, path: str) -> None:
    spare.assert_refuses(url_path=path)


def test_http_method(alpha: Api, spare: Spare) -> None:
    assert _accepts(alpha, http_method="HEAD")["http_method"] == "HEAD"
    spare.assert_refuses(http_method="DELETE")


def test_domain_name(alpha: Api, spare: Spare) -> None:
    assert _accepts(alpha, domain_name="www.example.com")["domain_name"] == "www.example.com"
    for bad in ("", "-lead.example.com", "under_score.com", "a" * 101):
        spare.assert_refuses(domain_name=bad)


def test_monitor_port_required_when_the_pool_forwards_all_ports(alpha: Api) -> None:
    pool = _pool(alpha, "TCP", any_port_enable=True)
    assert_elb_error(alpha.call("POST", "healthmonitors", _body(pool["id"], type="TCP")), 400, "ELB.8902")
    assert alpha.ok("GET", f"pools/{pool['id']}")["pool"]["healthmonitor_id"] == ""
    monitor = _create(alpha, pool["id"], type="TCP", monitor_port=8080)
    assert monitor["monitor_port"] == 8080
    _assert_update_refused(alpha, monitor, monitor_port=None)


def test_update_changes_fields(alpha: Api) -> None:
    monitor = _accepts(alpha, domain_name="a.example.com", monitor_port=81)
    changes = {"delay": 10, "timeout": 5, "max_retries": 2, "max_retries_down": 5, "url_path": "/up", "expected_codes": "200, 301"}
    updated = alpha.ok("PUT", f"healthmonitors/{monitor['id']}", {"healthmonitor": changes})["healthmonitor"]
    assert {name: updated[name] for name in changes} == {**changes, "expected_codes": "200,301"}
    cleared = alpha.ok("PUT", f"healthmonitors/{monitor['id']}", {"healthmonitor": {"domain_name": None, "monitor_port": None}})
    assert cleared["healthmonitor"]["domain_name"] is None and cleared["healthmonitor"]["monitor_port"] is None
    assert _show(alpha, monitor["id"]) == cleared["healthmonitor"]


def test_update_ranges_and_syntax_hold(alpha: Api) -> None:
    monitor = _accepts(alpha)
    for fields in ({"delay": 51}, {"max_retries": 0}, {"expected_codes": "600"}, {"url_path": "x"}, {"domain_name": ""}):
        _assert_update_refused(alpha, monitor, **fields)


def test_pool_id_is_not_updatable(alpha: Api) -> None:
    monitor = _accepts(alpha)
    _assert_update_refused(alpha, monitor, pool_id=_pool(alpha)["id"])


def test_update_type_under_the_pool_protocol_rules(alpha: Api) -> None:
    tcp = _create(alpha, _pool(alpha, "TCP")["id"], type="TCP")
    _assert_update_refused(alpha, tcp, type="TLS")
    _assert_update_refused(alpha, tcp, type="UDP_CONNECT")
    assert alpha.ok("PUT", f"healthmonitors/{tcp['id']}", {"healthmonitor": {"type": "HTTPS"}})["healthmonitor"]["type"] == "HTTPS"


def test_update_to_grpc_checks_the_expected_codes_before_grpc_is_refused(alpha: Api) -> None:
    monitor = _accepts(alpha)
    path = f"healthmonitors/{monitor['id']}"
    error = assert_elb_error(alpha.call("PUT", path, {"healthmonitor": {"type": "GRPC"}}), 400, "ELB.8902")
    assert "'expected_codes'" in error["error_msg"]
    error = assert_elb_error(alpha.call("PUT", path, {"healthmonitor": {"type": "GRPC", "expected_codes": "0"}}), 400, "ELB.8902")
    assert "'type': elbd does not serve GRPC" in error["error_msg"]
    assert _show(alpha, monitor["id"]) == monitor


def test_delete_answers_204_and_frees_the_pool(alpha: Api) -> None:
    pool = _pool(alpha)
    monitor = _create(alpha, pool["id"])
    response = alpha.call("DELETE", f"healthmonitors/{monitor['id']}")
    assert response.status_code == 204 and response.content == b""
    assert_elb_error(alpha.call("GET", f"healthmonitors/{monitor['id']}", None), 404, "ELB.8904")
    assert alpha.ok("GET", f"pools/{pool['id']}")["pool"]["healthmonitor_id"] == ""
    assert _create(alpha, pool["id"], type="TCP")["type"] == "TCP"


def test_list_filters(alpha: Api) -> None:
    http, tcp = _accepts(alpha, delay=7), _accepts(alpha, type="TCP", delay=7)
    assert ids(alpha.ok("GET", f"healthmonitors?id={http['id']}&id={tcp['id']}&type=TCP")["healthmonitors"]) == [tcp["id"]]
    assert ids(alpha.ok("GET", f"healthmonitors?id={http['id']}&id={tcp['id']}&delay=7")["healthmonitors"]) == [http["id"], tcp["id"]]
    assert_elb_error(alpha.call("GET", "healthmonitors?colour=blue", None), 400, "ELB.8902")


def test_another_projects_monitor_is_not_found(alpha: Api, beta: Api) -> None:
    theirs = _create(beta, _pool(beta)["id"])
    assert_elb_error(alpha.call("GET", f"healthmonitors/{theirs['id']}", None), 404, "ELB.8904")
    assert_elb_error(alpha.call("PUT", f"healthmonitors/{theirs['id']}", {"healthmonitor": {"delay": 9}}), 404, "ELB.8904")
    assert_elb_error(alpha.call("DELETE", f"healthmonitors/{theirs['id']}", None), 404, "ELB.8904")
    assert _show(beta, theirs["id"]) == theirs


def test_another_projects_pool_is_not_found(alpha: Api, beta: Api) -> None:
    their_pool = _pool(beta)
    assert_elb_error(alpha.call("POST", "healthmonitors", _body(their_pool["id"])), 404, "ELB.8904")
    assert beta.ok("GET", f"pools/{their_pool['id']}")["pool"]["healthmonitor_id"] == ""


def test_lists_never_show_another_projects_monitors(alpha: Api, beta: Api) -> None:
    theirs = _create(beta, _pool(beta)["id"])
    assert theirs["id"] not in ids(alpha.ok("GET", "healthmonitors")["healthmonitors"])
    assert alpha.ok("GET", f"healthmonitors?id={theirs['id']}")["healthmonitors"] == []
