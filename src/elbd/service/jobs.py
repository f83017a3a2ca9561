"""Jobs: the record of an operation the API runs as a job (batch creates and deletes, clones, restores). elbd carries each out within its request
(one transaction), so a job is written COMPLETE with the request and answers its job_id at once."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

from elbd.clock import format_time, utcnow
from elbd.errors import invalid
from elbd.ids import new_id
from elbd.service.paging import Page, PageRequest, apply_filters, paginate
from elbd.store.models import Job

JobType = Literal[
    "batchCreateV3Loadbalancer", "batchDeleteListener", "batchDeleteLoadbalancer", "cloneLoadbalancer", "cloneListener", "restoreLoadbalancer"
]
ResourceType = Literal["listener", "loadbalancer"]
COMPLETE = "COMPLETE"

FILTER_COLUMNS = {"job_id": Job.id, "job_type": Job.job_type, "status": Job.status, "resource_id": Job.resource_id}


def record(session: Session, *, project_id: str, job_type: JobType, resource_type: ResourceType, resource_ids: Sequence[str]) -> Job:
    """A completed job over `resource_ids`, one sub-job each (for the reference's sub_jobs and entities)."""
    now = utcnow()
    moment = format_time(now)
    sub_jobs: list[dict[str, Any]] = [
        {
            "job_id": new_id(),
            "job_type": job_type,
            "status": COMPLETE,
            "project_id": project_id,
            "resource_id": resource_id,
            "begin_time": moment,
            "end_time": moment,
            "error_code": None,
            "error_msg": None,
            "entities": [{"resource_id": resource_id, "resource_type": resource_type}],
        }
        for resource_id in resource_ids
    ]
    job = Job(
        id=new_id(), project_id=project_id, job_type=job_type, status=COMPLETE, resource_id=None, sub_jobs=sub_jobs, created_at=now, updated_at=now
    )
    session.add(job)
    return job


def list_jobs(session: Session, *, project_id: str, filters: dict[str, Any], page: PageRequest) -> Page[Job]:
    query: Select = select(Job).where(Job.project_id == project_id)
    if filters.get("error_code") is not None:
        query = query.where(false())  # every job elbd runs completes: none has an error code
    begin = filters.get("begin_time")
    if begin is not None:
        query = query.where(Job.created_at >= _moment(begin))
    return paginate(session, apply_filters(query, FILTER_COLUMNS, filters), Job, page)


def _moment(text: str) -> datetime:
    """`begin_time` as the reference writes it, yyyy-MM-dd'T'HH:mm:ss (a trailing Z allowed)."""
    try:
        return datetime.strptime(text.removesuffix("Z"), "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        raise invalid(f"Invalid input for 'begin_time': {text!r} is not yyyy-MM-ddTHH:mm:ss.") from None
