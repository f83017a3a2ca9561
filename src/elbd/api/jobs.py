"""/v3/{project_id}/elb/jobs: the operations run as jobs (batch deletes of listeners and load balancers)."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from elbd.api.deps import authenticate, database
from elbd.api.listing import ListQuery, list_query
from elbd.api.replies import reply, request_id_of
from elbd.api.shapes.jobs import JobPage, JobReply
from elbd.api.views.jobs import job_view
from elbd.api.views.pages import page_info
from elbd.service import jobs, lookups
from elbd.service.identity import Principal
from elbd.store.db import Database

router = APIRouter(tags=["jobs"])
_list_query = list_query({"job_id": str, "job_type": str, "status": str, "error_code": str, "resource_id": str, "begin_time": str})


@router.get("/v3/{project_id}/elb/jobs", response_model=JobPage)
def list_jobs(request: Request, query: ListQuery = Depends(_list_query), who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.read() as session:
        page = jobs.list_jobs(session, project_id=who.project_id, filters=query.filters, page=query.page)
        answer: JobPage = {"jobs": [job_view(job) for job in page.items], "page_info": page_info(page), "request_id": request_id_of(request)}
    return reply(answer)


@router.get("/v3/{project_id}/elb/jobs/{job_id}", response_model=JobReply)
def show_job(request: Request, job_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)) -> Response:
    with db.read() as session:
        answer: JobReply = {"job": job_view(lookups.job(session, who.project_id, job_id)), "request_id": request_id_of(request)}
    return reply(answer)
