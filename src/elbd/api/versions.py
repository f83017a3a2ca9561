"""GET /versions: the API versions elbd serves (public, as the real service's version list is)."""

from fastapi import APIRouter
from fastapi.responses import Response

from elbd.api.replies import reply
from elbd.api.shapes.versions import ApiVersions

router = APIRouter(tags=["versions"])


@router.get("/versions", response_model=ApiVersions)
def list_api_versions() -> Response:
    answer: ApiVersions = {"versions": [{"id": "v3", "status": "CURRENT"}]}
    return reply(answer)
