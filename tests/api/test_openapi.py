"""The API describes itself: /openapi.json lists the member routes, /docs renders."""

from fastapi.testclient import TestClient

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


def test_docs_page_answers(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
