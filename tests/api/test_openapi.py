"""The API describes itself: /openapi.json lists the member routes, /docs renders."""

import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from elbd.api.shapes.tokens import TokenReply
from elbd.schemas import unserved
from tests.conftest import new_project, token_request

MEMBERS = "/v3/{project_id}/elb/pools/{pool_id}/members"


def test_openapi_json_lists_the_member_routes(client: TestClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"post", "get"} <= set(paths[MEMBERS])
    assert {"get", "put", "delete"} <= set(paths[MEMBERS + "/{member_id}"])
    for batch in ("batch-add", "batch-update", "batch-delete"):
        assert "post" in paths[f"{MEMBERS}/{batch}"]
    assert "get" in paths["/v3/{project_id}/elb/members"]


def test_openapi_documents_the_member_body_and_list_query(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    create = spec["paths"][MEMBERS]["post"]
    assert "requestBody" in create
    query = {parameter["name"] for parameter in spec["paths"][MEMBERS]["get"]["parameters"] if parameter["in"] == "query"}
    assert {"limit", "marker", "page_reverse", "address", "weight"} <= query
    assert {"address", "protocol_port", "weight", "subnet_cidr_id"} <= set(spec["components"]["schemas"]["MemberCreate"]["properties"])


def test_docs_page_answers_offline_with_every_operation(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    page = response.text
    assert "<script" not in page and "http://" not in page and "https://" not in page  # nothing loaded from elsewhere
    assert f"<code>POST</code></td><td><code>{MEMBERS}</code>" in page and 'href="/openapi.json"' in page
    assert client.get("/redoc").status_code == 404


def test_every_operation_declares_the_elb_error_body_and_no_422(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert set(spec["components"]["schemas"]["ErrorBody"]["required"]) == {"error_code", "error_msg", "request_id"}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "422" not in responses, f"{method} {path}"
            for status in ("4XX", "5XX"):
                assert responses[status]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}, f"{method} {path}"


def test_openapi_documents_what_the_load_balancer_routes_answer(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    def schema_of(path: str, method: str, status: str) -> dict:
        return paths[path][method]["responses"][status]["content"]["application/json"]["schema"]

    collection, item = "/v3/{project_id}/elb/loadbalancers", "/v3/{project_id}/elb/loadbalancers/{loadbalancer_id}"
    assert schema_of(collection, "post", "201") == {"$ref": "#/components/schemas/LoadBalancerWrittenReply"}
    assert schema_of(collection, "get", "200") == {"$ref": "#/components/schemas/LoadBalancerPage"}
    assert schema_of(item, "get", "200") == {"$ref": "#/components/schemas/LoadBalancerReply"}
    assert set(paths[item]["delete"]["responses"]) == {"204", "4XX", "5XX"}


def test_list_query_parameters_offer_no_null(client: TestClient) -> None:
    parameters = client.get("/openapi.json").json()["paths"]["/v3/{project_id}/elb/pools"]["get"]["parameters"]
    schemas = {parameter["name"]: parameter["schema"] for parameter in parameters if parameter["in"] == "query"}
    assert schemas["limit"]["type"] == "integer"
    assert schemas["listener_id"] == {"type": "array", "items": {"type": "string"}, "title": "Listener Id"}


def test_the_token_answer_is_documented_as_it_is(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/v3/auth/tokens"]["post"]["responses"]["201"]
    assert operation["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/TokenReply"}
    assert "X-Subject-Token" in operation["headers"]
    credentials = new_project(client, "documented")
    issued = client.post("/v3/auth/tokens", json=token_request(credentials))
    assert issued.status_code == 201, issued.text
    TypeAdapter(TokenReply).validate_python(issued.json())


@pytest.mark.parametrize(
    ("table", "bodies"),
    [
        (unserved.LISTENERS, ("ListenerCreate", "ListenerUpdate")),
        (unserved.POOLS, ("PoolCreate", "PoolUpdate")),
        (unserved.HEALTH_MONITORS, ("HealthMonitorCreate", "HealthMonitorUpdate")),
        (unserved.LOAD_BALANCERS, ("LoadBalancerCreate", "LoadBalancerUpdate", "LoadBalancerBatchCreate")),
        (unserved.LOAD_BALANCER_CHANGES, ("LoadBalancerUpdate",)),
        (unserved.CERTIFICATES, ("CertificateCreate",)),
        (unserved.L7POLICIES, ("L7PolicyCreate", "L7PolicyUpdate")),
        (unserved.L7RULES, ("L7RuleCreate", "L7RuleUpdate")),
        (unserved.L7_RESPONSE_CONFIGS, ("RedirectUrlOption", "FixedResponseOption")),
    ],
)
def test_the_document_says_what_elbd_does_not_serve_yet(
    client: TestClient, table: tuple[unserved.Unserved, ...], bodies: tuple[str, ...]
) -> None:
    """Every attribute of schemas/unserved.py, in every request body that has it, is described from its table."""
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for field in {entry.field for entry in table}:
        having = [name for name in bodies if field in schemas[name]["properties"]]
        assert having, field
        for name in having:
            assert schemas[name]["properties"][field].get("description") == unserved.note(table, field), (name, field)


def test_openapi_lists_the_l7_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    base = "/v3/{project_id}/elb/l7policies"
    assert {"post", "get"} <= set(paths[base]) and {"get", "put", "delete"} <= set(paths[base + "/{l7policy_id}"])
    assert {"post", "get"} <= set(paths[base + "/{l7policy_id}/rules"])
    assert {"get", "put", "delete"} <= set(paths[base + "/{l7policy_id}/rules/{l7rule_id}"])
    assert "get" in paths[base + "/rules"] and "post" in paths[base + "/batch-update-priority"]
    query = {parameter["name"] for parameter in paths[base]["get"]["parameters"] if parameter["in"] == "query"}
    assert {"listener_id", "action", "priority", "provisioning_status", "display_all_rules", "redirect_pool_id"} <= query
