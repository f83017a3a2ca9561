"""On-demand member checks: POST /v3/{project_id}/elb/members/{member_id}/health-check starts a job,
GET /v3/{project_id}/elb/members/check/jobs/{job_id} answers it. The check runs on the event loop that
serves the API (elbd/member_check/probe.py), and its verdict is stored with the job."""

import asyncio
import logging

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from elbd.api.deps import authenticate, database
from elbd.api.replies import reply, request_id_of
from elbd.api.shapes.member_checks import MemberCheckJobInfoReply, MemberCheckJobReply
from elbd.api.views.member_checks import member_check_job_view
from elbd.clock import utcnow
from elbd.member_check.decisions import CheckSettings, Verdict
from elbd.member_check.probe import check_member
from elbd.schemas.member_checks import MemberCheckCreate, MemberCheckCreateRequest
from elbd.service import member_checks
from elbd.service.identity import Principal
from elbd.store.db import Database

router = APIRouter(tags=["members"])
log = logging.getLogger(__name__)
MAX_RUNNING_CHECKS = 64  # per process; more jobs wait their turn, still `processing`


class MemberCheckRunner:
    """Runs each job's check as a task of the API's event loop and stores its verdict; `stop` cancels
    what still runs (those jobs read as failed once stale)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._tasks: set[asyncio.Task[None]] = set()
        self._turns: asyncio.Semaphore | None = None

    def start(self, job_id: str, settings: CheckSettings) -> None:
        task = asyncio.get_running_loop().create_task(self._run(job_id, settings))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, job_id: str, settings: CheckSettings) -> None:
        if self._turns is None:
            self._turns = asyncio.Semaphore(MAX_RUNNING_CHECKS)
        verdict: Verdict | None
        try:
            async with self._turns:
                verdict = await check_member(settings)
        except Exception:  # the check itself broke: the job failed, elbd serves on
            log.exception("member check job %s failed", job_id)
            verdict = None
        await run_in_threadpool(self._record, job_id, verdict)

    def _record(self, job_id: str, verdict: Verdict | None) -> None:
        with self._db.write() as session:
            member_checks.record_result(session, job_id=job_id, verdict=verdict)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


def _create(db: Database, project_id: str, member_id: str, option: MemberCheckCreate) -> tuple[str, CheckSettings]:
    with db.write() as session:
        job, settings = member_checks.create_job(session, project_id=project_id, member_id=member_id, option=option)
        return job.id, settings


@router.post("/v3/{project_id}/elb/members/{member_id}/health-check", response_model=MemberCheckJobReply)
async def create_member_health_check_job(
    request: Request, member_id: str, body: MemberCheckCreateRequest, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    job_id, settings = await run_in_threadpool(_create, db, who.project_id, member_id, body.member_check)
    runner: MemberCheckRunner = request.app.state.member_checks
    runner.start(job_id, settings)
    answer: MemberCheckJobReply = {"member_check": {"job_id": job_id}, "request_id": request_id_of(request)}
    return reply(answer)


@router.get("/v3/{project_id}/elb/members/check/jobs/{job_id}", response_model=MemberCheckJobInfoReply)
def show_member_health_check_job(
    request: Request, job_id: str, who: Principal = Depends(authenticate), db: Database = Depends(database)
) -> Response:
    with db.read() as session:
        job = member_checks.show_job(session, project_id=who.project_id, job_id=job_id)
    answer: MemberCheckJobInfoReply = {"member_check": member_check_job_view(job, utcnow()), "request_id": request_id_of(request)}
    return reply(answer)
