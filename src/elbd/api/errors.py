"""Turns every failure into the ELB error body: {"error_code", "error_msg", "request_id"}.

Unexpected exceptions are answered by the request-id middleware (request_ids.py), so that even a 500
carries its X-Request-Id."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from elbd.api.deps import authenticate
from elbd.api.replies import error_reply
from elbd.api.shapes.errors import ERROR_RESPONSES
from elbd.errors import ElbError, invalid


def describe_validation_error(error: dict[str, Any]) -> str:
    location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")]
    kind = error.get("type", "")
    if kind == "json_invalid":
        return "The request body is not valid JSON."
    if not location:
        return "The request body is missing or is not a JSON object." if kind in ("missing", "dict_type", "model_attributes_type") else error.get("msg", "Invalid input.")
    field = ".".join(location)
    if kind == "extra_forbidden":
        return f"Unrecognized attribute(s) '{field}'."
    if kind == "missing":
        return f"Invalid input for '{field}': it is required."
    return f"Invalid input for '{field}': {error.get('msg', 'invalid value')}."


def install_error_handlers(app: FastAPI) -> None:
    """Also declares the error body on every route included after this call: FastAPI's 422 is never answered."""
    app.router.responses = {**ERROR_RESPONSES, **app.router.responses}

    @app.exception_handler(ElbError)
    async def _elb_error(request: Request, error: ElbError) -> Response:
        return error_reply(request, error)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, error: RequestValidationError) -> Response:
        # Credentials are judged before input: FastAPI parses a JSON body before it runs the route's
        # dependencies, so without this a caller with no or wrong credentials would learn a 400.
        project_id = request.path_params.get("project_id")
        if project_id is not None:
            try:
                await authenticate(request, project_id)
            except ElbError as refusal:
                return error_reply(request, refusal)
        return error_reply(request, invalid(describe_validation_error(error.errors()[0])))

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, error: HTTPException) -> Response:
        if error.status_code == 404:
            failure = ElbError(404, "APIGW.0101", "The API does not exist or has not been published in the environment.")
        elif error.status_code == 405:
            failure = ElbError(405, "APIGW.0101", "The API does not support this method.")
        else:
            failure = ElbError(error.status_code, "ELB.8902", str(error.detail))
        return error_reply(request, failure)
