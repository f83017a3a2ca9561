"""The OpenAPI document declares how to authenticate, and where: on every route the isolation matrix
proves refuses a caller without credentials (401), and on revoking a token; nowhere else."""

from tests.api.route_matrix import application_routes, matrix_routes
from tests.fuzz.document import openapi_document

DOCUMENT = openapi_document()
CREDENTIALS = [{"token": []}, {"aksk": []}]


def _security(method: str, path: str) -> object:
    return DOCUMENT["paths"][path][method.lower()].get("security")


def test_both_ways_to_authenticate_are_described() -> None:
    schemes = DOCUMENT["components"]["securitySchemes"]
    assert schemes["token"] == {**schemes["token"], "type": "apiKey", "in": "header", "name": "X-Auth-Token"}
    assert schemes["aksk"] == {**schemes["aksk"], "type": "apiKey", "in": "header", "name": "Authorization"}
    assert "SDK-HMAC-SHA256" in schemes["aksk"]["description"]


def test_every_route_that_needs_credentials_says_so() -> None:
    matrix = matrix_routes(application_routes())
    assert len(matrix) > 40
    assert [route.key for route in matrix if _security(route.method, route.path) != CREDENTIALS] == []


def test_only_obtaining_a_token_the_versions_and_the_documentation_need_none() -> None:
    assert _security("DELETE", "/v3/auth/tokens") == CREDENTIALS
    open_operations = {f"{method.upper()} {path}" for path, item in DOCUMENT["paths"].items() for method, operation in item.items()
                       if "security" not in operation}
    assert open_operations == {"POST /v3/auth/tokens", "GET /versions"}
