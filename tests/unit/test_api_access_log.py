"""The API's access-log line: key=value words or one JSON object, nothing a client wrote."""

import json

from elbd.api.access_log import AccessRecord, method_word


def test_a_line_as_words_and_as_json() -> None:
    record = AccessRecord("abc", "GET", "/v3/{project_id}/elb/pools", 200, 1.23456, "p1")
    assert record.line("text") == "request_id=abc method=GET route=/v3/{project_id}/elb/pools status=200 duration_ms=1.235 project_id=p1"
    assert json.loads(record.line("json")) == {
        "request_id": "abc", "method": "GET", "route": "/v3/{project_id}/elb/pools", "status": 200, "duration_ms": 1.235, "project_id": "p1",
    }
    assert AccessRecord("abc", "GET", "unmatched", 404, 0.5, None).line("text").endswith("project_id=-")


def test_an_unknown_method_is_other() -> None:
    assert (method_word("DELETE"), method_word("BREW"), method_word("GET\nX")) == ("DELETE", "other", "other")
