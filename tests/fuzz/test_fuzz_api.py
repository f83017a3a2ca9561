"""Schemathesis against /openapi.json: for every operation a bounded, seeded run of generated requests,
valid and invalid, sent with a valid token and aimed at real resources part of the time. No answer
may be a 5xx; every error is the ELB error body; status codes, content types and bodies are the ones
the document declares; input the document calls invalid is refused."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import checks
from schemathesis.python.asgi import ASGIClient

from tests.api.world import World
from tests.fuzz.document import openapi_document
from tests.fuzz.elb_error_check import elb_error_body
from tests.fuzz.resources import Resources, aim, build_resources

EXAMPLES_PER_OPERATION = 15
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.negative_data_rejection,
    elb_error_body,
]

schema = schemathesis.openapi.from_dict(openapi_document())
# The document declares the token and AK/SK headers; every case carries the real token instead of generated ones.
schema.config.generation.update(with_security_parameters=False)


@pytest.fixture(scope="module")
def resources_by_operation() -> dict[str, Resources]:
    return {}


@schema.parametrize()
@schema.given(data=st.data())
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
def test_operation(
    case: schemathesis.Case, data: st.DataObject, fuzz_world: World, resources_by_operation: dict[str, Resources]
) -> None:
    api = fuzz_world.api
    label = case.operation.label
    if label not in resources_by_operation:
        resources_by_operation[label] = build_resources(api)
    resources = resources_by_operation[label]
    if case.path_parameters and "project_id" in case.path_parameters:
        case.path_parameters = {**case.path_parameters, "project_id": api.project_id}
    if data.draw(st.sampled_from([True, False]), label="aim at real resources"):
        ids = resources.for_path(case.operation.path)
        address = data.draw(st.sampled_from(resources.addresses), label="address")
        case.path_parameters = aim(case.path_parameters, ids, address)
        if isinstance(case.body, (dict, list)):
            case.body = aim(case.body, ids, address)
    # Not entered: schemathesis would start the application's lifespan a second time.
    session = ASGIClient(fuzz_world.client.app)
    case.call_and_validate(session=session, headers={"X-Auth-Token": api.token}, checks=CHECKS)
