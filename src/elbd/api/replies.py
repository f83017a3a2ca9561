"""Building answers: JSON bodies (a shape of api/shapes/, request id included), and the ELB error body."""

import json
from collections.abc import Mapping

from fastapi import Request
from fastapi.responses import Response

from elbd.api.shapes.errors import ErrorBody, KeystoneError
from elbd.errors import ElbError


def request_id_of(request: Request) -> str:
    return getattr(request.state, "request_id", "")


def reply(body: Mapping[str, object], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body, separators=(",", ":")), status_code=status, media_type="application/json", headers=headers
    )


def no_content() -> Response:
    return Response(status_code=204)


def error_reply(request: Request, error: ElbError, keystone: KeystoneError | None = None) -> Response:
    """The ELB error body; with Keystone's error object too, for /v3/auth/tokens."""
    body: ErrorBody
    if keystone is None:
        body = {"error_code": error.code, "error_msg": error.message, "request_id": request_id_of(request)}
    else:
        body = {"error_code": error.code, "error_msg": error.message, "error": keystone, "request_id": request_id_of(request)}
    return reply(body, error.status)
