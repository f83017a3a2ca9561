"""Minimal VPC v1: /v1/{project_id}/vpcs and /v1/{project_id}/subnets."""

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from elbd.api.deps import authenticate, database
from elbd.api.replies import no_content, reply, request_id_of
from elbd.api.shapes.vpcs import SubnetList, SubnetReply, VpcList, VpcReply
from elbd.api.views.vpcs import subnet_view, vpc_view
from elbd.schemas.vpcs import SubnetCreateRequest, VpcCreateRequest
from elbd.service import lookups, vpcs
from elbd.service.identity import Principal
from elbd.store.db import Database

router = APIRouter(tags=["vpc"])


@router.post("/v1/{project_id}/vpcs", response_model=VpcReply)
def create_vpc(request: Request, body: VpcCreateRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        vpc = vpcs.create_vpc(session, project_id=who.project_id, option=body.vpc)
    answer: VpcReply = {"vpc": vpc_view(vpc), "request_id": request_id_of(request)}
    return reply(answer)


@router.get("/v1/{project_id}/vpcs", response_model=VpcList)
def list_vpcs(request: Request, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.read() as session:
        found = vpcs.list_vpcs(session, who.project_id)
    answer: VpcList = {"vpcs": [vpc_view(vpc) for vpc in found], "request_id": request_id_of(request)}
    return reply(answer)


@router.get("/v1/{project_id}/vpcs/{vpc_id}", response_model=VpcReply)
def show_vpc(request: Request, vpc_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.read() as session:
        vpc = lookups.vpc(session, who.project_id, vpc_id)
    answer: VpcReply = {"vpc": vpc_view(vpc), "request_id": request_id_of(request)}
    return reply(answer)


@router.delete("/v1/{project_id}/vpcs/{vpc_id}", status_code=204)
def delete_vpc(vpc_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        vpcs.delete_vpc(session, project_id=who.project_id, vpc_id=vpc_id)
    return no_content()


@router.post("/v1/{project_id}/subnets", response_model=SubnetReply)
def create_subnet(request: Request, body: SubnetCreateRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        subnet = vpcs.create_subnet(session, project_id=who.project_id, option=body.subnet)
    answer: SubnetReply = {"subnet": subnet_view(subnet), "request_id": request_id_of(request)}
    return reply(answer)


@router.get("/v1/{project_id}/subnets", response_model=SubnetList)
def list_subnets(
    request: Request,
    vpc_id: str | None = Query(None, max_length=36),
    who: Principal = Depends(authenticate),
    db: Database = Depends(database),
) -> Response:
    with db.read() as session:
        found = vpcs.list_subnets(session, who.project_id, vpc_id)
    answer: SubnetList = {"subnets": [subnet_view(subnet) for subnet in found], "request_id": request_id_of(request)}
    return reply(answer)


@router.get("/v1/{project_id}/subnets/{subnet_id}", response_model=SubnetReply)
def show_subnet(request: Request, subnet_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.read() as session:
        subnet = lookups.subnet(session, who.project_id, subnet_id)
    answer: SubnetReply = {"subnet": subnet_view(subnet), "request_id": request_id_of(request)}
    return reply(answer)


@router.delete("/v1/{project_id}/vpcs/{vpc_id}/subnets/{subnet_id}", status_code=204)
def delete_subnet(vpc_id: str, subnet_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.write() as session:
        vpcs.delete_subnet(session, project_id=who.project_id, vpc_id=vpc_id, subnet_id=subnet_id)
    return no_content()
