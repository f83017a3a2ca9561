"""On-demand checks of a member (jobs): what may be checked, with which settings, and the stored job.

- The member and the listener are the project's (another project's is not found); the listener forwards
  to the member's pool (its default pool, or a pool of one of its forwarding policies).
- The check is one run of the pool's health monitor now (decisions and I/O in elbd/member_check/), with
  the monitor's type, port (the member's when none), timeout, method, path, host (the load balancer's
  VIP when none, as the data plane's checks) and expected codes. A pool without a monitor of a type
  elbd runs has nothing to check with: 409.
- `securityGroup` and `networkAcl`: elbd has neither, so nothing of them can be checked: 400. `all`
  checks what elbd has, the configuration (`config`).
- A job is stored, so that any API replica answers its GET; one still `processing` long after any check
  could have ended (the process running it stopped) reads as `failed`. Jobs are kept for a day.
"""

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from elbd.clock import utcnow
from elbd.errors import conflict, invalid
from elbd.ids import new_id
from elbd.member_check.decisions import KINDS, CheckSettings, Verdict
from elbd.schemas.member_checks import MemberCheckCreate
from elbd.service import lookups
from elbd.store.models import HealthMonitor, L7Policy, Listener, LoadBalancer, Member, MemberCheckJob

UNCHECKABLE_SUBJECTS = {
    "securityGroup": "elbd has no security groups: nothing filters traffic between a load balancer and its members",
    "networkAcl": "elbd has no network ACLs: nothing filters traffic between a load balancer and its members",
}
KEPT_FOR = timedelta(days=1)
# The longest a check can take (a monitor's timeout is at most 50 s), with room for a busy process.
STALE_AFTER = timedelta(seconds=120)


def _forwards_to(session: Session, listener: Listener, pool_id: str) -> bool:
    if listener.default_pool_id == pool_id:
        return True
    policies = session.scalars(select(L7Policy).where(L7Policy.listener_id == listener.id))
    return any(pool_id in (policy.redirect_pool_id, *(item.get("pool_id") for item in policy.redirect_pools_config)) for policy in policies)


def check_settings(monitor: HealthMonitor | None, member: Member, vip_address: str | None) -> CheckSettings:
    """What one check of `member` runs with, by its pool's monitor."""
    if monitor is None or monitor.type not in KINDS:
        raise conflict(f"Backend server group {member.pool_id} has no health monitor elbd runs (TCP, HTTP, HTTPS or TLS): nothing says how to check its members.")
    port = monitor.monitor_port or member.protocol_port
    if not port:
        raise conflict(f"Health monitor {monitor.id} has no monitor_port and member {member.id} forwards all ports: there is no port to check.")
    return CheckSettings(
        kind=monitor.type,
        address=member.address,
        port=port,
        timeout_s=monitor.timeout,
        http_method=monitor.http_method,
        url_path=monitor.url_path,
        host=monitor.domain_name or vip_address or "localhost",
        expected_codes=monitor.expected_codes,
    )


def create_job(session: Session, *, project_id: str, member_id: str, option: MemberCheckCreate) -> tuple[MemberCheckJob, CheckSettings]:
    """A new job, `processing`, and the settings of the check it is to run."""
    member = lookups.any_member(session, project_id, member_id)
    listener = lookups.listener(session, project_id, option.listener_id)
    if option.subject in UNCHECKABLE_SUBJECTS:
        raise invalid(f"Invalid input for 'subject': {UNCHECKABLE_SUBJECTS[option.subject]}; 'config' (or 'all') checks the member.")
    if not _forwards_to(session, listener, member.pool_id):
        raise invalid(f"Invalid input for 'listener_id': listener {listener.id} does not forward to backend server group {member.pool_id}.")
    load_balancer = session.get(LoadBalancer, listener.loadbalancer_id)
    monitor = session.scalars(select(HealthMonitor).where(HealthMonitor.pool_id == member.pool_id)).first()
    settings = check_settings(monitor, member, load_balancer.vip_address if load_balancer else None)
    now = utcnow()
    session.execute(delete(MemberCheckJob).where(MemberCheckJob.created_at < now - KEPT_FOR))
    job = MemberCheckJob(
        id=new_id(),
        project_id=project_id,
        member_id=member.id,
        listener_id=listener.id,
        subject=option.subject,
        status="processing",
        created_at=now,
        updated_at=now,
    )
    session.add(job)
    return job, settings


def record_result(session: Session, *, job_id: str, verdict: Verdict | None) -> None:
    """The check's verdict (None: the check itself broke, the job failed)."""
    job = session.get(MemberCheckJob, job_id)
    if job is None:
        return
    job.status = "processed" if verdict is not None else "failed"
    if verdict is not None:
        job.reason_code, job.expected_response, job.healthcheck_response = verdict.reason_code, verdict.expected_response, verdict.healthcheck_response
    job.updated_at = utcnow()


def show_job(session: Session, *, project_id: str, job_id: str) -> MemberCheckJob:
    return lookups.member_check_job(session, project_id, job_id)


def status_of(job: MemberCheckJob, now: datetime) -> str:
    """The job's status as shown: one still processing long after any check could have ended failed."""
    if job.status == "processing" and now - job.created_at > STALE_AFTER:
        return "failed"
    return job.status
