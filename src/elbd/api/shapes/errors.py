"""The ELB error body, declared once for every route: api/errors.py answers every failure with it."""

from typing import Annotated, Any

from pydantic import Field
from typing_extensions import NotRequired, TypedDict

from elbd.api.shapes.base import shape


@shape
class KeystoneError(TypedDict):
    code: int
    message: str
    title: str


@shape
class ErrorBody(TypedDict):
    error_code: str
    error_msg: str
    request_id: str
    error: NotRequired[Annotated[KeystoneError | None, Field(description="Keystone's error object, on /v3/auth/tokens only.")]]


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {
        "model": ErrorBody,
        "description": "Refused: invalid input (400 ELB.8902), no or bad credentials (401 APIGW.0301), credentials of "
        "another project (403 APIGW.0302), not found (404 ELB.8904), conflict (409 ELB.8907) or quota (409 ELB.8905).",
    },
    "5XX": {"model": ErrorBody, "description": "Internal error (500 ELB.8906)."},
}
