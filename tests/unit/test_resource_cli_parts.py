"""The resource CLI's pure parts: credentials, FIELD=VALUE bodies, the status tree, import rows and
what an import skips, exit codes."""

from pathlib import Path

import pytest

from elbd.cli_resources import exit_codes
from elbd.cli_resources.connection import ConnectionUnusable, connection_from
from elbd.cli_resources.fields import BadField, body_of
from elbd.cli_resources.member_import import BadFile, Row, chunks, csv_rows, json_rows, to_add
from elbd.cli_resources.status_tree import tree_lines


def test_the_environment_overrides_the_config_file_and_a_token_wins() -> None:
    config = {"project_id": "p1", "access_key": "AK", "secret_key": "SK", "url": "http://elbd:1/"}
    signed = connection_from(config, {})
    assert (signed.url, signed.project_id, signed.access_key, signed.token) == ("http://elbd:1", "p1", "AK", None)
    by_token = connection_from(config, {"ELBD_TOKEN": "t", "ELBD_PROJECT_ID": "p2"})
    assert (by_token.project_id, by_token.token, by_token.access_key) == ("p2", "t", None)
    assert connection_from({"project_id": "p", "token": "t"}, {}).url == "http://127.0.0.1:9876"
    with pytest.raises(ConnectionUnusable, match="no project"):
        connection_from({"token": "t"}, {})
    with pytest.raises(ConnectionUnusable, match="no credentials"):
        connection_from({"project_id": "p", "access_key": "AK"}, {})


def test_values_that_read_as_json_are_json() -> None:
    assert body_of(["name=web", "protocol_port=80", "admin_state_up=false", 'tags=[{"key": "a"}]', 'name2="80"', "empty=", "eq=a=b"]) == {
        "name": "web", "protocol_port": 80, "admin_state_up": False, "tags": [{"key": "a"}], "name2": "80", "empty": "", "eq": "a=b",
    }
    for bad in (["name"], ["=x"], ["a=1", "a=2"]):
        with pytest.raises(BadField):
            body_of(bad)


def test_the_status_tree() -> None:
    member = {"id": "m1", "address": "127.0.0.9", "protocol_port": 80, "provisioning_status": "ACTIVE", "operating_status": "OFFLINE",
              "reason": {"reason_code": "RESPONSE_MISMATCH", "expected_response": "200", "healthcheck_response": "500"}}
    pool = {"id": "p1", "name": "web", "provisioning_status": "ACTIVE", "operating_status": "ONLINE",
            "healthmonitor": {"id": "h1", "name": "", "type": "HTTP", "provisioning_status": "ACTIVE"}, "members": [member]}
    lone = {"id": "p2", "name": "", "provisioning_status": "ACTIVE", "operating_status": "ONLINE", "healthmonitor": {}, "members": []}
    statuses = {"loadbalancer": {"id": "lb1", "name": "edge", "provisioning_status": "ACTIVE", "operating_status": "ONLINE", "dataplane": None,
                                 "listeners": [{"id": "l1", "name": "front", "provisioning_status": "ACTIVE", "operating_status": "ONLINE", "pools": [pool], "l7policies": []}],
                                 "pools": [pool, lone]}}
    assert tree_lines(statuses) == [
        "loadbalancer edge (lb1) ACTIVE/ONLINE",
        "├── listener front (l1) ACTIVE/ONLINE",
        "│   └── pool web (p1) ACTIVE/ONLINE",
        "│       ├── healthmonitor HTTP (h1) ACTIVE",
        "│       └── member 127.0.0.9:80 (m1) ACTIVE/OFFLINE [RESPONSE_MISMATCH, expected 200, got 500]",
        "└── pool (p2) ACTIVE/ONLINE",
    ]


def test_import_rows_are_typed_and_numbered_by_their_place_in_the_file() -> None:
    rows = csv_rows("address,protocol_port,weight\n127.0.0.1,80,5\n127.0.0.2,x,\n")
    assert rows == [Row(2, {"address": "127.0.0.1", "protocol_port": 80, "weight": 5}), Row(3, {"address": "127.0.0.2", "protocol_port": "x"})]
    assert json_rows('[{"address": "::1", "protocol_port": 80}]') == [Row(1, {"address": "::1", "protocol_port": 80})]
    for bad_csv in ("address,port\n1,2\n", "address,protocol_port,colour\n1,2,red\n", "address,protocol_port\n,80\n"):
        with pytest.raises(BadFile):
            csv_rows(bad_csv)
    for bad_json in ("{}", "[1]", "not json", '[{"address": "a"}]'):
        with pytest.raises(BadFile):
            json_rows(bad_json)


def test_an_import_skips_existing_members_and_repeated_rows() -> None:
    rows = [Row(n, {"address": address, "protocol_port": 80}) for n, address in enumerate(["127.0.0.1", "::0001", "127.0.0.2", "127.0.0.2", "127.0.0.3"], 2)]
    wanted, skipped = to_add(rows, [("127.0.0.1", 80), ("::1", 80)])
    assert [row.number for row in wanted] == [4, 6] and skipped == 3
    assert [[row.number for row in chunk] for chunk in chunks(rows, 2)] == [[2, 3], [4, 5], [6]]


def test_exit_codes_by_status() -> None:
    assert [exit_codes.for_status(status) for status in (400, 401, 403, 404, 409, 500, 503, 418)] == [3, 6, 6, 4, 5, 7, 7, 1]


def test_a_missing_import_file_is_a_bad_file(tmp_path: Path) -> None:
    from elbd.cli_resources.member_import import read_rows

    with pytest.raises(BadFile):
        read_rows(tmp_path / "absent.csv")
