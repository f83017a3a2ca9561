"""A schemathesis check: every 4xx and 5xx answer is the ELB error body, with the X-Request-Id of its headers."""

import json

from schemathesis import Case, CheckContext, Response

ERROR_FIELDS = {"error_code", "error_msg", "request_id"}
# POST /v3/auth/tokens also carries Keystone's {"error": {"code", "message", "title"}} for Keystone clients.
EXTRA_FIELDS = {"error"}


def elb_error_body(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    if response.status_code < 400:
        return None
    body = json.loads(response.content)
    assert isinstance(body, dict), f"error body is not a JSON object: {body!r}"
    assert ERROR_FIELDS <= set(body) <= ERROR_FIELDS | EXTRA_FIELDS, f"not the ELB error fields: {sorted(body)}"
    assert isinstance(body["error_code"], str) and body["error_code"], body
    assert isinstance(body["error_msg"], str) and body["error_msg"], body
    assert body["request_id"] == response.headers["x-request-id"][0], body
    return True
