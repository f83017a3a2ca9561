"""/v3/{project_id}/elb/flavors: the fixed catalogue (elbd/flavors.py)."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from elbd.api.deps import authenticate
from elbd.api.listing import ListQuery, list_query
from elbd.api.replies import reply, request_id_of
from elbd.api.shapes.flavors import FlavorPage, FlavorReply
from elbd.api.views.flavors import flavor_view
from elbd.api.views.pages import page_info
from elbd.service import flavors
from elbd.service.identity import Principal

router = APIRouter(tags=["flavors"])
_list_query = list_query(
    {
        "id": list[str], "name": list[str], "type": list[str], "shared": bool, "public_border_group": list[str],
        "category": list[int], "list_all": bool, "flavor_sold_out": bool,
    }
)


@router.get("/v3/{project_id}/elb/flavors", response_model=FlavorPage)
def list_flavors(request: Request, query: ListQuery = Depends(_list_query), who: Principal = Depends(authenticate)) -> Response:
    page = flavors.list_flavors(query.filters, query.page)
    answer: FlavorPage = {
        "flavors": [flavor_view(flavor, who.project_id) for flavor in page.items], "page_info": page_info(page), "request_id": request_id_of(request)
    }
    return reply(answer)


@router.get("/v3/{project_id}/elb/flavors/{flavor_id}", response_model=FlavorReply)
def show_flavor(request: Request, flavor_id: str, who: Principal = Depends(authenticate)) -> Response:
    answer: FlavorReply = {"flavor": flavor_view(flavors.show_flavor(flavor_id), who.project_id), "request_id": request_id_of(request)}
    return reply(answer)
