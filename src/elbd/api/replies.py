"""Building answers: JSON bodies that carry the request id, and the ELB error body."""

import json
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from elbd.errors import ElbError


def request_id_of(request: Request) -> str:
    return getattr(request.state, "request_id", "")


def reply(request: Request, body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body["request_id"] = request_id_of(request)
    return Response(
        json.dumps(body, separators=(",", ":")), status_code=status, media_type="application/json", headers=headers
    )


def no_content() -> Response:
    return Response(status_code=204)


def error_reply(request: Request, error: ElbError, extra: dict[str, Any] | None = None) -> Response:
    body = {"error_code": error.code, "error_msg": error.message, **(extra or {})}
    return reply(request, body, error.status)
