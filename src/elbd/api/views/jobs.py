from elbd.api.shapes.jobs import JobEntity, MainJob, SubJob
from elbd.clock import format_time
from elbd.store.models import Job


def job_view(job: Job) -> MainJob:
    sub_jobs: list[SubJob] = [
        {
            "job_id": sub["job_id"],
            "job_type": sub["job_type"],
            "status": sub["status"],
            "project_id": sub["project_id"],
            "resource_id": sub["resource_id"],
            "begin_time": sub["begin_time"],
            "end_time": sub["end_time"],
            "error_code": sub["error_code"],
            "error_msg": sub["error_msg"],
            "entities": [JobEntity(resource_id=entity["resource_id"], resource_type=entity["resource_type"]) for entity in sub["entities"]],
        }
        for sub in job.sub_jobs
    ]
    return {
        "job_id": job.id,
        "job_type": job.job_type,
        "status": job.status,
        "project_id": job.project_id,
        "resource_id": job.resource_id,
        "begin_time": format_time(job.created_at),
        "end_time": format_time(job.updated_at),
        "error_code": None,
        "error_msg": None,
        "sub_jobs": sub_jobs,
    }
